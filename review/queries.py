"""Reads of the review pipeline: queues, counts by state, a province's rankings, the national
distribution, the formal review of a version. Everything starts from applications.queries."""

from __future__ import annotations

from collections import OrderedDict

from django.db.models import Count, Q

from accounts.enums import Region
from accounts.models import Province
from applications.eligibility import data_from_snapshot, evaluate
from applications.enums import ApplicationState as S
from applications.enums import CallStatus
from applications.models import Call, ProvinceDeadline
from applications.presentation import evidence_rows
from applications.queries import applications_for
from applications.states import CLOSED_NATIONALLY, IN_REVIEW, NATIONAL_WAITING, PROVINCE_TODO, STATES, in_queue

from . import ranking
from .models import FormalReview


def state_counts(qs) -> list[tuple[str, object, int]]:
    """(state, label, count) for each state with rows, in pipeline order."""
    counts = dict(qs.order_by().values_list("state").annotate(n=Count("pk")))
    return [(value, state.label, counts[value]) for value, state in STATES.items() if counts.get(value)]


def todo_count(counts) -> int:
    """How many of `state_counts` wait for the province to act."""
    todo = set(in_queue(PROVINCE_TODO))
    return sum(n for value, _label, n in counts if value in todo)


def provincial_queue(user):
    return applications_for(user)


# What the queue tables show (review.tables, templates/review/national_workspace.html): only these
# columns are read, not the application's long texts.
QUEUE_COLUMNS = ("pk", "zone_name", "city", "industry_name", "state", "current_version", "provincial_rank",
                 "state_changed_at", "call_id", "province_id", "applicant_id",
                 "applicant__name", "applicant__name_en", "call__national_deadline",
                 "province__name", "province__name_en", "province__code")


# What a ranking section shows (the page, and api.serializers.ApplicationSerializer): the queue's
# columns, the call, applicant and province whole.
RANKING_COLUMNS = ("pk", "zone_name", "city", "industry_name", "state", "current_version", "provincial_rank",
                   "state_changed_at", "call", "applicant", "province")


def provincial_queue_rows(user):
    """The province's queue with the columns its table shows."""
    return provincial_queue(user).only(*QUEUE_COLUMNS)


def ranked_recommendations(user) -> list[dict]:
    """Per call with ranked recommendations of the user's province: the applications in rank order,
    whether the ranking is locked, and which may still be reordered. Past calls' settled rankings
    are left out (the queue's 推荐排序 column shows them)."""
    province_id = user.organisation.province_id
    locked_calls = ranking.locked_calls(province_id)
    # Settled rankings (locked, call no longer open) are left out in the query, not after it: at
    # 10,000 applications they were most of the rows read. Only the columns the sections show.
    ranked = list(applications_for(user).filter(provincial_rank__isnull=False)
                  .exclude(Q(call_id__in=locked_calls) & ~Q(call__status=CallStatus.OPEN))
                  .only(*RANKING_COLUMNS)
                  .order_by("call__opens_on", "call_id", "provincial_rank"))
    by_call = OrderedDict()
    for app in ranked:
        by_call.setdefault(app.call, []).append(app)
    out = []
    for call, apps in by_call.items():
        locked = call.pk in locked_calls
        out.append({"call": call, "applications": apps, "locked": locked,
                    "editable": [a for a in apps if a.state == S.RECOMMENDED]})
    return out


def recommendations_to_rank(user, call):
    """The applications of the user's province that the ranking form of `call` orders."""
    return list(applications_for(user).filter(call=call, state=S.RECOMMENDED).order_by("provincial_rank", "pk"))


def national_queue(user):
    return applications_for(user).order_by("province__code", "provincial_rank", "pk")


# What the national workspace's table shows of each application (review.tables.national_groups).
NATIONAL_ROW_COLUMNS = ("pk", "zone_name", "industry_name", "state", "current_version", "provincial_rank",
                        "applicant__name", "applicant__name_en", "province__code", "province__name",
                        "province__name_en")


def national_queue_rows(user):
    """The national queue the workspace filters and pages (counted on the application table alone)."""
    return national_queue(user).only(*QUEUE_COLUMNS)


def national_page_rows(page):
    """One page of the national queue (a slice of national_queue_rows) as named tuples of the columns
    its table shows: building a page of model instances with their applicant and province was half of
    /national/'s time. (Counting the values query instead would join the applicant and province.)"""
    return page.values_list(*NATIONAL_ROW_COLUMNS, named=True)


def province_counts(user) -> list[dict]:
    """Forwarded applications per province: total, waiting for formal review, in expert review, approved."""
    return list(
        applications_for(user).order_by("province__code").values("province__name", "province__code").annotate(
            total=Count("pk"),
            waiting=Count("pk", filter=Q(state__in=in_queue(NATIONAL_WAITING))),
            experts=Count("pk", filter=Q(state=S.EXPERT_REVIEW)),
            approved=Count("pk", filter=Q(state=S.APPROVED)),
        ))


def calls_newest_first() -> list[Call]:
    return list(Call.objects.order_by("-opens_on", "-pk"))


def distribution(user, call) -> dict:
    """五(一) 统筹确定实验区在全国的合理分布: approved, in review and closed per province and region."""
    rows, regions = [], []
    if call is not None:
        qs = applications_for(user, call.applications.all())
        per_province = {
            r["province_id"]: r for r in qs.order_by().values("province_id").annotate(
                approved=Count("pk", filter=Q(state=S.APPROVED)),
                in_review=Count("pk", filter=Q(state__in=in_queue(IN_REVIEW))),
                closed=Count("pk", filter=Q(state__in=in_queue(CLOSED_NATIONALLY))),
                total=Count("pk"),
            )
        }
        provinces = list(Province.objects.order_by("code"))
        for region_value, region_label in Region.choices:
            members = [p for p in provinces if p.region == region_value]
            region_rows = [{"province": p, **per_province[p.pk]} for p in members if p.pk in per_province]
            regions.append({
                "label": region_label, "rows": region_rows, "provinces": len(members),
                **{key: sum(r[key] for r in region_rows) for key in ("approved", "in_review", "closed", "total")},
            })
            rows.extend(region_rows)
    approved = sum(r["approved"] for r in rows)
    target = call.target_zones if call else 0
    return {
        "regions": regions, "approved": approved,
        **{key: sum(r[key] for r in rows) for key in ("in_review", "closed", "total")},
        "target": target, "target_left": max(target - approved, 0),
        "provinces_with_zone": sum(1 for r in rows if r["approved"]),
    }


def province_deadlines(user) -> list[dict]:
    """The open calls with the national deadline and the user's province's own earlier one."""
    own = {d.call_id: d for d in ProvinceDeadline.objects.filter(province_id=user.organisation.province_id)}
    return [{"call": call, "own": own.get(call.pk)}
            for call in Call.objects.filter(status=CallStatus.OPEN).order_by("-opens_on", "-pk")]


def submitted_materials(application) -> dict:
    """The current submitted version's eligibility results and evidence, for the formal review."""
    version = application.versions.filter(number=application.current_version).first()
    snapshot = version.snapshot if version else {}
    return {"version": version, "results": evaluate(data_from_snapshot(snapshot)),
            "evidence": evidence_rows(snapshot)}


def formal_review_of(application) -> FormalReview | None:
    """The national office's checklist of the application's current version."""
    return FormalReview.objects.filter(application=application, version=application.current_version).first()


def provincial_reviews(application):
    return application.provincial_reviews.select_related("reviewer").order_by("-created_at")
