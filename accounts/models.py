from django.contrib.auth.models import AbstractUser, _user_has_perm
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .enums import ROLE_ORGANISATION_KINDS, ApplicantLevel, OrganisationKind, Region, Role

PORTAL_PERMISSION_PREFIX = "portal."


def english_active() -> bool:
    """Whether the page is being shown in English (then staff-entered data shows its English text)."""
    return (get_language() or "").startswith("en")


def in_active_language(chinese: str, english: str) -> str:
    """Staff enter data in Chinese and may add an English text: English readers get it when given."""
    return english if english and english_active() else chinese


class Province(models.Model):
    """A provincial-level division (31 + 新疆生产建设兵团), created by a data migration."""

    code = models.CharField(_("行政区划代码"), max_length=6, unique=True)
    name = models.CharField(_("名称"), max_length=32, unique=True)
    name_en = models.CharField(_("英文名称"), max_length=64)
    region = models.CharField(_("地区"), max_length=16, choices=Region.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = _("省级行政区")
        verbose_name_plural = _("省级行政区")

    def __str__(self):
        # Province names are reference data with an official English form.
        return self.name_en if english_active() else self.name


class Organisation(models.Model):
    name = models.CharField(_("机构名称"), max_length=128)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True, help_text=_("英文页面显示;留空则显示中文名称。"))
    kind = models.CharField(_("机构类型"), max_length=16, choices=OrganisationKind.choices)
    province = models.ForeignKey(
        Province, verbose_name=_("所在省份"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="organisations",
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("上级机构"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.CharField(_("行政级别"), max_length=16, choices=ApplicantLevel.choices, blank=True)
    city = models.CharField(_("所在城市"), max_length=64, blank=True)
    # What an issuing organisation (the national office, a provincial bureau) prints on its letters.
    letterhead = models.CharField(_("发文机关标志"), max_length=64, blank=True,
                                  help_text=_("公文版头的发文机关名称;留空则使用机构名称。"))
    document_code = models.CharField(_("机关代字"), max_length=32, blank=True,
                                     help_text=_("发文字号中的机关代字,如“国知办函管字”;发文字号为“代字〔年份〕序号号”。"))

    class Meta:
        ordering = ["province__code", "kind", "name"]
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="unique_organisation_name_per_kind"),
            models.UniqueConstraint(
                fields=["province"], condition=models.Q(kind="provincial"), name="one_bureau_per_province"
            ),
        ]

    def __str__(self):
        return in_active_language(self.name, self.name_en)

    @property
    def letterhead_name(self):
        return self.letterhead or self.name

    def clean(self):
        if self.document_code and any(c in self.document_code for c in "\u3014\u3015[]()\uff08\uff09"):
            raise ValidationError({"document_code": _("机关代字只填写代字本身,不含年份和括号。")})
        if self.kind in {OrganisationKind.PROVINCIAL_BUREAU, OrganisationKind.APPLICANT} and not self.province_id:
            raise ValidationError({"province": _("省级知识产权局和申报主体必须属于某个省份。")})
        if self.kind == OrganisationKind.APPLICANT and not self.level:
            raise ValidationError({"level": _("申报主体须注明行政级别。")})
        if self.kind != OrganisationKind.APPLICANT and self.level:
            raise ValidationError({"level": _("只有申报主体有行政级别。")})


class User(AbstractUser):
    """A person who acts for exactly one organisation in exactly one role."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("所属机构"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, blank=True)
    display_name = models.CharField(_("姓名"), max_length=64, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    # Password age and the first-login change (GB/T 22239 身份鉴别); kept current by security.passwords.
    password_changed_at = models.DateTimeField(_("密码修改时间"), default=timezone.now)
    must_change_password = models.BooleanField(
        _("下次登录须修改密码"), default=False,
        help_text=_("由管理员创建或重设密码的账户在首次登录时须修改密码。"))

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.display_name or self.username

    def get_session_auth_hash(self):
        # A user rebuilt from the cache (accounts.signed_in) has its password deferred and carries the
        # hash computed when it was read; once the password is loaded or set, it is computed again.
        kept = self.__dict__.get("_session_auth_hash")
        if kept is not None and "password" not in self.__dict__:
            return kept
        return super().get_session_auth_hash()

    def clean(self):
        super().clean()
        if self.role and not self.organisation_id:
            raise ValidationError({"organisation": _("有角色的用户必须属于一个机构。")})
        if self.role and self.organisation_id:
            allowed = ROLE_ORGANISATION_KINDS.get(self.role, set())
            if self.organisation.kind not in allowed:
                raise ValidationError({"organisation": _("该机构类型与角色不符。")})

    @property
    def province(self):
        return self.organisation.province if self.organisation_id else None

    def has_perm(self, perm, obj=None):
        """The portal's own permissions ("portal.*") are decided by role alone: Django would let an
        active superuser pass every permission, and an administrator account is not a reviewer."""
        if perm.startswith(PORTAL_PERMISSION_PREFIX):
            return self.is_active and _user_has_perm(self, perm, obj)
        return super().has_perm(perm, obj)


class ExpertProfile(models.Model):
    """An invited specialist. Conflicts of interest are judged on home province and organisation."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="expert_profile")
    home_province = models.ForeignKey(Province, verbose_name=_("所在省份"), on_delete=models.PROTECT)
    field = models.CharField(_("专业领域"), max_length=128)
    title = models.CharField(_("职称/职务"), max_length=64, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    active = models.BooleanField(_("可参加评审"), default=True)

    class Meta:
        verbose_name = _("专家信息")
        verbose_name_plural = _("专家信息")

    def __str__(self):
        return str(self.user)

    @property
    def organisation(self):
        return self.user.organisation
