"""The admin site: administrators (accounts, organisations) and national staff (calls, rubric).
Which models each may touch is in accounts/admin_access.py."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from audit.admin_changes import audited


class PortalAdminSite(admin.AdminSite):
    site_header = _("国家专利导航产业发展实验区申报平台")
    site_title = _("实验区申报平台管理")
    index_title = _("后台管理")

    def has_permission(self, request):
        user = request.user
        return user.is_active and (user.is_superuser or user.has_perm("portal.use_admin_site"))

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every registered model's additions, changes and deletions are audited (audit.admin_changes)."""
        super().register(model_or_iterable, audited(admin_class or admin.ModelAdmin), **options)
