"""Profile one request of each hot page on the bench fixture, in one process, with the test client.

    .venv/bin/python bench/page_profile.py                      # time, queries and database time per page
    .venv/bin/python bench/page_profile.py --top 25 /province/  # plus the cProfile top entries of that page

Reads the bench database (`bench/load.py build` first). Each page is requested once to warm the
caches and the template loader, then `--repeat` times measured; the figures are the median wall
time and the median CPU time of this process (the CPU time moves less with other load on the
machine; it leaves out PostgreSQL's own time, which is the "in the database" column). Users
are the first bench user of each role (experts: one with an open assignment); the application pages
are one the user may see.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import DEFAULT_DB, mark_verified, setup_django  # noqa: E402


def pages():
    from accounts.enums import Role
    from accounts.models import User
    from applications.queries import applications_for
    from zones.models import Zone

    users = User.objects.filter(username__startswith="bench-").select_related("organisation").order_by("pk")
    applicant = users.filter(role=Role.APPLICANT).first()
    provincial = users.filter(role=Role.PROVINCIAL).first()
    national = users.filter(role=Role.NATIONAL).first()
    expert = users.filter(role=Role.EXPERT, assignments__status="assigned").distinct().first()

    def detail(user):
        return f"/applications/{applications_for(user).order_by('pk').values_list('pk', flat=True).first()}/"

    zone = Zone.objects.filter(province_id=provincial.organisation.province_id).order_by("pk").first()
    return [
        ("bare view", None, "/bench/bare"),
        ("/applicant/", applicant, "/applicant/"),
        ("/province/", provincial, "/province/"),
        ("/province/?filters", provincial, "/province/?state=recommended&sort=-state_changed_at"),
        ("/national/", national, "/national/"),
        ("/national/?filters", national, "/national/?state=expert_review"),
        ("/expert/", expert, "/expert/"),
        ("/zones/ (national)", national, "/zones/"),
        ("detail as applicant", applicant, detail(applicant)),
        ("detail as province", provincial, detail(provincial)),
        ("detail as national", national, detail(national)),
        ("assignment page as expert", expert,
         f"/expert/assignments/{expert.assignments.filter(status='assigned').order_by('pk').first().pk}/"),
        ("zone page as province", provincial, f"/zones/{zone.pk}/" if zone else "/zones/"),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="page names (or URL prefixes) to profile with cProfile")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--save", help="directory to write each page's HTML into (to compare two trees)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    args = parser.parse_args()
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    # The static files `bench/load.py run` collected (the manifest storage needs them).
    os.environ.setdefault("STATIC_ROOT", os.path.join(tempfile.gettempdir(), "portal-bench-static"))
    setup_django(args.database_url)

    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    print(f"load average {os.getloadavg()[0]:.1f}")
    print("Rendered: every request renders its page (PAGE_CACHE_SECONDS=0, what a cache miss costs). "
          "Cached: the user's page served again from the cache (pagecache).\n")
    print("| page | wall ms rendered | CPU ms rendered | queries rendered | in the database ms | size kB "
          "| CPU ms cached | queries cached |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    profiles = []

    def measure(client, url):
        times, cpu = [], []
        for _ in range(args.repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            client.get(url)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        return statistics.median(times), statistics.median(cpu), list(ctx.captured_queries), response

    def profile(client, name, url):
        if any(name.startswith(n) or url.startswith(n) for n in args.names):
            prof = cProfile.Profile()
            prof.enable()
            client.get(url)
            prof.disable()
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats(args.sort).print_stats(args.top)
            profiles.append((name, url, out.getvalue()))

    for name, user, url in pages():
        client = Client()
        if user is not None:
            client.force_login(user)
            session = client.session
            mark_verified(session, user)
            session.save()
        with override_settings(PAGE_CACHE_SECONDS=0):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            wall, cpu, ctx, response = measure(client, url)
            profile(client, name + ", rendered", url)
        client.get(url)  # fills the cache
        _wall, cached_cpu, cached_ctx, _response = measure(client, url)
        if args.save:
            name_safe = "".join(c if c.isalnum() else "_" for c in name)
            Path(args.save, name_safe + ".html").write_bytes(response.content)
        db_ms = sum(float(q["time"]) for q in ctx) * 1000
        print(f"| {name} | {wall * 1000:.0f} | {cpu * 1000:.1f} | {len(ctx)} | {db_ms:.0f} "
              f"| {len(response.content) / 1024:.0f} | {cached_cpu * 1000:.1f} | {len(cached_ctx)} |")
        profile(client, name + ", cached", url)
    for name, url, text in profiles:
        print(f"\n## {name} ({url})\n{text}")


if __name__ == "__main__":
    main()
