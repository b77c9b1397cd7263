"""Creating, revoking and checking API tokens. Every creation, revocation and use is written to the
audit trail (audit.services.record)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import REFUSED, record
from workflow.errors import Refused

from .models import ApiToken
from .queries import token_by_prefix, tokens_of

SCHEME = "pt"
MAX_ACTIVE_TOKENS = 10
LIFETIMES = (30, 90, 180, 365)  # days
USE_RECORDED_EVERY = timedelta(seconds=60)  # last_used_at is refreshed at most this often


class TokenRefused(Refused):
    pass


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user, name: str, days: int, read_only: bool = False) -> tuple[ApiToken, str]:
    """A new token for the user: (the row, the secret to show once)."""
    name = (name or "").strip()
    if not user.is_authenticated or not user.is_active:
        raise TokenRefused(_("请先登录。"))
    if not name:
        raise TokenRefused(_("请填写令牌名称。"), {"name": _("请填写令牌名称。")})
    if days not in LIFETIMES:
        raise TokenRefused(_("请选择有效期。"), {"expires_in_days": _("请选择有效期。")})
    with transaction.atomic():
        get_user_model().objects.select_for_update().only("pk").get(pk=user.pk)
        active = tokens_of(user).filter(revoked_at__isnull=True, expires_at__gt=timezone.now()).count()
        if active >= MAX_ACTIVE_TOKENS:
            message = _("有效令牌已达 %(n)s 个，请先撤销不再使用的令牌。") % {"n": MAX_ACTIVE_TOKENS}
            raise TokenRefused(message, {"name": message})
        prefix = secrets.token_hex(4)
        secret = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
        token = ApiToken.objects.create(user=user, name=name[:64], prefix=prefix, secret_hash=digest(secret),
                                        read_only=bool(read_only), expires_at=timezone.now() + timedelta(days=days))
        record("api.token_create", actor=user, obj=token,
               details={"read_only": token.read_only, "expires_at": token.expires_at.isoformat()})
    return token, secret


def revoke_token(user, pk) -> ApiToken:
    """Revoke one of the user's own tokens (ApiToken.DoesNotExist for anyone else's)."""
    with transaction.atomic():
        token = tokens_of(user).select_for_update().get(pk=pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record("api.token_revoke", actor=user, obj=token)
    return token


def _refuse(reason, token=None, request=None):
    record("api.token_use", actor=token.user if token else None, obj=token, result=REFUSED, reason=str(reason),
           request=request)
    raise TokenRefused(reason)


def authenticate(secret: str, request=None) -> ApiToken:
    """The token this secret proves, recorded as used; TokenRefused (and an audit record) otherwise."""
    parts = (secret or "").split("_", 2)
    if len(parts) != 3 or parts[0] != SCHEME or not parts[1]:
        _refuse(_("令牌格式不正确。"), request=request)
    token = token_by_prefix(parts[1])
    if token is None or not hmac.compare_digest(token.secret_hash, digest(secret)):
        _refuse(_("令牌无效。"), request=request)
    if token.revoked_at is not None:
        _refuse(_("令牌已撤销。"), token, request)
    now = timezone.now()
    if token.expires_at <= now:
        _refuse(_("令牌已过期。"), token, request)
    if not token.user.is_active:
        _refuse(_("令牌所属用户已停用。"), token, request)
    if token.last_used_at is None or now - token.last_used_at > USE_RECORDED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    details = {}
    if request is not None:
        details = {"method": request.method, "path": request.path[:200]}
    record("api.token_use", actor=token.user, obj=token, details=details, request=request)
    return token
