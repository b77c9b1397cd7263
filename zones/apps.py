from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ZonesConfig(AppConfig):
    name = "zones"
    verbose_name = _("实验区建设")

    def ready(self):
        # zones sits above review: review's pipeline offers registration points and zones plugs in.
        from review.experts.queries import register_workspace_section  # noqa: PLC0415 - app registry must be ready
        from review.transitions import APPLICATIONS  # noqa: PLC0415 - idem

        from .queries import acceptance_assignments_for_expert  # noqa: PLC0415 - idem
        from .services import create_at_approval  # noqa: PLC0415 - idem

        APPLICATIONS.register_effect("approve", create_at_approval)
        register_workspace_section("zones/_expert_section.html", acceptance_assignments_for_expert)
