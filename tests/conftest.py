"""Shared fixtures: organisations and users per role, and a real Celery worker over Redis."""

import pytest
from django.conf import settings

from accounts.enums import OrganisationKind, Role
from accounts.models import ExpertProfile, Organisation, Province

PASSWORD = "Test-password-123"


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
    from celery.contrib.testing.worker import start_worker

    from portal.celery import app

    assert settings.REDIS_URL, "worker tests need REDIS_URL"
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10,
                          loglevel="WARNING", queues=[settings.CELERY_TASK_DEFAULT_QUEUE]) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = True
