"""Helpers for the API tests: a token per user, JSON requests with it."""

import json

from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from api.services import create_token


def token_for(user, read_only=False, days=30):
    return create_token(user, f"test-{user.username}", days, read_only)[1]


def call(client, method, url, token=None, data=None, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if data is not None:
        extra.update(data=json.dumps(data), content_type="application/json")
    return getattr(client, method.lower())(url, **headers, **extra)


@override_settings(PAGE_CACHE_SECONDS=0)  # the endpoint's own work, not a cached answer (test_pagecache)
def counted_get(client, url, token):
    """(queries, JSON body) of a GET that answers 200. Once unmeasured first: what the cache keeps (session,
    policy, choice lists, unread count) is read again after the rows it describes changed; the count
    compared is the endpoint's own, whatever the number of rows."""
    call(client, "get", url, token)
    with CaptureQueriesContext(connection) as captured:
        response = call(client, "get", url, token)
    assert response.status_code == 200, response.content
    return len(captured), response.json()
