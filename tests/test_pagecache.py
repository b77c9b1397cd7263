"""Cached pages (pagecache): a user's page is served again only while nothing it was read from changed,
never to anyone else, and never without what is particular to this request (a fresh CSRF token, the
unread count, a refused opinion kept in the session, the language)."""

import io
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import signed_in
from accounts.backends import PortalModelBackend
from accounts.enums import Role
from applications.enums import ApplicationState as S
from applications.models import Application
from audit.models import AuditRecord
from notifications.models import Notification
from pagecache import pages, tables
from review.forms import REFUSED_KEY
from tests.api_support import call, token_for
from tests.pipeline_support import application_in, step

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


def _get(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return response, response.content.decode()


def _state(response):
    return response.wsgi_request.page_cache


@pytest.fixture
def actors(applicant, provincial, national):
    return {Role.APPLICANT: applicant, Role.PROVINCIAL: provincial, Role.NATIONAL: national}


# --- The tables a statement reads and writes ------------------------------------------------------------


def test_statements_name_the_tables_they_write_and_read():
    assert tables.written_tables('INSERT INTO "applications_application" ("title") VALUES (%s)') == [
        "applications_application"]
    assert tables.written_tables('  UPDATE "review_score" SET "comment" = %s WHERE "id" = %s') == ["review_score"]
    assert tables.written_tables('DELETE FROM "zones_zone" WHERE "id" IN (%s)') == ["zones_zone"]
    assert tables.written_tables('TRUNCATE "a_b", "c_d" RESTART IDENTITY') == ["a_b", "c_d"]
    assert tables.written_tables('SELECT "id" FROM "x" FOR UPDATE') == []
    read = tables.read_tables('SELECT COUNT(*) FROM "applications_application" INNER JOIN "accounts_province" '
                              'ON (1) WHERE EXISTS(SELECT 1 FROM "review_score" U0 LEFT OUTER JOIN "review_x" '
                              'ON (1))')
    assert set(read) == {"applications_application", "accounts_province", "review_score", "review_x"}


def test_a_write_by_id_moves_its_row_and_any_other_write_the_whole_table():
    t = "applications_application"
    save = f'UPDATE "{t}" SET "city" = %s, "updated_at" = %s WHERE "{t}"."id" = %s'
    assert tables.written_generations(save, ["苏州", "now", 7], False) == [t, f"{t}#7"]
    assert tables.written_generations(save, [["a", "b", 7], ["c", "d", 8]], True) == [t, f"{t}*"]
    several = f'UPDATE "{t}" SET "city" = %s WHERE ("{t}"."province_id" = %s AND "{t}"."id" = %s)'
    assert tables.written_generations(several, ["x", 1, 7], False) == [t, f"{t}*"]
    assert tables.written_generations(f'INSERT INTO "{t}" ("city") VALUES (%s)', ["x"], False) == [t]
    assert tables.written_generations(f'INSERT INTO "{t}" ("id") VALUES (%s) ON CONFLICT DO UPDATE SET "x" = 1',
                                      [7], False) == [t, f"{t}*"]
    assert tables.written_generations(f'DELETE FROM "{t}" WHERE "{t}"."id" IN (%s)', [7], False) == [t, f"{t}*"]
    assert tables.written_generations('TRUNCATE "a", "b"', None, False) == ["a", "a*", "b", "b*"]


def test_a_statement_that_reads_one_row_by_id_depends_on_that_row_only():
    t = "applications_application"
    one = (f'SELECT "{t}"."id" FROM "{t}" INNER JOIN "accounts_province" ON ("{t}"."province_id" = '
           f'"accounts_province"."id") WHERE ("{t}"."forwarded_at" IS NOT NULL AND "{t}"."id" = %s) LIMIT 21')
    assert tables.read_generations(one, [5]) == ({"accounts_province"}, {f"{t}#5"})
    joined = f'SELECT 1 FROM "x" LEFT OUTER JOIN "{t}" ON ("x"."a_id" = "{t}"."id" AND "{t}"."id" = %s)'
    assert tables.read_generations(joined, [5]) == ({"x"}, {f"{t}#5"})
    for whole in (f'SELECT 1 FROM "{t}" WHERE ("{t}"."city" = %s OR "{t}"."id" = %s)',
                  f'SELECT 1 FROM "{t}" WHERE NOT ("{t}"."id" = %s)',
                  f'SELECT ("{t}"."id" = %s) AS "mine" FROM "{t}"',
                  f'SELECT 1 FROM "{t}" WHERE "{t}"."id" = %s AND EXISTS(SELECT 1 FROM "{t}" U0)',
                  f'SELECT 1 FROM "{t}" WHERE "{t}"."id" IN (%s)'):
        assert tables.read_generations(whole, ["x", 5][:whole.count("%s")]) == ({t}, set()), whole


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_write_moves_the_generation_when_its_transaction_commits(applicant):
    table = Application._meta.db_table
    tables._depended_on.clear()  # no page of this process depends on it: only the commit moves it
    before = tables.generations([table])[table]
    with transaction.atomic():
        Application.objects.filter(pk=-1).update(city="无")  # update(): no signal, still a write
        assert tables.generations([table])[table] == before
    after = tables.generations([table])[table]
    assert after != before

    # A rolled-back write moves nothing.
    with pytest.raises(RuntimeError), transaction.atomic():
        Application.objects.filter(pk=-1).update(city="无")
        raise RuntimeError
    assert tables.generations([table])[table] == after


# --- Pages -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_second_visit_is_served_from_the_cache_with_the_same_content(client, applicant, provincial, actors,
                                                                           make_expert):
    application = application_in(S.PROVINCIAL_REVIEW, applicant, actors, make_expert)
    client.force_login(provincial)
    for url in (reverse("review:provincial_workspace"), reverse("applications:detail", args=[application.pk])):
        first, first_html = _get(client, url)
        with CaptureQueriesContext(connection) as queries:
            second, second_html = _get(client, url)
        assert (_state(first), _state(second)) == ("miss", "hit")
        # Nothing is read from the database: the page is not rendered, the user comes from the cache.
        assert len(queries) == 0, [q["sql"] for q in queries]
        assert TOKEN.sub("", first_html) == TOKEN.sub("", second_html)
        assert str(application) in second_html


@pytest.mark.django_db
def test_two_provinces_never_share_a_cached_page(client, applicant, foreign_applicant, provincial,
                                                  foreign_provincial, national, make_expert):
    mine = application_in(S.PROVINCIAL_REVIEW, applicant, {Role.APPLICANT: applicant, Role.PROVINCIAL: provincial,
                                                          Role.NATIONAL: national}, make_expert)
    Application.objects.filter(pk=mine.pk).update(city="江苏独有市")
    theirs = application_in(S.PROVINCIAL_REVIEW, foreign_applicant, {
        Role.APPLICANT: foreign_applicant, Role.PROVINCIAL: foreign_provincial, Role.NATIONAL: national}, make_expert)
    Application.objects.filter(pk=theirs.pk).update(city="广东独有市")
    url = reverse("review:provincial_workspace")

    js, gd = Client(), Client()
    js.force_login(provincial)
    gd.force_login(foreign_provincial)
    for _ in range(2):  # the second round is served from the cache
        js_page, js_html = _get(js, url)
        gd_page, gd_html = _get(gd, url)
        assert "江苏独有市" in js_html and "广东独有市" not in js_html
        assert "广东独有市" in gd_html and "江苏独有市" not in gd_html
    assert (_state(js_page), _state(gd_page)) == ("hit", "hit")
    # The other province's application is as unknown as ever, cached page or not.
    assert js.get(reverse("applications:detail", args=[theirs.pk])).status_code == 404


@pytest.mark.django_db
def test_every_change_shows_at_once(client, applicant, provincial, actors, make_expert):
    application = application_in(S.PROVINCIAL_REVIEW, applicant, actors, make_expert)
    detail = reverse("applications:detail", args=[application.pk])
    queue = reverse("review:provincial_workspace")
    client.force_login(provincial)
    _get(client, detail)
    _get(client, queue)
    assert _state(_get(client, queue)[0]) == "hit"

    # A transition (the state machine's own write) ...
    step(application, "recommend", actors, make_expert)
    response, html = _get(client, detail)
    assert _state(response) == "miss"
    assert "已推荐" in html or "recommended" in html

    # ... and a bulk update that sends no signal.
    Application.objects.filter(pk=application.pk).update(city="新设的市")
    response, html = _get(client, queue)
    assert _state(response) == "miss" and "新设的市" in html


@pytest.mark.django_db
def test_saving_one_application_renders_its_pages_and_the_lists_again_not_the_others(
        client, applicant, other_applicant, provincial, actors, make_expert):
    mine = application_in(S.PROVINCIAL_REVIEW, applicant, actors, make_expert)
    theirs = application_in(S.PROVINCIAL_REVIEW, other_applicant, {**actors, Role.APPLICANT: other_applicant},
                            make_expert)
    pages_of = {app.pk: reverse("applications:detail", args=[app.pk]) for app in (mine, theirs)}
    queue = reverse("review:provincial_workspace")
    client.force_login(provincial)
    for url in (*pages_of.values(), queue):
        _get(client, url)

    theirs.refresh_from_db()
    theirs.city = "另一家的新市"
    theirs.save()
    assert _state(_get(client, pages_of[mine.pk])[0]) == "hit"
    assert _state(_get(client, pages_of[theirs.pk])[0]) == "miss"
    response, html = _get(client, queue)
    assert _state(response) == "miss" and "另一家的新市" in html

    # A write not confined to one row by its id renders every page that read the table again.
    Application.objects.filter(province=theirs.province, pk=theirs.pk).update(city="再改的市")
    assert _state(_get(client, pages_of[mine.pk])[0]) == "miss"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_change_committed_by_another_process_shows(client, applicant, provincial, actors, make_expert):
    with transaction.atomic():
        application = application_in(S.PROVINCIAL_REVIEW, applicant, actors, make_expert)
    queue = reverse("review:provincial_workspace")
    client.force_login(provincial)
    _get(client, queue)
    assert _state(_get(client, queue)[0]) == "hit"
    tables._depended_on.clear()  # as in another process: nothing it stored depends on the table

    def elsewhere():
        try:
            with transaction.atomic():
                Application.objects.filter(pk=application.pk).update(city="另一进程写的市")
        finally:
            connection.close()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    response, html = _get(client, queue)
    assert _state(response) == "miss" and "另一进程写的市" in html


@pytest.mark.django_db
def test_a_cached_page_carries_a_fresh_token_that_the_portal_accepts(applicant, provincial, actors, make_expert):
    application = application_in(S.PROVINCIAL_REVIEW, applicant, actors, make_expert)
    client = Client(enforce_csrf_checks=True)
    client.force_login(provincial)
    url = reverse("applications:detail", args=[application.pk])
    _first, first_html = _get(client, url)
    second, second_html = _get(client, url)
    assert _state(second) == "hit"
    content = second_html[second_html.index(pages.START):second_html.index(pages.END)]
    tokens = TOKEN.findall(content)
    assert tokens, "the panel's forms carry the token"
    assert pages.CSRF_PLACEHOLDER not in second_html
    # Masked afresh for this response, and the user's own secret under the mask.
    assert not set(tokens) & set(TOKEN.findall(first_html))
    secret = client.cookies["csrftoken"].value
    assert all(_unmask_cipher_token(token) == secret for token in tokens)
    answer = client.post(reverse("set_language"), {"language": "en", "next": "/",
                                                   "csrfmiddlewaretoken": tokens[0]})
    assert answer.status_code == 302


@pytest.mark.django_db
def test_what_a_request_has_of_its_own_is_never_taken_from_the_cache(client, applicant, provincial, actors,
                                                                     make_expert):
    application = application_in(S.PROVINCIAL_REVIEW, applicant, actors, make_expert)
    url = reverse("applications:detail", args=[application.pk])
    client.force_login(provincial)
    _get(client, url)

    # The unread count is the base template's, rendered for every request.
    Notification.objects.create(recipient=provincial, subject="新的消息", body="正文")
    unread = Notification.objects.filter(recipient=provincial, read_at__isnull=True).count()
    response, html = _get(client, url)
    assert _state(response) == "hit" and f'aria-label="{unread} 条未读"' in html

    # English is another page.
    client.cookies["django_language"] = "en"
    response, html = _get(client, url)
    assert _state(response) == "miss" and '<html lang="en">' in html
    del client.cookies["django_language"]

    # htmx asks for a fragment: never cached.
    assert _state(client.get(url, headers={"HX-Request": "true"})) == "bypass"

    # A refused action: what was typed comes back on the (cached) page, once.
    typed = "推荐意见：这段文字不能丢失"
    answer = client.post(reverse("review:transition", args=[application.pk]), {
        "transition": "recommend", "recommend-opinion": typed, "recommend-expected_state": application.state})
    assert answer.status_code == 302 and REFUSED_KEY in client.session
    response, html = _get(client, url)
    assert _state(response) == "bypass" and typed in html
    assert typed not in _get(client, url)[1]  # shown once


@pytest.mark.django_db
def test_an_entry_lasts_at_most_page_cache_seconds(client, applicant, provincial, actors, make_expert, settings,
                                                   monkeypatch):
    application_in(S.PROVINCIAL_REVIEW, applicant, actors, make_expert)
    settings.PAGE_CACHE_SECONDS = 60
    url = reverse("review:provincial_workspace")
    client.force_login(provincial)
    _get(client, url)
    assert _state(_get(client, url)[0]) == "hit"
    later = pages.now() + 61
    monkeypatch.setattr(pages, "now", lambda: later)
    assert _state(_get(client, url)[0]) == "miss"
    settings.PAGE_CACHE_SECONDS = 0
    assert _state(_get(client, url)[0]) == "bypass"


# --- The API -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_answers_again_from_the_cache_per_token_and_audits_every_use(
        client, applicant, foreign_applicant, provincial, foreign_provincial, national, make_expert):
    mine = application_in(S.PROVINCIAL_REVIEW, applicant, {Role.APPLICANT: applicant, Role.PROVINCIAL: provincial,
                                                          Role.NATIONAL: national}, make_expert)
    application_in(S.PROVINCIAL_REVIEW, foreign_applicant, {
        Role.APPLICANT: foreign_applicant, Role.PROVINCIAL: foreign_provincial, Role.NATIONAL: national}, make_expert)
    js, gd = token_for(provincial), token_for(foreign_provincial)
    url = "/api/v1/applications/"
    uses = AuditRecord.objects.filter(action="api.token_use")

    first = call(client, "get", url, js)
    before = uses.count()
    second = call(client, "get", url, js)
    assert (first.wsgi_request.page_cache, second.wsgi_request.page_cache) == ("miss", "hit")
    assert second.json() == first.json() and [row["id"] for row in second.json()["results"]] == [mine.pk]
    assert uses.count() == before + 1  # the token's use is recorded on a cached answer too

    # Another province's token at the same address: its own answer.
    other = call(client, "get", url, gd)
    assert other.wsgi_request.page_cache == "miss" and mine.pk not in [row["id"] for row in other.json()["results"]]

    # A change shows at once.
    Application.objects.filter(pk=mine.pk).update(city="接口新市")
    again = call(client, "get", url, js)
    assert again.wsgi_request.page_cache == "miss" and again.json()["results"][0]["city"] == "接口新市"


def _cached_application_page(client, applicant, provincial, actors, make_expert):
    """(address, the response served from the cache) of an application page the province has seen twice."""
    application = application_in(S.PROVINCIAL_REVIEW, applicant, actors, make_expert)
    url = reverse("applications:detail", args=[application.pk])
    client.force_login(provincial)
    _get(client, url)
    response, _html = _get(client, url)
    assert _state(response) == "hit"
    return url, response


@pytest.mark.django_db
def test_forget_cached_pages_renders_every_page_again(client, applicant, provincial, actors, make_expert):
    url, _response = _cached_application_page(client, applicant, provincial, actors, make_expert)
    call_command("forget_cached_pages", stdout=io.StringIO())  # after a restore or an edit made with psql
    assert _state(_get(client, url)[0]) == "miss"


@pytest.mark.django_db
def test_signing_out_puts_the_users_cached_pages_out_of_reach(client, applicant, provincial, actors, make_expert):
    url, response = _cached_application_page(client, applicant, provincial, actors, make_expert)
    epoch = response.wsgi_request.user.cache_epoch
    assert epoch and f".{epoch}:" in pages.key_for(response.wsgi_request)
    assert client.post(reverse("logout")).status_code == 302
    # The user's entry is gone, and the next one has another epoch: the pages kept under the old one are
    # never found again (and expire within PAGE_CACHE_SECONDS).
    assert cache.get(signed_in._key(provincial.pk)) is None
    assert PortalModelBackend().get_user(provincial.pk).cache_epoch != epoch
    client.force_login(provincial)
    assert _state(_get(client, url)[0]) == "miss"


@pytest.mark.parametrize(("redis_url", "seconds"), [("", "0"), ("redis://127.0.0.1:6379/15", "60")])
def test_pages_are_cached_by_default_only_with_a_shared_cache(redis_url, seconds):
    env = {**os.environ, "REDIS_URL": redis_url, "DJANGO_SETTINGS_MODULE": "portal.settings", "DEBUG": "1"}
    env.pop("PAGE_CACHE_SECONDS", None)
    shown = subprocess.run([sys.executable, "-c", "from django.conf import settings; print(settings.PAGE_CACHE_SECONDS)"],
                           env=env, cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True,
                           check=True)
    assert shown.stdout.strip() == seconds
