"""DRF permissions of the API. Business permissions are the portal's own rules (portal.*), asked by
name in the views exactly as the pages ask them; here only what is the API's own: a read-only
token may not change anything."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import ApiToken


class TokenScope(BasePermission):
    message = _("该令牌为只读令牌，不能执行修改操作。")

    def has_permission(self, request, view):
        token = request.auth
        if isinstance(token, ApiToken) and token.read_only:
            return request.method in SAFE_METHODS
        return True
