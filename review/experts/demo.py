"""Demo expert review: the demo experts form the call's panel, the guide's rubric, assignments
for every application in 专家论证 (no conflicts), and some submitted scores. Idempotent.

Assignment is the ordinary balanced auto-assignment (the approved demo application was scored by
the last experts, see experts.score_application_for_demo), so the demo account `expert` gets the
application in review and is left to score it while two other experts have submitted.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.demo import EXPERTS
from accounts.enums import Role
from applications.demo import DEMO_CALL_TITLE
from applications.enums import ApplicationState
from applications.models import Call

from ..enums import AssignmentStatus, Recommendation
from ..models import ExpertAssignment, PanelMembership
from . import services
from .queries import loads, panel_experts

SUBMITTED_PER_APPLICATION = 2
COMMENTS = (
    "产业基础扎实,专利导航工作机制设计较完整;建议细化专利储备运营项目的年度考核指标。",
    "发展定位清晰,六项任务分解具体;财政经费承诺与年度目标的对应关系需进一步说明。",
)


@transaction.atomic
def seed_expert_review():
    call = Call.objects.filter(title=DEMO_CALL_TITLE).first()
    if call is None:
        return
    if call.expert_deadline is None:
        end = (timezone.localtime() + timedelta(days=30)).date()
        call.expert_deadline = timezone.make_aware(datetime.combine(end, datetime.min.time()).replace(hour=17))
        call.save(update_fields=["expert_deadline"])
    User = get_user_model()
    demo_experts = list(User.objects.filter(username__in=[e[0] for e in EXPERTS]).order_by("pk"))
    current = set(PanelMembership.objects.filter(call=call).values_list("expert_id", flat=True))
    PanelMembership.objects.bulk_create(
        [PanelMembership(call=call, expert=e) for e in demo_experts if e.pk not in current])
    criteria = services.ensure_rubric(call)
    applications = list(call.applications.filter(state=ApplicationState.EXPERT_REVIEW).select_related(
        "province", "call"))
    lead = next((e for e in demo_experts if e.username == EXPERTS[0][0]), None)
    services.auto_assign(call)
    ExpertAssignment.objects.filter(application__call=call, deadline__isnull=True).update(deadline=call.expert_deadline)
    for application in applications:
        submitted = ExpertAssignment.objects.filter(application=application, status=AssignmentStatus.SUBMITTED)
        todo = SUBMITTED_PER_APPLICATION - submitted.count()
        others = (ExpertAssignment.objects.filter(application=application, status=AssignmentStatus.ASSIGNED)
                  .exclude(expert=lead).select_related("expert").order_by("pk"))
        for i, assignment in enumerate(others[:max(todo, 0)]):
            values, recommendation = DEMO_PATTERNS[(application.pk + i) % len(DEMO_PATTERNS)]
            services.record_opened(assignment)
            services.save_score(assignment, assignment.expert,
                               {c.pk: min(c.max_score, Decimal(values[j % len(values)])) for j, c in enumerate(criteria)},
                               recommendation, COMMENTS[i % len(COMMENTS)], final=True)


# Deterministic demo scores, also used by the pipeline demo to reach 批复.

DEMO_PATTERNS = (
    ((22, 21, 20, 23), Recommendation.APPROVE),
    ((20, 19, 21, 18), Recommendation.APPROVE),
    ((18, 20, 17, 19), Recommendation.APPROVE_AFTER_REVISION),
    ((23, 22, 22, 21), Recommendation.APPROVE),
    ((17, 18, 16, 17), Recommendation.APPROVE_AFTER_REVISION),
)


def score_application_for_demo(application, n: int) -> int:
    """Make sure the application has at least n submitted scores; returns how many it has.

    Puts the demo experts (or the existing panel) on the call's panel, assigns non-conflicted
    experts as needed and submits deterministic scores. Idempotent.
    """
    call = application.call
    criteria = services.ensure_rubric(call)
    if not PanelMembership.objects.filter(call=call).exists():
        User = get_user_model()
        services.set_panel(call, User.objects.filter(role=Role.EXPERT, expert_profile__active=True))
    submitted = ExpertAssignment.objects.filter(application=application, status=AssignmentStatus.SUBMITTED).count()
    if submitted >= n:
        return submitted
    open_assignments = list(
        ExpertAssignment.objects.filter(application=application, status=AssignmentStatus.ASSIGNED)
        .select_related("expert").order_by("pk"))
    while len(open_assignments) < n - submitted:
        # Least loaded, ties to the last-made experts, so the first demo expert stays free for
        # the applications still in review (where the demo `expert` account has work to do).
        taken = set(ExpertAssignment.objects.filter(application=application).values_list("expert_id", flat=True))
        load = loads(call)
        options = sorted((e for e in panel_experts(call) if e.pk not in taken and not services.is_conflicted(e, application)),
                         key=lambda e: (load[e.pk], -e.pk))
        if not options:
            break
        open_assignments.append(services.assign(application, options[0]))
    for i, assignment in enumerate(open_assignments[: n - submitted]):
        values, recommendation = DEMO_PATTERNS[(application.pk + i) % len(DEMO_PATTERNS)]
        services.record_opened(assignment)
        services.save_score(
            assignment, assignment.expert,
            {c.pk: min(Decimal(values[j % len(values)]), c.max_score) for j, c in enumerate(criteria)},
            recommendation, "建设方案目标明确,任务分解较为具体;建议进一步细化年度考核指标。", final=True)
        submitted += 1
    return submitted
