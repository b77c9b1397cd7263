"""Access-control matrix of the pipeline pages: each role × each view × own / other organisation /
other province → the expected status; anything unexpected (above all a 200) fails."""

import pytest
from django.urls import reverse

from accounts.enums import Role
from applications.enums import ApplicationState as S
from review.enums import AssignmentStatus
from review.models import ExpertAssignment
from tests.factories import complete_application
from tests.pipeline_support import OPINION, application_in

ANON = "anonymous"
OBJECTS = ("own", "other_org", "other_province")

# Per role: the transition it posts, and for each object view the expected status per object.
OBJECT_EXPECTED = {
    Role.APPLICANT: ("submit", {
        "detail": (200, 404, 404), "formal_review": (403, 404, 404), "formal_review_post": (403, 404, 404),
        "transition": (302, 404, 404)}),  # refused (wrong state): back to the page with the message
    Role.PROVINCIAL: ("recommend", {
        "detail": (200, 200, 404), "formal_review": (403, 403, 404), "formal_review_post": (403, 403, 404),
        "transition": (302, 302, 404)}),
    Role.NATIONAL: ("reject", {
        "detail": (200, 200, 200), "formal_review": (200, 200, 200), "formal_review_post": (302, 302, 302),
        "transition": (302, 302, 302)}),
    # The expert is assigned to "own" only, and judges it on the scoring page: the application page
    # (reviewers' opinions, the timeline) is not found even for its own assignment.
    Role.EXPERT: ("submit", {
        "detail": (404, 404, 404), "formal_review": (403, 404, 404), "formal_review_post": (403, 404, 404),
        "transition": (404, 404, 404)}),
    Role.ADMIN: ("reject", {
        "detail": (404, 404, 404), "formal_review": (404, 404, 404), "formal_review_post": (404, 404, 404),
        "transition": (404, 404, 404)}),
    ANON: ("reject", {
        "detail": (302, 302, 302), "formal_review": (302, 302, 302), "formal_review_post": (302, 302, 302),
        "transition": (302, 302, 302)}),
}

PAGE_EXPECTED = {
    #            province national distribution inbox ranking_post
    Role.APPLICANT: (403, 403, 403, 200, 403),
    Role.PROVINCIAL: (200, 403, 403, 200, 400),  # ranking locked: the national office started
    Role.NATIONAL: (403, 200, 200, 200, 403),
    Role.EXPERT: (403, 403, 403, 200, 403),
    Role.ADMIN: (403, 403, 403, 200, 403),
    ANON: (302, 302, 302, 302, 302),
}


@pytest.fixture
def world(applicant, other_applicant, foreign_applicant, provincial, foreign_provincial, national, expert,
          administrator, make_expert):
    """Three applications in national formal review: own (苏州), same province other org, other province."""
    def actors_for(app_user, bureau):
        return {Role.APPLICANT: app_user, Role.PROVINCIAL: bureau, Role.NATIONAL: national}

    apps = {
        "own": application_in(S.NATIONAL_REVIEW, applicant, actors_for(applicant, provincial), make_expert),
        "other_org": application_in(S.NATIONAL_REVIEW, other_applicant, actors_for(other_applicant, provincial),
                                    make_expert),
        "other_province": application_in(S.NATIONAL_REVIEW, foreign_applicant,
                                         actors_for(foreign_applicant, foreign_provincial), make_expert),
    }
    ExpertAssignment.objects.create(application=apps["own"], expert=expert, status=AssignmentStatus.ASSIGNED)
    users = {Role.APPLICANT: applicant, Role.PROVINCIAL: provincial, Role.NATIONAL: national, Role.EXPERT: expert,
             Role.ADMIN: administrator, ANON: None}
    return apps, users


def _request(client, view, application, transition):
    if view == "detail":
        return client.get(reverse("applications:detail", args=[application.pk]))
    if view == "formal_review":
        return client.get(reverse("review:formal_review", args=[application.pk]))
    if view == "formal_review_post":
        return client.post(reverse("review:formal_review", args=[application.pk]),
                           {"materials_complete": "on", "notes": "已核"})
    data = {"transition": transition, f"{transition}-expected_state": application.state,
            f"{transition}-opinion": OPINION, "confirmed": "1"}  # the post of the confirmation page
    return client.post(reverse("review:transition", args=[application.pk]), data)


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(OBJECT_EXPECTED))
def test_object_views_matrix(client, world, role):
    apps, users = world
    transition, expected = OBJECT_EXPECTED[role]
    actual = {}
    for view, codes in expected.items():
        for key in OBJECTS:
            # Fresh login per request: a refused transition may not log anyone out, a 302 may not leak.
            client.logout()
            if users[role] is not None:
                client.force_login(users[role])
            response = _request(client, view, apps[key], transition)
            actual[(view, key)] = response.status_code
            if response.status_code == 302 and role == ANON:
                assert response["Location"].startswith("/accounts/login/")
    wanted = {(view, key): codes[i] for view, codes in expected.items() for i, key in enumerate(OBJECTS)}
    assert actual == wanted
    unexpected_200 = [k for k, v in actual.items() if v == 200 and wanted[k] != 200]
    assert unexpected_200 == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(PAGE_EXPECTED))
def test_page_views_matrix(client, world, role):
    apps, users = world
    if users[role] is not None:
        client.force_login(users[role])
    call = apps["own"].call
    actual = (
        client.get(reverse("review:provincial_workspace")).status_code,
        client.get(reverse("review:national_workspace")).status_code,
        client.get(reverse("review:distribution")).status_code,
        client.get(reverse("notifications:inbox")).status_code,
        client.post(reverse("review:provincial_ranking", args=[call.pk]), {}).status_code,
    )
    assert actual == PAGE_EXPECTED[role]


@pytest.mark.django_db
def test_province_queue_never_lists_another_provinces_rows(client, world):
    apps, users = world
    client.force_login(users[Role.PROVINCIAL])
    body = client.get(reverse("review:provincial_workspace")).content.decode()
    assert str(apps["own"]) in body
    assert f"/applications/{apps['other_province'].pk}/" not in body
    client.force_login(users[Role.NATIONAL])
    body = client.get(reverse("review:national_workspace")).content.decode()
    for app in apps.values():
        assert f"/applications/{app.pk}/" in body


@pytest.mark.django_db
def test_province_does_not_see_drafts(client, provincial, applicant):
    draft = complete_application(applicant)
    client.force_login(provincial)
    assert client.get(reverse("applications:detail", args=[draft.pk])).status_code == 404
    assert f"/applications/{draft.pk}/" not in client.get(reverse("review:provincial_workspace")).content.decode()
