"""The admin site. Which models each administrator may touch is in accounts/admin_access.py
(三员分立); signing in and out goes through the portal's own pages, second factor included."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from audit.admin_changes import audited
from security.views import SignOutView


class PortalAdminSite(admin.AdminSite):
    site_header = _("国家专利导航产业发展实验区申报平台")
    site_title = _("实验区申报平台管理")
    index_title = _("后台管理")

    def has_permission(self, request):
        user = request.user
        return user.is_active and (user.is_superuser or user.has_perm("portal.use_admin_site"))

    def login(self, request, extra_context=None):
        """No second door: the admin signs in through the portal's login and second step."""
        next_url = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = reverse("admin:index")
        return redirect_to_login(next_url)

    def logout(self, request, extra_context=None):
        return SignOutView.as_view()(request)

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every registered model's additions, changes and deletions are audited (audit.admin_changes)."""
        super().register(model_or_iterable, audited(admin_class or admin.ModelAdmin), **options)
