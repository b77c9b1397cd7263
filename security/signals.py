"""Audit records for the password step, which Django and django-axes announce by signal."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from audit.services import REFUSED, record


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
