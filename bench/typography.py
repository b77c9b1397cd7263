"""Benchmark: what the Chinese punctuation middleware (portal.middleware.ChinesePunctuationMiddleware,
typography.fullwidth_html) costs per page: on the demo's real pages (fetched without the middleware) and
on a synthetic 50 kB page dense with marks (a worst case).

    DATABASE_URL=postgres://…/portal_demo .venv/bin/python bench/typography.py

Needs a database with the demo data (manage.py seed_demo). Prints milliseconds per page (CPU time,
median of 200 runs); figures are recorded in bench/README.md.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from typography import fullwidth_html  # noqa: E402

PAGES = {"national": ["/national/", "/national/distribution/", "/applications/9/", "/applications/9/documents/"],
         "province": ["/province/"], "applicant": ["/applicant/", "/applications/1/"], "expert": ["/expert/"]}


def cost(html, runs=200):
    fullwidth_html(html)
    times = []
    for _ in range(runs):
        started = time.process_time()
        fullwidth_html(html)
        times.append(time.process_time() - started)
    return statistics.median(times) * 1000


def synthetic():
    row = ('<tr><td><a href="/applications/12/">苏州工业园区国家专利导航产业发展实验区</a></td><td><span class="badge">'
           '省局审核中</span></td><td>江苏(320000)</td><td>2026-05-10 10:30</td><td>材料齐全,符合申报条件:同意推荐;</td></tr>\n')
    return "<html><body><table>" + row * (50000 // len(row.encode())) + "</table></body></html>"


def main():
    User = get_user_model()
    middleware = [m for m in settings.MIDDLEWARE if not m.endswith("ChinesePunctuationMiddleware")]
    rows = [("synthetic, 692 marks", synthetic())]
    with override_settings(MIDDLEWARE=middleware, ALLOWED_HOSTS=["*"], SECURE_SSL_REDIRECT=False):
        for username, urls in PAGES.items():
            client = Client()
            client.force_login(User.objects.get(username=username))
            for url in urls:
                rows.append((f"{username} {url}", client.get(url).content.decode()))
    for name, html in rows:
        print(f"{name:<40} {len(html.encode()) / 1024:6.1f} kB  {cost(html):6.3f} ms")


if __name__ == "__main__":
    main()
