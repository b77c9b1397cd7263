"""Turning an application's content (a version snapshot, or the live data in the same shape)
into labelled rows for the read-only pages."""

from __future__ import annotations

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import eligibility
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


# A submitted version never changes, so what its content and eligibility look like is the same for
# everyone who may see the application (the page checks that before asking): rendered once per
# version and language, kept a day. Only pages shown to reviewers use it; the owner's page shows the
# live data and is rendered every time.
VERSION_FRAGMENTS_SECONDS = 24 * 3600


def version_fragments(application, version) -> dict:
    """{"content": html, "eligibility": html} of a submitted version, as the application page shows
    them to a reviewer. Keyed by the version's row and the language only: never by a user, because
    nothing in them depends on one (no form, no token, no link that only some may follow)."""
    key = f"application-version-fragments:{version.pk}:{get_language()}"
    fragments = cache.get(key)
    if fragments is None:
        snapshot = version.snapshot
        context = {"application": application, **content_context(snapshot),
                   "results": eligibility.evaluate(eligibility.data_from_snapshot(snapshot))}
        fragments = {"content": render_to_string("applications/_content.html", context),
                     "eligibility": render_to_string("applications/_eligibility.html", context)}
        cache.set(key, fragments, VERSION_FRAGMENTS_SECONDS)
    return fragments
