"""The hash chain of the audit trail: appending a record and verifying the chain.

Each record is sealed with HMAC-SHA256 over its fields and the seal of the record before it
(`previous_hash`), so changing, inserting or removing a record breaks the chain at that record. The
key (settings.AUDIT_CHAIN_KEY, else derived from SECRET_KEY) lives outside the database: whoever can
write the table cannot forge a chain that verifies.

Appending is serialised: a transaction-scoped advisory lock is taken, the head of the chain read and
the new record's time read from the database clock, so that sequence numbers have no gaps, time
follows sequence and several processes writing at once still form one chain. The lock is held until
the surrounding transaction ends: services call `record()` last, after their own row locks.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import AuditRecord

GENESIS = "0" * 64
# pg_advisory_xact_lock key of the chain ("audit" in ASCII).
LOCK_KEY = 0x6175646974
PURGE_ACTION = "audit.purge"

# The fields a seal covers, in the order they are listed in the archive.
SEALED_FIELDS = ("sequence", "created_at", "actor_id", "actor_username", "actor_role", "actor_organisation_id",
                 "client_address", "action", "object_type", "object_id", "object_repr", "result", "reason",
                 "details", "previous_hash")


def chain_key() -> bytes:
    configured = getattr(settings, "AUDIT_CHAIN_KEY", "")
    if configured:
        return configured.encode()
    return salted_hmac("audit.chain", "key", secret=settings.SECRET_KEY, algorithm="sha256").digest()


def _canonical(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def sealed_fields(record) -> dict:
    """The sealed fields of a record (a model instance or an archived mapping), canonical values."""
    return {name: _canonical(_get(record, name)) for name in SEALED_FIELDS}


def canonical_json(data) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def seal(record) -> str:
    return hmac.new(chain_key(), canonical_json(sealed_fields(record)), hashlib.sha256).hexdigest()


def lock_chain():
    """Take the chain's lock for the rest of the transaction; the database's current time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s), clock_timestamp()", [LOCK_KEY])
            return cursor.fetchone()[1]
    return timezone.now()  # SQLite (development): the database itself serialises writers


def head() -> tuple[int, str]:
    """(sequence, seal) of the newest record; (0, GENESIS) for an empty chain."""
    newest = AuditRecord.objects.order_by("-sequence").values_list("sequence", "record_hash").first()
    return newest or (0, GENESIS)


def append(fields: dict, *, created_at: datetime | None = None) -> AuditRecord:
    """Append one record with `fields` (everything but time, sequence and hashes). `created_at` is for
    importing or building records of the past in tests; normally the database clock decides."""
    with transaction.atomic():
        now = lock_chain()
        sequence, previous = head()
        record = AuditRecord(**fields, sequence=sequence + 1, previous_hash=previous, created_at=created_at or now)
        record.record_hash = seal(record)
        record.save(force_insert=True)
    return record


# ---------------------------------------------------------------------------------------------
# Verification


@dataclass(frozen=True)
class Break:
    """Where the chain first breaks. `kind` is "altered", "inserted" or "removed"; `record` is the
    record named (for "removed": the first record after the gap)."""

    kind: str
    record: object
    message: str


@dataclass(frozen=True)
class Report:
    checked: int
    first_sequence: int | None
    head_sequence: int | None
    head_hash: str | None
    broken: Break | None = None

    @property
    def intact(self) -> bool:
        return self.broken is None


def _get(record, name):
    return record.get(name) if isinstance(record, Mapping) else getattr(record, name)


def _describe(record) -> str:
    pk = _get(record, "id")
    return f"#{pk} (sequence {_get(record, 'sequence')})" if pk is not None else f"sequence {_get(record, 'sequence')}"


def walk(records: Iterable, *, expected_previous: str, expected_sequence: int) -> Report:
    """Check records (model instances or archived mappings, in sequence order) against the seal and the
    link each must carry; stop at the first break."""
    checked, first_sequence, last = 0, None, None
    iterator = iter(records)
    current = next(iterator, None)
    while current is not None:
        following = next(iterator, None)
        sequence = _get(current, "sequence")
        first_sequence = first_sequence or sequence
        if sequence != expected_sequence:
            return _report(checked, first_sequence, last, Break(
                "removed", current, f"record(s) with sequence {_span(expected_sequence, sequence - 1)} removed "
                                    f"before record {_describe(current)}"))
        linked = _get(current, "previous_hash") == expected_previous
        if not hmac.compare_digest(seal(current), _get(current, "record_hash") or ""):
            follower_link = _get(following, "previous_hash") if following is not None else None
            if follower_link is not None and follower_link == expected_previous:
                kind = "inserted"  # the next record is chained to the one before this one
            elif follower_link is not None and follower_link == _get(current, "record_hash"):
                kind = "altered"  # it was chained once; its content changed since
            else:
                kind = "altered" if linked else "inserted"
            return _report(checked, first_sequence, last, Break(
                kind, current, f"record {_describe(current)} {kind}: its content does not match its seal"))
        if not linked:
            return _report(checked, first_sequence, last, Break(
                "removed", current, f"the record chained before record {_describe(current)} was removed"))
        checked += 1
        last = current
        expected_previous = _get(current, "record_hash")
        expected_sequence += 1
        current = following
    return _report(checked, first_sequence, last, None)


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}-{last}"


def _report(checked, first_sequence, last, broken) -> Report:
    if last is None:
        return Report(checked, first_sequence, None, None, broken)
    return Report(checked, first_sequence, _get(last, "sequence"), _get(last, "record_hash"), broken)


def purge_anchor(up_to_sequence: int) -> str | None:
    """The seal of the last record a recorded purge removed, if a purge removed exactly up to there."""
    purge = (AuditRecord.objects.filter(action=PURGE_ACTION, details__up_to_sequence=up_to_sequence)
             .order_by("sequence").first())
    return (purge.details or {}).get("last_hash") if purge else None


def verify() -> Report:
    """Walk the whole chain in the database. Records removed by a purge are accepted when the purge's
    own (sealed) record names the last removed record's seal as the first remaining one's link."""
    records = AuditRecord.objects.order_by("sequence")
    first = records.first()
    if first is None:
        return Report(0, None, None, None)
    if first.sequence == 1:
        expected = GENESIS
    else:
        expected = purge_anchor(first.sequence - 1)
        if expected is None:
            return Report(0, first.sequence, None, None, Break(
                "removed", first, f"record(s) with sequence {_span(1, first.sequence - 1)} removed before record "
                                  f"{_describe(first)} without a recorded purge"))
    return walk(records.iterator(chunk_size=2000), expected_previous=expected, expected_sequence=first.sequence)
