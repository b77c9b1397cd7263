from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = _("审核与评审")

    def ready(self):
        # Review owns assignments, so it tells applications.queries what an expert may see.
        from accounts.enums import Role  # noqa: PLC0415 - app registry must be ready before models load
        from applications.queries import register_scope  # noqa: PLC0415 - idem

        from .experts.queries import expert_applications  # noqa: PLC0415 - idem

        register_scope(Role.EXPERT, expert_applications)

        # Review's messages are stored as keys and rendered in each reader's language.
        from notifications.messages import register  # noqa: PLC0415 - idem

        from .notices import renderers  # noqa: PLC0415 - idem
        from .transitions import TRANSITIONS  # noqa: PLC0415 - idem

        for key, renderer in renderers(TRANSITIONS).items():
            register(key, renderer)
