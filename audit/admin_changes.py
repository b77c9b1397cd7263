"""Administrator changes made in the admin site, recorded in the audit trail.

`audited(admin_class)` gives a ModelAdmin class the recording; the portal's admin site applies it to
every model it registers (portal.admin_site), so no admin page can change data unrecorded. Each
addition, change and deletion is one record ("admin.add", "admin.change", "admin.delete") written in
the admin's own transaction, with the changed field names (never their values).
"""

from __future__ import annotations

from .services import record


def _message_fields(message) -> list:
    """The admin's change message as data (a list of {"added"|"changed"|"deleted": {...}})."""
    return message if isinstance(message, list) else ([{"text": str(message)}] if message else [])


class AuditedAdminMixin:
    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        record("admin.add", actor=request.user, obj=obj, request=request, details={"changes": _message_fields(message)})
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        record("admin.change", actor=request.user, obj=obj, request=request,
               details={"changes": _message_fields(message)})
        return entry

    def log_deletions(self, request, queryset):
        entries = super().log_deletions(request, queryset)
        for obj in queryset:
            record("admin.delete", actor=request.user, obj=obj, request=request)
        return entries


def audited(admin_class):
    """`admin_class` with its additions, changes and deletions recorded (idempotent)."""
    if issubclass(admin_class, AuditedAdminMixin):
        return admin_class
    return type(admin_class.__name__, (AuditedAdminMixin, admin_class), {"__module__": admin_class.__module__})
