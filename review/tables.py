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

from accounts.models import in_active_language
from applications.enums import ApplicationState as S
from applications.models import Application
from applications.states import STATES, badge

EMPTY = "—"  # what django-tables2 shows for an empty cell (its default `default`)
DATETIME = "%Y-%m-%d %H:%M"  # the date cells' format ("Y-m-d H:i"), in the current time zone


def _text(value):
    return EMPTY if value is None or value == "" else value


def application_title(zone_name, applicant_name, applicant_name_en) -> str:
    """What Application.__str__ gives, from the columns of a row."""
    return str(Application.title_of(zone_name, in_active_language(applicant_name, applicant_name_en)))


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

    # What rows_html reads of each application on the page.
    ROW_COLUMNS = ("pk", "zone_name", "applicant__name", "applicant__name_en", "city", "industry_name", "state",
                   "current_version", "provincial_rank", "state_changed_at", "call__national_deadline")

    def paginate(self, *args, **kwargs):
        """The page's rows read once, as named tuples of the shown columns: the pagination block asks
        for the page's length, which would otherwise read the page's model instances too."""
        super().paginate(*args, **kwargs)
        page = self.page.object_list.data  # the page's slice of the table's queryset
        self.page.object_list = list(page.values_list(*self.ROW_COLUMNS, named=True))
        return self

    def rows_html(self):
        """The body rows of the current page, in the table's order (format_html_join escapes each value).
        The page's rows are read as named tuples of the columns shown, not as model instances wrapped
        in django-tables2's bound rows: that was most of the table's time."""
        # One reverse() for the page: the detail URL with a placeholder pk, filled in per row.
        detail = reverse("applications:detail", args=[987654321]).replace("987654321", "{}")
        badges = {value: format_html('<span class="badge {}">{}</span>', state.badge, state.label)
                  for value, state in STATES.items()}
        records = self.paginated_rows
        if not isinstance(records, list):  # not paginated: the whole table
            records = self.data.data.values_list(*self.ROW_COLUMNS, named=True)
        return format_html_join("", self.ROW, (
            ("even" if index % 2 == 0 else "odd", detail.format(a.pk),
             application_title(a.zone_name, a.applicant__name, a.applicant__name_en), _text(a.applicant__name),
             _text(a.city), _text(a.industry_name), badges.get(a.state, a.state), a.current_version,
             _text(a.provincial_rank), _when(a.state_changed_at), _when(a.call__national_deadline))
            for index, a in enumerate(records)))

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


def national_groups(rows):
    """The page's applications (review.queries.national_queue_rows) grouped by province, in the queue's
    order as `{% regroup %}` did, each group with its rows formatted here:
    [{"grouper": province name, "count": n, "rows_html": ...}]."""
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

    def cells(a):
        applicant = in_active_language(a.applicant__name, a.applicant__name_en)
        title = str(Application.title_of(a.zone_name, applicant))
        return (a.provincial_rank or EMPTY, detail.format(a.pk), title, applicant, a.industry_name,
                states.get(a.state, a.state), a.current_version, action(a), detail.format(a.pk), label_view)

    groups = []
    for a in rows:
        if not groups or groups[-1]["code"] != a.province__code:
            groups.append({"code": a.province__code, "grouper": in_active_language(a.province__name,
                                                                                     a.province__name_en),
                           "rows": []})
        groups[-1]["rows"].append(a)
    for group in groups:
        rows_of_group = group.pop("rows")
        group["count"] = len(rows_of_group)
        group["rows_html"] = format_html_join("", NATIONAL_ROW, (cells(a) for a in rows_of_group))
    return groups
