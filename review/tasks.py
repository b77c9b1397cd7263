"""Periodic tasks of the review pipeline (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import reminders


@shared_task
def send_deadline_reminders():
    """Remind provinces and experts three days before their deadlines; safe to run repeatedly."""
    return reminders.send_deadline_reminders()
