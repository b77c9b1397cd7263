"""The score form (drafts, validation at the field, locking, reopening), national pages and the XLSX."""

from decimal import Decimal as D
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from review.enums import AssignmentStatus
from review.experts import services as experts
from review.models import Criterion, ExpertAssignment, Score, ScoreReopening
from tests.experts_support import expert_review_application, make_panel, submit_score
from tests.factories import open_call
from typography import fullwidth


@pytest.fixture
def call(db):
    return open_call()


@pytest.fixture
def setup(django_user_model, national, make_expert, call):
    suzhou = expert_review_application(django_user_model, national, "320000", call)
    panel = make_panel(make_expert, call, [("110000", "北京大学"), ("310000", "复旦大学"), ("330000", "浙江大学")])
    experts.auto_assign(call, per_application=3)
    criteria = experts.ensure_rubric(call)
    assignment = ExpertAssignment.objects.filter(application=suzhou).order_by("pk").first()
    experts.open_plan(assignment, assignment.expert)
    return suzhou, panel, criteria, assignment


def form_data(criteria, values, **extra):
    data = {f"criterion_{c.pk}": v for c, v in zip(criteria, values, strict=True)}
    data.update(extra)
    return data


def test_score_page_shows_the_frozen_plan_once_opened_by_a_post(setup, client):
    suzhou, _p, criteria, opened = setup
    assignment = ExpertAssignment.objects.filter(application=suzhou).exclude(pk=opened.pk).order_by("pk").first()
    client.force_login(assignment.expert)
    url = reverse("experts:score", args=[assignment.pk])
    snapshot = suzhou.versions.get(number=suzhou.current_version).snapshot
    # A plain GET (a link preview, a prefetch, a reload) neither shows the plan nor marks it opened.
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == reverse("experts:assignment", args=[assignment.pk])
    assert client.post(url, form_data(criteria, ["20", "20", "20", "20"], save="1")).status_code == 302
    assignment.refresh_from_db()
    assert assignment.opened_at is None and not Score.objects.filter(assignment=assignment).exists()
    assert client.get(reverse("experts:open_plan", args=[assignment.pk])).status_code == 405
    # Opening is the explicit POST of the assignment page's button.
    page = client.get(reverse("experts:assignment", args=[assignment.pk])).content.decode()
    assert reverse("experts:open_plan", args=[assignment.pk]) in page and snapshot["plan_goals"][:20] not in page
    response = client.post(reverse("experts:open_plan", args=[assignment.pk]))
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url).content.decode()
    assert fullwidth(snapshot["plan_goals"][:20]) in page  # shown with full-width marks
    assert "申报条件审查结果" in page
    assert all(c.name in page for c in criteria)
    assignment.refresh_from_db()
    first = assignment.opened_at
    assert first is not None
    client.post(reverse("experts:open_plan", args=[assignment.pk]))
    client.get(url)
    assignment.refresh_from_db()
    assert assignment.opened_at == first


def test_draft_saves_partial_values(setup, client):
    _s, _p, criteria, assignment = setup
    client.force_login(assignment.expert)
    url = reverse("experts:score", args=[assignment.pk])
    response = client.post(url, form_data(criteria, ["20", "", "18.5", ""], comment="初步意见", save="1"))
    assert response.status_code == 302
    score = Score.objects.get(assignment=assignment)
    assert not score.locked and score.comment == "初步意见"
    assert {i.criterion_id: i.value for i in score.items.all()} == {criteria[0].pk: D("20"), criteria[2].pk: D("18.5")}
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ASSIGNED
    page = client.get(url).content.decode()
    assert 'value="18.50"' in page or 'value="18.5"' in page


def test_bad_input_is_refused_at_the_field_and_typed_values_kept(setup, client):
    _s, _p, criteria, assignment = setup
    client.force_login(assignment.expert)
    url = reverse("experts:score", args=[assignment.pk])
    response = client.post(url, form_data(criteria, ["26", "abc", "-1", "20"], recommendation="approve",
                                          comment="意见保留", submit="1"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[f"criterion_{criteria[0].pk}"]  # above the maximum of 25
    assert form.errors[f"criterion_{criteria[1].pk}"]  # not a number
    assert form.errors[f"criterion_{criteria[2].pk}"]  # negative
    page = response.content.decode()
    assert "意见保留" in page and 'value="abc"' in page and 'value="26"' in page
    assert not Score.objects.filter(assignment=assignment).exists()
    # Final submit without a comment: the comment field says so, the numbers stay.
    response = client.post(url, form_data(criteria, ["20", "21", "22", "23"], recommendation="approve", comment=" ",
                                          submit="1"))
    assert response.status_code == 200
    assert response.context["form"].errors["comment"] == ["评审意见为必填项。"]
    assert 'value="21"' in response.content.decode()
    response = client.post(url, form_data(criteria, ["20", "21", "22", "23"], recommendation="maybe",
                                          comment="x", submit="1"))
    assert response.status_code == 200 and response.context["form"].errors["recommendation"]


def test_submitted_score_is_locked(setup, client):
    _s, _p, criteria, assignment = setup
    client.force_login(assignment.expert)
    url = reverse("experts:score", args=[assignment.pk])
    response = client.post(url, form_data(criteria, ["20", "21", "22", "23"], recommendation="approve",
                                          comment="方案可行。", submit="1"))
    assert response.status_code == 302
    score = Score.objects.get(assignment=assignment)
    assert score.locked
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.SUBMITTED
    response = client.post(url, form_data(criteria, ["1", "1", "1", "1"], recommendation="reject", comment="改了",
                                          submit="1"))
    assert response.status_code == 302
    response = client.post(url, form_data(criteria, ["1", "1", "1", "1"], save="1"), follow=True)
    assert "锁定" in response.content.decode()
    score.refresh_from_db()
    assert score.comment == "方案可行。" and score.recommendation == "approve"
    assert sorted(i.value for i in score.items.all()) == [D("20"), D("21"), D("22"), D("23")]
    with pytest.raises(experts.ExpertReviewError):
        experts.save_score(assignment, assignment.expert, {}, "reject", "x", final=False)
    page = client.get(url).content.decode()
    assert "已于" in page and 'name="submit"' not in page


def test_national_reopens_with_a_logged_reason(setup, client, national):
    suzhou, _p, criteria, assignment = setup
    score = submit_score(assignment, (20, 20, 20, 20))
    client.force_login(national)
    url = reverse("experts:application_scores", args=[suzhou.pk])
    response = client.post(url, {"score": score.pk, "reason": ""})
    assert response.status_code == 200 and response.context["reopen_form"].errors["reason"]
    assert client.post(url, {"score": "zzz", "reason": "x"}).status_code == 302
    response = client.post(url, {"score": score.pk, "reason": "分项得分与意见不一致。"})
    assert response.status_code == 302
    reopening = ScoreReopening.objects.get(score=score)
    assert reopening.reason == "分项得分与意见不一致。" and reopening.reopened_by == national
    score.refresh_from_db()
    assert not score.locked
    client.force_login(assignment.expert)
    response = client.post(reverse("experts:score", args=[assignment.pk]),
                           form_data(criteria, ["19", "20", "20", "20"], recommendation="revise", comment="已核对。",
                                     submit="1"))
    assert response.status_code == 302
    score.refresh_from_db()
    assert score.locked and score.recommendation == "revise"


def test_national_pages_render_with_bounded_queries(setup, client, national, call):
    suzhou, panel, _c, assignment = setup
    submit_score(assignment, (20, 20, 20, 20))
    client.force_login(national)
    urls = [reverse("experts:index"), reverse("experts:expert_list"), reverse("experts:panel", args=[call.pk]),
            reverse("experts:rubric", args=[call.pk]), reverse("experts:assignments", args=[call.pk]),
            reverse("experts:ranking", args=[call.pk]), reverse("experts:application_scores", args=[suzhou.pk])]
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        assert len(queries) < 30, (url, len(queries))
    page = client.get(reverse("experts:application_scores", args=[suzhou.pk])).content.decode()
    assert str(assignment.expert) in page and "80.00" in page
    assert client.get(reverse("experts:ranking", args=[999999])).status_code == 404


def test_rubric_is_edited_by_national_staff_and_locked_once_scored(setup, client, national, call):
    _s, _p, criteria, assignment = setup
    client.force_login(national)
    url = reverse("experts:rubric", args=[call.pk])
    data = {"form-TOTAL_FORMS": "5", "form-INITIAL_FORMS": "4", "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "1000"}
    for i, c in enumerate(criteria):
        data.update({f"form-{i}-id": c.pk, f"form-{i}-position": c.position, f"form-{i}-name": c.name,
                     f"form-{i}-description": c.description, f"form-{i}-weight": "1", f"form-{i}-max_score": "20"})
    data.update({"form-4-position": "5", "form-4-name": "创新特色", "form-4-description": "", "form-4-weight": "0",
                 "form-4-max_score": "20"})
    response = client.post(url, data)
    assert response.status_code == 200  # weight 0 refused at its field
    assert response.context["formset"].forms[4].errors["weight"]
    data["form-4-weight"] = "0.5"
    assert client.post(url, data).status_code == 302
    names = list(Criterion.objects.filter(call=call).values_list("name", "max_score"))
    assert ("创新特色", D("20")) in names and len(names) == 5
    submit_score(assignment, (20, 20, 20, 20, 10))
    data["form-0-name"] = "改名"
    response = client.post(url, data, follow=True)
    assert "已锁定" in response.content.decode() or "不能再修改" in response.content.decode()
    assert not Criterion.objects.filter(name="改名").exists()


def test_summary_xlsx_contains_the_figures(setup, client, national, call):
    suzhou, _p, _c, _a = setup
    for a, values in zip(ExpertAssignment.objects.filter(application=suzhou).order_by("pk"),
                         [(20, 20, 20, 20), (15, 15, 15, 15), (25, 20, 20, 20)], strict=True):
        submit_score(a, values)
    client.force_login(national)
    response = client.get(reverse("experts:summary_xlsx", args=[call.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    summary = book["专家评分汇总表"]
    rows = [list(r) for r in summary.iter_rows(values_only=True)]
    header_index = next(i for i, r in enumerate(rows) if r[0] == "排名")
    header, data = rows[header_index], rows[header_index + 1]
    record = dict(zip(header, data, strict=False))
    assert record["实验区名称"] == str(suzhou)
    assert record["有效评分数"] == 3
    # totals 80, 60, 85: mean 75; population std dev √((25 + 225 + 100) / 3) = 10.80; spread 25 > 20
    assert D(str(record["平均分"])) == D("75")
    assert D(str(record["去掉最高最低后平均分"])) == D("75")
    assert D(str(record["标准差(总体)"])) == D("10.80")
    assert D(str(record["极差"])) == D("25") and record["评分分歧"] == "是"
    assert record["建议批复"] == 3 and record["排名"] == 1
    detail = book["评分明细"]
    totals = sorted(D(str(r[-4])) for r in detail.iter_rows(min_row=2, values_only=True))
    assert totals == [D("60"), D("80"), D("85")]
