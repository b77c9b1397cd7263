"""Changes of the expert review (方案论证, guide 四(四)3): panel, rubric, conflict-aware assignment,
scoring. Pages, the admin, the demo and tests call these functions; each checks its rule and raises
ExpertReviewError (a workflow.errors.Refused) with a message for the user when it refuses. Scores
are blind: nothing here hands one expert's score or name to another expert.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from applications.enums import ApplicationState
from applications.models import Application, Call
from workflow.errors import Refused

from .. import notices
from ..enums import AssignmentStatus, Recommendation
from ..models import Criterion, ExpertAssignment, PanelMembership, Score, ScoreItem, ScoreReopening
from .queries import ACTIVE, busy_experts, loads, panel_experts, rubric_locked

# The guide's four qualities of an approvable zone (四(四)4), each out of 25, equal weight.
DEFAULT_CRITERIA = (
    ("条件具备", "产业基础、集聚程度、专利拥有量及服务机构等申报条件的满足程度。",
     "Conditions in place", "How far the industrial base, clustering, patent holdings and service agency meet the "
     "conditions of the guide."),
    ("理念到位", "对专利导航产业发展的理解,发展定位与路径是否清晰。",
     "Sound approach", "Understanding of patent-navigated industrial development; whether the positioning and the "
     "path are clear."),
    ("措施有力", "政策措施、经费投入与组织保障是否具体、可落实。",
     "Effective measures", "Whether the policy measures, funding and organisational safeguards are concrete and "
     "can be carried out."),
    ("工作扎实", "建设目标、年度计划与六项主要任务是否可行、可考核。",
     "Solid work plan", "Whether the targets, the yearly plan and the six main tasks are feasible and measurable."),
)
DEFAULT_MAX_SCORE = Decimal("25")


class ExpertReviewError(Refused):
    """Refused; the message is for the user."""


# ---------------------------------------------------------------------------------------------
# Rubric and panel


def ensure_rubric(call) -> list[Criterion]:
    """The call's criteria; the guide's four are created when the call has none."""
    with transaction.atomic():
        criteria = list(Criterion.objects.select_for_update().filter(call=call))
        if not criteria:
            criteria = [
                Criterion.objects.create(call=call, name=name, description=description, name_en=name_en,
                                         description_en=description_en, weight=Decimal("1"),
                                         max_score=DEFAULT_MAX_SCORE, position=i)
                for i, (name, description, name_en, description_en) in enumerate(DEFAULT_CRITERIA, start=1)
            ]
    return sorted(criteria, key=lambda c: (c.position, c.pk))


def max_total(criteria) -> Decimal:
    return sum((c.weight * c.max_score for c in criteria), Decimal("0"))


def set_panel(call, experts) -> None:
    """The call's panel becomes exactly `experts`. An expert with live assignments in the call stays
    until those are withdrawn."""
    experts = list(experts)
    keep = {e.pk for e in experts}
    with transaction.atomic():
        busy = busy_experts(call, keep)
        if busy.exists():
            names = "、".join(sorted({str(a.expert) for a in busy}))
            message = gettext("以下专家仍有评审任务,请先撤回任务再移出专家组:%(names)s") % {"names": names}
            raise ExpertReviewError(message, {"experts": message})
        PanelMembership.objects.filter(call=call).exclude(expert_id__in=keep).delete()
        existing = set(PanelMembership.objects.filter(call=call).values_list("expert_id", flat=True))
        PanelMembership.objects.bulk_create(
            [PanelMembership(call=call, expert=e) for e in experts if e.pk not in existing])


def save_rubric(call, formset) -> list[Criterion]:
    """Save a validated formset of the call's criteria (review.experts.forms.CriterionFormSet).

    Refused once scoring started (the rubric is fixed from the first expert's value on) and when no
    criterion would be left.
    """
    with transaction.atomic():
        Call.objects.select_for_update().only("pk").get(pk=call.pk)
        if rubric_locked(call):
            raise ExpertReviewError(gettext("已有专家评分,评分标准不能再修改。"))
        kept = [f for f in formset.forms if (f.has_changed() or f.instance.pk) and f not in formset.deleted_forms]
        if not kept:
            raise ExpertReviewError(gettext("评分标准至少需要一个评分项。"))
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            obj.call = call
            obj.save()
    return list(Criterion.objects.filter(call=call))


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
    transaction.on_commit(lambda: notices.assignments_made([assignment]))
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
    transaction.on_commit(lambda: notices.assignments_made(created))
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
    if replacement is not None:
        transaction.on_commit(lambda: notices.assignments_made([replacement]))
    transaction.on_commit(lambda: notices.conflict_declared(application, replaced=replacement is not None))


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
        application, call = locked.application, locked.application.call
        if application.state != ApplicationState.EXPERT_REVIEW:
            raise ExpertReviewError(gettext("专家论证已结束,不能再评分。"))
        deadline = locked.deadline or call.expert_deadline
        if deadline is not None and timezone.now() > deadline:
            raise ExpertReviewError(gettext("评审截止时间(%(deadline)s)已过,不能再评分;如有问题请联系国家局工作人员。")
                                    % {"deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")})
        score = Score.objects.filter(assignment=locked).first()
        if score is not None and score.locked:
            raise ExpertReviewError(gettext("评分已提交并锁定,不能修改。"))
        criteria = ensure_rubric(call)
        problems = []
        for c in criteria:
            value = values.get(c.pk)
            if value is not None and not (Decimal("0") <= value <= c.max_score):
                problems.append(gettext("“%(name)s”的得分应在 0 到 %(max)s 之间。") % {"name": c, "max": c.max_score})
            elif value is not None and not c.on_step(value):
                problems.append(gettext("“%(name)s”的得分须按 %(step)s 分的步长填写。") % {
                    "name": c, "step": format(c.step.normalize(), "f")})
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
        if any(values.get(c.pk) is not None for c in criteria):
            # From the first value on, the rubric and the minimum number of scores are fixed.
            Call.objects.filter(pk=call.pk, scoring_started_at__isnull=True).update(scoring_started_at=timezone.now())
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
