"""schemathesis against the live schema (/api/schema/ served by the app itself), once per role's
token: no 5xx, and every response conforms to the schema (status code, content type, body).

Bounded: a few generated examples per operation, so the run stays within the suite's time budget.
It runs in-process over WSGI, on the test's database, after one application per stage exists."""

import time

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error

from accounts.enums import Role
from tests.api_support import token_for
from tests.test_pipeline_access import ANON, world  # noqa: F401

EXAMPLES = 2  # per operation and role
CHECKS = [not_a_server_error, schemathesis.checks.status_code_conformance, schemathesis.checks.content_type_conformance,
          schemathesis.checks.response_schema_conformance]
ROLES = [Role.APPLICANT, Role.PROVINCIAL, Role.NATIONAL, Role.EXPERT, Role.ADMIN]


@pytest.fixture
def live_schema(world):  # noqa: F811
    # Like Django's test client: requests must not close the test's connection (its transaction).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_every_operation_conforms_for_each_role(world, live_schema):  # noqa: F811
    """One world for every role (building it is the slow part); each role's token in turn."""
    apps, users = world
    for role in ROLES:
        _run(live_schema, role, {"Authorization": f"Bearer {token_for(users[role])}"})


def _run(live_schema, role, headers):
    started = time.monotonic()
    operations = 0
    for result in live_schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()
        operations += 1
    assert operations >= 40
    print(f"{role}: {operations} operations in {time.monotonic() - started:.1f}s")


__all__ = ["ANON"]
