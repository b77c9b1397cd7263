"""总结验收 by an expert panel, reusing the application review's rules (review.experts): the same
conflict-of-interest rule (`conflict_reasons`, read on the zone's province and applicant), the same
balanced auto-assignment (`plan_assignments`), the same blind scoring and aggregation
(`weighted_total`, `trimmed_mean` …) and the same minimum number of scores. What differs is the
thing reviewed (an AcceptanceRound of a zone), its rubric (the guide's targets and tasks) and the
recommendations （通过 / 限期整改 / 不予通过）； those live here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.enums import Role
from review.enums import AssignmentStatus
from review.experts import aggregation
from review.experts.services import conflict_reasons, plan_assignments, shortages
from workflow.errors import Refused

from . import notices
from .enums import AcceptanceRecommendation, ZoneState
from .models import AcceptanceAssignment, AcceptanceCriterion, AcceptanceRound, AcceptanceScore, AcceptanceScoreItem

LIVE = (AssignmentStatus.ASSIGNED, AssignmentStatus.SUBMITTED)

# The guide's end-of-period targets （二（一）） and six tasks （二（二））, five criteria of 20 points each.
DEFAULT_CRITERIA = (
    ("产业集聚与产值", "特定专利密集型产业实现有效集聚，工业总产值大幅提高，成为本地区重点产业之一。"),
    ("专利产品与品牌", "专利产品销售收入占工业总产值的85%以上；培育拥有核心专利及知名品牌的企业和产品。"),
    ("研发投入与专利", "企业研发总投入占工业总产值的比例高于5%；产业专利拥有量与产业发展定位相匹配。"),
    ("六项主要任务", "工作机制、协同运用网络、专利储备运营项目、服务体系、企业能力、国际影响力六项任务完成情况。"),
    ("组织保障与政策落实", "领导小组、政策措施、经费投入落实，季度报告与年度统计按时报送，监督检查整改到位。"),
)
DEFAULT_MAX_SCORE = Decimal("20")


class AcceptanceError(Refused):
    """Refused; the message is for the user."""


def ensure_rubric(round_) -> list[AcceptanceCriterion]:
    """The round's criteria: a second round copies the first's, a first one gets the guide's five."""
    with transaction.atomic():
        criteria = list(AcceptanceCriterion.objects.select_for_update().filter(round=round_))
        if not criteria:
            previous = (AcceptanceCriterion.objects.filter(round__zone_id=round_.zone_id, round__number__lt=round_.number)
                        .order_by("-round__number", "position", "pk"))
            source = [(c.name, c.description, c.weight, c.max_score) for c in previous
                      if c.round_id == previous[0].round_id] if previous.exists() else [
                (n, d, Decimal("1"), DEFAULT_MAX_SCORE) for n, d in DEFAULT_CRITERIA]
            criteria = [AcceptanceCriterion.objects.create(round=round_, name=n, description=d, weight=w, max_score=m,
                                                           position=i)
                        for i, (n, d, w, m) in enumerate(source, start=1)]
    return sorted(criteria, key=lambda c: (c.position, c.pk))


def max_total(criteria) -> Decimal:
    return sum((c.weight * c.max_score for c in criteria), Decimal("0"))


def submitted_count(round_) -> int:
    return AcceptanceScore.objects.filter(assignment__round=round_, assignment__status=AssignmentStatus.SUBMITTED,
                                          submitted_at__isnull=False).count()


def candidate_experts():
    """Every active expert with a profile (acceptance has no per-call panel)."""
    return (get_user_model().objects.filter(role=Role.EXPERT, is_active=True, expert_profile__active=True)
            .select_related("organisation", "expert_profile", "expert_profile__home_province").order_by("pk"))


def _loads(experts) -> dict[int, int]:
    counts = {e.pk: 0 for e in experts}
    for expert_id in AcceptanceAssignment.objects.filter(status__in=LIVE, round__decision="").values_list(
            "expert_id", flat=True):
        if expert_id in counts:
            counts[expert_id] += 1
    return counts


def _locked_round(round_):
    locked = AcceptanceRound.objects.select_for_update().select_related("zone", "zone__province").get(pk=round_.pk)
    if locked.zone.state != ZoneState.ACCEPTANCE_REVIEW or locked.decision:
        raise AcceptanceError(gettext("只有处于“验收评审”阶段的实验区可以分配专家。"))
    return locked


def _create(round_, expert, by, deadline):
    existing = AcceptanceAssignment.objects.filter(round=round_, expert=expert).first()
    if existing is not None:
        if existing.status != AssignmentStatus.WITHDRAWN:
            raise AcceptanceError(gettext("该专家已分配或已申明回避。"))
        existing.status, existing.assigned_by, existing.deadline = AssignmentStatus.ASSIGNED, by, deadline
        existing.save(update_fields=["status", "assigned_by", "deadline"])
        return existing
    return AcceptanceAssignment.objects.create(round=round_, expert=expert, assigned_by=by, deadline=deadline)


@dataclass
class AssignResult:
    created: list = field(default_factory=list)
    missing: int = 0


def auto_assign(round_, by, per_round=None, deadline=None) -> AssignResult:
    """Give the round `per_round` live, conflict-free assignments, least-loaded experts first."""
    with transaction.atomic():
        round_ = _locked_round(round_)
        per_round = per_round or round_.experts_per_round
        deadline = deadline or round_.expert_deadline
        if deadline and deadline != round_.expert_deadline:
            round_.expert_deadline = deadline
            round_.save(update_fields=["expert_deadline"])
        experts = list(candidate_experts())
        pairs = {round_.pk: dict(AcceptanceAssignment.objects.filter(round=round_).values_list("expert_id", "status"))}
        planned = plan_assignments([round_], experts, _loads(experts), pairs, per_round)
        result = AssignResult([_create(round_, expert, by, deadline) for _r, expert in planned])
        result.missing = shortages([round_], pairs, per_round).get(round_, 0)
    created = list(result.created)
    transaction.on_commit(lambda: notices.acceptance_assigned(created))
    return result


def assign(round_, expert, by, deadline=None) -> AcceptanceAssignment:
    with transaction.atomic():
        round_ = _locked_round(round_)
        reasons = conflict_reasons(expert, round_)
        if reasons:
            raise AcceptanceError(gettext("存在利益冲突，不能分配：") + "".join(reasons))
        assignment = _create(round_, expert, by, deadline or round_.expert_deadline)
    transaction.on_commit(lambda: notices.acceptance_assigned([assignment]))
    return assignment


def declare_conflict(assignment, expert, reason: str):
    """The expert declines before opening the materials; a replacement is assigned when one is free."""
    reason = (reason or "").strip()
    if not reason:
        raise AcceptanceError(gettext("请填写回避理由。"), {"reason": gettext("请填写回避理由。")})
    with transaction.atomic():
        locked = (AcceptanceAssignment.objects.select_for_update(of=("self",)).select_related("round__zone")
                  .get(pk=assignment.pk, expert=expert))
        if locked.status != AssignmentStatus.ASSIGNED:
            raise AcceptanceError(gettext("该评审任务已不在待评审状态。"))
        if locked.opened_at is not None:
            raise AcceptanceError(gettext("您已查看过验收材料，不能再申明回避；如有问题请联系国家局工作人员。"))
        locked.status, locked.conflict_reason = AssignmentStatus.CONFLICT, reason
        locked.save(update_fields=["status", "conflict_reason"])
        round_ = locked.round
        replacement = None
        if round_.zone.state == ZoneState.ACCEPTANCE_REVIEW and not round_.decision:
            experts = list(candidate_experts())
            pairs = {round_.pk: dict(AcceptanceAssignment.objects.filter(round=round_)
                                     .values_list("expert_id", "status"))}
            live = sum(1 for s in pairs[round_.pk].values() if s in LIVE)
            planned = plan_assignments([round_], experts, _loads(experts), pairs, live + 1)
            if planned:
                replacement = _create(round_, planned[0][1], None, locked.deadline)
    if replacement is not None:
        transaction.on_commit(lambda: notices.acceptance_assigned([replacement]))
    return replacement


def record_opened(assignment) -> None:
    if assignment.opened_at is None:
        now = timezone.now()
        AcceptanceAssignment.objects.filter(pk=assignment.pk, opened_at__isnull=True).update(opened_at=now)
        assignment.opened_at = now


def save_score(assignment, expert, values: dict, recommendation: str, comment: str, *, final: bool):
    """The expert's draft or final score; a submitted score is locked."""
    with transaction.atomic():
        locked = (AcceptanceAssignment.objects.select_for_update(of=("self",)).select_related("round__zone")
                  .get(pk=assignment.pk, expert=expert))
        if locked.status not in LIVE:
            raise AcceptanceError(gettext("该评审任务已撤回或已申明回避。"))
        round_ = locked.round
        if round_.zone.state != ZoneState.ACCEPTANCE_REVIEW or round_.decision:
            raise AcceptanceError(gettext("验收评审已结束，不能再评分。"))
        deadline = locked.deadline or round_.expert_deadline
        if deadline is not None and timezone.now() > deadline:
            raise AcceptanceError(gettext("评审截止时间已过，不能再评分；如有问题请联系国家局工作人员。"))
        score = AcceptanceScore.objects.filter(assignment=locked).first()
        if score is not None and score.locked:
            raise AcceptanceError(gettext("评分已提交并锁定，不能修改。"))
        criteria = ensure_rubric(round_)
        problems = []
        for c in criteria:
            value = values.get(c.pk)
            if value is not None and not (Decimal("0") <= value <= c.max_score):
                problems.append(gettext("“%(name)s”的得分应在 0 到 %(max)s 之间。") % {"name": c.name, "max": c.max_score})
            elif value is not None and not c.on_step(value):
                problems.append(gettext("“%(name)s”的得分须按 %(step)s 分的步长填写。") % {
                    "name": c, "step": format(c.step.normalize(), "f")})
        if recommendation and recommendation not in AcceptanceRecommendation.values:
            problems.append(gettext("请选择有效的总体建议。"))
        if final and (any(values.get(c.pk) is None for c in criteria) or not recommendation
                      or not (comment or "").strip()):
            problems.append(gettext("提交前请为每个评分项打分，选择总体建议并填写评审意见。"))
        if problems:
            raise AcceptanceError(" ".join(problems))
        score = score or AcceptanceScore(assignment=locked)
        score.recommendation, score.comment = recommendation or "", (comment or "").strip()
        score.submitted_at = timezone.now() if final else None
        score.save()
        for c in criteria:
            value = values.get(c.pk)
            if value is None:
                AcceptanceScoreItem.objects.filter(score=score, criterion=c).delete()
            else:
                AcceptanceScoreItem.objects.update_or_create(score=score, criterion=c, defaults={"value": value})
        if any(values.get(c.pk) is not None for c in criteria):
            AcceptanceRound.objects.filter(pk=round_.pk, scoring_started_at__isnull=True).update(
                scoring_started_at=timezone.now())
        if final:
            locked.status = AssignmentStatus.SUBMITTED
            locked.save(update_fields=["status"])
    return score


# --- aggregation (the review's pure functions) --------------------------------------------------


@dataclass
class Line:
    assignment: AcceptanceAssignment
    values: dict
    total: Decimal


@dataclass
class RoundAggregate:
    round: AcceptanceRound
    criteria: list
    lines: list

    @property
    def totals(self):
        return [line.total for line in self.lines]

    @property
    def count(self):
        return len(self.lines)

    @property
    def mean(self):
        return aggregation.rounded(aggregation.mean(self.totals))

    @property
    def trimmed_mean(self):
        return aggregation.rounded(aggregation.trimmed_mean(self.totals))

    @property
    def spread(self):
        return aggregation.spread(self.totals)

    @property
    def divergent(self):
        return aggregation.divergent(self.totals, self.round.divergence_threshold)

    @property
    def complete(self):
        return self.count >= self.round.min_scores

    @property
    def tally(self):
        counts = {r.value: 0 for r in AcceptanceRecommendation}
        for line in self.lines:
            counts[line.assignment.score.recommendation] = counts.get(line.assignment.score.recommendation, 0) + 1
        return [(r.label, counts[r.value]) for r in AcceptanceRecommendation]


def aggregate(round_, assignments, criteria) -> RoundAggregate:
    """From assignments already read with their scores and items (queries.round_assignments)."""
    weights = {c.pk: c.weight for c in criteria}
    lines = []
    for a in assignments:
        score = getattr(a, "score", None)
        if a.status != AssignmentStatus.SUBMITTED or score is None or score.submitted_at is None:
            continue
        values = {item.criterion_id: item.value for item in score.items.all()}
        total = aggregation.weighted_total((weights.get(cid, Decimal("1")), v) for cid, v in values.items())
        lines.append(Line(a, values, total))
    return RoundAggregate(round_, criteria, lines)
