"""Review records. States change only through review.transitions.perform()."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.enums import choice_label
from accounts.models import Organisation, in_active_language
from applications.enums import ApplicationState
from applications.models import Application, Call
from workflow.models import AppendOnlyLog

from .enums import AssignmentStatus, ProvincialDecision, Recommendation


class TransitionLog(AppendOnlyLog):
    """One entry per state change of an application (review.transitions.perform). Append-only: updates
    and deletes are refused by the model and, on PostgreSQL, by a trigger."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="log")
    from_state = models.CharField(_("原状态"), max_length=32, choices=ApplicationState.choices)
    to_state = models.CharField(_("新状态"), max_length=32, choices=ApplicationState.choices)
    version = models.PositiveIntegerField(_("申报版本"), default=0)
    document_number = models.CharField(_("发文字号"), max_length=64, blank=True)

    # The labels without get_FOO_display(), which translates every choice of the field on each call.
    @property
    def from_state_label(self):
        return choice_label(ApplicationState, self.from_state)

    @property
    def to_state_label(self):
        return choice_label(ApplicationState, self.to_state)

    class Meta(AppendOnlyLog.Meta):
        verbose_name = _("流转记录")
        verbose_name_plural = _("流转记录")


class ProvincialReview(models.Model):
    """The provincial bureau's preliminary review (初步审核) of one submitted version."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="provincial_reviews")
    version = models.PositiveIntegerField(_("申报版本"))
    decision = models.CharField(_("审核结论"), max_length=16, choices=ProvincialDecision.choices)
    # Guide 四(四)2: the bureau reviews the 建设方案, the 证明材料 and the 承诺书; a finding on each,
    # beside the free 审核意见 (required to recommend or decline; reviews before this field have none).
    plan_finding = models.TextField(_("建设方案审核情况"), blank=True)
    evidence_finding = models.TextField(_("证明材料审核情况"), blank=True)
    commitment_finding = models.TextField(_("承诺书审核情况"), blank=True)
    opinion = models.TextField(_("审核意见"))
    document_number = models.CharField(_("推荐函文号"), max_length=64, blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("省局审核意见")
        verbose_name_plural = _("省局审核意见")

    def findings(self) -> list[tuple[object, str]]:
        """(material, finding) for each of the three materials reviewed."""
        return [(type(self)._meta.get_field(name).verbose_name, getattr(self, name)) for name in FINDINGS]


# The three materials the province reviews (guide 四(四)2), as inputs of its decisions.
FINDINGS = ("plan_finding", "evidence_finding", "commitment_finding")


class FormalReview(models.Model):
    """The national office's formal review (材料审核) checklist of one version."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="formal_reviews")
    version = models.PositiveIntegerField(_("申报版本"))
    checklist = models.JSONField(_("审核清单"), default=dict)
    notes = models.TextField(_("审核记录"), blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("国家局材料审核")
        verbose_name_plural = _("国家局材料审核")
        constraints = [models.UniqueConstraint(fields=["application", "version"], name="one_formal_review_per_version")]


class Approval(models.Model):
    """The national office's decision (批复 or not) to the provincial bureau."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="approval")
    approved = models.BooleanField(_("是否批复"))
    document_number = models.CharField(_("文号"), max_length=64, blank=True)
    text = models.TextField(_("批复意见"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("批复")
        verbose_name_plural = _("批复")


class DocumentNumber(models.Model):
    """发文字号登记: every number an issuing organisation gave, by year and serial, so that no number is
    given twice (the constraints hold whatever writes the row). review.numbers proposes and checks."""

    issuer = models.ForeignKey(Organisation, verbose_name=_("发文机关"), on_delete=models.PROTECT,
                               related_name="document_numbers")
    year = models.PositiveIntegerField(_("年份"))
    serial = models.PositiveIntegerField(_("序号"))
    number = models.CharField(_("发文字号"), max_length=64)
    transition = models.CharField(_("事项"), max_length=32)
    application = models.ForeignKey(Application, verbose_name=_("申报"), null=True, on_delete=models.PROTECT,
                                    related_name="document_numbers")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["issuer", "-year", "-serial"]
        verbose_name = _("发文字号")
        verbose_name_plural = _("发文字号")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "year", "serial"], name="one_serial_per_issuer_and_year"),
            models.UniqueConstraint(fields=["issuer", "number"], name="one_document_number_per_issuer"),
        ]

    def __str__(self):
        return self.number


class Criterion(models.Model):
    """One line of a call's scoring rubric."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("评分项"), max_length=64)
    name_en = models.CharField(_("英文评分项"), max_length=128, blank=True)
    description = models.TextField(_("评分要点"), blank=True)
    description_en = models.TextField(_("英文评分要点"), blank=True)
    weight = models.DecimalField(_("权重"), max_digits=5, decimal_places=2, default=1)
    max_score = models.DecimalField(_("满分"), max_digits=6, decimal_places=2, default=25)
    # Scores are given in steps of this size (0.5: 18, 18.5, 19 …); a value between steps is refused.
    step = models.DecimalField(_("评分步长"), max_digits=4, decimal_places=2, default=Decimal("0.5"),
                               validators=[MinValueValidator(Decimal("0.01"))])
    position = models.PositiveIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["call", "position", "pk"]
        verbose_name = _("评分项")
        verbose_name_plural = _("评分项")

    def __str__(self):
        return in_active_language(self.name, self.name_en)

    @property
    def display_description(self):
        return in_active_language(self.description, self.description_en)

    def on_step(self, value) -> bool:
        """Whether `value` is a whole number of steps (0, 0.5, 1 … with a step of 0.5)."""
        return value % self.step == 0

    def clean(self):
        """Once an expert has put a value against the call's rubric (Call.scoring_started_at), no
        criterion is added and none changes its weight, maximum or call (the admin meets this; the
        rubric page goes through review.experts.services.save_rubric, which refuses wholesale)."""
        super().clean()
        if not self.call_id:
            return
        saved = (type(self).objects.filter(pk=self.pk).values("weight", "max_score", "step", "call_id").first()
                 if self.pk else None)
        calls = {self.call_id} | ({saved["call_id"]} if saved else set())
        if not Call.objects.filter(pk__in=calls, scoring_started_at__isnull=False).exists():
            return
        if saved is None:
            raise ValidationError(_("专家已开始评分,不能再增加评分项。"))
        locked = {"weight": _("专家已开始评分,权重不能再修改。"), "max_score": _("专家已开始评分,满分不能再修改。"),
                  "step": _("专家已开始评分,评分步长不能再修改。"),
                  "call_id": _("专家已开始评分,评分项不能移至其他批次。")}
        errors = {("call" if name == "call_id" else name): message for name, message in locked.items()
                  if saved[name] != getattr(self, name)}
        if errors:
            raise ValidationError(errors)


class PanelMembership(models.Model):
    """An expert on a call's panel."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="panel")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panels")

    class Meta:
        verbose_name = _("评审专家组成员")
        verbose_name_plural = _("评审专家组成员")
        constraints = [models.UniqueConstraint(fields=["call", "expert"], name="one_membership_per_expert")]


class ExpertAssignment(models.Model):
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="assignments")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    status = models.CharField(_("状态"), max_length=16, choices=AssignmentStatus.choices, default=AssignmentStatus.ASSIGNED)
    deadline = models.DateTimeField(_("评审截止时间"), null=True, blank=True)
    conflict_reason = models.TextField(_("回避理由"), blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(_("首次查看方案时间"), null=True, blank=True)

    class Meta:
        ordering = ["application", "assigned_at"]
        verbose_name = _("专家分配")
        verbose_name_plural = _("专家分配")
        constraints = [
            models.UniqueConstraint(fields=["application", "expert"], name="one_assignment_per_expert_application")
        ]

    @property
    def status_label(self):
        return choice_label(AssignmentStatus, self.status)


class Score(models.Model):
    """An expert's score sheet for one assignment; locked on final submit."""

    assignment = models.OneToOneField(ExpertAssignment, on_delete=models.PROTECT, related_name="score")
    recommendation = models.CharField(_("总体建议"), max_length=16, choices=Recommendation.choices, blank=True)
    comment = models.TextField(_("评审意见"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("专家评分")
        verbose_name_plural = _("专家评分")

    @property
    def locked(self):
        return self.submitted_at is not None


class ScoreItem(models.Model):
    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="items")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["score", "criterion"], name="one_item_per_criterion")]


class ScoreReopening(models.Model):
    """National staff reopened a locked score; the reason is kept."""

    score = models.ForeignKey(Score, on_delete=models.PROTECT, related_name="reopenings")
    reason = models.TextField(_("重新开放理由"))
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reopened_at = models.DateTimeField(auto_now_add=True)
