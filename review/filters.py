"""Queue filters (django-filter) for the provincial and national workspaces."""

from datetime import timedelta

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.enums import Region
from accounts.models import Province
from applications.models import Application, Call
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
    call = django_filters.ModelChoiceFilter(label=_("申报批次"), queryset=Call.objects.all(), empty_label=_("全部批次"))
    deadline = django_filters.ChoiceFilter(label=_("报送截止"), choices=DEADLINE_CHOICES, method=_deadline,
                                           empty_label=_("不限"))

    class Meta:
        model = Application
        fields = ["state", "city", "industry", "call", "deadline"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cities = self.queryset.exclude(city="").order_by("city").values_list("city", flat=True).distinct()
        self.filters["city"].extra["choices"] = [(c, c) for c in cities]


class NationalQueueFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label=_("状态"), choices=[(value, STATES[value].label) for value in in_queue(NATIONAL_LIST)],
        empty_label=_("全部状态"))
    province = django_filters.ModelChoiceFilter(label=_("省份"), queryset=Province.objects.all(),
                                                empty_label=_("全部省份"))
    region = django_filters.ChoiceFilter(label=_("地区"), field_name="province__region", choices=Region.choices,
                                         empty_label=_("全部地区"))
    industry = django_filters.CharFilter(label=_("产业"), field_name="industry_name", lookup_expr="icontains")
    call = django_filters.ModelChoiceFilter(label=_("申报批次"), queryset=Call.objects.all(), empty_label=_("全部批次"))

    class Meta:
        model = Application
        fields = ["state", "province", "region", "industry", "call"]
