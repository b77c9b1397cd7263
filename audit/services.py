"""The one door of the audit trail: `record(action, ...)`.

Call it from services (after the change, inside the same transaction, so a rolled-back change leaves
no record of success) and from the authentication layer. Call it LAST in a transaction, after the
service's own row locks: appending takes the chain's lock until the transaction ends (audit.chain).
A refusal is recorded after the refused change rolled back (`refusals_recorded`).

Actions are dotted names, e.g. "application.transition", "assignment.withdraw", "document.download",
"auth.login_failed"; docs/security.md lists them. Records name objects (type, id, text) and never
copy business content (opinions, scores, comments) into details.
"""

from __future__ import annotations

import ipaddress
import json
from contextlib import contextmanager

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from workflow.errors import Refused

from . import chain
from .client import client_address
from .context import current_request
from .models import AuditRecord, Result

SUCCESS, REFUSED = Result.SUCCESS, Result.REFUSED


def _normalised_address(address) -> str | None:
    """The address as PostgreSQL's inet gives it back (the seal covers the stored value)."""
    try:
        return str(ipaddress.ip_address(str(address).strip())) if address else None
    except ValueError:
        return None


def _text(value, limit: int | None = None) -> str:
    text = str(value or "").replace("\x00", "")
    return text[:limit] if limit else text


def _json_safe(details) -> dict:
    """Details exactly as the JSON column will return them (dates and decimals as text, no NUL)."""
    if not details:
        return {}
    encoded = json.dumps(details, cls=DjangoJSONEncoder, ensure_ascii=False).replace("\\u0000", "")
    return json.loads(encoded)


def _object_text(obj) -> str:
    """How the object calls itself; nothing for Django's placeholder ("Model object (1)"), which the
    type and id already say."""
    if obj is None or (isinstance(obj, models.Model) and type(obj).__str__ is models.Model.__str__):
        return ""
    return _text(obj, 200)


def record(action: str, *, actor=None, obj=None, result: str = SUCCESS, reason: str = "", details: dict | None = None,
           request=None) -> AuditRecord:
    """Write one audit record. The actor and client address default to the request being served."""
    request = request or current_request.get()
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None  # AnonymousUser
    is_model = isinstance(obj, models.Model)
    return chain.append({
        "actor": actor, "actor_username": _text(getattr(actor, "username", ""), 150),
        "actor_role": _text(getattr(actor, "role", ""), 16),
        "actor_organisation_id": getattr(actor, "organisation_id", None),
        "client_address": _normalised_address(client_address(request)), "action": _text(action, 64),
        "object_type": obj._meta.label_lower if is_model else "",
        "object_id": str(obj.pk) if is_model and obj.pk is not None else "",
        "object_repr": _object_text(obj), "result": result, "reason": _text(reason),
        "details": _json_safe(details),
    })


@contextmanager
def refusals_recorded(action: str, *, actor=None, obj=None, details: dict | None = None):
    """Record a refusal (workflow.errors.Refused) raised inside the block, then let it propagate.

    Wrap the service's transaction in it, so the record is written after the refused change rolled back:

        with refusals_recorded("assignment.create", actor=by, obj=application):
            with transaction.atomic():
                ...
    """
    try:
        yield
    except Refused as refusal:
        record(action, actor=actor, obj=obj, result=REFUSED, reason=refusal.message, details=details)
        raise
