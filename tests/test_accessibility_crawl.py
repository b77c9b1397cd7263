"""Every page each demo role can reach passes axe-core, not only a fixed list.

The demo (seed_demo's steps, documents aside: their pages are reached all the same) is seeded into
the test database; then, as each demo account, Chromium follows every same-origin link from the
workspace (GET only, breadth first, bounded) and runs axe-core on every HTML page it reaches.
Serious and critical violations fail the test with the page, the rule and the first nodes.

Pages are told apart by path: the query-string variants of a list (sorting, filters) render the
same template and are visited once, through the first link that reaches them.
"""

import json
import re
from urllib.parse import urldefrag, urljoin, urlparse

import pytest
from django.utils.module_loading import import_string
from playwright.sync_api import Error as PlaywrightError

from accounts.demo import DEMO_PASSWORD
from portal.management.commands.seed_demo import DEMO_STEPS
from tests.browser import Walker, chromium  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# One account per role (accounts.demo), plus the applicant whose application was approved (成都), so
# the applicant's side of a decided application is crawled too.
ACCOUNTS = ("applicant", "applicant_cd", "province", "national", "expert", "admin", "security", "auditor")
PAGES_PER_ACCOUNT = 60
# Not crawled: Django's own admin site and the API's Swagger UI (third-party widgets; the docs page's own
# frame is checked in tests/test_api_schema.py), signing out, language switching (POST forms anyway), files.
SKIP = re.compile(r"^/(admin/|api/docs/|accounts/logout|i18n/|static/)|/(download|document)/$|\.xlsx$")


def crawl(walker, limit=PAGES_PER_ACCOUNT):
    """Breadth-first over same-origin links from "/"; returns {path: [violations]} for HTML pages."""
    page = walker.page
    base = urlparse(page.url)
    seen, queue, found = set(), ["/"], {}
    while queue and len(seen) < limit:
        target = queue.pop(0)
        path = urlparse(target).path
        if path in seen:
            continue
        seen.add(path)
        try:
            response = page.goto(target)
        except PlaywrightError as error:  # a file the pattern above did not recognise
            if "Download is starting" in str(error):
                continue
            raise
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        found[path] = walker.axe()
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            url = urlparse(urldefrag(urljoin(page.url, href))[0])
            if url.scheme not in ("http", "https") or url.netloc != base.netloc or SKIP.search(url.path):
                continue
            if url.path not in seen:
                queue.append(url.path + (f"?{url.query}" if url.query else ""))
    return found


def test_every_page_each_demo_role_reaches_passes_axe(chromium, live_server):  # noqa: F811
    for step in DEMO_STEPS:
        if not step.startswith("documents."):
            import_string(step)()
    failures, counts = {}, {}
    for username in ACCOUNTS:
        walker = Walker(chromium, live_server.url, f"crawl-{username}")
        try:
            walker.login(username, DEMO_PASSWORD)
            found = crawl(walker)
        finally:
            walker.close()
        counts[username] = len(found)
        failures.update({f"{username} {path}": bad for path, bad in found.items() if bad})
        assert not walker.errors, f"{username}: JavaScript errors {walker.errors}"
    print("pages crawled per account:", counts, "total:", sum(counts.values()))
    # The crawl really went somewhere: each business role reaches its own pages.
    assert counts["applicant"] >= 12 and counts["province"] >= 10 and counts["national"] >= 12
    assert counts["expert"] >= 4
    assert not failures, json.dumps(failures, ensure_ascii=False, indent=1)
