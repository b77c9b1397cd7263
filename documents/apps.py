from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("文书")

    def ready(self):
        from . import signals  # noqa: F401, PLC0415 - connects receivers once the app registry is ready
