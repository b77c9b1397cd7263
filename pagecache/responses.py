"""Whole response bodies (the API's JSON) kept and checked like the pages' content (`pages`): one
user's (and one API token's) answer at one address, served again while no table it was read from has
changed. The caller has authenticated the request and checked its permissions and throttles first;
only the handler's work is watched and skipped.

    pending = responses.begin(request, viewer=token_id)   # None: not cacheable; .hit: the answer
    ...
    responses.finish(pending, response)                  # keeps a 200 that wrote nothing
"""

from __future__ import annotations

import logging

from django.http import HttpResponse

from . import pages, tables

log = logging.getLogger(__name__)


class Pending:
    """One GET in progress: its key, the generations before, what it reads (or the stored answer)."""

    def __init__(self, request, key: str):
        self.request, self.key = request, key
        self.hit: HttpResponse | None = None
        self.before: dict[str, str] = {}
        self.reading: tables.Reading | None = None
        self._token = None

    def watch(self) -> None:
        self.reading = tables.Reading()
        self._token = tables._reading.set(self.reading)

    def stop(self) -> None:
        if self._token is not None:
            tables._reading.reset(self._token)
            self._token = None


def begin(request, viewer: str = "") -> Pending | None:
    if request.method != "GET" or pages.seconds() <= 0 or not request.user.is_authenticated:
        return None
    pending = Pending(request, pages.key_for(request, "response", viewer))
    try:
        entry = pages.lookup(pending.key)
        if entry is not None:
            pending.hit = HttpResponse(entry["body"], content_type=entry["content_type"])
            request.page_cache = "hit"
            return pending
        pending.before = tables.generations(tables.known_tables())
    except Exception:  # an unreachable cache costs the work, never the answer
        log.exception("page cache: lookup failed")
        return None
    request.page_cache = "miss"
    pending.watch()
    return pending


def finish(pending: Pending | None, response) -> None:
    if pending is None or pending.hit is not None:
        return
    try:
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
    finally:
        pending.stop()
    if (response.status_code != 200 or response.streaming or response.cookies or pending.reading.written
            or not response.get("Content-Type", "").startswith("application/json")):
        return
    try:
        pages.keep(pending.request, pending.key, {"body": response.content, "content_type": response["Content-Type"]},
                   pending.before, pending.reading)
    except Exception:
        log.exception("page cache: could not store %s", pending.request.path)
