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

Rows: a statement that reads a table only through `"table"."id" = %s` (conditions joined by AND) has
read one row, and a page that read a table only so depends on those rows' generations and the table's
`wide` one instead of the table's: saving one application (an UPDATE by its id) renders that
application's pages and every list again, not every other application's page. A write not confined to
rows by id (a DELETE, an UPDATE of other rows, an upsert) moves the wide generation; a plain INSERT adds
rows that no page read by id.

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
    """The tables a rendering read and wrote (`start_reading`)."""

    __slots__ = ("read", "rows", "written")

    def __init__(self):
        self.read: set[str] = set()
        self.rows: set[str] = set()  # row generations (`row`) of tables read by id only
        self.written: set[str] = set()


_reading: contextvars.ContextVar[Reading | None] = contextvars.ContextVar("pagecache_reading", default=None)
# Tables whose current generation a page stored by this process depends on (see the module's docstring).
_depended_on: set[str] = set()
_known_tables: frozenset[str] | None = None


def _token() -> str:
    return secrets.token_hex(8)


def wide(table: str) -> str:
    """The generation that writes to `table` not confined to known rows move (and only they)."""
    return table + "*"


def row(table: str, pk) -> str:
    """The generation of one row of `table`, by its "id"."""
    return f"{table}#{pk}"


def written_tables(sql: str) -> list[str]:
    head = sql.lstrip()[:8].upper()
    if not head.startswith(_WRITE_HEADS):
        return []
    if head.startswith("TRUNCATE"):
        return _QUOTED.findall(sql) if _TRUNCATE.match(sql) else []
    match = _WRITE.match(sql)
    return [match.group(1)] if match else []


def written_generations(sql: str, params, many: bool) -> list[str]:
    """What a write moves. Every write moves its table's generation. An UPDATE of one row by its id (what
    save() and filter(pk=…).update() send) moves that row's generation too; a plain INSERT adds rows that
    no row read by id can be; any other write (DELETE, an UPDATE of other rows, an upsert, TRUNCATE)
    moves the table's `wide` generation, which every page that read some of its rows by id holds."""
    moved = []
    for table in written_tables(sql):
        moved.append(table)
        pk = _updated_row(sql, table, params) if not many else None
        if pk is not None:
            moved.append(row(table, pk))
        elif not (sql.lstrip()[:6].upper() == "INSERT" and "ON CONFLICT" not in sql.upper()):
            moved.append(wide(table))
    return moved


def _updated_row(sql: str, table: str, params):
    if not sql.lstrip()[:6].upper() == "UPDATE" or not params:
        return None
    return params[-1] if sql.rstrip().endswith(f' WHERE "{table}"."id" = %s') and _plain(sql) else None


_NOT_PLAIN = re.compile(r"\b(?:OR|NOT|CASE|UNION|INTERSECT|EXCEPT)\b", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"(?<!%)%s")


def _plain(sql: str) -> bool:
    """Conditions joined by AND only (IS NOT NULL negates nothing else): a condition on the id confines
    what is read or written."""
    return _NOT_PLAIN.search(sql.replace(" IS NOT NULL", "")) is None


def read_tables(sql: str) -> list[str]:
    return _READ.findall(sql)


def read_generations(sql: str, params) -> tuple[set[str], set[str]]:
    """(tables read, rows read): a table referred to once in a statement whose conditions are all joined
    by AND, with `"table"."id" = %s` among its WHERE or ON conditions, is read one row only."""
    names = read_tables(sql)
    tables_read, rows_read = set(names), set()
    if not params or not _plain(sql):
        return tables_read, rows_read
    where = sql.find(" WHERE ")
    for table in tables_read.copy():
        if names.count(table) != 1:
            continue
        at = sql.find(f'"{table}"."id" = %s')
        if at < 0 or (at < where or where < 0) and sql.rfind(" ON ", 0, at) < 0:
            continue
        index = len(_PLACEHOLDER.findall(sql, 0, at))
        if index < len(params):
            tables_read.discard(table)
            rows_read.add(row(table, params[index]))
    return tables_read, rows_read


def _watch(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if isinstance(sql, str):
        reading = _reading.get()
        written = written_generations(sql, params, many)
        if written:
            _wrote(context["connection"], written)
            if reading is not None:
                reading.written.update(written)
        if reading is not None:
            tables_read, rows_read = read_generations(sql, params)
            reading.read.update(tables_read)
            reading.rows.update(rows_read)
    return result


def _wrote(connection, tables: list[str]) -> None:
    """`tables`: the generations a write moves (`written_generations`)."""
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


def start_reading() -> tuple[Reading, contextvars.Token]:
    """From now on, collect the tables every statement of this thread reads and writes, until
    `stop_reading(token)` (for a watch that spans more than one call, as the API's does)."""
    state = Reading()
    return state, _reading.set(state)


def stop_reading(token: contextvars.Token) -> None:
    _reading.reset(token)


def table_of(name: str) -> str:
    """The table a generation's name (a table, its `wide` or a `row` one) belongs to."""
    return name.split("#", 1)[0].removesuffix("*")


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
