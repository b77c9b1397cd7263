"""Demo: every document of the demo's approved application(s), rendered now (no worker needed).

Idempotent: unchanged content is not rendered again (content hash). If no application is approved
yet (the pipeline step has not run), only the 承诺书 of the drafts are rendered and a note is printed.
"""

import sys

from django.contrib.auth import get_user_model

from applications.enums import ApplicationState
from applications.models import Application

from .enums import DRAFT_KINDS
from .enums import DocumentKind as K
from .enums import DocumentStatus as St
from .production import render
from .services import ExportRefused, request_document, request_export
from .sources import APPLICATION_KINDS, Unavailable


def _ensure(kind, **subject):
    try:
        document = request_document(kind, **subject)
    except Unavailable as exc:
        return None, str(exc)
    if document.status != St.READY:
        document = render(document.pk)
    return document, document.error


def seed_documents(stdout=None):
    out = stdout or sys.stdout
    approved = list(Application.objects.filter(state=ApplicationState.APPROVED).select_related("call"))
    if not approved:
        out.write("documents: no approved demo application yet; rendering drafts' 承诺书 only.\n")
    for application in Application.objects.filter(state=ApplicationState.DRAFT)[:3]:
        _ensure(K.DRAFT_COMMITMENT, application=application)
    if not approved:
        return
    calls = {}
    for application in approved:
        for kind in (k for k in APPLICATION_KINDS if k not in DRAFT_KINDS):
            document, problem = _ensure(kind, application=application)
            if document is None or document.status != St.READY:
                out.write(f"documents: {application} {kind} not ready: {problem}\n")
        calls[application.call_id] = application.call
    for call in calls.values():
        document, problem = _ensure(K.SCORE_SUMMARY, call=call)
        if document is None or document.status != St.READY:
            out.write(f"documents: score summary of {call} not ready: {problem}\n")


def seed_exports(stdout=None):
    """One export per list for the demo's provincial and national accounts (rendered now)."""
    out = stdout or sys.stdout
    User = get_user_model()
    wanted = {"province": [("provincial_queue", "xlsx", {}), ("provincial_queue", "csv", {"state": "recommended"})],
              "national": [("national_list", "xlsx", {}), ("distribution", "csv", {})]}
    for username, exports in wanted.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        for kind, fmt, params in exports:
            try:
                document = request_export(kind, fmt, user, params)
            except ExportRefused as exc:
                out.write(f"documents: export {kind} for {username} refused: {exc}\n")
                continue
            if document.status != St.READY:
                render(document.pk)
