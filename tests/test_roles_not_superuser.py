"""A user's role decides what they may do: an administrator account, even Django's superuser, is not
a national reviewer, a province or an expert (portal/rules.py, accounts.models.User.has_perm)."""

import pytest
import rules
from django.urls import reverse

from accounts.enums import Role
from accounts.models import Organisation, User
from applications.enums import ApplicationState as S
from review.enums import AssignmentStatus
from review.models import ExpertAssignment, Score
from tests.pipeline_support import application_in


@pytest.fixture
def seeded_admin(db):
    """An administrator account that also carries Django's superuser flag (as seed_demo once made it)."""
    return User.objects.create_user(username="admin", password="x-Long-password-1", role=Role.ADMIN,
                                    organisation=Organisation.objects.get(kind="national"), is_staff=True,
                                    is_superuser=True)


@pytest.fixture
def reviewed(applicant, provincial, national, expert, make_expert):
    actors = {Role.APPLICANT: applicant, Role.PROVINCIAL: provincial, Role.NATIONAL: national}
    application = application_in(S.EXPERT_REVIEW, applicant, actors, make_expert)
    assignment = ExpertAssignment.objects.create(application=application, expert=expert,
                                                 status=AssignmentStatus.ASSIGNED, assigned_by=national)
    return application, assignment


def business_requests(application, assignment):
    call = application.call
    score = Score.objects.filter(assignment__application=application).first()
    return [
        ("get", reverse("review:provincial_workspace"), {}),
        ("post", reverse("review:provincial_ranking", args=[call.pk]), {}),
        ("get", reverse("review:national_workspace"), {}),
        ("get", reverse("review:distribution"), {}),
        ("get", reverse("review:formal_review", args=[application.pk]), {}),
        ("post", reverse("review:formal_review", args=[application.pk]), {"materials_complete": "on"}),
        ("post", reverse("review:transition", args=[application.pk]),
         {"transition": "not_approve", "not_approve-expected_state": application.state,
          "not_approve-opinion": "不予批复", "confirmed": "1"}),
        ("get", reverse("applications:detail", args=[application.pk]), {}),
        ("get", reverse("review:expert_workspace"), {}),
        ("get", reverse("experts:assignment", args=[assignment.pk]), {}),
        ("get", reverse("experts:score", args=[assignment.pk]), {}),
        ("post", reverse("experts:open_plan", args=[assignment.pk]), {}),
        ("get", reverse("experts:index"), {}),
        ("get", reverse("experts:expert_list"), {}),
        ("get", reverse("experts:panel", args=[call.pk]), {}),
        ("get", reverse("experts:rubric", args=[call.pk]), {}),
        ("get", reverse("experts:assignments", args=[call.pk]), {}),
        ("post", reverse("experts:assignments", args=[call.pk]), {"action": "withdraw", "assignment": assignment.pk}),
        ("get", reverse("experts:ranking", args=[call.pk]), {}),
        ("get", reverse("experts:summary_xlsx", args=[call.pk]), {}),
        ("get", reverse("experts:application_scores", args=[application.pk]), {}),
        ("post", reverse("experts:application_scores", args=[application.pk]),
         {"score": score.pk if score else 1, "reason": "重新评分"}),
        ("get", reverse("documents:list", args=[application.pk]), {}),
        ("get", reverse("documents:score_summary", args=[call.pk]), {}),
        ("post", reverse("documents:request_score_summary", args=[call.pk]), {}),
    ]


@pytest.mark.django_db
def test_the_seeded_administrator_is_refused_every_business_page(client, seeded_admin, reviewed):
    application, assignment = reviewed
    client.force_login(seeded_admin)
    answered = {}
    for method, url, data in business_requests(application, assignment):
        answered[(method, url)] = getattr(client, method)(url, data).status_code
    assert {key: code for key, code in answered.items() if code not in (403, 404)} == {}
    assignment.refresh_from_db()
    application.refresh_from_db()
    assert assignment.status == AssignmentStatus.ASSIGNED  # nothing withdrawn
    assert application.state == S.EXPERT_REVIEW and not application.log.filter(actor=seeded_admin).exists()


@pytest.mark.django_db
def test_national_staff_reach_the_same_pages(client, national, reviewed):
    """The matrix above could pass by a broken URL list: national staff get 200 on the national pages."""
    application, assignment = reviewed
    client.force_login(national)
    ok = {url for method, url, _data in business_requests(application, assignment)
          if method == "get" and client.get(url).status_code == 200}
    assert reverse("review:national_workspace") in ok
    assert reverse("experts:ranking", args=[application.call.pk]) in ok
    assert reverse("experts:application_scores", args=[application.pk]) in ok
    assert reverse("review:formal_review", args=[application.pk]) in ok


@pytest.mark.django_db
def test_no_portal_permission_passes_on_is_superuser_alone(seeded_admin, reviewed):
    application, assignment = reviewed
    bare = User.objects.create_user(username="root", password="x-Long-password-2", is_superuser=True, is_staff=True)
    names = sorted(name for name in rules.permissions.permissions if name.startswith("portal."))
    assert len(names) >= 15
    def granted_to(user):
        out = []
        for name in names:
            for obj in (None, application, assignment):
                try:
                    if user.has_perm(name, obj):
                        out.append(name)
                except AttributeError:  # a predicate asked about another kind of object
                    continue
        return out

    for user in (bare, seeded_admin):
        granted = granted_to(user)
        expected = {"portal.admin_workspace", "portal.administer", "portal.manage_calls", "portal.use_admin_site"}
        if user is bare:
            assert granted == [], granted
        else:
            assert set(granted) <= expected, granted
    # Django's own permissions still follow the superuser flag (the admin site needs them).
    assert bare.has_perm("auth.change_user")
