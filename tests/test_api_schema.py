"""schemathesis against the live schema (/api/schema/ served by the app itself), once per role's
token: no 5xx, and every response conforms to the schema (status code, content type, body).

Bounded: a few generated examples per operation, so the run stays within the suite's time budget.
It runs in-process over WSGI, on the test's database, after one application per stage exists."""

import re
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
from tests.zones_support import approved_zone, years_ago
from zones import services as zone_services

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


@pytest.fixture
def zone(world, make_expert):  # noqa: F811
    """The world's city with a zone in its fourth year, an inspection with a rectification and a study."""
    _apps, users = world
    actors = {role: users[role] for role in (Role.APPLICANT, Role.PROVINCIAL, Role.NATIONAL)}
    zone = approved_zone(users[Role.APPLICANT], actors, make_expert, days_ago=years_ago(3), call_title="验收批次")
    zone_services.record_inspection(zone, users[Role.PROVINCIAL], inspected_on=zone.start_on, inspectors="检查组",
                                    findings="发现。", requirement="整改。", deadline=zone.end_on)
    return zone


@pytest.mark.django_db
def test_every_operation_conforms_for_each_role(world, zone, live_schema):  # noqa: F811
    """One world for every role (building it is the slow part); each role's token in turn. Generated
    ids rarely name an object, so the zones' operations are also called with the zone's real ids."""
    apps, users = world
    for role in ROLES:
        headers = {"Authorization": f"Bearer {token_for(users[role])}"}
        _run(live_schema, role, headers)
        _zone_cases(live_schema, zone, headers)


def _zone_cases(live_schema, zone, headers):
    """Every zone operation with real ids (and a stale or incomplete body for the changes): no 5xx, and
    each response (200, 400, 403, 404 or 409 by role) conforms to the schema."""
    report = zone.reports.order_by("year", "quarter").first()
    year = zone.indicator_sets.order_by("year").first().year
    rectification = zone.rectifications.get()
    ids = {"id": zone.pk, "report_pk": report.pk, "year": year, "rectification_pk": rectification.pk}
    names = {"reports": "submit", "indicators": "confirm", "rectifications": "answer", "zones": "revoke"}  # first match; zones last
    calls = 0
    for result in live_schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith("/api/v1/zones/{id}/"):
            continue
        parameters = {p.name: ids.get(p.name) for p in operation.path_parameters}
        if "name" in parameters:
            parameters["name"] = next((name for kind, name in names.items() if f"/{kind}/" in operation.path),
                                      names["zones"])
        body = {"expected_state": "stale"} if operation.method.upper() == "POST" else None
        case = operation.Case(path_parameters=parameters, **({"body": body} if body is not None else {}))
        case.call_and_validate(headers=headers, checks=CHECKS)
        calls += 1
    assert calls >= 12


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
    assert operations >= 55  # the zones' fifteen among them
    print(f"{role}: {operations} operations in {time.monotonic() - started:.1f}s")


__all__ = ["ANON"]


@pytest.mark.django_db
def test_the_docs_page_is_served_by_the_portal_in_the_users_language(client, national):
    """Swagger UI from drf-spectacular-sidecar's vendored files (no CDN), on a page that names its language."""
    client.force_login(national)
    page = client.get("/api/docs/").content.decode()
    assert '<html lang="zh-CN">' in page and "<title>接口文档" in page
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets and all(url.startswith("/") for url in assets), assets
