"""Aggregation figures against hand-computed values, the ranking, and the approval guard."""

from decimal import Decimal as D

import pytest

from applications.enums import ApplicationState
from review import numbers
from review.enums import Recommendation
from review.experts import aggregation
from review.experts import demo as expert_demo
from review.experts import services as experts
from review.models import Criterion, ExpertAssignment
from review.transitions import TransitionError, perform
from tests.experts_support import expert_review_application, make_panel, submit_score
from tests.factories import open_call

# --- pure functions --------------------------------------------------------------------------


def test_weighted_total_is_sum_of_weight_times_value():
    assert aggregation.weighted_total([(D("1"), D("20")), (D("2"), D("15.5")), (D("0.5"), D("10"))]) == D("56.0")
    assert aggregation.weighted_total([]) == D("0")


def test_four_scores_plain_mean_and_population_std_dev():
    totals = [D("70"), D("80"), D("85"), D("90")]
    # mean = 325 / 4 = 81.25; fewer than five, so the trimmed mean is the plain mean.
    assert aggregation.mean(totals) == D("81.25")
    assert aggregation.trimmed_mean(totals) == D("81.25")
    # deviations -11.25, -1.25, 3.75, 8.75 → squares sum 218.75 → ÷4 = 54.6875 → √ = 7.3951...
    assert aggregation.rounded(aggregation.std_dev(totals)) == D("7.40")
    assert aggregation.std_dev(totals) ** 2 == pytest.approx(D("54.6875"))
    assert aggregation.spread(totals) == D("20")
    # The flag is raised only when the spread EXCEEDS the threshold.
    assert aggregation.divergent(totals, D("20")) is False
    assert aggregation.divergent(totals, D("19.99")) is True


def test_five_scores_trimmed_mean_drops_highest_and_lowest():
    totals = [D("95"), D("60"), D("80"), D("70"), D("85")]
    assert aggregation.mean(totals) == D("78")
    # drop 95 and 60: (70 + 80 + 85) / 3 = 78.333...
    assert aggregation.rounded(aggregation.trimmed_mean(totals)) == D("78.33")
    # deviations -18, -8, 2, 7, 17 → squares sum 730 → ÷5 = 146 → √146 = 12.0830...
    assert aggregation.rounded(aggregation.std_dev(totals)) == D("12.08")
    assert aggregation.spread(totals) == D("35")
    assert aggregation.divergent(totals, D("20")) is True


def test_empty_and_single_score():
    assert aggregation.mean([]) is None and aggregation.trimmed_mean([]) is None
    assert aggregation.std_dev([]) is None and aggregation.spread([]) is None
    assert aggregation.divergent([], D("1")) is False
    assert aggregation.std_dev([D("88")]) == D("0")


def test_tally_counts_every_recommendation():
    assert aggregation.tally(["approve", "approve", "reject"]) == {"approve": 2, "revise": 0, "reject": 1}


# --- from the database ------------------------------------------------------------------------


@pytest.fixture
def call(db):
    return open_call(divergence_threshold=D("15"))


@pytest.fixture
def setup(django_user_model, national, make_expert, call):
    suzhou = expert_review_application(django_user_model, national, "320000", call)
    shenzhen = expert_review_application(django_user_model, national, "440000", call)
    panel = make_panel(make_expert, call, [
        ("110000", "北京大学"), ("310000", "复旦大学"), ("330000", "浙江大学"), ("610000", "西安交通大学"),
        ("500000", "重庆大学"), ("210000", "大连理工大学"),
    ])
    criteria = experts.ensure_rubric(call)
    return suzhou, shenzhen, panel, criteria


def test_default_rubric_is_the_guides_four(setup, call):
    _s, _z, _p, criteria = setup
    assert [c.name for c in criteria] == ["条件具备", "理念到位", "措施有力", "工作扎实"]
    assert all(c.max_score == D("25") and c.weight == D("1") for c in criteria)
    assert experts.ensure_rubric(call) == criteria  # not duplicated


def test_application_aggregate_from_submitted_scores(setup, call):
    suzhou, _z, panel, criteria = setup
    Criterion.objects.filter(pk=criteria[0].pk).update(weight=D("2"))
    experts.auto_assign(call, per_application=5)
    assignments = list(ExpertAssignment.objects.filter(application=suzhou).order_by("pk"))
    sheets = [
        ((20, 18, 17, 15), Recommendation.APPROVE),       # 2×20 + 18 + 17 + 15 = 90
        ((15, 20, 20, 10.5), Recommendation.APPROVE),     # 30 + 50.5 = 80.5
        ((10, 15, 15, 15), Recommendation.APPROVE_AFTER_REVISION),  # 20 + 45 = 65
        ((22, 20, 20, 20), Recommendation.APPROVE),       # 44 + 60 = 104
    ]
    for assignment, (values, rec) in zip(assignments, sheets, strict=False):
        submit_score(assignment, values, rec)
    agg = aggregation.aggregate_application(suzhou)
    assert sorted(agg.totals) == [D("65"), D("80.5"), D("90"), D("104")]
    assert agg.count == 4 and agg.assigned == 5
    # four scores: no trimming; mean = 339.5 / 4 = 84.875
    assert agg.mean == D("84.875") and agg.trimmed_mean == D("84.875")
    # deviations -19.875, -4.375, 5.125, 19.125 → squares 395.015625 + 19.140625 + 26.265625 + 365.765625
    # = 806.1875 → ÷4 = 201.546875 → √ = 14.1967...
    assert aggregation.rounded(agg.std_dev) == D("14.20")
    assert agg.spread == D("39") and agg.divergent  # 39 > 15
    assert agg.tally == {"approve": 3, "revise": 1, "reject": 0}
    assert agg.complete  # min_scores 3
    # A fifth score: highest (104) and lowest (65) are dropped.
    submit_score(assignments[4], (18, 18, 18, 18), Recommendation.DO_NOT_APPROVE)  # 36 + 54 = 90
    agg = aggregation.aggregate_application(suzhou)
    assert agg.count == 5 and agg.mean == D("85.9")  # 429.5 / 5
    assert aggregation.rounded(agg.trimmed_mean) == D("86.83")  # (80.5 + 90 + 90) / 3 = 86.8333
    assert agg.criterion_mean(criteria[0]) == D("17")  # (20 + 15 + 10 + 22 + 18) / 5


def test_drafts_and_reopened_scores_do_not_count(setup, call, national):
    suzhou, _z, _p, _c = setup
    experts.auto_assign(call, per_application=3)
    a, b, c = ExpertAssignment.objects.filter(application=suzhou).order_by("pk")
    submit_score(a, (20, 20, 20, 20))
    experts.save_score(b, b.expert, {crit.pk: D("10") for crit in experts.ensure_rubric(call)}, "", "", final=False)
    score = submit_score(c, (15, 15, 15, 15))
    assert aggregation.submitted_score_count(suzhou) == 2
    experts.reopen_score(score, national, "评审意见与分数不一致,请核对。")
    assert aggregation.submitted_score_count(suzhou) == 1
    assert aggregation.aggregate_application(suzhou).totals == [D("80")]


def test_ranking_by_trimmed_mean_and_stage_closing(setup, call):
    suzhou, shenzhen, _p, _c = setup
    experts.auto_assign(call, per_application=3)
    assert not aggregation.stage_closed(call)
    for a in ExpertAssignment.objects.filter(application=suzhou):
        submit_score(a, (15, 15, 15, 15))
    for a in ExpertAssignment.objects.filter(application=shenzhen)[:2]:
        submit_score(a, (20, 20, 20, 20))
    ranked = aggregation.ranking(call)
    assert [g.application for g in ranked] == [shenzhen, suzhou]
    assert not aggregation.stage_closed(call)  # 深圳 has 2 of 3
    submit_score(ExpertAssignment.objects.filter(application=shenzhen, score__isnull=True).get(), (19, 19, 19, 19))
    assert aggregation.stage_closed(call)


def test_approval_refused_before_the_minimum_of_scores(setup, call, national):
    suzhou, _z, _p, _c = setup
    assert call.min_scores == 3
    experts.auto_assign(call, per_application=4)
    assignments = list(ExpertAssignment.objects.filter(application=suzhou).order_by("pk"))
    for count in range(3):
        with pytest.raises(TransitionError) as refused:
            perform(suzhou, national, "approve", "同意批复。", extra={"document_number": numbers.proposed(national.organisation)})
        assert "专家论证尚未结束" in str(refused.value)
        suzhou.refresh_from_db()
        assert suzhou.state == ApplicationState.EXPERT_REVIEW
        submit_score(assignments[count], (20, 20, 20, 20))
    perform(suzhou, national, "approve", "同意批复。", extra={"document_number": numbers.proposed(national.organisation)})
    suzhou.refresh_from_db()
    assert suzhou.state == ApplicationState.APPROVED
    # Expert review is over: a score can no longer be reopened.
    with pytest.raises(experts.ExpertReviewError):
        experts.reopen_score(assignments[0].score, national, "复核")


def test_score_application_for_demo_is_idempotent(setup, call):
    suzhou, _z, _p, _c = setup
    assert expert_demo.score_application_for_demo(suzhou, 3) == 3
    assert expert_demo.score_application_for_demo(suzhou, 3) == 3
    assert aggregation.submitted_score_count(suzhou) == 3
    assert ExpertAssignment.objects.filter(application=suzhou).count() == 3
