"""Audit records for the password step, which Django and django-axes announce by signal; the cached
policy and second-factor devices dropped when their rows change."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_otp.models import Device

from audit.services import REFUSED, record

from . import devices, policy
from .models import SecurityPolicy


@receiver(user_login_failed, dispatch_uid="security.login_failed")
def login_failed(sender, credentials, request=None, **kwargs):
    locked = bool(getattr(request, "security_locked_before_attempt", False))
    record("auth.login_failed", request=request, result=REFUSED,
           reason="account locked" if locked else "wrong username or password",
           details={"username": str(credentials.get("username", ""))[:150]})


@receiver(user_locked_out, dispatch_uid="security.locked_out")
def locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    if getattr(request, "security_locked_before_attempt", False):
        return  # a further attempt during the lockout: its login_failed record says so
    record("auth.lockout", request=request, result=REFUSED, reason="too many failed logins",
           details={"username": str(username or "")[:150], "client_address": ip_address})


@receiver(post_save, sender=SecurityPolicy, dispatch_uid="security.policy_saved")
@receiver(post_delete, sender=SecurityPolicy, dispatch_uid="security.policy_deleted")
def policy_changed(sender, **kwargs):
    policy.forget()


@receiver(post_save, dispatch_uid="security.device_saved")
@receiver(post_delete, dispatch_uid="security.device_deleted")
def device_changed(sender, instance, **kwargs):
    if isinstance(instance, Device):
        devices.forget(instance)
