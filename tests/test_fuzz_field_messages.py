"""Every form page speaks Chinese by default, and a refused value is reported at its input (marked
invalid, the message beside it), in Chinese."""

import re

import pytest
from django.urls import reverse

from accounts.enums import Role
from applications.enums import ApplicationState as S
from review.experts import services as experts
from review.transitions import perform
from tests.conftest import PASSWORD
from tests.experts_support import expert_review_application, make_panel, submit_score
from tests.factories import application_for, submitted_application
from tests.pipeline_support import FINDINGS, application_in

pytestmark = pytest.mark.django_db

CJK = re.compile("[\u4e00-\u9fff]")


def field_message(page: str, name: str) -> str:
    """The input named `name` is marked invalid and followed by its message; returns the message."""
    match = re.search(rf'<(input|textarea|select)[^>]*name="{re.escape(name)}"[^>]*>', page)
    assert match, f"no input named {name}"
    tag = match.group(0)
    assert "is-invalid" in tag or 'aria-invalid="true"' in tag, f"{name} not marked invalid: {tag}"
    end = page.index("</textarea>", match.end()) if match.group(1) == "textarea" else match.end()
    after = page[end:end + 4000]
    feedback = re.search(r'class="[^"]*(invalid-feedback|text-danger)[^"]*"[^>]*>(.*?)</(div|p|span|ul)>', after, re.S)
    assert feedback, f"no message after {name}"
    message = re.sub(r"<[^>]+>", "", feedback.group(2)).strip()
    assert CJK.search(message), f"message at {name} not in Chinese: {message!r}"
    return message


def chinese_page(response):
    page = response.content.decode()
    assert response.status_code in (200, 400), response.status_code
    assert re.search(r'<html lang="zh', page), "page not in Chinese"
    return page


def test_applicant_forms(client, applicant):
    application = application_for(applicant)
    client.force_login(applicant)
    for key in ("zone", "applicant", "industry", "figures", "service", "policies", "plan", "plan_years", "commitment",
                "funding", "evidence"):
        chinese_page(client.get(reverse("applications:section", args=[application.pk, key])))
    chinese_page(client.get(reverse("applications:new")))
    url = reverse("applications:section", args=[application.pk, "figures"])
    page = chinese_page(client.post(url, {"_section": "figures", "gross_output": "sNaN", "figures_year": "1800"}))
    assert "数字" in field_message(page, "gross_output")
    assert "1949" in field_message(page, "figures_year")
    url = reverse("applications:section", args=[application.pk, "applicant"])
    page = chinese_page(client.post(url, {"_section": "applicant", "contact_email": "<script>"}))
    assert "有效的 Email" in field_message(page, "contact_email")
    url = reverse("applications:section", args=[application.pk, "policies"])
    page = chinese_page(client.post(url, {"_section": "policies", "policies-TOTAL_FORMS": "1",
                                          "policies-INITIAL_FORMS": "0", "policies-0-status": "issued",
                                          "policies-0-title": "x" * 201, "policies-0-issued_on": "2025-02-30"}))
    assert "200" in field_message(page, "policies-0-title")
    assert "日期" in field_message(page, "policies-0-issued_on")
    url = reverse("applications:section", args=[application.pk, "evidence"])
    page = chinese_page(client.post(url, {"kind": "nonsense", "title": "x"}))
    assert field_message(page, "kind") and field_message(page, "file")


def test_pipeline_forms(client, actors, make_expert):
    application = application_in(S.PROVINCIAL_REVIEW, actors[Role.APPLICANT], actors, make_expert)
    client.force_login(actors[Role.PROVINCIAL])
    chinese_page(client.get(reverse("applications:detail", args=[application.pk])))
    page = chinese_page(client.post(reverse("review:transition", args=[application.pk]), {
        "transition": "recommend", "recommend-expected_state": application.state, "recommend-opinion": "  ",
        "recommend-rank": "0"}, follow=True))
    assert "审核意见" in field_message(page, "recommend-opinion")
    assert field_message(page, "recommend-rank")


def test_formal_review_and_ranking(client, actors, other_applicant, make_expert, provincial):
    application = application_in(S.NATIONAL_REVIEW, actors[Role.APPLICANT], actors, make_expert)
    client.force_login(actors[Role.NATIONAL])
    url = reverse("review:formal_review", args=[application.pk])
    chinese_page(client.get(url))
    page = chinese_page(client.post(url, {"notes": "x" * 10_001}))
    assert "10000" in field_message(page, "notes")
    other = submitted_application(other_applicant)

    perform(other, provincial, "start_provincial_review", expected_state=other.state)
    perform(other, provincial, "recommend", "同意。", expected_state=other.state, extra=FINDINGS)
    client.force_login(provincial)
    chinese_page(client.get(reverse("review:provincial_workspace")))
    name = f"call{other.call_id}-rank_{other.pk}"
    page = chinese_page(client.post(reverse("review:provincial_ranking", args=[other.call_id]), {name: "abc"}))
    assert "整数" in field_message(page, name)


def test_expert_forms(client, django_user_model, national, make_expert):
    application = expert_review_application(django_user_model, national, "320000")
    panel = make_panel(make_expert, application.call, [("110000", "北京大学"), ("310000", "复旦大学"),
                                                       ("420000", "武汉大学")])
    assignments = [experts.assign(application, e, by=national) for e in panel]
    criteria = experts.ensure_rubric(application.call)
    client.force_login(panel[0])
    experts.open_plan(assignments[0], panel[0])
    url = reverse("experts:score", args=[assignments[0].pk])
    chinese_page(client.get(url))
    page = chinese_page(client.post(url, {f"criterion_{criteria[0].pk}": "abc", "comment": "", "submit": "1"}))
    assert "数字" in field_message(page, f"criterion_{criteria[0].pk}")
    assert "评审意见" in field_message(page, "comment")
    url = reverse("experts:assignment", args=[assignments[1].pk])
    client.force_login(panel[1])
    chinese_page(client.get(url))
    assert field_message(chinese_page(client.post(url, {"reason": "   "})), "reason")
    client.force_login(national)
    call = application.call
    url = reverse("experts:assignments", args=[call.pk])
    chinese_page(client.get(url))
    page = chinese_page(client.post(url, {"action": "auto", "per_application": "0", "deadline": "明天"}))
    assert field_message(page, "per_application") and field_message(page, "deadline")
    url = reverse("experts:rubric", args=[call.pk])
    chinese_page(client.get(url))
    rows = {"form-TOTAL_FORMS": str(len(criteria)), "form-INITIAL_FORMS": str(len(criteria))}
    for i, c in enumerate(criteria):
        rows.update({f"form-{i}-id": str(c.pk), f"form-{i}-position": str(c.position), f"form-{i}-name": c.name,
                     f"form-{i}-weight": "0" if i == 0 else str(c.weight), f"form-{i}-max_score": "sNaN"})
    page = chinese_page(client.post(url, rows))
    assert "权重" in field_message(page, "form-0-weight")
    assert field_message(page, "form-1-max_score")
    chinese_page(client.get(reverse("experts:panel", args=[call.pk])))
    score = submit_score(assignments[2], [20, 20, 20, 20])
    url = reverse("experts:application_scores", args=[application.pk])
    page = chinese_page(client.post(url, {"score": str(score.pk), "reason": ""}))
    assert "理由" in page and ("is-invalid" in page or 'aria-invalid="true"' in page)


def test_account_forms(client, applicant):
    chinese_page(client.get(reverse("login")))
    page = chinese_page(client.post(reverse("login"), {"username": "x" * 151, "password": "y"}))
    assert "150" in page and ("is-invalid" in page or "invalid-feedback" in page or "errorlist" in page)
    chinese_page(client.get(reverse("password_reset")))
    page = chinese_page(client.post(reverse("password_reset"), {"email": "<script>"}))
    assert "有效的 Email" in page
    client.force_login(applicant)
    chinese_page(client.get(reverse("password_change")))
    page = chinese_page(client.post(reverse("password_change"), {"old_password": PASSWORD + "x",
                                                                 "new_password1": "a", "new_password2": "b"}))
    assert "旧密码" in page or "密码" in page
