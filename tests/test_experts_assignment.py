"""Panel, conflict-aware assignment, declared conflicts, and who may open what (404s)."""

import pytest
from django.urls import reverse

from accounts.enums import Role
from accounts.models import ExpertProfile, Organisation, Province
from applications.enums import ApplicationState
from review.enums import AssignmentStatus
from review.experts import queries as expert_queries
from review.experts import services as experts
from review.models import ExpertAssignment
from tests.experts_support import expert_review_application, make_panel
from tests.factories import open_call, submitted_application

PROVINCES = ["320000", "440000", "420000", "510000", "370000"]


@pytest.fixture
def call(db):
    return open_call()


@pytest.fixture
def applications(django_user_model, national, call):
    return [expert_review_application(django_user_model, national, code, call) for code in PROVINCES]


@pytest.fixture
def panel(make_expert, make_user, call, applications):
    """Eight experts: two conflict by province (江苏, 广东), one by organisation (works for 武汉's applicant)."""
    members = make_panel(make_expert, call, [
        ("320000", "南京大学"), ("440000", "中山大学"), ("110000", "北京大学"), ("310000", "复旦大学"),
        ("330000", "浙江大学"), ("610000", "西安交通大学"), ("500000", "重庆大学"),
    ])
    wuhan = applications[2].applicant
    insider = make_user(Role.EXPERT, wuhan)
    ExpertProfile.objects.create(user=insider, home_province=Province.objects.get(code="110000"), field="产业规划")
    members.append(insider)
    experts.set_panel(call, members)
    return members


def live(application):
    return ExpertAssignment.objects.filter(application=application, status__in=expert_queries.ACTIVE)


def test_auto_assignment_gives_asked_number_without_conflicts_and_balances_load(call, applications, panel):
    result = experts.auto_assign(call, per_application=4)
    assert len(result.created) == 20 and not result.shortages
    for app in applications:
        assigned = list(live(app).select_related("expert__expert_profile"))
        assert len(assigned) == 4
        assert len({a.expert_id for a in assigned}) == 4
        for a in assigned:
            assert not experts.is_conflicted(a.expert, app)
            assert a.expert.expert_profile.home_province_id != app.province_id
            assert a.expert.organisation_id != app.applicant_id
    loads = expert_queries.loads(call)
    assert set(loads) == {e.pk for e in panel}
    assert max(loads.values()) - min(loads.values()) <= 1
    assert sum(loads.values()) == 20
    # Running it again changes nothing: every application already has its number.
    assert experts.auto_assign(call, per_application=4).created == []


def test_auto_assignment_defaults_to_the_calls_number_and_reports_shortage(call, applications, panel):
    assert call.experts_per_application == 5
    result = experts.auto_assign(call)
    for app in applications:
        assert live(app).count() == 5
    loads = expert_queries.loads(call)
    assert max(loads.values()) - min(loads.values()) <= 1
    # Seven eligible experts for 武汉 (the insider is excluded), so asking for 8 leaves 1 short.
    result = experts.auto_assign(call, per_application=8)
    wuhan = applications[2]
    assert result.shortages[wuhan] == 1
    assert live(wuhan).count() == 7
    assert not live(wuhan).filter(expert__organisation=wuhan.applicant).exists()


def test_manual_assignment_refuses_conflicts_and_states(django_user_model, call, applications, panel, national,
                                                      client):
    suzhou = applications[0]
    jiangsu_expert = panel[0]
    with pytest.raises(experts.ExpertReviewError):
        experts.assign(suzhou, jiangsu_expert)
    with pytest.raises(experts.ExpertReviewError):
        experts.assign(applications[2], panel[-1])  # works for the applicant
    client.force_login(national)
    url = reverse("experts:assignments", args=[call.pk])
    response = client.post(url, {"action": "manual", "application": suzhou.pk, "expert": jiangsu_expert.pk})
    assert response.status_code == 200
    form = response.context["manual_form"]
    assert "利益冲突" in form.errors["expert"][0]
    assert form["application"].value() == str(suzhou.pk)
    assert not ExpertAssignment.objects.filter(application=suzhou, expert=jiangsu_expert).exists()
    response = client.post(url, {"action": "manual", "application": suzhou.pk, "expert": panel[2].pk})
    assert response.status_code == 302
    assert live(suzhou).filter(expert=panel[2], assigned_by=national).exists()


def test_only_applications_in_expert_review_get_assignments(call, other_applicant, applications, panel):
    draft = submitted_application(other_applicant, call)
    assert draft.state == ApplicationState.SUBMITTED
    with pytest.raises(experts.ExpertReviewError):
        experts.assign(draft, panel[2])
    experts.auto_assign(call, per_application=2)
    assert not ExpertAssignment.objects.filter(application=draft).exists()


def test_declared_conflict_withdraws_and_replaces(call, applications, panel, client):
    experts.auto_assign(call, per_application=3)
    app = applications[1]
    assignment = live(app).first()
    expert = assignment.expert
    client.force_login(expert)
    url = reverse("experts:assignment", args=[assignment.pk])
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200 and response.context["conflict_form"].errors["reason"]
    before = expert_queries.loads(call)
    before_ids = set(live(app).values_list("expert_id", flat=True))
    response = client.post(url, {"reason": "本人曾为该市专利导航项目提供咨询。"})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.CONFLICT
    assert assignment.conflict_reason == "本人曾为该市专利导航项目提供咨询。"
    after_ids = set(live(app).values_list("expert_id", flat=True))
    assert len(after_ids) == 3
    (replacement_id,) = after_ids - before_ids
    replacement = next(e for e in panel if e.pk == replacement_id)
    assert not experts.is_conflicted(replacement, app)
    # The least-loaded of the eligible experts not already on the application.
    free = [e for e in panel if not experts.is_conflicted(e, app) and e.pk not in before_ids]
    assert before[replacement_id] == min(before[e.pk] for e in free)
    # The expert no longer reaches the withdrawn assignment, and never gets the application again.
    assert client.get(url).status_code == 404
    assert client.get(reverse("applications:detail", args=[app.pk])).status_code == 404
    experts.auto_assign(call, per_application=8)
    assert not live(app).filter(expert=expert).exists()


def test_conflict_cannot_be_declared_after_opening_the_plan(call, applications, panel, client):
    experts.auto_assign(call, per_application=3)
    assignment = live(applications[0]).first()
    client.force_login(assignment.expert)
    assert client.get(reverse("experts:assignment", args=[assignment.pk])).status_code == 200
    assignment.refresh_from_db()
    assert assignment.opened_at is None  # the summary page does not show the plan
    # A GET of the score page does not open the plan: the conflict can still be declared after it.
    assert client.get(reverse("experts:score", args=[assignment.pk])).status_code == 302
    assignment.refresh_from_db()
    assert assignment.opened_at is None
    assert client.post(reverse("experts:open_plan", args=[assignment.pk])).status_code == 302
    assignment.refresh_from_db()
    assert assignment.opened_at is not None
    response = client.post(reverse("experts:assignment", args=[assignment.pk]), {"reason": "回避"})
    assert response.status_code == 200
    assert "已查看过建设方案" in response.context["conflict_form"].errors["reason"][0]
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ASSIGNED


def test_experts_get_404_for_others_assignments_and_unassigned_applications(call, applications, panel, client):
    experts.auto_assign(call, per_application=2)
    mine = ExpertAssignment.objects.filter(expert=panel[2]).first()
    theirs = ExpertAssignment.objects.exclude(expert=panel[2]).exclude(application=mine.application).first()
    assigned_ids = set(ExpertAssignment.objects.filter(expert=panel[2]).values_list("application_id", flat=True))
    unassigned = next(a for a in applications if a.pk not in assigned_ids)
    client.force_login(panel[2])
    assert client.get(reverse("experts:assignment", args=[mine.pk])).status_code == 200
    # Experts judge blind: the application page (opinions, timeline) is not theirs, even when assigned.
    assert client.get(reverse("applications:detail", args=[mine.application_id])).status_code == 404
    for name in ("experts:assignment", "experts:score"):
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 404
        assert client.post(reverse(name, args=[theirs.pk]), {"reason": "x", "submit": "1"}).status_code == 404
    assert client.post(reverse("experts:open_plan", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("applications:detail", args=[unassigned.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == AssignmentStatus.ASSIGNED and theirs.opened_at is None
    # The workspace lists only the expert's own assignments and never another expert's name.
    page = client.get(reverse("review:expert_workspace")).content.decode()
    assert str(mine.application) in page
    assert str(theirs.expert) not in page and str(unassigned) not in page
    # National pages are closed to experts.
    assert client.get(reverse("experts:assignments", args=[call.pk])).status_code == 403


def test_applicants_and_provinces_never_see_expert_identities(call, applications, panel, client, national):
    experts.auto_assign(call, per_application=3)
    app = applications[0]
    names = [str(a.expert) for a in live(app).select_related("expert")]
    applicant = app.applicant.users.get()
    provincial = Organisation.objects.get(kind="provincial", province=app.province).users.get()
    for user in (applicant, provincial):
        client.force_login(user)
        page = client.get(reverse("applications:detail", args=[app.pk])).content.decode()
        assert all(name not in page for name in names)
        for url in (reverse("experts:application_scores", args=[app.pk]), reverse("experts:ranking", args=[call.pk]),
                    reverse("experts:expert_list"), reverse("experts:summary_xlsx", args=[call.pk])):
            assert client.get(url).status_code == 403
    client.force_login(national)
    page = client.get(reverse("experts:assignments", args=[call.pk])).content.decode()
    assert all(name in page for name in names)


def test_national_manages_panel(call, make_expert, national, client):
    a, b = make_expert("110000", "北京大学"), make_expert("310000", "复旦大学")
    client.force_login(national)
    url = reverse("experts:panel", args=[call.pk])
    assert client.post(url, {"experts": [a.pk, b.pk]}).status_code == 302
    assert set(expert_queries.panel_experts(call)) == {a, b}
    assert client.post(url, {"experts": [b.pk]}).status_code == 302
    assert list(expert_queries.panel_experts(call)) == [b]
    response = client.post(url, {"experts": ["not-a-number"]})
    assert response.status_code == 200 and response.context["form"].errors["experts"]
    page = client.get(reverse("experts:expert_list")).content.decode()
    assert "北京大学" in page and "复旦大学" in page
