"""Reads of a user's own inbox.

The unread count is shown on every signed-in page, so it is kept in the cache per user and dropped by
every write that changes it (notifications.services: notify, mark_read, mark_all_read; the admin through
the model's signals), again once the transaction commits."""

from django.core.cache import cache
from django.db import transaction

from .models import Notification

CACHE_SECONDS = 300  # a backstop only


def _unread_key(user_id) -> str:
    return f"notifications:unread:v1:{user_id}"


def inbox(user):
    return Notification.objects.filter(recipient=user)


def unread_count(user) -> int:
    key = _unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        cache.set(key, count, CACHE_SECONDS)
    return count


def forget_unread(user_ids) -> None:
    keys = [_unread_key(pk) for pk in set(user_ids)]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))
