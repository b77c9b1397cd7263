from django.db import models
from django.utils.translation import gettext_lazy as _


class Recommendation(models.TextChoices):
    APPROVE = "approve", _("建议批复")
    APPROVE_AFTER_REVISION = "revise", _("修改后批复")
    DO_NOT_APPROVE = "reject", _("不建议批复")


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned", _("待评审")
    CONFLICT = "conflict", _("已申明回避")
    WITHDRAWN = "withdrawn", _("已撤回")
    SUBMITTED = "submitted", _("已提交评分")


class ProvincialDecision(models.TextChoices):
    RECOMMEND = "recommend", _("推荐")
    RETURN = "return", _("退回修改")
    DECLINE = "decline", _("不予推荐")
