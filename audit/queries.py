"""Reads of the audit trail for the 审计管理员 (portal.read_audit_trail)."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import AuditRecord


def records() -> QuerySet:
    """Every record, newest first, joined for display."""
    return AuditRecord.objects.select_related("actor_organisation").order_by("-sequence")


def actions() -> list[str]:
    return list(AuditRecord.objects.order_by("action").values_list("action", flat=True).distinct())


def object_types() -> list[str]:
    return list(AuditRecord.objects.exclude(object_type="").order_by("object_type")
                .values_list("object_type", flat=True).distinct())


def latest_verification() -> AuditRecord | None:
    """The most recent check of the chain (audit.tasks.verify_audit_chain)."""
    return AuditRecord.objects.filter(action="audit.verify").order_by("-sequence").first()
