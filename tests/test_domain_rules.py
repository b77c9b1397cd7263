"""Business rules hold wherever data enters, not only on the page that first enforced them: through
the admin site (Criterion.clean, Call.clean) and through the services (review.experts.services)."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from applications.enums import ApplicationState as S
from review import numbers
from review.enums import AssignmentStatus
from review.experts import services as experts
from review.models import Criterion, ExpertAssignment, Score
from review.transitions import perform
from tests.experts_support import expert_review_application, make_panel, submit_score
from tests.factories import open_call


@pytest.fixture
def call(db):
    return open_call()


@pytest.fixture
def scoring(django_user_model, national, make_expert, call):
    """Two applications in expert review, three panel experts each, the guide's rubric."""
    first = expert_review_application(django_user_model, national, "320000", call)
    second = expert_review_application(django_user_model, national, "440000", call)
    make_panel(make_expert, call, [("110000", "北京大学"), ("310000", "复旦大学"), ("330000", "浙江大学")])
    experts.auto_assign(call, per_application=3)
    criteria = experts.ensure_rubric(call)
    return first, second, criteria


def admin_form_data(response) -> dict:
    """What the admin change page would post back unchanged: the main form and each inline formset."""
    data = {}

    def take(form):
        for name, field in form.fields.items():
            value = form[name].value()
            if value is None:
                continue
            key = form.add_prefix(name)
            if isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif isinstance(field.widget, forms.SplitDateTimeWidget):
                local = timezone.localtime(value) if hasattr(value, "tzinfo") else value
                data[f"{key}_0"], data[f"{key}_1"] = local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")
            else:
                data[key] = value

    take(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[formset.management_form.add_prefix(key)] = value
        for form in formset.forms:
            take(form)
    return data


@pytest.mark.django_db
def test_admin_changes_criterion_weight_and_maximum_only_before_scoring(client, national, scoring, call):
    first, _second, criteria = scoring
    client.force_login(national)
    criterion = criteria[0]
    url = reverse("admin:review_criterion_change", args=[criterion.pk])
    data = admin_form_data(client.get(url))
    data.update(weight="2", max_score="30")
    assert client.post(url, data).status_code == 302  # before any score: allowed
    criterion.refresh_from_db()
    assert (criterion.weight, criterion.max_score) == (D("2"), D("30"))

    submit_score(ExpertAssignment.objects.filter(application=first).first(), (20, 20, 20, 20))
    call.refresh_from_db()
    assert call.scoring_started_at is not None
    data = admin_form_data(client.get(url))
    data.update(weight="3", max_score="40")
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "权重不能再修改" in str(errors["weight"]) and "满分不能再修改" in str(errors["max_score"])
    criterion.refresh_from_db()
    assert (criterion.weight, criterion.max_score) == (D("2"), D("30"))
    # Renaming stays possible; adding or deleting a criterion does not.
    data = admin_form_data(client.get(url))
    data["description"] = "补充说明"
    assert client.post(url, data).status_code == 302
    add = client.post(reverse("admin:review_criterion_add"),
                      {"call": call.pk, "name": "新增项", "weight": "1", "max_score": "10", "position": "9"})
    assert add.status_code == 200 and not Criterion.objects.filter(name="新增项").exists()
    assert client.post(reverse("admin:review_criterion_delete", args=[criterion.pk]), {"post": "yes"}).status_code == 403
    assert Criterion.objects.filter(pk=criterion.pk).exists()


@pytest.mark.django_db
def test_admin_changes_the_minimum_number_of_scores_only_before_scoring(client, national, scoring, call):
    first, _second, _criteria = scoring
    client.force_login(national)
    url = reverse("admin:applications_call_change", args=[call.pk])
    data = admin_form_data(client.get(url))
    data["min_scores"] = "4"
    assert client.post(url, data).status_code == 302
    call.refresh_from_db()
    assert call.min_scores == 4
    submit_score(ExpertAssignment.objects.filter(application=first).first(), (20, 20, 20, 20))
    data = admin_form_data(client.get(url))
    data["min_scores"] = "1"
    response = client.post(url, data)
    assert response.status_code == 200 and "最少专家评分数不能再修改" in str(response.context["adminform"].form.errors)
    call.refresh_from_db()
    assert call.min_scores == 4


@pytest.mark.django_db
def test_the_rubric_service_refuses_once_scoring_started(scoring, call):
    first, _second, criteria = scoring
    submit_score(ExpertAssignment.objects.filter(application=first).first(), (20, 20, 20, 20))
    with pytest.raises(experts.ExpertReviewError, match="评分标准不能再修改"):
        experts.save_rubric(call, formset=None)


@pytest.mark.django_db
def test_a_score_after_the_experts_deadline_is_refused_by_the_service(scoring, call):
    first, _second, criteria = scoring
    assignment = ExpertAssignment.objects.filter(application=first).first()
    ExpertAssignment.objects.filter(pk=assignment.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    assignment.refresh_from_db()
    with pytest.raises(experts.ExpertReviewError, match="评审截止时间"):
        experts.save_score(assignment, assignment.expert, {c.pk: D("20") for c in criteria}, "approve", "可行",
                           final=True)
    # The call's deadline counts where the assignment has none of its own.
    ExpertAssignment.objects.filter(pk=assignment.pk).update(deadline=None)
    call.expert_deadline = timezone.now() - timedelta(minutes=1)
    call.save(update_fields=["expert_deadline"])
    assignment.refresh_from_db()
    with pytest.raises(experts.ExpertReviewError, match="评审截止时间"):
        experts.save_score(assignment, assignment.expert, {c.pk: D("20") for c in criteria}, "", "", final=False)
    assert not Score.objects.filter(assignment=assignment).exists()


@pytest.mark.django_db
def test_a_score_after_the_decision_is_refused_by_the_service(scoring, national, call, make_expert):
    first, _second, criteria = scoring
    assignments = list(ExpertAssignment.objects.filter(application=first).order_by("pk"))
    for assignment in assignments[:call.min_scores]:
        submit_score(assignment, (20, 20, 20, 20))
    extra = ExpertAssignment.objects.create(application=first, expert=make_expert("610000", "西安交通大学"),
                                            status=AssignmentStatus.ASSIGNED)
    perform(first, national, "approve", "同意批复。", expected_state=S.EXPERT_REVIEW,
            extra={"document_number": numbers.proposed(national.organisation)})
    with pytest.raises(experts.ExpertReviewError, match="专家论证已结束"):
        experts.save_score(extra, extra.expert, {c.pk: D("20") for c in criteria}, "approve", "可行", final=True)
    assert not Score.objects.filter(assignment=extra).exists()
