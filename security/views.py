"""Sign-in (password, then the second factor), enrolment, recovery codes, password change, sign-out,
the session clock, kept forms, and the 安全管理员's workspace."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from accounts.forms import LoginForm
from accounts.mixins import RolePermissionMixin

from . import policy, queries, services
from .forms import EnrolmentForm, SecondFactorForm
from .qr import base32_secret, qr_svg
from .session_keys import NEXT, RECOVERY_CODES


def _safe_next(request, candidate):
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return candidate
    return None


def after_sign_in(request):
    """Where a completed sign-in goes: a form kept from the ended session first, then `next`, then home."""
    kept = queries.latest_kept_form(request.user)
    if kept is not None:
        return reverse("security:kept_form", args=[kept.pk])
    return _safe_next(request, request.session.pop(NEXT, None)) or reverse(settings.LOGIN_REDIRECT_URL)


class SignInView(auth_views.LoginView):
    """The password step. Accounts that need a second factor go on to it; the others are signed in."""

    authentication_form = LoginForm

    def form_valid(self, form):
        super().form_valid(form)  # django.contrib.auth.login: the session now knows the account
        user = form.get_user()
        next_url = _safe_next(self.request, self.get_redirect_url())
        if next_url:
            self.request.session[NEXT] = next_url
        if services.needs_second_factor(user):
            return redirect("security:verify" if services.has_authenticator(user) else "security:enrol")
        services.complete_sign_in(self.request, user, ["password"])
        return HttpResponseRedirect(after_sign_in(self.request))


class SecondStepMixin(LoginRequiredMixin):
    """Pages of the second step: signed in with a password, not yet verified."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_verified():
            return redirect(after_sign_in(request))
        return super().dispatch(request, *args, **kwargs)


class VerifyView(SecondStepMixin, FormView):
    template_name = "security/verify.html"
    form_class = SecondFactorForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not services.user_has_device(request.user):
            return redirect("security:enrol")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            kind = services.verify_second_factor(self.request, self.request.user, form.cleaned_data["code"])
        except services.SecondFactorRefused as refusal:
            for field, message in refusal.field_errors.items():
                form.add_error(field, message)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        if kind == "recovery_code":
            left = services.remaining_recovery_codes(self.request.user)
            messages.warning(self.request, _("您使用了一个恢复码，还剩 %(n)d 个。恢复码用完后，请联系安全管理员重置双因素认证。")
                             % {"n": left})
        return redirect(after_sign_in(self.request))


class EnrolView(SecondStepMixin, FormView):
    template_name = "security/enrol.html"
    form_class = EnrolmentForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and services.has_authenticator(request.user):
            return redirect("security:verify")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        device = services.pending_authenticator(self.request.user)
        ctx["qr"] = mark_safe(qr_svg(device.config_url))  # noqa: S308 - SVG drawn by qrcode from our own URL
        ctx["secret"] = base32_secret(device)
        ctx["issuer"] = settings.OTP_TOTP_ISSUER
        return ctx

    def form_valid(self, form):
        try:
            codes = services.enrol_authenticator(self.request, self.request.user, form.cleaned_data["code"])
        except services.SecondFactorRefused as refusal:
            for field, message in refusal.field_errors.items():
                form.add_error(field, message)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        self.request.session[RECOVERY_CODES] = codes
        return redirect("security:recovery_codes")


class RecoveryCodesView(LoginRequiredMixin, View):
    """The new recovery codes, shown once."""

    def get(self, request):
        codes = request.session.pop(RECOVERY_CODES, None)
        if not codes:
            return redirect(after_sign_in(request))
        return render(request, "security/recovery_codes.html", {"codes": codes, "continue_url": after_sign_in(request)})


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(self.request, form.user, how="change")
        messages.success(self.request, _("密码已修改。"))
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(self.request, form.user, how="reset")
        return response


class SignOutView(View):
    def post(self, request):
        services.sign_out(request)
        return redirect(settings.LOGOUT_REDIRECT_URL)


class SessionClockView(View):
    """GET: seconds left before the idle time-out and the absolute end (not itself activity).
    POST: the user is active (a key pressed, a click): the middleware restarts the idle clock."""

    def get(self, request):
        if not request.user.is_authenticated:
            return JsonResponse({"signed_in": False}, status=401)
        return JsonResponse(queries.session_clock(request, policy.current()))

    post = get


class KeptFormView(LoginRequiredMixin, View):
    """What the user posted when the session had ended, offered again: resubmit or discard."""

    def get(self, request, pk):
        kept = queries.kept_form(request.user, pk)
        return render(request, "security/kept_form.html", {"kept": kept, "fields": queries.kept_fields(kept)})

    def post(self, request, pk):
        kept = queries.kept_form(request.user, pk)
        services.discard_kept_form(kept)
        messages.info(request, _("已放弃保留的内容。"))
        return redirect(kept.path)


class SecurityWorkspaceView(RolePermissionMixin, TemplateView):
    """安全管理员: the policy in force, locked accounts, live sessions, accounts without a second factor."""

    permission_required = "portal.manage_security"
    template_name = "security/workspace.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(queries.security_overview(policy.current()))
        return ctx


class AuditWorkspaceView(RolePermissionMixin, TemplateView):
    """审计管理员: the latest authentication records (the full search and export are the audit app's)."""

    permission_required = "portal.read_audit_trail"
    template_name = "security/audit_workspace.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["records"] = queries.recent_authentication_records()
        return ctx
