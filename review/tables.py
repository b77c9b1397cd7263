"""Sortable queue tables (django-tables2)."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from applications.enums import ApplicationState as S

# Same colours as templates/review/_state_badge.html; a method, not an include per row, because
# rendering a template for every cell dominated the queue page's time.
BADGE_CLASS = {
    S.APPROVED: "text-bg-success",
    S.RETURNED: "text-bg-warning", S.RETURNED_TO_PROVINCE: "text-bg-warning",
    S.DECLINED: "text-bg-danger", S.REJECTED: "text-bg-danger", S.NOT_APPROVED: "text-bg-danger",
    S.RECOMMENDED: "text-bg-primary", S.EXPERT_REVIEW: "text-bg-primary", S.NATIONAL_REVIEW: "text-bg-primary",
    S.DRAFT: "text-bg-light border",
}


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
        return format_html('<span class="badge {}">{}</span>', BADGE_CLASS.get(record.state, "text-bg-secondary"),
                           record.get_state_display())
