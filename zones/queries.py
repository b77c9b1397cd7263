"""Reads of zones: one scope per role (a city sees its own zone, a province its province's zones, the
national office all of them; experts none: they reach only their acceptance assignments), and the
pages' tables, each in a fixed number of queries whatever the number of zones and reports."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.enums import Region, Role
from accounts.models import Province
from review.enums import AssignmentStatus

from . import indicators, schedule
from .enums import IndicatorState, RectificationState, ReportState, TargetStatus
from .models import (
    AcceptanceAssignment,
    AcceptanceRound,
    ActivityRegistration,
    ExchangeActivity,
    IndicatorSet,
    Inspection,
    QuarterlyReport,
    Rectification,
    ReportVersion,
    Zone,
    ZoneFile,
    ZoneLog,
    ZoneTarget,
)

LIVE = (AssignmentStatus.ASSIGNED, AssignmentStatus.SUBMITTED)
NOT_SUBMITTED = (ReportState.DRAFT, ReportState.RETURNED)
INDICATORS_OWED = (IndicatorState.DRAFT, IndicatorState.RETURNED)


def _province_id(user):
    return user.organisation.province_id if user.organisation_id else None


SCOPES = {
    Role.APPLICANT: lambda user, qs: qs.filter(applicant_id=user.organisation_id),
    Role.PROVINCIAL: lambda user, qs: qs.filter(province_id=_province_id(user)),
    Role.NATIONAL: lambda user, qs: qs,
}


def zones_for(user, qs: QuerySet | None = None) -> QuerySet:
    """The zones this user may see; none for experts and unknown roles."""
    qs = Zone.objects.select_related("province", "applicant") if qs is None else qs
    if not user.is_authenticated or user.role not in SCOPES:
        return qs.none()
    return SCOPES[user.role](user, qs)


def can_see_zone(user, zone) -> bool:
    if zone is not None and getattr(zone, "_scoped_for", None) == (user.pk, user.role):
        return True  # read through this user's scope moments ago (visible_zone)
    return zone is not None and zones_for(user, Zone.objects.filter(pk=zone.pk)).exists()


def zone_of(obj):
    """The zone a report, indicator set, rectification, file or round belongs to (or the zone)."""
    return obj if isinstance(obj, Zone) else getattr(obj, "zone", None)


def can_see(user, obj) -> bool:
    return can_see_zone(user, zone_of(obj))


def visible_zone(user, pk) -> Zone:
    """The zone if this user may see it, else 404; marked as read through the user's scope, so that the
    rules' visibility checks on it (and on its reports, indicators, …) need no further query."""
    zone = get_object_or_404(zones_for(user), pk=pk)
    zone._scoped_for = (user.pk, user.role)
    return zone


def own_zone_for(user) -> Zone | None:
    """The applicant's zone (the newest, should a city ever have two)."""
    if not user.is_authenticated or user.role != Role.APPLICANT:
        return None
    return zones_for(user).order_by("-start_on").first()


def zone_report(zone, pk) -> QuarterlyReport:
    return get_object_or_404(QuarterlyReport.objects.select_related("zone"), zone=zone, pk=pk)


def zone_indicator_set(zone, year) -> IndicatorSet:
    return get_object_or_404(IndicatorSet.objects.select_related("zone"), zone=zone, year=year)


def zone_rectification(zone, pk) -> Rectification:
    return get_object_or_404(Rectification.objects.select_related("zone", "inspection"), zone=zone, pk=pk)


def file_for(user, pk) -> ZoneFile:
    """A zone's file within the user's scope, else 404: the zone's for its city, province and the
    national office; an acceptance round's materials for the experts assigned to that round.
    (Whether a reviewer may read a draft's file is portal.view_zone_file.)"""
    qs = ZoneFile.objects.select_related("zone", "report", "indicator_set", "acceptance_round")
    if user.is_authenticated and user.role == Role.EXPERT:
        qs = qs.filter(acceptance_round__assignments__expert=user, acceptance_round__assignments__status__in=LIVE)
    else:
        qs = qs.filter(zone__in=zones_for(user, Zone.objects.all()))
    return get_object_or_404(qs.distinct(), pk=pk)


def file_submitted(item) -> bool:
    """A file reviewers may read: part of a submitted report version, of indicators sent to the province,
    of an acceptance application, or a study."""
    if item.report_id:
        return item.report_versions.exists()
    if item.indicator_set_id:
        return item.indicator_set.state != IndicatorState.DRAFT or item.indicator_set.log.exists()
    if item.acceptance_round_id:
        return item.acceptance_round.applied_at is not None or bool(item.acceptance_round.decision)
    return True


def report_versions(report):
    return (ReportVersion.objects.filter(report=report).select_related("submitted_by")
            .prefetch_related("attachments").order_by("-number"))


def current_round(zone) -> AcceptanceRound | None:
    return AcceptanceRound.objects.filter(zone=zone).order_by("-number").first()


# --- the zone page ----------------------------------------------------------------------------


def is_overdue(item, today) -> bool:
    """A report or indicator set not (re)submitted after its due date."""
    owed = NOT_SUBMITTED if isinstance(item, QuarterlyReport) else INDICATORS_OWED
    return item.state in owed and item.due_on < today


@dataclass
class ZonePage:
    zone: Zone
    targets: list
    reports: list
    indicator_sets: list
    inspections: list
    studies: list
    rounds: list
    log: list
    today: object
    years: list = field(default_factory=list)  # indicators.YearFigures per indicator year

    @property
    def construction_year(self):
        return schedule.construction_year(self.zone.start_on, self.today)

    @property
    def overdue_reports(self):
        return [r for r in self.reports if is_overdue(r, self.today)]

    @property
    def due_reports(self):
        """Reports whose quarter has started and that are still owed, not yet late."""
        return [r for r in self.reports if r.state in NOT_SUBMITTED and r.period_start <= self.today
                and r.due_on >= self.today]

    @property
    def overdue_indicators(self):
        return [s for s in self.indicator_sets if is_overdue(s, self.today)]

    @property
    def open_rectifications(self):
        return [i.rectification for i in self.inspections
                if hasattr(i, "rectification") and i.rectification.state != RectificationState.CLOSED]

    @property
    def started_reports(self):
        return [r for r in self.reports if r.period_start <= self.today]


def zone_page(zone, today=None, *, confirmed_only=False) -> ZonePage:
    """Everything the zone page shows, in a fixed number of queries. `confirmed_only`: the national
    office counts only figures the province confirmed."""
    today = today or timezone.localdate()
    targets = list(ZoneTarget.objects.filter(zone=zone).order_by("year"))
    reports = list(QuarterlyReport.objects.filter(zone=zone).order_by("year", "quarter"))
    sets = list(IndicatorSet.objects.filter(zone=zone).prefetch_related("evidence").order_by("year"))
    inspections = list(Inspection.objects.filter(zone=zone).select_related("rectification", "recorded_by",
                                                                           "recorded_by_organisation"))
    studies = list(ZoneFile.objects.filter(zone=zone, purpose="study", withdrawn_at__isnull=True)
                   .select_related("uploaded_by"))
    rounds = list(AcceptanceRound.objects.filter(zone=zone).annotate(
        live=Count("assignments", filter=Q(assignments__status__in=LIVE)),
        scored=Count("assignments", filter=Q(assignments__status=AssignmentStatus.SUBMITTED)))
        .order_by("number"))
    log = list(ZoneLog.objects.filter(zone=zone).select_related("actor", "actor_organisation").order_by("created_at"))
    page = ZonePage(zone, targets, reports, sets, inspections, studies, rounds, log, today)
    page.years = year_figures(targets, sets, confirmed_only=confirmed_only)
    return page


FIGURE_FIELDS = ("gross_output", "patented_sales", "rd_spending", "resident_enterprises", "patents_per_10k",
                 "industry_patents", "invention_patents", "pledge_financing", "standards", "service_staff")
TARGET_FIELDS = ("output_target", "patented_sales_target", "rd_target", "patents_target")


def figure_rows(item, figures) -> list[dict]:
    """Each figure of an indicator set with its growth on the previous year and its plan target, exactly
    (`figures`: its YearFigures)."""
    rows = []
    plan = {"gross_output", "patented_sales", "rd_spending", "industry_patents"}
    for name in FIGURE_FIELDS:
        value = getattr(item, name)
        against = figures.against_plan(name) if figures and name in plan else None
        rows.append({"field": name, "label": item._meta.get_field(name).verbose_name, "value": value,
                     "growth": indicators.shown(figures.growth(name)) if figures else None,
                     "target": None if against is None else Decimal(value) - against["difference"],
                     "against": against, "percent": indicators.shown(against["percent"]) if against else None})
    return rows


def zone_inspections(zone):
    return (Inspection.objects.filter(zone=zone)
            .select_related("rectification", "recorded_by", "recorded_by_organisation"))


def zone_studies(zone):
    return ZoneFile.objects.filter(zone=zone, purpose="study", withdrawn_at__isnull=True).select_related("uploaded_by")


def started_reports(zone, today=None):
    """The reports of the quarters that have started (as the zone page lists them)."""
    today = today or timezone.localdate()
    return QuarterlyReport.objects.filter(zone=zone, period_start__lte=today).order_by("year", "quarter")


def report_table(zones, today=None) -> list[tuple]:
    """(report, its current submitted version or None, overdue) of every started quarter of `zones`, in
    zone then quarter order, as the zone page lists them: two queries whatever the number of zones."""
    today = today or timezone.localdate()
    reports = list(QuarterlyReport.objects.filter(zone__in=list(zones), period_start__lte=today)
                   .select_related("zone", "zone__province").order_by("zone__province__code", "zone__name", "zone_id",
                                                                      "year", "quarter"))
    current = {(v.report_id, v.number): v for v in ReportVersion.objects.filter(report__in=reports)}
    return [(r, current.get((r.pk, r.current_version)), is_overdue(r, today)) for r in reports]


def figures_of(indicator_set) -> dict:
    return {f: getattr(indicator_set, f) for f in FIGURE_FIELDS}


def year_figures(targets, sets, *, confirmed_only=False) -> list[indicators.YearFigures]:
    """One YearFigures per indicator year, each with the previous year's figures for growth."""
    by_year = {t.year: {f: getattr(t, f) for f in TARGET_FIELDS} for t in targets}
    out, previous = [], None
    for s in sorted(sets, key=lambda s: s.year):
        counted = s.state == IndicatorState.CONFIRMED or not confirmed_only
        figures = figures_of(s) if counted else dict.fromkeys(FIGURE_FIELDS)
        out.append(indicators.YearFigures(s.year, figures, by_year.get(s.year, {}), previous))
        previous = figures if counted else None
    return out


# --- the national and provincial table ------------------------------------------------------


@dataclass
class TargetCell:
    status: str
    figure: object = None  # Decimal percent or amount, or None

    @property
    def label(self):
        return TargetStatus(self.status).label


@dataclass
class ZoneRow:
    zone: Zone
    construction_year: int
    latest_year: int | None
    cells: dict  # target key -> TargetCell
    overdue_reports: int
    open_rectifications: int
    overdue_indicators: int


TARGET_KEYS = ("patented_sales_share", "rd_share", "gross_output", "industry_patents")


def _row(zone, targets, confirmed, today):
    """A zone against the guide's targets, from its confirmed figures only."""
    confirmed = sorted(confirmed, key=lambda s: s.year)
    latest = confirmed[-1] if confirmed else None
    previous = confirmed[-2] if len(confirmed) > 1 else None
    by_year = {t.year: t for t in targets}
    final = by_year[max(by_year)] if by_year else None
    cells = dict.fromkeys(TARGET_KEYS, TargetCell(TargetStatus.NOT_REPORTED))
    if latest is not None:
        year_target = by_year.get(latest.year)
        share = indicators.ratio(latest.patented_sales, latest.gross_output)
        prev_share = indicators.ratio(previous.patented_sales, previous.gross_output) if previous else None
        cells["patented_sales_share"] = TargetCell(indicators.ratio_status(
            indicators.patented_sales_met(latest.patented_sales, latest.gross_output), share, prev_share),
            indicators.shown_share(share, indicators.PATENTED_SALES_SHARE))
        rd = indicators.ratio(latest.rd_spending, latest.gross_output)
        prev_rd = indicators.ratio(previous.rd_spending, previous.gross_output) if previous else None
        cells["rd_share"] = TargetCell(indicators.ratio_status(
            indicators.rd_met(latest.rd_spending, latest.gross_output), rd, prev_rd),
            indicators.shown_share(rd, indicators.RD_SHARE))
        cells["gross_output"] = TargetCell(indicators.plan_status(
            latest.gross_output, getattr(year_target, "output_target", None), getattr(final, "output_target", None)),
            latest.gross_output)
        cells["industry_patents"] = TargetCell(indicators.plan_status(
            latest.industry_patents, getattr(year_target, "patents_target", None),
            getattr(final, "patents_target", None)), latest.industry_patents)
    return latest.year if latest else None, cells


def annotated_zones(user, qs: QuerySet | None = None, today=None) -> QuerySet:
    """The user's zones (`qs`: already filtered from zones_for) with their overdue and open counts."""
    today = today or timezone.localdate()
    overdue = (QuarterlyReport.objects.filter(zone=OuterRef("pk"), state__in=NOT_SUBMITTED, due_on__lt=today)
               .order_by().values("zone").annotate(n=Count("pk")).values("n"))
    late_sets = (IndicatorSet.objects.filter(zone=OuterRef("pk"), state__in=INDICATORS_OWED, due_on__lt=today)
                 .order_by().values("zone").annotate(n=Count("pk")).values("n"))
    open_rect = (Rectification.objects.filter(zone=OuterRef("pk")).exclude(state=RectificationState.CLOSED)
                 .order_by().values("zone").annotate(n=Count("pk")).values("n"))
    qs = zones_for(user) if qs is None else qs
    return qs.annotate(overdue_reports=Coalesce(Subquery(overdue), 0),
                       overdue_indicators=Coalesce(Subquery(late_sets), 0),
                       open_rectifications=Coalesce(Subquery(open_rect), 0))


def zone_rows(zones, today=None) -> list[ZoneRow]:
    """Rows of the table for zones from annotated_zones: two more queries whatever their number."""
    today = today or timezone.localdate()
    zones = list(zones)
    ids = [z.pk for z in zones]
    targets, confirmed = {}, {}
    # Only the figures _row() reads, as named tuples: at 300 zones these are some 3,000 rows, and
    # building a model instance for each was a third of /zones/'s time.
    for t in ZoneTarget.objects.filter(zone_id__in=ids).values_list(
            "zone_id", "year", "output_target", "patents_target", named=True):
        targets.setdefault(t.zone_id, []).append(t)
    for s in IndicatorSet.objects.filter(zone_id__in=ids, state=IndicatorState.CONFIRMED).values_list(
            "zone_id", "year", "patented_sales", "gross_output", "rd_spending", "industry_patents", named=True):
        confirmed.setdefault(s.zone_id, []).append(s)
    rows = []
    for z in zones:
        latest_year, cells = _row(z, targets.get(z.pk, []), confirmed.get(z.pk, []), today)
        rows.append(ZoneRow(z, schedule.construction_year(z.start_on, today), latest_year, cells,
                            z.overdue_reports, z.open_rectifications, z.overdue_indicators))
    return rows


def zone_table(user, today=None, qs: QuerySet | None = None) -> list[ZoneRow]:
    """Every zone the user may see (`qs`: a filtered zones_for) with its status against the targets:
    three queries in all."""
    return zone_rows(annotated_zones(user, qs, today).order_by("province__code", "name"), today)


ZONES_PER_PAGE = 50


@dataclass
class ZoneTablePage:
    page: Page  # of annotated zones
    rows: list[ZoneRow]  # the page's zones only
    distribution: dict  # every zone of the table, as distribution() gives it


def zone_table_page(user, qs: QuerySet, number, today=None, per_page=ZONES_PER_PAGE) -> ZoneTablePage:
    """Page `number` of zone_table (`qs`: a filtered zones_for), rows built for that page only, and the
    distribution of all of qs: five queries whatever the number of zones. Raises InvalidPage for a
    number that is not a page."""
    today = today or timezone.localdate()
    ordered = annotated_zones(user, qs, today).order_by("province__code", "name")
    page = Paginator(ordered, per_page).page(number)
    return ZoneTablePage(page, zone_rows(page.object_list, today), distribution(qs))


def counted_states(user) -> set:
    """Whose figures count for whom: the national office counts only what the province confirmed."""
    if user.role == Role.NATIONAL:
        return {IndicatorState.CONFIRMED}
    if user.role == Role.PROVINCIAL:
        return {IndicatorState.SUBMITTED, IndicatorState.CONFIRMED, IndicatorState.RETURNED}
    return set(IndicatorState.values)


def indicator_table(user, zones, today=None) -> list[tuple]:
    """(zone, IndicatorSet, YearFigures, counted) of every indicator year of `zones`, in zone then year
    order: the figures count (and are shown) only in the states that count for the user, as on the
    zone page. Two queries whatever the number of zones."""
    zones = list(zones)
    ids = [z.pk for z in zones]
    targets, sets = {}, {}
    for t in ZoneTarget.objects.filter(zone_id__in=ids).order_by("year"):
        targets.setdefault(t.zone_id, []).append(t)
    for s in IndicatorSet.objects.filter(zone_id__in=ids).order_by("year"):
        sets.setdefault(s.zone_id, []).append(s)
    counted = counted_states(user)
    out = []
    for z in zones:
        zone_sets = sets.get(z.pk, [])
        by_year = {y.year: y for y in year_figures(targets.get(z.pk, []), zone_sets)}
        for s in zone_sets:
            out.append((z, s, by_year[s.year], s.state in counted))
    return out


def distribution(zones: QuerySet) -> dict:
    """Zones by province and by region (guide 五（一）： 统筹确定实验区在全国的合理分布）, counted in one
    aggregate query: the table shows a page, the distribution every zone of `zones`."""
    counts = (zones.order_by("province__code").values("province_id", "province__code", "province__name",
                                                      "province__name_en", "province__region")
              .annotate(n=Count("pk")))
    provinces = [(Province(pk=c["province_id"], code=c["province__code"], name=c["province__name"],
                           name_en=c["province__name_en"], region=c["province__region"]), c["n"]) for c in counts]
    regions = Counter()
    for province, n in provinces:
        regions[province.region] += n
    return {"provinces": provinces,
            "regions": [(label, regions.get(value, 0)) for value, label in Region.choices]}


# --- tasks of other roles -----------------------------------------------------------------


def indicators_to_confirm(user):
    return (IndicatorSet.objects.filter(zone__in=zones_for(user, Zone.objects.all()), state=IndicatorState.SUBMITTED)
            .select_related("zone").order_by("due_on"))


def acceptance_assignments_for_expert(expert):
    """The expert's own live acceptance assignments (never anyone else's)."""
    return (AcceptanceAssignment.objects.filter(expert=expert, status__in=LIVE)
            .select_related("round", "round__zone", "round__zone__province", "round__zone__applicant", "score")
            .order_by("deadline", "pk"))


def round_assignments(round_):
    return (AcceptanceAssignment.objects.filter(round=round_)
            .select_related("expert", "expert__organisation", "expert__expert_profile__home_province", "score")
            .prefetch_related("score__items").order_by("pk"))


def activities_for(user):
    """Activities addressed to the user: national staff see all; a city those for all zones or its zone;
    a province those for all zones or one of its zones."""
    qs = ExchangeActivity.objects.prefetch_related(Prefetch("zones", queryset=Zone.objects.only("pk", "name")))
    if not user.is_authenticated:
        return qs.none()
    if user.role == Role.NATIONAL:
        return qs
    if user.role in (Role.APPLICANT, Role.PROVINCIAL):
        mine = zones_for(user, Zone.objects.all())
        if not mine.exists():
            return qs.none()
        return qs.filter(Q(all_zones=True) | Q(zones__in=mine)).distinct()
    return qs.none()


def visible_activity(user, pk) -> ExchangeActivity:
    return get_object_or_404(activities_for(user), pk=pk)


def registrations(activity):
    return ActivityRegistration.objects.filter(activity=activity).select_related("organisation", "registered_by")


def own_registration(activity, organisation):
    return ActivityRegistration.objects.filter(activity=activity, organisation=organisation).first()
