"""The workspaces and the application panel: fixed query counts whatever the number of rows,
filters, ranking, the timeline (experts masked), and refusals shown at the field."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from accounts.enums import OrganisationKind, Role
from accounts.models import Organisation
from applications.enums import ApplicationState as S
from review.models import FormalReview, TransitionLog
from review.transitions import perform
from review.views import NationalWorkspaceView
from tests.pipeline_support import FINDINGS, OPINION, application_in, step


@pytest.fixture
def more_applications(provincial, national, make_user, make_expert, province_js):
    """Adds applications from new 江苏 applicants, each walked to `state`."""
    bureau = Organisation.objects.get(kind=OrganisationKind.PROVINCIAL_BUREAU, province=province_js)
    counter = {"n": 0}

    def add(count, state):
        apps = []
        for _ in range(count):
            counter["n"] += 1
            org = Organisation.objects.create(kind=OrganisationKind.APPLICANT, name=f"测试市{counter['n']}人民政府",
                                              province=province_js, level="prefecture",
                                              city=f"测试市{counter['n'] % 3}", parent=bureau)
            user = make_user(Role.APPLICANT, org)
            apps.append(application_in(state, user, {Role.APPLICANT: user, Role.PROVINCIAL: provincial,
                                                     Role.NATIONAL: national}, make_expert))
        return apps

    return add


@override_settings(PAGE_CACHE_SECONDS=0)
def _count(client, url):
    # Rendered each time (pagecache off): the count is the page's own, not a cached page's (test_pagecache).
    # Once unmeasured: what the cache keeps (session, policy, choice lists, unread count) is read again after
    # the rows it describes changed; the count compared is the page's own, whatever the number of rows.
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "url", "state"), [
    (Role.PROVINCIAL, "/province/", S.RECOMMENDED),
    (Role.PROVINCIAL, "/province/?state=recommended&industry=信息&deadline=open", S.RECOMMENDED),
    (Role.NATIONAL, "/national/", S.NATIONAL_REVIEW),
    (Role.NATIONAL, "/national/distribution/", S.NATIONAL_REVIEW),
    (Role.PROVINCIAL, "/inbox/", S.SUBMITTED),
    (Role.NATIONAL, "/inbox/", S.RECOMMENDED),
])
def test_queue_pages_run_a_fixed_number_of_queries(client, provincial, national, more_applications, role, url,
                                                   state):
    user = {Role.PROVINCIAL: provincial, Role.NATIONAL: national}[role]
    more_applications(1, state)
    client.force_login(user)
    client.get(url)  # warm caches (session, content types)
    one, first = _count(client, url)
    more_applications(9, state)
    ten, response = _count(client, url)
    assert one == ten, (one, ten)
    body = response.content.decode()
    if "inbox" not in url and "distribution" not in url:
        assert body.count("/applications/") >= 10


@pytest.mark.django_db
def test_navbar_unread_count_is_one_query(client, provincial, applicant, actors, make_expert):
    application_in(S.SUBMITTED, applicant, actors, make_expert)
    client.force_login(provincial)
    with CaptureQueriesContext(connection) as ctx:
        body = client.get("/inbox/").content.decode()
    counting = [q for q in ctx.captured_queries if "notifications_notification" in q["sql"] and "COUNT" in q["sql"]
                and "read_at" in q["sql"]]
    assert len(counting) == 1
    assert "1 条未读" in body


@pytest.mark.django_db
def test_provincial_filters(client, provincial, more_applications):
    submitted = more_applications(2, S.SUBMITTED)
    recommended = more_applications(1, S.RECOMMENDED)
    client.force_login(provincial)
    body = client.get("/province/?state=recommended").content.decode()
    assert f"/applications/{recommended[0].pk}/" in body
    assert all(f"/applications/{a.pk}/" not in body for a in submitted)
    body = client.get(f"/province/?city={submitted[0].city}").content.decode()
    assert f"/applications/{submitted[0].pk}/" in body
    body = client.get("/province/?deadline=passed").content.decode()
    assert "没有符合条件的申报" in body
    # Sorting by any column keeps working, and bad input never breaks the page.
    for sort in ("zone_name", "-provincial_rank", "state", "deadline", "applicant", "nonsense"):
        assert client.get(f"/province/?sort={sort}").status_code == 200
    assert client.get("/province/?state=bogus&call=abc&deadline=x").status_code == 200


@pytest.mark.django_db
def test_ranking_editable_until_national_review_starts(client, provincial, national, more_applications):
    a, b, c = more_applications(3, S.RECOMMENDED)
    for app in (a, b, c):
        app.refresh_from_db()
    assert sorted([a.provincial_rank, b.provincial_rank, c.provincial_rank]) == [1, 2, 3]
    client.force_login(provincial)
    url = reverse("review:provincial_ranking", args=[a.call_id])
    prefix = f"call{a.call_id}-rank_"
    # Duplicates are refused with every typed value kept.
    response = client.post(url, {f"{prefix}{a.pk}": 1, f"{prefix}{b.pk}": 1, f"{prefix}{c.pk}": 7})
    assert response.status_code == 400
    body = response.content.decode()
    assert "排序不能重复" in body and 'value="7"' in body
    response = client.post(url, {f"{prefix}{a.pk}": 3, f"{prefix}{b.pk}": 1, f"{prefix}{c.pk}": 2})
    assert response.status_code == 302
    for app in (a, b, c):
        app.refresh_from_db()
    assert (b.provincial_rank, c.provincial_rank, a.provincial_rank) == (1, 2, 3)

    perform(b, national, "start_national_review")
    response = client.post(url, {f"{prefix}{a.pk}": 1, f"{prefix}{c.pk}": 2})
    assert response.status_code == 400 and "排序已锁定" in response.content.decode()


@pytest.mark.django_db
def test_recommend_with_a_rank_inserts_it(provincial, more_applications):
    first, second = more_applications(2, S.RECOMMENDED)
    (third,) = more_applications(1, S.PROVINCIAL_REVIEW)
    perform(third, provincial, "recommend", OPINION, extra={"rank": 1, **FINDINGS})
    for app in (first, second, third):
        app.refresh_from_db()
    assert (third.provincial_rank, first.provincial_rank, second.provincial_rank) == (1, 2, 3)


@pytest.mark.django_db
def test_panel_shows_the_forms_for_this_user_only(client, applicant, provincial, national, actors, make_expert):
    application = application_in(S.PROVINCIAL_REVIEW, applicant, actors, make_expert)
    url = reverse("applications:detail", args=[application.pk])
    client.force_login(provincial)
    body = client.get(url).content.decode()
    for label in ("推荐至国家局", "退回修改", "不予推荐", "省内推荐排序", "退回理由及修改要求"):
        assert label in body
    client.force_login(applicant)
    body = client.get(url).content.decode()
    assert "推荐至国家局" not in body and "办理记录" in body


@pytest.mark.django_db
def test_refused_action_keeps_typed_values_and_shows_message_at_the_field(client, applicant, provincial, actors,
                                                                          make_expert):
    application = application_in(S.PROVINCIAL_REVIEW, applicant, actors, make_expert)
    client.force_login(provincial)
    url = reverse("review:transition", args=[application.pk])
    page = reverse("applications:detail", args=[application.pk])
    response = client.post(url, {"transition": "recommend", "recommend-expected_state": S.PROVINCIAL_REVIEW,
                                 "recommend-opinion": "  ", "recommend-rank": "2"})
    # Redirect-after-post: the page it came from, where the typed values and the messages wait.
    assert response.status_code == 302 and response["Location"] == page
    body = client.get(page).content.decode()
    assert 'id="id_recommend-opinion-error"' in body and "请填写审核意见" in body
    assert 'value="2"' in body
    response = client.post(url, {"transition": "recommend", "recommend-expected_state": S.PROVINCIAL_REVIEW,
                                 "recommend-opinion": "同意推荐", "recommend-rank": "abc"})
    assert response.status_code == 302
    body = client.get(page).content.decode()
    assert "同意推荐" in body and 'aria-invalid="true"' in body
    # Shown once: the next visit shows the page without them.
    assert 'aria-invalid="true"' not in client.get(page).content.decode()
    # Garbage never gives a 500.
    for data in ({"transition": "nope"}, {"transition": "recommend"}, {"transition": "recommend",
                                                                        "recommend-expected_state": "x" * 5000}):
        assert client.post(url, data).status_code in (302, 403, 409)
    application.refresh_from_db()
    assert application.state == S.PROVINCIAL_REVIEW


@pytest.mark.django_db
def test_successful_action_redirects_with_message(client, applicant, provincial, actors, make_expert):
    application = application_in(S.PROVINCIAL_REVIEW, applicant, actors, make_expert)
    client.force_login(provincial)
    response = client.post(reverse("review:transition", args=[application.pk]), {
        "transition": "return_to_applicant", "return_to_applicant-expected_state": S.PROVINCIAL_REVIEW,
        "return_to_applicant-opinion": "请补充边界图。"}, follow=True)
    body = response.content.decode()
    assert "已执行“退回修改”" in body and "请补充边界图。" in body
    application.refresh_from_db()
    assert application.state == S.RETURNED


@pytest.mark.django_db
def test_timeline_masks_expert_identities_except_for_national_staff(client, applicant, provincial, national, actors,
                                                                    expert, make_expert):
    application = application_in(S.SUBMITTED, applicant, actors, make_expert)
    expert.display_name = "保密的专家姓名"
    expert.save()
    # An expert-role log entry (the expert stages append such rows).
    TransitionLog.objects.create(application=application, transition="expert_note", from_state=S.SUBMITTED,
                                 to_state=S.SUBMITTED, actor=expert, actor_organisation=expert.organisation,
                                 actor_role=Role.EXPERT, opinion="评审意见", version=1)
    step(application, "start_provincial_review", actors, make_expert)
    for user, sees in ((applicant, False), (provincial, False), (national, None)):
        client.force_login(user)
        response = client.get(reverse("applications:detail", args=[application.pk]))
        if sees is None:  # national staff cannot see it before it is forwarded
            assert response.status_code == 404
            continue
        body = response.content.decode()
        assert "保密的专家姓名" not in body and expert.organisation.name not in body
        assert "评审专家" in body and "评审意见" in body
        assert provincial.organisation.name in body
    for name in ("recommend", "start_national_review"):
        step(application, name, actors, make_expert)
    client.force_login(national)
    body = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert "保密的专家姓名" in body


@pytest.mark.django_db
def test_formal_review_checklist_saved_per_version(client, applicant, national, actors, make_expert):
    application = application_in(S.NATIONAL_REVIEW, applicant, actors, make_expert)
    client.force_login(national)
    url = reverse("review:formal_review", args=[application.pk])
    assert "申报书、建设方案、证明材料、承诺书齐全" in client.get(url).content.decode()
    client.post(url, {"materials_complete": "on", "eligibility_verified": "on", "notes": "已核对"})
    review = FormalReview.objects.get(application=application, version=application.current_version)
    assert review.checklist == {"materials_complete": True, "eligibility_verified": True,
                                "provincial_opinion": False, "commitment_signed": False}
    response = client.post(reverse("review:transition", args=[application.pk]), {
        "transition": "send_to_experts", "send_to_experts-expected_state": S.NATIONAL_REVIEW, "next": "formal_review"},
        follow=True)
    assert response.redirect_chain == [(url, 302)] and "材料审核清单尚未完成" in response.content.decode()
    client.post(url, {"notes": "已核对", **dict.fromkeys(("materials_complete", "eligibility_verified", "provincial_opinion", "commitment_signed"), "on")})
    response = client.post(reverse("review:transition", args=[application.pk]), {
        "transition": "send_to_experts", "send_to_experts-expected_state": S.NATIONAL_REVIEW, "next": "formal_review"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == S.EXPERT_REVIEW
    # Once past formal review the checklist is read-only.
    assert client.post(url, {"notes": "改"}).status_code == 302
    assert FormalReview.objects.get(application=application).notes == "已核对"


@pytest.mark.django_db
def test_distribution_counts_per_province_and_region(client, national, more_applications, applicant, actors,
                                                     make_expert):
    more_applications(2, S.NATIONAL_REVIEW)
    approved = application_in(S.APPROVED, applicant, actors, make_expert)
    client.force_login(national)
    response = client.get(f"/national/distribution/?call={approved.call_id}")
    ctx = response.context
    assert ctx["approved"] == 1 and ctx["in_review"] == 2 and ctx["target"] == approved.call.target_zones
    east = next(r for r in ctx["regions"] if r["label"] == "华东")
    assert east["approved"] == 1 and east["in_review"] == 2
    assert client.get("/national/distribution/?call=999999").status_code == 200


@pytest.mark.django_db
def test_national_page_links_keep_the_filters(client, national, more_applications, monkeypatch):
    monkeypatch.setattr(NationalWorkspaceView, "paginate_by", 2)
    more_applications(3, S.RECOMMENDED)
    client.force_login(national)
    body = client.get("/national/", {"state": "recommended"}).content.decode()
    assert "?state=recommended&amp;page=2" in body
    second = client.get("/national/", {"state": "recommended", "page": 2}).content.decode()
    assert "?state=recommended&amp;page=1" in second and "2 / 2" in second
