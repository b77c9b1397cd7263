"""Issue 16, each role can do its whole job here: the applicant withdraws, the province records a
finding per material and sets its own deadline, national staff reach the review from the list, and
the guide's data rules hold."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation
from applications import eligibility
from applications.enums import ApplicationState as S
from applications.enums import PolicyStatus
from applications.models import Application, Call, LocalPolicy, ProvinceDeadline
from applications.submission import freeze_version, problems
from documents.contexts import context_for
from documents.enums import DocumentKind
from documents.sources import source_application_form, source_commitment, source_provincial_opinion
from notifications.models import Notification
from review.models import ProvincialReview
from review.transitions import TransitionError, perform
from tests.factories import complete_application, open_call, submitted_application
from tests.pipeline_support import FINDINGS
from typography.punctuation import fullwidth

pytestmark = pytest.mark.django_db


# ---- 撤回 -------------------------------------------------------------------------------------------

def test_applicant_withdraws_a_submission_the_province_has_not_started(applicant, provincial,
                                                                       django_capture_on_commit_callbacks):
    application = submitted_application(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        perform(application, applicant, "withdraw", "发现边界图有误,撤回修改。", expected_state=S.SUBMITTED)
    application.refresh_from_db()
    assert application.state == S.WITHDRAWN and application.is_editable
    assert list(application.versions.values_list("number", flat=True)) == [1]  # the submitted version stays
    assert Notification.objects.filter(recipient=provincial, subject__contains="撤回报送").exists()
    perform(application, applicant, "resubmit", expected_state=S.WITHDRAWN)
    application.refresh_from_db()
    assert (application.state, application.current_version) == (S.SUBMITTED, 2)


def test_no_withdrawal_once_the_province_started_reviewing(applicant, provincial, other_applicant):
    application = submitted_application(applicant)
    perform(application, provincial, "start_provincial_review", expected_state=S.SUBMITTED)
    with pytest.raises(TransitionError, match="不能执行“撤回报送”"):
        perform(application, applicant, "withdraw", expected_state=S.PROVINCIAL_REVIEW)
    other = submitted_application(other_applicant)
    with pytest.raises(TransitionError, match="您无权处理该申报"):
        perform(other, applicant, "withdraw")


# ---- the province's findings (四(四)2) -----------------------------------------------------------

def test_province_records_a_finding_on_each_material(client, applicant, provincial):
    application = submitted_application(applicant)
    perform(application, provincial, "start_provincial_review", expected_state=S.SUBMITTED)
    client.force_login(provincial)
    page = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    for label in ("建设方案审核情况", "证明材料审核情况", "承诺书审核情况"):
        assert label in page
    with pytest.raises(TransitionError) as refused:
        perform(application, provincial, "recommend", "同意推荐。", expected_state=S.PROVINCIAL_REVIEW)
    assert set(refused.value.field_errors) == set(FINDINGS)
    response = client.post(reverse("review:transition", args=[application.pk]), {
        "transition": "recommend", "recommend-expected_state": S.PROVINCIAL_REVIEW, "recommend-opinion": "同意推荐。",
        **{f"recommend-{name}": text for name, text in FINDINGS.items()}})
    assert response.status_code == 302
    review = ProvincialReview.objects.get(application=application)
    assert {name: getattr(review, name) for name in FINDINGS} == FINDINGS and review.opinion == "同意推荐。"
    letter = source_provincial_opinion(application)
    assert letter["findings"] == {"plan": FINDINGS["plan_finding"], "evidence": FINDINGS["evidence_finding"],
                                  "commitment": FINDINGS["commitment_finding"]}


def test_national_staff_see_the_findings_the_conditions_and_the_evidence_on_the_formal_review(
        client, applicant, provincial, national):
    application = submitted_application(applicant)
    perform(application, provincial, "start_provincial_review", expected_state=S.SUBMITTED)
    perform(application, provincial, "recommend", "同意推荐。", expected_state=S.PROVINCIAL_REVIEW, extra=FINDINGS)
    client.force_login(national)
    workspace = client.get(reverse("review:national_workspace")).content.decode()
    formal_url = reverse("review:formal_review", args=[application.pk])
    assert re.search(rf'href="{formal_url}">材料审核</a>', workspace)  # recommended: the review starts there
    page = client.get(formal_url).content.decode()
    assert all(fullwidth(text) in page for text in FINDINGS.values())  # shown with Chinese punctuation
    assert "申报条件检查" in page and 'data-code="gross_output" data-status="pass"' in page
    for item in application.versions.get(number=1).snapshot["evidence"]:
        assert reverse("applications:evidence_download", args=[application.pk, item["id"]]) in page


# ---- deadlines --------------------------------------------------------------------------------------

def test_province_sets_its_own_earlier_deadline_never_after_the_national_one(client, applicant, provincial):
    call = open_call()
    application = complete_application(applicant, call)
    client.force_login(provincial)
    page = client.get(reverse("review:provincial_workspace")).content.decode()
    assert reverse("review:province_deadlines") in page
    assert call.title in client.get(reverse("review:province_deadlines")).content.decode()
    url = reverse("review:set_province_deadline", args=[call.pk])
    late = timezone.localtime(call.national_deadline).date() + timedelta(days=1)
    response = client.post(url, {f"call{call.pk}-deadline": late.isoformat(), "save": "1"})
    assert response.status_code == 400 and "不能晚于报送国家局的截止时间" in response.content.decode()
    assert late.isoformat() in response.content.decode()  # the typed date is kept
    assert not ProvinceDeadline.objects.exists()
    day = timezone.localdate() + timedelta(days=10)
    assert client.post(url, {f"call{call.pk}-deadline": day.isoformat(), "save": "1"}).status_code == 302
    own = ProvinceDeadline.objects.get(call=call, province=provincial.province)
    assert timezone.localtime(own.deadline).replace(tzinfo=None) == datetime.combine(day, time(23, 59, 59))
    application.refresh_from_db()
    assert application.deadline == own.deadline  # the applicants' deadline now
    assert Notification.objects.filter(recipient=applicant, subject__contains="申报截止时间调整").exists()
    client.post(url, {f"call{call.pk}-deadline": "", "clear": "1"})
    assert not ProvinceDeadline.objects.exists()


def test_a_national_deadline_entered_as_a_date_covers_the_whole_day(client, national, provincial, applicant):
    client.force_login(national)
    data = {"title": "2013年度申报", "year": "2013", "opens_on": "2013-04-02", "national_deadline_0": "2013-05-10",
            "national_deadline_1": "", "target_zones": "10", "status": "open", "min_scores": "3",
            "experts_per_application": "5", "divergence_threshold": "20",
            "province_deadlines-TOTAL_FORMS": "1", "province_deadlines-INITIAL_FORMS": "0",
            "province_deadlines-0-province": str(provincial.province.pk),
            "province_deadlines-0-deadline_0": "2013-05-11", "province_deadlines-0-deadline_1": ""}
    response = client.post(reverse("admin:applications_call_add"), data)
    assert response.status_code == 200 and "不能晚于报送国家局的截止时间" in response.content.decode()
    data["province_deadlines-0-deadline_0"] = "2013-04-30"
    response = client.post(reverse("admin:applications_call_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    call = Call.objects.get(title="2013年度申报")
    assert timezone.localtime(call.national_deadline).replace(tzinfo=None) == datetime(2013, 5, 10, 23, 59, 59)
    assert timezone.localtime(ProvinceDeadline.objects.get().deadline).time() == time(23, 59, 59)


# ---- the guide's data rules ----------------------------------------------------------------------

def test_figures_are_of_the_year_before_the_call(client, applicant):
    application = complete_application(applicant)
    client.force_login(applicant)
    data = {"_section": "figures", "figures_year": str(application.call.year), "gross_output": "31.50",
            "resident_enterprises": "45", "patents_per_10k": "12.30", "industry_patents": "800", "rd_spending": "2.10",
            "patented_sales": "20.00"}
    page = client.post(reverse("applications:section", args=[application.pk, "figures"]), data).content.decode()
    assert fullwidth(f"统计年度须为上一年度({application.call.year - 1} 年)") in page
    Application.objects.filter(pk=application.pk).update(figures_year=application.call.year - 2)
    application.refresh_from_db()
    assert "figures_year" in [p.code for p in problems(application)]


def test_an_issued_policy_names_its_number_or_carries_its_document(client, applicant):
    application = complete_application(applicant)
    client.force_login(applicant)
    data = {"_section": "policies", "policies-TOTAL_FORMS": "1", "policies-INITIAL_FORMS": "0",
            "policies-0-status": PolicyStatus.ISSUED, "policies-0-title": "关于支持实验区建设的若干措施",
            "policies-0-issued_on": "2025-03-01"}
    page = client.post(reverse("applications:section", args=[application.pk, "policies"]), data).content.decode()
    assert "已出台的政策须填写文号或上传政策文件" in page
    data["policies-0-document_number"] = "苏府发〔2025〕3号"
    assert client.post(reverse("applications:section", args=[application.pk, "policies"]), data).status_code == 302
    LocalPolicy.objects.create(application=application, status=PolicyStatus.ISSUED, title="无文号无文件的政策")
    assert any(p.code.startswith("policy:") for p in problems(application))
    LocalPolicy.objects.create(application=application, status=PolicyStatus.PLANNED, title="拟出台的政策")
    assert sum(p.code.startswith("policy:") for p in problems(application)) == 1


@pytest.mark.parametrize(("level", "label"), [("auto_prefecture", "自治州"), ("region", "地区"), ("league", "盟")])
def test_autonomous_prefectures_regions_and_leagues_are_prefecture_level_applicants(level, label, province_js):
    org = Organisation(kind="applicant", name=f"某{label}", province=province_js, level=level)
    org.full_clean()
    assert org.get_level_display() == label
    result = eligibility.applicant_level({"applicant_level": level})
    assert result.status == eligibility.PASS


def test_a_co_applicant_association_is_named_on_the_cover_and_in_the_commitment(applicant):
    application = complete_application(applicant)
    Application.objects.filter(pk=application.pk).update(has_association=True, association_name="苏州市集成电路行业协会")
    application.refresh_from_db()
    freeze_version(application, applicant)  # documents render a frozen version
    commitment = source_commitment(application)
    html = render_to_string("documents/commitment.html", context_for(DocumentKind.COMMITMENT, commitment, application))
    assert html.count("苏州市集成电路行业协会") == 2  # the joint application and the signature
    form = source_application_form(application)
    cover = render_to_string("documents/application_form.html",
                             context_for(DocumentKind.APPLICATION_FORM, form, application))
    cover = cover[:cover.index("</section>")]
    assert "共同申报单位" in cover and "苏州市集成电路行业协会" in cover
