"""The verified flaws of issue 13 that belong to authentication (each test fails on the code before
it), and the audit record of every authentication event: exactly one, with every field."""

import json
import time
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from audit.models import AuditRecord
from security.models import UserSession
from security.session_keys import LAST_ACTIVITY

from .auth_support import code_for, csrf, password_step, second_step, sign_in
from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_seed_demo_refuses_a_production_database(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="i-know-this-is-not-production"):
        call_command("seed_demo", verbosity=0)
    assert not User.objects.filter(username="admin").exists()


@override_settings(HEALTHZ_TOKEN="s3cret-monitoring-token")
def test_healthz_tells_anonymous_callers_only_ok_or_not(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # no worker answers: "not ok"
    anonymous = client.get("/healthz")
    assert anonymous.status_code == 503 and json.loads(anonymous.content) == {"ok": False}
    wrong = client.get("/healthz", HTTP_AUTHORIZATION="Bearer guessed")
    assert json.loads(wrong.content) == {"ok": False}
    monitoring = client.get("/healthz", HTTP_AUTHORIZATION="Bearer s3cret-monitoring-token")
    body = json.loads(monitoring.content)
    assert body["ok"] is False and body["worker"]["ok"] is False and "queue" in body["worker"]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert json.loads(client.get("/healthz").content) == {"ok": True}


def test_healthz_gives_no_details_without_a_configured_token(client):
    assert set(json.loads(client.get("/healthz", HTTP_AUTHORIZATION="Bearer ").content)) == {"ok"}


EVERY_FIELD = ("created_at", "actor_id", "actor_username", "actor_role", "actor_organisation_id", "client_address",
               "action", "object_type", "object_id", "result")


def test_every_authentication_event_is_recorded_once_with_every_field(national, security_admin):
    ip = {"REMOTE_ADDR": "10.20.30.40"}
    # Failed logins and the lockout they start.
    for attempt in range(5):
        password_step(Client(), national.username, f"wrong-{attempt}", **ip)
    call_command("axes_reset", verbosity=0)
    # Enrolment (with one wrong code first), a login from a second place that ends the first session.
    first = Client(**ip)
    password_step(first, national.username, **ip)
    first.post("/accounts/two-factor/setup/", {"code": "000000", "csrfmiddlewaretoken": csrf(first)}, **ip)
    TOTPDevice.objects.filter(user=national).update(throttling_failure_timestamp=None, throttling_failure_count=0)
    sign_in_response = sign_in(first, national, **ip)  # sign_in sees the enrolment page and enrols
    assert sign_in_response.status_code == 302
    second = Client(**ip)
    password_step(second, national.username, **ip)
    second_step(second, code_for(TOTPDevice.objects.get(user=national, confirmed=True)), **ip)
    # A recovery code, an expired password and its change, a time-out, a logout.
    third = Client(**ip)
    password_step(third, national.username, **ip)
    second_step(third, StaticToken.objects.filter(device__user=national).first().token, **ip)
    User.objects.filter(pk=national.pk).update(password_changed_at=timezone.now() - timedelta(days=100))
    third.get("/national/", **ip)
    third.post("/accounts/password_change/", {"old_password": PASSWORD, "new_password1": "Brand-new-pass-1",
                                              "new_password2": "Brand-new-pass-1",
                                              "csrfmiddlewaretoken": csrf(third)}, **ip)
    session = third.session
    session[LAST_ACTIVITY] = time.time() - 3600
    session.save()
    third.get("/national/", **ip)
    fourth = Client(**ip)
    sign_in(fourth, national, "Brand-new-pass-1", **ip)
    fourth.post("/accounts/logout/", {"csrfmiddlewaretoken": csrf(fourth)}, **ip)
    # The 安全管理员 resets the second factor.
    admin_client = Client(**ip)
    admin_client.force_login(security_admin)
    admin_client.post("/admin/security/accountsecurity/", {"action": "reset_second_factor",
                                                           "_selected_action": [national.pk]}, **ip)

    counts = {}
    for record in AuditRecord.objects.filter(action__startswith="auth."):
        counts[record.action] = counts.get(record.action, 0) + 1
    assert counts == {
        "auth.login_failed": 5, "auth.lockout": 1, "auth.mfa_failed": 1, "auth.mfa_enrolled": 1,
        "auth.login": 4, "auth.session_superseded": 2, "auth.mfa_verified": 2, "auth.recovery_code_used": 1,
        "auth.password_expired": 1, "auth.password_changed": 1, "auth.session_timeout": 1, "auth.logout": 1,
        "auth.mfa_reset": 1,
    }
    for record in AuditRecord.objects.filter(action__startswith="auth.").exclude(
            action__in=["auth.login_failed", "auth.lockout"]):
        missing = [f for f in EVERY_FIELD if getattr(record, f) in (None, "")]
        assert missing == [], (record.action, missing)
        assert record.client_address == "10.20.30.40", record.action
    for record in AuditRecord.objects.filter(action__in=["auth.login_failed", "auth.lockout"]):
        # Nobody is signed in yet: the account tried is named in the details.
        assert record.details["username"] == national.username and record.client_address == "10.20.30.40"
        assert record.result == "refused" and record.reason
    assert UserSession.objects.filter(user=national, ended_at__isnull=True).count() == 0
