"""A signed-in user's page content, rendered once and served again while nothing it was read from has
changed.

`CachedPageMixin` goes first in a page view's bases. On a GET it looks for the content this user last
got at this address (same host, language and query string); it serves it if every table the rendering
read still has the generation it had before that rendering started (`tables`), and the entry is less
than `PAGE_CACHE_SECONDS` old (a deadline that passes changes a page without a write). Otherwise the
view runs as it always does, its reads watched (`tables.start_reading`), and what it rendered is kept.

What is kept is the content block only: base.html (navigation, unread count, messages, the session
clock) is rendered for every request. The user's CSRF token in the content is kept as a placeholder
and filled with a freshly masked token on each serving. Never kept: another user's content (the key
holds the user), an htmx fragment, a response that is not a 200 HTML page or that sets a cookie, a
rendering that wrote to the database, and any request whose session holds something a page might
show once (a refused opinion kept for the panel, say): only the session keys registered with
`known_session_keys` leave a request cacheable.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.cache import cache
from django.middleware.csrf import _unmask_cipher_token, get_token
from django.template.response import SimpleTemplateResponse, TemplateResponse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from . import tables

log = logging.getLogger(__name__)

START = "<!--page-content-->"
END = "<!--/page-content-->"
CSRF_PLACEHOLDER = "\ue000csrf\ue000"
_TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)
_TOKEN_LIKE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")

# Session keys that say nothing a page shows (authentication, the second factor, the session clock).
known_session_keys: set[str] = {SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY, "otp_device_id", "_messages"}


def _release() -> str:
    """Changes with the deployed templates, code, translations and static files: content rendered by
    an earlier release is never served by a later one."""
    digest = hashlib.sha256()
    root = Path(settings.BASE_DIR)
    skip = {".venv", "var", "node_modules", ".git", "__pycache__", "media", "bench", "tests"}
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in skip and not d.startswith("."))
        for name in sorted(files):
            if name.endswith((".py", ".html", ".mo", ".json", ".css", ".js")):
                stat = os.stat(os.path.join(directory, name))
                digest.update(f"{directory}/{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:12]


_release_value: str | None = None


def release() -> str:
    global _release_value
    if _release_value is None:
        _release_value = getattr(settings, "PAGE_CACHE_RELEASE", "") or _release()
    return _release_value


now = time.time


def seconds() -> int:
    return int(getattr(settings, "PAGE_CACHE_SECONDS", 0))


@functools.cache
def _user_tables() -> frozenset[str]:
    """The user's own row and the rows it points at (organisation): read before any view runs, and
    what scoping and the rules decide from."""
    user_model = get_user_model()
    names = [user_model._meta.db_table]
    names += [f.related_model._meta.db_table for f in user_model._meta.concrete_fields
              if f.is_relation and f.related_model is not None]
    return frozenset(names)


def key_for(request, kind: str = "page", viewer: str = "") -> str:
    """This user's (and `viewer`'s: an API token) entry for this address, host and language."""
    path = hashlib.sha256(f"{request.scheme}://{request.get_host()}{request.get_full_path()}".encode()).hexdigest()
    user = request.user
    epoch = getattr(user, "cache_epoch", "")  # accounts.signed_in: a new one after every sign-out
    return f"pagecache:{kind}:{release()}:{user.pk}.{epoch}:{viewer}:{get_language()}:{path[:32]}"


def _enabled_for(request) -> bool:
    return request.method == "GET" and seconds() > 0 and request.user.is_authenticated


def cacheable_request(request) -> bool:
    """A page's GET (the API asks `_enabled_for` alone: no htmx, no session there)."""
    if not _enabled_for(request) or request.headers.get("HX-Request"):
        return False
    return not (set(request.session.keys()) - known_session_keys)


def lookup(key: str) -> dict | None:
    entry = cache.get(key)
    if entry is None or now() - entry["at"] > seconds():
        return None
    return entry if tables.unchanged(entry["deps"]) else None


class Pending:
    """One cacheable GET: on a hit, the stored `entry`; on a miss, the generations before the rendering
    and what it reads, watched from `begin` until `stop`."""

    def __init__(self, request, key: str):
        self.request, self.key = request, key
        self.entry: dict | None = None
        self.before: dict[str, str] = {}
        self.reading: tables.Reading | None = None
        self._token = None

    def stop(self) -> None:
        if self._token is not None:
            tables.stop_reading(self._token)
            self._token = None

    def keepable(self, response, content_type: str) -> bool:
        """A 200 of this type that set no cookie, from a rendering that wrote nothing."""
        self.stop()
        return (response.status_code == 200 and not response.streaming and not response.cookies
                and not self.reading.written and response.get("Content-Type", "").startswith(content_type))

    def keep(self, entry: dict) -> None:
        """Store `entry` with the generations (taken before the rendering) of everything it read."""
        try:
            _keep(self.request, self.key, entry, self.before, self.reading)
        except Exception:
            log.exception("page cache: could not store %s", self.request.path)


def begin(request, kind: str, viewer: str = "") -> Pending | None:
    """The cache's answer to this GET (`.entry`), or a miss whose reads are now watched; None when the
    cache cannot be reached (an unreachable cache costs the rendering, never the page)."""
    pending = Pending(request, key_for(request, kind, viewer))
    try:
        pending.entry = lookup(pending.key)
        if pending.entry is None:
            pending.before = tables.generations(tables.known_tables())
    except Exception:
        log.exception("page cache: lookup failed")
        return None
    request.page_cache = "miss" if pending.entry is None else "hit"
    if pending.entry is None:
        pending.reading, pending._token = tables.start_reading()
    return pending


def _content_of(request, html: str) -> tuple[str, str] | None:
    start, end = html.find(START), html.rfind(END)
    if start < 0 or end < start:
        return None
    content = html[start + len(START):end]
    title = _TITLE.search(html)
    secret = request.META.get("CSRF_COOKIE")
    if secret:
        for candidate in set(_TOKEN_LIKE.findall(content)):
            if _unmask_cipher_token(candidate) == secret:
                content = content.replace(candidate, CSRF_PLACEHOLDER)
    return (title.group(1) if title else ""), content


def _keep(request, key: str, entry: dict, before: dict[str, str], reading: tables.Reading) -> None:
    known = tables.known_tables()
    depends = (reading.read | _user_tables()) & known
    missing = depends - before.keys()
    if missing:  # not seen before the rendering began: no generation to hold it to
        log.warning("page cache: %s read tables without a generation: %s", request.path, sorted(missing))
        return
    generations = {t: before[t] for t in depends}
    # Rows read by id, of tables not also read as a whole: the page holds those rows' generations and the
    # table's wide one, read now; they are those of the rendering's start if no write to the table has
    # committed since (every write moves the table's generation with them), else nothing is kept.
    rows = {r for r in reading.rows if tables.table_of(r) not in depends and tables.table_of(r) in known}
    if rows:
        row_tables = {tables.table_of(r) for r in rows}
        current = tables.generations([*row_tables, *map(tables.wide, row_tables), *rows])
        if any(current[t] != before.get(t) for t in row_tables):
            return
        generations.update({name: current[name] for name in (*map(tables.wide, row_tables), *rows)})
    cache.set(key, {**entry, "deps": generations, "at": now()}, seconds())
    tables.depended_on(generations)


def _serve(request, entry: dict):
    content = entry["content"]
    if CSRF_PLACEHOLDER in content:
        content = content.replace(CSRF_PLACEHOLDER, get_token(request))
    return TemplateResponse(request, "pagecache/page.html",
                            {"page_title": mark_safe(entry["title"]),  # noqa: S308 - rendered and escaped by the view
                             "page_content": mark_safe(content)})  # noqa: S308 - idem


class CachedPageMixin:
    """First in a page view's bases: serve this user's unchanged content from the cache (module docstring)."""

    def dispatch(self, request, *args, **kwargs):
        pending = begin(request, "page") if cacheable_request(request) else None
        if pending is None:
            request.page_cache = "bypass"
            return super().dispatch(request, *args, **kwargs)
        if pending.entry is not None:
            return _serve(request, pending.entry)
        try:
            response = super().dispatch(request, *args, **kwargs)
            if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
                response.render()
        finally:
            pending.stop()
        if pending.keepable(response, "text/html"):
            parts = _content_of(request, response.content.decode(response.charset or "utf-8"))
            if parts is not None:
                pending.keep({"title": parts[0], "content": parts[1]})
        return response
