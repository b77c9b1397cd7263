"""The arithmetic of the core indicators (guide 二（一））, exact with Decimals. Pure: no database.

- 专利产品销售收入占工业总产值的85%以上： met at 85% itself (inclusive).
- 企业研发总投入占工业总产值的比例高于5%: met only above 5% (strict).
Comparisons are made by cross-multiplying (sales × 100 ≥ output × 85), so no division ever rounds
a boundary case; ratios and growth for display are divided at 28 digits and quantized only when shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext

from .enums import TargetStatus

PATENTED_SALES_SHARE = Decimal("85")  # percent, inclusive
RD_SHARE = Decimal("5")  # percent, strict
HUNDRED = Decimal("100")
CENT = Decimal("0.01")


def _d(value) -> Decimal | None:
    return None if value is None or value == "" else Decimal(value)


def ratio(part, whole) -> Decimal | None:
    """part / whole × 100 (a percentage), or None when either is missing or whole is not positive."""
    part, whole = _d(part), _d(whole)
    if part is None or whole is None or whole <= 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 28
        return part * HUNDRED / whole


def patented_sales_met(patented_sales, gross_output) -> bool | None:
    """专利产品销售收入 ≥ 85% of 工业总产值 (85% itself meets it)."""
    sales, output = _d(patented_sales), _d(gross_output)
    if sales is None or output is None or output <= 0:
        return None
    return sales * HUNDRED >= output * PATENTED_SALES_SHARE


def rd_met(rd_spending, gross_output) -> bool | None:
    """企业研发总投入 > 5% of 工业总产值 (5% itself does not meet it)."""
    rd, output = _d(rd_spending), _d(gross_output)
    if rd is None or output is None or output <= 0:
        return None
    return rd * HUNDRED > output * RD_SHARE


def growth(current, previous) -> Decimal | None:
    """(current − previous) / previous × 100, or None without a positive previous figure."""
    current, previous = _d(current), _d(previous)
    if current is None or previous is None or previous <= 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 28
        return (current - previous) * HUNDRED / previous


def against(actual, target) -> dict | None:
    """An actual figure against a planned one: the difference, actual as % of target, and whether met
    (actual ≥ target)."""
    actual, target = _d(actual), _d(target)
    if actual is None or target is None:
        return None
    return {"difference": actual - target, "percent": ratio(actual, target), "met": actual >= target}


def shown(value) -> Decimal | None:
    """Two decimals for display (half-even, like the rest of the portal's exact figures)."""
    return None if value is None else Decimal(value).quantize(CENT)


def shown_share(value, threshold) -> Decimal | None:
    """A ratio for display: two decimals, or as many more (up to ten) as it takes not to print the
    guide's threshold for a ratio that is not exactly it. 5.001% is "5.001", not "5.00" beside a
    "met" badge for a target of above 5%; 84.9999% is "84.9999", not "85.00" beside "not met"."""
    if value is None:
        return None
    value, threshold = Decimal(value), Decimal(threshold)
    for places in range(2, 11):
        rounded = value.quantize(Decimal(1).scaleb(-places))
        if rounded != threshold or value == threshold:
            return rounded
    return rounded


# The figures compared with the plan's yearly targets (ZoneTarget field → IndicatorSet field).
PLAN_FIGURES = (
    ("gross_output", "output_target"),
    ("patented_sales", "patented_sales_target"),
    ("rd_spending", "rd_target"),
    ("industry_patents", "patents_target"),
)


@dataclass
class YearFigures:
    """One year's figures and everything computed from them."""

    year: int
    figures: dict  # IndicatorSet field -> Decimal | int | None
    targets: dict  # ZoneTarget field -> Decimal | int | None
    previous: dict | None = None  # the previous year's figures, if any

    @property
    def patented_sales_share(self):
        return ratio(self.figures.get("patented_sales"), self.figures.get("gross_output"))

    @property
    def patented_sales_share_shown(self):
        return shown_share(self.patented_sales_share, PATENTED_SALES_SHARE)

    @property
    def patented_sales_met(self):
        return patented_sales_met(self.figures.get("patented_sales"), self.figures.get("gross_output"))

    @property
    def rd_share(self):
        return ratio(self.figures.get("rd_spending"), self.figures.get("gross_output"))

    @property
    def rd_share_shown(self):
        return shown_share(self.rd_share, RD_SHARE)

    @property
    def rd_met(self):
        return rd_met(self.figures.get("rd_spending"), self.figures.get("gross_output"))

    def growth(self, field: str):
        if not self.previous:
            return None
        return growth(self.figures.get(field), self.previous.get(field))

    def against_plan(self, field: str):
        target_field = dict(PLAN_FIGURES)[field]
        return against(self.figures.get(field), self.targets.get(target_field))


def ratio_status(met: bool | None, share: Decimal | None, previous_share: Decimal | None) -> str:
    """A ratio target of the guide: met; on track (below it but rising); behind; or not reported."""
    if met is None:
        return TargetStatus.NOT_REPORTED
    if met:
        return TargetStatus.MET
    if previous_share is not None and share is not None and share > previous_share:
        return TargetStatus.ON_TRACK
    return TargetStatus.BEHIND


def plan_status(actual, year_target, final_target) -> str:
    """A figure against the plan: met (reached the final year's target), on track (reached this
    year's), behind, or not reported."""
    actual = _d(actual)
    if actual is None:
        return TargetStatus.NOT_REPORTED
    final_target, year_target = _d(final_target), _d(year_target)
    if final_target is not None and actual >= final_target:
        return TargetStatus.MET
    if year_target is None or actual >= year_target:
        return TargetStatus.ON_TRACK
    return TargetStatus.BEHIND
