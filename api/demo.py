"""Demo: a read-only API token for the demo's provincial bureau (its secret is not kept: create your
own on /account/api-tokens/ to call the API)."""

from django.contrib.auth import get_user_model

from .queries import tokens_of
from .services import create_token


def seed_tokens(stdout=None):
    user = get_user_model().objects.filter(username="province").first()
    if user is not None and not tokens_of(user).exists():
        create_token(user, "省统计系统同步（演示）", 90, read_only=True)
