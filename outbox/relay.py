"""The relay: hands pending intents to Celery.

- `publish_committed(pk)` runs when the transaction that wrote an intent commits, and publishes it if
  the broker answers. If it does not, the error is logged and the row simply stays pending; the user's
  request has already succeeded.
- `sweep()` publishes every pending intent that is due: never published, or published long enough ago
  that its message may have been lost (the broker restarted without its data, a queue was purged). Each
  publication pushes the next one further out, so a worker that is merely down does not pile up
  duplicates. Before that, the sweepers registered by higher apps run (documents re-queues documents
  stuck in queued or rendering). Celery beat runs the sweep (outbox.tasks.sweep), every worker runs it
  when it starts, and `manage.py relay_outbox --loop` runs it from the database alone.

Every message of an intent carries its key as the Celery task id, and outbox.tasks.IntentTask skips an
intent already done, so a duplicate publication is harmless.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable
from datetime import timedelta

import redis
from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Intent

logger = logging.getLogger(__name__)

_sweepers: list[Callable[[], object]] = []
# After a failed publication, further attempts in this process wait this long (a request must not
# spend its time knocking at a broker that just refused).
_broker_down_until = 0.0


def register_sweeper(sweeper: Callable[[], object]) -> None:
    """A higher app's periodic repair (e.g. re-queue stuck documents); run at the start of each sweep."""
    if sweeper not in _sweepers:
        _sweepers.append(sweeper)


def broker_backoff_active() -> bool:
    return time.monotonic() < _broker_down_until


def reset_broker_backoff() -> None:
    global _broker_down_until
    _broker_down_until = 0.0


def _next_publication(publications: int):
    base = settings.OUTBOX_REPUBLISH_AFTER
    return timezone.now() + timedelta(seconds=base * 2 ** min(publications, 6))


def _task(name):
    """The registered task; its module is imported first (a web process registers tasks as it imports
    them, the worker all of them at start)."""
    if name not in current_app.tasks:
        try:
            importlib.import_module(name.rsplit(".", 1)[0])
        except ImportError:
            return None
    return current_app.tasks.get(name)


def _broker_answers() -> bool:
    """One quick look before publishing: kombu's own connection attempts to a broker that is down take
    seconds (its retries), which a request must not wait for."""
    url = current_app.conf.broker_url or ""
    if current_app.conf.task_always_eager or not url.startswith(("redis://", "rediss://")):
        return True
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def _broker_down(intent: Intent, reason: str) -> bool:
    global _broker_down_until
    _broker_down_until = time.monotonic() + settings.OUTBOX_BROKER_RETRY
    logger.warning("broker unavailable, outbox intent %s stays pending: %s", intent.pk, reason)
    Intent.objects.filter(pk=intent.pk).update(error=reason[:2000])
    return False


def _publish(intent: Intent) -> bool:
    """Publish one intent; False when the broker did not take it."""
    if broker_backoff_active():
        return False
    if not _broker_answers():
        return _broker_down(intent, "broker did not answer")
    task = _task(intent.task)
    if task is None:
        logger.error("outbox intent %s names an unknown task %s", intent.pk, intent.task)
        Intent.objects.filter(pk=intent.pk).update(error=f"unknown task {intent.task}"[:2000])
        return False
    eager = bool(current_app.conf.task_always_eager)
    try:
        # retry=False: one attempt; the sweep is the retry.
        task.apply_async(args=intent.args, task_id=intent.key, retry=False, ignore_result=True)
    except Exception as exc:  # the broker refused or is unreachable; or, in-process, the task raised
        if not eager:
            return _broker_down(intent, f"{type(exc).__name__}: {exc}")
        logger.exception("in-process task for outbox intent %s failed", intent.pk)
    Intent.objects.filter(pk=intent.pk).update(
        published_at=timezone.now(), publications=F("publications") + 1,
        publish_after=_next_publication(intent.publications))
    return True


def publish_committed(pk: int) -> bool:
    """Called on commit for a freshly written intent."""
    intent = Intent.objects.filter(pk=pk, done_at__isnull=True, publications=0).first()
    return _publish(intent) if intent is not None else False


def sweep(limit: int = 500) -> dict:
    """Run the registered sweepers, then publish what is due. Safe to run concurrently: rows being
    published by another sweep are skipped (SKIP LOCKED)."""
    repaired = 0
    for sweeper in list(_sweepers):
        try:
            repaired += int(sweeper() or 0)
        except Exception:
            logger.exception("outbox sweeper %r failed", sweeper)
    published = due = 0
    with transaction.atomic():
        rows = list(Intent.objects.select_for_update(skip_locked=True)
                    .filter(done_at__isnull=True, publish_after__lte=timezone.now())
                    .order_by("publish_after", "pk")[:limit])
        due = len(rows)
        for intent in rows:
            if not _publish(intent):
                if broker_backoff_active():
                    break
                continue
            published += 1
    return {"repaired": repaired, "due": due, "published": published}
