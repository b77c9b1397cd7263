"""Periodic check of stored uploads (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

import logging

from celery import shared_task

from . import stored_files

logger = logging.getLogger(__name__)


@shared_task
def verify_stored_files():
    """Every stored upload against the SHA-256 recorded at upload; each mismatch or missing file is
    recorded in the audit trail ("file.integrity_failed") and logged."""
    result = stored_files.verify_all()
    for failure in result["failed"]:
        logger.error("stored file failed its integrity check: %s", failure)
    return result
