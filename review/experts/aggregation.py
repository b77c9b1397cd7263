"""Expert score aggregation: count, mean, trimmed mean, spread. Exact Decimals throughout.

The pure functions take Decimals; `aggregate_call()` / `aggregate_application()` read the
submitted scores (a reopened score does not count until it is submitted again).

Standard deviation is the POPULATION standard deviation (divide by n): the experts who scored
an application are the whole set being described, not a sample of some larger panel. It is 0
for a single score and undefined (None) for none.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, localcontext

from django.db.models import Prefetch

from applications.enums import ApplicationState as S

from ..enums import AssignmentStatus, Recommendation
from ..models import Criterion, ExpertAssignment, Score, ScoreItem
from .queries import reviewed_applications

TRIM_FROM = 5  # the highest and lowest totals are dropped from this many scores up
CENT = Decimal("0.01")


def submitted_score_count(application) -> int:
    return Score.objects.filter(
        assignment__application=application, assignment__status=AssignmentStatus.SUBMITTED,
        submitted_at__isnull=False,
    ).count()


# --- pure functions -------------------------------------------------------------------------


def weighted_total(items) -> Decimal:
    """Σ weight × value over (weight, value) pairs."""
    return sum((Decimal(w) * Decimal(v) for w, v in items), Decimal("0"))


def mean(values) -> Decimal | None:
    values = [Decimal(v) for v in values]
    if not values:
        return None
    with localcontext() as ctx:
        ctx.prec = 28
        return sum(values, Decimal("0")) / len(values)


def trimmed_mean(values) -> Decimal | None:
    """Mean after dropping one highest and one lowest total, when there are at least five."""
    values = sorted(Decimal(v) for v in values)
    if len(values) >= TRIM_FROM:
        values = values[1:-1]
    return mean(values)


def std_dev(values) -> Decimal | None:
    """Population standard deviation (÷ n)."""
    values = [Decimal(v) for v in values]
    if not values:
        return None
    m = mean(values)
    with localcontext() as ctx:
        ctx.prec = 28
        variance = sum(((v - m) ** 2 for v in values), Decimal("0")) / len(values)
        return variance.sqrt()


def spread(values) -> Decimal | None:
    values = [Decimal(v) for v in values]
    return (max(values) - min(values)) if values else None


def divergent(values, threshold) -> bool:
    """True when max − min of the totals exceeds the call's threshold (strictly)."""
    s = spread(values)
    return s is not None and s > Decimal(threshold)


def tally(recommendations) -> dict[str, int]:
    counts = Counter(recommendations)
    return {r.value: counts.get(r.value, 0) for r in Recommendation}


def rounded(value):
    return None if value is None else Decimal(value).quantize(CENT)


# --- per application ------------------------------------------------------------------------


@dataclass
class ScoreLine:
    """One submitted score, for national staff only (it names the expert)."""

    score: Score
    expert: object
    values: dict  # criterion pk -> Decimal
    total: Decimal


@dataclass
class ApplicationAggregate:
    application: object
    lines: list = field(default_factory=list)
    min_scores: int = 3
    threshold: Decimal = Decimal("20")
    assigned: int = 0  # live assignments (assigned or submitted)

    @property
    def totals(self):
        return [line.total for line in self.lines]

    @property
    def count(self):
        return len(self.lines)

    @property
    def mean(self):
        return mean(self.totals)

    @property
    def trimmed_mean(self):
        return trimmed_mean(self.totals)

    @property
    def std_dev(self):
        return std_dev(self.totals)

    @property
    def spread(self):
        return spread(self.totals)

    @property
    def divergent(self):
        return divergent(self.totals, self.threshold)

    @property
    def tally(self):
        return tally(line.score.recommendation for line in self.lines)

    @property
    def tally_display(self):
        t = self.tally
        return [(r.label, t[r.value]) for r in Recommendation]

    @property
    def complete(self):
        return self.count >= self.min_scores

    def criterion_mean(self, criterion):
        return mean(line.values[criterion.pk] for line in self.lines if criterion.pk in line.values)


def aggregate_applications(applications, criteria_by_call=None) -> list[ApplicationAggregate]:
    """Aggregates for the given applications in a fixed number of queries."""
    applications = list(applications)
    if criteria_by_call is None:
        criteria_by_call = {}
        for c in Criterion.objects.filter(call__in={a.call_id for a in applications}):
            criteria_by_call.setdefault(c.call_id, []).append(c)
    weights = {c.pk: c.weight for cs in criteria_by_call.values() for c in cs}
    assignments = (
        ExpertAssignment.objects.filter(application__in=applications,
                                        status__in=[AssignmentStatus.ASSIGNED, AssignmentStatus.SUBMITTED])
        .select_related("expert", "score")
        .prefetch_related(Prefetch("score__items", queryset=ScoreItem.objects.order_by("criterion_id")))
        .order_by("pk")
    )
    by_app = {a.pk: ApplicationAggregate(application=a, min_scores=a.call.min_scores,
                                         threshold=a.call.divergence_threshold) for a in applications}
    for assignment in assignments:
        agg = by_app[assignment.application_id]
        agg.assigned += 1
        score = getattr(assignment, "score", None)
        if assignment.status != AssignmentStatus.SUBMITTED or score is None or score.submitted_at is None:
            continue
        values = {item.criterion_id: item.value for item in score.items.all()}
        total = weighted_total((weights.get(cid, Decimal("1")), v) for cid, v in values.items())
        agg.lines.append(ScoreLine(score=score, expert=assignment.expert, values=values, total=total))
    return [by_app[a.pk] for a in applications]


def aggregate_application(application) -> ApplicationAggregate:
    return aggregate_applications([application])[0]


def ranking(call) -> list[ApplicationAggregate]:
    """The call's reviewed applications by trimmed mean, highest first; unscored ones last."""
    aggregates = aggregate_applications(reviewed_applications(call))
    return sorted(aggregates, key=lambda g: (g.trimmed_mean is None, -(g.trimmed_mean or 0), g.application.pk))


def stage_closed(call) -> bool:
    """Expert review closes when every application in 专家论证 has its minimum of submitted scores."""
    pending = [g for g in aggregate_applications(reviewed_applications(call).filter(state=S.EXPERT_REVIEW))
               if not g.complete]
    return not pending
