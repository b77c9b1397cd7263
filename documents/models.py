"""Generated documents (PDF today; XLSX and CSV exports can take the same path). One row per rendering;
the newest row of a (kind, subject) is current, older rows and their files stay readable."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import Application, Call
from typography import fullwidth

from .enums import CONTENT_TYPES, DocumentFormat, DocumentKind, DocumentStatus

# Exports have no application or call: they belong to the user who asked (requested_by).
EXPORT_KIND_VALUES = ["provincial_queue", "national_list", "distribution", "expert_ranking", "expert_scores", "zones",
                      "zone_indicators", "zone_reports"]


def document_path(instance, filename):
    """An unguessable name with the extension of the document's format; files are streamed only after a
    permission check."""
    return f"documents/{timezone.now():%Y/%m}/{secrets.token_urlsafe(24)}.{instance.extension}"


class Document(models.Model):
    kind = models.CharField(_("文书类型"), max_length=32, choices=DocumentKind.choices)
    format = models.CharField(_("文件格式"), max_length=8, choices=DocumentFormat.choices,
                              default=DocumentFormat.PDF)
    application = models.ForeignKey(
        Application, verbose_name=_("申报"), null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    # Only the call-level 专家评分汇总表 has a call instead of an application.
    call = models.ForeignKey(Call, verbose_name=_("申报批次"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="documents")
    # An export's list and filters as the page had them ({"state": "recommended", "language": "zh-hans"});
    # empty for official documents.
    parameters = models.JSONField(_("导出条件"), default=dict, blank=True)
    version = models.PositiveIntegerField(_("文书版本"), default=1)
    application_version = models.PositiveIntegerField(_("依据的申报版本"), default=0)
    status = models.CharField(_("状态"), max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.QUEUED)
    error = models.TextField(_("失败原因"), blank=True)
    content_hash = models.CharField(_("内容摘要"), max_length=64)
    stale = models.BooleanField(_("内容已更新"), default=False)
    file = models.FileField(_("文件"), upload_to=document_path, blank=True)
    page_count = models.PositiveIntegerField(_("页数"), null=True, blank=True)
    size = models.PositiveBigIntegerField(_("大小"), null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    rendered_at = models.DateTimeField(_("生成时间"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "-version"]
        verbose_name = _("文书")
        verbose_name_plural = _("文书")
        constraints = [
            models.UniqueConstraint(fields=["kind", "application", "version"], condition=models.Q(call__isnull=True),
                                    name="one_document_version_per_application"),
            models.UniqueConstraint(fields=["kind", "call", "version"], condition=models.Q(application__isnull=True),
                                    name="one_document_version_per_call"),
            models.CheckConstraint(
                condition=(models.Q(kind="score_summary", call__isnull=False, application__isnull=True)
                           | (models.Q(kind__in=EXPORT_KIND_VALUES) & models.Q(application__isnull=True, call__isnull=True))
                           | (~models.Q(kind="score_summary") & ~models.Q(kind__in=EXPORT_KIND_VALUES)
                              & models.Q(application__isnull=False, call__isnull=True))),
                name="document_subject_matches_kind"),
        ]
        indexes = [models.Index(fields=["application", "kind"]), models.Index(fields=["call", "kind"])]

    def __str__(self):
        return f"{self.get_kind_display()} v{self.version}"

    @property
    def in_progress(self):
        return self.status in {DocumentStatus.QUEUED, DocumentStatus.RENDERING}

    @property
    def delayed(self):
        """Still queued or rendering long after it was asked for: no worker took it (see
        documents.services.report_delays). The request stays; the page says so."""
        limit = timedelta(seconds=settings.DOCUMENT_DELAY_SECONDS)
        return self.in_progress and self.updated_at is not None and timezone.now() - self.updated_at > limit

    @property
    def extension(self):
        return DocumentFormat(self.format).value

    @property
    def content_type(self):
        return CONTENT_TYPES[self.format]

    @property
    def is_export(self):
        return self.kind in EXPORT_KIND_VALUES

    @property
    def filename(self):
        """The zone's name and the document's, without saying a shared word twice (…实验区 + 实验区建设承诺书
        is …实验区建设承诺书)."""
        if self.is_export:
            stamp = timezone.localtime(self.created_at).strftime("%Y%m%d-%H%M") if self.created_at else ""
            return f"{self.get_kind_display()}-{stamp}.{self.extension}"
        subject = self.application.zone_name if self.application_id and self.application.zone_name else ""
        label = str(self.get_kind_display())
        overlap = next((n for n in range(min(len(subject), len(label)), 0, -1) if subject.endswith(label[:n])), 0)
        return fullwidth(f"{subject}{label[overlap:]}-v{self.version}.{self.extension}")
