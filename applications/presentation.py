"""Turning an application's content (a version snapshot, or the live data in the same shape)
into labelled rows for the read-only pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .enums import EvidenceKind, PolicyStatus
from .models import Application
from .sections import SECTIONS


def _display(field, value):
    if value is None or value == "":
        return None
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return value


def content_sections(snapshot: dict) -> list[dict]:
    """[{key, title, rows: [(label, value)]}] for the field sections of a snapshot."""
    out = []
    for section in SECTIONS:
        if not section.fields:
            continue
        rows = []
        for name in section.fields:
            field = Application._meta.get_field(name)
            rows.append((field.verbose_name, _display(field, snapshot.get(field.attname))))
        out.append({"key": section.key, "title": section.title, "rows": rows})
    return out


def policy_rows(snapshot: dict) -> list[dict]:
    labels = dict(PolicyStatus.choices)
    return [{**p, "index": i, "status_label": labels.get(p.get("status"), p.get("status"))}
            for i, p in enumerate(snapshot.get("policies", []))]


def evidence_rows(snapshot: dict) -> list[dict]:
    labels = dict(EvidenceKind.choices)
    return [{**e, "kind_label": labels.get(e.get("kind"), e.get("kind"))} for e in snapshot.get("evidence", [])]


def content_context(snapshot: dict) -> dict:
    return {
        "sections": content_sections(snapshot),
        "policies": policy_rows(snapshot),
        "plan_years": snapshot.get("plan_years", []),
        "funding": snapshot.get("funding", []),
        "evidence": evidence_rows(snapshot),
    }
