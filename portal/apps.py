from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    default_site = "portal.admin_site.PortalAdminSite"


class PortalConfig(AppConfig):
    """The portal itself: the rules module (autodiscovered by django-rules) and project-wide commands."""

    name = "portal"
    verbose_name = "portal"

    def ready(self):
        from . import checks  # noqa: F401, PLC0415 - registers the deployment checks
