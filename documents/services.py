"""The request side of documents: asking for a document (reads its sources, compares the content hash
with the newest rendering and queues `tasks.render_document` on commit only when something changed),
the current rendering of a document, why a document cannot exist yet, the per-application overview, and
marking documents stale when their sources change. Nothing here renders a PDF."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from accounts.enums import Role
from notifications.models import SentReminder
from notifications.services import Message, notify
from review.enums import ProvincialDecision
from review.models import Approval, ProvincialReview

from . import tasks
from .enums import DocumentKind as K
from .enums import DocumentStatus as St
from .models import Document
from .sources import APPLICATION_KINDS, SPECS, content_hash


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
    return {
        K.APPLICATION_FORM: no_version, K.COMMITMENT: None, K.DOSSIER: no_version,
        K.PROVINCIAL_OPINION: None if recommended else _("省局尚未作出推荐意见。"),
        K.APPROVAL: None if approved else _("国家知识产权局尚未作出批复。"),
    }


def overview(application) -> list[dict]:
    """One row per application document: its kind, current rendering and why it is unavailable."""
    latest = {}
    for document in Document.objects.filter(application=application).order_by("kind", "-version"):
        latest.setdefault(document.kind, document)
    reasons = availability(application)
    return [{"kind": kind, "label": K(kind).label, "document": latest.get(kind), "unavailable": reasons[kind]}
            for kind in APPLICATION_KINDS]


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
                transaction.on_commit(lambda: tasks.render_document.delay(latest.pk))
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
        transaction.on_commit(lambda: tasks.render_document.delay(document.pk))
    return document


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
