"""What the API returns and accepts. Output serializers read what the query functions already
joined; input serializers only describe the body for the schema: the values are validated by the
pages' own forms (the same messages at the same inputs) and applied by the same services."""

from __future__ import annotations

from rest_framework import serializers

from applications.models import Application, ApplicationVersion, Call, Evidence
from documents.models import Document
from notifications.models import Notification
from review.enums import Recommendation
from review.models import ExpertAssignment, FormalReview, ProvincialReview

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
