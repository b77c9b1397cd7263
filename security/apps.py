from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = _("身份鉴别与安全策略")

    def ready(self):
        from . import signals  # noqa: F401, PLC0415 - connects the login signal receivers once the registry is ready
