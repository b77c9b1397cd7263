from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .admin_access import AdministratorOnlyAdmin, ReadOnlyAdmin
from .models import ExpertProfile, Organisation, Province, User


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
    fieldsets = BaseUserAdmin.fieldsets + ((_("门户角色"), {"fields": ("role", "organisation", "display_name", "phone")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("门户角色"), {"fields": ("role", "organisation", "display_name")}),)


@admin.register(ExpertProfile)
class ExpertProfileAdmin(AdministratorOnlyAdmin):
    list_display = ("user", "home_province", "field", "active")
    list_filter = ("home_province__region", "active")
