"""The sectioned form: drafts save at any point; bad values come back at the field, in the
active language, with every other typed value kept; never a 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from applications.demo import demo_pdf
from applications.enums import ApplicationState
from applications.models import Application
from tests.factories import application_for, complete_application, open_call
from typography import fullwidth

pytestmark = pytest.mark.django_db

# The figures are of the year before the call's (open_call: this year).
FIGURES = {"_section": "figures", "figures_year": str(timezone.localdate().year - 1), "gross_output": "31.50", "resident_enterprises": "45",
           "patents_per_10k": "12.30", "industry_patents": "800", "rd_spending": "2.10", "patented_sales": "20.00"}


def section_url(application, key):
    return reverse("applications:section", args=[application.pk, key])


def field_error(page, field):
    """The error block Bootstrap/crispy render under the field's input."""
    marker = f'id="error_1_id_{field}"'
    assert marker in page, f"no error rendered at {field}"
    start = page.index(marker)
    return page[start:page.index("</", start)]


def test_empty_draft_saves_and_sections_show_incomplete(client, applicant):
    application = application_for(applicant)
    client.force_login(applicant)
    response = client.post(section_url(application, "zone"), {"_section": "zone", "zone_name": "只填了名称"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.zone_name == "只填了名称"
    page = client.get(section_url(application, "zone")).content.decode()
    assert "未完成" in page and "只填了名称" in page


@pytest.mark.parametrize(("field", "value", "zh"), [
    ("gross_output", "三十", "请只填写数字"),
    ("gross_output", "-5", "不能为负数"),
    ("gross_output", "123456789012345", "数值过大"),
    ("resident_enterprises", "4o", "请填写整数"),
    ("resident_enterprises", "-1", "不能为负数"),
    ("resident_enterprises", "99999999999", "数值过大"),
    ("patents_per_10k", "10.123", "最多保留 2 位小数"),
])
def test_invalid_number_keeps_every_other_value_and_shows_chinese_error(client, applicant, field, value, zh):
    application = application_for(applicant)
    client.force_login(applicant)
    data = {**FIGURES, field: value}
    response = client.post(section_url(application, "figures"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert zh in field_error(page, field)
    for name, typed in data.items():
        if name != "_section":
            assert f'value="{typed}"' in page, name
    application.refresh_from_db()
    assert application.gross_output is None  # nothing half-saved


@pytest.mark.parametrize(("field", "value", "en"), [
    ("gross_output", "thirty", "Enter digits only"),
    ("resident_enterprises", "4o", "Enter a whole number"),
    ("gross_output", "123456789012345", "The number is too large"),
    ("patents_per_10k", "10.123", "At most 2 decimal places"),
])
def test_invalid_number_error_in_english_with_the_language_cookie(client, applicant, settings, field, value, en):
    application = application_for(applicant)
    client.force_login(applicant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(section_url(application, "figures"), {**FIGURES, field: value})
    page = response.content.decode()
    assert response.status_code == 200 and 'lang="en"' in page
    assert en in field_error(page, field)
    assert 'value="45"' in page or field == "resident_enterprises"


def test_english_through_set_language_and_chinese_otherwise(client, applicant):
    application = application_for(applicant)
    client.force_login(applicant)
    bad = {"_section": "applicant", "contact_email": "not-an-email", "contact_name": "王明"}
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.post(section_url(application, "applicant"), bad).content.decode()
    assert "Enter a valid email address." in field_error(page, "contact_email") and 'value="王明"' in page
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    # Chinese first: the browser's Accept-Language does not switch the portal to English.
    page = client.post(section_url(application, "applicant"), bad, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "有效的 Email 地址" in field_error(page, "contact_email") and 'value="王明"' in page


def test_over_long_text_is_refused_at_the_field(client, applicant):
    application = application_for(applicant)
    client.force_login(applicant)
    page = client.post(section_url(application, "zone"), {
        "_section": "zone", "zone_name": "名" * 201, "city": "苏州市", "zone_scope": "四至"}).content.decode()
    assert "不超过 200 字符" in field_error(page, "zone_name")
    assert 'value="苏州市"' in page and "四至</textarea>" in page


def test_future_year_is_refused(client, applicant):
    application = application_for(applicant)
    client.force_login(applicant)
    page = client.post(section_url(application, "figures"), {**FIGURES, "figures_year": "2999"}).content.decode()
    assert "年份不能晚于今年" in field_error(page, "figures_year")


@pytest.mark.parametrize("junk", ["NaN", "Infinity", "1e400", "\x00", "０.５", " ", "1,5", "💥"])
def test_odd_input_never_500s(client, applicant, junk):
    application = application_for(applicant)
    client.force_login(applicant)
    response = client.post(section_url(application, "figures"), {**FIGURES, "gross_output": junk})
    assert response.status_code in (200, 302)
    panel = client.post(reverse("applications:eligibility", args=[application.pk]),
                        {**FIGURES, "gross_output": junk})
    assert panel.status_code == 200


def test_live_panel_evaluates_unsaved_values(client, applicant):
    application = application_for(applicant)
    client.force_login(applicant)
    url = reverse("applications:eligibility", args=[application.pk])
    passing = client.post(url, {**FIGURES, "gross_output": "30.00"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-code="gross_output" data-status="pass"' in passing
    assert fullwidth("填报值: 30.00") in passing and "≥ 30" in passing
    failing = client.post(url, {**FIGURES, "gross_output": "29.99", "resident_enterprises": "39"}).content.decode()
    assert 'data-code="gross_output" data-status="fail"' in failing
    assert 'data-code="resident_enterprises" data-status="fail"' in failing
    application.refresh_from_db()
    assert application.gross_output is None  # the panel never saves
    zone = client.post(url, {"_section": "zone", "is_demo_park": "false"}).content.decode()
    assert 'data-code="demo_park" data-status="justify"' in zone and "需说明理由" in zone


def test_section_page_wires_the_panel_without_inline_script(client, applicant):
    application = application_for(applicant)
    client.force_login(applicant)
    page = client.get(section_url(application, "figures")).content.decode()
    assert f'hx-post="{reverse("applications:eligibility", args=[application.pk])}"' in page
    assert "<script>" not in page and "onchange" not in page


def test_plan_years_formset_has_five_years_and_keeps_values_on_error(client, applicant):
    application = application_for(applicant)
    client.force_login(applicant)
    url = section_url(application, "plan_years")
    formset = client.get(url).context["formset"]
    assert [f.initial.get("year") for f in formset] == [application.call.year + i for i in range(5)]
    data = {"planyear-TOTAL_FORMS": "5", "planyear-INITIAL_FORMS": "0", "_section": "plan_years"}
    for i in range(5):
        data.update({f"planyear-{i}-milestones": f"第{i + 1}年安排", f"planyear-{i}-output_target": f"{100 + i}",
                     f"planyear-{i}-patents_target": "10"})
    data["planyear-2-output_target"] = "abc"
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200 and "请只填写数字" in page
    assert "第5年安排" in page and 'value="104"' in page
    assert application.plan_years.count() == 0
    data["planyear-2-output_target"] = "102"
    assert client.post(url, data).status_code == 302
    assert list(application.plan_years.values_list("year", flat=True)) == [application.call.year + i for i in range(5)]


def test_funding_formset_rejects_negative_amounts(client, applicant):
    application = application_for(applicant)
    client.force_login(applicant)
    url = section_url(application, "funding")
    data = {"fundingcommitment-TOTAL_FORMS": "5", "fundingcommitment-INITIAL_FORMS": "0", "_section": "funding",
            "fundingcommitment-0-amount_wan": "1000", "fundingcommitment-1-amount_wan": "-5"}
    page = client.post(url, data).content.decode()
    assert "不能为负数" in page and 'value="1000"' in page
    data["fundingcommitment-1-amount_wan"] = "1200.50"
    assert client.post(url, data).status_code == 302
    assert [str(a) for a in application.funding.values_list("amount_wan", flat=True)] == ["1000.00", "1200.50"]


def test_policy_with_document_upload(client, applicant):
    application = application_for(applicant)
    client.force_login(applicant)
    url = section_url(application, "policies")
    data = {"policies-TOTAL_FORMS": "1", "policies-INITIAL_FORMS": "0", "_section": "policies",
            "policies-0-status": "issued", "policies-0-title": "支持政策", "policies-0-issued_on": "2025-03-01",
            "policies-0-upload": SimpleUploadedFile("政策.pdf", demo_pdf())}
    assert client.post(url, data).status_code == 302
    policy = application.policies.get()
    assert policy.document_name == "政策.pdf" and len(policy.document_sha256) == 64
    download = client.get(reverse("applications:policy_document", args=[application.pk, policy.pk]))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]


def test_create_application_for_an_open_call(client, applicant):
    call = open_call()
    client.force_login(applicant)
    workspace = client.get(reverse("applications:workspace")).content.decode()
    assert "新建申报" in workspace and call.title in workspace
    response = client.post(reverse("applications:new"), {"call": call.pk})
    application = Application.objects.get(call=call, applicant=applicant.organisation)
    assert response["Location"] == section_url(application, "zone")
    assert application.province == applicant.organisation.province and application.state == ApplicationState.DRAFT
    # One per call: the call is no longer offered, and posting it again is refused at the field.
    again = client.post(reverse("applications:new"), {"call": call.pk})
    assert again.status_code == 200 and Application.objects.filter(call=call).count() == 1
    assert client.post(reverse("applications:new"), {"call": "x"}).status_code == 200


def test_closed_calls_are_not_offered(client, applicant):
    call = open_call(status="closed")
    client.force_login(applicant)
    client.post(reverse("applications:new"), {"call": call.pk})
    assert not Application.objects.filter(call=call).exists()


def test_workspace_lists_own_applications_with_completeness(client, applicant, other_applicant):
    mine = complete_application(applicant)
    theirs = application_for(other_applicant)
    client.force_login(applicant)
    page = client.get(reverse("applications:workspace")).content.decode()
    assert mine.zone_name in page and "11/11" in page
    assert reverse("applications:detail", args=[theirs.pk]) not in page


def test_detail_page_bounded_queries(client, applicant, django_assert_max_num_queries):
    application = complete_application(applicant)
    client.force_login(applicant)
    with django_assert_max_num_queries(40):
        assert client.get(reverse("applications:detail", args=[application.pk])).status_code == 200


@pytest.mark.django_db
def test_applicant_workspace_queries_do_not_grow_with_applications(client, applicant):
    @override_settings(PAGE_CACHE_SECONDS=0)
    def count():
        # Rendered each time (pagecache off): the count is the page's own, not a cached page's (test_pagecache).
        # Once unmeasured: what the cache keeps (session, policy, choice lists, unread count) is read again after
        # the rows it describes changed; the count compared is the page's own, whatever the number of rows.
        client.get("/applicant/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/applicant/").status_code == 200
        return len(queries)

    client.force_login(applicant)
    complete_application(applicant, open_call(title="批次一"))
    one = count()
    for title in ("批次二", "批次三"):
        complete_application(applicant, open_call(title=title))
    assert count() == one
