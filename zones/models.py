"""The zone after 批复 and everything it reports until 总结验收. Thin models: schedules and
arithmetic in schedule.py and indicators.py, changes in services.py and transitions.py."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Province
from applications.models import MONEY, Application, unguessable_upload_path
from review.enums import AssignmentStatus
from workflow.models import AppendOnlyLog

from .enums import (
    AcceptanceDecision,
    AcceptanceRecommendation,
    FilePurpose,
    IndicatorState,
    RectificationState,
    ReportState,
    ZoneState,
)


class Zone(models.Model):
    """An approved zone （实验区）， created by the 批复 from the approved version of its application."""

    application = models.OneToOneField(Application, verbose_name=_("申报"), on_delete=models.PROTECT,
                                       related_name="zone")
    name = models.CharField(_("实验区名称"), max_length=200)
    applicant = models.ForeignKey(Organisation, verbose_name=_("建设主体"), on_delete=models.PROTECT,
                                  related_name="zones")
    province = models.ForeignKey(Province, verbose_name=_("省份"), on_delete=models.PROTECT, related_name="+")
    city = models.CharField(_("所在城市"), max_length=64, blank=True)
    industry = models.CharField(_("专利密集型产业"), max_length=128, blank=True)
    scope = models.TextField(_("实验区建设范围（四至边界）"), blank=True)
    approval_number = models.CharField(_("批复文号"), max_length=64, blank=True)
    start_on = models.DateField(_("建设期开始日期"))
    end_on = models.DateField(_("建设期结束日期"))
    lead_department = models.CharField(_("牵头部门（单位）"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=64, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    contact_email = models.EmailField(_("电子邮箱"), blank=True)
    state = models.CharField(_("状态"), max_length=32, choices=ZoneState.choices, default=ZoneState.CONSTRUCTION,
                             db_index=True)
    state_changed_at = models.DateTimeField(_("状态变更时间"), default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["province__code", "name"]
        verbose_name = _("实验区")
        verbose_name_plural = _("实验区")

    def __str__(self):
        return self.name


class ZoneTarget(models.Model):
    """One year of the approved 建设方案's targets (copied from the approved version's PlanYear rows)."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveIntegerField(_("年度"))
    milestones = models.TextField(_("年度工作安排"), blank=True)
    output_target = models.DecimalField(_("工业总产值目标（亿元）"), null=True, blank=True, **MONEY)
    patented_sales_target = models.DecimalField(_("专利产品销售收入目标（亿元）"), null=True, blank=True, **MONEY)
    rd_target = models.DecimalField(_("研发投入目标（亿元）"), null=True, blank=True, **MONEY)
    patents_target = models.PositiveIntegerField(_("产业专利拥有量目标（件）"), null=True, blank=True)

    class Meta:
        ordering = ["zone", "year"]
        verbose_name = _("年度目标")
        verbose_name_plural = _("年度目标")
        constraints = [models.UniqueConstraint(fields=["zone", "year"], name="one_target_per_zone_year")]


class ZoneLog(AppendOnlyLog):
    """One entry per state change of a zone (zones.transitions.ZONES)."""

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="log")
    from_state = models.CharField(_("原状态"), max_length=32, choices=ZoneState.choices)
    to_state = models.CharField(_("新状态"), max_length=32, choices=ZoneState.choices)
    # The 验收意见's 发文字号 (review.numbers registry), as the decision registered it.
    document_number = models.CharField(_("发文字号"), max_length=64, blank=True)

    class Meta(AppendOnlyLog.Meta):
        verbose_name = _("实验区流转记录")
        verbose_name_plural = _("实验区流转记录")


class ZoneFile(models.Model):
    """An uploaded file of a zone: a report attachment, indicator evidence, a third-party study or
    acceptance material. Never deleted once a frozen version refers to it (withdrawn instead)."""

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="files")
    purpose = models.CharField(_("用途"), max_length=16, choices=FilePurpose.choices)
    report = models.ForeignKey("QuarterlyReport", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="attachments")
    indicator_set = models.ForeignKey("IndicatorSet", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="evidence")
    acceptance_round = models.ForeignKey("AcceptanceRound", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="files")
    title = models.CharField(_("说明"), max_length=200, blank=True)
    institution = models.CharField(_("研究机构"), max_length=200, blank=True)
    file = models.FileField(_("文件"), upload_to=unguessable_upload_path)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("实验区文件")
        verbose_name_plural = _("实验区文件")

    def __str__(self):
        return self.title or self.original_name


class QuarterlyReport(models.Model):
    """The 季度进展报告 of one quarter (guide 五（二） 信息通报）： its live draft and its state."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="reports")
    year = models.PositiveIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    period_start = models.DateField(_("报告期开始"))
    period_end = models.DateField(_("报告期结束"))
    due_on = models.DateField(_("报送截止日期"), db_index=True)
    state = models.CharField(_("状态"), max_length=16, choices=ReportState.choices, default=ReportState.DRAFT)
    current_version = models.PositiveIntegerField(_("当前版本"), default=0)
    submitted_at = models.DateTimeField(_("最近报送时间"), null=True, blank=True)
    state_changed_at = models.DateTimeField(_("状态变更时间"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # The draft (frozen into ReportVersion on each submission).
    task_mechanism = models.TextField(blank=True)
    task_network = models.TextField(blank=True)
    task_projects = models.TextField(blank=True)
    task_services = models.TextField(blank=True)
    task_enterprises = models.TextField(blank=True)
    task_international = models.TextField(blank=True)
    work_done = models.TextField(_("本季度完成的主要工作"), blank=True)
    problems = models.TextField(_("存在的问题"), blank=True)
    next_plan = models.TextField(_("下季度工作计划"), blank=True)

    class Meta:
        ordering = ["zone", "year", "quarter"]
        verbose_name = _("季度进展报告")
        verbose_name_plural = _("季度进展报告")
        constraints = [models.UniqueConstraint(fields=["zone", "year", "quarter"], name="one_report_per_quarter")]
        indexes = [models.Index(fields=["state", "due_on"])]

    def __str__(self):
        return _("%(year)s年第%(quarter)s季度进展报告") % {"year": self.year, "quarter": self.quarter}


class ReportVersion(models.Model):
    """A frozen copy of what was submitted. Never edited; a return keeps it, a resubmission adds one."""

    report = models.ForeignKey(QuarterlyReport, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    snapshot = models.JSONField(_("内容快照"))
    attachments = models.ManyToManyField(ZoneFile, related_name="report_versions", blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["report", "number"]
        verbose_name = _("季度报告版本")
        verbose_name_plural = _("季度报告版本")
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="unique_report_version")]


class ReportLog(AppendOnlyLog):
    report = models.ForeignKey(QuarterlyReport, on_delete=models.PROTECT, related_name="log")
    from_state = models.CharField(_("原状态"), max_length=32, choices=ReportState.choices)
    to_state = models.CharField(_("新状态"), max_length=32, choices=ReportState.choices)
    version = models.PositiveIntegerField(_("报告版本"), default=0)

    class Meta(AppendOnlyLog.Meta):
        verbose_name = _("季度报告流转记录")
        verbose_name_plural = _("季度报告流转记录")


class IndicatorSet(models.Model):
    """核心指标年度统计 of one year (guide 五（三））; money in 亿元， exact decimals."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="indicator_sets")
    year = models.PositiveIntegerField(_("统计年度"))
    due_on = models.DateField(_("报送截止日期"))
    state = models.CharField(_("状态"), max_length=16, choices=IndicatorState.choices,
                             default=IndicatorState.DRAFT)
    state_changed_at = models.DateTimeField(_("状态变更时间"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    gross_output = models.DecimalField(_("工业总产值（亿元）"), null=True, blank=True, **MONEY)
    patented_sales = models.DecimalField(_("专利产品销售收入（亿元）"), null=True, blank=True, **MONEY)
    rd_spending = models.DecimalField(_("企业研发总投入（亿元）"), null=True, blank=True, **MONEY)
    resident_enterprises = models.PositiveIntegerField(_("入驻企业数（家）"), null=True, blank=True)
    patents_per_10k = models.DecimalField(_("每万人口发明专利拥有量（件）"), max_digits=10, decimal_places=2,
                                          null=True, blank=True)
    industry_patents = models.PositiveIntegerField(_("产业专利拥有量（件）"), null=True, blank=True)
    invention_patents = models.PositiveIntegerField(_("其中：发明专利（件）"), null=True, blank=True)
    pledge_financing = models.DecimalField(_("专利质押融资额（亿元）"), null=True, blank=True, **MONEY)
    standards = models.PositiveIntegerField(_("主导或参与制定的国家/行业标准数（项）"), null=True, blank=True)
    service_staff = models.PositiveIntegerField(_("专利运用服务机构人员数（人）"), null=True, blank=True)

    class Meta:
        ordering = ["zone", "year"]
        verbose_name = _("核心指标年度统计")
        verbose_name_plural = _("核心指标年度统计")
        constraints = [models.UniqueConstraint(fields=["zone", "year"], name="one_indicator_set_per_year")]
        indexes = [models.Index(fields=["state", "due_on"])]

    def __str__(self):
        return _("%(year)s年度核心指标") % {"year": self.year}


class IndicatorLog(AppendOnlyLog):
    """Each submission, return and confirmation, with the figures as they stood (nothing typed is lost)."""

    indicator_set = models.ForeignKey(IndicatorSet, on_delete=models.PROTECT, related_name="log")
    from_state = models.CharField(_("原状态"), max_length=32, choices=IndicatorState.choices)
    to_state = models.CharField(_("新状态"), max_length=32, choices=IndicatorState.choices)
    figures = models.JSONField(_("指标数据"), default=dict)

    class Meta(AppendOnlyLog.Meta):
        verbose_name = _("核心指标流转记录")
        verbose_name_plural = _("核心指标流转记录")


class Inspection(models.Model):
    """A 监督检查 by the national office or a provincial bureau (guide 五（三） 跟踪管理）."""

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="inspections")
    inspected_on = models.DateField(_("检查日期"))
    inspectors = models.CharField(_("检查人员"), max_length=300)
    findings = models.TextField(_("检查发现"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by_organisation = models.ForeignKey(Organisation, null=True, on_delete=models.PROTECT,
                                                 related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-inspected_on", "-pk"]
        verbose_name = _("监督检查")
        verbose_name_plural = _("监督检查")


class Rectification(models.Model):
    """A 整改要求 arising from an inspection, with its deadline and the zone's answer."""

    inspection = models.OneToOneField(Inspection, on_delete=models.PROTECT, related_name="rectification")
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="rectifications")
    requirement = models.TextField(_("整改要求"))
    deadline = models.DateField(_("整改期限"))
    state = models.CharField(_("状态"), max_length=16, choices=RectificationState.choices,
                             default=RectificationState.OPEN, db_index=True)
    response = models.TextField(_("整改情况"), blank=True)
    state_changed_at = models.DateTimeField(_("状态变更时间"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("整改要求")
        verbose_name_plural = _("整改要求")


class RectificationLog(AppendOnlyLog):
    rectification = models.ForeignKey(Rectification, on_delete=models.PROTECT, related_name="log")
    from_state = models.CharField(_("原状态"), max_length=32, choices=RectificationState.choices)
    to_state = models.CharField(_("新状态"), max_length=32, choices=RectificationState.choices)

    class Meta(AppendOnlyLog.Meta):
        verbose_name = _("整改流转记录")
        verbose_name_plural = _("整改流转记录")


class AcceptanceRound(models.Model):
    """One 总结验收 review of a zone: the 总结报告， the expert panel's rubric and scores, the decision.
    A 限期整改 decision is followed by a second round on the rectified zone."""

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="acceptance_rounds")
    number = models.PositiveIntegerField(_("轮次"), default=1)
    summary = models.TextField(_("总结报告"), blank=True)
    applied_at = models.DateTimeField(_("申请时间"), null=True, blank=True)
    min_scores = models.PositiveIntegerField(_("最少专家评分数"), default=3)
    experts_per_round = models.PositiveIntegerField(_("分配专家数"), default=5)
    divergence_threshold = models.DecimalField(_("评分分歧阈值（极差）"), max_digits=6, decimal_places=2, default=20)
    expert_deadline = models.DateTimeField(_("专家评审截止时间"), null=True, blank=True)
    scoring_started_at = models.DateTimeField(_("专家开始评分时间"), null=True, blank=True, editable=False)
    decision = models.CharField(_("验收结论"), max_length=16, choices=AcceptanceDecision.choices, blank=True)
    opinion = models.TextField(_("验收意见"), blank=True)
    document_number = models.CharField(_("文号"), max_length=64, blank=True)
    rectify_by = models.DateField(_("整改期限"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["zone", "number"]
        verbose_name = _("总结验收")
        verbose_name_plural = _("总结验收")
        constraints = [models.UniqueConstraint(fields=["zone", "number"], name="one_acceptance_round_number")]

    def __str__(self):
        return _("%(zone)s 总结验收（第%(n)s轮）") % {"zone": self.zone, "n": self.number}

    # What review.experts.services.conflict_reasons reads of the thing being reviewed.
    @property
    def province_id(self):
        return self.zone.province_id

    @property
    def province(self):
        return self.zone.province

    @property
    def applicant_id(self):
        return self.zone.applicant_id


class AcceptanceCriterion(models.Model):
    """One line of an acceptance round's rubric (default: the guide's targets and tasks)."""

    round = models.ForeignKey(AcceptanceRound, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("评分项"), max_length=64)
    description = models.TextField(_("评分要点"), blank=True)
    weight = models.DecimalField(_("权重"), max_digits=5, decimal_places=2, default=1)
    max_score = models.DecimalField(_("满分"), max_digits=6, decimal_places=2, default=20)
    # As the application rubric's (review.models.Criterion): the shared score form offers and checks steps.
    step = models.DecimalField(_("评分步长"), max_digits=4, decimal_places=2, default=Decimal("0.5"),
                               validators=[MinValueValidator(Decimal("0.01"))])
    position = models.PositiveIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["round", "position", "pk"]
        verbose_name = _("验收评分项")
        verbose_name_plural = _("验收评分项")

    def __str__(self):
        return self.name

    def on_step(self, value) -> bool:
        """Whether `value` is a whole number of steps (0, 0.5, 1 … with a step of 0.5)."""
        return value % self.step == 0


class AcceptanceAssignment(models.Model):
    round = models.ForeignKey(AcceptanceRound, on_delete=models.PROTECT, related_name="assignments")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="acceptance_assignments")
    status = models.CharField(_("状态"), max_length=16, choices=AssignmentStatus.choices,
                              default=AssignmentStatus.ASSIGNED)
    deadline = models.DateTimeField(_("评审截止时间"), null=True, blank=True)
    conflict_reason = models.TextField(_("回避理由"), blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(_("首次查看材料时间"), null=True, blank=True)

    class Meta:
        ordering = ["round", "assigned_at", "pk"]
        verbose_name = _("验收专家分配")
        verbose_name_plural = _("验收专家分配")
        constraints = [models.UniqueConstraint(fields=["round", "expert"], name="one_acceptance_assignment")]


class AcceptanceScore(models.Model):
    assignment = models.OneToOneField(AcceptanceAssignment, on_delete=models.PROTECT, related_name="score")
    recommendation = models.CharField(_("总体建议"), max_length=16, choices=AcceptanceRecommendation.choices,
                                      blank=True)
    comment = models.TextField(_("评审意见"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("验收专家评分")
        verbose_name_plural = _("验收专家评分")

    @property
    def locked(self):
        return self.submitted_at is not None


class AcceptanceScoreItem(models.Model):
    score = models.ForeignKey(AcceptanceScore, on_delete=models.CASCADE, related_name="items")
    criterion = models.ForeignKey(AcceptanceCriterion, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["score", "criterion"], name="one_acceptance_item")]


class ExchangeActivity(models.Model):
    """A 交流活动 of the national office with the zones, their governments and provincial bureaus
    (guide 五（二） 信息交流）."""

    title = models.CharField(_("活动名称"), max_length=200)
    body = models.TextField(_("活动通知"))
    starts_at = models.DateTimeField(_("活动时间"))
    place = models.CharField(_("地点"), max_length=200)
    registration_deadline = models.DateTimeField(_("报名截止时间"), null=True, blank=True)
    all_zones = models.BooleanField(_("面向全部实验区"), default=True)
    zones = models.ManyToManyField(Zone, verbose_name=_("参加的实验区"), blank=True, related_name="activities")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("交流活动")
        verbose_name_plural = _("交流活动")

    def __str__(self):
        return self.title


class ActivityRegistration(models.Model):
    """One organisation's attendees for an activity (a city government or a provincial bureau)."""

    activity = models.ForeignKey(ExchangeActivity, on_delete=models.CASCADE, related_name="registrations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    attendees = models.TextField(_("参会人员（姓名、职务，每行一人）"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["activity", "organisation"]
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        constraints = [models.UniqueConstraint(fields=["activity", "organisation"], name="one_registration_per_org")]
