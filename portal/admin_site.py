"""The admin is limited to administrators; national staff may edit calls and their rubric only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role


def is_administrator(user):
    return user.is_active and (user.is_superuser or user.role == Role.ADMIN)


def is_national_staff(user):
    return user.is_active and user.role == Role.NATIONAL


class PortalAdminSite(admin.AdminSite):
    site_header = _("国家专利导航产业发展实验区申报平台")
    site_title = _("实验区申报平台管理")
    index_title = _("后台管理")

    def has_permission(self, request):
        user = request.user
        return is_administrator(user) or is_national_staff(user)


class AdministratorOnlyAdmin(admin.ModelAdmin):
    """Visible to administrators only."""

    def has_module_permission(self, request):
        return is_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_add_permission(self, request):
        return is_administrator(request.user)

    def has_change_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_administrator(request.user)


class NationalStaffAdmin(AdministratorOnlyAdmin):
    """Administrators and national staff."""

    def _allowed(self, request):
        return is_administrator(request.user) or is_national_staff(request.user)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return is_administrator(request.user)


class ReadOnlyAdmin(AdministratorOnlyAdmin):
    """Audit records: administrators may read them, nobody may change them here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
