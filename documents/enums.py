from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    APPLICATION_FORM = "application_form", _("申报书")
    COMMITMENT = "commitment", _("实验区建设承诺书")
    PROVINCIAL_OPINION = "provincial_opinion", _("省局审核意见(推荐函)")
    SCORE_SUMMARY = "score_summary", _("专家评分汇总表")
    APPROVAL = "approval", _("批复")
    DOSSIER = "dossier", _("申报材料汇编")
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
