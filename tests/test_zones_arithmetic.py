"""The zones' pure arithmetic (zones/indicators.py) and calendar (zones/schedule.py): the guide's two
ratios at their boundaries, growth and plan comparisons exact, every quarter's due date of a period."""

from datetime import date
from decimal import Decimal

import pytest

from zones import indicators as ind
from zones import schedule
from zones.enums import TargetStatus


@pytest.mark.parametrize(("sales", "met"), [("84.99", False), ("85", True), ("85.00", True), ("85.01", True)])
def test_patented_sales_share_is_inclusive_at_85_percent(sales, met):
    assert ind.patented_sales_met(Decimal(sales), Decimal("100")) is met


def test_patented_sales_share_boundary_is_exact_with_awkward_figures():
    # 85% of 1234.57 is 1049.3845: 1049.38 falls short, 1049.39 meets it; no float rounding decides.
    assert ind.patented_sales_met(Decimal("1049.38"), Decimal("1234.57")) is False
    assert ind.patented_sales_met(Decimal("1049.39"), Decimal("1234.57")) is True
    assert ind.patented_sales_met(Decimal("1049.3845"), Decimal("1234.57")) is True


@pytest.mark.parametrize(("rd", "met"), [("4.99", False), ("5", False), ("5.00", False), ("5.01", True)])
def test_rd_share_is_strictly_above_5_percent(rd, met):
    assert ind.rd_met(Decimal(rd), Decimal("100")) is met


@pytest.mark.parametrize(("part", "whole", "threshold", "text"), [
    ("50.01", "1000", "5", "5.001"),        # met (above 5%): never printed as "5.00"
    ("49.999", "1000", "5", "4.9999"),      # not met: never printed as "5.00"
    ("50", "1000", "5", "5.00"),            # exactly the threshold: two decimals
    ("60", "1000", "5", "6.00"),
    ("849.999", "1000", "85", "84.9999"),   # short of 85%: never printed as "85.00"
    ("850", "1000", "85", "85.00"),
    ("1049.3845", "1234.57", "85", "85.00"),  # exactly 85% with awkward figures
])
def test_a_shown_share_never_prints_the_threshold_for_a_ratio_that_is_not_it(part, whole, threshold, text):
    assert str(ind.shown_share(ind.ratio(Decimal(part), Decimal(whole)), Decimal(threshold))) == text


def test_missing_or_zero_output_is_not_reported():
    assert ind.patented_sales_met(None, Decimal("10")) is None
    assert ind.rd_met(Decimal("1"), Decimal("0")) is None
    assert ind.ratio(Decimal("1"), None) is None


def test_ratio_growth_and_plan_comparison_are_exact():
    assert ind.ratio(Decimal("85"), Decimal("100")) == Decimal("85")
    assert ind.shown(ind.ratio(Decimal("1"), Decimal("3"))) == Decimal("33.33")
    assert ind.growth(Decimal("121"), Decimal("110")) == Decimal("10")
    assert ind.growth(Decimal("100"), Decimal("0")) is None
    assert ind.shown(ind.growth(Decimal("100.01"), Decimal("100"))) == Decimal("0.01")
    result = ind.against(Decimal("480.50"), Decimal("500"))
    assert result["difference"] == Decimal("-19.50") and result["met"] is False
    assert result["percent"] == Decimal("96.1")
    assert ind.against(Decimal("500"), Decimal("500"))["met"] is True


def test_year_figures_compare_with_previous_year_and_plan():
    previous = {"gross_output": Decimal("400")}
    year = ind.YearFigures(2027, {"gross_output": Decimal("500"), "patented_sales": Decimal("425"),
                                  "rd_spending": Decimal("25"), "industry_patents": 900},
                           {"output_target": Decimal("450"), "patents_target": 1000}, previous)
    assert year.growth("gross_output") == Decimal("25")
    assert year.patented_sales_met is True and year.patented_sales_share == Decimal("85")
    assert year.rd_met is False  # exactly 5%
    assert year.against_plan("gross_output")["difference"] == Decimal("50")
    assert year.against_plan("industry_patents")["met"] is False


def test_target_statuses():
    assert ind.ratio_status(True, Decimal("86"), None) == TargetStatus.MET
    assert ind.ratio_status(False, Decimal("80"), Decimal("75")) == TargetStatus.ON_TRACK
    assert ind.ratio_status(False, Decimal("80"), Decimal("82")) == TargetStatus.BEHIND
    assert ind.ratio_status(None, None, None) == TargetStatus.NOT_REPORTED
    assert ind.plan_status(Decimal("600"), Decimal("500"), Decimal("600")) == TargetStatus.MET
    assert ind.plan_status(Decimal("550"), Decimal("500"), Decimal("600")) == TargetStatus.ON_TRACK
    assert ind.plan_status(Decimal("450"), Decimal("500"), Decimal("600")) == TargetStatus.BEHIND
    assert ind.plan_status(None, Decimal("500"), Decimal("600")) == TargetStatus.NOT_REPORTED


def test_the_period_is_five_years_from_the_approval():
    assert schedule.period_end(date(2026, 3, 10)) == date(2031, 3, 9)
    assert schedule.period_end(date(2028, 2, 29)) == date(2033, 2, 27)  # 28 Feb 2033 is the anniversary
    assert schedule.construction_year(date(2026, 3, 10), date(2026, 3, 10)) == 1
    assert schedule.construction_year(date(2026, 3, 10), date(2027, 3, 9)) == 1
    assert schedule.construction_year(date(2026, 3, 10), date(2027, 3, 10)) == 2
    assert schedule.construction_year(date(2026, 3, 10), date(2031, 3, 9)) == 5
    assert schedule.construction_year(date(2026, 3, 10), date(2031, 3, 10)) == 6
    assert not schedule.in_final_year(date(2026, 3, 10), date(2030, 3, 9))
    assert schedule.in_final_year(date(2026, 3, 10), date(2030, 3, 10))


def test_every_quarter_of_the_period_and_its_due_date():
    quarters = schedule.quarters(date(2026, 3, 10), date(2031, 3, 9), due_days=15)
    assert len(quarters) == 21  # Q1 2026 (from 10 March) … Q1 2031 (to 9 March)
    first, last = quarters[0], quarters[-1]
    assert (first.year, first.quarter, first.period_start, first.period_end, first.due_on) == (
        2026, 1, date(2026, 3, 10), date(2026, 3, 31), date(2026, 4, 15))
    assert (last.year, last.quarter, last.period_start, last.period_end, last.due_on) == (
        2031, 1, date(2031, 1, 1), date(2031, 3, 9), date(2031, 4, 15))
    expected_due = {1: (4, 15), 2: (7, 15), 3: (10, 15)}
    for q in quarters:
        if q.quarter == 4:  # a year's end: due on 15 January of the next year
            assert q.due_on == date(q.year + 1, 1, 15)
        else:
            assert q.due_on == date(q.year, *expected_due[q.quarter])
    # Consecutive, no gap, no overlap.
    for a, b in zip(quarters, quarters[1:], strict=False):
        assert (b.period_start - a.period_end).days == 1


def test_due_days_are_configurable(settings):
    settings.ZONE_REPORT_DUE_DAYS = 10
    quarters = schedule.quarters(date(2026, 1, 1), date(2030, 12, 31))
    assert len(quarters) == 20 and quarters[3].due_on == date(2027, 1, 10)


def test_indicator_years_follow_the_plan():
    assert schedule.indicator_years(date(2026, 3, 10), [2026, 2027, 2028, 2029, 2030]) == [2026, 2027, 2028, 2029, 2030]
    assert schedule.indicator_years(date(2026, 3, 10), []) == [2026, 2027, 2028, 2029, 2030]
    assert schedule.indicator_due(2026) == date(2027, 3, 31)
