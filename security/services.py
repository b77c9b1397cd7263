"""What happens when someone signs in, proves a second factor, changes a password, times out or signs
out, and what the 安全管理员 may do about it. Every one of these writes its audit record here."""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import urlsplit

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model, logout
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.models import VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import signed_in
from audit.client import client_address
from audit.services import REFUSED, record
from workflow.errors import Refused

from . import policy
from .models import EndReason, KeptForm, SecurityPolicy, UserSession
from .session_keys import EXPIRY_RECORDED, LAST_ACTIVITY, ROW, ROW_KEY, STARTED

# Activity is written at most this often (one session write a minute, not one per request).
ACTIVITY_RESOLUTION = 60
RECOVERY_CODE_COUNT = 10


class SecondFactorRefused(Refused):
    pass


def session_store(session_key: str | None = None) -> SessionBase:
    return import_string(settings.SESSION_ENGINE + ".SessionStore")(session_key)


# --- who must prove what ---------------------------------------------------------------------------


def needs_second_factor(user) -> bool:
    """The policy's roles, and anyone who has enrolled a device."""
    return policy.second_factor_required(user) or (user.is_authenticated and user_has_device(user))


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def password_expired(user, current: policy.Policy) -> bool:
    max_age = current.password_max_age
    return bool(max_age and user.password_changed_at and user.password_changed_at + max_age < timezone.now())


# --- signing in --------------------------------------------------------------------------------------


def complete_sign_in(request, user, factors: list[str]) -> None:
    """The account is now signed in with every factor it needs: register this session, end the older
    ones (one live session per account) and record the login."""
    now = time.time()
    session = request.session
    if session.session_key is None:
        session.save()
    with transaction.atomic():
        row = UserSession.objects.create(
            user=user, session_key=session.session_key, client_address=client_address(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:255], last_activity=timezone.now())
        older = list(UserSession.objects.select_for_update().filter(user=user, ended_at__isnull=True).exclude(pk=row.pk))
        for other in older:
            end_session(other, EndReason.SUPERSEDED, details={"ended_by_login_from": row.client_address})
        session[STARTED] = now
        session[LAST_ACTIVITY] = now
        session[ROW] = row.pk
        session[ROW_KEY] = session.session_key
        record("auth.login", actor=user, obj=user, details={"factors": factors, "session": row.pk})
    KeptForm.objects.filter(user=user, created_at__lt=timezone.now() - timedelta(hours=settings.KEPT_FORM_HOURS)).delete()


def end_session(row: UserSession, reason: str, *, actor=None, details: dict | None = None) -> bool:
    """End a registered session server-side and record why. False if it had already ended."""
    ended = UserSession.objects.filter(pk=row.pk, ended_at__isnull=True).update(
        ended_at=timezone.now(), end_reason=reason)
    if not ended:
        return False
    session_store(row.session_key).delete()
    signed_in.forget(row.user_id)
    action = {
        EndReason.SUPERSEDED: "auth.session_superseded",
        EndReason.IDLE: "auth.session_timeout",
        EndReason.ABSOLUTE: "auth.session_timeout",
        EndReason.LOGOUT: "auth.logout",
    }.get(reason, "auth.session_ended")
    record(action, actor=actor or row.user, obj=row, reason=str(EndReason(reason).label),
           details={"kind": reason, "user": row.user.username, "client_address": row.client_address,
                    **(details or {})})
    return True


def current_row(request) -> UserSession | None:
    pk = request.session.get(ROW)
    return UserSession.objects.filter(pk=pk).select_related("user").first() if pk else None


def sign_out(request) -> None:
    """Logout: the session is deleted server-side, with anything kept for the account."""
    user = request.user if request.user.is_authenticated else None
    row = current_row(request) if user else None
    if user is not None:
        KeptForm.objects.filter(user=user).delete()
        if row is None or not end_session(row, EndReason.LOGOUT):
            record("auth.logout", actor=user, obj=user)
    logout(request)
    if user is not None:
        signed_in.forget(user.pk)


def time_out(request, kind: str) -> None:
    """The middleware found this session past its idle or absolute limit: end it and say so."""
    user = request.user
    row = current_row(request)
    if row is None or not end_session(row, kind):
        record("auth.session_timeout", actor=user, obj=user, reason=str(EndReason(kind).label),
               details={"kind": kind, "user": user.username})
    logout(request)
    signed_in.forget(user.pk)


def end_expired_sessions() -> int:
    """Periodic: end registered sessions that passed the idle or absolute limit while nobody asked."""
    current = policy.current()
    now = timezone.now()
    ended = 0
    live = UserSession.objects.filter(ended_at__isnull=True).select_related("user")
    for row in live.filter(last_activity__lt=now - current.idle):
        ended += end_session(row, EndReason.IDLE)
    for row in live.filter(started_at__lt=now - current.absolute):
        ended += end_session(row, EndReason.ABSOLUTE)
    return ended


def note_activity(request, now: float, *, force: bool = False) -> None:
    session = request.session
    if session.session_key and session.get(ROW_KEY) not in (None, session.session_key):
        # The key was cycled (a password change): follow it, so a newer login still finds this session.
        UserSession.objects.filter(pk=session.get(ROW)).update(session_key=session.session_key)
        session[ROW_KEY] = session.session_key
    if force or now - session.get(LAST_ACTIVITY, 0) >= ACTIVITY_RESOLUTION:
        session[LAST_ACTIVITY] = now
        if session.get(ROW):
            UserSession.objects.filter(pk=session[ROW]).update(last_activity=timezone.now())


def ended_session_for(session_key: str | None) -> UserSession | None:
    if not session_key:
        return None
    return (UserSession.objects.filter(session_key=session_key, ended_at__isnull=False)
            .exclude(end_reason=EndReason.LOGOUT).select_related("user").first())


def newest_session(user) -> UserSession | None:
    return UserSession.objects.filter(user=user, ended_at__isnull=True).order_by("-started_at").first()


# --- the second factor -------------------------------------------------------------------------------


def pending_authenticator(user) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled (the same secret until it is confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=str(_("身份验证器")), confirmed=False)


def _refusal(device) -> str:
    allowed, info = device.verify_is_allowed()
    # django-otp waits 1, 2, 4, 8 … seconds after each failure; name the wait once it is noticeable.
    if not allowed and info and info.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS \
            and info.get("failure_count", 0) >= 3:
        return str(_("验证码错误次数过多，请稍后再试。"))
    return _refusal_text()


def _refusal_text() -> str:
    return str(_("验证码不正确或已使用过，请输入身份验证器上当前显示的 6 位数字，或一个未用过的恢复码。"))


def new_recovery_codes(user) -> list[str]:
    """A fresh set of one-time recovery codes (the old ones stop working)."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name="recovery", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def enrol_authenticator(request, user, code: str) -> list[str]:
    """Confirm the authenticator with a code from it; the sign-in completes and recovery codes are
    issued (returned once, to be shown once)."""
    code = _normalise(code)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
        accepted = device is not None and _is_totp(code) and device.verify_token(code)
    if not accepted:
        # Outside the transaction: the refusal and the device's throttling count must stay written.
        record("auth.mfa_failed", actor=user, obj=user, result=REFUSED, reason="enrolment code rejected",
               details={"stage": "enrolment"})
        raise SecondFactorRefused(_("验证码不正确。"), {"code": _refusal(device) if device else _refusal_text()})
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = new_recovery_codes(user)
        otp_login(request, device)
        record("auth.mfa_enrolled", actor=user, obj=user, details={"device": device.persistent_id})
    complete_sign_in(request, user, ["password", "totp"])
    return codes


def verify_second_factor(request, user, code: str) -> str:
    """The second step of sign-in: the 6 digits the authenticator shows, or one recovery code. Returns which."""
    code = _normalise(code)
    kind = TOTPDevice if _is_totp(code) else StaticDevice
    used = tried = None
    with transaction.atomic():
        for device in kind.objects.devices_for_user(user, confirmed=True).select_for_update():
            tried = device
            if code and device.verify_token(code):
                used = device
                break
    if used is None:
        record("auth.mfa_failed", actor=user, obj=user, result=REFUSED, reason="second factor rejected",
               details={"kind": "totp" if kind is TOTPDevice else "recovery_code"})
        raise SecondFactorRefused(_("验证码不正确。"), {"code": _refusal(tried) if tried else _refusal_text()})
    with transaction.atomic():
        otp_login(request, used)
        kind = "totp" if isinstance(used, TOTPDevice) else "recovery_code"
        if kind == "totp":
            record("auth.mfa_verified", actor=user, obj=user, details={"device": used.persistent_id})
        else:
            remaining = used.token_set.count()
            record("auth.recovery_code_used", actor=user, obj=user, details={"remaining": remaining})
    complete_sign_in(request, user, ["password", kind])
    return kind


def _normalise(code: str) -> str:
    return "".join((code or "").split()).lower()


def _is_totp(code: str) -> bool:
    return len(code) == 6 and code.isdigit()


def remaining_recovery_codes(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- passwords -----------------------------------------------------------------------------------------


def password_changed(request, user, *, how: str) -> None:
    """The user set a new password (a change, or a reset by e-mail): the forced change is done."""
    get_user_model().objects.filter(pk=user.pk).update(must_change_password=False)
    user.must_change_password = False
    request.session.pop(EXPIRY_RECORDED, None)
    record("auth.password_changed", actor=user, obj=user, details={"how": how})


def record_password_expiry(request, user, *, reason: str) -> None:
    """Once per session: the account was sent to change its password (expired, or set by an administrator)."""
    if request.session.get(EXPIRY_RECORDED):
        return
    request.session[EXPIRY_RECORDED] = True
    record("auth.password_expired", actor=user, obj=user, result=REFUSED, reason=reason)


# --- the 安全管理员 ---------------------------------------------------------------------------------


def reset_second_factor(user, *, by) -> None:
    """Remove the account's authenticator and recovery codes: it enrols again at its next sign-in.
    Its sessions end, since they were verified with the removed device."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        record("auth.mfa_reset", actor=by, obj=user, details={"user": user.username})
        for row in UserSession.objects.filter(user=user, ended_at__isnull=True):
            end_session(row, EndReason.MFA_RESET, actor=by)


def end_sessions_of(user, *, by) -> int:
    return sum(end_session(row, EndReason.ADMINISTRATOR, actor=by)
               for row in UserSession.objects.filter(user=user, ended_at__isnull=True))


def unlock(user, *, by) -> int:
    """Clear the account's failed logins (the lockout ends now)."""
    count, _ = AccessAttempt.objects.filter(username=user.username).delete()
    record("auth.unlocked", actor=by, obj=user, details={"user": user.username, "attempts_cleared": count})
    return count


def save_policy(row: SecurityPolicy, *, by, changed: list[str]) -> None:
    row.updated_by = by
    row.save()
    record("security.policy_changed", actor=by, obj=row, details={name: getattr(row, name) for name in changed})


# --- nothing typed is lost ---------------------------------------------------------------------------

NOT_KEPT = frozenset({"csrfmiddlewaretoken", "_kept_form"})


def keepable(request) -> bool:
    """A form post from this site's own pages (a cross-site post is never kept for anyone)."""
    if request.method != "POST" or request.headers.get("HX-Request") == "true":
        return False
    if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return False
    origin = request.headers.get("Origin") or request.headers.get("Referer") or ""
    host = request.get_host()
    return bool(origin) and urlsplit(origin).netloc == host


def keep_form(user, request) -> KeptForm:
    data = [[name, value] for name, values in request.POST.lists() if name not in NOT_KEPT for value in values]
    dropped = [uploaded.name for name in request.FILES for uploaded in request.FILES.getlist(name)]
    kept = KeptForm.objects.create(user=user, path=request.get_full_path()[:500], data=data, dropped_files=dropped)
    record("auth.form_kept", actor=user, obj=kept, details={"path": kept.path, "fields": len(data)})
    return kept


def consume_kept_form(user, pk) -> None:
    """The kept form is being resubmitted: it is no longer kept."""
    if str(pk).isdigit():
        KeptForm.objects.filter(user=user, pk=int(pk)).delete()


def discard_kept_form(kept: KeptForm) -> None:
    kept.delete()
