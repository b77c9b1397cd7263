"""What the authentication layer keeps: the security policy the 安全管理员 sets, password history,
the sessions of each account, and forms that arrived after their session had ended."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class SecurityPolicy(models.Model):
    """One row: the policy in force. Missing, the settings' defaults apply (security.policy.current)."""

    password_min_length = models.PositiveSmallIntegerField(_("密码最小长度"), default=10)
    password_min_classes = models.PositiveSmallIntegerField(
        _("密码至少包含的字符类别数"), default=3, help_text=_("大写字母、小写字母、数字、符号四类中至少几类（1–4）"))
    password_history = models.PositiveSmallIntegerField(_("不得重复使用最近几个密码"), default=5)
    password_max_age_days = models.PositiveSmallIntegerField(_("密码有效期（天）"), default=90,
                                                             help_text=_("0 表示不过期"))
    session_idle_minutes = models.PositiveSmallIntegerField(_("会话空闲超时（分钟）"), default=30)
    session_absolute_hours = models.PositiveSmallIntegerField(_("会话最长时间（小时）"), default=12)
    lockout_failures = models.PositiveSmallIntegerField(_("同一账户连续登录失败几次后锁定"), default=5)
    lockout_ip_failures = models.PositiveSmallIntegerField(_("同一地址登录失败几次后锁定该地址"), default=50)
    lockout_minutes = models.PositiveSmallIntegerField(_("锁定时长（分钟）"), default=30)
    mfa_for_applicants = models.BooleanField(_("申报主体也须使用双因素认证"), default=False)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("安全策略")
        verbose_name_plural = _("安全策略")

    def __str__(self):
        return str(_("安全策略"))


class PasswordHistory(models.Model):
    """The hash of every password an account has had (never the password itself)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]


class EndReason(models.TextChoices):
    LOGOUT = "logout", _("用户退出")
    IDLE = "idle", _("空闲超时")
    ABSOLUTE = "absolute", _("超过会话最长时间")
    SUPERSEDED = "superseded", _("该账户在别处登录")
    ADMINISTRATOR = "administrator", _("安全管理员结束")
    MFA_RESET = "mfa_reset", _("双因素认证已重置")


class UserSession(models.Model):
    """A signed-in session of an account: one live at a time. Ending it deletes the session itself
    (server-side); the row stays so that the browser that held it can be told why."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE,
                             related_name="signed_in_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    client_address = models.GenericIPAddressField(_("客户端地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=255, blank=True)
    started_at = models.DateTimeField(_("登录时间"), auto_now_add=True)
    last_activity = models.DateTimeField(_("最近活动"), db_index=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True, db_index=True)
    end_reason = models.CharField(_("结束原因"), max_length=16, choices=EndReason.choices, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("登录会话")
        verbose_name_plural = _("登录会话")

    def __str__(self):
        return f"{self.user} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def live(self):
        return self.ended_at is None


class KeptForm(models.Model):
    """A form posted after its session had ended (time-out, a newer login): kept for its account for a
    short while and offered again after the next sign-in, so nothing the user typed is lost."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kept_forms")
    path = models.CharField(max_length=500)
    data = models.JSONField(default=list)  # [[name, value], ...] in the order posted
    dropped_files = models.JSONField(default=list)  # names of file inputs that could not be kept
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]


class AccountSecurity(User):
    """Accounts as the 安全管理员 sees them: second factor, lockout, password age, sessions
    (a proxy: the 系统管理员 keeps the accounts themselves)."""

    class Meta:
        proxy = True
        verbose_name = _("账户安全状态")
        verbose_name_plural = _("账户安全状态")
