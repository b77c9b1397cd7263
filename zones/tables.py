"""The zones table's body rows, formatted in Python.

At 300 zones the template loop (a `{% for %}` over the state table per row, a loop over the four
target cells, `{% if %}` chains per cell) was most of /zones/'s time; this gives the same cells with
one format string per row. templates/zones/index.html keeps the table's head, the filters and the
distribution."""

from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from .enums import TargetStatus
from .states import ZONE_STATES

CELL_BADGE = {TargetStatus.MET: "text-bg-success", TargetStatus.ON_TRACK: "text-bg-primary",
              TargetStatus.BEHIND: "text-bg-warning"}
PERCENT_KEYS = ("patented_sales_share", "rd_share")
EMPTY = "—"

ROW = ('<tr><th scope="row" class="fw-normal"><a href="{}">{}</a></th><td>{}</td><td>{}</td><td>{}</td>'
       '<td>{}</td>{}<td>{}</td><td>{}</td></tr>')


def _cell(key, cell):
    badge = CELL_BADGE.get(cell.status, "text-bg-light border")
    if cell.figure is None:
        return format_html('<td><span class="badge {}">{}</span></td>', badge, cell.label)
    return format_html('<td><span class="badge {}">{}</span> {}{}</td>', badge, cell.label, localize(cell.figure),
                       "%" if key in PERCENT_KEYS else "")


def _state(zone):
    state = ZONE_STATES.get(zone.state)
    return format_html('<span class="badge {}">{}</span>', state.badge, state.label) if state else ""


def _year(n):
    return gettext("第 %(n)s 年") % {"n": n} if 1 <= n <= 5 else EMPTY


def _count(n, badge):
    return format_html('<span class="badge {}">{}</span>', badge, n) if n else 0


def rows_html(rows):
    """The body rows of the zones table (zones.queries.ZoneRow), as the template wrote them."""
    detail = reverse("zones:detail", args=[987654321]).replace("987654321", "{}")
    return format_html_join("", ROW, (
        (detail.format(r.zone.pk), str(r.zone), str(r.zone.province), _state(r.zone), _year(r.construction_year),
         r.latest_year or EMPTY,
         format_html_join("", "{}", ((_cell(key, cell),) for key, cell in r.cells.items())),
         _count(r.overdue_reports + r.overdue_indicators, "text-bg-danger"),
         _count(r.open_rectifications, "text-bg-warning"))
        for r in rows))
