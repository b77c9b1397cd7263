"""Reads of API tokens: a user's own tokens (never anyone else's)."""

from .models import ApiToken


def tokens_of(user):
    return ApiToken.objects.filter(user=user)


def token_by_prefix(prefix):
    return ApiToken.objects.select_related("user", "user__organisation").filter(prefix=prefix).first()
