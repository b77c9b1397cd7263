"""The zones part of the load benchmark (bench/load.py): 300 zones with five years of quarterly reports
and indicator sets, built with bulk inserts on the bench's applications, and the request groups that
read them (the national zones table, a zone page as the national office and as its province).

Kept apart from load.py so that the shared fixture can change without touching this one."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from zones import schedule
from zones.enums import IndicatorState, ReportState
from zones.models import IndicatorSet, QuarterlyReport, Zone, ZoneTarget

ZONES = 300


def build(rng: random.Random, n: int = ZONES) -> int:
    """n zones on n of the bench's applications, started 0–5 years ago, every report and indicator set
    of their period; the past ones submitted or confirmed, some late."""
    from applications.models import Application  # noqa: PLC0415 - Django is set up by the caller

    today = timezone.localdate()
    applications = list(Application.objects.filter(zone__isnull=True).select_related("applicant")
                        .order_by("pk")[:n])
    zones = Zone.objects.bulk_create([
        Zone(application=a, name=f"{a.city or a.applicant.name}实验区{a.pk}", applicant_id=a.applicant_id,
             province_id=a.province_id, city=a.city, industry=a.industry_name or "",
             start_on=(start := today - timedelta(days=rng.randint(0, 5 * 365))), end_on=schedule.period_end(start))
        for a in applications])
    targets, reports, sets = [], [], []
    for z in zones:
        for i in range(schedule.PERIOD_YEARS):
            targets.append(ZoneTarget(zone=z, year=z.start_on.year + i, output_target=Decimal(500 + 100 * i),
                                      patented_sales_target=Decimal(425 + 85 * i), rd_target=Decimal(30 + 6 * i),
                                      patents_target=16000 + 1500 * i))
            year = z.start_on.year + i
            past = year < today.year
            figures = {"gross_output": Decimal(480 + 110 * i), "patented_sales": Decimal(400 + 96 * i),
                       "rd_spending": Decimal(24 + 7 * i), "industry_patents": 15000 + 1700 * i} if past else {}
            sets.append(IndicatorSet(zone=z, year=year, due_on=schedule.indicator_due(year),
                                     state=IndicatorState.CONFIRMED if past else IndicatorState.DRAFT, **figures))
        for q in schedule.quarters(z.start_on, z.end_on):
            done = q.due_on < today and rng.random() > 0.05
            reports.append(QuarterlyReport(zone=z, year=q.year, quarter=q.quarter, period_start=q.period_start,
                                           period_end=q.period_end, due_on=q.due_on,
                                           state=ReportState.SUBMITTED if done else ReportState.DRAFT,
                                           current_version=1 if done else 0, work_done="按计划推进。" if done else ""))
    ZoneTarget.objects.bulk_create(targets, batch_size=2000)
    IndicatorSet.objects.bulk_create(sets, batch_size=2000)
    QuarterlyReport.objects.bulk_create(reports, batch_size=2000)
    return len(zones)


def groups(items, nationals, provincials, rng: random.Random) -> list[dict]:
    """The request groups of the zones' pages."""
    zone_ids = list(Zone.objects.values_list("pk", "province_id"))

    def national_pages(user, k=10):
        return [f"/zones/{pk}/" for pk, _p in rng.sample(zone_ids, min(k, len(zone_ids)))]

    def province_pages(user, k=5):
        own = [pk for pk, p in zone_ids if p == user.organisation.province_id]
        return [f"/zones/{pk}/" for pk in own[:k]] or ["/zones/"]

    return [
        {"name": "/zones/ (national table)", "items": items(nationals, lambda u: ["/zones/"])},
        {"name": "zone page as national", "items": items(nationals, national_pages)},
        {"name": "zone page as province", "items": items(provincials, province_pages)},
    ]
