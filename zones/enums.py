from django.db import models
from django.utils.translation import gettext_lazy as _


class ZoneState(models.TextChoices):
    """Every state of a zone after 批复 (guide 五（三））. Transitions: zones/transitions.py."""

    CONSTRUCTION = "construction", _("建设中")
    ACCEPTANCE_APPLIED = "acceptance_applied", _("验收申请")
    ACCEPTANCE_REVIEW = "acceptance_review", _("验收评审")
    ACCEPTED = "accepted", _("通过验收")
    RECTIFYING = "rectifying", _("限期整改")
    NOT_ACCEPTED = "not_accepted", _("不予通过")
    REVOKED = "revoked", _("已撤销")


class ReportState(models.TextChoices):
    DRAFT = "draft", _("未报送")
    SUBMITTED = "submitted", _("已报送")
    RETURNED = "returned", _("已退回修改")


class IndicatorState(models.TextChoices):
    DRAFT = "draft", _("未报送")
    SUBMITTED = "submitted", _("待省局审核")
    RETURNED = "returned", _("已退回修改")
    CONFIRMED = "confirmed", _("省局已确认")


class RectificationState(models.TextChoices):
    OPEN = "open", _("待整改")
    ANSWERED = "answered", _("已报送整改情况")
    CLOSED = "closed", _("已整改完毕")


class FilePurpose(models.TextChoices):
    REPORT = "report", _("季度报告附件")
    INDICATORS = "indicators", _("核心指标证明材料")
    STUDY = "study", _("第三方跟踪研究报告")
    ACCEPTANCE = "acceptance", _("总结验收材料")


class AcceptanceRecommendation(models.TextChoices):
    ACCEPT = "accept", _("建议通过验收")
    RECTIFY = "rectify", _("建议限期整改")
    REJECT = "reject", _("建议不予通过")


class AcceptanceDecision(models.TextChoices):
    ACCEPTED = "accepted", _("通过验收")
    RECTIFY = "rectify", _("限期整改")
    NOT_ACCEPTED = "not_accepted", _("不予通过")


class TargetStatus(models.TextChoices):
    """A zone against one of the guide's targets （二（一））, as the national table shows it."""

    MET = "met", _("已达标")
    ON_TRACK = "on_track", _("符合进度")
    BEHIND = "behind", _("落后")
    NOT_REPORTED = "not_reported", _("未报送")


# The guide's six tasks （二（二）1–6): the quarterly report's progress fields, in order; their labels are
# the 建设方案's (applications.models.Application), so both read the same.
TASKS = ("task_mechanism", "task_network", "task_projects", "task_services", "task_enterprises",
         "task_international")
