"""The zone's calendar, as pure functions of dates: the five-year construction period (guide 二（一），
from the 批复）， the quarters it reports on (guide 五（二） 按季） with their due dates, and the years of
its core-indicator statistics (guide 五（三））. Nothing here reads the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings

PERIOD_YEARS = 5


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def period_end(start: date) -> date:
    """The last day of the construction period: five years from the 批复， the day before its anniversary."""
    return add_years(start, PERIOD_YEARS) - timedelta(days=1)


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_start(year: int, quarter: int) -> date:
    return date(year, 3 * quarter - 2, 1)


def quarter_end(year: int, quarter: int) -> date:
    if quarter == 4:
        return date(year, 12, 31)
    return quarter_start(year, quarter + 1) - timedelta(days=1)


def report_due_days() -> int:
    """Days after a quarter ends that its report is due (default 15: the 15th of the next month)."""
    return int(getattr(settings, "ZONE_REPORT_DUE_DAYS", 15))


@dataclass(frozen=True)
class Quarter:
    year: int
    quarter: int
    period_start: date  # clipped to the construction period
    period_end: date
    due_on: date


def quarters(start: date, end: date, due_days: int | None = None) -> list[Quarter]:
    """Every calendar quarter that overlaps the period [start, end], first and last ones partial, each
    due `due_days` after the calendar quarter ends."""
    due_days = report_due_days() if due_days is None else due_days
    out = []
    year, q = start.year, quarter_of(start)
    while quarter_start(year, q) <= end:
        last = quarter_end(year, q)
        out.append(Quarter(year, q, max(start, quarter_start(year, q)), min(end, last),
                           last + timedelta(days=due_days)))
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    return out


def indicator_due(year: int) -> date:
    """The statistics of a year are due on ZONE_INDICATORS_DUE (month, day) of the next year (default
    31 March)."""
    month, day = getattr(settings, "ZONE_INDICATORS_DUE", (3, 31))
    return date(year + 1, month, day)


def indicator_years(start: date, plan_years: list[int] | None = None) -> list[int]:
    """One statistics year per year of the plan: the 建设方案's five years when it has them, else the
    five calendar years from the 批复's."""
    years = sorted(set(plan_years or []))
    return years if len(years) == PERIOD_YEARS else [start.year + i for i in range(PERIOD_YEARS)]


def construction_year(start: date, today: date) -> int:
    """1 … 5 during the period (0 before it starts, 6 after it ends)."""
    if today < start:
        return 0
    n = 1
    while n <= PERIOD_YEARS and today >= add_years(start, n):
        n += 1
    return n


def in_final_year(start: date, today: date) -> bool:
    return today >= add_years(start, PERIOD_YEARS - 1)
