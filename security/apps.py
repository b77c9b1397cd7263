from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from . import session_keys


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = _("身份鉴别与安全策略")

    def ready(self):
        from pagecache.pages import known_session_keys  # noqa: PLC0415 - needs the app registry

        from . import signals  # noqa: F401, PLC0415 - connects the login signal receivers once the registry is ready

        # What this layer keeps in a session changes nothing a page shows (NEXT and RECOVERY_CODES do).
        known_session_keys.update({session_keys.STARTED, session_keys.LAST_ACTIVITY, session_keys.ROW,
                                   session_keys.ROW_KEY, session_keys.EXPIRY_RECORDED, session_keys.HAS_DEVICE})
