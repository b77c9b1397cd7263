"""Reads of a user's own inbox."""

from .models import Notification


def inbox(user):
    return Notification.objects.filter(recipient=user)


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
