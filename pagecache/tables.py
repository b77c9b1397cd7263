"""What a table's rows looked like, as one token per table (its generation), and which tables a
rendering read.

Every statement on every connection passes `_watch` (installed on each connection as it opens, in
every process: web, Celery, management commands). A write (INSERT, UPDATE, DELETE, TRUNCATE: whatever
made it, the ORM's save(), update(), bulk_create() or raw SQL) moves the generations of the tables it
wrote:

- when its transaction commits (or at once outside a transaction): after that, every reader sees the
  new rows and the new generation, so a page rendered from the old rows can no longer be taken for
  current;
- and at once, if a page this process stored depends on the table: a reader on the same connection
  (inside the same transaction, as tests are) sees the writer's rows before the commit.

A generation is a random token, not a counter: a token that drops out of the cache comes back as a
new one, never as an old value that a stored page could still match.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import re
import secrets
from collections.abc import Iterable, Iterator
from functools import partial

from django.core.cache import cache
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.transaction import TransactionManagementError

log = logging.getLogger(__name__)

KEY = "pagecache:gen:{}"
_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([\w$]+)', re.IGNORECASE)
_TRUNCATE = re.compile(r'\s*TRUNCATE\b', re.IGNORECASE)
_QUOTED = re.compile(r'"([^"]+)"')
_READ = re.compile(r'\b(?:FROM|JOIN)\s+"?([\w$]+)', re.IGNORECASE)
_WRITE_HEADS = ("INSERT", "UPDATE", "DELETE", "TRUNCATE")


class Reading:
    """The tables a rendering read and wrote (`reading()`)."""

    __slots__ = ("read", "written")

    def __init__(self):
        self.read: set[str] = set()
        self.written: set[str] = set()


_reading: contextvars.ContextVar[Reading | None] = contextvars.ContextVar("pagecache_reading", default=None)
# Tables whose current generation a page stored by this process depends on (see the module's docstring).
_depended_on: set[str] = set()
_known_tables: frozenset[str] | None = None


def _token() -> str:
    return secrets.token_hex(8)


def written_tables(sql: str) -> list[str]:
    head = sql.lstrip()[:8].upper()
    if not head.startswith(_WRITE_HEADS):
        return []
    if head.startswith("TRUNCATE"):
        return _QUOTED.findall(sql) if _TRUNCATE.match(sql) else []
    match = _WRITE.match(sql)
    return [match.group(1)] if match else []


def read_tables(sql: str) -> list[str]:
    return _READ.findall(sql)


def _watch(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if isinstance(sql, str):
        reading = _reading.get()
        written = written_tables(sql)
        if written:
            _wrote(context["connection"], written)
            if reading is not None:
                reading.written.update(written)
        if reading is not None:
            reading.read.update(read_tables(sql))
    return result


def _wrote(connection, tables: list[str]) -> None:
    stale = _depended_on.intersection(tables)
    if stale:
        _depended_on.difference_update(stale)
        bump(stale)
    pending = connection.__dict__.setdefault("_pagecache_pending", set())
    pending.update(tables)
    try:
        # One callback per statement: one that a rolled-back savepoint drops leaves the others; each
        # moves everything pending, so the first to run does the work and the rest find nothing.
        connection.on_commit(partial(_committed, connection))
    except TransactionManagementError:  # manual transaction management: no commit hook to wait for
        _committed(connection)


def _committed(connection) -> None:
    pending = connection.__dict__.get("_pagecache_pending")
    if pending:
        connection._pagecache_pending = set()
        bump(pending)


def bump(tables: Iterable[str]) -> None:
    """Give these tables new generations: every page stored from their old rows is out of date."""
    tokens = {KEY.format(table): _token() for table in tables}
    if not tokens:
        return
    try:
        cache.set_many(tokens, timeout=None)
    except Exception:  # the cache unreachable: its pages are unreachable too, and expire
        log.exception("page cache: could not move the generations of %s", sorted(tokens))


def watch(connection, **_kwargs) -> None:
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _watch)


def watch_all_connections() -> None:
    connection_created.connect(watch, dispatch_uid="pagecache.watch")
    for alias in connections:
        watch(connections[alias])


def known_tables() -> frozenset[str]:
    """The database's tables (read once per process)."""
    global _known_tables
    if _known_tables is None:
        _known_tables = frozenset(connections["default"].introspection.table_names())
    return _known_tables


def generations(tables: Iterable[str]) -> dict[str, str]:
    """The current generation of each table (a missing one gets a new token)."""
    keys = {KEY.format(table): table for table in tables}
    found = cache.get_many(list(keys))
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            cache.add(key, _token(), timeout=None)
        found.update(cache.get_many(missing))
    return {keys[key]: token for key, token in found.items()}


def unchanged(generations_seen: dict[str, str]) -> bool:
    """True when every table still has the generation seen."""
    if not generations_seen:
        return True
    current = cache.get_many([KEY.format(table) for table in generations_seen])
    return all(current.get(KEY.format(table)) == token for table, token in generations_seen.items())


def depended_on(tables: Iterable[str]) -> None:
    """A page stored by this process depends on these tables' current generations."""
    _depended_on.update(tables)


@contextlib.contextmanager
def reading() -> Iterator[Reading]:
    """Within the block, collect the tables every statement of this thread reads and writes."""
    state = Reading()
    token = _reading.set(state)
    try:
        yield state
    finally:
        _reading.reset(token)


def depends_on(*tables: str) -> None:
    """For values read from somewhere else than the database (another cache entry built from these
    tables): a rendering in progress depends on these tables as if it had read them."""
    state = _reading.get()
    if state is not None:
        state.read.update(tables)


@contextlib.contextmanager
def ignoring() -> Iterator[None]:
    """What is read within the block is shown outside the cached content (the base template's navigation
    and session clock), so it is no dependency of the page being rendered."""
    token = _reading.set(None)
    try:
        yield
    finally:
        _reading.reset(token)
