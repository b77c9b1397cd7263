"""Who may use which admin pages, by permission name (the predicates are in portal/rules.py).

三员分立 (separation of duties): the 系统管理员 manages accounts and organisations and sees no
business data; the 安全管理员 manages the security policy, lockouts, sessions and second factors;
the 审计管理员 has nothing here. National staff may edit calls and their rubric. Business records
(applications, the pipeline's log) are read-only and only for a superuser account, Django's
emergency account, whose every request is audited.
"""

from django.contrib import admin


def is_superuser(user) -> bool:
    return user.is_active and user.is_superuser


def is_administrator(user) -> bool:
    return user.is_active and (user.is_superuser or user.has_perm("portal.administer"))


def is_security_administrator(user) -> bool:
    return user.is_active and (user.is_superuser or user.has_perm("portal.manage_security"))


def may_manage_calls(user) -> bool:
    return user.is_active and (user.is_superuser or user.has_perm("portal.manage_calls"))


class PredicateAdmin(admin.ModelAdmin):
    """A model admin whose every permission is one predicate on the user."""

    @staticmethod
    def allowed(user) -> bool:
        return is_superuser(user)

    def has_module_permission(self, request):
        return self.allowed(request.user)

    def has_view_permission(self, request, obj=None):
        return self.allowed(request.user)

    def has_add_permission(self, request):
        return self.allowed(request.user)

    def has_change_permission(self, request, obj=None):
        return self.allowed(request.user)

    def has_delete_permission(self, request, obj=None):
        return self.allowed(request.user)


class AdministratorOnlyAdmin(PredicateAdmin):
    """系统管理员: accounts and organisations."""

    allowed = staticmethod(is_administrator)


class SecurityAdministratorAdmin(PredicateAdmin):
    """安全管理员: the security policy, lockouts, sessions, second factors."""

    allowed = staticmethod(is_security_administrator)


class CallManagementAdmin(PredicateAdmin):
    """Calls and their rubric: whoever holds portal.manage_calls (national staff); deleting is for the
    emergency account only."""

    allowed = staticmethod(may_manage_calls)

    def has_delete_permission(self, request, obj=None):
        return is_superuser(request.user)


class ReadOnlyMixin:
    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, AdministratorOnlyAdmin):
    """Reference data of accounts (provinces): administrators may read it, nobody changes it here."""


class BusinessRecordAdmin(ReadOnlyMixin, PredicateAdmin):
    """Business records (applications, the pipeline's log): none of the administrators sees them;
    only the audited emergency account may read them here."""
