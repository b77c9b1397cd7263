"""Submission to the province: refused for each missing piece, after the deadline; versions frozen."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import submission
from applications.demo import demo_upload
from applications.enums import ApplicationState, CallStatus, EvidenceKind
from applications.models import Application, ProvinceDeadline
from applications.uploads import store_policy_document
from review.transitions import TransitionError, perform
from tests.factories import complete_application, open_call, submitted_application
from typography import fullwidth

pytestmark = pytest.mark.django_db


def codes(application):
    return {p.code for p in submission.problems(application)}


def submit_page(client, application):
    return client.get(reverse("review:submit", args=[application.pk])).content.decode()


@pytest.mark.parametrize(("change", "code", "message"), [
    (lambda a: setattr(a, "gross_output", "29.99"), "eligibility:gross_output", "上一年度工业总产值低于30亿元"),
    (lambda a: setattr(a, "resident_enterprises", 39), "eligibility:resident_enterprises", "入驻企业少于40家"),
    (lambda a: setattr(a, "patents_per_10k", "9.99"), "eligibility:patents_per_10k", "每万人口发明专利拥有量低于10件"),
    (lambda a: setattr(a, "service_agency_staff", 4), "eligibility:service_agency", "专利运用公共服务机构人员少于5人"),
    (lambda a: setattr(a, "zone_scope", ""), "eligibility:bounded_scope", "须描述实验区建设范围"),
    (lambda a: setattr(a, "management_agency_name", ""), "eligibility:management_agency", "专业化管理机构"),
    (lambda a: (setattr(a, "is_demo_park", False), setattr(a, "demo_park_since", None)), "eligibility:demo_park",
     "须提交书面说明理由"),
    (lambda a: (setattr(a, "has_association", True), setattr(a, "association_name", "某产业协会")),
     "eligibility:association_agreement", "须填写协会名称并上传双方签署的合作协议"),
    (lambda a: setattr(a, "contact_phone", ""), "section:applicant", "联系电话"),
    (lambda a: setattr(a, "plan_goals", ""), "section:plan", "五年建设目标"),
    (lambda a: setattr(a, "leading_group_head", ""), "section:commitment", "领导小组组长"),
])
def test_submission_refused_for_each_missing_field(client, applicant, change, code, message):
    application = complete_application(applicant)
    change(application)
    application.save()
    assert code in codes(application)
    client.force_login(applicant)
    assert message in submit_page(client, application)
    with pytest.raises(TransitionError) as refused:
        perform(application, applicant, "submit", expected_state=application.state)
    assert message in str(refused.value)
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT and application.versions.count() == 0


@pytest.mark.parametrize(("kind", "message"), [
    (EvidenceKind.SIGNED_COMMITMENT, "须上传经政府签章的实验区建设承诺书扫描件"),
    (EvidenceKind.BOUNDARY_MAP, "须上传实验区范围边界图"),
    (EvidenceKind.OUTPUT_STATISTICS, "缺少证明材料:工业总产值统计证明"),
    (EvidenceKind.ENTERPRISE_LIST, "缺少证明材料:入驻企业名录"),
    (EvidenceKind.PATENT_STATISTICS, "缺少证明材料:专利拥有量统计证明"),
    (EvidenceKind.MANAGEMENT_AGENCY, "缺少证明材料:专业化管理机构证明"),
    (EvidenceKind.SERVICE_AGENCY, "缺少证明材料:专利运用公共服务机构证明"),
    (EvidenceKind.DEMO_PARK_CERTIFICATE, "缺少证明材料:国家知识产权示范园区证明"),
])
def test_submission_refused_for_each_missing_evidence(client, applicant, kind, message):
    application = complete_application(applicant)
    application.evidence.filter(kind=kind).update(withdrawn_at=timezone.now())
    client.force_login(applicant)
    message = fullwidth(message)  # the page shows it with full-width marks
    assert message in submit_page(client, application)
    response = client.post(reverse("review:submit", args=[application.pk]), {"expected_state": "draft"})
    assert response.status_code == 200 and message in response.content.decode()
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT


@pytest.mark.parametrize(("section", "message"), [
    ("policies", "须至少列出一项已出台或拟出台的地方支持政策"),
    ("plan_years", "“年度计划与目标”未填写完整"),
    ("funding", "“财政经费投入”未填写完整"),
])
def test_submission_refused_for_each_missing_row_section(client, applicant, section, message):
    application = complete_application(applicant)
    getattr(application, {"policies": "policies", "plan_years": "plan_years", "funding": "funding"}[section]).all(
    ).delete()
    client.force_login(applicant)
    page = submit_page(client, application)
    assert message in page
    assert reverse("applications:section", args=[application.pk, section]) in page


def test_problems_link_to_their_section(client, applicant):
    application = complete_application(applicant)
    application.gross_output = "1"
    application.save()
    client.force_login(applicant)
    assert f'href="{reverse("applications:section", args=[application.pk, "figures"])}"' in submit_page(
        client, application)


def test_submission_refused_after_the_national_deadline(client, applicant):
    call = open_call(national_deadline=timezone.now() - timedelta(minutes=1))
    application = complete_application(applicant, call)
    assert codes(application) == {"deadline_passed"}
    client.force_login(applicant)
    response = client.post(reverse("review:submit", args=[application.pk]), {"expected_state": "draft"})
    assert "申报截止时间" in response.content.decode()
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT


def test_the_provinces_earlier_deadline_wins(applicant, foreign_applicant):
    call = open_call(national_deadline=timezone.now() + timedelta(days=10))
    ProvinceDeadline.objects.create(call=call, province=applicant.organisation.province,
                                    deadline=timezone.now() - timedelta(hours=1))
    application = complete_application(applicant, call)
    assert codes(application) == {"deadline_passed"}
    with pytest.raises(TransitionError):
        perform(application, applicant, "submit", expected_state="draft")
    # Another province has no earlier deadline: it can still submit.
    elsewhere = submitted_application(foreign_applicant, call)
    assert elsewhere.state == ApplicationState.SUBMITTED


def test_submission_refused_when_the_call_is_closed(applicant):
    call = open_call(status=CallStatus.CLOSED)
    assert "call_not_open" in codes(complete_application(applicant, call))


def test_submit_through_the_page_freezes_version_one_and_locks_editing(client, applicant):
    application = complete_application(applicant)
    client.force_login(applicant)
    page = submit_page(client, application)
    assert "确认报送省局" in page
    response = client.post(reverse("review:submit", args=[application.pk]), {"expected_state": "draft"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED and application.current_version == 1
    # Read-only now: the edit page sends back to the detail page and a post changes nothing.
    edit = reverse("applications:section", args=[application.pk, "zone"])
    assert client.get(edit)["Location"] == reverse("applications:detail", args=[application.pk])
    client.post(edit, {"zone_name": "改名"})
    application.refresh_from_db()
    assert application.zone_name != "改名"
    # A second submit is refused with the transition's message, never a 500.
    again = client.post(reverse("review:submit", args=[application.pk]), {"expected_state": "draft"})
    assert again.status_code == 200 and "已被他人处理" in again.content.decode()


def test_versions_are_frozen_and_readable_after_return_and_resubmission(client, applicant, provincial):
    application = submitted_application(applicant)
    original_name = application.zone_name
    v1_evidence = set(application.versions.get(number=1).evidence.values_list("pk", flat=True))
    perform(application, provincial, "start_provincial_review", expected_state="submitted")
    perform(application, provincial, "return_to_applicant", "请补充边界图。", expected_state="provincial_review")
    application.refresh_from_db()
    assert application.state == ApplicationState.RETURNED and application.is_editable

    client.force_login(applicant)
    url = reverse("applications:section", args=[application.pk, "zone"])
    form = client.get(url).context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data.update({"zone_name": "第二版实验区名称", "is_demo_park": "true", "_section": "zone"})
    assert client.post(url, data).status_code == 302
    # Replace the boundary map.

    evidence_url = reverse("applications:section", args=[application.pk, "evidence"])
    client.post(evidence_url, {"action": "upload", "kind": EvidenceKind.BOUNDARY_MAP, "title": "新图",
                               "file": demo_upload("新边界图.png", "v2")})
    response = client.post(reverse("review:submit", args=[application.pk]), {"expected_state": "returned"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.current_version == 2 and application.state == ApplicationState.SUBMITTED

    client.get(reverse("applications:detail", args=[application.pk]))  # shows (consumes) the flash messages
    v1 = client.get(reverse("applications:version", args=[application.pk, 1]))
    v2 = client.get(reverse("applications:version", args=[application.pk, 2]))
    assert v1.status_code == v2.status_code == 200
    assert original_name in v1.content.decode() and "第二版实验区名称" not in v1.content.decode()
    assert "第二版实验区名称" in v2.content.decode()
    assert "新边界图.png" in v2.content.decode() and "新边界图.png" not in v1.content.decode()
    assert set(application.versions.get(number=1).evidence.values_list("pk", flat=True)) == v1_evidence
    # v1's withdrawn boundary map still downloads from the v1 page.
    old_map = application.versions.get(number=1).evidence.get(kind=EvidenceKind.BOUNDARY_MAP)
    assert old_map.withdrawn_at is not None
    download = client.get(reverse("applications:evidence_download", args=[application.pk, old_map.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"\x89PNG")
    # The provincial reviewer reads both versions too.
    client.force_login(provincial)
    assert client.get(reverse("applications:version", args=[application.pk, 1])).status_code == 200
    detail = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert "第二版实验区名称" in detail


def test_version_policy_documents_stay_frozen(client, applicant, provincial):
    application = submitted_application(applicant)
    policy = application.policies.first()
    v1_file = application.versions.get(number=1).snapshot["policies"][0]["document_file"]
    perform(application, provincial, "start_provincial_review", expected_state="submitted")
    perform(application, provincial, "return_to_applicant", "请更新政策文件。", expected_state="provincial_review")

    store_policy_document(policy, demo_upload("新政策.png", "new"))
    policy.save()
    assert policy.document.name != v1_file
    client.force_login(provincial)
    response = client.get(reverse("applications:version_policy_document", args=[application.pk, 1, 0]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


@pytest.mark.django_db
def test_reviewers_judge_eligibility_of_the_submitted_version_not_later_edits(client, applicant, provincial):
    application = submitted_application(applicant)
    perform(application, provincial, "start_provincial_review")
    perform(application, provincial, "return_to_applicant", "请核实工业总产值。")
    # The applicant edits its returned application: the live figure now fails the 30 亿 threshold.
    Application.objects.filter(pk=application.pk).update(gross_output=Decimal("29.99"))

    client.force_login(provincial)
    reviewer = client.get(f"/applications/{application.pk}/").context["results"]
    assert {r.code: r.status for r in reviewer}["gross_output"] == "pass"
    client.force_login(applicant)
    owner = client.get(f"/applications/{application.pk}/").context["results"]
    assert {r.code: r.status for r in owner}["gross_output"] == "fail"
