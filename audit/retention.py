"""Keeping and purging the audit trail.

Records are kept at least 180 days (网络安全法 第二十一条; settings.AUDIT_RETENTION_DAYS may only
lengthen it). `purge()` removes the oldest records, a contiguous start of the chain, after writing them
to a signed archive (JSON Lines: a header, one line per record with its seal, then an HMAC-SHA256
signature over every byte before it). The purge is itself recorded in the chain, naming the seal of
the last record removed, so `verify` accepts the chain's new start and nothing else.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from workflow.errors import Refused

from . import chain
from .db import MINIMUM_RETENTION_DAYS
from .models import AuditRecord
from .services import record

ARCHIVE_FORMAT = "portal-audit-archive"
SIGNATURE_PREFIX = "hmac-sha256:"


class PurgeRefused(Refused):
    pass


class ArchiveInvalid(Exception):
    pass


def retention_days() -> int:
    return max(MINIMUM_RETENTION_DAYS, int(getattr(settings, "AUDIT_RETENTION_DAYS", MINIMUM_RETENTION_DAYS)))


def earliest_allowed_cutoff(now: datetime | None = None) -> datetime:
    """Records created before this moment may be purged; nothing younger."""
    return (now or timezone.now()) - timedelta(days=retention_days())


def _archive_key() -> bytes:
    return hmac.new(chain.chain_key(), b"audit-archive", hashlib.sha256).digest()


def _line(data) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def archived(record) -> dict:
    return {"id": record.pk, **chain.sealed_fields(record), "record_hash": record.record_hash}


@dataclass(frozen=True)
class PurgeResult:
    count: int
    first_sequence: int | None = None
    last_sequence: int | None = None
    archive: Path | None = None
    archive_sha256: str = ""


def purge(before: datetime, archive_dir: Path | str) -> PurgeResult:
    """Archive, then delete, every record of the chain's start created before `before`.

    Refused when `before` is later than the retention period allows, and when the chain is broken
    (a broken chain is evidence: it is kept until someone has looked at it)."""
    limit = earliest_allowed_cutoff()
    if before > limit:
        raise PurgeRefused(
            f"Audit records are kept at least {retention_days()} days: nothing created after "
            f"{timezone.localtime(limit):%Y-%m-%d %H:%M} may be purged (asked: before "
            f"{timezone.localtime(before):%Y-%m-%d %H:%M}).")
    report = chain.verify()
    if not report.intact:
        raise PurgeRefused(f"The audit chain is broken, nothing is purged: {report.broken.message}")
    first_young = (AuditRecord.objects.filter(created_at__gte=before).order_by("sequence")
                   .values_list("sequence", flat=True).first())
    doomed = AuditRecord.objects.order_by("sequence")
    if first_young is not None:
        doomed = doomed.filter(sequence__lt=first_young)
    first = doomed.first()
    if first is None:
        return PurgeResult(0)
    last = doomed.last()
    archive, digest, count = _write_archive(doomed, before, Path(archive_dir), first, last)
    try:
        with transaction.atomic():
            chain.lock_chain()
            record(chain.PURGE_ACTION, reason=f"records created before {before.isoformat()}", details={
                "first_sequence": first.sequence, "up_to_sequence": last.sequence, "last_hash": last.record_hash,
                "count": count, "archive": archive.name, "archive_sha256": digest,
                "operator": _operator()})
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute("SET LOCAL audit.purge = 'on'")  # the trigger's permission (audit.db)
                cursor.execute(f"DELETE FROM {AuditRecord._meta.db_table} WHERE sequence <= %s",  # noqa: S608
                               [last.sequence])
                deleted = cursor.rowcount
            if deleted != count:
                raise PurgeRefused(f"Expected to remove {count} records, found {deleted}; nothing is purged.")
    except BaseException:
        archive.unlink(missing_ok=True)
        raise
    return PurgeResult(count, first.sequence, last.sequence, archive, digest)


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def _write_archive(records, before, directory: Path, first, last) -> tuple[Path, str, int]:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"audit-{first.sequence:012d}-{last.sequence:012d}.jsonl"
    if path.exists():
        raise PurgeRefused(f"{path} exists already; nothing is purged.")
    signer = hmac.new(_archive_key(), digestmod=hashlib.sha256)
    file_digest = hashlib.sha256()
    count = 0
    header = {"archive": ARCHIVE_FORMAT, "version": 1, "created_at": timezone.now().isoformat(),
              "before": before.isoformat(), "first_sequence": first.sequence, "last_sequence": last.sequence,
              "previous_hash": first.previous_hash, "last_hash": last.record_hash}
    with open(path, "xb") as out:
        def write(data, signed=True):
            line = _line(data)
            if signed:
                signer.update(line)
            file_digest.update(line)
            out.write(line)

        write(header)
        for item in records.iterator(chunk_size=2000):
            write(archived(item))
            count += 1
        write({"count": count})
        write({"signature": SIGNATURE_PREFIX + signer.hexdigest()}, signed=False)
        out.flush()
        os.fsync(out.fileno())
    return path, file_digest.hexdigest(), count


@dataclass(frozen=True)
class ArchiveReport:
    count: int
    first_sequence: int
    last_sequence: int
    last_hash: str


def verify_archive(path: Path | str) -> ArchiveReport:
    """Check an archive's signature and the chain of the records in it; ArchiveInvalid says why not."""
    signer = hmac.new(_archive_key(), digestmod=hashlib.sha256)
    with open(path, "rb") as fh:
        lines = fh.readlines()
    if len(lines) < 3:
        raise ArchiveInvalid("not an audit archive (too short)")
    for line in lines[:-1]:
        signer.update(line)
    try:
        signature = json.loads(lines[-1]).get("signature", "")
        header = json.loads(lines[0])
        footer = json.loads(lines[-2])
        records = [json.loads(line) for line in lines[1:-2]]
    except (ValueError, AttributeError):
        raise ArchiveInvalid("not an audit archive (unreadable line)")
    if not hmac.compare_digest(signature, SIGNATURE_PREFIX + signer.hexdigest()):
        raise ArchiveInvalid("the signature does not match the archive's content")
    if header.get("archive") != ARCHIVE_FORMAT or footer.get("count") != len(records):
        raise ArchiveInvalid("the archive's header or record count is wrong")
    report = chain.walk(records, expected_previous=header["previous_hash"],
                        expected_sequence=header["first_sequence"])
    if not report.intact:
        raise ArchiveInvalid(report.broken.message)
    if report.head_sequence != header["last_sequence"] or report.head_hash != header["last_hash"]:
        raise ArchiveInvalid("the archive ends before its header says")
    return ArchiveReport(report.checked, header["first_sequence"], header["last_sequence"], header["last_hash"])
