"""DRF authentication: `Authorization: Bearer pt_…` for systems; the browser's session (with its CSRF
check) stays DRF's SessionAuthentication. A token acts as its user: request.user is that user, with
exactly that user's role and scope; request.auth is the token (read-only scope: api.permissions)."""

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from . import services

KEYWORD = "Bearer"


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Authorization 头格式应为：Bearer <令牌>。"))
        try:
            secret = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("令牌格式不正确。"))
        try:
            token = services.authenticate(secret, request._request)
        except services.TokenRefused as exc:
            raise exceptions.AuthenticationFailed(exc.message)
        return token.user, token

    def authenticate_header(self, request):
        return f'{KEYWORD} realm="api"'
