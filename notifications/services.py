"""The one door for telling people something: `notify()` writes inbox rows and queues the e-mail.

The e-mail is an outbox intent written in the same transaction as the inbox rows (and as the caller's
change, when the caller is inside one): it is sent once the transaction commits and the broker answers,
or later by the outbox sweep; never lost, and never a reason for the caller's request to fail.

Callers compose their own message (what happened, to whom, where to look); this app knows nothing
of the pipeline that calls it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from outbox.services import enqueue

from .messages import Message
from .models import Notification
from .queries import forget_unread

EMAIL_TASK = "notifications.tasks.email_notifications"

__all__ = ["Message", "mark_all_read", "mark_read", "notify"]


def notify(recipients, message: Message, url: str = "", about=None) -> list[Notification]:
    """One inbox row per recipient, each e-mailed after the transaction commits. `about` is the
    object the message concerns (an application, later a zone), kept for reference."""
    about_type = ContentType.objects.get_for_model(about) if about is not None else None
    subject, body = message.rendered(settings.LANGUAGE_CODE)
    with transaction.atomic():
        rows = Notification.objects.bulk_create([
            Notification(recipient=user, subject=subject[:200], body=body, url=url, message_key=message.key,
                         params=message.params, about_type=about_type,
                         about_id=about.pk if about is not None else None)
            for user in recipients
        ])
        forget_unread(n.recipient_id for n in rows)
        ids = [n.pk for n in rows if n.recipient.email]
        if ids:
            enqueue(EMAIL_TASK, ids)
    return rows


def mark_read(user, pk) -> Notification:
    """The user's own notification, marked read; DoesNotExist for anyone else's."""
    note = Notification.objects.get(pk=pk, recipient=user)
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])  # the model's post_save drops the cached unread count
    return note


def mark_all_read(user) -> int:
    count = Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
    forget_unread([user.pk])
    return count
