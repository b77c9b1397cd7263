"""Periodic tasks of the zones (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import reminders


@shared_task
def send_zone_reminders():
    """Quarterly reports, annual indicators and rectifications due soon or overdue; safe to repeat."""
    return reminders.remind()
