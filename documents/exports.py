"""The lists a user sees, as exportable tables: each export's source is built from the same query
function and the same django-filter filterset as its page, with the page's current filters, so the
XLSX and CSV hold the rows and values the page shows (every page of them, not only the visible one).

`EXPORTS` maps an export kind to its spec: the permission the page asks, the builder
`build(user, params) -> {"title", "caption", "sheets": [{"title", "header", "rows"}]}` and the query
parameters it reads. The builders return plain values (text, int, Decimal, naive local datetime),
so the content hash is taken over exactly what the file will hold. Nothing here writes a file.

The zones after 批复 (issue 11): the zones table (national or provincial) and the zones' annual core
indicators, read from `zones.queries` with the zones' filterset (`zones.filters`), as the pages show them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, Call
from review import queries as review_queries
from review.experts import aggregation
from review.experts.exports import summary_rows
from review.filters import NationalQueueFilter, ProvincialQueueFilter
from review.tables import ProvincialQueueTable
from zones import queries as zone_queries
from zones.enums import TASKS, ZoneState
from zones.filters import filtered_zones
from zones.models import IndicatorSet, QuarterlyReport

from .enums import DocumentKind as K


class ExportUnavailable(Exception):
    """The list cannot be exported with these parameters (e.g. an unknown call); message for the user."""


def _plain(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None, second=0, microsecond=0)
    return value


def _query(params: dict) -> QueryDict:
    q = QueryDict(mutable=True)
    for key, value in params.items():
        q.setlist(key, value if isinstance(value, list) else [value])
    return q


def _call(params) -> Call:
    raw = str(params.get("call") or "")
    call = Call.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if call is None:
        raise ExportUnavailable(_("请选择申报批次。"))
    return call


# ---- the lists ------------------------------------------------------------------------------------


def provincial_queue(user, params) -> dict:
    """The province's queue (review:provincial_workspace): its filters and its sort order."""
    filterset = ProvincialQueueFilter(_query(params), queryset=review_queries.provincial_queue(user))
    qs = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    table = ProvincialQueueTable(qs, order_by=params.get("sort") or None)
    values = table.as_values()
    header = [str(h) for h in next(values)]
    rows = [[_plain(v) for v in row] for row in values]
    return {"title": _("省局申报列表"), "sheets": [{"title": _("申报列表"), "header": header, "rows": rows}]}


def national_list(user, params) -> dict:
    """The national list (review:national_workspace), in the page's order (province, rank)."""
    filterset = NationalQueueFilter(_query(params), queryset=review_queries.national_queue(user))
    qs = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    header = [_("省份"), _("省内排序"), _("实验区名称"), _("申报主体"), _("产业"), _("状态"), _("版本")]
    rows = [[str(a.province), a.provincial_rank if a.provincial_rank is not None else "—", str(a), str(a.applicant),
             a.industry_name, str(a.get_state_display()), a.current_version] for a in qs]
    return {"title": _("推荐申报列表"), "sheets": [{"title": _("推荐申报"), "header": header, "rows": rows}]}


def distribution(user, params) -> dict:
    """五(一) 全国分布 (review:distribution) of one call: regions, their provinces and the total."""
    calls = review_queries.calls_newest_first()
    raw = str(params.get("call") or "")
    call = next((c for c in calls if raw.isdigit() and c.pk == int(raw)), None) or (calls[0] if calls else None)
    if call is None:
        raise ExportUnavailable(_("尚无申报批次。"))
    data = review_queries.distribution(user, call)
    header = [_("地区 / 省份"), _("已批复"), _("审核及论证中"), _("未通过"), _("推荐总数")]
    rows = []
    for region in data["regions"]:
        rows.append([str(region["label"]), region["approved"], region["in_review"], region["closed"], region["total"]])
        for row in region["rows"]:
            rows.append([str(row["province"]), row["approved"], row["in_review"], row["closed"], row["total"]])
    rows.append([_("合计"), data["approved"], data["in_review"], data["closed"], data["total"]])
    return {"title": _("实验区全国分布情况"), "caption": str(call),
            "sheets": [{"title": _("全国分布"), "header": header, "rows": rows}]}


def _d(value):
    return None if value is None else aggregation.rounded(value)


def expert_ranking(user, params) -> dict:
    """The expert review ranking of one call (experts:ranking)."""
    call = _call(params)
    header = [_("排名"), _("实验区名称"), _("申报主体"), _("省份"), _("状态"), _("有效评分数"), _("最少评分数"),
              _("平均分"), _("去掉最高最低后平均分"), _("标准差"), _("极差"), _("评分分歧"), _("总体建议")]
    rows = []
    for position, g in enumerate(aggregation.ranking(call), start=1):
        app = g.application
        rows.append([position if g.count else "—", str(app), str(app.applicant), str(app.province),
                     str(app.get_state_display()), g.count, g.min_scores, _d(g.mean), _d(g.trimmed_mean),
                     _d(g.std_dev), _d(g.spread), _("是") if g.divergent else _("否"),
                     "\uff1b".join(f"{label} {n}" for label, n in g.tally_display)])
    return {"title": _("专家评分排名"), "caption": str(call),
            "sheets": [{"title": _("评分排名"), "header": header, "rows": rows}]}


def expert_scores(user, params) -> dict:
    """专家评分汇总表 (the table of review.experts.exports, the score summary's first sheet)."""
    call = _call(params)
    rows, _ranked = summary_rows(call)
    return {"title": _("专家评分汇总表"), "caption": str(call),
            "sheets": [{"title": _("专家评分汇总表"), "header": rows[0], "rows": [list(r) for r in rows[1:]]}]}


def _zones(user, params):
    """The user's zones with the zones page's filters (an invalid filter: no rows, as the page);
    `zone`: only that one (the zone page's indicators), within the user's scope."""
    query = _query({k: v for k, v in params.items() if k != "zone"})
    _filterset, qs = filtered_zones(user, query, zone_queries.zones_for(user))
    if qs is None:
        return zone_queries.zones_for(user).none()
    raw = str(params.get("zone") or "")
    if raw:
        qs = qs.filter(pk=int(raw)) if raw.isdigit() else qs.none()
        if not qs.exists():
            raise ExportUnavailable(_("实验区不存在或不在您的可见范围内。"))
    return qs


def _percent(value):
    return None if value is None else f"{value}%"


def zones_table(user, params) -> dict:
    """实验区建设情况 (zones:index): each zone against the guide's targets, in the page's order."""
    rows = []
    for row in zone_queries.zone_table(user, qs=_zones(user, params)):
        z = row.zone
        cells = [row.cells[key] for key in zone_queries.TARGET_KEYS]
        rows.append([str(z), str(z.province), str(ZoneState(z.state).label),
                     row.construction_year if 1 <= row.construction_year <= 5 else "—",
                     row.latest_year or "—",
                     *[str(c.label) for c in cells],
                     _percent(cells[0].figure), _percent(cells[1].figure), cells[2].figure, cells[3].figure,
                     row.overdue_reports + row.overdue_indicators, row.open_rectifications, z.city, z.industry])
    header = [_("实验区"), _("省份"), _("状态"), _("建设年度"), _("最近确认年度"),
              _("专利产品销售收入占比"), _("研发投入占比"), _("工业总产值"), _("产业专利拥有量"),
              _("专利产品销售收入占比（%）"), _("研发投入占比（%）"), _("工业总产值（亿元）"), _("产业专利拥有量（件）"),
              _("逾期报告"), _("待整改"), _("所在城市"), _("专利密集型产业")]
    return {"title": _("实验区建设情况"), "sheets": [{"title": _("实验区建设情况"), "header": header, "rows": rows}]}


INDICATOR_COLUMNS = zone_queries.FIGURE_FIELDS


def zone_indicators(user, params) -> dict:
    """核心指标年度统计 of the user's zones (or one zone, as its page shows them): the figures and the
    guide's two ratios only where they count for the user (the national office: confirmed ones)."""
    def yes_no(value):
        return "—" if value is None else (_("是") if value else _("否"))

    zones = _zones(user, params).order_by("province__code", "name")
    rows = []
    for zone, item, figures, counted in zone_queries.indicator_table(user, zones):
        values = [getattr(item, f) for f in INDICATOR_COLUMNS] if counted else [None] * len(INDICATOR_COLUMNS)
        ps = figures.patented_sales_share_shown if counted else None
        rd = figures.rd_share_shown if counted else None
        rows.append([str(zone), str(zone.province), item.year, item.due_on, str(item.get_state_display()),
                     *values, ps, rd, yes_no(figures.patented_sales_met if counted else None),
                     yes_no(figures.rd_met if counted else None)])
    header = [_("实验区"), _("省份"), _("统计年度"), _("报送截止日期"), _("状态"),
              *[str(IndicatorSet._meta.get_field(f).verbose_name) for f in INDICATOR_COLUMNS],
              _("专利产品销售收入占比（%）"), _("研发投入占比（%）"), _("专利产品销售收入占比达到85%"),
              _("研发投入占比高于5%")]
    return {"title": _("实验区核心指标年度统计"),
            "sheets": [{"title": _("核心指标年度统计"), "header": header, "rows": rows}]}


REPORT_TEXT = ("work_done", "problems", "next_plan")


def zone_reports(user, params) -> dict:
    """季度进展报告 of the user's zones (or one zone, as its page lists them), each with what its current
    submitted version says (the draft stays the city's own until it is submitted)."""
    header = [_("实验区"), _("省份"), _("季度"), _("报告期开始"), _("报告期结束"), _("报送截止日期"), _("状态"),
              _("已逾期"), _("版本"), _("最近报送时间"),
              *[str(Application._meta.get_field(name).verbose_name) for name in TASKS],
              *[str(QuarterlyReport._meta.get_field(name).verbose_name) for name in REPORT_TEXT]]
    rows = []
    zones = _zones(user, params).order_by("province__code", "name")
    for report, version, overdue in zone_queries.report_table(zones):
        snapshot = version.snapshot if version else {}
        rows.append([str(report.zone), str(report.zone.province), str(report), report.period_start, report.period_end,
                     report.due_on, str(report.get_state_display()), _("是") if overdue else _("否"),
                     report.current_version or "—", _plain(report.submitted_at),
                     *[snapshot.get(name) or "" for name in (*TASKS, *REPORT_TEXT)]])
    return {"title": _("季度进展报告"), "sheets": [{"title": _("季度进展报告"), "header": header, "rows": rows}]}


@dataclass(frozen=True)
class ExportSpec:
    kind: str
    build: Callable
    permission: str  # the permission of the page that shows the list
    params: tuple = ()  # the query parameters the page's filters use
    page: str = ""  # the page's URL name
    page_args: tuple = field(default=())


EXPORTS = {
    K.PROVINCIAL_QUEUE: ExportSpec(K.PROVINCIAL_QUEUE, provincial_queue, "portal.provincial_workspace",
                                   ("state", "city", "industry", "call", "deadline", "sort"),
                                   "review:provincial_workspace"),
    K.NATIONAL_LIST: ExportSpec(K.NATIONAL_LIST, national_list, "portal.national_workspace",
                                ("state", "province", "region", "industry", "call"), "review:national_workspace"),
    K.DISTRIBUTION: ExportSpec(K.DISTRIBUTION, distribution, "portal.national_workspace", ("call",),
                               "review:distribution"),
    K.EXPERT_RANKING: ExportSpec(K.EXPERT_RANKING, expert_ranking, "portal.manage_expert_review", ("call",),
                                 "experts:ranking"),
    K.EXPERT_SCORES: ExportSpec(K.EXPERT_SCORES, expert_scores, "portal.see_expert_identities", ("call",),
                                "experts:ranking"),
    K.ZONES: ExportSpec(K.ZONES, zones_table, "portal.view_zone_list", ("state", "province", "region", "industry"),
                        "zones:index"),
    K.ZONE_INDICATORS: ExportSpec(K.ZONE_INDICATORS, zone_indicators, "portal.view_zone_list",
                                  ("state", "province", "region", "industry", "zone"), "zones:index"),
    K.ZONE_REPORTS: ExportSpec(K.ZONE_REPORTS, zone_reports, "portal.view_zone_list",
                               ("state", "province", "region", "industry", "zone"), "zones:index"),
}
EXPORT_KINDS = tuple(EXPORTS)


def parameters_from(kind, query) -> dict:
    """The export's parameters from a page's query (only the filters that page knows; each single-valued)."""
    spec = EXPORTS[kind]
    out = {}
    for name in spec.params:
        values = [v for v in query.getlist(name) if v != ""] if hasattr(query, "getlist") else (
            [str(query[name])] if query.get(name) not in (None, "") else [])
        if values:
            out[name] = str(values[-1])[:200]
    return out
