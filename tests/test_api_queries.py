"""The list endpoints run a fixed number of queries whatever the page size."""

import pytest

from accounts.enums import Role
from applications.enums import ApplicationState as S
from notifications.services import Message, notify
from tests.api_support import call, counted_get, token_for
from tests.pipeline_support import application_in


@pytest.mark.django_db
def test_list_endpoints_query_count_does_not_grow_with_the_page(client, applicant, other_applicant, provincial,
                                                                national, make_expert):
    def actors(user):
        return {Role.APPLICANT: user, Role.PROVINCIAL: provincial, Role.NATIONAL: national}

    for user in (applicant, other_applicant):
        application_in(S.RECOMMENDED, user, actors(user), make_expert)
    notify([national] * 4, Message("测试消息"))
    lists = {national: ["/api/v1/applications/", "/api/v1/notifications/", "/api/v1/calls/", "/api/v1/exports/"],
             provincial: ["/api/v1/applications/?state=recommended", "/api/v1/province/rankings/"]}
    for user, urls in lists.items():
        token = token_for(user)
        call(client, "get", "/api/v1/calls/", token)  # the first use stamps last_used_at (once a minute)
        for url in urls:
            sep = "&" if "?" in url else "?"
            small, body_small = counted_get(client, f"{url}{sep}page_size=1", token)
            large, body_large = counted_get(client, f"{url}{sep}page_size=50", token)
            assert small == large, (url, small, large)
            if isinstance(body_large, dict) and body_large.get("results") and len(body_large["results"]) > 1:
                assert len(body_small["results"]) == 1
