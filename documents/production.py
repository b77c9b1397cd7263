"""The worker side of documents: `render()` builds one queued document from its sources now and stores
the file; `fail()` records why a document could not be produced. Called by documents.tasks (and directly
by the demo seed). Official documents are issued in Chinese only, so rendering always runs under the
zh-hans locale."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from spreadsheets.writers import Sheet, csv_bytes, xlsx_bytes

from .contexts import context_for
from .dossier import render_dossier
from .engine import RenderError, page_count, render_pdf
from .enums import DocumentFormat
from .enums import DocumentKind as K
from .enums import DocumentStatus as St
from .exports import EXPORTS, ExportUnavailable
from .models import Document
from .sources import SPECS, Unavailable, content_hash


def render(document_id: int) -> Document:
    """Render one document now and store the file. Transient errors propagate (the task retries);
    anything the user can act on ends as status failed with its reason."""
    document = Document.objects.select_related("application__applicant", "application__province", "call").get(
        pk=document_id)
    if document.status == St.READY and document.file:
        return document  # a redelivered task: already done
    Document.objects.filter(pk=document.pk).update(status=St.RENDERING, attempts=document.attempts + 1,
                                                   updated_at=timezone.now())
    if document.kind in EXPORTS:
        return _render_export(document)
    spec = SPECS[document.kind]
    subject = document.call if spec.call_level else document.application
    try:
        with override("zh-hans"):
            data = spec.build(subject)
            pdf = render_dossier(document.application, data) if document.kind == K.DOSSIER else render_pdf(
                spec.template, context_for(document.kind, data, subject))
    except (Unavailable, RenderError) as exc:
        return _fail(document, str(exc))
    pages = page_count(pdf)
    document.file.save(f"document.{document.extension}", ContentFile(pdf), save=False)
    document.status, document.error, document.stale = St.READY, "", False
    document.content_hash = content_hash(document.kind, data)
    document.page_count, document.size, document.rendered_at = pages, len(pdf), timezone.now()
    document.attempts += 1
    document.save()
    return document


def spreadsheet(data: dict, fmt: str) -> bytes:
    """An export's source data as the file of its format (CSV holds the first table)."""
    sheets = [Sheet(title=s["title"], header=s["header"], rows=s["rows"], caption=data.get("caption", "") if i == 0
                    else "") for i, s in enumerate(data["sheets"])]
    if fmt == DocumentFormat.CSV:
        return csv_bytes(Sheet(title=sheets[0].title, header=sheets[0].header, rows=sheets[0].rows))
    return xlsx_bytes(sheets)


def _render_export(document) -> Document:
    """Spreadsheet branch: the list built again as its requester sees it, in the language it was asked in."""
    parameters = document.parameters or {}
    spec = EXPORTS[document.kind]
    user = document.requested_by
    if user is None or not user.has_perm(spec.permission):
        return _fail(document, _("申请人已无权查看该列表。"))
    try:
        with override(parameters.get("language") or "zh-hans"):
            data = spec.build(user, parameters)
            content = spreadsheet(data, document.format)
    except ExportUnavailable as exc:
        return _fail(document, str(exc))
    document.file.save(f"export.{document.extension}", ContentFile(content), save=False)
    document.status, document.error, document.stale = St.READY, "", False
    document.content_hash = content_hash(f"{document.kind}.{document.format}", {"parameters": parameters, "data": data})
    document.size, document.rendered_at = len(content), timezone.now()
    document.attempts += 1
    document.save()
    return document


def _fail(document, reason) -> Document:
    Document.objects.filter(pk=document.pk).update(status=St.FAILED, error=str(reason)[:2000],
                                                   updated_at=timezone.now())
    document.refresh_from_db()
    return document


def fail(document_id, reason) -> None:
    """Called by the task once retries are exhausted or on an unexpected error."""
    Document.objects.filter(pk=document_id).update(status=St.FAILED, error=str(reason)[:2000],
                                                   updated_at=timezone.now())
