"""Who may use which admin pages, by permission name (the predicates are in portal/rules.py).

Administrators manage accounts and organisations; national staff may edit calls and their rubric.
A superuser account (Django's emergency account) may use the admin site whatever its role.
"""

from django.contrib import admin


def is_administrator(user) -> bool:
    return user.is_active and (user.is_superuser or user.has_perm("portal.administer"))


def may_manage_calls(user) -> bool:
    return user.is_active and (user.is_superuser or user.has_perm("portal.manage_calls"))


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


class CallManagementAdmin(AdministratorOnlyAdmin):
    """Calls and their rubric: whoever holds portal.manage_calls; deleting stays with administrators."""

    def has_module_permission(self, request):
        return may_manage_calls(request.user)

    def has_view_permission(self, request, obj=None):
        return may_manage_calls(request.user)

    def has_add_permission(self, request):
        return may_manage_calls(request.user)

    def has_change_permission(self, request, obj=None):
        return may_manage_calls(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_administrator(request.user)


class ReadOnlyAdmin(AdministratorOnlyAdmin):
    """Records nobody may change here (logs, applications): administrators may read them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
