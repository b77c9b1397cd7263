"""The API meets the pages' rules: a transition through the API and one through the page write the
same log entry and meet the same refusals; expert blindness is the pages'; tokens are hashed, expire,
can be revoked, may be read-only, act as their user and are audited; errors are problem details."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from rest_framework.settings import api_settings

from accounts.enums import Role
from api.models import ApiToken
from api.services import create_token, digest
from applications.enums import ApplicationState as S
from audit.models import AuditRecord
from review.experts import services as experts
from review.forms import REFUSED_KEY
from review.models import ExpertAssignment, ProvincialReview, TransitionLog
from tests.api_support import call, token_for
from tests.experts_support import expert_review_application, make_panel, submit_score
from tests.pipeline_support import FINDINGS, OPINION, application_in
from typography.punctuation import fullwidth

LOG_FIELDS = ("transition", "from_state", "to_state", "actor_id", "actor_role", "actor_organisation_id", "opinion",
              "version")


@pytest.fixture
def two_in_review(applicant, other_applicant, provincial, national, make_expert):
    def actors(app_user):
        return {Role.APPLICANT: app_user, Role.PROVINCIAL: provincial, Role.NATIONAL: national}

    return (application_in(S.PROVINCIAL_REVIEW, applicant, actors(applicant), make_expert),
            application_in(S.PROVINCIAL_REVIEW, other_applicant, actors(other_applicant), make_expert))


def _page_post(client, application, name, follow=False, **values):
    data = {"transition": name, f"{name}-expected_state": values.pop("expected_state", application.state),
            "confirmed": "1"}  # as posted from the confirmation page where the step asks for one
    data.update({f"{name}-{k}": v for k, v in values.items()})
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("review:transition", args=[application.pk]), data, follow=follow)


def _page_refusal(client, application, name, **values):
    """The page refuses by redirecting back (redirect-after-post); its panel shows the messages kept
    in the session, {field: [messages]} ("__all__" for the form's own)."""
    response = _page_post(client, application, name, **values)
    assert response.status_code == 302
    kept = client.session[REFUSED_KEY]
    assert kept["transition"] == name
    page = client.get(response.url)
    for messages in kept["errors"].values():
        for message in messages:
            assert escape(fullwidth(message)) in page.content.decode()
    return kept["errors"]


def _api_post(client, token, application, name, **values):
    payload = {"expected_state": values.pop("expected_state", application.state), **values}
    with TestCase.captureOnCommitCallbacks(execute=True):
        return call(client, "post", f"/api/v1/applications/{application.pk}/transitions/{name}/", token, payload)


@pytest.mark.django_db
def test_a_transition_through_the_api_and_the_page_write_the_same_log_entry(client, two_in_review, provincial):
    by_page, by_api = two_in_review
    client.force_login(provincial)
    assert _page_post(client, by_page, "recommend", opinion=OPINION, rank=1, **FINDINGS).status_code == 302
    client.logout()
    response = _api_post(client, token_for(provincial), by_api, "recommend", opinion=OPINION, rank=1, **FINDINGS)
    assert response.status_code == 200, response.content
    assert response.json()["log_entry"]["to_state"] == S.RECOMMENDED
    page_entry, api_entry = (TransitionLog.objects.filter(application=a).latest("pk") for a in two_in_review)
    assert [getattr(page_entry, f) for f in LOG_FIELDS] == [getattr(api_entry, f) for f in LOG_FIELDS]
    reviews = [ProvincialReview.objects.get(application=a) for a in two_in_review]
    assert [(r.decision, r.opinion, r.reviewer_id) for r in reviews][0] == [
        (r.decision, r.opinion, r.reviewer_id) for r in reviews][1]
    by_page.refresh_from_db()
    by_api.refresh_from_db()
    assert {by_page.provincial_rank, by_api.provincial_rank} == {1, 2}  # the second recommended went first


@pytest.mark.django_db
def test_refusals_are_the_pages_at_the_same_inputs(client, two_in_review, provincial):
    application = two_in_review[0]
    token = token_for(provincial)
    # A missing opinion: the form's message at "opinion".
    client.force_login(provincial)
    page = _page_refusal(client, application, "recommend", opinion="", **FINDINGS)
    client.logout()
    api = _api_post(client, token, application, "recommend", opinion="", **FINDINGS)
    assert api.status_code == 400
    assert api["Content-Type"] == "application/problem+json"
    assert api.json()["errors"]["opinion"] == page["opinion"]
    # A finding left out: the message at that finding, on both.
    client.force_login(provincial)
    page = _page_refusal(client, application, "recommend", opinion=OPINION, **{**FINDINGS, "plan_finding": ""})
    client.logout()
    api = _api_post(client, token, application, "recommend", opinion=OPINION, **{**FINDINGS, "plan_finding": ""})
    assert api.status_code == 400
    assert api.json()["errors"]["plan_finding"] == page["plan_finding"]
    # A guard: the national deadline has passed.
    application.call.national_deadline = timezone.now() - timedelta(days=1)
    application.call.save()
    client.force_login(provincial)
    page = _page_refusal(client, application, "recommend", opinion=OPINION, **FINDINGS)
    client.logout()
    api = _api_post(client, token, application, "recommend", opinion=OPINION, **FINDINGS)
    assert api.status_code == 400
    page_errors = page[NON_FIELD_ERRORS]
    assert api.json()["detail"] in page_errors[0]
    # A stale state: 409 with the same message.
    client.force_login(provincial)
    page = _page_post(client, application, "decline", opinion=OPINION, expected_state=S.SUBMITTED, **FINDINGS)
    client.logout()
    api = _api_post(client, token, application, "decline", opinion=OPINION, expected_state=S.SUBMITTED, **FINDINGS)
    assert page.status_code == api.status_code == 409
    assert api.json()["type"].endswith("stale-state")
    assert any(api.json()["detail"] == str(m) for m in page.context["messages"])
    assert TransitionLog.objects.filter(application=application, transition="decline").count() == 0


@pytest.mark.django_db
def test_expert_blindness_through_the_api(client, django_user_model, national, make_expert):
    application = expert_review_application(django_user_model, national, "320000")
    call_ = application.call
    me, other = make_panel(make_expert, call_, [("110000", "甲大学"), ("440000", "乙研究院")])
    mine = experts.assign(application, me, by=national)
    theirs = experts.assign(application, other, by=national)
    submit_score(theirs, [20, 20, 20, 20], comment="乙专家的独家意见")
    other.display_name = "乙专家"
    other.save()
    token = token_for(me)
    own = call(client, "get", "/api/v1/expert/assignments/", token).json()
    assert [a["id"] for a in own] == [mine.pk]
    for path in (f"expert/assignments/{theirs.pk}/", f"expert/assignments/{theirs.pk}/score/",
                 f"expert/assignments/{theirs.pk}/plan/"):
        assert call(client, "get", "/api/v1/" + path, token).status_code == 404
    assert call(client, "put", f"/api/v1/expert/assignments/{theirs.pk}/score/", token,
                {"values": {}, "final": False}).status_code == 404
    for path in (f"applications/{application.pk}/scores/", f"calls/{call_.pk}/ranking/", f"calls/{call_.pk}/assignments/",
                 f"calls/{call_.pk}/panel/"):
        assert call(client, "get", "/api/v1/" + path, token).status_code == 403
    assert call(client, "get", f"/api/v1/calls/{call_.pk}/score-summary/", token).status_code == 404
    seen = b"".join(call(client, "get", "/api/v1/" + p, token).content for p in (
        "expert/assignments/", f"expert/assignments/{mine.pk}/", f"expert/assignments/{mine.pk}/score/",
        f"applications/{application.pk}/", f"applications/{application.pk}/transitions/"))
    assert "乙专家".encode() not in seen and "乙专家的独家意见".encode() not in seen
    assert "乙研究院".encode() not in seen
    # National staff see both, with names.
    lines = call(client, "get", f"/api/v1/applications/{application.pk}/scores/", token_for(national)).json()["lines"]
    assert [line["expert"]["name"] for line in lines] == ["乙专家"]
    # Opening the plan through the API counts as opening it on the page: no conflict declaration after.
    assert call(client, "get", f"/api/v1/expert/assignments/{mine.pk}/plan/", token).status_code == 200
    refused = call(client, "post", f"/api/v1/expert/assignments/{mine.pk}/conflict/", token, {"reason": "同乡"})
    assert refused.status_code == 400 and "已查看过建设方案" in refused.json()["detail"]
    assert ExpertAssignment.objects.get(pk=mine.pk).status == "assigned"


# ---- tokens -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_token_is_created_on_the_page_shown_once_and_stored_hashed(client, provincial):
    client.force_login(provincial)
    response = client.post(reverse("api:tokens"), {"name": "省统计系统", "expires_in_days": "90", "read_only": "on"})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("pt_") and "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=provincial)
    assert token.secret_hash == digest(secret) and secret not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    assert token.read_only and timedelta(days=89) < token.expires_at - timezone.now() <= timedelta(days=90)
    assert secret not in client.get(reverse("api:tokens")).content.decode()  # never shown again
    assert AuditRecord.objects.filter(action="api.token_create", actor=provincial, object_id=str(token.pk)).exists()
    client.logout()
    assert call(client, "get", "/api/v1/applications/", secret).status_code == 200
    assert AuditRecord.objects.filter(action="api.token_use", actor=provincial, result="success").exists()
    # Bad input stays on the form with its message.
    client.force_login(provincial)
    bad = client.post(reverse("api:tokens"), {"name": "", "expires_in_days": "7"})
    assert bad.status_code == 400 and {"name", "expires_in_days"} <= set(bad.context["form"].errors)


@pytest.mark.django_db
def test_expired_revoked_wrong_and_read_only_tokens(client, provincial, national):
    token, secret = create_token(provincial, "同步", 30, read_only=False)
    assert call(client, "get", "/api/v1/applications/", secret).status_code == 200
    wrong = secret[:-2] + ("AA" if not secret.endswith("AA") else "BB")
    response = call(client, "get", "/api/v1/applications/", wrong)
    assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert call(client, "get", "/api/v1/applications/", secret).json()["detail"] == "令牌已过期。"
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + timedelta(days=1))
    client.force_login(national)  # someone else cannot revoke it
    assert client.post(reverse("api:revoke_token", args=[token.pk])).status_code == 404
    client.force_login(provincial)
    assert client.post(reverse("api:revoke_token", args=[token.pk])).status_code == 302
    client.logout()
    assert call(client, "get", "/api/v1/applications/", secret).json()["detail"] == "令牌已撤销。"
    assert AuditRecord.objects.filter(action="api.token_revoke", object_id=str(token.pk)).count() == 1
    assert AuditRecord.objects.filter(action="api.token_use", result="refused").count() >= 3
    # Read-only: reads pass, every change is refused before anything happens.
    read_only = create_token(provincial, "只读", 30, read_only=True)[1]
    assert call(client, "get", "/api/v1/applications/", read_only).status_code == 200
    refused = call(client, "post", "/api/v1/notifications/read-all/", read_only)
    assert refused.status_code == 403 and "只读" in refused.json()["detail"]


@pytest.mark.django_db
def test_a_token_acts_as_its_user_with_exactly_that_scope(client, two_in_review, provincial, foreign_provincial):
    foreign = token_for(foreign_provincial)
    assert call(client, "get", "/api/v1/applications/", foreign).json()["results"] == []
    assert call(client, "get", f"/api/v1/applications/{two_in_review[0].pk}/", foreign).status_code == 404
    own = token_for(provincial)
    mine = call(client, "get", "/api/v1/applications/", own).json()["results"]
    assert {a["id"] for a in mine} == {a.pk for a in two_in_review}
    provincial.is_active = False  # a deactivated user's tokens stop with them
    provincial.save()
    assert call(client, "get", "/api/v1/applications/", own).status_code == 401


@pytest.mark.django_db
def test_throttled_per_token_with_a_problem_and_retry_after(client, provincial):
    secret = token_for(provincial)
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "token": "2/min"}
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}):
        codes = [call(client, "get", "/api/v1/calls/", secret).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        response = call(client, "get", "/api/v1/calls/", secret)
        assert response["Content-Type"] == "application/problem+json" and int(response["Retry-After"]) > 0

