"""Thin Celery wrappers around documents.production (queued by documents.services through the outbox)."""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _

from outbox.tasks import IntentTask

from . import production
from .models import Document

logger = logging.getLogger(__name__)

# Database hiccups, storage and broker connection trouble: worth another try later.
TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


@shared_task(bind=True, base=IntentTask, acks_late=True, reject_on_worker_lost=True, autoretry_for=TRANSIENT, retry_backoff=2,
             retry_backoff_max=60, retry_jitter=True, max_retries=5)
def render_document(self, document_id: int):
    try:
        document = production.render(document_id)
    except TRANSIENT as exc:
        if self.request.retries >= self.max_retries:
            production.fail(document_id, _("多次尝试后仍无法生成:%(error)s") % {"error": exc})
        raise
    except Document.DoesNotExist:
        return None
    except Exception as exc:  # keep the reason on the page instead of a silent stuck "rendering"
        logger.exception("rendering document %s failed", document_id)
        production.fail(document_id, _("生成时发生内部错误(%(kind)s),请稍后重试或联系管理员。") % {
            "kind": type(exc).__name__})
        return None
    return document.status
