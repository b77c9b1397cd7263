"""Helpers for the API tests: a token per user, JSON requests with it."""

import json

from api.services import create_token


def token_for(user, read_only=False, days=30):
    return create_token(user, f"test-{user.username}", days, read_only)[1]


def call(client, method, url, token=None, data=None, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if data is not None:
        extra.update(data=json.dumps(data), content_type="application/json")
    return getattr(client, method.lower())(url, **headers, **extra)
