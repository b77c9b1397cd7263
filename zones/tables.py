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
       '<td>{}</td>' + '<td>{}{}</td>' * 4 + '<td>{}</td><td>{}</td></tr>')


def _badges(statuses):
    """One badge per status, rendered once per page (the labels are lazy: a translation lookup each)."""
    return {value: format_html('<span class="badge {}">{}</span>', badge, label) for value, badge, label in statuses}


def _year(n):
    return gettext("第 %(n)s 年") % {"n": n} if 1 <= n <= 5 else EMPTY


def _count(n, badge):
    return format_html('<span class="badge {}">{}</span>', badge, n) if n else 0


def _figure(key, cell):
    if cell.figure is None:
        return ""
    return f" {localize(cell.figure)}{'%' if key in PERCENT_KEYS else ''}"


def rows_html(rows):
    """The body rows of the zones table (zones.queries.ZoneRow), as the template wrote them."""
    detail = reverse("zones:detail", args=[987654321]).replace("987654321", "{}")
    states = _badges(((v, s.badge, s.label) for v, s in ZONE_STATES.items()))
    cells = _badges(((v, CELL_BADGE.get(v, "text-bg-light border"), label)
                                   for v, label in TargetStatus.choices))

    def row(r):
        out = [detail.format(r.zone.pk), str(r.zone), str(r.zone.province), states.get(r.zone.state, ""),
               _year(r.construction_year), r.latest_year or EMPTY]
        for key, cell in r.cells.items():
            out += [cells[cell.status], _figure(key, cell)]
        out += [_count(r.overdue_reports + r.overdue_indicators, "text-bg-danger"),
                _count(r.open_rectifications, "text-bg-warning")]
        return out

    return format_html_join("", ROW, (row(r) for r in rows))
