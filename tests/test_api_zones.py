"""The zones' API on PostgreSQL: the access matrix equals the zone pages' (each role × endpoint × own /
other city / other province: the same 404s, experts see no zone); a report transition through the
API and through the page write identical log entries and give identical refusals (409 when stale);
indicators confirmed by the province through the same workflow, with the guide's ratios; an
inspection recorded and its rectification answered; the zones list in a fixed number of queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from applications.demo import demo_upload
from audit.models import AuditRecord
from tests.api_support import call, counted_get, token_for
from tests.zones_support import FIGURES, approved_zone, years_ago
from zones import services
from zones.enums import IndicatorState, RectificationState, ReportState
from zones.models import ReportLog

pytestmark = pytest.mark.django_db



def _do(kind, obj, user, name, opinion=""):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.transition(kind, obj, user, name, opinion, expected_state=obj.state)


def _submit_figures(item, applicant):
    services.save_indicators(item, applicant, FIGURES)
    _do("indicators", item, applicant, "submit")
    item.refresh_from_db()


def _pairs(zone):
    """Each API read with the page that shows the same thing."""
    report = zone.reports.order_by("year", "quarter").first()
    year = zone.indicator_sets.order_by("year").first().year
    detail = reverse("zones:detail", args=[zone.pk])
    base = f"/api/v1/zones/{zone.pk}/"
    return [
        (base, detail), (base + "reports/", detail), (base + "indicators/", detail), (base + "inspections/", detail),
        (base + "studies/", detail), (base + "acceptance/", reverse("zones:acceptance", args=[zone.pk])),
        (base + f"reports/{report.pk}/", reverse("zones:report", args=[zone.pk, report.pk])),
        (base + f"reports/{report.pk}/versions/", reverse("zones:report", args=[zone.pk, report.pk])),
        (base + f"indicators/{year}/", reverse("zones:indicators", args=[zone.pk, year])),
    ]


def _changes(zone):
    report = zone.reports.order_by("year", "quarter").first()
    item = zone.indicator_sets.order_by("year").first()
    base = f"/api/v1/zones/{zone.pk}/"
    return [("report", report, "submit", reverse("zones:report", args=[zone.pk, report.pk]),
             base + f"reports/{report.pk}/transitions/submit/"),
            ("indicators", item, "confirm", reverse("zones:indicators", args=[zone.pk, item.year]),
             base + f"indicators/{item.year}/transitions/confirm/"),
            ("zone", zone, "revoke", reverse("zones:detail", args=[zone.pk]), base + "transitions/revoke/")]


def test_access_matrix_equals_the_pages(client, zone, applicant, other_applicant, foreign_applicant, provincial,
                                        foreign_provincial, national, expert):
    pairs = _pairs(zone)
    for user in (applicant, other_applicant, foreign_applicant, provincial, foreign_provincial, national, expert):
        token = token_for(user)
        client.force_login(user)
        for api_url, page_url in pairs:
            page = client.get(page_url).status_code
            api = call(client, "get", api_url, token)
            assert page in (200, 404), (user.role, page_url, page)
            assert api.status_code == page, (user.username, api_url, api.status_code, page)
            if api.status_code == 404:
                assert api["Content-Type"] == "application/problem+json"
        # Recording an inspection: the page is 404 for whoever may not supervise the zone; the API too
        # (an empty body: 400 with field errors for whoever may).
        page = client.get(reverse("zones:inspection", args=[zone.pk])).status_code
        api = call(client, "post", f"/api/v1/zones/{zone.pk}/inspections/", token, {})
        assert (page, api.status_code) in ((200, 400), (404, 404)), (user.username, page, api.status_code)
        if api.status_code == 400:
            assert set(api.json()["errors"]) >= {"inspected_on", "inspectors", "findings"}
        # The changes: the same 404 (out of scope), 403 (not the role's) or 409 (a stale state) as the page's post.
        for kind, obj, name, page_url, api_url in _changes(zone):
            page = client.post(page_url, {"kind": kind, "object": str(obj.pk), "transition": name,
                                          f"{name}-expected_state": "stale", f"{name}-opinion": "意见。"}).status_code
            api = call(client, "post", api_url, token, {"expected_state": "stale", "opinion": "意见。"})
            assert api.status_code == page and page in (403, 404, 409), (user.username, api_url, api.status_code, page)
        # The list: the page's permission (403 for experts) and only the zones in scope.
        listed = call(client, "get", "/api/v1/zones/", token)
        assert listed.status_code == client.get(reverse("zones:index")).status_code or (
            user.role == Role.APPLICANT and listed.status_code == 200), user.username
        if listed.status_code == 200:
            ids = [row["zone"]["id"] for row in listed.json()["results"]]
            assert (zone.pk in ids) == (user in (applicant, provincial, national)), user.username
    assert call(client, "get", "/api/v1/zones/", token_for(expert)).status_code == 403


def test_zone_files_are_404_outside_the_pages_scope(client, zone, applicant, provincial, foreign_provincial, national,
                                                   expert):
    study = services.upload_study(zone, national, demo_upload("研究.pdf", "study"), title="跟踪研究", institution="某院")
    url = f"/api/v1/zones/files/{study.pk}/download/"
    for user, expected in ((applicant, 200), (provincial, 200), (foreign_provincial, 404), (expert, 404)):
        client.force_login(user)
        assert client.get(reverse("zones:file", args=[study.pk])).status_code == expected
        assert call(client, "get", url, token_for(user)).status_code == expected, user.username


def _page_submit(client, zone, report, data):
    post = {"kind": "report", "object": str(report.pk), "transition": "submit",
            "submit-expected_state": data.get("expected_state", report.state)}
    return client.post(reverse("zones:report", args=[zone.pk, report.pk]), post)


def _log(report):
    return list(ReportLog.objects.filter(report=report).order_by("pk").values_list(
        "transition", "from_state", "to_state", "opinion", "version", "actor_id", "actor_organisation_id"))


def test_report_transition_through_the_api_and_the_page_are_identical(client, zone, applicant, provincial):
    by_page, by_api = list(zone.reports.filter(period_start__lte=timezone.localdate()).order_by("year", "quarter"))[:2]
    client.force_login(applicant)
    token = token_for(applicant)
    # The same refusal: an incomplete report (the workflow's guard), as the page's message and as problem details.
    page = _page_submit(client, zone, by_page, {})
    assert page.status_code == 400
    form = next(a["form"] for a in page.context["actions"] if a["transition"].name == "submit")
    api = call(client, "post", f"/api/v1/zones/{zone.pk}/reports/{by_api.pk}/transitions/submit/", token,
               {"expected_state": by_api.state})
    assert api.status_code == 400 and api["Content-Type"] == "application/problem+json"
    assert api.json()["detail"] == " ".join(form.non_field_errors())
    assert AuditRecord.objects.filter(action="zone.report.submit", result="refused").count() == 2
    # The same change and log entry.
    for report in (by_page, by_api):
        services.save_report(report, applicant, {"work_done": "完成产业专利分析。", "next_plan": "组建运营基金。"})
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert _page_submit(client, zone, by_page, {}).status_code == 302
        api = call(client, "post", f"/api/v1/zones/{zone.pk}/reports/{by_api.pk}/transitions/submit/", token,
                   {"expected_state": "draft"})
    assert api.status_code == 200, api.content
    assert api.json()["state"] == ReportState.SUBMITTED and api.json()["log_entry"]["transition"] == "submit"
    assert _log(by_page) == _log(by_api) == [("submit", "draft", "submitted", "", 1, applicant.pk,
                                              applicant.organisation_id)]
    # A stale state: 409 on both.
    client.force_login(provincial)
    stale = {"kind": "report", "object": str(by_page.pk), "transition": "return_report",
             "return_report-expected_state": "draft", "return_report-opinion": "请补充。"}
    assert client.post(reverse("zones:report", args=[zone.pk, by_page.pk]), stale).status_code == 409
    api = call(client, "post", f"/api/v1/zones/{zone.pk}/reports/{by_api.pk}/transitions/return_report/",
               token_for(provincial), {"expected_state": "draft", "opinion": "请补充。"})
    assert api.status_code == 409 and api.json()["type"].endswith("stale-state")
    # A missing opinion: the same message at the same input.
    missing = {**stale, "return_report-expected_state": "submitted", "return_report-opinion": ""}
    page = client.post(reverse("zones:report", args=[zone.pk, by_page.pk]), missing)
    form = next(a["form"] for a in page.context["actions"] if a["transition"].name == "return_report")
    api = call(client, "post", f"/api/v1/zones/{zone.pk}/reports/{by_api.pk}/transitions/return_report/",
               token_for(provincial), {"expected_state": "submitted"})
    assert api.status_code == 400 and api.json()["errors"]["opinion"] == list(form.errors["opinion"])
    # The city may not return its own report: 403 on both.
    client.force_login(applicant)
    assert client.post(reverse("zones:report", args=[zone.pk, by_page.pk]), missing).status_code == 403
    assert call(client, "post", f"/api/v1/zones/{zone.pk}/reports/{by_api.pk}/transitions/return_report/",
                token, {"expected_state": "submitted", "opinion": "x"}).status_code == 403
    # Versions and what each one sees.
    versions = call(client, "get", f"/api/v1/zones/{zone.pk}/reports/{by_api.pk}/versions/", token).json()
    assert [v["number"] for v in versions] == [1] and versions[0]["snapshot"]["work_done"] == "完成产业专利分析。"
    detail = call(client, "get", f"/api/v1/zones/{zone.pk}/reports/{by_api.pk}/", token_for(provincial)).json()
    assert detail["content"]["next_plan"] == "组建运营基金。" and not detail["is_owner"]
    assert [t["name"] for t in detail["transitions"]] == ["return_report"]


def test_a_read_only_token_changes_nothing(client, zone, applicant):
    report = zone.reports.order_by("year", "quarter").first()
    response = call(client, "post", f"/api/v1/zones/{zone.pk}/reports/{report.pk}/transitions/submit/",
                    token_for(applicant, read_only=True), {"expected_state": "draft"})
    assert response.status_code == 403
    assert not ReportLog.objects.filter(report=report).exists()


def test_indicators_confirmed_by_the_province_through_the_api(client, zone, applicant, provincial, national):
    item = zone.indicator_sets.order_by("year").first()
    _submit_figures(item, applicant)
    url = f"/api/v1/zones/{zone.pk}/indicators/"
    row = call(client, "get", url, token_for(national)).json()[0]
    assert row["counted"] is False and row["figures"]["gross_output"] is None  # not yet confirmed
    seen = call(client, "get", url, token_for(provincial)).json()[0]
    assert seen["patented_sales_share"] == "85.00" and seen["patented_sales_met"] is True  # 85% itself meets it
    assert seen["rd_share"] == "5.00" and seen["rd_met"] is True  # 50.01 of 1000 is above 5%
    # Only the province confirms (the same workflow's roles): national staff get 403.
    confirm = f"/api/v1/zones/{zone.pk}/indicators/{item.year}/transitions/confirm/"
    assert call(client, "post", confirm, token_for(national), {"expected_state": "submitted"}).status_code == 403
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = call(client, "post", confirm, token_for(provincial),
                        {"expected_state": "submitted", "opinion": "经核实无误。"})
    assert response.status_code == 200, response.content
    item.refresh_from_db()
    assert item.state == IndicatorState.CONFIRMED
    assert AuditRecord.objects.filter(action="zone.indicators.confirm", actor=provincial).exists()
    detail = call(client, "get", f"{url}{item.year}/", token_for(national)).json()
    assert detail["counted"] and detail["figures"]["gross_output"] == "1000.00"
    rows = {r["field"]: r for r in detail["rows"]}
    target = zone.targets.get(year=item.year).output_target
    assert Decimal(rows["gross_output"]["target"]) == target
    client.force_login(national)  # the page shows the same plan target (it once showed 2 × actual − target)
    page_rows = client.get(reverse("zones:indicators", args=[zone.pk, item.year])).context["rows"]
    assert page_rows[0]["target"] == target and str(page_rows[0]["label"]) == rows["gross_output"]["label"]
    table = call(client, "get", "/api/v1/zones/", token_for(national)).json()["results"][0]
    assert table["latest_year"] == item.year and table["cells"]["patented_sales_share"]["status"] == "met"


def test_an_inspection_recorded_and_its_rectification_answered(client, zone, applicant, provincial, national):
    deadline = (timezone.localdate() + timedelta(days=30)).isoformat()
    url = f"/api/v1/zones/{zone.pk}/inspections/"
    past = {"inspected_on": timezone.localdate().isoformat(), "inspectors": "省局检查组", "findings": "基金未到位。",
            "requirement": "落实基金出资。"}
    refused = call(client, "post", url, token_for(provincial), past)
    assert refused.status_code == 400 and "deadline" in refused.json()["errors"]  # the service's refusal
    with TestCase.captureOnCommitCallbacks(execute=True):
        created = call(client, "post", url, token_for(provincial), {**past, "deadline": deadline})
    assert created.status_code == 201, created.content
    rect_id = created.json()["rectification"]["id"]
    listed = call(client, "get", url, token_for(applicant)).json()
    assert [t["name"] for t in listed[0]["rectification"]["transitions"]] == ["answer"]
    answer = f"/api/v1/zones/{zone.pk}/rectifications/{rect_id}/transitions/answer/"
    missing = call(client, "post", answer, token_for(applicant), {"expected_state": "open"})
    assert missing.status_code == 400 and "opinion" in missing.json()["errors"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        done = call(client, "post", answer, token_for(applicant), {"expected_state": "open", "opinion": "已出资。"})
    assert done.status_code == 200 and done.json()["state"] == RectificationState.ANSWERED
    close = f"/api/v1/zones/{zone.pk}/rectifications/{rect_id}/transitions/close/"
    assert call(client, "post", close, token_for(national), {"expected_state": "answered"}).status_code == 200
    assert call(client, "get", url, token_for(national)).json()[0]["rectification"]["state"] == "closed"


def test_the_zones_list_runs_a_fixed_number_ofcounted_get(client, zone, other_applicant, actors, national, make_expert):
    approved_zone(other_applicant, {**actors, Role.APPLICANT: other_applicant}, make_expert,
                  days_ago=years_ago(1), call_title="第二批")
    token = token_for(national)
    call(client, "get", "/api/v1/calls/", token)  # the first use stamps last_used_at
    small, body_small = counted_get(client, "/api/v1/zones/?page_size=1", token)
    large, body_large = counted_get(client, "/api/v1/zones/?page_size=50", token)
    assert small == large and len(body_small["results"]) == 1 and len(body_large["results"]) == 2
    filtered = call(client, "get", "/api/v1/zones/?state=accepted", token).json()
    assert filtered["results"] == []
    assert call(client, "get", "/api/v1/zones/?state=nonsense", token).status_code == 400
    for suffix in ("reports/", "indicators/", "inspections/"):
        first, _ = counted_get(client, f"/api/v1/zones/{zone.pk}/{suffix}", token)
        other = zone.__class__.objects.exclude(pk=zone.pk).get()
        second, _ = counted_get(client, f"/api/v1/zones/{other.pk}/{suffix}", token)
        assert first == second, suffix
