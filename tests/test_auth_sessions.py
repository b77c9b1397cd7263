"""Sessions (GB/T 22239-2019 身份鉴别 a) and 剩余信息保护): an idle time-out and an absolute lifetime,
one live session per account, logout that clears the session server-side, and nothing typed lost
when a session ends under a user's hands. Time is moved (session timestamps set back), never slept."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from audit.models import AuditRecord
from security import services
from security.models import EndReason, KeptForm, SecurityPolicy, UserSession
from security.session_keys import LAST_ACTIVITY, STARTED
from tests.factories import application_for

from .auth_support import csrf, sign_in

pytestmark = pytest.mark.django_db

ORIGIN = {"HTTP_ORIGIN": "http://testserver"}


def move_clock(client, *, idle=0.0, since_login=0.0):
    """As if `idle` seconds had passed since the last request and `since_login` since signing in."""
    session = client.session
    now = time.time()
    if since_login:
        session[STARTED] = now - since_login
    if idle:
        session[LAST_ACTIVITY] = now - idle
    session.save()


def records(action):
    return list(AuditRecord.objects.filter(action=action))


def test_an_idle_session_ends_after_the_time_out_and_the_user_is_told_why(applicant):
    client = Client(REMOTE_ADDR="10.9.8.7")
    sign_in(client, applicant)
    key = client.session.session_key
    move_clock(client, idle=29 * 60)
    assert client.get("/applicant/").status_code == 200  # 29 minutes: still signed in, and the clock restarts
    move_clock(client, idle=29 * 60)
    assert client.get("/applicant/").status_code == 200
    move_clock(client, idle=31 * 60)
    response = client.get("/applicant/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/applicant/"
    login_page = client.get(response["Location"])
    assert "30 分钟未操作" in login_page.content.decode()
    assert not Session.objects.filter(session_key=key).exists()  # ended server-side
    row = UserSession.objects.get(user=applicant)
    assert row.end_reason == EndReason.IDLE and row.ended_at
    [timeout] = records("auth.session_timeout")
    assert timeout.actor == applicant and timeout.details["kind"] == "idle" and timeout.client_address == "10.9.8.7"


def test_the_idle_time_out_follows_the_security_policy(applicant):
    SecurityPolicy.objects.create(session_idle_minutes=10)
    client = Client()
    sign_in(client, applicant)
    move_clock(client, idle=11 * 60)
    assert client.get("/applicant/").status_code == 302


def test_a_session_ends_at_its_absolute_lifetime_however_active(applicant):
    client = Client()
    sign_in(client, applicant)
    move_clock(client, since_login=11.9 * 3600)
    assert client.get("/applicant/").status_code == 200
    move_clock(client, since_login=12.1 * 3600)
    response = client.get("/applicant/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "12 小时" in client.get(response["Location"]).content.decode()
    [timeout] = records("auth.session_timeout")
    assert timeout.details["kind"] == "absolute"


def test_polling_does_not_keep_a_session_alive(applicant):
    client = Client()
    sign_in(client, applicant)
    move_clock(client, idle=20 * 60)
    clock = client.get("/accounts/session/").json()
    assert 9 * 60 <= clock["idle_seconds_left"] <= 10 * 60 and clock["warning_seconds"] == 300
    client.get("/applicant/", HTTP_HX_REQUEST="true")  # an htmx refresh is not the user acting
    assert client.get("/accounts/session/").json()["idle_seconds_left"] <= 10 * 60
    # Typing counts: the page's script posts to the clock, which restarts it.
    client.post("/accounts/session/", HTTP_X_CSRFTOKEN=csrf(client))
    assert client.get("/accounts/session/").json()["idle_seconds_left"] > 29 * 60


def test_a_second_login_ends_the_first_session_and_its_user_is_told_why(national):
    first, second = Client(REMOTE_ADDR="10.0.0.1"), Client(REMOTE_ADDR="10.0.0.2")
    sign_in(first, national)
    assert first.get("/national/").status_code == 200
    first_key = first.session.session_key
    sign_in(second, national)
    assert not Session.objects.filter(session_key=first_key).exists()
    response = first.get("/national/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    told = first.get(response["Location"]).content.decode()
    assert "您的账户已在别处登录" in told and "10.0.0.2" in told
    assert second.get("/national/").status_code == 200
    [superseded] = records("auth.session_superseded")
    assert superseded.actor == national and superseded.details["ended_by_login_from"] == "10.0.0.2"
    assert UserSession.objects.filter(user=national, ended_at__isnull=True).count() == 1


def test_logout_clears_the_session_server_side(applicant):
    client = Client()
    sign_in(client, applicant)
    key = client.session.session_key
    cookie = client.cookies["sessionid"].value
    response = client.post("/accounts/logout/", {"csrfmiddlewaretoken": csrf(client)})
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert UserSession.objects.get(user=applicant).end_reason == EndReason.LOGOUT
    assert [r.action for r in AuditRecord.objects.filter(actor=applicant)] == ["auth.login", "auth.logout"]
    replay = Client()
    replay.cookies["sessionid"] = cookie  # the old cookie no longer opens anything
    assert replay.get("/applicant/")["Location"].startswith("/accounts/login/")


def test_what_was_typed_when_the_session_timed_out_is_kept_and_offered_after_signing_in(applicant):
    application = application_for(applicant)
    url = f"/applications/{application.pk}/edit/plan/"
    client = Client()
    sign_in(client, applicant)
    assert client.get(url).status_code == 200
    plan = "一、发展现状：集成电路产业集聚，专利密集。\n二、存在问题：高价值专利偏少。" * 40  # an hour of typing
    move_clock(client, idle=45 * 60)
    response = client.post(url, {"plan_situation": plan, "plan_goals": "建成国家级实验区",
                                 "csrfmiddlewaretoken": csrf(client)}, **ORIGIN)
    assert response.status_code == 302 and response["Location"] == f"/accounts/login/?next={url}"
    assert "您刚才提交的内容已为您保存" in client.get(response["Location"]).content.decode()
    kept = KeptForm.objects.get(user=applicant)
    assert ["plan_situation", plan] in kept.data
    application.refresh_from_db()
    assert application.plan_situation != plan  # nothing saved behind the user's back

    signed_in = sign_in(client, applicant)
    assert signed_in["Location"] == f"/accounts/kept/{kept.pk}/"
    page = client.get(signed_in["Location"])
    assert page.status_code == 200 and "高价值专利偏少" in page.content.decode()
    # Resubmitting posts the kept values to the page they were meant for, with a fresh token.
    saved = client.post(url, {"_kept_form": kept.pk, "plan_situation": plan, "plan_goals": "建成国家级实验区",
                              "csrfmiddlewaretoken": csrf(client)}, **ORIGIN)
    assert saved.status_code == 302 and saved["Location"] == url
    application.refresh_from_db()
    assert application.plan_situation.replace("\r\n", "\n") == plan and application.plan_goals == "建成国家级实验区"
    assert not KeptForm.objects.exists()
    assert len(records("auth.form_kept")) == 1


def test_a_form_posted_after_a_newer_login_is_kept_for_its_account(applicant):
    application = application_for(applicant)
    url = f"/applications/{application.pk}/edit/plan/"
    old, new = Client(), Client()
    sign_in(old, applicant)
    token = csrf(old)
    sign_in(new, applicant)
    response = old.post(url, {"plan_goals": "旧窗口里写的目标", "csrfmiddlewaretoken": token}, **ORIGIN)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert KeptForm.objects.get(user=applicant).data == [["plan_goals", "旧窗口里写的目标"]]


def test_a_cross_site_post_is_never_kept(applicant):
    client = Client()
    sign_in(client, applicant)
    move_clock(client, idle=45 * 60)
    response = client.post("/applicant/", {"anything": "x"}, HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 302
    assert not KeptForm.objects.exists()


def test_a_discarded_kept_form_is_gone(applicant):
    client = Client()
    sign_in(client, applicant)
    kept = KeptForm.objects.create(user=applicant, path="/applicant/", data=[["x", "草稿"]])
    assert client.post(f"/accounts/kept/{kept.pk}/", {"csrfmiddlewaretoken": csrf(client)}).status_code == 302
    assert not KeptForm.objects.exists()


def test_someone_elses_kept_form_is_not_found(applicant, other_applicant):
    kept = KeptForm.objects.create(user=other_applicant, path="/applicant/", data=[["x", "别人的草稿"]])
    client = Client()
    sign_in(client, applicant)
    assert client.get(f"/accounts/kept/{kept.pk}/").status_code == 404


def test_the_periodic_task_ends_idle_sessions_server_side(applicant):
    client = Client()
    sign_in(client, applicant)
    key = client.session.session_key
    UserSession.objects.update(last_activity=UserSession.objects.get().last_activity - services.policy.current().idle
                               - services.policy.current().idle)
    assert services.end_expired_sessions() == 1
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/applicant/")["Location"].startswith("/accounts/login/")
    assert len(records("auth.session_timeout")) == 1


def test_signed_in_pages_are_never_stored_by_a_browser(applicant):
    """The verified flaw: authenticated HTML pages carried no Cache-Control."""
    client = Client()
    sign_in(client, applicant)
    for url in ("/applicant/", "/notifications/", "/accounts/password_change/"):
        cache_control = client.get(url)["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control, url
