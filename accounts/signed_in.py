"""The signed-in user of every request, with its organisation: read from the cache while neither table
has changed since (pagecache generations), from the database otherwise.

What is kept is the user's row without its password and the organisation's row, and the session
authentication hash (the HMAC of the password that the session itself holds, never the password's
hash). The rebuilt user has its password deferred: whatever needs it (checking or changing the
password) reads it from the database. Any write to either table (a password changed, an account
deactivated, a role or organisation changed, anyone's last login) gives it a new generation, so the
next request reads the rows again, and so does a write by the same request before it commits."""

from __future__ import annotations

import logging
import secrets

from django.core.cache import cache

from pagecache import pages, tables

from .models import Organisation, User

log = logging.getLogger(__name__)

BACKSTOP_SECONDS = 300
_USER_FIELDS = [f.attname for f in User._meta.concrete_fields if f.attname != "password"]
_ORGANISATION_FIELDS = [f.attname for f in Organisation._meta.concrete_fields]
_TABLES = [User._meta.db_table, Organisation._meta.db_table]
_GENERATION_KEYS = [tables.KEY.format(t) for t in _TABLES]


def _key(user_id) -> str:
    return f"accounts:signed-in:v1:{user_id}"


def _rebuild(entry: dict) -> User:
    user = User.from_db("default", _USER_FIELDS, entry["user"])
    user._session_auth_hash = entry["auth_hash"]
    user.cache_epoch = entry["epoch"]
    if entry["organisation"] is not None:
        user.organisation = Organisation.from_db("default", _ORGANISATION_FIELDS, entry["organisation"])
    return user


def user(user_id, read) -> User | None:
    """The user `user_id` (with its organisation), or what `read()` returns when the cache cannot say.
    Off with the page cache (PAGE_CACHE_SECONDS 0, the default without a shared cache)."""
    if pages.seconds() <= 0:
        return read()
    key = _key(user_id)
    try:
        found = cache.get_many([key, *_GENERATION_KEYS])
    except Exception:
        log.exception("signed-in user: cache unreachable")
        return read()
    entry = found.get(key)
    if entry is not None and entry["generations"] == [found.get(k) for k in _GENERATION_KEYS]:
        return _rebuild(entry)
    generations = tables.generations(_TABLES)  # taken before the read: a write after it moves them
    result = read()
    if result is not None:
        organisation = result.organisation if result.organisation_id else None
        entry = {"generations": [generations[t] for t in _TABLES],
                 "user": [getattr(result, f) for f in _USER_FIELDS],
                 "organisation": [getattr(organisation, f) for f in _ORGANISATION_FIELDS] if organisation else None,
                 "auth_hash": result.get_session_auth_hash(),
                 # Part of the keys of this user's cached pages (pagecache): a new one with every entry,
                 # so pages kept before a sign-out (`forget`) are never found again.
                 "epoch": secrets.token_hex(4)}
        cache.set(key, entry, BACKSTOP_SECONDS)
        tables.depended_on(_TABLES)
        result.cache_epoch = entry["epoch"]
    return result


def forget(user_id) -> None:
    """At the end of a session: the user's entry goes, and with its epoch every page kept for the user
    is out of reach (and expires within PAGE_CACHE_SECONDS)."""
    try:
        cache.delete(_key(user_id))
    except Exception:
        log.exception("signed-in user: could not forget %s", user_id)
