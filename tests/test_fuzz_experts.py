"""Bad input on the expert review's forms: the score form, the conflict declaration, the rubric, the
panel, automatic and manual assignment, withdrawing and reopening. Never a 500; a refused value
comes back with a message; comments and reasons are shown escaped."""

import pytest
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from review.experts import services as experts
from review.models import Criterion, ExpertAssignment
from tests.experts_support import expert_review_application, make_panel, submit_score
from tests.fuzz_support import (
    FUZZ,
    FUZZ_FEW,
    IMG,
    SCRIPT,
    assert_message,
    check_response,
    date_text,
    followed,
    hostile_text,
    number_text,
    rolled_back,
)

pytestmark = pytest.mark.django_db

PANEL = [("110000", "北京大学"), ("310000", "复旦大学"), ("420000", "武汉大学"), ("510000", "四川大学")]


@pytest.fixture
def review_setup(django_user_model, national, make_expert):
    application = expert_review_application(django_user_model, national, "320000")
    panel = make_panel(make_expert, application.call, PANEL)
    assignments = [experts.assign(application, e, by=national) for e in panel[:3]]
    experts.open_plan(assignments[0], assignments[0].expert)
    return application, panel, assignments


def _check(client, response, where):
    page = check_response(response, where=where)
    if response.status_code in (200, 400) and "已保存" not in page:
        assert_message(page, where)
    followed(client, response, where)
    return page


@FUZZ
@given(data=st.data(), submit=st.booleans())
@example(data=None, submit=True)
def test_score_form_takes_any_value(client, review_setup, data, submit):
    application, _panel, assignments = review_setup
    assignment = assignments[0]
    criteria = experts.ensure_rubric(application.call)
    if data is None:
        values = {f"criterion_{c.pk}": "20" for c in criteria}
        values.update(recommendation="approve", comment=SCRIPT + IMG)
    else:
        values = data.draw(st.fixed_dictionaries({f"criterion_{c.pk}": number_text for c in criteria}), label="scores")
        values["recommendation"] = data.draw(st.one_of(st.sampled_from(["approve", "reject", ""]), hostile_text))
        values["comment"] = data.draw(hostile_text, label="comment")
    if submit:
        values["submit"] = "1"
    client.force_login(assignment.expert)
    with rolled_back():
        response = client.post(reverse("experts:score", args=[assignment.pk]), values)
        _check(client, response, "score form")
        if response.status_code == 302:
            client.force_login(assignment.assigned_by)
            check_response(client.get(reverse("experts:application_scores", args=[application.pk])),
                           where="application scores")
            check_response(client.get(reverse("experts:ranking", args=[application.call_id])), where="ranking")


@FUZZ_FEW
@given(reason=hostile_text)
@example(reason=SCRIPT)
def test_conflict_declaration_takes_any_value(client, review_setup, reason):
    _application, _panel, assignments = review_setup
    assignment = assignments[1]
    client.force_login(assignment.expert)
    with rolled_back():
        response = client.post(reverse("experts:assignment", args=[assignment.pk]), {"reason": reason})
        _check(client, response, "conflict declaration")
        if response.status_code == 302:
            client.force_login(assignment.assigned_by)
            check_response(client.get(reverse("experts:assignments", args=[assignment.application.call_id])),
                           where="assignments")


criterion_row = st.fixed_dictionaries({
    "id": st.one_of(st.just(""), number_text), "position": number_text, "name": hostile_text,
    "description": hostile_text, "weight": number_text, "max_score": number_text,
    "DELETE": st.sampled_from(["", "on"]),
})


@FUZZ
@given(rows=st.lists(criterion_row, min_size=1, max_size=3), total=st.one_of(st.none(), st.sampled_from(
    ["0", "-1", "abc", "", "9" * 30])), existing=st.booleans())
@example(rows=[{"id": "", "position": "1", "name": SCRIPT, "description": IMG, "weight": "1", "max_score": "25",
                "DELETE": ""}], total=None, existing=False)
# Regression: "sNaN" in a new row's weight was compared with the default 1 by has_changed() → 500.
@example(rows=[{"id": "", "position": "1", "name": "新评分项", "description": "", "weight": "sNaN", "max_score": "25",
                "DELETE": ""}], total=None, existing=True)
def test_rubric_takes_any_value(client, national, review_setup, rows, total, existing):
    application, _panel, _assignments = review_setup
    call = application.call
    client.force_login(national)
    current = list(Criterion.objects.filter(call=call).order_by("pk"))
    payload = {"form-INITIAL_FORMS": str(len(current)) if existing else "0", "form-MIN_NUM_FORMS": "0",
               "form-MAX_NUM_FORMS": "1000"}
    if existing:
        for i, c in enumerate(current):
            payload.update({f"form-{i}-id": str(c.pk), f"form-{i}-position": str(c.position), f"form-{i}-name": c.name,
                            f"form-{i}-weight": str(c.weight), f"form-{i}-max_score": str(c.max_score)})
    start = len(current) if existing else 0
    for i, row in enumerate(rows, start=start):
        payload.update({f"form-{i}-{k}": v for k, v in row.items()})
    payload["form-TOTAL_FORMS"] = str(start + len(rows)) if total is None else total
    with rolled_back():
        response = client.post(reverse("experts:rubric", args=[call.pk]), payload)
        _check(client, response, "rubric")


@FUZZ_FEW
@given(chosen=st.lists(st.one_of(number_text, hostile_text), max_size=4), keep_real=st.booleans())
def test_panel_takes_any_value(client, national, review_setup, chosen, keep_real):
    application, panel, _assignments = review_setup
    client.force_login(national)
    values = [str(e.pk) for e in panel] + chosen if keep_real else chosen
    with rolled_back():
        response = client.post(reverse("experts:panel", args=[application.call_id]), {"experts": values})
        _check(client, response, "panel")


@FUZZ
@given(action=st.one_of(st.sampled_from(["auto", "manual", "withdraw"]), hostile_text),
       per_application=number_text, deadline=date_text, application=st.one_of(number_text, hostile_text),
       expert=st.one_of(number_text, hostile_text), assignment=st.one_of(number_text, hostile_text))
@example(action="auto", per_application="3", deadline="0001-01-01T00:00", application="", expert="", assignment="")
@example(action="auto", per_application="3", deadline="9999-12-31T23:59", application="", expert="", assignment="")
def test_assignments_take_any_value(client, national, review_setup, action, per_application, deadline, application,
                                    expert, assignment):
    app, panel, assignments = review_setup
    client.force_login(national)
    payload = {"action": action, "per_application": per_application, "deadline": deadline, "application": application,
               "expert": expert, "assignment": assignment}
    with rolled_back():
        response = client.post(reverse("experts:assignments", args=[app.call_id]), payload)
        _check(client, response, "assignments")
        check_response(client.get(reverse("review:expert_workspace")), where="national on expert workspace")
        for a in ExpertAssignment.objects.filter(application=app).select_related("expert"):
            client.force_login(a.expert)
            check_response(client.get(reverse("review:expert_workspace")), where="expert workspace")
            check_response(client.get(reverse("experts:assignment", args=[a.pk])), where="assignment page")
            break


@pytest.fixture
def submitted_score(review_setup):
    return submit_score(review_setup[2][2], [20, 21, 22, 23])


@FUZZ_FEW
@given(score=st.one_of(st.just("real"), number_text, hostile_text), reason=hostile_text)
@example(score="real", reason=SCRIPT)
def test_reopen_takes_any_value(client, national, review_setup, submitted_score, score, reason):
    application = review_setup[0]
    submitted = submitted_score
    client.force_login(national)
    with rolled_back():
        response = client.post(reverse("experts:application_scores", args=[application.pk]),
                               {"score": str(submitted.pk) if score == "real" else score, "reason": reason})
        _check(client, response, "reopen")
