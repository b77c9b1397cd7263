"""The one door of the audit trail: `record(action, ...)`.

Call it from services (after the change, inside the same transaction, so a rolled-back change leaves
no record of success) and from the authentication layer. Actions are dotted names, e.g.
"application.transition", "assignment.withdraw", "document.download", "auth.login_failed".
"""

from __future__ import annotations

from django.db import models

from .client import client_address
from .context import current_request
from .models import AuditRecord, Result

SUCCESS, REFUSED = Result.SUCCESS, Result.REFUSED


def record(action: str, *, actor=None, obj=None, result: str = SUCCESS, reason: str = "", details: dict | None = None,
           request=None) -> AuditRecord:
    """Write one audit record. The actor and client address default to the request being served."""
    request = request or current_request.get()
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    return AuditRecord.objects.create(
        actor=actor, actor_username=getattr(actor, "username", "") or "",
        actor_role=getattr(actor, "role", "") or "", actor_organisation_id=getattr(actor, "organisation_id", None),
        client_address=client_address(request), action=action,
        object_type=obj._meta.label_lower if isinstance(obj, models.Model) else "",
        object_id=str(obj.pk) if isinstance(obj, models.Model) and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "", result=result, reason=str(reason or ""),
        details=details or {},
    )
