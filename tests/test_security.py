"""Security as an auditor would check it: lockout, production headers and cookies, the admin, templates.

Production headers are checked in a subprocess that loads portal.settings with DEBUG off and
SECURE_HTTPS on (the defaults a deployment gets), not by overriding settings in this process.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client

from accounts.enums import Role

from .conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
LOCKED_MESSAGE = "账户已被临时锁定"
LIMIT = settings.SECURITY_LOCKOUT_FAILURES  # the policy's default (security/policy.py)


def _csrf_client(**kwargs):
    """A client that enforces CSRF, as a browser-driven POST would face it."""
    return Client(enforce_csrf_checks=True, **kwargs)


def _login(client, username, password):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    return client.post("/accounts/login/", {"username": username, "password": password,
                                           "csrfmiddlewaretoken": token})


# --- Lockout (django-axes) ----------------------------------------------------------------------


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account_even_for_the_right_password(applicant):
    assert LIMIT == 5
    client = _csrf_client()
    for attempt in range(1, LIMIT):
        response = _login(client, applicant.username, f"wrong-{attempt}")
        assert response.status_code == 200, attempt
        assert "请输入一个正确的" in response.content.decode()
        assert "_auth_user_id" not in client.session
    # The fifth failure reaches the limit: axes answers with the lockout page.
    fifth = _login(client, applicant.username, "wrong-5")
    assert fifth.status_code == settings.AXES_HTTP_RESPONSE_CODE == 429
    assert LOCKED_MESSAGE in fifth.content.decode()
    # The sixth attempt, with the right password, is refused the same way and logs nobody in.
    sixth = _login(client, applicant.username, PASSWORD)
    assert sixth.status_code == 429
    body = sixth.content.decode()
    assert LOCKED_MESSAGE in body and "30分钟" in body
    assert "_auth_user_id" not in client.session
    assert client.get("/applicant/").status_code == 302  # still anonymous


@pytest.mark.django_db
def test_lockout_follows_the_username_to_another_address(applicant):
    client = _csrf_client(REMOTE_ADDR="10.0.0.1")
    for attempt in range(LIMIT):
        _login(client, applicant.username, f"wrong-{attempt}")
    elsewhere = _csrf_client(REMOTE_ADDR="10.0.0.2")
    response = _login(elsewhere, applicant.username, PASSWORD)
    assert response.status_code == 429
    assert LOCKED_MESSAGE in response.content.decode()


@pytest.mark.django_db
def test_failures_below_the_limit_do_not_lock_and_success_resets_them(applicant):
    client = _csrf_client()
    for attempt in range(LIMIT - 1):
        assert _login(client, applicant.username, f"wrong-{attempt}").status_code == 200
    ok = _login(client, applicant.username, PASSWORD)
    assert ok.status_code == 302 and ok.url == "/"
    client.post("/accounts/logout/", {"csrfmiddlewaretoken": client.cookies[settings.CSRF_COOKIE_NAME].value})
    # AXES_RESET_ON_SUCCESS: the count starts again, so four more failures still do not lock.
    for attempt in range(LIMIT - 1):
        assert _login(client, applicant.username, f"again-{attempt}").status_code == 200
    assert _login(client, applicant.username, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_login_without_csrf_token_is_refused(applicant):
    client = _csrf_client()
    response = client.post("/accounts/login/", {"username": applicant.username, "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


# --- Production headers and cookies (subprocess with production settings) -----------------------

PROBE = r"""
import json, django
django.setup()
from django.test import Client
from django.conf import settings
from accounts.models import User
out = {"settings": {k: getattr(settings, k) for k in (
    "DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "X_FRAME_OPTIONS")}}
plain = Client().get("/accounts/login/")
out["plain"] = {"status": plain.status_code, "location": plain.headers.get("Location", "")}
client = Client(enforce_csrf_checks=True)
page = client.get("/accounts/login/", secure=True)
out["page"] = {"status": page.status_code, "headers": dict(page.headers)}
assert page.status_code == 200, (page.status_code, page.content[:2000])
csrf = page.cookies[settings.CSRF_COOKIE_NAME]
out["csrf_cookie"] = {"secure": bool(csrf["secure"]), "samesite": csrf["samesite"], "httponly": bool(csrf["httponly"])}
user = User.objects.get(username=USERNAME)
user.set_password(PASSWORD)  # with the production hasher (the test settings use a fast one)
user.save()
form = {"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": csrf.value}
# Over HTTPS Django also checks that the POST came from this site (a browser sends Referer here).
out["cross_site"] = client.post("/accounts/login/", form, secure=True,
                                headers={"Referer": "https://evil.example/"}).status_code
login = client.post("/accounts/login/", form, secure=True, headers={"Referer": "https://testserver/accounts/login/"})
session = login.cookies[settings.SESSION_COOKIE_NAME]
out["login"] = {"status": login.status_code, "headers": dict(login.headers)}
out["session_cookie"] = {"secure": bool(session["secure"]), "httponly": bool(session["httponly"]),
                         "samesite": session["samesite"]}
workspace = client.get("/applicant/", secure=True)
out["workspace"] = {"status": workspace.status_code, "headers": dict(workspace.headers)}
print("PROBE" + json.dumps(out))
"""


@pytest.fixture(scope="module")
def production_static_root(tmp_path_factory):
    """Production serves hashed, compressed static files; collect them once like a deployment does."""
    root = tmp_path_factory.mktemp("static-root")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "DEBUG": "0", "SECRET_KEY": "z" * 60,
           "STATIC_ROOT": str(root)}
    result = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture
def production_probe(applicant, production_static_root):
    """Run PROBE in a fresh interpreter with production settings against this test's database."""
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "DEBUG": "0", "SECURE_HTTPS": "1",
           "SECRET_KEY": "p" * 60, "ALLOWED_HOSTS": "testserver", "DATABASE_URL": url,
           "STATIC_ROOT": str(production_static_root), "REDIS_URL": ""}
    code = f"USERNAME = {applicant.username!r}\nPASSWORD = {PASSWORD!r}\n" + PROBE
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("PROBE"))
    return json.loads(line[len("PROBE"):])


# Committed rows, so that the subprocess sees the user; serialized_rollback restores the seeded provinces.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_production_settings_send_secure_headers_and_cookies(production_probe):
    probe = production_probe
    assert probe["settings"]["DEBUG"] is False
    # Plain HTTP is redirected to HTTPS.
    assert probe["plain"]["status"] == 301 and probe["plain"]["location"].startswith("https://")
    page = probe["page"]
    assert page["status"] == 200
    for response in (page, probe["workspace"], probe["login"]):
        headers = {k.lower(): v for k, v in response["headers"].items()}
        assert headers["strict-transport-security"].startswith("max-age=31536000")
        assert "includeSubDomains" in headers["strict-transport-security"]
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        csp = headers["content-security-policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
        assert directives["script-src"] == "'self'"
        assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in csp
        assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
        assert "unsafe-inline" not in directives.get("default-src", "")
    assert probe["csrf_cookie"]["secure"] is True and probe["csrf_cookie"]["samesite"] == "Lax"
    assert probe["cross_site"] == 403
    assert probe["login"]["status"] == 302
    assert probe["session_cookie"] == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert probe["workspace"]["status"] == 200


@pytest.mark.django_db
def test_every_page_in_this_process_carries_the_csp_and_frame_headers(client, applicant):
    client.force_login(applicant)
    for url in ("/accounts/login/", "/applicant/", "/healthz"):
        response = client.get(url)
        assert response["X-Frame-Options"] == "DENY", url
        assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY, url
        assert response["X-Content-Type-Options"] == "nosniff", url


# --- The admin ---------------------------------------------------------------------------------


@pytest.fixture
def users(applicant, provincial, national, expert, administrator):
    return {Role.APPLICANT: applicant, Role.PROVINCIAL: provincial, Role.NATIONAL: national, Role.EXPERT: expert,
            Role.ADMIN: administrator}


ADMIN_MODEL_URLS = {
    "/admin/accounts/user/", "/admin/accounts/organisation/", "/admin/accounts/province/",
    "/admin/accounts/expertprofile/", "/admin/applications/application/", "/admin/applications/call/",
    "/admin/review/criterion/", "/admin/review/transitionlog/",
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.APPLICANT, Role.PROVINCIAL, Role.EXPERT])
def test_other_roles_are_sent_to_the_admin_login_for_every_admin_page(client, users, role):
    client.force_login(users[role])
    for url in sorted(ADMIN_MODEL_URLS) + ["/admin/applications/call/add/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/admin/login/"), url


@pytest.mark.django_db
def test_the_admin_has_no_login_of_its_own(users):
    """No second door without the second factor: the admin's login page sends to the portal's."""
    client = _csrf_client()
    response = client.get("/admin/login/?next=/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/accounts/user/"
    assert client.get("/admin/login/?next=https://evil.example/")["Location"] == "/accounts/login/?next=/admin/"
    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_national_staff_see_only_calls_and_criteria_in_the_admin(client, users):
    client.force_login(users[Role.NATIONAL])
    index = client.get("/admin/")
    models = {m["object_name"] for app in index.context["app_list"] for m in app["models"]}
    assert models == {"Call", "Criterion"}
    for url in ADMIN_MODEL_URLS - {"/admin/applications/call/", "/admin/review/criterion/"}:
        assert client.get(url).status_code == 403, url
    assert client.get("/admin/review/criterion/").status_code == 200


@pytest.mark.django_db
def test_administrators_reach_accounts_but_no_business_data(client, users):
    """三员分立: the 系统管理员 keeps accounts and organisations and sees no application, call or log
    (the whole matrix is in tests/test_separation_of_duties.py)."""
    client.force_login(users[Role.ADMIN])
    accounts = {"/admin/accounts/user/", "/admin/accounts/organisation/", "/admin/accounts/province/",
                "/admin/accounts/expertprofile/"}
    for url in ADMIN_MODEL_URLS:
        assert client.get(url).status_code == (200 if url in accounts else 403), url
    assert client.get("/admin/review/transitionlog/add/").status_code == 403
    assert client.get("/admin/applications/application/add/").status_code == 403


# --- Templates: no inline script, no external assets --------------------------------------------


def _project_template_files():
    dirs = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    for config in apps.get_app_configs():
        path = Path(config.path)
        # The project's own apps (a virtual environment inside the project holds third-party apps).
        if ROOT in path.parents and "site-packages" not in path.parts and (path / "templates").is_dir():
            dirs.append(path / "templates")
    files = sorted({f for d in dirs for f in d.rglob("*") if f.is_file() and f.suffix in {".html", ".txt", ".xml"}})
    assert len(files) >= 10, dirs
    return files


SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
EXTERNAL_ASSET = re.compile(
    r"""(?:<(?:script|img|iframe|source|audio|video|embed)\b[^>]*\ssrc|<link\b[^>]*\shref|url\()\s*=?\s*["']?\s*"""
    r"""(?:https?:)?//""", re.IGNORECASE)


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for path in _project_template_files():
        text = path.read_text(encoding="utf-8")
        for match in SCRIPT_TAG.finditer(text):
            if not re.search(r"\ssrc\s*=", match.group(1)):
                offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
        offenders += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in EVENT_HANDLER.finditer(text)]
        if "javascript:" in text.lower():
            offenders.append(f"{path.relative_to(ROOT)}: javascript: URL")
    assert offenders == []


def test_no_template_or_stylesheet_loads_an_external_asset():
    files = _project_template_files() + sorted((ROOT / "static" / "css").rglob("*.css"))
    offenders = [f"{path.relative_to(ROOT)}: {m.group(0)}" for path in files
                 for m in EXTERNAL_ASSET.finditer(path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_scanners_catch_what_they_are_meant_to_catch():
    """The two scans above would be worthless if their patterns matched nothing."""
    assert SCRIPT_TAG.search('<script>alert(1)</script>') and not re.search(r"\ssrc\s*=", "")
    assert EVENT_HANDLER.search('<button onclick="x()">')
    assert EXTERNAL_ASSET.search('<script src="https://cdn.example/x.js">')
    assert EXTERNAL_ASSET.search("<link rel=stylesheet href='//cdn.example/x.css'>")
    assert EXTERNAL_ASSET.search("background: url(https://cdn.example/a.png)")
    assert not EXTERNAL_ASSET.search('<script src="/static/js/portal.js">')
    assert not EXTERNAL_ASSET.search('<a href="https://www.cnipa.gov.cn/">')


# --- The benchmark's bare view is never part of the portal ---------------------------------------


@pytest.mark.django_db
def test_the_bench_bare_view_is_not_routed_by_the_portal(client):
    assert client.get("/bench/bare").status_code == 404


@pytest.mark.django_db
@pytest.mark.urls("bench.urls")
def test_the_bench_bare_view_renders_the_base_template_without_queries(client, settings, django_assert_num_queries):
    settings.BENCH_VIEWS = False
    assert client.get("/bench/bare").status_code == 404
    settings.BENCH_VIEWS = True
    with django_assert_num_queries(0):
        response = client.get("/bench/bare")
    assert response.status_code == 200
    assert "base.html" in [t.name for t in response.templates]
