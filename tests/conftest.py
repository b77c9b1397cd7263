"""Shared fixtures: organisations and users per role, and a real Celery worker over Redis.

Second factor and force_login: national staff, provincial reviewers, experts and the administrators
must pass a second factor (security/). `client.force_login(user)` (and `client.login(...)`) keeps
working in every test: the autouse fixture `second_factor_for_force_login` enrols a TOTP device for
such a user and marks the new session as verified with it, as the real second step would. Tests of
signing in itself use the login form and the second step instead (tests/auth_support.py: sign_in,
with codes from django_otp.oath.TOTP).
"""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.test import Client

from accounts.enums import OrganisationKind, Role
from accounts.models import ExpertProfile, Organisation, Province
from portal.celery import app
from tests.zones_support import approved_zone, years_ago

PASSWORD = "Test-password-123"


def verify_forced_login(client, user):
    """What signing in with the second step leaves in a session, for a session a test opened with
    force_login: the device that verified it, and the session clock started now."""
    from django_otp import DEVICE_ID_SESSION_KEY, user_has_device  # noqa: PLC0415 - needs the app registry
    from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: PLC0415 - idem

    from security import session_keys  # noqa: PLC0415 - idem
    from security.policy import second_factor_required  # noqa: PLC0415 - idem

    session = client.session
    now = time.time()
    session[session_keys.STARTED] = session[session_keys.LAST_ACTIVITY] = now
    enrolled = user_has_device(user)
    if second_factor_required(user) or enrolled:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or \
            TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[session_keys.HAS_DEVICE] = True if enrolled else user_has_device(user)
    session.save()


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: the rows a cached entry describes (sessions, the security
    policy, devices, unread counts) are rolled back after each test without a signal."""
    from django.core.cache import cache  # noqa: PLC0415 - needs the settings

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def second_factor_for_force_login(monkeypatch):
    """Every force_login'd (or client.login'd) session is verified with a second factor (see above)."""
    original = Client._login

    def _login(self, user, backend=None):
        original(self, user, backend)
        verify_forced_login(self, user)

    monkeypatch.setattr(Client, "_login", _login)


@pytest.fixture
def make_user(django_user_model):
    counter = {"n": 0}

    def make(role, organisation, **extra):
        counter["n"] += 1
        user = django_user_model.objects.create_user(
            username=extra.pop("username", f"{role}-{counter['n']}"), password=PASSWORD, role=role,
            organisation=organisation, email=extra.pop("email", f"{role}{counter['n']}@example.invalid"), **extra
        )
        return user

    return make


@pytest.fixture
def province_js(db):
    return Province.objects.get(code="320000")


@pytest.fixture
def province_gd(db):
    return Province.objects.get(code="440000")


def _applicant(province, name, level="prefecture"):
    bureau = Organisation.objects.get(kind=OrganisationKind.PROVINCIAL_BUREAU, province=province)
    return Organisation.objects.create(kind=OrganisationKind.APPLICANT, name=name, province=province, level=level,
                                       city=name[:3], parent=bureau)


@pytest.fixture
def applicant_org(province_js):
    return _applicant(province_js, "苏州市人民政府")


@pytest.fixture
def other_applicant_org(province_js):
    """Another applicant in the same province."""
    return _applicant(province_js, "无锡市人民政府")


@pytest.fixture
def foreign_applicant_org(province_gd):
    """An applicant in another province."""
    return _applicant(province_gd, "深圳市人民政府", "sub_provincial")


@pytest.fixture
def applicant(make_user, applicant_org):
    return make_user(Role.APPLICANT, applicant_org)


@pytest.fixture
def other_applicant(make_user, other_applicant_org):
    return make_user(Role.APPLICANT, other_applicant_org)


@pytest.fixture
def foreign_applicant(make_user, foreign_applicant_org):
    return make_user(Role.APPLICANT, foreign_applicant_org)


@pytest.fixture
def provincial(make_user, province_js):
    return make_user(Role.PROVINCIAL, Organisation.objects.get(kind="provincial", province=province_js))


@pytest.fixture
def foreign_provincial(make_user, province_gd):
    return make_user(Role.PROVINCIAL, Organisation.objects.get(kind="provincial", province=province_gd))


@pytest.fixture
def national(make_user, db):
    return make_user(Role.NATIONAL, Organisation.objects.get(kind="national"))


@pytest.fixture
def administrator(make_user, db):
    return make_user(Role.ADMIN, Organisation.objects.get(kind="national"), is_staff=True)


@pytest.fixture
def security_admin(make_user, db):
    return make_user(Role.SECURITY_ADMIN, Organisation.objects.get(kind="national"), is_staff=True)


@pytest.fixture
def audit_admin(make_user, db):
    return make_user(Role.AUDIT_ADMIN, Organisation.objects.get(kind="national"))


@pytest.fixture
def make_expert(make_user, db):
    def make(province_code="110000", institution="某大学", field="专利分析"):
        province = Province.objects.get(code=province_code)
        org, _ = Organisation.objects.get_or_create(kind=OrganisationKind.INSTITUTION, name=institution,
                                                    defaults={"province": province})
        user = make_user(Role.EXPERT, org)
        ExpertProfile.objects.create(user=user, home_province=province, field=field)
        return user

    return make


@pytest.fixture
def expert(make_expert):
    return make_expert()


@pytest.fixture
def celery_worker(django_db_serialized_rollback, transactional_db):
    """A real Celery worker (a thread in this process) consuming this run's queue on Redis.

    The worker's own connection must see committed rows, hence a transactional database; the
    serialized rollback restores the migrations' provinces and bureaus after the flush."""
    assert settings.REDIS_URL, "worker tests need REDIS_URL"
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10,
                          loglevel="WARNING", queues=[settings.CELERY_TASK_DEFAULT_QUEUE]) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = True


@pytest.fixture
def actors(applicant, provincial, national):
    """Who acts for each role of the pipeline's table (the city, its province, the national office)."""
    return {Role.APPLICANT: applicant, Role.PROVINCIAL: provincial, Role.NATIONAL: national}


@pytest.fixture
def zone(applicant, actors, make_expert):
    """A zone in its fourth year: quarters and three statistics years behind it."""
    return approved_zone(applicant, actors, make_expert, days_ago=years_ago(3))
