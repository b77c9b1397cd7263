"""Periodic check of the audit chain (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

import logging

from celery import shared_task

from . import chain
from .services import REFUSED, SUCCESS, record

logger = logging.getLogger(__name__)


@shared_task
def verify_audit_chain():
    """Walk the chain; record the result (a break as refused, naming the record) and log the head, so
    that a copy of the head also lives outside the database (see manage.py verify_audit --expect)."""
    report = chain.verify()
    if report.intact:
        record("audit.verify", result=SUCCESS, details={
            "checked": report.checked, "head_sequence": report.head_sequence, "head_hash": report.head_hash})
        logger.info("audit chain intact: %s records, head %s:%s", report.checked, report.head_sequence,
                       report.head_hash)
        return {"intact": True, "checked": report.checked}
    broken = report.broken
    record("audit.verify", result=REFUSED, reason=broken.message, details={
        "kind": broken.kind, "sequence": getattr(broken.record, "sequence", None),
        "record_id": getattr(broken.record, "pk", None)})
    logger.error("audit chain BROKEN: %s", broken.message)
    return {"intact": False, "message": broken.message}
