from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("文书")

    def ready(self):
        from outbox.relay import register_sweeper  # noqa: PLC0415 - app registry must be ready before models load

        # The 批复 and its refusal are shown as they would be issued before the decision is confirmed.
        from review.previews import register  # noqa: PLC0415 - idem
        from zones.previews import register as register_zone_letter  # noqa: PLC0415 - idem

        from . import checks, signals  # noqa: F401, PLC0415 - connects receivers and checks once the registry is ready
        from .previews import ACCEPTANCE_DECISIONS, acceptance_preview, approve_preview, not_approve_preview  # noqa: PLC0415 - idem
        from .services import requeue_stuck  # noqa: PLC0415 - idem

        register_sweeper(requeue_stuck)
        register("approve", approve_preview)
        register("not_approve", not_approve_preview)
        # The 验收意见 likewise, before each acceptance decision is confirmed.
        for name in ACCEPTANCE_DECISIONS:
            register_zone_letter(name, acceptance_preview)
