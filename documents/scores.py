"""Source data of the 专家评分汇总表: the call's applications whose expert review is complete (at least
the call's minimum of submitted scores) ranked by review.aggregation, with each expert's per-criterion
scores; the others listed apart with their state and how many scores they still lack, never ranked
(the document is served to national staff only)."""

from __future__ import annotations

from django.utils import timezone

from review.experts import aggregation
from review.models import Criterion


def _d(value):
    return None if value is None else str(aggregation.rounded(value))


def summary(call) -> dict:
    criteria = list(Criterion.objects.filter(call=call).order_by("position", "pk"))
    ranked = aggregation.ranking(call)
    applications, pending, latest = [], [], None
    rank = 0
    for agg in ranked:
        app = agg.application
        if not agg.complete:
            pending.append({"id": app.pk, "zone_name": app.zone_name, "applicant": app.applicant.name,
                            "province": app.province.name, "state": str(app.get_state_display()),
                            "count": agg.count, "missing": agg.min_scores - agg.count, "assigned": agg.assigned})
            continue
        rank += 1
        lines = []
        for line in sorted(agg.lines, key=lambda ln: ln.expert.pk):
            expert = line.expert
            submitted = line.score.submitted_at
            latest = submitted if latest is None or (submitted and submitted > latest) else latest
            lines.append({
                "expert": str(expert), "organisation": expert.organisation.name if expert.organisation_id else "",
                "values": [_d(line.values.get(c.pk)) for c in criteria], "total": _d(line.total),
                "recommendation": str(line.score.get_recommendation_display() or "—"), "comment": line.score.comment,
            })
        applications.append({
            "rank": rank, "id": app.pk, "zone_name": app.zone_name, "applicant": app.applicant.name,
            "province": app.province.name, "state": str(app.get_state_display()), "count": agg.count,
            "mean": _d(agg.mean), "trimmed_mean": _d(agg.trimmed_mean), "std_dev": _d(agg.std_dev),
            "spread": _d(agg.spread), "divergent": agg.divergent,
            "tally": [[str(label), n] for label, n in agg.tally_display],
            "criterion_means": [_d(agg.criterion_mean(c)) for c in criteria], "lines": lines,
        })
    return {
        "call_title": call.title, "call_id": call.pk,
        "threshold": str(call.divergence_threshold), "min_scores": call.min_scores,
        "trim_from": aggregation.TRIM_FROM,
        "criteria": [{"name": c.name, "max_score": str(c.max_score), "weight": str(c.weight)} for c in criteria],
        "applications": applications, "pending": pending,
        "date": timezone.localtime(latest).date().isoformat() if latest else "",
    }
