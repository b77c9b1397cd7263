"""Helpers for the zone tests: a zone approved through the real pipeline, moved back in time."""

from datetime import timedelta
from decimal import Decimal

from django.test import TestCase
from django.utils import timezone

from applications.enums import ApplicationState as S
from tests.factories import open_call
from tests.pipeline_support import application_in
from zones import schedule, services
from zones.models import IndicatorSet, QuarterlyReport, Zone

FIGURES = {"gross_output": Decimal("1000"), "patented_sales": Decimal("850"), "rd_spending": Decimal("50.01"),
           "resident_enterprises": 320, "patents_per_10k": Decimal("35.20"), "industry_patents": 18000,
           "invention_patents": 6000, "pledge_financing": Decimal("12.50"), "standards": 8, "service_staff": 120}


def approved_zone(applicant, actors, make_expert, *, days_ago=0, call_title=None) -> Zone:
    """A zone created by the real 批复, whose period started `days_ago` days ago (schedule rebuilt)."""
    start = timezone.localdate() - timedelta(days=days_ago)
    call = open_call(title=call_title or f"测试批次 {start.year}-{applicant.pk}", year=start.year)
    with TestCase.captureOnCommitCallbacks(execute=True):
        application = application_in(S.APPROVED, applicant, actors, make_expert, call=call)
    zone = application.zone
    if days_ago:
        Zone.objects.filter(pk=zone.pk).update(start_on=start, end_on=schedule.period_end(start))
        QuarterlyReport.objects.filter(zone=zone).delete()
        IndicatorSet.objects.filter(zone=zone).delete()
        zone.refresh_from_db()
        services.build_schedule(zone, list(zone.targets.values_list("year", flat=True)))
    return zone


def years_ago(n, extra_days=30):
    """Days back to a start `n` years and `extra_days` ago."""
    today = timezone.localdate()
    return (today - schedule.add_years(today, -n)).days + extra_days
