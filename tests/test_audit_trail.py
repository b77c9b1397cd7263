"""The audit trail itself (安全审计): one hash chain, append-only in PostgreSQL, checked by
`manage.py verify_audit`, which names the first record altered, inserted or removed directly in SQL by
the database owner; a purge that keeps every record younger than 180 days and archives what it removes
to a signed file; one chain however many processes write at once; a serving role that cannot change it."""

import hashlib
import json
import os
import subprocess
import sys
import threading
from datetime import timedelta
from io import StringIO
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from audit import chain
from audit.database_roles import append_only_tables
from audit.models import AuditRecord
from audit.services import REFUSED, record
from workflow.models import AppendOnlyError

ROOT = Path(__file__).resolve().parent.parent
TABLE = AuditRecord._meta.db_table
TRIGGER = f"{TABLE}_append_only"


def _fields(action, **extra):
    return {"actor": None, "actor_username": "", "actor_role": "", "actor_organisation_id": None,
            "client_address": None, "action": action, "object_type": "", "object_id": "", "object_repr": "",
            "result": "success", "reason": "", "details": {}, **extra}


def _records(n, prefix="test.event"):
    return [record(f"{prefix}.{i}", reason=f"第{i}条", details={"n": i}) for i in range(1, n + 1)]


def _as_owner(sql, params=()):
    """What the database owner can do: switch the trigger off, write, switch it back on."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE waits for no deferred check
        cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}")
        cursor.execute(sql, params)
        cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER}")


def _verify(*args) -> str:
    out = StringIO()
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


def _broken(*args) -> str:
    with pytest.raises(CommandError) as caught:
        _verify(*args)
    return str(caught.value)


@pytest.mark.django_db
def test_records_form_one_sealed_chain_that_verifies(applicant):
    records = _records(4)
    assert [r.sequence for r in records] == [1, 2, 3, 4]
    assert records[0].previous_hash == chain.GENESIS
    assert all(b.previous_hash == a.record_hash for a, b in zip(records, records[1:], strict=False))
    assert all(r.created_at <= s.created_at for r, s in zip(records, records[1:], strict=False))
    # The seal is recomputed from what the database returns (dates, JSON, addresses as stored).
    odd = record("test.odd", actor=applicant, details={"money": "1.10", "nested": {"b": [1, 2.5], "a": None}},
                 reason="含\x00空字符")
    assert AuditRecord.objects.get(pk=odd.pk).record_hash == chain.seal(AuditRecord.objects.get(pk=odd.pk))
    output = _verify()
    assert "intact: 5 records, sequence 1-5" in output
    assert f"Head: 5:{odd.record_hash}" in output


@pytest.mark.django_db
def test_the_database_refuses_update_and_delete_even_from_its_owner():
    first, _second = _records(2)
    for statement in (f"UPDATE {TABLE} SET reason = 'x' WHERE id = %s", f"DELETE FROM {TABLE} WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [first.pk])
    with pytest.raises(AppendOnlyError):
        first.save()
    with pytest.raises(AppendOnlyError):
        first.delete()
    # The purge's own switch does not open records younger than 180 days.
    with pytest.raises(DatabaseError, match="180 days"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL audit.purge = 'on'")
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [first.pk])
    assert AuditRecord.objects.count() == 2


@pytest.mark.django_db
def test_verify_audit_names_a_record_altered_in_sql():
    records = _records(5)
    target = records[2]
    _as_owner(f"UPDATE {TABLE} SET reason = 'nothing happened' WHERE id = %s", [target.pk])
    message = _broken()
    assert f"record #{target.pk} (sequence 3) altered" in message
    assert "after 2 intact records" in message


@pytest.mark.django_db
def test_verify_audit_names_a_record_altered_with_its_seal_recomputed_without_the_key():
    """Whoever recomputes a plain SHA-256 still fails: the seal is keyed (AUDIT_CHAIN_KEY)."""
    records = _records(3)
    target = records[1]
    forged = dict(chain.sealed_fields(target), reason="forged")
    forged_hash = hashlib.sha256(chain.canonical_json(forged)).hexdigest()
    _as_owner(f"UPDATE {TABLE} SET reason = 'forged', record_hash = %s WHERE id = %s", [forged_hash, target.pk])
    assert f"record #{target.pk} (sequence 2)" in _broken()


@pytest.mark.django_db
def test_verify_audit_names_a_record_inserted_in_sql():
    records = _records(5)
    # In the middle: the later records are renumbered to make room, as an insertion must.
    _as_owner(f"UPDATE {TABLE} SET sequence = sequence + 1000 WHERE sequence >= 3")
    _as_owner(f"UPDATE {TABLE} SET sequence = sequence - 999 WHERE sequence >= 1000")
    _as_owner(f"""INSERT INTO {TABLE} (created_at, sequence, previous_hash, record_hash, actor_username, actor_role,
                  action, object_type, object_id, object_repr, result, reason, details)
                  VALUES (%s, 3, %s, %s, 'national-9', 'national', 'application.transition', '', '', '',
                  'success', '', '{{}}') RETURNING id""",
              [records[1].created_at, records[1].record_hash, "f" * 64])
    inserted = AuditRecord.objects.get(sequence=3)
    assert inserted.pk not in {r.pk for r in records}
    assert f"record #{inserted.pk} (sequence 3) inserted" in _broken()


@pytest.mark.django_db
def test_verify_audit_names_a_record_appended_in_sql():
    records = _records(3)
    _as_owner(f"""INSERT INTO {TABLE} (created_at, sequence, previous_hash, record_hash, actor_username, actor_role,
                  action, object_type, object_id, object_repr, result, reason, details)
                  VALUES (now(), 4, %s, %s, '', '', 'auth.login', '', '', '', 'success', '', '{{}}')""",
              ["1" * 64, "2" * 64])
    forged = AuditRecord.objects.get(sequence=4)
    assert records[-1].sequence == 3
    assert f"record #{forged.pk} (sequence 4) inserted" in _broken()


@pytest.mark.django_db
def test_verify_audit_names_where_a_record_was_deleted_in_sql():
    records = _records(5)
    _as_owner(f"DELETE FROM {TABLE} WHERE id = %s", [records[2].pk])
    assert f"record(s) with sequence 3 removed before record #{records[3].pk} (sequence 4)" in _broken()
    # Removing the first record is found too (no purge recorded it).
    _as_owner(f"DELETE FROM {TABLE} WHERE id = %s", [records[0].pk])
    assert f"record(s) with sequence 1 removed before record #{records[1].pk} (sequence 2)" in _broken()


@pytest.mark.django_db
def test_records_removed_from_the_end_are_found_against_an_earlier_head():
    records = _records(4)
    head = f"{records[-1].sequence}:{records[-1].record_hash}"
    assert "intact" in _verify("--expect", head)
    _as_owner(f"DELETE FROM {TABLE} WHERE id = %s", [records[-1].pk])
    assert "intact: 3 records" in _verify()  # the chain alone cannot see it ...
    assert "sequence 4 was removed from the end" in _broken("--expect", head)  # ... the kept head can


@pytest.mark.django_db
def test_the_purge_refuses_records_younger_than_180_days(tmp_path):
    _records(3)
    young = timezone.localdate() - timedelta(days=179)
    with pytest.raises(CommandError) as caught:
        call_command("purge_audit", before=young.isoformat(), archive_dir=str(tmp_path))
    assert "at least 180 days" in str(caught.value)
    assert AuditRecord.objects.count() == 3 and not list(tmp_path.iterdir())
    # Asking for a longer retention never shortens the legal minimum.
    assert settings.AUDIT_RETENTION_DAYS >= 180


@pytest.mark.django_db
def test_the_purge_archives_old_records_to_a_signed_file_and_the_chain_still_verifies(tmp_path):
    old = [chain.append(_fields("test.old", reason=str(i)), created_at=timezone.now() - timedelta(days=200 - i))
           for i in range(3)]
    young = _records(2)
    out = StringIO()
    call_command("purge_audit", before=(timezone.localdate() - timedelta(days=180)).isoformat(),
                 archive_dir=str(tmp_path), stdout=out)
    assert "Purged 3 audit records (sequence 1-3)" in out.getvalue()
    assert set(AuditRecord.objects.values_list("pk", flat=True)) >= {r.pk for r in young}
    assert not AuditRecord.objects.filter(pk__in=[r.pk for r in old]).exists()
    purge = AuditRecord.objects.get(action="audit.purge")
    assert purge.details["up_to_sequence"] == 3 and purge.details["last_hash"] == old[-1].record_hash
    assert "intact: 3 records, sequence 4-6" in _verify()
    (archive,) = tmp_path.iterdir()
    assert purge.details["archive"] == archive.name
    lines = archive.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines[1:4]] == [r.pk for r in old]
    assert "Audit archive valid: 3 records, sequence 1-3" in _verify("--archive", str(archive))
    # A changed byte breaks the signature.
    archive.write_text(archive.read_text(encoding="utf-8").replace('"reason":"1"', '"reason":"9"'), encoding="utf-8")
    assert "signature does not match" in _broken("--archive", str(archive))


@pytest.mark.django_db
def test_the_purge_refuses_a_broken_chain(tmp_path):
    old = [chain.append(_fields("test.old"), created_at=timezone.now() - timedelta(days=300)) for _ in range(2)]
    _as_owner(f"UPDATE {TABLE} SET reason = 'x' WHERE id = %s", [old[1].pk])
    with pytest.raises(CommandError, match="chain is broken"):
        call_command("purge_audit", before=(timezone.localdate() - timedelta(days=181)).isoformat(),
                     archive_dir=str(tmp_path))
    assert AuditRecord.objects.count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_writers_in_parallel_processes_form_one_unbroken_chain():
    """Four threads, each with its own database connection, append inside their own transactions
    (as services do) at the same moment: one chain, no gap, no fork."""
    writers, per_writer = 4, 15
    barrier = threading.Barrier(writers, timeout=20)
    errors = []

    def write(n):
        try:
            barrier.wait()
            for i in range(per_writer):
                with transaction.atomic():
                    record(f"test.parallel.{n}", reason=str(i))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    sequences = list(AuditRecord.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, writers * per_writer + 1))
    report = chain.verify()
    assert report.intact and report.checked == writers * per_writer


SERVING_ROLE = "portal_audit_serving_test"


@pytest.fixture
def serving_role(django_db_serialized_rollback, transactional_db):
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {SERVING_ROLE}")
        cursor.execute(f"CREATE ROLE {SERVING_ROLE} LOGIN")
    call_command("grant_serving_role", SERVING_ROLE, stdout=StringIO())
    try:
        yield SERVING_ROLE
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {SERVING_ROLE}")
            cursor.execute(f"DROP ROLE {SERVING_ROLE}")


def _serving_connection(role):
    db = connection.settings_dict
    return psycopg2.connect(dbname=db["NAME"], user=role, host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432)


def test_the_serving_role_appends_and_reads_but_cannot_change_the_audit_trail(serving_role):
    db = connection.settings_dict
    url = f"postgres://{serving_role}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    # The application itself, connected as the serving role, writes and verifies records.
    script = ("import django; django.setup(); from audit.services import record; from audit import chain; "
              "[record('test.serving', reason=str(i)) for i in range(3)]; "
              "report = chain.verify(); print(report.intact, report.checked)")
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "portal.settings_test"}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "3"]
    first = AuditRecord.objects.order_by("sequence").first()
    with _serving_connection(serving_role) as conn:
        for statement in (f"UPDATE {TABLE} SET reason = 'x' WHERE id = {first.pk}",
                          f"DELETE FROM {TABLE} WHERE id = {first.pk}", f"TRUNCATE {TABLE}",
                          f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}", f"DROP TRIGGER {TRIGGER} ON {TABLE}"):
            with conn.cursor() as cursor, pytest.raises(psycopg2.Error) as caught:
                cursor.execute(statement)
            assert caught.value.pgcode in ("42501",), (statement, caught.value.pgerror)  # insufficient privilege
            conn.rollback()
        # The workflow logs are append-only for it too; the ordinary tables are its to change.
        with conn.cursor() as cursor:
            for table in append_only_tables()[1:]:
                with pytest.raises(psycopg2.Error) as caught:
                    cursor.execute(f"DELETE FROM {table}")
                assert caught.value.pgcode == "42501"
                conn.rollback()
            cursor.execute("UPDATE accounts_province SET name = name WHERE code = '320000'")
            assert cursor.rowcount == 1
        conn.rollback()
    assert AuditRecord.objects.filter(action="test.serving").count() == 3
    assert chain.verify().intact


@pytest.mark.django_db
def test_a_refused_change_leaves_its_refusal_and_nothing_else():
    with pytest.raises(ValueError), transaction.atomic():
        record("test.rolled_back")
        raise ValueError
    assert not AuditRecord.objects.filter(action="test.rolled_back").exists()
    refused = record("test.refused", result=REFUSED, reason="不允许")
    assert refused.result == "refused" and chain.verify().intact
