"""Benchmark: the 申报书 of a realistic application (about ten pages) cold and warm in this process,
then a batch of 50 through real Celery workers on Redis.

    .venv/bin/python bench/documents.py [--batch 50] [--workers 2]

Uses its own database (BENCH_DATABASE_URL, default portal_bench_documents, created and migrated if
missing), its own Redis queue and a temporary file store. Prints seconds per document and documents
per second; figures are recorded in bench/README.md.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_documents")
ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings", "DEBUG": "1", "DATABASE_URL": DB_URL,
    "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"),
    "CELERY_QUEUE": f"bench-documents-{os.getpid()}", "MEDIA_ROOT": tempfile.mkdtemp(prefix="bench-documents-"),
    "LOG_LEVEL": "ERROR", "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
}
os.environ.update(ENV)


def ensure_database():
    import dj_database_url
    import psycopg2

    cfg = dj_database_url.parse(DB_URL)
    conn = psycopg2.connect(host=cfg["HOST"], port=cfg["PORT"] or 5432, user=cfg["USER"], dbname="postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("select 1 from pg_database where datname = %s", [cfg["NAME"]])
            if not cur.fetchone():
                cur.execute(f'create database "{cfg["NAME"]}"')
    finally:
        conn.close()


def realistic_application():
    """A complete application, its plan written out at realistic length, submitted once."""
    from accounts.enums import OrganisationKind, Role
    from accounts.models import Organisation, Province, User
    from applications.models import Application
    from review.transitions import perform
    from tests.factories import complete_application, open_call

    province = Province.objects.get(code="320000")
    bureau = Organisation.objects.get(kind=OrganisationKind.PROVINCIAL_BUREAU, province=province)
    org, _ = Organisation.objects.get_or_create(kind=OrganisationKind.APPLICANT, name="苏州市人民政府(基准)",
                                                defaults={"province": province, "level": "prefecture",
                                                          "city": "苏州市", "parent": bureau})
    user, _ = User.objects.get_or_create(username="bench-applicant", defaults={"role": Role.APPLICANT,
                                                                                "organisation": org})
    call = open_call(title="基准测试批次")
    existing = Application.objects.filter(call=call, applicant=org).first()
    if existing and existing.current_version:
        return existing
    app = complete_application(user, call)
    paragraph = ("围绕纳米技术与集成电路产业链,建立专利分析与产业运行决策深度融合、持续互动的产业决策机制,"
                 "追踪产业关键技术的国内外专利动态,排查、识别、预警专利风险,推动专利资源专业化集聚、一体化运营。")
    for field in ("plan_situation", "plan_problems", "plan_positioning", "plan_path", "plan_goals", "task_mechanism",
                  "task_network", "task_projects", "task_services", "task_enterprises", "task_international",
                  "plan_measures", "plan_safeguards"):
        setattr(app, field, getattr(app, field) + "\n" + paragraph)
    app.save()
    perform(app, user, "submit", expected_state=app.state)
    app.refresh_from_db()
    return app


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.utils.translation import override

    from documents.contexts import context_for
    from documents.engine import page_count, render_pdf
    from documents.enums import DocumentKind as K
    from documents.models import Document
    from documents.sources import source_application_form
    from documents.tasks import render_document

    app = realistic_application()
    data = source_application_form(app)
    context = context_for(K.APPLICATION_FORM, data, app)

    def once():
        started, cpu = time.perf_counter(), time.process_time()
        with override("zh-hans"):
            pdf = render_pdf("documents/application_form.html", context)
        return time.perf_counter() - started, time.process_time() - cpu, page_count(pdf)

    cold, cold_cpu, pages = once()
    warm = [once() for _ in range(5)]
    print(f"申报书: {pages} pages; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"cold (first render in a fresh process, fonts loaded): {cold:.2f} s wall, {cold_cpu:.2f} s CPU")
    print(f"warm (median of 5): {statistics.median(w for w, _c, _p in warm):.2f} s wall, "
          f"{statistics.median(c for _w, c, _p in warm):.2f} s CPU per document")

    # A batch through real workers: each rendering is a new document row (distinct versions).
    base = (Document.objects.filter(kind=K.APPLICATION_FORM, application=app).order_by("-version")
            .values_list("version", flat=True).first() or 0)
    docs = [Document.objects.create(kind=K.APPLICATION_FORM, application=app, version=base + i + 1,
                                    content_hash=f"bench-{base + i}") for i in range(args.batch)]
    env = {**os.environ, **ENV}
    workers = [subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool", "solo", "-Q", ENV["CELERY_QUEUE"],
         "-n", f"bench{i}-{os.getpid()}@%h", "--loglevel", "ERROR", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env) for i in range(args.workers)]
    try:
        # Let the workers import Django and load fonts before the clock starts.
        from portal.celery import app as celery_app

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(celery_app.control.ping(timeout=0.5) or []) < args.workers:
            pass
        started = time.perf_counter()
        for d in docs:
            render_document.delay(d.pk)
        ids = [d.pk for d in docs]
        while Document.objects.filter(pk__in=ids, status__in=["queued", "rendering"]).exists():
            time.sleep(0.1)
        elapsed = time.perf_counter() - started
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(timeout=30)
    failed = Document.objects.filter(pk__in=ids, status="failed").count()
    print(f"batch of {args.batch} on {args.workers} workers: {elapsed:.2f} s, "
          f"{args.batch / elapsed:.2f} documents/s, {elapsed / args.batch:.2f} s/document, failed {failed}")
    Document.objects.filter(pk__in=ids).delete()


if __name__ == "__main__":
    main()
