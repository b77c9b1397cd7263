"""Exports of the lists: the XLSX and CSV of each list hold what the page shows for the same filters
(rows and values), open without warnings (openpyxl reads them back; the CSV has its BOM), typed
formulas arrive as text, and they go through the documents' queued, content-hashed pipeline."""

import csv
import io
import warnings
from decimal import Decimal

import openpyxl
import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from applications.enums import ApplicationState as S
from applications.models import Application
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
from tests.zones_support import FIGURES as ZONE_FIGURES
from tests.zones_support import approved_zone, years_ago
from zones import services as zone_services
from zones.models import Zone

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
    # The page's rows are the columns its table shows (review.queries.national_queue_rows).
    shown = [Application.objects.get(pk=row.pk) for row in page.context["applications"]]
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


# ---- the zones after 批复 -----------------------------------------------------------------------


@pytest.fixture
def zones_world(applicant, foreign_applicant, provincial, foreign_provincial, national, make_expert):
    """Two zones in two provinces; the Jiangsu one's industry typed as a formula, one year confirmed."""
    own = approved_zone(applicant, {Role.APPLICANT: applicant, Role.PROVINCIAL: provincial, Role.NATIONAL: national},
                        make_expert, days_ago=years_ago(3))
    foreign = approved_zone(foreign_applicant, {Role.APPLICANT: foreign_applicant, Role.PROVINCIAL: foreign_provincial,
                                                Role.NATIONAL: national}, make_expert, days_ago=years_ago(1),
                            call_title="广东批次")
    Zone.objects.filter(pk=own.pk).update(industry=FORMULA)  # as the city typed it in its application
    first, second = list(own.indicator_sets.order_by("year"))[:2]
    for item, state in ((first, "confirm"), (second, None)):
        zone_services.save_indicators(item, applicant, {**ZONE_FIGURES, "rd_spending": Decimal("50")})
        with TestCase.captureOnCommitCallbacks(execute=True):
            zone_services.transition("indicators", item, applicant, "submit", expected_state="draft")
            if state:
                zone_services.transition("indicators", item, provincial, state, expected_state="submitted")
    own.refresh_from_db()
    return own, foreign


def _zone_page_rows(rows):
    """The zones table as the page shows it (zones:index)."""
    return [[str(r.zone), str(r.zone.province), str(r.zone.get_state_display()), r.latest_year,
             *[str(c.label) for c in r.cells.values()], r.overdue_reports + r.overdue_indicators,
             r.open_rectifications] for r in rows]


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{}, {"state": "construction"}, {"region": "east"}, {"industry": "cmd"},
                                   {"state": "accepted"}])
def test_zones_table_exports_match_the_page(client, zones_world, national, query):
    client.force_login(national)
    page = client.get(reverse("zones:index"), query)
    assert 'action="/exports/zones/"' in page.content.decode()  # the page's export buttons
    expected = _zone_page_rows(page.context["rows"])
    if query.get("state") == "accepted":
        assert expected == []
    _doc, xlsx = _export(client, national, "zones", "xlsx", query)
    rows, ws = read_xlsx(xlsx)
    shown = [[r[0], r[1], r[2], None if r[4] == "—" else r[4], *r[5:9], r[13], r[14]] for r in rows[1:]]
    assert shown == expected
    _doc, content = _export(client, national, "zones", "csv", query)
    lines = read_csv(content)
    assert [line[0] for line in lines[1:]] == [row[0] for row in expected]
    if not query or "industry" in query:
        own = next(i for i, row in enumerate(rows) if row[-1] == FORMULA)  # arrived as the text typed
        assert ws.cell(row=own + 1, column=len(rows[0])).data_type == "s"
        assert any(line[-1] == "'" + FORMULA for line in lines)


@pytest.mark.django_db
def test_the_provinces_zones_export_holds_its_own_zones_only(client, zones_world, provincial, foreign_provincial):
    own, foreign = zones_world
    client.force_login(provincial)
    page = client.get(reverse("zones:index"))
    _doc, content = _export(client, provincial, "zones", "csv", {"province": str(foreign.province_id)})
    assert [line[0] for line in read_csv(content)[1:]] == [str(r.zone) for r in page.context["rows"]] == [own.name]
    with pytest.raises(services.ExportRefused):  # another province's zone: nothing to export
        services.request_export("zone_indicators", "csv", foreign_provincial, {"zone": str(own.pk)})


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["provincial", "national"])
def test_zone_indicators_export_matches_the_zone_page(client, zones_world, request, who):
    own, _foreign = zones_world
    user = request.getfixturevalue(who)
    client.force_login(user)
    page = client.get(reverse("zones:detail", args=[own.pk]))
    assert f'name="zone" value="{own.pk}"' in page.content.decode()  # the export buttons of the zone page
    expected = [[r["set"].year, str(r["set"].get_state_display()),
                 r["set"].gross_output if r["counted"] else None, r["ps"] if r["counted"] else None,
                 r["rd"] if r["counted"] else None] for r in page.context["indicator_rows"]]
    _doc, xlsx = _export(client, user, "zone_indicators", "xlsx", {"zone": str(own.pk)})
    rows, _ws = read_xlsx(xlsx)
    header = rows[0]
    at = {name: header.index(name) for name in ("统计年度", "状态", "工业总产值（亿元）", "专利产品销售收入占比（%）",
                                                "研发投入占比（%）", "研发投入占比高于5%")}
    got = [[r[at["统计年度"]], r[at["状态"]], r[at["工业总产值（亿元）"]], r[at["专利产品销售收入占比（%）"]],
            r[at["研发投入占比（%）"]]] for r in rows[1:]]
    as_decimal = [[y, s, *[None if v is None else Decimal(str(v)).quantize(Decimal("0.01")) for v in rest]]
                  for y, s, *rest in got]
    assert as_decimal == expected
    counted = [r for r in rows[1:] if r[at["工业总产值（亿元）"]] is not None]
    assert len(counted) == (1 if who == "national" else 2)  # the national office counts confirmed figures only
    assert counted[0][at["研发投入占比高于5%"]] == "否"  # exactly 5% is not above it
    _doc, content = _export(client, user, "zone_indicators", "csv", {})  # every zone in scope (the zones page)
    names = {line[0] for line in read_csv(content)[1:]}
    assert names == ({own.name, _foreign.name} if who == "national" else {own.name})


@pytest.mark.django_db
def test_zone_reports_export_matches_the_zone_page_and_keeps_typed_text(client, zones_world, applicant, provincial):
    own, _foreign = zones_world
    submitted, draft = list(own.reports.filter(period_start__lte=timezone.localdate()).order_by("year", "quarter"))[:2]
    zone_services.save_report(submitted, applicant, {"work_done": FORMULA, "next_plan": "组建运营基金。"})
    with TestCase.captureOnCommitCallbacks(execute=True):
        zone_services.transition("report", submitted, applicant, "submit", expected_state="draft")
    zone_services.save_report(draft, applicant, {"work_done": "草稿：尚未报送。"})
    client.force_login(provincial)
    page = client.get(reverse("zones:detail", args=[own.pk]))
    assert 'action="/exports/zone_reports/"' in page.content.decode()
    expected = [[str(r["report"]), r["report"].due_on.isoformat(), str(r["report"].get_state_display()),
                 "是" if r["overdue"] else "否", str(r["report"].current_version or "—")]
                for r in page.context["report_rows"]]
    _doc, xlsx = _export(client, provincial, "zone_reports", "xlsx", {"zone": str(own.pk)})
    rows, ws = read_xlsx(xlsx)
    header = rows[0]
    cols = [header.index(h) for h in ("季度", "报送截止日期", "状态", "已逾期", "版本")]
    assert [[_as_text(r[cols[0]]), _as_text(r[cols[1]])[:10], *[_as_text(r[c]) for c in cols[2:]]]
            for r in rows[1:]] == expected
    work = header.index("本季度完成的主要工作")
    assert rows[1][work] == FORMULA and ws.cell(row=2, column=work + 1).data_type == "s"  # arrived as text
    assert rows[2][work] is None  # a draft stays the city's own until submitted
    _doc, content = _export(client, provincial, "zone_reports", "csv", {"zone": str(own.pk)})
    lines = read_csv(content)
    assert lines[1][work] == "'" + FORMULA and len(lines) == len(rows)
