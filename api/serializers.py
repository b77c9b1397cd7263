"""What the API returns and accepts. Output serializers read what the query functions already
joined; input serializers only describe the body for the schema: the values are validated by the
pages' own forms (the same messages at the same inputs) and applied by the same services."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from applications.models import Application, ApplicationVersion, Call, Evidence
from documents.models import Document
from notifications.models import Notification
from review.enums import Recommendation
from review.models import ExpertAssignment, FormalReview, ProvincialReview
from zones.models import (
    AcceptanceRound,
    Inspection,
    QuarterlyReport,
    Rectification,
    ReportVersion,
    Zone,
    ZoneFile,
    ZoneTarget,
)

# ---- calls and applications ---------------------------------------------------------------------


class CallSerializer(serializers.ModelSerializer):
    class Meta:
        model = Call
        fields = ["id", "title", "year", "status", "opens_on", "national_deadline", "expert_deadline", "target_zones",
                  "min_scores", "experts_per_application"]


class ApplicationSerializer(serializers.ModelSerializer):
    """One row of a list: what the queues show."""

    name = serializers.CharField(source="__str__", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    call_title = serializers.CharField(source="call.title", read_only=True)
    applicant_name = serializers.CharField(source="applicant.name", read_only=True)
    province_name = serializers.CharField(source="province.name", read_only=True)
    province_code = serializers.CharField(source="province.code", read_only=True)
    national_deadline = serializers.DateTimeField(source="call.national_deadline", read_only=True)

    class Meta:
        model = Application
        fields = ["id", "name", "zone_name", "call", "call_title", "applicant", "applicant_name", "province_name",
                  "province_code", "city", "industry_name", "state", "state_label", "current_version",
                  "provincial_rank", "state_changed_at", "national_deadline"]


class TransitionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    opinion_required = serializers.BooleanField()
    opinion_label = serializers.CharField()
    inputs = serializers.ListField(child=serializers.CharField())
    required_inputs = serializers.ListField(child=serializers.CharField())


class ApplicationDetailSerializer(ApplicationSerializer):
    """The application page: the owner sees its live content, everyone else the submitted version."""

    content = serializers.DictField(read_only=True, help_text="申报内容（快照）/ The content as a snapshot")
    is_owner = serializers.BooleanField(read_only=True)
    transitions = TransitionSerializer(many=True, read_only=True)

    class Meta(ApplicationSerializer.Meta):
        fields = ApplicationSerializer.Meta.fields + ["is_owner", "content", "transitions"]


class VersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApplicationVersion
        fields = ["number", "submitted_at"]


class VersionDetailSerializer(serializers.ModelSerializer):
    snapshot = serializers.DictField(read_only=True)
    eligibility = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta:
        model = ApplicationVersion
        fields = ["number", "submitted_at", "snapshot", "eligibility"]


class EligibilityResultSerializer(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    title = serializers.CharField()
    message = serializers.CharField()
    figure = serializers.CharField(allow_null=True)
    threshold = serializers.CharField(allow_null=True)
    blocks_submission = serializers.BooleanField()


class EvidenceSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Evidence
        fields = ["id", "kind", "kind_label", "title", "original_name", "content_type", "size", "sha256",
                  "uploaded_at"]


# ---- transitions --------------------------------------------------------------------------------


class TransitionInputSerializer(serializers.Serializer):
    expected_state = serializers.CharField(help_text="您看到的状态；已被他人改变时返回 409 / The state you saw; 409 if it changed")
    opinion = serializers.CharField(required=False, allow_blank=True, help_text="意见 / Opinion")
    rank = serializers.IntegerField(required=False, allow_null=True, help_text="推荐排序（recommend)/ Rank")
    document_number = serializers.CharField(required=False, allow_blank=True, help_text="批复文号（approve)")


class LogEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    transition = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    opinion = serializers.CharField()
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class TransitionResultSerializer(serializers.Serializer):
    log_entry = LogEntrySerializer()
    application = ApplicationSerializer()


# ---- provincial and national review -------------------------------------------------------------


class ProvincialReviewSerializer(serializers.ModelSerializer):
    decision_label = serializers.CharField(source="get_decision_display", read_only=True)
    reviewer = serializers.CharField(source="reviewer.__str__", read_only=True)

    class Meta:
        model = ProvincialReview
        fields = ["id", "version", "decision", "decision_label", "opinion", "reviewer", "created_at"]


class RankingSectionSerializer(serializers.Serializer):
    call = CallSerializer()
    locked = serializers.BooleanField()
    applications = ApplicationSerializer(many=True)


class RankingInputSerializer(serializers.Serializer):
    ranks = serializers.DictField(child=serializers.IntegerField(), help_text="{申报 id: 排序} / {application id: rank}")


class FormalReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = FormalReview
        fields = ["version", "checklist", "notes", "updated_at"]


class FormalReviewInputSerializer(serializers.Serializer):
    checklist = serializers.DictField(child=serializers.BooleanField(), required=False)
    notes = serializers.CharField(required=False, allow_blank=True)


# ---- expert review ------------------------------------------------------------------------------


class ExpertSerializer(serializers.Serializer):
    """An expert as national staff see them."""

    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")
    organisation = serializers.CharField(source="organisation.name", default="")
    home_province = serializers.CharField(source="expert_profile.home_province.name", default="")
    field = serializers.CharField(source="expert_profile.field", default="")


class PanelInputSerializer(serializers.Serializer):
    experts = serializers.ListField(child=serializers.IntegerField())


class AssignmentSerializer(serializers.ModelSerializer):
    """An assignment as national staff see it (names the expert)."""

    expert = ExpertSerializer()
    application_name = serializers.CharField(source="application.__str__", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ExpertAssignment
        fields = ["id", "application", "application_name", "expert", "status", "status_label", "deadline",
                  "conflict_reason", "assigned_at", "opened_at"]


class ManualAssignInputSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    expert = serializers.IntegerField()


class AutoAssignInputSerializer(serializers.Serializer):
    per_application = serializers.IntegerField(min_value=1, max_value=30)
    deadline = serializers.CharField(required=False, allow_blank=True, help_text="YYYY-MM-DD HH:MM")


class AutoAssignResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    shortages = serializers.DictField(child=serializers.IntegerField(), help_text="{申报 id: 缺少的专家数}")


class ScoreLineSerializer(serializers.Serializer):
    expert = ExpertSerializer()
    values = serializers.DictField(child=serializers.DecimalField(max_digits=6, decimal_places=2))
    total = serializers.DecimalField(max_digits=10, decimal_places=2)
    recommendation = serializers.CharField(source="score.recommendation")
    comment = serializers.CharField(source="score.comment")
    submitted_at = serializers.DateTimeField(source="score.submitted_at")


class AggregateSerializer(serializers.Serializer):
    application = ApplicationSerializer()
    count = serializers.IntegerField()
    min_scores = serializers.IntegerField()
    complete = serializers.BooleanField()
    mean = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    trimmed_mean = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    std_dev = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    spread = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    divergent = serializers.BooleanField()
    tally = serializers.DictField(child=serializers.IntegerField())


class AggregateDetailSerializer(AggregateSerializer):
    lines = ScoreLineSerializer(many=True)


class OwnAssignmentSerializer(serializers.ModelSerializer):
    """An expert's own assignment: the application and the deadline; never another expert."""

    application = ApplicationSerializer()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    score_submitted = serializers.SerializerMethodField()

    class Meta:
        model = ExpertAssignment
        fields = ["id", "application", "status", "status_label", "deadline", "opened_at", "score_submitted"]

    def get_score_submitted(self, obj) -> bool:
        score = getattr(obj, "score", None) if hasattr(obj, "score") else None
        return bool(score and score.submitted_at)


class ConflictInputSerializer(serializers.Serializer):
    reason = serializers.CharField()


class CriterionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    max_score = serializers.DecimalField(max_digits=6, decimal_places=2)


class OwnScoreSerializer(serializers.Serializer):
    criteria = CriterionSerializer(many=True)
    values = serializers.DictField(child=serializers.DecimalField(max_digits=6, decimal_places=2))
    recommendation = serializers.CharField(allow_blank=True)
    comment = serializers.CharField(allow_blank=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    locked = serializers.BooleanField()


class ScoreInputSerializer(serializers.Serializer):
    values = serializers.DictField(child=serializers.CharField(allow_blank=True, allow_null=True), required=False,
                                   help_text="{评分项 id: 得分} / {criterion id: value}")
    recommendation = serializers.ChoiceField(choices=Recommendation.choices, required=False, allow_blank=True)
    comment = serializers.CharField(required=False, allow_blank=True)
    final = serializers.BooleanField(default=False, help_text="true 提交并锁定；false 保存草稿 / submit and lock")


class PlanSerializer(serializers.Serializer):
    version = serializers.IntegerField(allow_null=True)
    snapshot = serializers.DictField()
    eligibility = serializers.ListField(child=serializers.DictField())


# ---- documents, exports, notifications ----------------------------------------------------------


class DocumentSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    content_type = serializers.CharField(read_only=True)

    class Meta:
        model = Document
        fields = ["id", "kind", "kind_label", "format", "content_type", "status", "status_label", "error", "version",
                  "application", "call", "parameters", "stale", "size", "page_count", "created_at", "rendered_at"]


class DocumentOverviewSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    document = DocumentSerializer(allow_null=True)
    unavailable = serializers.CharField(allow_null=True)


class ExportInputSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=["xlsx", "csv"])
    filters = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False,
                                    help_text="列表页面的筛选条件，如 {\"state\": \"recommended\"} / The page's filters")


class NotificationSerializer(serializers.ModelSerializer):
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "subject", "body", "url", "created_at", "read_at", "read"]

    def get_read(self, obj) -> bool:
        return obj.read_at is not None


class CountSerializer(serializers.Serializer):
    updated = serializers.IntegerField()


# ---- zones after 批复 ---------------------------------------------------------------------------


class ZoneSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    province_name = serializers.CharField(source="province.name", read_only=True)
    province_code = serializers.CharField(source="province.code", read_only=True)
    applicant_name = serializers.CharField(source="applicant.name", read_only=True)

    class Meta:
        model = Zone
        fields = ["id", "name", "application", "applicant", "applicant_name", "province_name", "province_code", "city",
                  "industry", "approval_number", "start_on", "end_on", "state", "state_label", "state_changed_at"]


class TargetCellSerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    figure = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)


class ZoneRowSerializer(serializers.Serializer):
    """One row of the zones table (zones:index): the zone against the guide's targets (confirmed figures)."""

    zone = ZoneSerializer()
    construction_year = serializers.IntegerField()
    latest_year = serializers.IntegerField(allow_null=True, help_text="最近确认年度 / Latest confirmed year")
    cells = serializers.DictField(child=TargetCellSerializer(),
                                  help_text="patented_sales_share, rd_share, gross_output, industry_patents")
    overdue_reports = serializers.IntegerField()
    overdue_indicators = serializers.IntegerField()
    open_rectifications = serializers.IntegerField()


class ZoneTargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = ZoneTarget
        fields = ["year", "milestones", "output_target", "patented_sales_target", "rd_target", "patents_target"]


class ZoneDetailSerializer(ZoneSerializer):
    targets = ZoneTargetSerializer(many=True, read_only=True)
    construction_year = serializers.IntegerField(read_only=True)
    overdue_reports = serializers.IntegerField(read_only=True)
    overdue_indicators = serializers.IntegerField(read_only=True)
    open_rectifications = serializers.IntegerField(read_only=True)
    transitions = TransitionSerializer(many=True, read_only=True)

    class Meta(ZoneSerializer.Meta):
        fields = ZoneSerializer.Meta.fields + ["scope", "lead_department", "contact_name", "contact_phone",
                                               "contact_email", "construction_year", "targets", "overdue_reports",
                                               "overdue_indicators", "open_rectifications", "transitions"]


class ReportSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = QuarterlyReport
        fields = ["id", "year", "quarter", "period_start", "period_end", "due_on", "state", "state_label", "overdue",
                  "current_version", "submitted_at", "state_changed_at"]


class ReportDetailSerializer(ReportSerializer):
    content = serializers.DictField(read_only=True, help_text="建设主体看到草稿，其他人看到最近报送的版本 / "
                                                               "The owner sees its draft, others the last version")
    is_owner = serializers.BooleanField(read_only=True)
    transitions = TransitionSerializer(many=True, read_only=True)

    class Meta(ReportSerializer.Meta):
        fields = ReportSerializer.Meta.fields + ["is_owner", "content", "transitions"]


class ZoneFileSerializer(serializers.ModelSerializer):
    purpose_label = serializers.CharField(source="get_purpose_display", read_only=True)

    class Meta:
        model = ZoneFile
        fields = ["id", "purpose", "purpose_label", "title", "institution", "original_name", "content_type", "size",
                  "sha256", "uploaded_at"]


class ReportVersionSerializer(serializers.ModelSerializer):
    snapshot = serializers.DictField(read_only=True)
    attachments = ZoneFileSerializer(many=True, read_only=True)

    class Meta:
        model = ReportVersion
        fields = ["number", "submitted_at", "snapshot", "attachments"]


class ZoneLogEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    transition = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    opinion = serializers.CharField()
    created_at = serializers.DateTimeField()


class ZoneTransitionResultSerializer(serializers.Serializer):
    log_entry = ZoneLogEntrySerializer()
    state = serializers.CharField()
    state_label = serializers.CharField()


class ZoneTransitionInputSerializer(serializers.Serializer):
    expected_state = serializers.CharField(help_text="您看到的状态；已被他人改变时返回 409 / The state you saw; 409 if it changed")
    opinion = serializers.CharField(required=False, allow_blank=True, help_text="意见 / Opinion")
    document_number = serializers.CharField(required=False, allow_blank=True, help_text="验收意见文号 / Number")
    rectify_by = serializers.DateField(required=False, allow_null=True, help_text="整改期限 / Deadline (YYYY-MM-DD)")


class IndicatorSerializer(serializers.Serializer):
    """One year's core indicators with the guide's two ratios (exact, shown at two decimals); the figures
    are null where they do not count for you (national staff: until the province confirmed them)."""

    year = serializers.IntegerField()
    due_on = serializers.DateField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    overdue = serializers.BooleanField()
    counted = serializers.BooleanField()
    figures = serializers.DictField(child=serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True))
    patented_sales_share = serializers.DecimalField(max_digits=30, decimal_places=2, allow_null=True)
    patented_sales_met = serializers.BooleanField(allow_null=True, help_text="≥ 85%")
    rd_share = serializers.DecimalField(max_digits=30, decimal_places=2, allow_null=True)
    rd_met = serializers.BooleanField(allow_null=True, help_text="> 5%")


class FigureRowSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    value = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    growth = serializers.DecimalField(max_digits=30, decimal_places=2, allow_null=True,
                                      help_text="较上年增长（%）/ Growth on the previous year (%)")
    target = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    percent_of_target = serializers.DecimalField(max_digits=30, decimal_places=2, allow_null=True)
    target_met = serializers.BooleanField(allow_null=True)


class IndicatorDetailSerializer(IndicatorSerializer):
    rows = FigureRowSerializer(many=True)
    evidence = ZoneFileSerializer(many=True)
    transitions = TransitionSerializer(many=True)


class RectificationSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    transitions = TransitionSerializer(many=True, read_only=True)

    class Meta:
        model = Rectification
        fields = ["id", "requirement", "deadline", "state", "state_label", "response", "state_changed_at",
                  "transitions"]


class InspectionSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="recorded_by_organisation.name", default="", read_only=True)
    rectification = serializers.SerializerMethodField()

    class Meta:
        model = Inspection
        fields = ["id", "inspected_on", "inspectors", "findings", "organisation", "created_at", "rectification"]

    @extend_schema_field(RectificationSerializer(allow_null=True))
    def get_rectification(self, obj):
        rect = getattr(obj, "rectification", None) if hasattr(obj, "rectification") else None
        if rect is None:
            return None
        rect.transitions = getattr(rect, "transitions", [])
        return RectificationSerializer(rect).data


class InspectionInputSerializer(serializers.Serializer):
    inspected_on = serializers.DateField()
    inspectors = serializers.CharField()
    findings = serializers.CharField()
    requirement = serializers.CharField(required=False, allow_blank=True, help_text="整改要求（如需整改）")
    deadline = serializers.DateField(required=False, allow_null=True, help_text="整改期限 / Deadline")


class AcceptanceRoundSerializer(serializers.ModelSerializer):
    decision_label = serializers.CharField(source="get_decision_display", read_only=True)

    class Meta:
        model = AcceptanceRound
        fields = ["number", "applied_at", "decision", "decision_label", "opinion", "document_number", "rectify_by",
                  "decided_at"]


class AcceptanceSerializer(serializers.Serializer):
    state = serializers.CharField()
    state_label = serializers.CharField()
    rounds = AcceptanceRoundSerializer(many=True)
    transitions = TransitionSerializer(many=True)
