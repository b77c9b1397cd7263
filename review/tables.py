"""Sortable queue tables (django-tables2)."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from applications.states import badge


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

    def render_state(self, record):
        # A method, not an include per row: rendering a template for every cell dominated the page's time.
        return format_html('<span class="badge {}">{}</span>', badge(record.state), record.get_state_display())

    # What an export writes for each cell (django-tables2 `as_values`): the text the page shows.
    def value_zone_name(self, record):
        return str(record)

    def value_state(self, record):
        return str(record.get_state_display())
