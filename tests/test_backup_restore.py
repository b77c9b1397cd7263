"""数据备份恢复: the documented procedure (scripts/backup.sh, scripts/restore.sh; docs/security.md) run for
real: pg_dump of the database and a tar of the file store, restored into a fresh database and an empty
directory, where every application, every log entry and every audit record is found again, the audit
chain verifies, every stored file matches its SHA-256 and the database still refuses to change the trail."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

from accounts.enums import Role
from applications.enums import ApplicationState as S
from audit.services import record
from tests.factories import open_call
from tests.pipeline_support import application_in

ROOT = Path(__file__).resolve().parent.parent
RESTORED = "portal_audit_restore_test"

TABLES = {
    "applications_application": "id, state, current_version",
    "applications_applicationversion": "id, application_id, number",
    "applications_evidence": "id, sha256",
    "review_transitionlog": "id, application_id, transition, to_state",
    "review_provincialreview": "id, application_id, decision",
    "audit_auditrecord": "id, sequence, record_hash",
}


def _url(name):
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _rows(conn, table):
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT {TABLES[table]} FROM {table} ORDER BY id")  # noqa: S608 - fixed names
        return cursor.fetchall()


def _admin(sql):
    db = connection.settings_dict
    admin = psycopg2.connect(dbname="postgres", user=db["USER"], host=db["HOST"] or "127.0.0.1",
                             port=db["PORT"] or 5432)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql)
    admin.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_dump_restored_into_a_fresh_database_has_every_application_log_and_audit_record(
        tmp_path, applicant, provincial, national, make_expert):
    actors = {Role.APPLICANT: applicant, Role.PROVINCIAL: provincial, Role.NATIONAL: national}
    application_in(S.NATIONAL_REVIEW, applicant, actors, make_expert, call=open_call(title="备份测试批次一"))
    application_in(S.RETURNED, applicant, actors, make_expert, call=open_call(title="备份测试批次二"))
    record("test.backup", reason="备份前最后一条")
    source = connection.connection  # Django's own connection to the test database
    before = {table: _rows(source, table) for table in TABLES}
    assert all(before.values()), {t: len(rows) for t, rows in before.items()}

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings_test", "PYTHON": sys.executable}
    backup = subprocess.run(["bash", "scripts/backup.sh", str(tmp_path / "backup")], cwd=ROOT, capture_output=True,
                            text=True, timeout=300, env={**env, "DATABASE_URL": _url(connection.settings_dict["NAME"]),
                                                         "MEDIA_ROOT": str(settings.MEDIA_ROOT)})
    assert backup.returncode == 0, backup.stderr
    dump, files, _manifest = backup.stdout.split()

    _admin(f"DROP DATABASE IF EXISTS {RESTORED}")
    _admin(f"CREATE DATABASE {RESTORED}")
    try:
        restored_files = tmp_path / "restored-files"
        restore = subprocess.run(
            ["bash", "scripts/restore.sh", dump, files], cwd=ROOT, capture_output=True, text=True, timeout=600,
            env={**env, "DATABASE_URL": _url(RESTORED), "MEDIA_ROOT": str(restored_files),
                 "TEST_MEDIA_ROOT": str(restored_files)})
        assert restore.returncode == 0, restore.stdout + restore.stderr
        assert "Audit chain intact" in restore.stdout and "stored files match their SHA-256" in restore.stdout
        assert restore.stdout.rstrip().endswith("Restore verified.")
        db = connection.settings_dict
        with psycopg2.connect(dbname=RESTORED, user=db["USER"], host=db["HOST"] or "127.0.0.1",
                              port=db["PORT"] or 5432) as restored:
            after = {table: _rows(restored, table) for table in TABLES}
            assert after == before
            # The restored trail is as append-only as the original.
            with restored.cursor() as cursor, pytest.raises(psycopg2.Error, match="append-only"):
                cursor.execute("UPDATE audit_auditrecord SET reason = 'x'")
            restored.rollback()
        restored.close()
    finally:
        _admin(f"DROP DATABASE IF EXISTS {RESTORED}")
