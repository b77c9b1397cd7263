import json
import subprocess
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse

from accounts.enums import OrganisationKind, Region, Role
from accounts.models import Organisation, Province
from accounts.provinces import PROVINCES

from .auth_support import sign_in

WORKSPACES = {
    Role.APPLICANT: "/applicant/",
    Role.PROVINCIAL: "/province/",
    Role.NATIONAL: "/national/",
    Role.EXPERT: "/expert/",
    Role.ADMIN: "/administration/",
    Role.SECURITY_ADMIN: "/security/",
    Role.AUDIT_ADMIN: "/audit/records/",
}


@pytest.fixture
def users(applicant, provincial, national, expert, administrator, security_admin, audit_admin):
    return {Role.APPLICANT: applicant, Role.PROVINCIAL: provincial, Role.NATIONAL: national, Role.EXPERT: expert,
            Role.ADMIN: administrator, Role.SECURITY_ADMIN: security_admin, Role.AUDIT_ADMIN: audit_admin}


@pytest.mark.django_db
def test_data_migration_creates_32_provinces_with_bureaus_and_regions():
    assert Province.objects.count() == 32
    assert {p.name for p in Province.objects.all()} == {name for _, name, _, _ in PROVINCES}
    assert Province.objects.get(code="660000").name == "新疆生产建设兵团"
    assert Province.objects.get(code="660000").region == Region.NORTHWEST
    assert Province.objects.get(name="广东省").region == Region.SOUTH
    assert set(Province.objects.values_list("region", flat=True)) == set(Region.values)
    bureaus = Organisation.objects.filter(kind=OrganisationKind.PROVINCIAL_BUREAU)
    assert bureaus.count() == 32
    assert bureaus.get(province__code="660000").name == "新疆生产建设兵团知识产权局"
    assert bureaus.get(province__code="450000").name == "广西壮族自治区知识产权局"
    national = Organisation.objects.get(kind=OrganisationKind.NATIONAL_OFFICE)
    assert set(bureaus.values_list("parent", flat=True)) == {national.pk}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(WORKSPACES))
def test_login_redirects_each_role_to_its_workspace(client, users, role):
    user = users[role]
    response = sign_in(client, user)  # the password, then (all but applicants) enrolment of a second factor
    assert response.status_code == 302
    next_url = response["Location"]
    if role != Role.APPLICANT:
        assert next_url == reverse("security:recovery_codes")
        codes = client.get(next_url)
        assert codes.status_code == 200 and 'href="/"' in codes.content.decode()
        next_url = "/"
    home = client.get(next_url)
    assert home.status_code == 302 and home["Location"] == WORKSPACES[role]
    page = client.get(home["Location"])
    assert page.status_code == 200
    assert 'lang="zh-CN"' in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(WORKSPACES))
def test_other_roles_workspaces_are_forbidden(client, users, role):
    client.force_login(users[role])
    for other, url in WORKSPACES.items():
        expected = 200 if other == role else 403
        assert client.get(url).status_code == expected, (role, url)


@pytest.mark.django_db
def test_anonymous_user_is_sent_to_login(client):
    for url in WORKSPACES.values():
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_wrong_password_shows_error_in_chinese_and_english(client, applicant):
    response = client.post(reverse("login"), {"username": applicant.username, "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.post(reverse("login"), {"username": applicant.username, "password": "wrong"})
    assert "Please enter a correct" in response.content.decode()


@pytest.mark.django_db
def test_language_switch_to_english(client, national):
    client.force_login(national)
    assert "国家局工作台" in client.get("/national/").content.decode()
    response = client.post(reverse("set_language"), {"language": "en", "next": "/national/"})
    assert response.status_code == 302
    page = client.get("/national/").content.decode()
    assert 'lang="en"' in page
    assert "National office workspace" in page


@pytest.mark.django_db
def test_password_reset_sends_mail(client, applicant, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": applicant.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/reset/" in mailoutbox[0].body


@pytest.mark.django_db
def test_admin_is_limited_to_administrators_and_national_staff(client, users):
    for role, user in users.items():
        client.force_login(user)
        response = client.get("/admin/")
        if role in (Role.ADMIN, Role.NATIONAL, Role.SECURITY_ADMIN):
            assert response.status_code == 200, role
        else:
            assert response.status_code == 302, role
    client.force_login(users[Role.NATIONAL])
    assert client.get("/admin/applications/call/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 403


@pytest.mark.django_db
def test_seed_demo_is_idempotent(django_user_model):
    call_command("seed_demo", "--i-know-this-is-not-production", verbosity=0)
    first = (django_user_model.objects.count(), Organisation.objects.count())
    call_command("seed_demo", "--i-know-this-is-not-production", verbosity=0)
    assert (django_user_model.objects.count(), Organisation.objects.count()) == first
    roles = set(django_user_model.objects.values_list("role", flat=True))
    assert roles >= {r.value for r in Role}
    provinces = set(Organisation.objects.filter(kind="applicant").values_list("province", flat=True))
    assert len(provinces) >= 3


MONITORING = {"HTTP_AUTHORIZATION": "Bearer monitoring-token-for-tests"}


@pytest.mark.django_db
def test_healthz_reports_missing_worker(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.HEALTHZ_TOKEN = "monitoring-token-for-tests"
    response = client.get("/healthz", **MONITORING)
    body = json.loads(response.content)
    assert body["database"]["ok"] is True
    assert body["redis"]["ok"] is True
    assert body["worker"]["ok"] is False
    assert response.status_code == 503


@pytest.mark.worker
def test_healthz_sees_a_real_worker(client, settings, celery_worker):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.HEALTHZ_TOKEN = "monitoring-token-for-tests"
    response = client.get("/healthz", **MONITORING)
    body = json.loads(response.content)
    assert response.status_code == 200, body
    assert body["worker"]["ok"] is True and body["worker"]["workers"]
    assert body["database"]["vendor"] == "postgresql"


def test_static_assets_are_vendored():
    for asset in ("vendor/bootstrap/bootstrap.min.css", "vendor/bootstrap/bootstrap.bundle.min.js",
                  "vendor/htmx/htmx.min.js"):
        assert finders.find(asset), asset


@pytest.mark.django_db
def test_chinese_is_the_default_whatever_the_browser_asks(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="zh-CN"' in page.content.decode()
    assert page["Content-Language"] == "zh-hans"
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("login"))
    assert 'lang="en"' in page.content.decode()


def test_english_catalogue_is_complete():
    """Every message in the catalogue has an English translation and none is fuzzy."""
    po = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
    for flag in ("--untranslated", "--only-fuzzy"):
        out = subprocess.run(["msgattrib", flag, "--no-wrap", str(po)], capture_output=True, text=True,
                             check=True).stdout
        entries = [line for line in out.splitlines() if line.startswith("msgid ") and line != 'msgid ""']
        assert not entries, (flag, entries[:10])
