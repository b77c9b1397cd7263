"""Benchmark: the audit trail. Appends (one writer, then several at once, each append its own
transaction as a service's would be), verifying the chain, exporting to CSV and Excel, and serving a
20 MB upload with its SHA-256 check.

    .venv/bin/python bench/audit.py [--records 50000] [--writers 4]

Uses its own database (BENCH_DATABASE_URL, default portal_bench_audit, dropped and created) and a
temporary file store. Figures are recorded in bench/README.md.
"""

import argparse
import hashlib
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_audit")
os.environ.update({
    "DJANGO_SETTINGS_MODULE": "portal.settings", "DEBUG": "1", "DATABASE_URL": DB_URL, "LOG_LEVEL": "ERROR",
    "MEDIA_ROOT": tempfile.mkdtemp(prefix="bench-audit-"),
})


def fresh_database():
    import dj_database_url  # noqa: PLC0415 - kept with the database setup it serves
    import psycopg2  # noqa: PLC0415 - kept with the database setup it serves

    cfg = dj_database_url.parse(DB_URL)
    conn = psycopg2.connect(host=cfg["HOST"], port=cfg["PORT"] or 5432, user=cfg["USER"], dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{cfg["NAME"]}"')
        cur.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
    conn.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=50000)
    parser.add_argument("--writers", type=int, default=4)
    args = parser.parse_args()
    fresh_database()
    import django  # noqa: PLC0415 - only after django.setup()

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415 - only after django.setup()
    from django.db import connections, transaction  # noqa: PLC0415 - only after django.setup()

    call_command("migrate", verbosity=0)
    from audit import chain, exports  # noqa: PLC0415 - only after django.setup()
    from audit.models import AuditRecord  # noqa: PLC0415 - only after django.setup()
    from audit.services import record  # noqa: PLC0415 - only after django.setup()

    def timed(label, fn, count=None):
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        rate = f"  ({count / elapsed:,.0f}/s, {elapsed / count * 1000:.2f} ms each)" if count else ""
        print(f"{label:<52} {elapsed:8.2f} s{rate}")
        return result

    single = 500
    timed(f"append {single} records, one writer, a commit each", lambda: [
        record("bench.one", reason=str(i), details={"i": i}) for i in range(single)], single)

    def in_one_transaction(n):
        with transaction.atomic():
            for i in range(n):
                record("bench.batch", reason=str(i), details={"i": i})

    timed(f"append {single} records inside one transaction", lambda: in_one_transaction(single), single)
    per_writer = 200

    def writer(n):
        for i in range(per_writer):
            with transaction.atomic():
                record("bench.parallel", reason=f"{n}-{i}")
        connections.close_all()

    def parallel():
        threads = [threading.Thread(target=writer, args=(n,)) for n in range(args.writers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    timed(f"append {args.writers}x{per_writer} records, {args.writers} writers at once", parallel,
          args.writers * per_writer)
    # Bulk filler (sealed properly, through the same append) up to --records.
    remaining = args.records - AuditRecord.objects.count()
    if remaining > 0:
        def fill():
            for start in range(0, remaining, 1000):
                in_one_transaction(min(1000, remaining - start))

        timed(f"append {remaining} more records (1000 per transaction)", fill, remaining)
    total = AuditRecord.objects.count()
    report = timed(f"verify the chain ({total} records)", chain.verify, total)
    assert report.intact, report.broken
    queryset = AuditRecord.objects.select_related("actor_organisation").order_by("sequence")
    timed(f"CSV export ({total} records, streamed)", lambda: sum(
        len(line) for line in exports._csv_lines(queryset)), total)
    rows = exports.XLSX_MAX_ROWS
    timed(f"Excel export ({rows} records, the limit)", lambda: len(exports._xlsx(queryset[:rows])), rows)

    from django.core.files.base import ContentFile  # noqa: PLC0415 - only after django.setup()
    from django.core.files.storage import default_storage  # noqa: PLC0415 - only after django.setup()

    from applications import stored_files  # noqa: PLC0415 - only after django.setup()

    content = os.urandom(20 * 1024 * 1024)
    name = default_storage.save("bench/upload.pdf", ContentFile(b"%PDF-" + content))
    digest = hashlib.sha256(b"%PDF-" + content).hexdigest()

    def serve():
        served = stored_files.serve(name, digest, "bench.pdf", obj=None, what="bench")
        served.handle.close()

    timed("serve a 20 MB upload with its SHA-256 check", serve, 1)


if __name__ == "__main__":
    main()
