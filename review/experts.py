"""Expert review (方案论证, guide 四(四)3): panel, rubric, conflict-aware assignment, scoring.

Views, the demo and tests call these functions; they raise ExpertReviewError with a message for
the user when something is refused. Scores are blind: nothing here hands one expert's score or
name to another expert.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from accounts.enums import Role
from applications.enums import ApplicationState
from applications.models import Application

from .enums import AssignmentStatus, Recommendation
from .models import Criterion, ExpertAssignment, PanelMembership, Score, ScoreItem, ScoreReopening

# An assignment "counts" (towards load and towards the application's experts) while it is live.
ACTIVE = (AssignmentStatus.ASSIGNED, AssignmentStatus.SUBMITTED)

# The guide's four qualities of an approvable zone (四(四)4), each out of 25, equal weight.
DEFAULT_CRITERIA = (
    ("条件具备", "产业基础、集聚程度、专利拥有量及服务机构等申报条件的满足程度。"),
    ("理念到位", "对专利导航产业发展的理解,发展定位与路径是否清晰。"),
    ("措施有力", "政策措施、经费投入与组织保障是否具体、可落实。"),
    ("工作扎实", "建设目标、年度计划与六项主要任务是否可行、可考核。"),
)
DEFAULT_MAX_SCORE = Decimal("25")


class ExpertReviewError(Exception):
    """Refused; the message is for the user."""


# ---------------------------------------------------------------------------------------------
# Rubric and panel


def ensure_rubric(call) -> list[Criterion]:
    """The call's criteria; the guide's four are created when the call has none."""
    with transaction.atomic():
        criteria = list(Criterion.objects.select_for_update().filter(call=call))
        if not criteria:
            criteria = [
                Criterion.objects.create(call=call, name=name, description=description, weight=Decimal("1"),
                                         max_score=DEFAULT_MAX_SCORE, position=i)
                for i, (name, description) in enumerate(DEFAULT_CRITERIA, start=1)
            ]
    return sorted(criteria, key=lambda c: (c.position, c.pk))


def rubric_locked(call) -> bool:
    """Criteria are fixed once any expert has put a value against them."""
    return ScoreItem.objects.filter(criterion__call=call).exists()


def max_total(criteria) -> Decimal:
    return sum((c.weight * c.max_score for c in criteria), Decimal("0"))


def panel_experts(call):
    """Users on the call's panel with an active expert profile."""
    User = get_user_model()
    return (User.objects.filter(panels__call=call, role=Role.EXPERT, is_active=True, expert_profile__active=True)
            .select_related("organisation", "expert_profile", "expert_profile__home_province").order_by("pk"))


def set_panel(call, experts) -> None:
    experts = list(experts)
    keep = {e.pk for e in experts}
    with transaction.atomic():
        PanelMembership.objects.filter(call=call).exclude(expert_id__in=keep).delete()
        existing = set(PanelMembership.objects.filter(call=call).values_list("expert_id", flat=True))
        PanelMembership.objects.bulk_create(
            [PanelMembership(call=call, expert=e) for e in experts if e.pk not in existing])


# ---------------------------------------------------------------------------------------------
# Conflicts of interest


def conflict_reasons(expert, application) -> list[str]:
    """Why this expert may not judge this application; empty when there is no conflict."""
    reasons = []
    profile = getattr(expert, "expert_profile", None)
    if profile is not None and profile.home_province_id == application.province_id:
        reasons.append(gettext("专家所在省份与申报主体相同(%(province)s)。") % {"province": application.province})
    if expert.organisation_id and expert.organisation_id == application.applicant_id:
        reasons.append(gettext("专家所在单位即申报主体。"))
    return reasons


def is_conflicted(expert, application) -> bool:
    return bool(conflict_reasons(expert, application))


# ---------------------------------------------------------------------------------------------
# Assignment


def loads(call) -> dict[int, int]:
    """Live assignments per panel expert in this call (0 for those with none)."""
    counts = dict(
        ExpertAssignment.objects.filter(application__call=call, status__in=ACTIVE)
        .values_list("expert_id").annotate(n=Count("pk")).values_list("expert_id", "n")
    )
    return {e.pk: counts.get(e.pk, 0) for e in panel_experts(call)}


def _notify_assigned(assignments):
    from notifications.domain import notify

    for a in assignments:
        notify([a.expert], gettext("新的评审任务:%(zone)s") % {"zone": a.application},
               gettext("请在评审截止时间前完成建设方案评分。"), reverse("experts:assignment", args=[a.pk]))


def _create_assignment(application, expert, by, deadline):
    """Create (or revive a withdrawn) assignment. Caller has checked state and conflicts."""
    existing = ExpertAssignment.objects.filter(application=application, expert=expert).first()
    if existing is not None:
        if existing.status != AssignmentStatus.WITHDRAWN:
            raise ExpertReviewError(gettext("该专家已分配或已申明回避。"))
        existing.status = AssignmentStatus.ASSIGNED
        existing.assigned_by = by
        existing.deadline = deadline
        existing.conflict_reason = ""
        existing.save(update_fields=["status", "assigned_by", "deadline", "conflict_reason"])
        return existing
    return ExpertAssignment.objects.create(application=application, expert=expert, assigned_by=by, deadline=deadline)


def assign(application, expert, by=None, deadline=None) -> ExpertAssignment:
    """Assign one expert by hand. Refuses conflicts, wrong states and experts off the panel."""
    with transaction.atomic():
        application = Application.objects.select_for_update().select_related("call", "province").get(
            pk=application.pk)
        if application.state != ApplicationState.EXPERT_REVIEW:
            raise ExpertReviewError(gettext("只有处于“专家论证”阶段的申报可以分配专家。"))
        if not PanelMembership.objects.filter(call=application.call, expert=expert).exists():
            raise ExpertReviewError(gettext("该专家不在本批次评审专家组中。"))
        reasons = conflict_reasons(expert, application)
        if reasons:
            raise ExpertReviewError(gettext("存在利益冲突,不能分配:") + "".join(reasons))
        assignment = _create_assignment(application, expert, by, deadline or application.call.expert_deadline)
    transaction.on_commit(lambda: _notify_assigned([assignment]))
    return assignment


def _candidates(application, experts, load, taken):
    """Eligible experts for the application, least loaded first (ties by pk, for repeatability)."""
    return sorted(
        (e for e in experts if e.pk not in taken and not is_conflicted(e, application)),
        key=lambda e: (load[e.pk], e.pk),
    )


@dataclass
class AutoAssignResult:
    created: list = field(default_factory=list)
    shortages: dict = field(default_factory=dict)  # application -> how many could not be assigned


def auto_assign(call, per_application=None, by=None, deadline=None) -> AutoAssignResult:
    """Give each application in 专家论证 `per_application` live assignments, balancing load.

    Slots are filled round by round (each application gets its next expert before any gets two
    more), always choosing the least-loaded eligible expert, then a repair pass moves new,
    unopened assignments from the busiest to the idlest experts while that keeps every rule.
    Experts who declared a conflict on an application are never given it again.
    """
    per_application = per_application or call.experts_per_application
    deadline = deadline or call.expert_deadline
    result = AutoAssignResult()
    with transaction.atomic():
        applications = list(
            Application.objects.select_for_update().filter(call=call, state=ApplicationState.EXPERT_REVIEW)
            .select_related("province", "call").order_by("pk"))
        experts = list(panel_experts(call))
        load = loads(call)
        # Every pairing already recorded, live or not: unique per (application, expert).
        pairs = {}
        for a in ExpertAssignment.objects.filter(application__in=applications):
            pairs.setdefault(a.application_id, {})[a.expert_id] = a.status
        live = {app.pk: sum(1 for s in pairs.get(app.pk, {}).values() if s in ACTIVE) for app in applications}
        new = []
        for _round in range(per_application):
            for app in sorted(applications, key=lambda a: (live[a.pk], a.pk)):
                if live[app.pk] >= per_application:
                    continue
                taken = {eid for eid, s in pairs.get(app.pk, {}).items() if s != AssignmentStatus.WITHDRAWN}
                options = _candidates(app, experts, load, taken)
                if not options:
                    continue
                chosen = options[0]
                new.append((app, chosen))
                pairs.setdefault(app.pk, {})[chosen.pk] = AssignmentStatus.ASSIGNED
                load[chosen.pk] += 1
                live[app.pk] += 1
        new = _rebalance(new, experts, load, pairs)
        for app, expert in new:
            result.created.append(_create_assignment(app, expert, by, deadline))
        for app in applications:
            if live[app.pk] < per_application:
                result.shortages[app] = per_application - live[app.pk]
    created = list(result.created)
    transaction.on_commit(lambda: _notify_assigned(created))
    return result


def _rebalance(new, experts, load, pairs):
    """Move planned assignments from the busiest expert to the idlest while it narrows the gap."""
    for _ in range(len(new) * 2 + 1):
        if not experts:
            break
        busiest = max(experts, key=lambda e: (load[e.pk], -e.pk))
        idlest = min(experts, key=lambda e: (load[e.pk], e.pk))
        if load[busiest.pk] - load[idlest.pk] <= 1:
            break
        moved = False
        for i, (app, expert) in enumerate(new):
            if expert.pk != busiest.pk or idlest.pk in pairs.get(app.pk, {}) or is_conflicted(idlest, app):
                continue
            new[i] = (app, idlest)
            del pairs[app.pk][busiest.pk]
            pairs[app.pk][idlest.pk] = AssignmentStatus.ASSIGNED
            load[busiest.pk] -= 1
            load[idlest.pk] += 1
            moved = True
            break
        if not moved:
            break
    return new


def replacement_for(application, exclude=()) -> object | None:
    """The least-loaded panel expert free of conflict and not yet paired with the application."""
    call = application.call
    taken = set(ExpertAssignment.objects.filter(application=application).values_list("expert_id", flat=True))
    taken |= set(exclude)
    options = _candidates(application, list(panel_experts(call)), loads(call), taken)
    return options[0] if options else None


def declare_conflict(assignment, expert, reason: str):
    """The expert declines before opening the 建设方案; a replacement is assigned at once.

    Returns the replacement assignment, or None when no eligible expert is left (national staff
    are told).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ExpertReviewError(gettext("请填写回避理由。"))
    with transaction.atomic():
        locked = (ExpertAssignment.objects.select_for_update()
                  .select_related("application", "application__call", "application__province")
                  .get(pk=assignment.pk, expert=expert))
        if locked.status != AssignmentStatus.ASSIGNED:
            raise ExpertReviewError(gettext("该评审任务已不在待评审状态。"))
        if locked.opened_at is not None:
            raise ExpertReviewError(gettext("您已查看过建设方案,不能再申明回避;如有问题请联系国家局工作人员。"))
        locked.status = AssignmentStatus.CONFLICT
        locked.conflict_reason = reason
        locked.save(update_fields=["status", "conflict_reason"])
        application = locked.application
        replacement = None
        if application.state == ApplicationState.EXPERT_REVIEW:
            chosen = replacement_for(application)
            if chosen is not None:
                replacement = _create_assignment(application, chosen, None, locked.deadline)
    _after_conflict(application, replacement)
    return replacement


def _after_conflict(application, replacement):
    from notifications.domain import notify

    User = get_user_model()
    staff = list(User.objects.filter(role=Role.NATIONAL, is_active=True))
    if replacement is not None:
        body = gettext("一位专家申明回避,已自动分配替补专家。")
        transaction.on_commit(lambda: _notify_assigned([replacement]))
    else:
        body = gettext("一位专家申明回避,专家组中已无可替补的专家,请补充分配。")
    url = reverse("experts:assignments", args=[application.call_id])
    transaction.on_commit(lambda: notify(staff, gettext("专家回避:%(zone)s") % {"zone": application}, body, url,
                                         application))


def withdraw(assignment, by) -> None:
    """National staff take back an assignment whose score is not submitted."""
    with transaction.atomic():
        locked = ExpertAssignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.status != AssignmentStatus.ASSIGNED:
            raise ExpertReviewError(gettext("只能撤回待评审的任务。"))
        locked.status = AssignmentStatus.WITHDRAWN
        locked.save(update_fields=["status"])


# ---------------------------------------------------------------------------------------------
# Scoring


def record_opened(assignment) -> None:
    if assignment.opened_at is None:
        now = timezone.now()
        ExpertAssignment.objects.filter(pk=assignment.pk, opened_at__isnull=True).update(opened_at=now)
        assignment.opened_at = now


def save_score(assignment, expert, values: dict, recommendation: str, comment: str, *, final: bool) -> Score:
    """Save the expert's draft or submit it. `values` maps criterion pk to Decimal (or None).

    A submitted score is locked: this refuses until national staff reopen it.
    """
    with transaction.atomic():
        locked = ExpertAssignment.objects.select_for_update().select_related("application__call").get(
            pk=assignment.pk, expert=expert)
        if locked.status not in ACTIVE:
            raise ExpertReviewError(gettext("该评审任务已撤回或已申明回避。"))
        score = Score.objects.filter(assignment=locked).first()
        if score is not None and score.locked:
            raise ExpertReviewError(gettext("评分已提交并锁定,不能修改。"))
        criteria = ensure_rubric(locked.application.call)
        problems = []
        for c in criteria:
            value = values.get(c.pk)
            if value is not None and not (Decimal("0") <= value <= c.max_score):
                problems.append(gettext("“%(name)s”的得分应在 0 到 %(max)s 之间。") % {"name": c.name, "max": c.max_score})
        if recommendation and recommendation not in Recommendation.values:
            problems.append(gettext("请选择有效的总体建议。"))
        if final:
            if any(values.get(c.pk) is None for c in criteria):
                problems.append(gettext("提交前请为每个评分项打分。"))
            if not recommendation:
                problems.append(gettext("提交前请选择总体建议。"))
            if not (comment or "").strip():
                problems.append(gettext("提交前请填写评审意见。"))
        if problems:
            raise ExpertReviewError(" ".join(problems))
        if score is None:
            score = Score(assignment=locked)
        score.recommendation = recommendation or ""
        score.comment = (comment or "").strip()
        score.submitted_at = timezone.now() if final else None
        score.save()
        for c in criteria:
            value = values.get(c.pk)
            if value is None:
                ScoreItem.objects.filter(score=score, criterion=c).delete()
            else:
                ScoreItem.objects.update_or_create(score=score, criterion=c, defaults={"value": value})
        if final:
            locked.status = AssignmentStatus.SUBMITTED
            locked.save(update_fields=["status"])
    return score


def reopen_score(score, by, reason: str) -> ScoreReopening:
    """National staff unlock a submitted score; the reason is kept."""
    reason = (reason or "").strip()
    if not reason:
        raise ExpertReviewError(gettext("请填写重新开放的理由。"))
    with transaction.atomic():
        locked = Score.objects.select_for_update(of=("self",)).select_related("assignment__application").get(
            pk=score.pk)
        if not locked.locked:
            raise ExpertReviewError(gettext("该评分尚未提交,无需重新开放。"))
        if locked.assignment.application.state != ApplicationState.EXPERT_REVIEW:
            raise ExpertReviewError(gettext("专家论证已结束,评分不能再重新开放。"))
        locked.submitted_at = None
        locked.save(update_fields=["submitted_at", "updated_at"])
        ExpertAssignment.objects.filter(pk=locked.assignment_id).update(status=AssignmentStatus.ASSIGNED)
        reopening = ScoreReopening.objects.create(score=locked, reason=reason, reopened_by=by)
    return reopening


# ---------------------------------------------------------------------------------------------
# Demo helper (also used by the pipeline demo to reach 批复)

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
    criteria = ensure_rubric(call)
    if not PanelMembership.objects.filter(call=call).exists():
        User = get_user_model()
        set_panel(call, User.objects.filter(role=Role.EXPERT, expert_profile__active=True))
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
        options = sorted((e for e in panel_experts(call) if e.pk not in taken and not is_conflicted(e, application)),
                         key=lambda e: (load[e.pk], -e.pk))
        if not options:
            break
        open_assignments.append(assign(application, options[0]))
    for i, assignment in enumerate(open_assignments[: n - submitted]):
        values, recommendation = DEMO_PATTERNS[(application.pk + i) % len(DEMO_PATTERNS)]
        record_opened(assignment)
        save_score(
            assignment, assignment.expert,
            {c.pk: min(Decimal(values[j % len(values)]), c.max_score) for j, c in enumerate(criteria)},
            recommendation, "建设方案目标明确,任务分解较为具体;建议进一步细化年度考核指标。", final=True)
        submitted += 1
    return submitted


def assignments_for_expert(expert):
    """The expert's own live assignments (never anyone else's)."""
    return (ExpertAssignment.objects.filter(expert=expert, status__in=ACTIVE)
            .select_related("application", "application__call", "application__province", "application__applicant",
                            "score")
            .order_by("deadline", "pk"))

