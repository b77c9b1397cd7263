"""Throttling per user and per token. Rates are read from the settings at each request
(REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]: "user" and "token")."""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle

from .models import ApiToken


class _LiveRates:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class PerUserThrottle(_LiveRates, UserRateThrottle):
    scope = "user"


class PerTokenThrottle(_LiveRates, SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None  # the session: throttled per user only
        return self.cache_format % {"scope": self.scope, "ident": request.auth.prefix}
