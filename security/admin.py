"""The 安全管理员's admin pages: the policy, accounts' second factors and lockouts, sessions, failed
logins. Every change goes through security.services and is audited."""

from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.admin_access import ReadOnlyMixin, SecurityAdministratorAdmin

from . import policy, services
from .models import AccountSecurity, SecurityPolicy, UserSession

# The devices hold secrets: nobody edits them in the admin (the 安全管理员 resets them below).
for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(SecurityPolicy)
class SecurityPolicyAdmin(SecurityAdministratorAdmin):
    list_display = ("__str__", "password_min_length", "password_max_age_days", "session_idle_minutes",
                    "lockout_failures", "updated_at", "updated_by")
    readonly_fields = ("updated_at", "updated_by")
    fieldsets = (
        (_("密码"), {"fields": ("password_min_length", "password_min_classes", "password_history",
                              "password_max_age_days")}),
        (_("会话"), {"fields": ("session_idle_minutes", "session_absolute_hours")}),
        (_("登录失败锁定"), {"fields": ("lockout_failures", "lockout_ip_failures", "lockout_minutes")}),
        (_("双因素认证"), {"fields": ("mfa_for_applicants",)}),
        (None, {"fields": ("updated_at", "updated_by")}),
    )

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not SecurityPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changeform_initial_data(self, request):
        return {name: getattr(policy.defaults(), name) for name in policy.NAMES}

    def save_model(self, request, obj, form, change):
        services.save_policy(obj, by=request.user, changed=list(form.changed_data) if change else policy.NAMES)


@admin.register(AccountSecurity)
class AccountSecurityAdmin(ReadOnlyMixin, SecurityAdministratorAdmin):
    list_display = ("username", "display_name", "role", "organisation", "second_factor", "must_change_password",
                    "password_changed_at", "last_login", "is_active")
    list_filter = ("role", "is_active", "must_change_password")
    search_fields = ("username", "display_name")
    list_select_related = ("organisation",)
    fields = ("username", "display_name", "role", "organisation", "is_active", "must_change_password",
              "password_changed_at", "last_login")
    actions = ["reset_second_factor", "end_sessions", "unlock"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            enrolled=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))

    @admin.display(boolean=True, description=_("已启用双因素认证"), ordering="enrolled")
    def second_factor(self, obj):
        return obj.enrolled

    def has_view_permission(self, request, obj=None):
        return self.allowed(request.user)

    @admin.action(description=_("重置双因素认证（下次登录重新启用）"))
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            services.reset_second_factor(user, by=request.user)
        self.message_user(request, ngettext("已重置 %(n)d 个账户的双因素认证。", "已重置 %(n)d 个账户的双因素认证。",
                                            len(queryset)) % {"n": len(queryset)}, messages.SUCCESS)

    @admin.action(description=_("结束这些账户的在线会话"))
    def end_sessions(self, request, queryset):
        ended = sum(services.end_sessions_of(user, by=request.user) for user in queryset)
        self.message_user(request, ngettext("已结束 %(n)d 个会话。", "已结束 %(n)d 个会话。", ended) % {"n": ended},
                          messages.SUCCESS)

    @admin.action(description=_("解除登录失败锁定"))
    def unlock(self, request, queryset):
        for user in queryset:
            services.unlock(user, by=request.user)
        self.message_user(request, ngettext("已为 %(n)d 个账户解除锁定。", "已为 %(n)d 个账户解除锁定。",
                                            len(queryset)) % {"n": len(queryset)}, messages.SUCCESS)


@admin.register(UserSession)
class UserSessionAdmin(ReadOnlyMixin, SecurityAdministratorAdmin):
    list_display = ("user", "client_address", "started_at", "last_activity", "ended_at", "end_reason")
    list_filter = ("end_reason",)
    search_fields = ("user__username",)
    list_select_related = ("user",)
    exclude = ("session_key",)
    actions = ["end_selected"]

    @admin.action(description=_("结束所选会话"))
    def end_selected(self, request, queryset):
        ended = sum(services.end_session(row, "administrator", actor=request.user) for row in queryset)
        self.message_user(request, ngettext("已结束 %(n)d 个会话。", "已结束 %(n)d 个会话。", ended) % {"n": ended},
                          messages.SUCCESS)


@admin.register(AccessAttempt)
class FailedLoginAdmin(ReadOnlyMixin, SecurityAdministratorAdmin):
    """Failed logins counted toward a lockout (django-axes). To unlock an account, use 账户安全状态."""

    list_display = ("attempt_time", "username", "ip_address", "failures_since_start", "user_agent")
    search_fields = ("username", "ip_address")
    fields = ("attempt_time", "username", "ip_address", "failures_since_start", "user_agent", "path_info")
