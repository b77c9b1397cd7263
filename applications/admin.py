from django.contrib import admin

from accounts.admin_access import BusinessRecordAdmin, CallManagementAdmin

from .models import Application, Call, ProvinceDeadline


class ProvinceDeadlineInline(admin.TabularInline):
    model = ProvinceDeadline
    extra = 0

    def has_add_permission(self, request, obj=None):
        return True

    def has_change_permission(self, request, obj=None):
        return True

    def has_delete_permission(self, request, obj=None):
        return True

    def has_view_permission(self, request, obj=None):
        return True


@admin.register(Call)
class CallAdmin(CallManagementAdmin):
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
