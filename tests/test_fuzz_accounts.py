"""Bad input on login, password change and reset, the language switch, the inbox and document
requests. Never a 500; a refused value comes back with a message; nothing shows unescaped."""

from urllib.parse import quote

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from notifications.models import Notification
from tests.conftest import PASSWORD
from tests.factories import submitted_application
from tests.fuzz_support import (
    FUZZ,
    FUZZ_FEW,
    IMG,
    SCRIPT,
    assert_message,
    check_response,
    followed,
    hostile_text,
    number_text,
    rolled_back,
)

pytestmark = pytest.mark.django_db


@FUZZ
@given(username=hostile_text, password=hostile_text)
@example(username="x" * 10_000, password="y")
@example(username=SCRIPT, password=IMG)
def test_login_takes_any_value(client, applicant, username, password):
    with rolled_back():
        AccessAttempt.objects.all().delete()
        response = client.post(reverse("login"), {"username": username, "password": password})
        page = check_response(response, where="login")
        if response.status_code == 200:
            assert_message(page, "login")


@FUZZ
@given(old=st.one_of(st.just(PASSWORD), hostile_text), new1=hostile_text, new2=st.one_of(st.none(), hostile_text))
def test_password_change_takes_any_value(client, applicant, old, new1, new2):
    client.force_login(applicant)
    with rolled_back():
        response = client.post(reverse("password_change"), {
            "old_password": old, "new_password1": new1, "new_password2": new1 if new2 is None else new2})
        page = check_response(response, where="password change")
        if response.status_code == 200:
            assert_message(page, "password change")
    client.force_login(applicant)


@FUZZ_FEW
@given(email=st.one_of(st.just("applicant1@example.invalid"), hostile_text))
def test_password_reset_takes_any_value(client, applicant, email):
    with rolled_back():
        response = client.post(reverse("password_reset"), {"email": email})
        page = check_response(response, where="password reset")
        if response.status_code == 200:
            assert_message(page, "password reset")


@FUZZ_FEW
@given(uid=st.text(st.characters(codec="ascii", exclude_categories=("Cc",)), min_size=1, max_size=40),
       token=st.text(st.characters(codec="ascii", exclude_categories=("Cc",)), min_size=1, max_size=60),
       new1=hostile_text)
def test_password_reset_confirm_takes_any_value(client, uid, token, new1):
    url = f"/accounts/reset/{quote(uid, safe='')}/{quote(token, safe='')}/"
    response = client.post(url, {"new_password1": new1, "new_password2": new1})
    check_response(response, where="password reset confirm")


@FUZZ_FEW
@given(language=st.one_of(st.sampled_from(["en", "zh-hans", "xx"]), hostile_text),
       nxt=st.one_of(st.sampled_from(["/", "//evil.example/", "javascript:alert(1)", "/applicant/"]), hostile_text))
def test_language_switch_takes_any_value(client, applicant, language, nxt):
    client.force_login(applicant)
    response = client.post(reverse("set_language"), {"language": language, "next": nxt})
    check_response(response, where="set language")
    if response.status_code == 302:
        assert not response["Location"].startswith(("//evil", "javascript:"))


@FUZZ_FEW
@example(title="通知", body="", url="-1")  # regression: redirect() took "-1" for a view name → 500
@given(title=hostile_text, body=hostile_text, url=st.one_of(
    st.sampled_from(["javascript:alert(1)", "//evil.example/", "https://evil.example/", f"/{SCRIPT}"]), hostile_text))
def test_inbox_shows_any_notification_escaped(client, applicant, title, body, url):
    client.force_login(applicant)
    with rolled_back():
        note = Notification.objects.create(recipient=applicant, subject=title.replace("\x00", "")[:200],
                                           body=body.replace("\x00", ""), url=url.replace("\x00", "")[:300])
        check_response(client.get(reverse("notifications:inbox")), where="inbox")
        response = client.post(reverse("notifications:read", args=[note.pk]))
        check_response(response, where="mark read")
        if response.status_code == 302:
            assert not response["Location"].startswith(("//", "javascript:", "https://evil"))


@pytest.fixture
def submitted(applicant):
    return submitted_application(applicant)


@FUZZ_FEW
@given(kind=st.one_of(st.sampled_from(["application_form", "approval", "score_summary", "dossier"]),
                      hostile_text.filter(lambda t: t and "/" not in t)), pk=number_text)
def test_document_requests_take_any_value(client, submitted, applicant, national, kind, pk):
    application = submitted
    client.force_login(applicant)
    with rolled_back():
        url = f"/applications/{application.pk}/documents/{quote(kind, safe='')}/request/"
        response = client.post(url)
        check_response(response, where="document request")
        followed(client, response, "document request")
    if pk.isdigit() and len(pk) < 10:
        client.force_login(national)
        check_response(client.post(f"/calls/{pk}/documents/score-summary/request/"), where="score summary request")
        check_response(client.get(f"/documents/{pk}/status/"), where="document status")
