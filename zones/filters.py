"""The zones table's filters (django-filter): the national and provincial zones page, its exports and
the API's zone list read the same filterset, so the three show the same rows."""

import django_filters
from django.utils.translation import gettext_lazy as _

from accounts.choices import province_choices
from accounts.enums import Region, Role

from .enums import ZoneState
from .models import Zone


class ZoneFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(label=_("状态"), choices=ZoneState.choices, empty_label=_("全部状态"))
    province = django_filters.ChoiceFilter(label=_("省份"), empty_label=_("全部省份"))
    region = django_filters.ChoiceFilter(label=_("地区"), field_name="province__region", choices=Region.choices,
                                         empty_label=_("全部地区"))
    industry = django_filters.CharFilter(label=_("产业"), field_name="industry", lookup_expr="icontains")

    class Meta:
        model = Zone
        fields = ["state", "province", "region", "industry"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and getattr(user, "role", None) != Role.NATIONAL:
            # A province (or a city) sees its own zones only: no province or region to choose.
            del self.filters["province"]
            del self.filters["region"]
        else:
            self.filters["province"].extra["choices"] = province_choices()


def filtered_zones(user, data, queryset):
    """`queryset` (the user's zones) with the page's filters; invalid filters give the errors."""
    filterset = ZoneFilter(data, queryset=queryset, user=user)
    return filterset, (filterset.qs if filterset.is_valid() else None)
