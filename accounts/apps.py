from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("机构与用户")

    def ready(self):
        from django.db.models.signals import post_delete, post_save  # noqa: PLC0415 - needs the registry

        from . import choices  # noqa: PLC0415 - idem
        from .models import Province  # noqa: PLC0415 - idem

        def provinces_changed(**kwargs):
            choices.forget("provinces")

        post_save.connect(provinces_changed, sender=Province, weak=False, dispatch_uid="accounts.provinces_saved")
        post_delete.connect(provinces_changed, sender=Province, weak=False, dispatch_uid="accounts.provinces_deleted")
