"""Exports of the lists: the XLSX and CSV of each list hold what the page shows for the same filters
(rows and values), open without warnings (openpyxl reads them back; the CSV has its BOM), typed
formulas arrive as text, and they go through the documents' queued, content-hashed pipeline."""

import csv
import io
import warnings

import openpyxl
import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from applications.enums import ApplicationState as S
from documents import services
from documents.enums import DocumentStatus
from documents.exports import EXPORTS
from documents.models import EXPORT_KIND_VALUES, Document
from review.experts import services as experts
from spreadsheets.cells import neutralise
from spreadsheets.writers import BOM, Sheet, csv_bytes, xlsx_bytes
from tests.api_support import call, token_for
from tests.experts_support import expert_review_application, make_panel, submit_score
from tests.pipeline_support import application_in

FORMULA = "=cmd|' /C calc'!A0"


def read_xlsx(content):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "opens without warnings"
        book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    return [[c.value for c in row] for row in sheet.iter_rows()], sheet


def read_csv(content):
    assert content.startswith(BOM.encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_neutralise_leaves_numbers_and_quotes_formula_triggers():
    assert [neutralise(v) for v in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "苏州", "a=b")] == [
        "'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx", "苏州", "a=b"]
    assert neutralise(-5) == -5 and neutralise(None) is None


def test_writers_keep_typed_text_as_text():
    sheet = Sheet("表", ["名称", "数值"], [[FORMULA, 3], ["苏州", None]])
    rows, ws = read_xlsx(xlsx_bytes([sheet]))
    assert rows == [["名称", "数值"], [FORMULA, 3], ["苏州", None]]
    assert ws["A2"].data_type == "s" and ws["A2"].quotePrefix
    assert read_csv(csv_bytes(sheet)) == [["名称", "数值"], ["'" + FORMULA, "3"], ["苏州", ""]]


def test_every_export_kind_is_an_export_document_kind():
    assert sorted(EXPORTS) == sorted(EXPORT_KIND_VALUES)


@pytest.fixture
def queue(applicant, other_applicant, provincial, national, make_expert):
    def actors(user):
        return {Role.APPLICANT: user, Role.PROVINCIAL: provincial, Role.NATIONAL: national}

    recommended = application_in(S.RECOMMENDED, applicant, actors(applicant), make_expert)
    in_review = application_in(S.PROVINCIAL_REVIEW, other_applicant, actors(other_applicant), make_expert)
    in_review.zone_name = FORMULA  # typed by an applicant (before submission in real life)
    in_review.save(update_fields=["zone_name"])
    return recommended, in_review


def _page_rows(response):
    """The provincial queue as the page shows it: the django-tables2 table's values."""
    return [[str(v) for v in row] for row in list(response.context["table"].as_values())[1:]]


def _export(client, user, kind, fmt, query):
    client.force_login(user)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("documents:export", args=[kind]), {**query, "format": fmt})
    assert response.status_code == 302
    document = Document.objects.filter(kind=kind, format=fmt, requested_by=user).latest("pk")
    assert document.status == DocumentStatus.READY, document.error
    download = client.get(reverse("documents:download", args=[document.pk]))
    assert download.status_code == 200
    return document, b"".join(download.streaming_content)


def _as_text(value):
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).strftime("%Y-%m-%d %H:%M")
    return str(value)


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{}, {"state": "recommended"}, {"industry": "信息"}, {"sort": "zone_name"}])
def test_provincial_queue_exports_match_the_page(client, queue, provincial, query):
    client.force_login(provincial)
    page = client.get(reverse("review:provincial_workspace"), query)
    shown = page.context["table"]
    expected = [[_as_text(v) for v in row] for row in list(shown.as_values())[1:]]
    _doc, xlsx = _export(client, provincial, "provincial_queue", "xlsx", query)
    rows, _ws = read_xlsx(xlsx)
    assert [[_as_text(v) for v in row] for row in rows[1:]] == [
        [_as_text(v) for v in row] for row in expected]
    assert rows[0] == [str(c.header) for c in shown.columns]
    _doc, csv_content = _export(client, provincial, "provincial_queue", "csv", query)
    lines = read_csv(csv_content)
    assert lines[1:] == [[("'" + v if v == FORMULA else v) for v in row] for row in expected]
    if not query or query.get("sort"):
        assert any(FORMULA in row for row in rows)  # the typed formula arrived as text


@pytest.mark.django_db
def test_national_list_and_distribution_exports_match_the_pages(client, queue, national):
    recommended, _in_review = queue
    client.force_login(national)
    page = client.get(reverse("review:national_workspace"), {"state": "recommended"})
    shown = list(page.context["applications"])
    _doc, xlsx = _export(client, national, "national_list", "xlsx", {"state": "recommended"})
    rows, _ws = read_xlsx(xlsx)
    assert [r[2] for r in rows[1:]] == [str(a) for a in shown] == [str(recommended)]
    assert rows[1][0] == str(recommended.province) and rows[1][5] == recommended.get_state_display()
    page = client.get(reverse("review:distribution"), {"call": recommended.call_id})
    _doc, content = _export(client, national, "distribution", "csv", {"call": str(recommended.call_id)})
    lines = read_csv(content)
    assert lines[-1][1:] == [str(page.context[k]) for k in ("approved", "in_review", "closed", "total")]
    region_rows = {line[0]: line[1:] for line in lines[1:-1]}
    for region in page.context["regions"]:
        assert region_rows[str(region["label"])] == [str(region[k]) for k in ("approved", "in_review", "closed", "total")]


@pytest.mark.django_db
def test_exports_are_hashed_reused_and_the_requesters_alone(client, queue, provincial, foreign_provincial, national):
    first, _ = _export(client, provincial, "provincial_queue", "xlsx", {})
    again, _ = _export(client, provincial, "provincial_queue", "xlsx", {})
    assert again.pk == first.pk  # same rows: the same file
    other, _ = _export(client, provincial, "provincial_queue", "xlsx", {"state": "recommended"})
    assert other.pk != first.pk and other.content_hash != first.content_hash
    client.force_login(foreign_provincial)
    assert client.get(reverse("documents:download", args=[first.pk])).status_code == 404
    assert call(client, "get", f"/api/v1/documents/{first.pk}/", token_for(foreign_provincial)).status_code == 404
    # A role without the list's page may not export it (404, as the page).
    client.force_login(national)
    assert client.post(reverse("documents:export", args=["provincial_queue"]), {"format": "xlsx"}).status_code == 404
    with pytest.raises(services.ExportRefused):
        services.request_export("provincial_queue", "pdf", provincial, {})


@pytest.mark.django_db
def test_the_api_requests_polls_and_downloads_an_export(client, queue, provincial):
    token = token_for(provincial)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = call(client, "post", "/api/v1/exports/provincial_queue/", token,
                        {"format": "csv", "filters": {"state": "recommended"}})
    assert response.status_code == 202, response.content
    pk = response.json()["id"]
    assert call(client, "get", f"/api/v1/documents/{pk}/", token).json()["status"] == "ready"
    download = call(client, "get", f"/api/v1/documents/{pk}/download/", token)
    lines = read_csv(b"".join(download.streaming_content))
    assert [line[0] for line in lines[1:]] == [str(queue[0])]
    listed = call(client, "get", "/api/v1/exports/", token).json()["results"]
    assert [d["id"] for d in listed] == [pk]
    bad = call(client, "post", "/api/v1/exports/provincial_queue/", token, {"format": "pdf"})
    assert bad.status_code == 400 and "format" in bad.json()["errors"]


@pytest.mark.django_db
def test_expert_ranking_and_score_summary_exports_match_the_page(client, django_user_model, national, make_expert):
    application = expert_review_application(django_user_model, national, "320000")
    panel = make_panel(make_expert, application.call, [("110000", "甲大学"), ("440000", "乙研究院")])
    for expert, total in zip(panel, (18, 22), strict=True):
        submit_score(experts.assign(application, expert, by=national), [total] * 4)
    client.force_login(national)
    page = client.get(reverse("experts:ranking", args=[application.call_id]))
    ranking = page.context["ranking"]
    _doc, content = _export(client, national, "expert_ranking", "xlsx", {"call": str(application.call_id)})
    rows, _ws = read_xlsx(content)
    assert rows[0] == [str(application.call)] + [None] * 12  # the caption, then the header
    assert [(r[1], r[5], r[7], r[8]) for r in rows[2:]] == [
        (str(g.application), g.count, float(round(g.mean, 2)), float(round(g.trimmed_mean, 2))) for g in ranking]
    _doc, content = _export(client, national, "expert_scores", "csv", {"call": str(application.call_id)})
    lines = read_csv(content)
    assert lines[1][1] == str(application) and lines[1][7] == "80.00"
