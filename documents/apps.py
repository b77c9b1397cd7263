from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("文书")

    def ready(self):
        from outbox.relay import register_sweeper  # noqa: PLC0415 - app registry must be ready before models load

        from . import signals  # noqa: F401, PLC0415 - connects receivers once the app registry is ready
        from .services import requeue_stuck  # noqa: PLC0415 - idem

        register_sweeper(requeue_stuck)
