"""Helpers for the pipeline tests: walk an application to any state through perform()."""

from django.test import TestCase
from django.utils import timezone

from accounts.enums import Role
from accounts.models import Organisation
from applications.enums import ApplicationState as S
from review import numbers
from review.enums import AssignmentStatus
from review.guards import FORMAL_CHECKLIST
from review.models import ExpertAssignment, FormalReview, Score
from review.transitions import TRANSITIONS, perform
from tests.factories import complete_application

OPINION = "经审核,意见如下:材料齐全。"
# The province's finding on each of the three materials (guide 四(四)2), required to recommend or decline.
FINDINGS = {"plan_finding": "建设方案定位清晰,任务具体可行。", "evidence_finding": "证明材料齐全,与申报数据一致。",
            "commitment_finding": "承诺书已由市政府签章,经费承诺明确。"}

# The steps (transition names) that lead from DRAFT to each state.
_BASE = ["submit", "start_provincial_review"]
_NATIONAL = _BASE + ["recommend", "start_national_review"]
PATHS = {
    S.DRAFT: [],
    S.SUBMITTED: ["submit"],
    S.WITHDRAWN: ["submit", "withdraw"],
    S.PROVINCIAL_REVIEW: _BASE,
    S.RETURNED: _BASE + ["return_to_applicant"],
    S.DECLINED: _BASE + ["decline"],
    S.RECOMMENDED: _BASE + ["recommend"],
    S.NATIONAL_REVIEW: _NATIONAL,
    S.RETURNED_TO_PROVINCE: _NATIONAL + ["return_to_province"],
    S.REJECTED: _NATIONAL + ["reject"],
    S.EXPERT_REVIEW: _NATIONAL + ["send_to_experts"],
    S.APPROVED: _NATIONAL + ["send_to_experts", "approve"],
    S.NOT_APPROVED: _NATIONAL + ["send_to_experts", "not_approve"],
}


def satisfy(application, name, national, make_expert):
    """Make the guards of `name` hold (checklist, expert scores)."""
    if name == "send_to_experts":
        complete_checklist(application, national)
    if name in ("approve", "not_approve"):
        add_scores(application, application.call.min_scores, make_expert, national)


def complete_checklist(application, national):
    FormalReview.objects.update_or_create(
        application=application, version=application.current_version,
        defaults={"checklist": {k: True for k, _l in FORMAL_CHECKLIST}, "reviewer": national})


def add_scores(application, n, make_expert, national):
    for i in range(n):
        expert = make_expert(province_code="110000", institution=f"评审单位{application.pk}-{i}")
        assignment = ExpertAssignment.objects.create(application=application, expert=expert,
                                                     status=AssignmentStatus.SUBMITTED, assigned_by=national)
        Score.objects.create(assignment=assignment, submitted_at=timezone.now(), comment="同意")


def extra_for(name):
    """The 批复 takes the national office's next free number (review.numbers), as the page proposes it; a
    province's decision gives its findings on the three materials."""
    if name in ("recommend", "decline"):
        return dict(FINDINGS)
    if name != "approve":
        return {}
    return {"document_number": numbers.proposed(Organisation.objects.get(kind="national"))}


def step(application, name, actors, make_expert):
    transition = TRANSITIONS[name]
    role = next(iter(transition.roles))
    satisfy(application, name, actors[Role.NATIONAL], make_expert)
    # Run the on-commit notifications too (the test's transaction never commits).
    with TestCase.captureOnCommitCallbacks(execute=True):
        return perform(application, actors[role], name, OPINION, expected_state=application.state,
                       extra=extra_for(name))


def walk_to(application, state, actors, make_expert):
    for name in PATHS[state]:
        step(application, name, actors, make_expert)
    application.refresh_from_db()
    assert application.state == state
    return application


def application_in(state, applicant, actors, make_expert, call=None):
    return walk_to(complete_application(applicant, call), state, actors, make_expert)
