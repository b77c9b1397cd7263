"""Searching and filtering the audit trail (django-filter): free text, event, result, role, user,
period, client address and object."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import labels, queries
from .models import AuditRecord, Result


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class AuditSearchForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("结束日期不能早于开始日期。"))
        return cleaned


class AuditRecordFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), method="search",
                                  help_text=_("用户名、事件、对象、原因或详情中包含的文字"))
    action = django_filters.ChoiceFilter(label=_("事件"), empty_label=_("全部事件"))
    result = django_filters.ChoiceFilter(label=_("结果"), choices=Result.choices, empty_label=_("全部结果"))
    actor_role = django_filters.ChoiceFilter(label=_("角色"), empty_label=_("全部角色"))
    actor = django_filters.CharFilter(label=_("用户名"), field_name="actor_username", lookup_expr="iexact")
    date_from = django_filters.DateFilter(label=_("开始日期"), method="from_day",
                                          widget=forms.DateInput(attrs={"type": "date"}))
    date_to = django_filters.DateFilter(label=_("结束日期"), method="to_day",
                                        widget=forms.DateInput(attrs={"type": "date"}))
    client_address = django_filters.CharFilter(label=_("客户端地址"), lookup_expr="startswith")
    object_type = django_filters.ChoiceFilter(label=_("对象类型"), empty_label=_("全部类型"))
    object_id = django_filters.CharFilter(label=_("对象编号"), lookup_expr="exact")

    class Meta:
        model = AuditRecord
        fields = ["q", "action", "result", "actor_role", "actor", "date_from", "date_to", "client_address",
                  "object_type", "object_id"]
        form = AuditSearchForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["action"].extra["choices"] = [(a, f"{labels.action_label(a)} ({a})") for a in queries.actions()]
        self.filters["actor_role"].extra["choices"] = labels.role_choices()
        self.filters["object_type"].extra["choices"] = [
            (t, labels.object_type_label(t)) for t in queries.object_types()]

    def search(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(Q(actor_username__icontains=text) | Q(action__icontains=text)
                               | Q(object_repr__icontains=text) | Q(reason__icontains=text)
                               | Q(object_id=text) | Q(details__icontains=text))

    def from_day(self, queryset, name, value):
        return queryset.filter(created_at__gte=_day_start(value))

    def to_day(self, queryset, name, value):
        return queryset.filter(created_at__lt=_day_start(value + datetime.timedelta(days=1)))

    def active_filters(self) -> dict:
        """The filters in use, as text (for the export's own audit record)."""
        if not self.is_bound or not self.form.is_valid():
            return {}
        return {key: str(value) for key, value in self.form.cleaned_data.items() if value not in (None, "")}
