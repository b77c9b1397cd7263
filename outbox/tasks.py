"""The worker side of the outbox: the base class of tasks published through it (skip an intent already
done, mark it done or finally failed), the periodic sweep, and a sweep whenever a worker starts."""

from __future__ import annotations

import logging

from celery import Task, shared_task
from celery.signals import worker_ready
from django.utils import timezone

from . import relay
from .models import Intent, intent_id

logger = logging.getLogger(__name__)


class IntentTask(Task):
    """Base for every task queued through outbox.services.enqueue. The task id is the intent's key, so
    a duplicate (a second publication, a redelivery after the intent finished) does nothing. Tasks
    keep their own idempotence for a redelivery of an unfinished intent (e.g. a rendered document is
    not rendered again)."""

    def __call__(self, *args, **kwargs):
        pk = intent_id(self.request.id)
        if pk is not None and Intent.objects.filter(pk=pk, done_at__isnull=False).exists():
            logger.info("outbox intent %s already done; duplicate message ignored", pk)
            return None
        return super().__call__(*args, **kwargs)

    def on_success(self, retval, task_id, args, kwargs):
        _finish(task_id)

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Called once retries are exhausted (a retry goes through on_retry): the intent has ended.
        _finish(task_id, error=f"{type(exc).__name__}: {exc}")


def _finish(task_id, error: str = ""):
    pk = intent_id(task_id)
    if pk is not None:
        Intent.objects.filter(pk=pk, done_at__isnull=True).update(
            done_at=timezone.now(), failed=bool(error), error=error[:2000])


@shared_task(ignore_result=True)
def sweep():
    """Scheduled by Celery beat (settings.CELERY_BEAT_SCHEDULE, every OUTBOX_SWEEP_SECONDS)."""
    return relay.sweep()


@worker_ready.connect
def sweep_when_a_worker_starts(sender=None, **kwargs):
    """A worker coming back publishes what was left behind, even if beat is not running."""
    try:
        relay.sweep()
    except Exception:
        logger.exception("outbox sweep at worker start failed")
