"""The session policy, applied to every request after authentication:

- a session past its idle time-out or its absolute lifetime ends (and the user is told why);
- a request on a session that a newer login, the 安全管理员 or the clock ended is told why too;
- a form posted after its session ended is kept for the account and offered after the next sign-in;
- an account that needs a second factor reaches nothing but the second step until it is verified;
- an account whose password expired, or was set by an administrator, must change it first;
- every request by a superuser account is audited;
- responses to signed-in users are never stored by a browser or proxy (Cache-Control: no-store).
"""

import time
from functools import lru_cache

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, get_urlconf, resolve
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django_otp.middleware import OTPMiddleware

from audit.services import record

from . import devices, policy, services
from .models import EndReason
from .session_keys import HAS_DEVICE, LAST_ACTIVITY, STARTED

# Pages that belong to signing in and out: reachable before the second factor, never kept.
SIGN_IN_PAGES = frozenset({
    "login", "logout", "set_language", "healthz", "security:verify", "security:enrol", "security:recovery_codes",
    "security:session_clock", "password_reset", "password_reset_done", "password_reset_confirm",
    "password_reset_complete",
})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Reachable while a password change is due.
PASSWORD_CHANGE_PAGES = SIGN_IN_PAGES | {"password_change", "password_change_done"}


def _view_name(request) -> str:
    return _resolved_name(request.path_info, get_urlconf() or settings.ROOT_URLCONF)


@lru_cache(maxsize=4096)
def _resolved_name(path: str, urlconf) -> str:
    # This middleware runs before Django resolves the URL itself; the URL configuration never changes
    # while a process runs, so a path's view name is worked out once.
    try:
        return resolve(path, urlconf).view_name
    except Resolver404:
        return ""


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


class SecondFactorMiddleware(OTPMiddleware):
    """django-otp's middleware (request.user.is_verified()), with the verifying device's identity read
    through the cache (security.devices) instead of a query on every request."""

    def _device_from_persistent_id(self, persistent_id: str):
        return devices.device_for(self._normalize_persistent_id(persistent_id))


class SessionPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.screen(request) or self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)  # Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private
        return response

    # --- before the view ---------------------------------------------------------------------------

    def screen(self, request):
        view_name = _view_name(request)
        user = request.user
        if not user.is_authenticated:
            return self.screen_ended_session(request, view_name)
        current = request.security_policy = policy.current()
        now = time.time()
        session = request.session
        started = session.get(STARTED)
        if started is None:  # a session signed in by other means (a test's force_login): its clock starts now
            session[STARTED] = session[LAST_ACTIVITY] = now
        else:
            kind = None
            if now - started > current.absolute.total_seconds():
                kind = EndReason.ABSOLUTE
            elif now - session.get(LAST_ACTIVITY, started) > current.idle.total_seconds():
                kind = EndReason.IDLE
            if kind is not None:
                services.time_out(request, kind)
                return self.after_end(request, user, kind, view_name)
        if self.is_activity(request, view_name):
            # "继续工作" (a POST to the clock) always restarts it; other requests at most once a minute.
            services.note_activity(request, now, force=view_name == "security:session_clock")
        if user.is_superuser:
            record("auth.superuser_request", actor=user,
                   details={"method": request.method, "path": request.get_full_path()[:500]})
        if view_name in SIGN_IN_PAGES:
            return None
        if self.needs_second_factor(request, user) and not user.is_verified():
            if _is_htmx(request):
                return HttpResponse(status=401)
            return redirect("security:verify" if services.has_authenticator(user) else "security:enrol")
        if request.method == "POST" and request.content_type in FORM_TYPES and "_kept_form" in request.POST:
            services.consume_kept_form(user, request.POST["_kept_form"])
        if view_name not in PASSWORD_CHANGE_PAGES:
            if user.must_change_password:
                services.record_password_expiry(request, user, reason="password set by an administrator")
                messages.warning(request, _("您的密码由管理员设置，请先修改密码再继续使用平台。"))
                return redirect("password_change")
            if services.password_expired(user, current):
                services.record_password_expiry(request, user, reason="password older than the policy allows")
                messages.warning(request, _("您的密码已超过 %(days)d 天未修改，请先修改密码再继续使用平台。")
                                 % {"days": current.password_max_age_days})
                return redirect("password_change")
        return None

    def needs_second_factor(self, request, user) -> bool:
        # The policy screen() already read for this request (one query, not two, per applicant page).
        if policy.second_factor_required(user, getattr(request, "security_policy", None)):
            return True
        if HAS_DEVICE not in request.session:
            request.session[HAS_DEVICE] = services.user_has_device(user)
        return request.session[HAS_DEVICE]

    @staticmethod
    def is_activity(request, view_name) -> bool:
        """Polling (the session clock, htmx refreshes) does not keep a session alive; people do."""
        if request.method == "GET" and (view_name == "security:session_clock" or _is_htmx(request)):
            return False
        return True

    def screen_ended_session(self, request, view_name):
        cookie = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if not cookie or request.session.session_key is not None:
            return None
        row = services.ended_session_for(cookie)
        if row is None:
            return None
        return self.after_end(request, row.user, row.end_reason, view_name)

    def after_end(self, request, owner, reason, view_name):
        """The session has ended: say why, keep what was posted, and send the user to sign in again."""
        if view_name in SIGN_IN_PAGES:
            if request.method == "GET" and view_name == "login":
                self.tell(request, owner, reason, kept=None)
            return None
        if _is_htmx(request):
            response = HttpResponse(status=401)
            response["HX-Trigger"] = "session-ended"
            return response
        kept = services.keep_form(owner, request) if services.keepable(request) else None
        self.tell(request, owner, reason, kept)
        return redirect_to_login(request.get_full_path() if request.method == "GET" else kept.path if kept
                                 else request.path)

    @staticmethod
    def tell(request, owner, reason, kept):
        current = policy.current()
        if reason == EndReason.IDLE:
            text = _("您已超过 %(minutes)d 分钟未操作，为保护账户安全，本次登录已结束。") % {
                "minutes": current.session_idle_minutes}
        elif reason == EndReason.ABSOLUTE:
            text = _("本次登录已超过 %(hours)d 小时，为保护账户安全，请重新登录。") % {
                "hours": current.session_absolute_hours}
        elif reason == EndReason.SUPERSEDED:
            newer = services.newest_session(owner)
            where = newer.client_address if newer and newer.client_address else _("未知地址")
            text = _("您的账户已在别处登录（地址：%(address)s），本会话已结束。如非本人操作，请立即修改密码并联系安全管理员。") % {
                "address": where}
        else:
            text = _("本会话已结束：%(reason)s。请重新登录。") % {"reason": EndReason(reason).label}
        messages.warning(request, text)
        if kept is not None:
            note = _("您刚才提交的内容已为您保存，重新登录后可以再次提交。")
            if kept.dropped_files:
                note += " " + _("所选文件未能保存，请重新选择：%(files)s。") % {"files": "、".join(kept.dropped_files)}
            messages.info(request, note)
