"""Queue filters (django-filter) for the provincial and national workspaces. The province and call lists
are cached choice lists (accounts.choices), not querysets: a select box of a model's rows costs two
queries (a count and a server-side cursor) on every page."""

from datetime import timedelta

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import province_choices
from accounts.enums import Region
from applications.models import Application
from applications.queries import call_choices
from applications.states import NATIONAL_LIST, PROVINCE_LIST, STATES, in_queue

DEADLINE_CHOICES = (
    ("soon", _("7天内截止")),
    ("open", _("未过截止时间")),
    ("passed", _("已过截止时间")),
)


def _deadline(queryset, name, value):
    now = timezone.now()
    if value == "soon":
        return queryset.filter(call__national_deadline__gte=now, call__national_deadline__lte=now + timedelta(days=7))
    if value == "open":
        return queryset.filter(call__national_deadline__gte=now)
    if value == "passed":
        return queryset.filter(call__national_deadline__lt=now)
    return queryset


class ProvincialQueueFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label=_("状态"), choices=[(value, STATES[value].label) for value in in_queue(PROVINCE_LIST)],
        empty_label=_("全部状态"))
    city = django_filters.ChoiceFilter(label=_("所在城市"), empty_label=_("全部城市"))
    industry = django_filters.CharFilter(label=_("产业"), field_name="industry_name", lookup_expr="icontains")
    call = django_filters.ChoiceFilter(label=_("申报批次"), empty_label=_("全部批次"))
    deadline = django_filters.ChoiceFilter(label=_("报送截止"), choices=DEADLINE_CHOICES, method=_deadline,
                                           empty_label=_("不限"))

    class Meta:
        model = Application
        fields = ["state", "city", "industry", "call", "deadline"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cities = self.queryset.exclude(city="").order_by("city").values_list("city", flat=True).distinct()
        self.filters["city"].extra["choices"] = [(c, c) for c in cities]
        self.filters["call"].extra["choices"] = call_choices()


class NationalQueueFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label=_("状态"), choices=[(value, STATES[value].label) for value in in_queue(NATIONAL_LIST)],
        empty_label=_("全部状态"))
    province = django_filters.ChoiceFilter(label=_("省份"), empty_label=_("全部省份"))
    region = django_filters.ChoiceFilter(label=_("地区"), field_name="province__region", choices=Region.choices,
                                         empty_label=_("全部地区"))
    industry = django_filters.CharFilter(label=_("产业"), field_name="industry_name", lookup_expr="icontains")
    call = django_filters.ChoiceFilter(label=_("申报批次"), empty_label=_("全部批次"))

    class Meta:
        model = Application
        fields = ["state", "province", "region", "industry", "call"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["province"].extra["choices"] = province_choices()
        self.filters["call"].extra["choices"] = call_choices()
