"""What every signed-in request reads is kept in the cache, and a change reaches the next request.

Every page used to read the session, the second-factor device, the security policy, the unread count,
the user's organisation and (on pages that ask about actions) the user's and groups' permission rows:
six to eight queries before the page's own. Now the session, the device's identity, the policy row, the
unread count and the filter forms' choice lists come from the cache, and the user is read with its
organisation in one query. These tests pin that down (by table, so that they fail on the query that
came back) and show that each cached thing follows its rows: a device removed, a policy changed, a
notification sent or read, a call added."""

import os
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import signed_in
from accounts.backends import PortalModelBackend
from accounts.enums import Role
from accounts.models import Organisation, User
from applications.enums import ApplicationState as S
from applications.models import Call
from applications.queries import visible_application
from notifications.models import Notification
from notifications.services import Message, mark_all_read, notify
from portal.cache import RedisCache
from security import services as security_services
from security.models import SecurityPolicy
from security.session_keys import LAST_ACTIVITY
from tests.conftest import PASSWORD
from tests.factories import open_call
from tests.pipeline_support import application_in

PER_REQUEST_TABLES = ("django_session", "otp_totp_totpdevice", "security_securitypolicy",
                      "notifications_notification", "accounts_organisation", "auth_permission")


@override_settings(PAGE_CACHE_SECONDS=0)  # the page rendered, as after any change (test_pagecache: when cached)
def _tables_read(client, url):
    client.get(url)  # once unmeasured: the cache is filled on the first request after a change
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return [q["sql"] for q in ctx.captured_queries], response


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.PROVINCIAL, Role.NATIONAL, Role.APPLICANT])
def test_a_signed_in_page_reads_the_user_once_and_nothing_else_of_the_session(
        client, role, provincial, national, applicant, actors, make_expert):
    user = {Role.PROVINCIAL: provincial, Role.NATIONAL: national, Role.APPLICANT: applicant}[role]
    application = application_in(S.RECOMMENDED, applicant, actors, make_expert)
    client.force_login(user)
    workspace = {Role.PROVINCIAL: "/province/", Role.NATIONAL: "/national/", Role.APPLICANT: "/applicant/"}[role]
    for url in (workspace, reverse("applications:detail", args=[application.pk])):
        queries, response = _tables_read(client, url)
        # Rendered with the page cache off, which turns the signed-in user's cache off too (with it on, a
        # cached page reads nothing: test_pagecache).
        assert sum('FROM "accounts_user"' in sql for sql in queries) == 1, url
        for table in PER_REQUEST_TABLES:
            assert not any(f'FROM "{table}"' in sql for sql in queries), (url, table)
    # The navigation bar still names the user's organisation.
    assert str(user.organisation) in response.content.decode()


@pytest.mark.django_db
def test_a_removed_device_stops_verifying_on_the_next_request(client, provincial):
    client.force_login(provincial)
    assert client.get("/province/").status_code == 200  # verified, and the device's identity cached
    TOTPDevice.objects.filter(user=provincial).delete()  # as the admin's delete would, sessions left alone
    response = client.get("/province/")
    assert response.status_code == 302 and reverse("security:enrol") in response["Location"]


@pytest.mark.django_db
def test_an_unconfirmed_device_does_not_verify(client, provincial):
    client.force_login(provincial)
    assert client.get("/province/").status_code == 200
    for device in TOTPDevice.objects.filter(user=provincial):
        device.confirmed = False
        device.save()
    assert client.get("/province/").status_code == 302


@pytest.mark.django_db
def test_a_policy_change_applies_on_the_next_request(client, provincial, security_admin):
    client.force_login(provincial)
    assert client.get("/province/").status_code == 200  # the policy cached: no row, the defaults (30 min)
    row = SecurityPolicy(session_idle_minutes=10)
    security_services.save_policy(row, by=security_admin, changed=["session_idle_minutes"])
    session = client.session
    session[LAST_ACTIVITY] = (timezone.now() - timedelta(minutes=20)).timestamp()
    session.save()
    response = client.get("/province/")  # 20 idle minutes: within the old 30, past the new 10
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.django_db
def test_the_unread_count_follows_notifications_sent_and_read(client, provincial):
    client.force_login(provincial)
    assert "条未读" not in client.get("/province/").content.decode()  # 0, cached
    notify([provincial, provincial], Message("测试消息"))
    assert "2 条未读" in client.get("/province/").content.decode()
    note = Notification.objects.filter(recipient=provincial).first()
    client.post(reverse("notifications:read", args=[note.pk]))
    assert "1 条未读" in client.get("/province/").content.decode()
    mark_all_read(provincial)
    assert "条未读" not in client.get("/province/").content.decode()


@pytest.mark.django_db
def test_the_unread_count_is_each_users_own(client, provincial, foreign_provincial):
    notify([provincial], Message("只给江苏"))
    client.force_login(provincial)
    assert "1 条未读" in client.get("/province/").content.decode()
    client.force_login(foreign_provincial)
    assert "条未读" not in client.get("/province/").content.decode()


@pytest.mark.django_db
def test_the_call_filter_lists_a_new_call_and_follows_the_language(client, national):
    client.force_login(national)
    first = open_call(title="第一批次")
    assert "第一批次" in client.get("/national/").content.decode()
    second = Call.objects.create(title="新增批次", title_en="Added call", year=first.year + 1,
                                 opens_on=first.opens_on, national_deadline=first.national_deadline)
    body = client.get("/national/").content.decode()
    assert f'value="{second.pk}"' in body and "新增批次" in body
    client.post(reverse("set_language"), {"language": "en"})
    body = client.get("/national/").content.decode()
    assert "Added call" in body and "新增批次" not in body
    # An unknown call is a message at the field, not a 500.
    response = client.get("/national/?call=999999")
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()


@pytest.mark.django_db
def test_portal_permissions_are_the_rules_alone_and_model_permissions_still_work(provincial):
    # A permission row named like a rule grants nothing: the portal's permissions are portal/rules.py.
    fake = Permission.objects.filter(codename="view_user").first()
    provincial.user_permissions.add(fake)
    provincial = type(provincial).objects.get(pk=provincial.pk)
    assert provincial.has_perm("accounts.view_user")  # Django's model permission, as before
    assert not provincial.has_perm("portal.national_workspace")
    assert provincial.has_perm("portal.provincial_workspace")


def test_the_redis_cache_reuses_one_client_and_reads_back_what_it_wrote():
    """portal.cache.RedisCache (production's cache) against this machine's Redis."""
    backend = RedisCache(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"), {"KEY_PREFIX": "portal-cache-test"})
    client = backend._cache.get_client()
    assert backend._cache.get_client() is client and backend._cache.get_client(write=True) is client
    backend.set("answer", {"count": 3}, 30)
    assert backend.get("answer") == {"count": 3}
    backend.delete_many(["answer"])
    assert backend.get("answer") is None


@pytest.mark.django_db
def test_an_object_read_through_one_users_scope_is_no_pass_for_another(
        provincial, foreign_provincial, applicant, actors, make_expert):
    """visible_application marks what it read so that the rules need no second query for that user; the
    mark never lets another user (another province) see it."""
    application = application_in(S.SUBMITTED, applicant, actors, make_expert)
    mine = visible_application(provincial, application.pk)
    assert provincial.has_perm("portal.view_application", mine)
    with CaptureQueriesContext(connection) as ctx:
        assert not foreign_provincial.has_perm("portal.view_application", mine)
    assert len(ctx) >= 1  # the scope was asked, not the mark
    with pytest.raises(Http404):
        visible_application(foreign_provincial, application.pk)


@pytest.mark.django_db
def test_the_signed_in_user_follows_its_rows_and_keeps_no_password(client, provincial):
    client.force_login(provincial)
    assert client.get("/province/").status_code == 200  # read from the database, then kept
    entry = cache.get(signed_in._key(provincial.pk))
    assert entry is not None and provincial.password not in repr(entry)
    assert "password" not in signed_in._USER_FIELDS

    # Rebuilt from the cache: the password is read only when asked for, and still checks.
    with CaptureQueriesContext(connection) as ctx:
        user = PortalModelBackend().get_user(provincial.pk)
    assert len(ctx) == 0 and user.organisation.name == provincial.organisation.name
    assert user.get_session_auth_hash() == provincial.get_session_auth_hash()
    assert user.check_password(PASSWORD)

    # A new organisation name shows on the next page.
    Organisation.objects.filter(pk=provincial.organisation_id).update(name="江苏省知识产权局（新）")
    assert "江苏省知识产权局（新）" in client.get("/province/").content.decode()

    # A deactivated account, or a changed password, ends the session on the next request.
    User.objects.filter(pk=provincial.pk).update(is_active=False)
    assert client.get("/province/").status_code == 302
    User.objects.filter(pk=provincial.pk).update(is_active=True)
    client.force_login(provincial)
    assert client.get("/province/").status_code == 200
    provincial.set_password("Another-password-456")
    provincial.save()
    assert client.get("/province/").status_code == 302
