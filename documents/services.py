"""The request side of documents: asking for a document (reads its sources, compares the content hash
with the newest rendering and queues `tasks.render_document` through the outbox only when something
changed; the rendering is a row written with the Document, published once the transaction commits),
the current rendering of a document, why a document cannot exist yet, the per-application overview, and
marking documents stale when their sources change. Nothing here renders a PDF."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role
from audit.services import record
from notifications.models import SentReminder
from notifications.services import Message, notify
from outbox.services import enqueue, pending_for
from review.enums import ProvincialDecision
from review.models import Approval, ProvincialReview
from workflow.errors import Refused
from zones.models import AcceptanceRound

from .enums import DRAFT_KINDS, DocumentFormat
from .enums import DocumentKind as K
from .enums import DocumentStatus as St
from .exports import EXPORTS, ExportUnavailable
from .models import Document
from .sources import APPLICATION_KINDS, SPECS, content_hash

RENDER_TASK = "documents.tasks.render_document"


class ExportRefused(Refused):
    """An export was refused (no permission for the list, unknown format, unknown call)."""


def _subject(kind, application, call):
    spec = SPECS[kind]
    if spec.call_level:
        return None, call
    return application, None


def current(kind, *, application=None, call=None) -> Document | None:
    application, call = _subject(kind, application, call)
    return Document.objects.filter(kind=kind, application=application, call=call).order_by("-version").first()


def availability(application) -> dict:
    """Why each document cannot exist yet (None when it can), without building its data."""
    no_version = _("该申报尚未报送,还没有可生成文书的申报版本。") if not application.current_version else None
    recommended = ProvincialReview.objects.filter(application=application,
                                                  decision=ProvincialDecision.RECOMMEND).exists()
    approved = Approval.objects.filter(application=application).exists()
    submitted = _("申报已报送,草稿不再提供;请使用报送版本的文书。") if not application.is_editable else None
    return {
        K.APPLICATION_FORM: no_version, K.COMMITMENT: no_version, K.DOSSIER: no_version,
        K.PROVINCIAL_OPINION: None if recommended else _("省局尚未作出推荐意见。"),
        K.APPROVAL: None if approved else _("国家知识产权局尚未作出批复。"),
        K.ACCEPTANCE_OPINION: None if AcceptanceRound.objects.filter(zone__application=application).exclude(
            decision="").exists() else _("国家知识产权局尚未作出验收结论。"),
        K.DRAFT_APPLICATION_FORM: submitted, K.DRAFT_COMMITMENT: submitted,
    }


def kinds_for(user, application) -> list[str]:
    """The application's document kinds this user may ask for: drafts only for the applicant itself."""
    owner = user.has_perm("portal.own_application", application)
    kinds = [k for k in APPLICATION_KINDS if owner or k not in DRAFT_KINDS]
    # Before submission the drafts are what the applicant works with: listed first.
    return sorted(kinds, key=lambda k: k not in DRAFT_KINDS) if application.is_editable else kinds


def overview(application, user) -> list[dict]:
    """One row per application document this user may see: its kind, current rendering and why it is
    unavailable."""
    kinds = kinds_for(user, application)
    latest = {}
    for document in Document.objects.filter(application=application, kind__in=kinds).order_by("kind", "-version"):
        latest.setdefault(document.kind, document)
    reasons = availability(application)
    return [{"kind": kind, "label": K(kind).label, "document": latest.get(kind), "unavailable": reasons[kind]}
            for kind in kinds]


def request_document(kind, *, application=None, call=None, user=None) -> Document:
    """The current document for this source content, queueing a rendering only if the content changed
    (or the last attempt failed). Raises sources.Unavailable when the document cannot exist yet."""
    spec = SPECS[kind]
    application, call = _subject(kind, application, call)
    subject = call if spec.call_level else application
    data = spec.build(subject)
    digest = content_hash(kind, data)
    with transaction.atomic():
        # One lock per subject so that two clicks make one document.
        type(subject).objects.select_for_update().only("pk").get(pk=subject.pk)
        latest = Document.objects.filter(kind=kind, application=application, call=call).order_by("-version").first()
        if latest is not None and latest.content_hash == digest:
            if latest.status == St.FAILED:
                latest.status, latest.error, latest.requested_by = St.QUEUED, "", user
                latest.save(update_fields=["status", "error", "requested_by", "updated_at"])
                enqueue(RENDER_TASK, latest.pk)
            elif latest.stale:
                # Marked stale by a change that did not touch this document's content: nothing to render.
                latest.stale = False
                latest.save(update_fields=["stale", "updated_at"])
            return latest
        document = Document.objects.create(
            kind=kind, format=spec.format, application=application, call=call,
            version=(latest.version + 1) if latest else 1, application_version=data.get("version") or 0,
            content_hash=digest, requested_by=user,
        )
        enqueue(RENDER_TASK, document.pk)
    return document


def requeue_stuck(now=None) -> int:
    """Documents still queued or rendering DOCUMENT_REQUEUE_AFTER seconds after their last change, with
    no rendering pending in the outbox (a request from before the outbox, an intent that ended without
    rendering): queue the rendering again. A worker killed mid-render is not one of these: its intent is
    still pending and the broker's visibility timeout brings the message back. Run by the outbox sweep."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.DOCUMENT_REQUEUE_AFTER)
    requeued = 0
    for pk in Document.objects.filter(status__in=[St.QUEUED, St.RENDERING], updated_at__lt=cutoff).values_list(
            "pk", flat=True)[:200]:
        with transaction.atomic():
            document = Document.objects.select_for_update(skip_locked=True).filter(
                pk=pk, status__in=[St.QUEUED, St.RENDERING], updated_at__lt=cutoff).first()
            if document is None or pending_for(RENDER_TASK, pk):
                continue
            Document.objects.filter(pk=pk).update(updated_at=now)
            enqueue(RENDER_TASK, pk)
            requeued += 1
    return requeued


def mark_stale(*, application_id=None, call_id=None) -> int:
    """A source changed: flag the current documents; they are re-rendered when next asked for."""
    qs = Document.objects.filter(stale=False)
    if application_id is not None:
        qs = qs.filter(application_id=application_id)
    elif call_id is not None:
        qs = qs.filter(call_id=call_id)
    else:
        return 0
    return qs.update(stale=True, updated_at=timezone.now())


def open_for_download(document, user):
    """The rendered file of a ready document, opened for streaming; the download is audited."""
    handle = document.file.open("rb")
    record("document.download", actor=user, obj=document, details={
        "kind": document.kind, "version": document.version, "format": document.format})
    return handle


EXPORT_FORMATS = (DocumentFormat.XLSX, DocumentFormat.CSV)


def export_source(document) -> dict:
    """An export's source data, built again from its parameters as its requester sees the list now."""
    return EXPORTS[document.kind].build(document.requested_by, document.parameters)


def request_export(kind, fmt, user, params: dict) -> Document:
    """Export a list the user sees, with the page's filters, as XLSX or CSV: the user's current export
    for this content (same list, filters, format and rows), or a new one queued for the worker.

    Refused when the user may not see the list's page, for an unknown list or format, and when the
    parameters name nothing to export."""
    spec = EXPORTS.get(kind)
    if spec is None or fmt not in EXPORT_FORMATS:
        raise ExportRefused(_("不支持的导出类型。"), {"format": _("请选择 XLSX 或 CSV。")} if spec else {})
    if not user.is_authenticated or not user.has_perm(spec.permission):
        raise ExportRefused(_("您无权导出该列表。"))
    parameters = {**{k: v for k, v in params.items() if k in spec.params}, "language": get_language() or "zh-hans"}
    try:
        data = spec.build(user, parameters)
    except ExportUnavailable as exc:
        raise ExportRefused(str(exc), {"call": str(exc)})
    digest = content_hash(f"{kind}.{fmt}", {"parameters": parameters, "data": data})
    with transaction.atomic():
        # One lock per requester so that two clicks make one export.
        get_user_model().objects.select_for_update().only("pk").get(pk=user.pk)
        mine = Document.objects.filter(kind=kind, format=fmt, requested_by=user)
        same = mine.filter(content_hash=digest).exclude(status=St.FAILED).order_by("-version").first()
        if same is not None:
            return same
        latest = mine.order_by("-version").first()
        document = Document.objects.create(
            kind=kind, format=fmt, parameters=parameters, version=(latest.version + 1) if latest else 1,
            content_hash=digest, requested_by=user)
        enqueue(RENDER_TASK, document.pk)
    return document


def report_delays(documents) -> list[Document]:
    """The delayed ones among `documents` (Document.delayed: still queued long after the request,
    so no worker is taking them). The system administrators are told once per document; the request
    itself stays queued and is rendered as soon as a worker runs."""
    delayed = [d for d in documents if d is not None and d.delayed]
    for document in delayed:
        try:
            with transaction.atomic():
                SentReminder.objects.create(key=f"document-delayed:{document.pk}")
        except IntegrityError:
            continue  # already told
        admins = list(get_user_model().objects.filter(role=Role.ADMIN, is_active=True))
        waited = int((timezone.now() - document.updated_at).total_seconds() // 60)
        with override("zh-hans"):
            message = Message(
                _("文书生成延迟:%(kind)s(第%(version)s版)") % {"kind": document.get_kind_display(),
                                                            "version": document.version},
                _("该文书已排队 %(minutes)s 分钟仍未生成,后台任务可能未在运行。请检查 Celery worker(/healthz);"
                  "请求已保留,worker 恢复后将自动生成。") % {"minutes": max(waited, 1)})
        notify(admins, message, reverse("healthz"), document)
    return delayed
