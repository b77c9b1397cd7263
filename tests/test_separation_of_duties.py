"""三员分立 (GB/T 22239-2019 访问控制): the 系统管理员, 安全管理员 and 审计管理员 against the business
roles, over every page and every admin model. None of the administrators sees applications, scores or
documents; the business roles reach no administrator tool; the superuser's every request is audited."""

import pytest
from django.contrib import admin
from django.test import Client

from accounts.enums import Role
from accounts.models import User
from audit.models import AuditRecord
from tests.test_roles_not_superuser import business_requests, reviewed  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

ADMINISTRATORS = (Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)
BUSINESS = (Role.APPLICANT, Role.PROVINCIAL, Role.NATIONAL, Role.EXPERT)

# Every model in the admin and the one role that may use its pages (None: only the audited emergency
# account). A model added to the admin without a line here fails the test below.
ADMIN_MODELS = {
    "accounts.user": Role.ADMIN,
    "accounts.organisation": Role.ADMIN,
    "accounts.province": Role.ADMIN,
    "accounts.expertprofile": Role.ADMIN,
    "security.securitypolicy": Role.SECURITY_ADMIN,
    "security.accountsecurity": Role.SECURITY_ADMIN,
    "security.usersession": Role.SECURITY_ADMIN,
    "axes.accessattempt": Role.SECURITY_ADMIN,
    "applications.call": Role.NATIONAL,
    "review.criterion": Role.NATIONAL,
    "applications.application": None,
    "review.transitionlog": None,
}
# Who may open the admin site at all (the others are sent to sign in).
ADMIN_SITE = {Role.ADMIN, Role.SECURITY_ADMIN, Role.NATIONAL}
WORKSPACES = {"/administration/": Role.ADMIN, "/security/": Role.SECURITY_ADMIN, "/audit/": Role.AUDIT_ADMIN,
              "/applicant/": Role.APPLICANT, "/province/": Role.PROVINCIAL, "/national/": Role.NATIONAL,
              "/expert/": Role.EXPERT}


@pytest.fixture
def people(applicant, provincial, national, expert, administrator, security_admin, audit_admin):
    return {Role.APPLICANT: applicant, Role.PROVINCIAL: provincial, Role.NATIONAL: national, Role.EXPERT: expert,
            Role.ADMIN: administrator, Role.SECURITY_ADMIN: security_admin, Role.AUDIT_ADMIN: audit_admin}


def registered():
    return {model._meta.label_lower: model for model in admin.site._registry}


def test_every_admin_model_has_its_one_role():
    assert set(registered()) == set(ADMIN_MODELS)


def changelist(label):
    app, model = label.split(".")
    return f"/admin/{app}/{model}/"


@pytest.mark.parametrize("role", ADMINISTRATORS + BUSINESS)
def test_admin_matrix(people, role):
    client = Client()
    client.force_login(people[role])
    answered = {}
    index = client.get("/admin/")
    answered["/admin/"] = index.status_code
    for label in ADMIN_MODELS:
        answered[changelist(label)] = client.get(changelist(label)).status_code
    expected = {"/admin/": 200 if role in ADMIN_SITE else 302}
    for label, owner in ADMIN_MODELS.items():
        if role not in ADMIN_SITE:
            expected[changelist(label)] = 302  # to the (portal's) sign-in
        else:
            expected[changelist(label)] = 200 if owner == role else 403
    assert answered == expected
    if role in ADMIN_SITE:
        shown = {m["object_name"].lower() for app in index.context["app_list"] for m in app["models"]}
        assert shown == {label.split(".")[1] for label, owner in ADMIN_MODELS.items() if owner == role}


@pytest.mark.parametrize("role", ADMINISTRATORS + BUSINESS)
def test_workspace_matrix(people, role):
    client = Client()
    client.force_login(people[role])
    answered = {url: client.get(url).status_code for url in WORKSPACES}
    assert answered == {url: 200 if owner == role else 403 for url, owner in WORKSPACES.items()}


@pytest.mark.parametrize("role", ADMINISTRATORS)
def test_no_administrator_reaches_any_business_page(people, reviewed, role):  # noqa: F811
    application, assignment = reviewed
    client = Client()
    client.force_login(people[role])
    refused = {}
    for method, url, data in business_requests(application, assignment):
        refused[(method, url)] = getattr(client, method)(url, data).status_code
    assert {key: code for key, code in refused.items() if code not in (403, 404)} == {}
    assignment.refresh_from_db()
    assert not application.log.filter(actor=people[role]).exists()


def test_the_system_administrator_cannot_make_a_superuser_or_grant_django_permissions(administrator, applicant):
    client = Client()
    client.force_login(administrator)
    page = client.get(f"/admin/accounts/user/{applicant.pk}/change/").content.decode()
    for field in ('name="is_superuser"', 'name="user_permissions"', 'name="groups"', 'name="is_staff"'):
        assert field not in page
    client.post(f"/admin/accounts/user/{applicant.pk}/change/", {
        "username": applicant.username, "role": applicant.role, "organisation": applicant.organisation_id,
        "is_active": "on", "is_superuser": "on", "email": applicant.email})
    applicant.refresh_from_db()
    assert not applicant.is_superuser


def test_every_request_of_a_superuser_is_audited(db):
    root = User.objects.create_superuser("root", "root@example.invalid", "Emergency-only-1")
    client = Client(REMOTE_ADDR="10.7.7.7")
    client.force_login(root)
    for url in ("/admin/", "/admin/accounts/user/", "/admin/applications/application/"):
        assert client.get(url).status_code == 200
    records = AuditRecord.objects.filter(action="auth.superuser_request").order_by("pk")
    assert [r.details["path"] for r in records] == ["/admin/", "/admin/accounts/user/",
                                                      "/admin/applications/application/"]
    assert all(r.actor == root and r.client_address == "10.7.7.7" for r in records)
