"""Choice lists that the filter forms of the list pages show on every request (the provinces, the calls):
built once per language and kept in the cache (Redis in production, shared by every process). A change
to the rows they list drops them (`forget`, from the models' post_save and post_delete signals) now and
again when the transaction commits."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language

from pagecache.tables import depends_on

from .models import Province

CACHE_SECONDS = 3600  # a backstop only


def _key(name: str, language: str | None) -> str:
    return f"choices:v1:{name}:{language or settings.LANGUAGE_CODE}"


def cached(name: str, build: Callable[[], list[tuple[str, str]]], table: str) -> list[tuple[str, str]]:
    """The list `build()` gives in the active language: (value, label) pairs of plain strings. `table`
    is the one it lists: a cached page that shows the list depends on it (pagecache)."""
    depends_on(table)
    key = _key(name, get_language())
    choices = cache.get(key)
    if choices is None:
        choices = [(str(value), str(label)) for value, label in build()]
        cache.set(key, choices, CACHE_SECONDS)
    return choices


def forget(name: str) -> None:
    keys = [_key(name, code) for code, _label in settings.LANGUAGES]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def province_choices() -> list[tuple[str, str]]:
    return cached("provinces", lambda: [(p.pk, str(p)) for p in Province.objects.all()], Province._meta.db_table)
