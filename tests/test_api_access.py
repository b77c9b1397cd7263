"""The API's access matrix equals the pages' (tests/test_pipeline_access.py): each role × each
endpoint × own / other organisation / other province gives the page's status, with the page's
success redirect as 200 and the page's login redirect as 401; the same 404s everywhere."""

import pytest
from django.test import Client

from accounts.enums import Role
from applications.queries import applications_for
from tests.api_support import call, token_for
from tests.pipeline_support import OPINION
from tests.test_pipeline_access import ANON, OBJECT_EXPECTED, OBJECTS, PAGE_EXPECTED, world  # noqa: F401

# Endpoints that only read an application follow the application page ("detail").
READS_LIKE_DETAIL = ("", "versions/", "versions/1/", "eligibility/", "evidence/", "transitions/",
                     "provincial-reviews/", "documents/")


# The page answers a transition post with a redirect whether it succeeded or was refused (the refusal
# shown after the redirect); the API says which: the applicant's submit is in the wrong state and the
# province's recommend lacks its findings (the same post as the page's), so both are 400.
REFUSED_TRANSITIONS = (Role.APPLICANT, Role.PROVINCIAL)


def api_status(page_status, role, view=None):
    if page_status == 302:
        if role == ANON:
            return 401
        return 400 if view == "transition" and role in REFUSED_TRANSITIONS else 200
    return page_status


def _request(client, view, application, transition, token):
    base = f"/api/v1/applications/{application.pk}/"
    if view == "formal_review":
        return call(client, "get", base + "formal-review/", token)
    if view == "formal_review_post":
        return call(client, "put", base + "formal-review/", token,
                    {"checklist": {"materials_complete": True}, "notes": "已核"})
    if view == "transition":
        return call(client, "post", base + f"transitions/{transition}/", token,
                    {"expected_state": application.state, "opinion": OPINION})
    return call(client, "get", base + view, token)


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(OBJECT_EXPECTED))
def test_object_endpoints_match_the_pages(client, world, role):  # noqa: F811
    apps, users = world
    token = token_for(users[role]) if users[role] is not None else None
    transition, expected = OBJECT_EXPECTED[role]
    wanted, actual = {}, {}
    for view, codes in expected.items():
        for i, key in enumerate(OBJECTS):
            wanted[(view, key)] = api_status(codes[i], role, view)
            actual[(view, key)] = _request(client, view, apps[key], transition, token).status_code
    for path in READS_LIKE_DETAIL:
        for i, key in enumerate(OBJECTS):
            wanted[(path or "detail", key)] = api_status(expected["detail"][i], role)
            actual[(path or "detail", key)] = _request(client, path, apps[key], transition, token).status_code
    assert actual == wanted


@pytest.mark.django_db
def test_list_endpoints_match_the_pages_and_hold_exactly_the_pages_scope(client, world):  # noqa: F811
    """Workspace-like endpoints answer each role as its pages do; GET /applications/ lists exactly
    applications_for(user), what the role's pages show (one world for every role: nothing changes)."""
    apps, users = world
    call_pk = apps["own"].call_id
    for role in PAGE_EXPECTED:
        token = token_for(users[role]) if users[role] is not None else None
        actual = (
            call(client, "get", "/api/v1/province/rankings/", token).status_code,
            call(client, "get", "/api/v1/national/summary/", token).status_code,
            call(client, "get", "/api/v1/national/distribution/", token).status_code,
            call(client, "get", "/api/v1/notifications/", token).status_code,
            call(client, "put", f"/api/v1/province/rankings/{call_pk}/", token, {"ranks": {}}).status_code,
        )
        assert actual == tuple(api_status(code, role) for code in PAGE_EXPECTED[role]), role
        if users[role] is None:
            continue
        body = call(client, "get", "/api/v1/applications/", token).json()
        listed = {row["id"] for row in body["results"]}
        assert listed == set(applications_for(users[role]).values_list("pk", flat=True)), role
        if role == Role.PROVINCIAL:
            assert apps["other_province"].pk not in listed and apps["own"].pk in listed


@pytest.mark.django_db
def test_the_session_works_for_the_browser_and_needs_csrf_for_changes(world):  # noqa: F811
    apps, users = world
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(users[Role.NATIONAL])
    assert browser.get("/api/v1/applications/").status_code == 200
    response = call(browser, "post", f"/api/v1/applications/{apps['own'].pk}/transitions/reject/", None,
                    {"expected_state": apps["own"].state, "opinion": OPINION})
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"
    assert "CSRF" in response.json()["detail"]
