from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    APPLICATION_FORM = "application_form", _("申报书")
    COMMITMENT = "commitment", _("实验区建设承诺书")
    PROVINCIAL_OPINION = "provincial_opinion", _("省局审核意见(推荐函)")
    SCORE_SUMMARY = "score_summary", _("专家评分汇总表")
    APPROVAL = "approval", _("批复")
    DOSSIER = "dossier", _("申报材料汇编")
    ACCEPTANCE_OPINION = "acceptance_opinion", _("验收意见")
    # Exports of the lists a user sees (documents.exports); the file belongs to whoever asked for it.
    PROVINCIAL_QUEUE = "provincial_queue", _("省局申报列表")
    NATIONAL_LIST = "national_list", _("推荐申报列表")
    DISTRIBUTION = "distribution", _("实验区全国分布情况")
    EXPERT_RANKING = "expert_ranking", _("专家评分排名")
    EXPERT_SCORES = "expert_scores", _("专家评分汇总表(表格)")
    ZONES = "zones", _("实验区建设情况")
    ZONE_INDICATORS = "zone_indicators", _("实验区核心指标年度统计")
    ZONE_REPORTS = "zone_reports", _("实验区季度进展报告")
    # Watermarked drafts from the applicant's live data, to print, sign, seal and scan before submitting;
    # kinds of their own so that a draft is never taken for a submitted version's document.
    DRAFT_APPLICATION_FORM = "draft_application_form", _("申报书(草稿)")
    DRAFT_COMMITMENT = "draft_commitment", _("实验区建设承诺书(草稿)")


DRAFT_KINDS = frozenset({DocumentKind.DRAFT_APPLICATION_FORM, DocumentKind.DRAFT_COMMITMENT})


class DocumentStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RENDERING = "rendering", _("正在生成")
    READY = "ready", _("已生成")
    FAILED = "failed", _("生成失败")


class DocumentFormat(models.TextChoices):
    """A document's file format; the value is also its file extension."""

    PDF = "pdf", "PDF"
    XLSX = "xlsx", "XLSX"
    CSV = "csv", "CSV"


CONTENT_TYPES = {
    DocumentFormat.PDF: "application/pdf",
    DocumentFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    DocumentFormat.CSV: "text/csv; charset=utf-8",
}
