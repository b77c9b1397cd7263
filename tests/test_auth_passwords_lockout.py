"""Passwords (≥10 characters, three of four classes, no reuse of the last 5, 90-day expiry, a first-login
change for accounts an administrator created) and the login lockout behind the TLS proxy: by account,
by address only past a much higher limit, and with the client address read from the trusted proxy only."""

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.enums import Role
from accounts.models import Organisation, User
from audit.client import client_address
from audit.models import AuditRecord
from security.models import PasswordHistory, SecurityPolicy

from .auth_support import csrf, password_step, sign_in
from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "172.28.0.10"
BEHIND_PROXY = override_settings(TRUSTED_PROXIES=[PROXY])


def errors(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as error:
        return [e.code for e in error.error_list]
    return []


def change_password(client, old, new):
    client.get("/accounts/password_change/")
    return client.post("/accounts/password_change/", {"old_password": old, "new_password1": new,
                                                      "new_password2": new, "csrfmiddlewaretoken": csrf(client)})


# --- the rules ---------------------------------------------------------------------------------------


def test_password_rules_length_and_character_classes(applicant):
    assert "password_too_short" in errors("Ab1-short", applicant)  # 9 characters
    assert "password_too_simple" in errors("onlylowercase-and-dashes")  # 2 classes
    assert "password_too_simple" in errors("lowercase12345678")  # 2 classes
    assert errors("Lowercase12345678") == []  # upper, lower, digits: 3 classes
    assert errors("lowercase-12345678") == []  # lower, digits, symbol
    assert errors("电子政务平台-2026-guide") == []  # a CJK character counts as a symbol
    assert errors(DEMO_PASSWORD) == [] and errors(PASSWORD) == []


def test_the_rules_follow_the_security_policy():
    SecurityPolicy.objects.create(password_min_length=14, password_min_classes=4)
    assert "password_too_short" in errors("Abcdef-123456")
    assert "password_too_simple" in errors("Abcdefgh1234567")
    assert errors("Abcdefg-1234567") == []


def test_the_last_five_passwords_cannot_be_used_again(applicant):
    client = Client()
    sign_in(client, applicant)
    history = [PASSWORD] + [f"New-password-{n}x" for n in range(1, 6)]
    for old, new in zip(history, history[1:], strict=False):
        assert change_password(client, old, new).status_code == 302, new
    current = history[-1]
    for reused in history[-5:]:  # the current one and the four before it
        page = change_password(client, current, reused)
        assert page.status_code == 200 and "不能使用最近 5 次用过的密码" in page.content.decode(), reused
    assert PasswordHistory.objects.filter(user=applicant).count() == 5
    assert all(not row.password.endswith(history[-1]) and "$" in row.password
               for row in PasswordHistory.objects.all())  # hashes, never the password
    assert change_password(client, current, history[0]).status_code == 302  # six back: allowed again
    assert AuditRecord.objects.filter(action="auth.password_changed", actor=applicant).count() == 6


def test_an_expired_password_must_be_changed_before_anything_else(applicant):
    client = Client()
    sign_in(client, applicant)
    User.objects.filter(pk=applicant.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    response = client.get("/applicant/")
    assert response.status_code == 302 and response["Location"] == "/accounts/password_change/"
    page = client.get("/accounts/password_change/")
    assert "已超过 90 天未修改" in page.content.decode()
    assert client.get("/notifications/")["Location"] == "/accounts/password_change/"
    [expired] = AuditRecord.objects.filter(action="auth.password_expired")
    assert expired.actor == applicant and expired.result == "refused"
    assert change_password(client, PASSWORD, "Fresh-password-2027").status_code == 302
    assert client.get("/applicant/").status_code == 200
    applicant.refresh_from_db()
    assert applicant.password_changed_at > timezone.now() - timedelta(minutes=1)


def test_89_days_is_not_yet_expired(applicant):
    User.objects.filter(pk=applicant.pk).update(password_changed_at=timezone.now() - timedelta(days=89))
    client = Client()
    sign_in(client, applicant)
    assert client.get("/applicant/").status_code == 200


def test_an_account_an_administrator_created_changes_its_password_at_first_login(administrator):
    admin_client = Client()
    admin_client.force_login(administrator)
    org = Organisation.objects.get(kind="national")
    response = admin_client.post("/admin/accounts/user/add/", {
        "username": "newcomer", "usable_password": "true", "password1": "Given-by-admin-1",
        "password2": "Given-by-admin-1", "role": Role.NATIONAL, "organisation": org.pk, "display_name": "新同事"})
    assert response.status_code == 302, response.content.decode()[:3000]
    newcomer = User.objects.get(username="newcomer")
    assert newcomer.must_change_password and not newcomer.is_superuser
    client = Client()
    sign_in(client, newcomer, "Given-by-admin-1")
    assert client.get("/national/")["Location"] == "/accounts/password_change/"
    assert change_password(client, "Given-by-admin-1", "My-own-password-1").status_code == 302
    assert client.get("/national/").status_code == 200
    # A password the administrator sets later must be changed again.
    admin_client.post(f"/admin/accounts/user/{newcomer.pk}/password/", {
        "usable_password": "true", "password1": "Reset-by-admin-2", "password2": "Reset-by-admin-2"})
    newcomer.refresh_from_db()
    assert newcomer.must_change_password


# --- lockout -----------------------------------------------------------------------------------------


def failed_logins(username, count, **extra):
    client = Client(**extra)
    for attempt in range(count):
        password_step(client, username, f"wrong-{attempt}", **extra)
    return client


@BEHIND_PROXY
def test_one_users_failures_do_not_lock_out_others_behind_the_same_proxy(applicant, other_applicant):
    """The verified flaw: every user reaches gunicorn from the proxy's address, and the lockout
    counted by username OR address, so five bad passwords closed the portal for everyone."""
    same_office = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    failed_logins(applicant.username, 5, **same_office)
    locked = password_step(Client(), applicant.username, PASSWORD, **same_office)
    assert locked.status_code == 429
    colleague = Client()
    response = password_step(colleague, other_applicant.username, PASSWORD, **same_office)
    assert response.status_code == 302 and response["Location"] == "/"
    assert colleague.get("/applicant/").status_code == 200


def test_without_a_trusted_proxy_the_lockout_still_follows_the_account_only(applicant, other_applicant):
    failed_logins(applicant.username, 5, REMOTE_ADDR="10.0.0.1")
    assert password_step(Client(), other_applicant.username, PASSWORD, REMOTE_ADDR="10.0.0.1").status_code == 302


@BEHIND_PROXY
def test_an_address_that_guesses_many_accounts_is_locked_past_its_own_higher_limit(applicant, other_applicant):
    SecurityPolicy.objects.create(lockout_failures=5, lockout_ip_failures=8)
    guesser = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.9"}
    for n in range(8):
        failed_logins(f"someone-{n}", 1, **guesser)  # one failure per account: no account locks
    assert password_step(Client(), applicant.username, PASSWORD, **guesser).status_code == 429
    elsewhere = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.10"}
    assert password_step(Client(), other_applicant.username, PASSWORD, **elsewhere).status_code == 302


def test_a_lockout_is_audited_once_and_each_failure_once(applicant):
    failed_logins(applicant.username, 6, REMOTE_ADDR="10.4.4.4")
    failures = AuditRecord.objects.filter(action="auth.login_failed").order_by("pk")
    assert failures.count() == 6
    assert all(r.details["username"] == applicant.username and r.client_address == "10.4.4.4"
               and r.result == "refused" for r in failures)
    assert [r.reason for r in failures][-1] == "account locked"
    [lockout] = AuditRecord.objects.filter(action="auth.lockout")
    assert lockout.details["username"] == applicant.username and lockout.client_address == "10.4.4.4"


def test_the_security_administrator_unlocks_an_account(applicant, security_admin):
    failed_logins(applicant.username, 5)
    assert password_step(Client(), applicant.username).status_code == 429
    client = Client()
    client.force_login(security_admin)
    workspace = client.get("/security/")
    assert applicant.username in workspace.content.decode()
    client.post("/admin/security/accountsecurity/", {"action": "unlock", "_selected_action": [applicant.pk]})
    assert password_step(Client(), applicant.username).status_code == 302
    assert AuditRecord.objects.get(action="auth.unlocked").actor == security_admin


# --- the client address and the proxy's headers --------------------------------------------------------


def test_the_client_address_is_believed_only_from_the_trusted_proxy():
    factory = RequestFactory()
    spoofed = factory.get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="10.0.0.99")
    proxied = factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="10.0.0.99, 203.0.113.5")
    with override_settings(TRUSTED_PROXIES=[]):
        assert client_address(spoofed) == "192.0.2.1" and client_address(proxied) == PROXY
    with override_settings(TRUSTED_PROXIES=["172.28.0.0/24"]):
        assert client_address(spoofed) == "192.0.2.1"
        # The right-most entry is the one the proxy itself added; what the client wrote before it is ignored.
        assert client_address(proxied) == "203.0.113.5"
        assert client_address(factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="junk")) == PROXY


@override_settings(SECURE_SSL_REDIRECT=True, TRUSTED_PROXIES=[PROXY],
                   SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_the_https_header_is_believed_only_from_the_proxy():
    """The verified flaw: SECURE_PROXY_SSL_HEADER was trusted from any client reaching gunicorn."""
    direct = Client().get("/accounts/login/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_PROTO="https")
    assert direct.status_code == 301 and direct["Location"].startswith("https://")
    proxied = Client().get("/accounts/login/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200
