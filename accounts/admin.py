from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from .admin_access import AdministratorOnlyAdmin, ReadOnlyAdmin
from .models import ExpertProfile, Organisation, Province, User


class PasswordSetByAdministratorForm(AdminPasswordChangeForm):
    """A password an administrator sets must be changed by its user at the next sign-in."""

    def save(self, commit=True):
        self.user.must_change_password = True
        return super().save(commit)


class AccountCreationForm(AdminUserCreationForm):
    """A new account's first password is the administrator's: its user changes it at the first sign-in."""

    def save(self, commit=True):
        self.instance.must_change_password = True
        return super().save(commit)


# Roles decide what an account may do; Django's groups are not used.
admin.site.unregister(Group)


@admin.register(Province)
class ProvinceAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "name_en", "region")
    list_filter = ("region",)


@admin.register(Organisation)
class OrganisationAdmin(AdministratorOnlyAdmin):
    list_display = ("name", "kind", "province", "level", "city", "document_code")
    list_filter = ("kind", "province__region", "level")
    search_fields = ("name", "city")
    list_select_related = ("province",)


@admin.register(User)
class UserAdmin(AdministratorOnlyAdmin, BaseUserAdmin):
    list_display = ("username", "display_name", "role", "organisation", "email", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "display_name", "email")
    list_select_related = ("organisation",)
    add_form = AccountCreationForm
    change_password_form = PasswordSetByAdministratorForm
    # No superuser flag, groups or Django permissions here: a role decides what an account may do, and
    # the superuser exists only for createsuperuser-style emergencies.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("display_name", "first_name", "last_name", "email", "phone")}),
        (_("门户角色"), {"fields": ("role", "organisation")}),
        (_("状态"), {"fields": ("is_active", "must_change_password", "password_changed_at", "last_login",
                              "date_joined")}),
    )
    readonly_fields = ("password_changed_at", "last_login", "date_joined")
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("门户角色"), {"fields": ("role", "organisation", "display_name")}),)


@admin.register(ExpertProfile)
class ExpertProfileAdmin(AdministratorOnlyAdmin):
    list_display = ("user", "home_province", "field", "active")
    list_filter = ("home_province__region", "active")
