from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("申报")

    def ready(self):
        from django.db.models.signals import post_delete, post_save  # noqa: PLC0415 - needs the registry

        from accounts import choices  # noqa: PLC0415 - idem

        from .models import Call  # noqa: PLC0415 - idem

        def calls_changed(**kwargs):
            choices.forget("calls")

        post_save.connect(calls_changed, sender=Call, weak=False, dispatch_uid="applications.calls_saved")
        post_delete.connect(calls_changed, sender=Call, weak=False, dispatch_uid="applications.calls_deleted")
