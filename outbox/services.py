"""The one door for work to be done later: `enqueue()` writes an Intent in the caller's transaction and
asks the relay to publish it once that transaction commits. A request never talks to the broker before
its data is committed, and never fails because the broker is down: a row the relay could not publish
stays pending and the sweep publishes it later (outbox.relay)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from . import relay
from .models import Intent


def enqueue(task: str, *args) -> Intent:
    """Record that `task(*args)` must run (a registered Celery task name; JSON-able arguments)."""
    intent = Intent.objects.create(task=task, args=list(args), publish_after=timezone.now())
    transaction.on_commit(lambda: relay.publish_committed(intent.pk), robust=True)
    return intent


def pending_for(task: str, *args) -> bool:
    """Whether an intent for exactly this call is still waiting to be done."""
    return Intent.objects.filter(task=task, args=list(args), done_at__isnull=True).exists()
