"""Changes of the expert review (方案论证, guide 四(四)3): panel, rubric, conflict-aware assignment,
scoring. Pages, the admin, the demo and tests call these functions; each checks its rule and raises
ExpertReviewError (a workflow.errors.Refused) with a message for the user when it refuses. Scores
are blind: nothing here hands one expert's score or name to another expert.

Each change and each refusal is recorded in the audit trail (audit.services.record): panel and rubric
changes, assignments made, withdrawn and declined for a conflict, the plan opened, scores submitted
and reopened. Records name the objects, never a score or a comment.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from applications.enums import ApplicationState
from applications.models import Application, Call
from audit.services import record, refusals_recorded
from workflow import editing
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


def panel_version(call) -> str:
    """The version the panel form carries (workflow.editing): the members it was loaded with."""
    return editing.token({"panel": {"experts": editing.value(
        list(PanelMembership.objects.filter(call=call).values_list("expert_id", flat=True)))}})


def set_panel(call, experts, loaded: str | None = None) -> None:
    """The call's panel becomes exactly `experts`. An expert with live assignments in the call stays
    until those are withdrawn.

    With `loaded` (panel_version, carried by the page's form): if someone else changed the panel since,
    nothing is written and workflow.editing.EditConflict proposes their panel with this person's own
    additions and removals applied (never undoing theirs)."""
    experts = list(experts)
    keep = {e.pk for e in experts}
    base = editing.read(loaded)
    with refusals_recorded("panel.change", obj=call), transaction.atomic():
        Call.objects.select_for_update().only("pk").get(pk=call.pk)
        current = set(PanelMembership.objects.filter(call=call).values_list("expert_id", flat=True))
        loaded_members = {int(pk) for pk in (base or {}).get("panel", {}).get("experts", []) if str(pk).isdigit()}
        if base is not None and current != loaded_members:
            proposal = (current | (keep - loaded_members)) - (loaded_members - keep)
            people = _people(current | keep)
            change = editing.Change(gettext("评审专家组成员"), editing.display(sorted(str(people[p]) for p in current)),
                                    editing.display(sorted(str(people[p]) for p in keep)))
            raise editing.EditConflict([change], editing.token({"panel": {"experts": editing.value(list(current))}}),
                                       {"experts": [str(pk) for pk in sorted(proposal)]})
        busy = busy_experts(call, keep)
        if busy.exists():
            names = "、".join(sorted({str(a.expert) for a in busy}))
            message = gettext("以下专家仍有评审任务,请先撤回任务再移出专家组:%(names)s") % {"names": names}
            raise ExpertReviewError(message, {"experts": message})
        existing = set(PanelMembership.objects.filter(call=call).values_list("expert_id", flat=True))
        PanelMembership.objects.filter(call=call).exclude(expert_id__in=keep).delete()
        PanelMembership.objects.bulk_create(
            [PanelMembership(call=call, expert=e) for e in experts if e.pk not in existing])
        added, removed = sorted(keep - existing), sorted(existing - keep)
        if added or removed:
            record("panel.change", obj=call, details={"added": added, "removed": removed})


def _people(pks):
    return {u.pk: u for u in get_user_model().objects.filter(pk__in=pks)}


def rubric_version(call) -> str:
    """The version the rubric formset carries (workflow.editing)."""
    return editing.token({"rows": {str(c.pk): editing.instance_values(c, CRITERION_FIELDS)
                                   for c in Criterion.objects.filter(call=call)}})


CRITERION_FIELDS = ("position", "name", "description", "weight", "max_score")


def save_rubric(call, formset, loaded: str | None = None) -> list[Criterion]:
    """Save a validated formset of the call's criteria (review.experts.forms.CriterionFormSet).

    Refused once scoring started (the rubric is fixed from the first expert's value on) and when no
    criterion would be left. With `loaded` (rubric_version) only the values this person changed are
    written, and a save after someone else changed the rubric is refused with EditConflict.
    """
    merge = editing.Merge(editing.read(loaded))
    with refusals_recorded("rubric.change", obj=call), transaction.atomic():
        Call.objects.select_for_update().only("pk").get(pk=call.pk)
        if rubric_locked(call):
            raise ExpertReviewError(gettext("已有专家评分,评分标准不能再修改。"))
        kept = [f for f in formset.forms if (f.has_changed() or f.instance.pk) and f not in formset.deleted_forms]
        if not kept:
            raise ExpertReviewError(gettext("评分标准至少需要一个评分项。"))
        before = {c.pk: editing.instance_values(c, CRITERION_FIELDS) for c in Criterion.objects.filter(call=call)}
        writes = merge.rows("rows", formset, CRITERION_FIELDS, Criterion.objects.filter(call=call),
                            lambda form, index: form.instance.name or index + 1)
        merge.check()
        if not merge.checking:
            instances = formset.save(commit=False)
            for obj in formset.deleted_objects:
                obj.delete()
            for obj in instances:
                obj.call = call
                obj.save()
        for form, action in writes if merge.checking else []:
            if action == "delete":
                form.instance.delete()
                continue
            obj = form.save(commit=False)
            obj.call = call
            obj.save(**({} if action == "new" else {"update_fields": action}))
        after = {c.pk: editing.instance_values(c, CRITERION_FIELDS) for c in Criterion.objects.filter(call=call)}
        if before != after:
            record("rubric.change", obj=call, details={
                "created": sorted(after.keys() - before.keys()), "deleted": sorted(before.keys() - after.keys()),
                "changed": sorted(pk for pk in after.keys() & before.keys() if after[pk] != before[pk])})
    return list(Criterion.objects.filter(call=call))


# ---------------------------------------------------------------------------------------------
# Conflicts of interest


def conflict_reasons(expert, subject) -> list[str]:
    """Why this expert may not judge this subject; empty when there is no conflict.

    The subject is anything reviewed for an applicant in a province: an application, or a zone at
    its acceptance (zones.acceptance). Only `province_id`, `province` and `applicant_id` are read.
    """
    reasons = []
    profile = getattr(expert, "expert_profile", None)
    if profile is not None and profile.home_province_id == subject.province_id:
        reasons.append(gettext("专家所在省份与申报主体相同(%(province)s)。") % {"province": subject.province})
    if expert.organisation_id and expert.organisation_id == subject.applicant_id:
        reasons.append(gettext("专家所在单位即申报主体。"))
    return reasons


def is_conflicted(expert, subject) -> bool:
    return bool(conflict_reasons(expert, subject))


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
    with refusals_recorded("assignment.create", actor=by, obj=application, details={"expert": expert.pk}), \
            transaction.atomic():
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
        notices.assignments_made([assignment])
        _record_assignment(assignment, by, "manual")
    return assignment


def _record_assignment(assignment, by, mode):
    record("assignment.create", actor=by, obj=assignment, details={
        "application": assignment.application_id, "expert": assignment.expert_id, "mode": mode})


def _candidates(subject, experts, load, taken, conflicted=None):
    """Eligible experts for the subject, least loaded first (ties by pk, for repeatability)."""
    conflicted = conflicted or is_conflicted
    return sorted(
        (e for e in experts if e.pk not in taken and not conflicted(e, subject)),
        key=lambda e: (load[e.pk], e.pk),
    )


def plan_assignments(subjects, experts, load, pairs, per_subject, conflicted=None) -> list[tuple]:
    """The balanced, conflict-aware choice of experts, over any reviewed thing (an application, a
    zone's acceptance): pure, it reads and updates only what it is given and writes nothing.

    `subjects` have a pk (and whatever `conflicted(expert, subject)` reads: `conflict_reasons` reads
    `province_id` and `applicant_id`); `load` maps expert pk to live assignments; `pairs` maps
    subject pk to {expert pk: AssignmentStatus} for every pairing already recorded. Slots are filled
    round by round (each subject gets its next expert before any gets two more), always choosing the
    least-loaded eligible expert, then a repair pass moves new assignments from the busiest to the
    idlest experts while that keeps every rule. Experts who declared a conflict on a subject are never
    given it again. Returns the new (subject, expert) pairs; `load` and `pairs` include them.
    """
    conflicted = conflicted or is_conflicted
    live = {s.pk: sum(1 for st in pairs.get(s.pk, {}).values() if st in ACTIVE) for s in subjects}
    new = []
    for _round in range(per_subject):
        for subject in sorted(subjects, key=lambda s: (live[s.pk], s.pk)):
            if live[subject.pk] >= per_subject:
                continue
            taken = {eid for eid, st in pairs.get(subject.pk, {}).items() if st != AssignmentStatus.WITHDRAWN}
            options = _candidates(subject, experts, load, taken, conflicted)
            if not options:
                continue
            chosen = options[0]
            new.append((subject, chosen))
            pairs.setdefault(subject.pk, {})[chosen.pk] = AssignmentStatus.ASSIGNED
            load[chosen.pk] += 1
            live[subject.pk] += 1
    return _rebalance(new, experts, load, pairs, conflicted)


def shortages(subjects, pairs, per_subject) -> dict:
    """Subjects with fewer than `per_subject` live assignments, and how many they lack."""
    result = {}
    for s in subjects:
        live = sum(1 for st in pairs.get(s.pk, {}).values() if st in ACTIVE)
        if live < per_subject:
            result[s] = per_subject - live
    return result


@dataclass
class AutoAssignResult:
    created: list = field(default_factory=list)
    shortages: dict = field(default_factory=dict)  # application -> how many could not be assigned


def auto_assign(call, per_application=None, by=None, deadline=None) -> AutoAssignResult:
    """Give each application in 专家论证 `per_application` live assignments, balancing load
    (`plan_assignments`)."""
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
        for app, expert in plan_assignments(applications, experts, load, pairs, per_application):
            result.created.append(_create_assignment(app, expert, by, deadline))
        result.shortages = shortages(applications, pairs, per_application)
        notices.assignments_made(list(result.created))
        for assignment in result.created:
            _record_assignment(assignment, by, "auto")
    return result


def _rebalance(new, experts, load, pairs, conflicted=None):
    """Move planned assignments from the busiest expert to the idlest while it narrows the gap."""
    conflicted = conflicted or is_conflicted
    for _ in range(len(new) * 2 + 1):
        if not experts:
            break
        busiest = max(experts, key=lambda e: (load[e.pk], -e.pk))
        idlest = min(experts, key=lambda e: (load[e.pk], e.pk))
        if load[busiest.pk] - load[idlest.pk] <= 1:
            break
        moved = False
        for i, (subject, expert) in enumerate(new):
            if expert.pk != busiest.pk or idlest.pk in pairs.get(subject.pk, {}) or conflicted(idlest, subject):
                continue
            new[i] = (subject, idlest)
            del pairs[subject.pk][busiest.pk]
            pairs[subject.pk][idlest.pk] = AssignmentStatus.ASSIGNED
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
    with refusals_recorded("assignment.conflict_declared", actor=expert, obj=assignment):
        return _declare_conflict(assignment, expert, (reason or "").strip())


def _declare_conflict(assignment, expert, reason):
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
        # Told in the same transaction: the messages (and their queued e-mail) commit with the change.
        if replacement is not None:
            notices.assignments_made([replacement])
        notices.conflict_declared(application, replaced=replacement is not None)
        record("assignment.conflict_declared", actor=expert, obj=locked, details={
            "application": application.pk, "replacement": replacement.pk if replacement else None})
        if replacement is not None:
            _record_assignment(replacement, None, "replacement")
    return replacement


def withdraw(assignment, by) -> None:
    """National staff take back an assignment whose score is not submitted."""
    with refusals_recorded("assignment.withdraw", actor=by, obj=assignment), transaction.atomic():
        locked = ExpertAssignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.status != AssignmentStatus.ASSIGNED:
            raise ExpertReviewError(gettext("只能撤回待评审的任务。"))
        locked.status = AssignmentStatus.WITHDRAWN
        locked.save(update_fields=["status"])
        record("assignment.withdraw", actor=by, obj=locked, details={
            "application": locked.application_id, "expert": locked.expert_id})


# ---------------------------------------------------------------------------------------------
# Scoring


def record_opened(assignment) -> bool:
    """Mark the plan as opened (once); True when this call opened it."""
    if assignment.opened_at is None:
        now = timezone.now()
        opened = ExpertAssignment.objects.filter(pk=assignment.pk, opened_at__isnull=True).update(opened_at=now)
        assignment.opened_at = now
        return bool(opened)
    return False


def open_plan(assignment, expert) -> None:
    """The expert opens the 建设方案 (an explicit action: from now on a conflict can no longer be
    declared). Only the expert's own live assignment; opening again changes nothing."""
    with refusals_recorded("assignment.plan_opened", actor=expert, obj=assignment), transaction.atomic():
        locked = ExpertAssignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.expert_id != expert.pk or locked.status not in ACTIVE:
            raise ExpertReviewError(gettext("该评审任务已撤回或已申明回避。"))
        if record_opened(locked):
            record("assignment.plan_opened", actor=expert, obj=locked, details={"application": locked.application_id})
    assignment.opened_at = locked.opened_at


def save_score(assignment, expert, values: dict, recommendation: str, comment: str, *, final: bool) -> Score:
    """Save the expert's draft or submit it. `values` maps criterion pk to Decimal (or None).

    A submitted score is locked: this refuses until national staff reopen it.
    """
    audited = refusals_recorded("score.submit", actor=expert, obj=assignment) if final else nullcontext()
    with audited, transaction.atomic():
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
            record("score.submit", actor=expert, obj=locked, details={
                "application": application.pk, "score": score.pk})
    return score


def reopen_score(score, by, reason: str) -> ScoreReopening:
    """National staff unlock a submitted score; the reason is kept."""
    with refusals_recorded("score.reopen", actor=by, obj=score):
        return _reopen_score(score, by, (reason or "").strip())


def _reopen_score(score, by, reason):
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
        record("score.reopen", actor=by, obj=locked.assignment, details={
            "application": locked.assignment.application_id, "score": locked.pk})
    return reopening
