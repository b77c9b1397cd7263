from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime

from accounts.admin_access import BusinessRecordAdmin, CallManagementAdmin

from .forms import DeadlineField
from .models import Application, Call, ProvinceDeadline


class ProvinceDeadlineForm(forms.ModelForm):
    deadline = DeadlineField(label=ProvinceDeadline._meta.get_field("deadline").verbose_name, widget=AdminSplitDateTime)

    class Meta:
        model = ProvinceDeadline
        fields = ["province", "deadline"]


class ProvinceDeadlineInline(admin.TabularInline):
    model = ProvinceDeadline
    form = ProvinceDeadlineForm
    extra = 0

    def has_add_permission(self, request, obj=None):
        return True

    def has_change_permission(self, request, obj=None):
        return True

    def has_delete_permission(self, request, obj=None):
        return True

    def has_view_permission(self, request, obj=None):
        return True


class CallForm(forms.ModelForm):
    national_deadline = DeadlineField(label=Call._meta.get_field("national_deadline").verbose_name,
                                      widget=AdminSplitDateTime)

    class Meta:
        model = Call
        fields = "__all__"  # noqa: DJ007 - an admin form: the ModelAdmin's fieldsets decide what it shows


@admin.register(Call)
class CallAdmin(CallManagementAdmin):
    form = CallForm
    list_display = ("title", "year", "opens_on", "national_deadline", "target_zones", "status")
    list_filter = ("status", "year")
    inlines = [ProvinceDeadlineInline]


@admin.register(Application)
class ApplicationAdmin(BusinessRecordAdmin):
    """Read-only: applications change through their own pages and the transition function."""

    list_display = ("__str__", "applicant", "province", "call", "state", "current_version")
    list_filter = ("state", "province__region", "call")
    search_fields = ("zone_name", "applicant__name")
    list_select_related = ("applicant", "province", "call")
