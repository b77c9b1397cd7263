"""Letters shown before the step that issues them is taken (review.previews): the same template and
data as the issued letter, with the typed opinion and number, marked 草稿, as HTML for the confirmation
page. No PDF is rendered in the request (a browser shows the letter's HTML, with a screen stylesheet
that mimics the page, static/css/portal.css `.letter-preview`)."""

from __future__ import annotations

import re

from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import override

from .contexts import context_for
from .engine import render_html
from .enums import DocumentKind as K
from .sources import SPECS, acceptance_letter, approval_letter

_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL)
_DRAFT_MARK = re.compile(r'<div class="draft-mark">.*?</div>', re.DOTALL)


def _letter_html(kind, data) -> str:
    with override("zh-hans"):
        html = render_html(SPECS[kind].template, context_for(kind, data, None))
    match = _BODY.search(html)
    # On screen the watermark is the sheet's own (.letter-preview.draft::before): decoration, not text.
    body = _DRAFT_MARK.sub("", match.group(1)) if match else ""
    return mark_safe(body)  # noqa: S308 - our template's output, values escaped


def decision_letter(application, user, opinion, extra, *, approved: bool) -> str:
    version = application.versions.order_by("-number").first()
    if version is None:
        return ""
    data = approval_letter(application, version, approved=approved, text=opinion,
                           document_number=extra.get("document_number", ""),
                           date=timezone.localdate().isoformat())
    return _letter_html(K.APPROVAL, {**data, "draft": True})


def approve_preview(application, user, opinion, extra):
    return decision_letter(application, user, opinion, extra, approved=True)


def not_approve_preview(application, user, opinion, extra):
    return decision_letter(application, user, opinion, extra, approved=False)


# The zone's acceptance decisions and the 验收意见 each issues.
ACCEPTANCE_DECISIONS = {"accept": "accepted", "require_rectification": "rectify", "not_accept": "not_accepted"}


def acceptance_preview(zone, user, transition, opinion, extra) -> str:
    round_ = zone.acceptance_rounds.filter(decision="").order_by("-number").first()
    if round_ is None:
        return ""
    rectify_by = extra.get("rectify_by")
    data = acceptance_letter(round_, decision=ACCEPTANCE_DECISIONS[transition.name], text=opinion,
                             document_number=extra.get("document_number", ""),
                             date=timezone.localdate().isoformat(),
                             rectify_by=str(rectify_by) if rectify_by else None)
    return _letter_html(K.ACCEPTANCE_OPINION, {**data, "draft": True})
