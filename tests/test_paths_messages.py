"""Issue 16, messages say what is wrong: a refused figure, the section list, a delayed document, and
staff-entered texts for English readers."""

import re
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from accounts.models import Organisation
from applications.models import Application
from documents import services as documents
from documents.enums import DocumentKind
from documents.models import Document
from notifications.models import Notification
from review.experts import services as experts
from review.models import ExpertAssignment
from review.transitions import perform
from tests.experts_support import expert_review_application, make_panel, submit_score
from tests.factories import application_for, complete_application, open_call, submitted_application

pytestmark = pytest.mark.django_db

FIGURES = {"_section": "figures", "figures_year": str(timezone.localdate().year - 1), "gross_output": "31.50",
           "resident_enterprises": "45", "patents_per_10k": "12.30", "industry_patents": "800",
           "rd_spending": "2.10", "patented_sales": "20.00"}


def field_error(page, field):
    match = re.search(rf'id="error_1_id_{field}"><strong>([^<]*)<', page)
    assert match, f"no error at {field}"
    return match.group(1)


def panel_row(page, code):
    """The status badge and the message of one condition on the eligibility panel."""
    match = re.search(rf'<tr data-code="{code}" data-status="([^"]*)">(.*?)</tr>', page, re.S)
    assert match, f"no panel row {code}"
    message = re.findall(r'<div class="small text-muted">([^<]*)</div>', match.group(2))[-1].strip()
    return match.group(1), message


@pytest.mark.parametrize(("field", "typed", "code", "says"), [
    ("gross_output", "29.999", "gross_output", "最多保留 2 位小数"),
    ("gross_output", "30亿", "gross_output", "请只填写数字"),
    ("resident_enterprises", "39.5", "resident_enterprises", "请填写整数"),
    ("patents_per_10k", "\u22123", "patents_per_10k", "不能为负数"),  # a typographic minus, as IMEs type it
    ("patents_per_10k", "-3", "patents_per_10k", "不能为负数"),
])
def test_a_refused_figure_says_the_same_thing_at_the_field_and_on_the_panel(client, applicant, field, typed, code,
                                                                            says):
    application = application_for(applicant)
    client.force_login(applicant)
    data = {**FIGURES, field: typed}
    live = client.post(reverse("applications:eligibility", args=[application.pk]), data).content.decode()
    saved = client.post(reverse("applications:section", args=[application.pk, "figures"]), data).content.decode()
    message = field_error(saved, field)
    assert says in message
    for page in (live, saved):
        status, text = panel_row(page, code)
        assert (status, text) == ("invalid", message)
        assert "未填写" not in text
    assert "填写有误" in live


def nav_items(page):
    """(section title, badge, failing conditions) of the section list."""
    nav = page[page.index('class="application-nav"'):page.index("</nav>", page.index('class="application-nav"'))]
    items = []
    for li in re.findall(r"<li[^>]*>(.*?)</li>", nav, re.S):
        title = re.search(r"\d+\. ([^<]+)</a>", li).group(1).strip()
        badge = re.search(r'<span class="badge[^"]*">([^<]+)</span>', li).group(1)
        failing = re.search(r'class="small section-failing">([^<]*)</div>', li)
        items.append((title, badge, failing.group(1) if failing else ""))
    return items


def test_section_list_tells_incomplete_failing_and_complete_apart(client, applicant):
    application = complete_application(applicant)
    Application.objects.filter(pk=application.pk).update(gross_output=D("29.99"), plan_goals="")
    client.force_login(applicant)
    page = client.get(reverse("applications:section", args=[application.pk, "zone"])).content.decode()
    items = {title: (badge, failing) for title, badge, failing in nav_items(page)}
    assert items["上一年度产业指标"] == ("不符合条件", "不符合\uff1a上一年度工业总产值")
    assert items["建设方案"] == ("未完成", "")
    assert items["实验区基本情况"] == ("已完成", "")
    detail = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert "不符合\uff1a上一年度工业总产值" in detail


def test_a_document_nobody_renders_says_so_and_the_administrators_are_told_once(client, applicant, administrator):
    application = complete_application(applicant)
    # Queued on commit; the test's transaction never commits, as when no worker takes the task.
    document = documents.request_document(DocumentKind.DRAFT_COMMITMENT, application=application)
    client.force_login(applicant)
    status_url = reverse("documents:status", args=[document.pk])
    assert "生成延迟" not in client.get(status_url).content.decode()  # just asked: no alarm yet
    Document.objects.filter(pk=document.pk).update(updated_at=timezone.now() - timedelta(minutes=10))
    for url in (status_url, reverse("documents:list", args=[application.pk]), status_url):
        page = client.get(url).content.decode()
        assert "生成延迟" in page and "已通知系统管理员" in page and "您的请求已保留" in page
    told = Notification.objects.filter(recipient=administrator)
    assert told.count() == 1 and "文书生成延迟" in told.get().subject
    assert not Notification.objects.filter(recipient=applicant, subject__contains="延迟").exists()
    document.refresh_from_db()
    assert document.status == "queued"  # the request is kept
    # Asking again for the same content keeps the one request.
    assert documents.request_document(DocumentKind.DRAFT_COMMITMENT, application=application).pk == document.pk


def english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})


def test_staff_entered_texts_have_their_english_beside_the_chinese(client, django_user_model, national, make_expert):
    call = open_call(title_en="2026 Call for Experimental Zones")
    application = expert_review_application(django_user_model, national, "320000", call)
    Organisation.objects.filter(pk=application.applicant_id).update(name_en="Suzhou Municipal People's Government")
    panel = make_panel(make_expert, call, [("110000", "北京大学"), ("310000", "复旦大学")])
    experts.auto_assign(call, per_application=2)
    criteria = experts.ensure_rubric(call)
    first = criteria[0]
    first.description_en = ""
    first.save()
    for assignment in ExpertAssignment.objects.filter(application=application):
        submit_score(assignment, [22, 21, 20, 23], recommendation="approve")
    expert = panel[0]
    assignment = ExpertAssignment.objects.get(application=application, expert=expert)

    client.force_login(national)
    english(client)
    page = client.get(reverse("experts:application_scores", args=[application.pk])).content.decode()
    assert "Conditions in place" in page and "条件具备" not in page
    assert "2026 Call for Experimental Zones" in page and "Suzhou Municipal People&#x27;s Government" in page
    assert "Recommend approval 2; Approve after revision 0" in page  # not "2;Approve"
    client.force_login(expert)
    english(client)
    page = client.get(reverse("experts:score", args=[assignment.pk])).content.decode()
    assert "Sound approach" in page and "measurable" in page
    # No English given: the Chinese shows, never an empty label.
    assert first.description in page
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    client.force_login(national)
    page = client.get(reverse("experts:application_scores", args=[application.pk])).content.decode()
    assert "条件具备" in page and "Conditions in place" not in page and re.search(r"建议批复 2；", page)


def test_a_refused_action_redirects_and_a_refresh_does_not_send_it_again(client, applicant, provincial):
    application = submitted_application(applicant)
    perform(application, provincial, "start_provincial_review", expected_state=application.state)
    client.force_login(provincial)
    url = reverse("review:transition", args=[application.pk])
    response = client.post(url, {"transition": "recommend", "recommend-expected_state": "provincial_review",
                                 "recommend-opinion": "同意推荐。", "recommend-rank": "1"})
    page_url = reverse("applications:detail", args=[application.pk])
    assert response.status_code == 302 and response["Location"] == page_url
    page = client.get(page_url).content.decode()  # what the browser loads, and reloads
    assert "请填写建设方案的审核情况" in page and "同意推荐。" in page and "“推荐至国家局”未执行" in page
    assert re.search(r"<details[^>]*open>\s*<summary[^>]*>推荐至国家局", page)
    assert Role.PROVINCIAL == provincial.role
