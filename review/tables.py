"""Sortable queue tables (django-tables2).

django-tables2 keeps what it does well here: the columns, sorting by any column, pagination and the
export values. Its per-cell rendering does not pay its way on a 50-row queue (a bound row, a bound
column and an accessor per cell, and a template per date cell: most of the page's time at 10,000
applications), so the body rows are formatted by `ProvincialQueueTable.rows_html`, one format string
per row giving the same cells."""

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applications.enums import ApplicationState as S
from applications.states import STATES, badge

EMPTY = "—"  # what django-tables2 shows for an empty cell (its default `default`)
DATETIME = "%Y-%m-%d %H:%M"  # the date cells' format ("Y-m-d H:i"), in the current time zone


def _text(value):
    return EMPTY if value is None or value == "" else value


def _when(value) -> str:
    return EMPTY if value is None else timezone.localtime(value).strftime(DATETIME)


class ProvincialQueueTable(tables.Table):
    zone_name = tables.LinkColumn("applications:detail", args=[tables.A("pk")], verbose_name=_("实验区名称"),
                                  text=lambda record: str(record))
    applicant = tables.Column(verbose_name=_("申报主体"), accessor="applicant__name")
    city = tables.Column(verbose_name=_("所在城市"))
    industry_name = tables.Column(verbose_name=_("产业"))
    state = tables.Column(verbose_name=_("状态"))
    current_version = tables.Column(verbose_name=_("版本"))
    provincial_rank = tables.Column(verbose_name=_("推荐排序"), default="—")
    state_changed_at = tables.DateTimeColumn(verbose_name=_("最近变更"), format="Y-m-d H:i")
    deadline = tables.DateTimeColumn(verbose_name=_("报送国家局截止"), accessor="call__national_deadline",
                                     format="Y-m-d H:i")

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle"}
        order_by = ("-state_changed_at",)
        empty_text = _("没有符合条件的申报。")
        fields = ()
        template_name = "review/_queue_table.html"

    # The row as django-tables2's bootstrap5 template wrote it (tests/test_pipeline_queues.py compares).
    ROW = ('<tr class="{}"><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>'
           '<td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>')

    def rows_html(self):
        """The body rows of the current page, in the table's order (format_html_join escapes each value)."""
        # One reverse() for the page: the detail URL with a placeholder pk, filled in per row.
        detail = reverse("applications:detail", args=[987654321]).replace("987654321", "{}")
        return format_html_join("", self.ROW, (
            ("even" if index % 2 == 0 else "odd", detail.format(a.pk), str(a), _text(a.applicant.name),
             _text(a.city), _text(a.industry_name), self.render_state(a), a.current_version,
             _text(a.provincial_rank), _when(a.state_changed_at), _when(a.call.national_deadline))
            for index, a in enumerate(row.record for row in self.paginated_rows)))

    def render_state(self, record):
        # A method, not an include per row: rendering a template for every cell dominated the page's time.
        return format_html('<span class="badge {}">{}</span>', badge(record.state), record.state_label)

    # What an export writes for each cell (django-tables2 `as_values`): the text the page shows.
    def value_zone_name(self, record):
        return str(record)

    def value_state(self, record):
        return str(record.get_state_display())


# The national workspace's rows (templates/review/national_workspace.html, one table per province).
NATIONAL_ROW = ('<tr><td>{}</td><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>'
                '<td class="text-nowrap">{} <a class="btn btn-sm btn-outline-secondary" href="{}">{}</a></td></tr>')
FORMAL_REVIEW_STATES = (S.RECOMMENDED, S.NATIONAL_REVIEW)


def national_groups(applications):
    """The page's applications grouped by province (in the queue's order, as `{% regroup %}` did), each
    group with its rows formatted here: [{"grouper": province, "count": n, "rows_html": ...}]."""
    detail = reverse("applications:detail", args=[987654321]).replace("987654321", "{}")
    formal = reverse("review:formal_review", args=[987654321]).replace("987654321", "{}")
    scores = reverse("experts:application_scores", args=[987654321]).replace("987654321", "{}")
    label_formal, label_scores, label_view = gettext("材料审核"), gettext("专家评分"), gettext("查看")
    states = {value: format_html('<span class="badge {}">{}</span>', state.badge, state.label)
              for value, state in STATES.items()}

    def action(a):
        if a.state in FORMAL_REVIEW_STATES:
            return format_html('<a class="btn btn-sm btn-primary" href="{}">{}</a>', formal.format(a.pk), label_formal)
        if a.state == S.EXPERT_REVIEW:
            return format_html('<a class="btn btn-sm btn-primary" href="{}">{}</a>', scores.format(a.pk), label_scores)
        return ""

    groups = []
    for a in applications:
        if not groups or groups[-1]["grouper"] != a.province:
            groups.append({"grouper": a.province, "apps": []})
        groups[-1]["apps"].append(a)
    for group in groups:
        apps = group.pop("apps")
        group["count"] = len(apps)
        group["rows_html"] = format_html_join("", NATIONAL_ROW, (
            (a.provincial_rank or EMPTY, detail.format(a.pk), str(a), str(a.applicant), a.industry_name,
             states.get(a.state, a.state), a.current_version, action(a), detail.format(a.pk), label_view)
            for a in apps))
    return groups
