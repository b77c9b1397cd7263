"""The worker side of documents: `render()` builds one queued document from its sources now and stores
the file; `fail()` records why a document could not be produced. Called by documents.tasks (and directly
by the demo seed). Official documents are issued in Chinese only, so rendering always runs under the
zh-hans locale."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import override

from .contexts import context_for
from .dossier import render_dossier
from .engine import RenderError, page_count, render_pdf
from .enums import DocumentKind as K
from .enums import DocumentStatus as St
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


def _fail(document, reason) -> Document:
    Document.objects.filter(pk=document.pk).update(status=St.FAILED, error=str(reason)[:2000],
                                                   updated_at=timezone.now())
    document.refresh_from_db()
    return document


def fail(document_id, reason) -> None:
    """Called by the task once retries are exhausted or on an unexpected error."""
    Document.objects.filter(pk=document_id).update(status=St.FAILED, error=str(reason)[:2000],
                                                   updated_at=timezone.now())
