"""Two factors (GB/T 22239-2019 身份鉴别): national staff, provincial reviewers, experts, the three
administrators and any superuser sign in with a password and a TOTP code (RFC 6238, django-otp);
applicants only when the policy says so. Every test here signs in through the real login form and
the real second step, with codes computed by the library (django_otp.oath.TOTP)."""

from base64 import b32decode
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.enums import Role
from accounts.models import Organisation, User
from audit.models import AuditRecord
from security.demo import DEMO_TOTP_SECRET
from security.models import SecurityPolicy, UserSession

from .auth_support import (
    ENROL_URL,
    VERIFY_URL,
    code_for,
    code_for_key,
    csrf,
    password_step,
    second_step,
    secret_on_page,
    sign_in,
)
from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

SECOND_FACTOR_ROLES = [Role.PROVINCIAL, Role.NATIONAL, Role.EXPERT, Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN]


@pytest.fixture
def people(applicant, provincial, national, expert, administrator, security_admin, audit_admin):
    return {Role.APPLICANT: applicant, Role.PROVINCIAL: provincial, Role.NATIONAL: national, Role.EXPERT: expert,
            Role.ADMIN: administrator, Role.SECURITY_ADMIN: security_admin, Role.AUDIT_ADMIN: audit_admin}


def actions(user=None):
    records = AuditRecord.objects.order_by("pk")
    if user is not None:
        records = records.filter(actor=user)
    return list(records.values_list("action", flat=True))


def enrolled(user, key_hex="3132333435363738393031323334353637383930"):
    return TOTPDevice.objects.create(user=user, name="phone", key=key_hex, confirmed=True)


@pytest.mark.parametrize("role", SECOND_FACTOR_ROLES)
def test_each_listed_role_reaches_nothing_before_the_second_factor(people, role):
    user = people[role]
    client = Client()
    response = password_step(client, user.username)
    assert response.status_code == 302 and response["Location"] == ENROL_URL  # enrolment on first login
    for url in ("/", "/administration/", "/security/", "/audit/", "/national/", "/province/", "/expert/",
                "/admin/", "/admin/accounts/user/", "/notifications/"):
        blocked = client.get(url)
        assert blocked.status_code == 302 and blocked["Location"] == ENROL_URL, url
    page = client.get(ENROL_URL)
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "data-totp-secret" in html
    key = secret_on_page(html)
    done = client.post(ENROL_URL, {"code": code_for_key(key), "csrfmiddlewaretoken": csrf(client)})
    assert done.status_code == 302 and done["Location"] == "/accounts/two-factor/recovery-codes/"
    home = client.get("/", follow=True)
    assert home.status_code == 200 and home.redirect_chain[-1][0] not in (ENROL_URL, VERIFY_URL, "/accounts/login/")
    # Next time the enrolled device is asked for, with the code of the moment.
    other = Client()
    assert password_step(other, user.username)["Location"] == VERIFY_URL
    assert other.get("/").status_code == 302 and other.get("/")["Location"] == VERIFY_URL
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    assert device.bin_key == key
    assert second_step(other, code_for(device))["Location"] == "/"


def test_a_superuser_needs_the_second_factor_too(db):
    User.objects.create_superuser("root", "root@example.invalid", PASSWORD)
    client = Client()
    assert password_step(client, "root")["Location"] == ENROL_URL
    assert client.get("/admin/")["Location"] == ENROL_URL


def test_applicants_sign_in_with_a_password_unless_the_policy_asks_for_more(applicant):
    client = Client()
    response = password_step(client, applicant.username)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/applicant/").status_code == 200
    SecurityPolicy.objects.create(mfa_for_applicants=True)
    later = Client()
    assert password_step(later, applicant.username)["Location"] == ENROL_URL
    assert later.get("/applicant/")["Location"] == ENROL_URL


def test_enrolment_refuses_a_wrong_code_and_shows_recovery_codes_once(national):
    client = Client()
    password_step(client, national.username)
    page = client.get(ENROL_URL)
    key = secret_on_page(page.content.decode())
    assert secret_on_page(client.get(ENROL_URL).content.decode()) == key  # the same secret until confirmed
    wrong = f"{(int(code_for_key(key)) + 1) % 1000000:06d}"
    refused = client.post(ENROL_URL, {"code": wrong, "csrfmiddlewaretoken": csrf(client)})
    assert refused.status_code == 400
    assert "验证码不正确" in refused.content.decode()
    assert not TOTPDevice.objects.filter(user=national, confirmed=True).exists()
    # django-otp throttles after a failure; move its clock past the wait rather than sleeping.
    TOTPDevice.objects.filter(user=national).update(throttling_failure_timestamp=timezone.now() - timedelta(hours=1))
    client.post(ENROL_URL, {"code": code_for_key(key), "csrfmiddlewaretoken": csrf(client)})
    codes_page = client.get("/accounts/two-factor/recovery-codes/")
    codes = StaticToken.objects.filter(device__user=national).values_list("token", flat=True)
    assert len(codes) == 10 and all(code in codes_page.content.decode() for code in codes)
    assert client.get("/accounts/two-factor/recovery-codes/").status_code == 302  # shown once
    assert actions(national) == ["auth.mfa_failed", "auth.mfa_enrolled", "auth.login"]


def test_verification_refuses_a_wrong_code_then_accepts_the_right_one(national):
    device = enrolled(national)
    client = Client(REMOTE_ADDR="10.1.2.3")
    password_step(client, national.username)
    right = code_for(device)
    refused = second_step(client, f"{(int(right) + 1) % 1000000:06d}")
    assert refused.status_code == 400 and "验证码不正确" in refused.content.decode()
    assert client.get("/national/")["Location"] == VERIFY_URL
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - timedelta(hours=1))
    assert second_step(client, right)["Location"] == "/"
    assert client.get("/national/").status_code == 200
    assert actions(national) == ["auth.mfa_failed", "auth.mfa_verified", "auth.login"]
    login = AuditRecord.objects.get(action="auth.login")
    assert login.details["factors"] == ["password", "totp"] and login.client_address == "10.1.2.3"


def test_repeated_wrong_codes_are_throttled(national):
    device = enrolled(national)
    client = Client()
    password_step(client, national.username)
    right = code_for(device)
    second_step(client, "000000" if right != "000000" else "111111")
    # django-otp counts failures and waits 2^(n-1) seconds after the n-th: as if three had just failed.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=3,
                                                   throttling_failure_timestamp=timezone.now())
    # Within the back-off even the right code is refused, with a message saying why.
    throttled = second_step(client, right)
    assert throttled.status_code == 400 and "次数过多" in throttled.content.decode()


def test_a_code_is_accepted_only_once(national):
    device = enrolled(national)
    first, second = Client(), Client()
    password_step(first, national.username)
    code = code_for(device)
    assert second_step(first, code)["Location"] == "/"
    password_step(second, national.username)
    replay = second_step(second, code)
    assert replay.status_code == 400


def test_a_recovery_code_signs_in_once(national):
    enrolled(national)
    static = StaticDevice.objects.create(user=national, name="recovery", confirmed=True)
    StaticToken.objects.create(device=static, token="abcd2345")
    StaticToken.objects.create(device=static, token="efgh6723")
    client = Client()
    password_step(client, national.username)
    response = second_step(client, "ABCD 2345")  # as typed from paper: case and spaces do not matter
    assert response["Location"] == "/"
    assert client.get("/national/").status_code == 200
    assert list(static.token_set.values_list("token", flat=True)) == ["efgh6723"]
    record = AuditRecord.objects.get(action="auth.recovery_code_used")
    assert record.actor == national and record.details == {"remaining": 1}
    again = Client()
    password_step(again, national.username)
    assert second_step(again, "abcd2345").status_code == 400


def test_only_the_security_administrator_resets_a_second_factor(national, administrator, security_admin):
    sign_in(Client(), national)  # enrols
    national_client = Client()
    sign_in(national_client, national)
    assert national_client.get("/national/").status_code == 200
    # The 系统管理员 has no way to do it (no such page in the admin for them).
    admin_client = Client()
    admin_client.force_login(administrator)
    assert admin_client.get("/admin/security/accountsecurity/").status_code == 403
    security_client = Client()
    security_client.force_login(security_admin)
    page = security_client.get("/admin/security/accountsecurity/")
    assert page.status_code == 200
    response = security_client.post("/admin/security/accountsecurity/", {
        "action": "reset_second_factor", "_selected_action": [national.pk]})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=national).exists()
    assert not StaticDevice.objects.filter(user=national).exists()
    reset = AuditRecord.objects.get(action="auth.mfa_reset")
    assert reset.actor == security_admin and reset.object_id == str(national.pk)
    # The national user's session, verified with the removed device, has ended; the next sign-in enrols again.
    assert not UserSession.objects.filter(user=national, ended_at__isnull=True).exists()
    assert national_client.get("/national/")["Location"].startswith("/accounts/login/")
    assert password_step(Client(), national.username)["Location"] == ENROL_URL


def test_demo_accounts_are_enrolled_with_the_published_secret(db):
    call_command("seed_demo", "--i-know-this-is-not-production", verbosity=0)
    national = User.objects.get(username="national")
    device = TOTPDevice.objects.get(user=national, confirmed=True)
    assert device.bin_key == b32decode(DEMO_TOTP_SECRET)
    client = Client()
    password_step(client, "national", "Demo-2026-portal")
    totp = TOTP(b32decode(DEMO_TOTP_SECRET))
    assert second_step(client, f"{totp.token():06d}")["Location"] == "/"
    assert not TOTPDevice.objects.filter(user__username="applicant").exists()  # applicants: password only
    assert Organisation.objects.filter(users__username="security").exists()
    assert {User.objects.get(username=u).role for u in ("admin", "security", "auditor")} == {
        Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
    assert not User.objects.filter(username__in=["admin", "security", "auditor"], is_superuser=True).exists()
