"""Uploads checked by content and size; every application URL and file is 404 outside its owner."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from applications.demo import demo_pdf, demo_png, demo_upload
from applications.enums import EvidenceKind
from applications.models import Evidence
from applications.uploads import store_evidence, withdraw_evidence
from review.transitions import perform
from tests.factories import complete_application, submitted_application

pytestmark = pytest.mark.django_db

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200
MZ = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


def evidence_url(application):
    return reverse("applications:section", args=[application.pk, "evidence"])


@pytest.mark.parametrize(("name", "content"), [
    ("x.pdf", ELF), ("setup.pdf", MZ), ("map.png", b"GIF89a" + b"\x00" * 50), ("a.jpg", b"<html><script>"),
    ("scan.pdf", b"%PD"),
])
def test_renamed_or_unknown_files_are_rejected_by_content(client, applicant, name, content):
    application = complete_application(applicant)
    before = application.evidence.count()
    client.force_login(applicant)
    response = client.post(evidence_url(application), {
        "action": "upload", "kind": EvidenceKind.OTHER, "file": SimpleUploadedFile(name, content, "application/pdf")})
    assert response.status_code == 200
    assert "只能上传 PDF、JPEG 或 PNG 文件" in response.content.decode()
    assert application.evidence.count() == before


@pytest.mark.parametrize(("content", "content_type"), [
    (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "image/jpeg"), (demo_png(), "image/png"), (demo_pdf(), "application/pdf"),
])
def test_accepted_files_are_stored_under_unguessable_names_with_sha256(client, applicant, content, content_type):
    application = complete_application(applicant)
    client.force_login(applicant)
    response = client.post(evidence_url(application), {
        "action": "upload", "kind": EvidenceKind.OTHER, "title": "补充",
        "file": SimpleUploadedFile("情况说明.bin", content, "application/octet-stream")})
    assert response.status_code == 302
    evidence = application.evidence.get(kind=EvidenceKind.OTHER)
    assert evidence.content_type == content_type
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.original_name == "情况说明.bin"
    assert "情况说明" not in evidence.file.name and len(evidence.file.name.rsplit("/", 1)[-1]) >= 32
    download = client.get(reverse("applications:evidence_download", args=[application.pk, evidence.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == content_type
    assert download["Content-Disposition"].startswith("attachment;") and "filename*=utf-8''" in download[
        "Content-Disposition"]
    assert b"".join(download.streaming_content) == content


def test_oversized_file_is_rejected_with_a_clear_message(client, applicant):
    application = complete_application(applicant)
    client.force_login(applicant)
    big = b"%PDF-1.4\n" + b"0" * 2048
    with override_settings(UPLOAD_MAX_BYTES=1024):
        response = client.post(evidence_url(application), {
            "action": "upload", "kind": EvidenceKind.OTHER, "file": SimpleUploadedFile("big.pdf", big)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "文件过大" in page and "不得超过 1.0\xa0KB" in page
    assert not application.evidence.filter(kind=EvidenceKind.OTHER).exists()


def test_oversized_policy_document_is_rejected_at_its_field(client, applicant):
    application = complete_application(applicant)
    client.force_login(applicant)
    url = reverse("applications:section", args=[application.pk, "policies"])
    formset = client.get(url).context["formset"]
    data = {"policies-TOTAL_FORMS": "1", "policies-INITIAL_FORMS": "0", "_section": "policies",
            "policies-0-status": "planned", "policies-0-title": "新政策", "policies-0-issued_on": "2026-05-01",
            "policies-0-upload": SimpleUploadedFile("p.pdf", b"%PDF-" + b"1" * 4096)}
    assert formset.total_form_count() >= 1
    with override_settings(UPLOAD_MAX_BYTES=1024):
        response = client.post(url, data)
    assert response.status_code == 200 and "文件过大" in response.content.decode()
    assert "新政策" in response.content.decode()  # the typed title is kept


def test_replacing_evidence_withdraws_instead_of_deleting(applicant):
    application = submitted_application(applicant)  # v1 refers to the first boundary map
    first = application.evidence.get(kind=EvidenceKind.BOUNDARY_MAP)

    second = store_evidence(application, EvidenceKind.BOUNDARY_MAP, demo_upload("图2.png", "2"), applicant)
    first.refresh_from_db()
    assert first.withdrawn_at is not None and Evidence.objects.filter(pk=first.pk).exists()
    withdraw_evidence(second)
    assert Evidence.objects.filter(pk=second.pk, withdrawn_at__isnull=False).exists()


def test_withdraw_from_the_evidence_page(client, applicant):
    application = complete_application(applicant)
    client.force_login(applicant)
    evidence = application.evidence.get(kind=EvidenceKind.ENTERPRISE_LIST)
    response = client.post(evidence_url(application), {"action": "withdraw", "evidence": str(evidence.pk)})
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.withdrawn_at is not None
    assert client.post(evidence_url(application), {"action": "withdraw", "evidence": "abc"}).status_code == 404


def application_urls(application):
    pk = application.pk
    evidence = application.evidence.first()
    policy = application.policies.first()
    urls = [reverse("applications:detail", args=[pk]), reverse("review:submit", args=[pk]),
            reverse("applications:evidence_download", args=[pk, evidence.pk]),
            reverse("applications:policy_document", args=[pk, policy.pk]),
            reverse("applications:version", args=[pk, 1]),
            reverse("applications:version_policy_document", args=[pk, 1, 0])]
    urls += [reverse("applications:section", args=[pk, key]) for key in (
        "zone", "applicant", "industry", "figures", "service", "policies", "plan", "plan_years", "commitment",
        "funding", "evidence")]
    return urls


@pytest.mark.parametrize("who", ["other_applicant", "foreign_applicant", "foreign_provincial", "expert", "national"])
def test_everyone_else_gets_404_on_every_application_url_and_file(client, request, applicant, who):
    application = submitted_application(applicant)
    outsider = request.getfixturevalue(who)
    client.force_login(outsider)
    for url in application_urls(application):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"zone_name": "x", "action": "withdraw"}).status_code in (404, 405), url
    assert client.post(reverse("applications:eligibility", args=[application.pk]),
                       {"_section": "figures"}).status_code == 404


@pytest.mark.parametrize("who", ["other_applicant", "foreign_applicant"])
def test_other_applicants_cannot_reach_a_draft(client, request, applicant, who):
    application = complete_application(applicant)
    client.force_login(request.getfixturevalue(who))
    for url in application_urls(application)[:4] + application_urls(application)[6:]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("applications:section", args=[application.pk, "zone"]),
                       {"zone_name": "被篡改"}).status_code == 404
    application.refresh_from_db()
    assert application.zone_name != "被篡改"


def test_anonymous_users_are_sent_to_login(client, applicant):
    application = complete_application(applicant)
    for url in application_urls(application)[:4]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_provincial_bureau_sees_only_submitted_content_and_files(client, applicant, provincial):
    application = complete_application(applicant)
    client.force_login(provincial)
    assert client.get(reverse("applications:detail", args=[application.pk])).status_code == 404  # a draft

    perform(application, applicant, "submit", expected_state="draft")
    evidence = application.evidence.first()
    assert client.get(reverse("applications:detail", args=[application.pk])).status_code == 200
    assert client.get(reverse("applications:evidence_download", args=[application.pk, evidence.pk])).status_code == 200
    # …but not the applicant's editing pages or working copies.
    assert client.get(reverse("applications:section", args=[application.pk, "zone"])).status_code == 404
    assert client.get(reverse("applications:policy_document",
                              args=[application.pk, application.policies.first().pk])).status_code == 404
