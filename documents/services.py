"""The request side of documents: asking for a document (reads its sources, compares the content hash
with the newest rendering and queues `tasks.render_document` on commit only when something changed),
the current rendering of a document, why a document cannot exist yet, the per-application overview, and
marking documents stale when their sources change. Nothing here renders a PDF."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from review.enums import ProvincialDecision
from review.models import Approval, ProvincialReview

from . import tasks
from .enums import DRAFT_KINDS
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
    submitted = _("申报已报送,草稿不再提供;请使用报送版本的文书。") if not application.is_editable else None
    return {
        K.APPLICATION_FORM: no_version, K.COMMITMENT: no_version, K.DOSSIER: no_version,
        K.PROVINCIAL_OPINION: None if recommended else _("省局尚未作出推荐意见。"),
        K.APPROVAL: None if approved else _("国家知识产权局尚未作出批复。"),
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
