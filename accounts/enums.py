from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def choice_label(choices: type[models.TextChoices], value):
    """The label of `value` in `choices` (the value itself if unknown): what get_FOO_display() gives,
    without its cost, which translates every choice of the field on each call."""
    try:
        return choices(value).label
    except ValueError:
        return value


class Region(models.TextChoices):
    NORTH = "north", _("华北")
    NORTHEAST = "northeast", _("东北")
    EAST = "east", _("华东")
    CENTRAL = "central", _("华中")
    SOUTH = "south", _("华南")
    SOUTHWEST = "southwest", _("西南")
    NORTHWEST = "northwest", _("西北")


class OrganisationKind(models.TextChoices):
    NATIONAL_OFFICE = "national", _("国家知识产权局")
    PROVINCIAL_BUREAU = "provincial", _("省级知识产权局")
    APPLICANT = "applicant", _("申报主体")
    ASSOCIATION = "association", _("行业协会")
    INSTITUTION = "institution", _("专家所在单位")


class ApplicantLevel(models.TextChoices):
    """地市级以上 (guide 四(二)): the prefecture-level divisions (地级市, 自治州, 地区, 盟) and above."""

    PREFECTURE = "prefecture", _("地级市")
    AUTONOMOUS_PREFECTURE = "auto_prefecture", _("自治州")
    PREFECTURE_REGION = "region", pgettext_lazy("applicant level", "地区")
    LEAGUE = "league", _("盟")
    SUB_PROVINCIAL = "sub_provincial", _("副省级市")
    MUNICIPALITY = "municipality", _("直辖市")
    PARK_COMMITTEE = "park_committee", _("园区管理委员会")


class Role(models.TextChoices):
    APPLICANT = "applicant", _("申报主体")
    PROVINCIAL = "provincial", _("省局审核人员")
    NATIONAL = "national", _("国家局工作人员")
    EXPERT = "expert", _("评审专家")
    # 三员分立 (GB/T 22239-2019 level 3): three administrators, none of whom sees business data.
    ADMIN = "admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


# Which organisation kinds a role may act for.
ROLE_ORGANISATION_KINDS = {
    Role.APPLICANT: {OrganisationKind.APPLICANT},
    Role.PROVINCIAL: {OrganisationKind.PROVINCIAL_BUREAU},
    Role.NATIONAL: {OrganisationKind.NATIONAL_OFFICE},
    Role.EXPERT: {OrganisationKind.INSTITUTION, OrganisationKind.ASSOCIATION, OrganisationKind.APPLICANT,
                  OrganisationKind.PROVINCIAL_BUREAU, OrganisationKind.NATIONAL_OFFICE},
    Role.ADMIN: {OrganisationKind.NATIONAL_OFFICE},
    Role.SECURITY_ADMIN: {OrganisationKind.NATIONAL_OFFICE},
    Role.AUDIT_ADMIN: {OrganisationKind.NATIONAL_OFFICE},
}
