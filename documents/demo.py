"""Demo: every document of the demo's approved application(s), rendered now (no worker needed).

Idempotent: unchanged content is not rendered again (content hash). If no application is approved
yet (the pipeline step has not run), only the 承诺书 of the drafts are rendered and a note is printed.
"""

import sys

from applications.enums import ApplicationState
from applications.models import Application

from .enums import DRAFT_KINDS
from .enums import DocumentKind as K
from .enums import DocumentStatus as St
from .production import render
from .services import request_document
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
