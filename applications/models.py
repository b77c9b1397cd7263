"""Calls and applications. Thin models: logic lives in eligibility.py and submission.py,
state changes in review/transitions.py."""

import secrets
from datetime import datetime, time
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Province, in_active_language

from .enums import ApplicationState, CallStatus, EvidenceKind, PolicyStatus
from .states import STATES

MONEY = {"max_digits": 14, "decimal_places": 2}


def unguessable_upload_path(instance, filename):
    """Files are stored under a random name; the original name lives only in the database."""
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"uploads/{timezone.now():%Y/%m}/{secrets.token_urlsafe(24)}{suffix}"


class Call(models.Model):
    """A call for applications (申报批次)."""

    title = models.CharField(_("批次名称"), max_length=200)
    title_en = models.CharField(_("英文批次名称"), max_length=300, blank=True, help_text=_("英文页面显示;留空则显示中文名称。"))
    year = models.PositiveIntegerField(_("年度"))
    opens_on = models.DateField(_("开始受理日期"))
    national_deadline = models.DateTimeField(_("报送国家局截止时间"))
    target_zones = models.PositiveIntegerField(_("目标实验区数量"), default=10)
    status = models.CharField(_("状态"), max_length=16, choices=CallStatus.choices, default=CallStatus.DRAFT)
    description = models.TextField(_("说明"), blank=True)
    description_en = models.TextField(_("英文说明"), blank=True)
    min_scores = models.PositiveIntegerField(_("每项申报最少专家评分数"), default=3)
    experts_per_application = models.PositiveIntegerField(_("每项申报分配专家数"), default=5)
    divergence_threshold = models.DecimalField(_("评分分歧阈值(极差)"), max_digits=6, decimal_places=2, default=20)
    expert_deadline = models.DateTimeField(_("专家评审截止时间"), null=True, blank=True)
    # Set when the first expert puts a value against the rubric; from then on the rubric and the
    # minimum number of scores are fixed (review.experts.services, and clean() for the admin).
    scoring_started_at = models.DateTimeField(_("专家开始评分时间"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-opens_on"]
        verbose_name = _("申报批次")
        verbose_name_plural = _("申报批次")

    def __str__(self):
        return in_active_language(self.title, self.title_en)

    @property
    def display_description(self):
        return in_active_language(self.description, self.description_en)

    def clean(self):
        super().clean()
        if self.pk and self.scoring_started_at:
            saved = type(self).objects.filter(pk=self.pk).values_list("min_scores", flat=True).first()
            if saved is not None and saved != self.min_scores:
                raise ValidationError({"min_scores": _("专家已开始评分,每项申报最少专家评分数不能再修改。")})

    def deadline_for(self, province):
        """The applicant's deadline: the province's own earlier one if set, else the national."""
        if province is not None:
            for own in self.province_deadlines.all():
                if own.province_id == province.pk:
                    return own.deadline
        return self.national_deadline


def end_of_day(day) -> datetime:
    """A deadline given as a date covers the whole of that day (23:59:59, Asia/Shanghai)."""
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


class ProvinceDeadline(models.Model):
    """A provincial bureau's earlier internal deadline for its cities (never after the national one;
    review.services.set_province_deadline, and clean() for the admin)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="province_deadlines")
    province = models.ForeignKey(Province, verbose_name=_("省份"), on_delete=models.PROTECT)
    deadline = models.DateTimeField(_("省内截止时间"))

    class Meta:
        verbose_name = _("省内截止时间")
        verbose_name_plural = _("省内截止时间")
        constraints = [models.UniqueConstraint(fields=["call", "province"], name="one_deadline_per_province")]

    def clean(self):
        super().clean()
        call = getattr(self, "call", None)  # in the admin's add form: the call being created with it
        if call is not None and call.national_deadline and self.deadline and self.deadline > call.national_deadline:
            raise ValidationError({"deadline": _("省内截止时间不能晚于报送国家局的截止时间(%(deadline)s)。") % {
                "deadline": timezone.localtime(call.national_deadline).strftime("%Y-%m-%d %H:%M")}})


class Application(models.Model):
    """One applicant's application in one call: the 申报书, 建设方案 and 承诺书 content."""

    call = models.ForeignKey(Call, verbose_name=_("申报批次"), on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(
        Organisation, verbose_name=_("申报主体"), on_delete=models.PROTECT, related_name="applications"
    )
    # Denormalised from the applicant so that every scoping query is one indexed filter.
    province = models.ForeignKey(Province, verbose_name=_("省份"), on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        _("状态"), max_length=32, choices=ApplicationState.choices, default=ApplicationState.DRAFT, db_index=True
    )
    current_version = models.PositiveIntegerField(_("当前版本"), default=0)
    provincial_rank = models.PositiveIntegerField(_("省内推荐排序"), null=True, blank=True)
    # Set once by the recommend transition: from then on the national office may see it.
    forwarded_at = models.DateTimeField(_("推荐至国家局时间"), null=True, blank=True, db_index=True)
    # Set once by the start of the national formal review: from then on the province's ranking in
    # this call is locked (review.ranking).
    national_review_started_at = models.DateTimeField(_("国家局开始材料审核时间"), null=True, blank=True)
    state_changed_at = models.DateTimeField(_("状态变更时间"), default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # 申报书: the zone
    zone_name = models.CharField(_("实验区名称"), max_length=200, blank=True)
    city = models.CharField(_("所在城市"), max_length=64, blank=True)
    host_park = models.CharField(_("依托园区"), max_length=200, blank=True)
    is_demo_park = models.BooleanField(_("是否为国家知识产权示范园区"), null=True, blank=True)
    demo_park_since = models.PositiveIntegerField(_("获批示范园区年份"), null=True, blank=True)
    demo_park_justification = models.TextField(_("非示范园区的申报理由"), blank=True)
    zone_area_km2 = models.DecimalField(_("实验区面积(平方公里)"), max_digits=10, decimal_places=2, null=True, blank=True)
    zone_scope = models.TextField(_("实验区建设范围(四至边界)"), blank=True)

    # 申报书: the applicant
    contact_name = models.CharField(_("联系人"), max_length=64, blank=True)
    contact_title = models.CharField(_("联系人职务"), max_length=64, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    contact_email = models.EmailField(_("电子邮箱"), blank=True)

    # 申报书: the optional co-applicant industry association
    has_association = models.BooleanField(_("是否有行业协会参与"), default=False)
    association_name = models.CharField(_("行业协会名称"), max_length=200, blank=True)

    # 申报书: the industry
    industry_name = models.CharField(_("专利密集型产业"), max_length=128, blank=True)
    management_agency_name = models.CharField(_("产业专业化管理机构名称"), max_length=200, blank=True)
    management_agency_description = models.TextField(_("管理机构职能与法人资格"), blank=True)

    # 申报书: last year's figures (exact decimals; money in 亿元)
    figures_year = models.PositiveIntegerField(_("统计年度"), null=True, blank=True)
    gross_output = models.DecimalField(_("上一年度工业总产值(亿元)"), null=True, blank=True, **MONEY)
    resident_enterprises = models.PositiveIntegerField(_("入驻企业数(家)"), null=True, blank=True)
    patents_per_10k = models.DecimalField(
        _("每万人口发明专利拥有量(件)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    industry_patents = models.PositiveIntegerField(_("产业专利拥有量(件)"), null=True, blank=True)
    rd_spending = models.DecimalField(_("企业研发投入(亿元)"), null=True, blank=True, **MONEY)
    patented_sales = models.DecimalField(_("专利产品销售收入(亿元)"), null=True, blank=True, **MONEY)

    # 申报书: the patent public service agency
    service_agency_name = models.CharField(_("专利运用公共服务机构名称"), max_length=200, blank=True)
    service_agency_staff = models.PositiveIntegerField(_("服务机构人员数"), null=True, blank=True)
    service_agency_head = models.CharField(_("服务机构负责人"), max_length=64, blank=True)
    service_agency_head_background = models.TextField(_("负责人专利运用业务背景"), blank=True)

    # 建设方案 (5-year construction plan)
    plan_situation = models.TextField(_("发展现状与外部环境分析"), blank=True)
    plan_problems = models.TextField(_("存在问题"), blank=True)
    plan_positioning = models.TextField(_("产业发展定位"), blank=True)
    plan_path = models.TextField(_("发展路径"), blank=True)
    plan_goals = models.TextField(_("五年建设目标"), blank=True)
    task_mechanism = models.TextField(_("任务一:建立专利导航产业发展工作机制"), blank=True)
    task_network = models.TextField(_("任务二:建立产业专利协同运用网络"), blank=True)
    task_projects = models.TextField(_("任务三:实施专利储备运营项目"), blank=True)
    task_services = models.TextField(_("任务四:完善专利运用服务体系"), blank=True)
    task_enterprises = models.TextField(_("任务五:提升企业知识产权综合能力"), blank=True)
    task_international = models.TextField(_("任务六:提升产业的国际影响力"), blank=True)
    plan_measures = models.TextField(_("政策措施"), blank=True)
    plan_safeguards = models.TextField(_("组织保障"), blank=True)

    # 承诺书 (commitment letter)
    commitment_measures = models.TextField(_("实验区建设政策措施承诺"), blank=True)
    lead_department = models.CharField(_("牵头部门(单位)"), max_length=200, blank=True)
    coordination_mechanism = models.TextField(_("工作协调机制"), blank=True)
    leading_group_head = models.CharField(_("领导小组组长"), max_length=64, blank=True)
    leading_group_head_title = models.CharField(_("组长职务"), max_length=128, blank=True)
    leading_group_members = models.TextField(_("领导小组成员单位"), blank=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("申报")
        verbose_name_plural = _("申报")
        constraints = [
            models.UniqueConstraint(fields=["call", "applicant"], name="one_application_per_applicant_per_call")
        ]
        indexes = [models.Index(fields=["province", "state"]),
                   models.Index(fields=["province", "call"], condition=models.Q(national_review_started_at__isnull=False),
                                name="application_ranking_locked"),
                   # The national office's counts (by state, by province, the page count) read only
                   # this index instead of scanning the wide rows (bench/README.md).
                   models.Index(fields=["state", "province"], include=["id"],
                                condition=models.Q(forwarded_at__isnull=False),
                                name="application_forwarded_counts")]

    def __str__(self):
        return self.title_of(self.zone_name, self.applicant)

    @staticmethod
    def title_of(zone_name, applicant) -> str:
        """The zone's name, or the applicant's with a note that it is missing (also for rows read as
        columns, not instances: review.tables)."""
        return zone_name or _("%(applicant)s(实验区名称未填写)") % {"applicant": applicant}

    @property
    def deadline(self):
        return self.call.deadline_for(self.province)

    @property
    def is_editable(self):
        return STATES[self.state].owner_may_edit

    @property
    def state_label(self):
        """The state's label, as get_state_display() gives it, without that method's cost (it hashes
        every lazy choice label, a translation lookup each, on every call: a tenth of a millisecond
        a row in the queues)."""
        row = STATES.get(self.state)
        return row.label if row else self.state


class LocalPolicy(models.Model):
    """A local supporting policy, issued or planned, each with its document."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="policies")
    status = models.CharField(_("状态"), max_length=16, choices=PolicyStatus.choices)
    title = models.CharField(_("政策名称"), max_length=200)
    document_number = models.CharField(_("文号"), max_length=64, blank=True)
    issued_on = models.DateField(_("出台(或计划出台)日期"), null=True, blank=True)
    document = models.FileField(_("政策文件"), upload_to=unguessable_upload_path, blank=True)
    document_name = models.CharField(max_length=255, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("地方政策")
        verbose_name_plural = _("地方政策")

    def __str__(self):
        return self.title


class PlanYear(models.Model):
    """Year-by-year targets of the 5-year plan."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="plan_years")
    year = models.PositiveIntegerField(_("年度"))
    milestones = models.TextField(_("年度工作安排"), blank=True)
    output_target = models.DecimalField(_("工业总产值目标(亿元)"), null=True, blank=True, **MONEY)
    patented_sales_target = models.DecimalField(_("专利产品销售收入目标(亿元)"), null=True, blank=True, **MONEY)
    rd_target = models.DecimalField(_("研发投入目标(亿元)"), null=True, blank=True, **MONEY)
    patents_target = models.PositiveIntegerField(_("产业专利拥有量目标(件)"), null=True, blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("年度目标")
        verbose_name_plural = _("年度目标")
        constraints = [models.UniqueConstraint(fields=["application", "year"], name="one_plan_row_per_year")]


class FundingCommitment(models.Model):
    """Fiscal funding committed in the 承诺书, by year (万元)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="funding")
    year = models.PositiveIntegerField(_("年度"))
    amount_wan = models.DecimalField(_("财政经费(万元)"), **MONEY)

    class Meta:
        ordering = ["year"]
        verbose_name = _("财政经费承诺")
        verbose_name_plural = _("财政经费承诺")
        constraints = [models.UniqueConstraint(fields=["application", "year"], name="one_funding_row_per_year")]


class Evidence(models.Model):
    """An uploaded proof of a named kind. Rows are never deleted once a version refers to them:
    replacing one marks it withdrawn so earlier versions stay readable."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("材料类型"), max_length=32, choices=EvidenceKind.choices)
    title = models.CharField(_("说明"), max_length=200, blank=True)
    file = models.FileField(_("文件"), upload_to=unguessable_upload_path)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "uploaded_at"]
        verbose_name = _("证明材料")
        verbose_name_plural = _("证明材料")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.original_name}"


class ApplicationVersion(models.Model):
    """A frozen, numbered copy of what was submitted. Never edited after it is written."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    snapshot = models.JSONField(_("内容快照"))
    eligibility = models.JSONField(_("资格审查结果"), default=list)
    evidence = models.ManyToManyField(Evidence, related_name="versions", blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["application", "number"]
        verbose_name = _("申报版本")
        verbose_name_plural = _("申报版本")
        constraints = [models.UniqueConstraint(fields=["application", "number"], name="unique_version_number")]

    def __str__(self):
        return f"{self.application} v{self.number}"
