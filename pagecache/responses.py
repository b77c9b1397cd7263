"""Whole response bodies (the API's JSON) kept and checked like the pages' content (`pages`): one
user's (and one API token's) answer at one address, served again while nothing it was read from has
changed. The caller has authenticated the request and checked its permissions and throttles first;
only the handler's work is watched and skipped.

    pending = responses.begin(request, viewer=token_id)   # None: not cacheable
    if pending and pending.entry: return responses.answer(pending)
    ...
    responses.finish(pending, response)                  # keeps a 200 that wrote nothing
"""

from __future__ import annotations

from django.http import HttpResponse

from . import pages


def begin(request, viewer: str = "") -> pages.Pending | None:
    return pages.begin(request, "response", viewer) if pages._enabled_for(request) else None


def answer(pending: pages.Pending) -> HttpResponse:
    return HttpResponse(pending.entry["body"], content_type=pending.entry["content_type"])


def finish(pending: pages.Pending | None, response) -> None:
    if pending is None or pending.entry is not None:
        return
    try:
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
    finally:
        pending.stop()
    if pending.keepable(response, "application/json"):
        pending.keep({"body": response.content, "content_type": response["Content-Type"]})
