"""The zone after 批复 (guide 五(二)、五(三)) on PostgreSQL: created by the 批复 in the same transaction;
quarterly reports as frozen versions, returned and resubmitted; overdue flags and reminders sent once;
annual indicators counted nationally only once the province confirmed them; inspections and
rectifications; 总结验收 through expert scoring to each outcome; revocation; the access matrix."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from accounts.models import Organisation
from applications.demo import demo_upload
from applications.enums import ApplicationState as S
from audit.models import AuditRecord
from documents import services as documents
from documents.enums import DocumentKind
from documents.production import render
from notifications.models import Notification
from review import numbers
from review.enums import AssignmentStatus
from review.models import Approval, DocumentNumber
from review.transitions import perform
from tests.pipeline_support import add_scores, application_in, extra_for
from tests.zones_support import FIGURES, approved_zone, years_ago
from workflow.machine import TransitionError
from workflow.models import AppendOnlyError
from zones import acceptance, queries, reminders, schedule, services
from zones.enums import IndicatorState, RectificationState, ReportState, TargetStatus, ZoneState
from zones.models import AcceptanceAssignment, IndicatorSet, QuarterlyReport, ReportVersion, Zone, ZoneLog

pytestmark = pytest.mark.django_db



def do(kind, obj, user, name, opinion="", **extra):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.transition(kind, obj, user, name, opinion, expected_state=obj.state, extra=extra or None)


# --- creation ---------------------------------------------------------------------------------


def test_the_approval_creates_the_zone_with_its_period_and_targets(applicant, actors, make_expert):
    zone = approved_zone(applicant, actors, make_expert)
    application = zone.application
    assert application.state == S.APPROVED and zone.state == ZoneState.CONSTRUCTION
    today = timezone.localdate()
    assert zone.start_on == today and zone.end_on == schedule.period_end(today)
    snap = application.versions.get(number=application.current_version).snapshot
    assert zone.name == snap["zone_name"] and zone.province_id == application.province_id
    # The 批复's number from the registry (the national office's code, this year, serial 1).
    assert zone.approval_number == application.approval.document_number
    assert zone.approval_number.endswith(f"\u3014{numbers.this_year()}\u30151\u53f7")
    targets = list(zone.targets.order_by("year"))
    assert [t.year for t in targets] == [y["year"] for y in snap["plan_years"]]
    assert targets[0].output_target == Decimal(snap["plan_years"][0]["output_target"])
    assert zone.reports.count() == len(schedule.quarters(zone.start_on, zone.end_on))
    assert zone.indicator_sets.count() == 5
    # Told: the city and its province.
    assert Notification.objects.filter(subject__contains="进入建设期", recipient__role=Role.APPLICANT).exists()


def test_a_failing_zone_creation_rolls_the_approval_back(applicant, actors, make_expert, monkeypatch):
    application = application_in(S.EXPERT_REVIEW, applicant, actors, make_expert)
    add_scores(application, application.call.min_scores, make_expert, actors[Role.NATIONAL])

    def broken(*args, **kwargs):
        raise RuntimeError("zone table unavailable")

    monkeypatch.setattr(services, "create_zone", broken)
    with pytest.raises(RuntimeError):
        perform(application, actors[Role.NATIONAL], "approve", "同意。", expected_state=application.state,
                extra=extra_for("approve"))
    application.refresh_from_db()
    assert application.state == S.EXPERT_REVIEW
    assert not Zone.objects.filter(application=application).exists()
    assert not application.log.filter(transition="approve").exists()
    assert not Approval.objects.filter(application=application).exists()


# --- quarterly reports ------------------------------------------------------------------------


def test_report_returned_and_resubmitted_keeps_both_versions(zone, applicant, provincial, national):
    report = zone.reports.order_by("year", "quarter").first()
    services.save_report(report, applicant, {"work_done": "完成产业专利分析。", "next_plan": "组建运营基金。",
                                             "task_mechanism": "成立领导小组。"})
    services.attach_to_report(report, applicant, demo_upload("进展.pdf", "q1"), "附件一")
    do("report", report, applicant, "submit")
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED and report.current_version == 1
    with pytest.raises(services.ZoneError):
        services.save_report(report, applicant, {"work_done": "改动"})
    do("report", report, provincial, "return_report", "请补充任务三的进展。")
    services.save_report(report, applicant, {"task_projects": "启动两个专利储备运营项目。"})
    do("report", report, applicant, "resubmit")
    v1, v2 = ReportVersion.objects.filter(report=report).order_by("number")
    assert v1.snapshot["task_projects"] == "" and v2.snapshot["task_projects"] == "启动两个专利储备运营项目。"
    assert v1.snapshot["work_done"] == v2.snapshot["work_done"] == "完成产业专利分析。"
    assert v1.attachments.count() == v2.attachments.count() == 1
    assert list(report.log.values_list("transition", "version")) == [
        ("submit", 1), ("return_report", 1), ("resubmit", 2)]
    do("report", report, national, "return_report", "国家局:请附统计口径说明。")
    assert ReportVersion.objects.filter(report=report).count() == 2  # a return never changes a version
    assert AuditRecord.objects.filter(action="zone.report.return_report").count() == 2


def test_incomplete_or_future_reports_are_refused(zone, applicant):
    report = zone.reports.order_by("year", "quarter").first()
    with pytest.raises(TransitionError, match="下季度工作计划"):
        do("report", report, applicant, "submit")
    future = QuarterlyReport.objects.filter(zone=zone, period_start__gt=timezone.localdate()).first()
    with pytest.raises(services.ZoneError):
        services.save_report(future, applicant, {"work_done": "x"})


def test_overdue_flags_and_reminders_are_sent_once(zone, applicant, provincial):
    today = timezone.localdate()
    page = queries.zone_page(zone, today)
    overdue = page.overdue_reports
    assert overdue and all(r.due_on < today for r in overdue)
    assert not any(r.period_start > today for r in overdue)
    rows = {row.zone.pk: row for row in queries.zone_table(provincial)}
    assert rows[zone.pk].overdue_reports == len(overdue)
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        first = reminders.remind(today)
    assert first["overdue"] > 0
    n = Notification.objects.filter(subject__startswith="逾期").count()
    assert n == first["overdue"]
    assert Notification.objects.filter(subject__startswith="逾期", recipient=provincial).exists()
    with TestCase.captureOnCommitCallbacks(execute=True):
        again = reminders.remind(today)
    assert again == {"due": 0, "overdue": 0, "rectification": 0}
    assert Notification.objects.filter(subject__startswith="逾期").count() == n
    # A report becoming due within the week is reminded (once) before its date.
    upcoming = QuarterlyReport.objects.filter(zone=zone, due_on__gt=today).order_by("due_on").first()
    before = upcoming.due_on - timedelta(days=3)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert reminders.remind(before)["due"] >= 1
        assert reminders.remind(before)["due"] == 0


def test_beat_runs_the_zone_reminders():
    assert settings.CELERY_BEAT_SCHEDULE["zone-reminders"]["task"] == "zones.tasks.send_zone_reminders"


# --- annual indicators -----------------------------------------------------------------------


def _submit_figures(item, applicant, **figures):
    services.save_indicators(item, applicant, {**FIGURES, **figures})
    do("indicators", item, applicant, "submit" if item.state == IndicatorState.DRAFT else "resubmit")
    item.refresh_from_db()


def test_the_province_must_confirm_before_the_national_office_counts_a_figure(zone, applicant, provincial, national):
    first = zone.indicator_sets.order_by("year").first()
    _submit_figures(first, applicant, patented_sales=Decimal("849.90"))
    row = queries.zone_table(national)[0]
    assert row.cells["patented_sales_share"].status == TargetStatus.NOT_REPORTED
    page = queries.zone_page(zone, confirmed_only=True)
    assert page.years[0].figures["gross_output"] is None
    do("indicators", first, provincial, "return_indicators", "专利产品销售收入与统计公报不符。")
    _submit_figures(first, applicant, patented_sales=Decimal("850"))
    assert list(first.log.values_list("figures__patented_sales", flat=True)) == ["849.90", "849.90", "850.00"]
    with pytest.raises(TransitionError):
        do("indicators", first, national, "confirm")  # only the province confirms
    do("indicators", first, provincial, "confirm", "经核实无误。")
    row = queries.zone_table(national)[0]
    assert row.cells["patented_sales_share"].status == TargetStatus.MET
    assert row.cells["patented_sales_share"].figure == Decimal("85.00")
    assert row.cells["rd_share"].status == TargetStatus.MET  # 50.01 of 1000 is above 5%
    assert str(row.cells["rd_share"].figure) == "5.001"  # and is not shown as "5.00" beside "met"
    assert row.latest_year == first.year
    page = queries.zone_page(zone, confirmed_only=True)
    assert page.years[0].figures["gross_output"] == Decimal("1000.00")


def test_indicators_growth_and_plan_against_the_previous_year(zone, applicant, provincial, national):
    first, second = list(zone.indicator_sets.order_by("year"))[:2]
    _submit_figures(first, applicant)
    _submit_figures(second, applicant, gross_output=Decimal("1100"), patented_sales=Decimal("934.99"),
                    rd_spending=Decimal("55"))
    for item in (first, second):
        do("indicators", item, provincial, "confirm")
    years = queries.zone_page(zone, confirmed_only=True).years
    assert years[1].growth("gross_output") == Decimal("10")
    target = zone.targets.get(year=second.year).output_target
    assert years[1].against_plan("gross_output")["difference"] == Decimal("1100") - target
    row = queries.zone_table(national)[0]
    assert row.cells["patented_sales_share"].status == TargetStatus.BEHIND  # 84.999…%, and falling
    assert row.cells["rd_share"].status == TargetStatus.BEHIND  # exactly 5% is not above it


def test_invention_patents_cannot_exceed_industry_patents(zone, applicant):
    item = zone.indicator_sets.order_by("year").first()
    with pytest.raises(services.ZoneError) as info:
        services.save_indicators(item, applicant, {**FIGURES, "invention_patents": 20000})
    assert "invention_patents" in info.value.field_errors


def test_a_year_not_yet_over_cannot_be_submitted(zone, applicant):
    item = IndicatorSet.objects.filter(zone=zone, year__gte=timezone.localdate().year).first()
    services.save_indicators(item, applicant, FIGURES)
    with pytest.raises(TransitionError, match="年度结束后"):
        do("indicators", item, applicant, "submit")


# --- supervision --------------------------------------------------------------------------------


def test_an_inspection_rectification_is_opened_answered_and_closed(zone, applicant, provincial, national):
    deadline = timezone.localdate() + timedelta(days=30)
    with TestCase.captureOnCommitCallbacks(execute=True):
        inspection = services.record_inspection(
            zone, provincial, inspected_on=timezone.localdate(), inspectors="省局检查组",
            findings="专利运营基金未按方案到位。", requirement="三十日内落实基金出资。", deadline=deadline)
    rectification = inspection.rectification
    assert rectification.state == RectificationState.OPEN
    assert queries.zone_table(national)[0].open_rectifications == 1
    assert Notification.objects.filter(recipient=applicant, subject__contains="监督检查").exists()
    with pytest.raises(TransitionError):
        do("rectification", rectification, applicant, "answer")  # an answer must say what was done
    do("rectification", rectification, applicant, "answer", "基金首期出资已到位。")
    do("rectification", rectification, national, "reopen", "请附出资凭证。")
    do("rectification", rectification, applicant, "answer", "已附出资凭证。")
    do("rectification", rectification, provincial, "close", "整改到位。")
    rectification.refresh_from_db()
    assert rectification.state == RectificationState.CLOSED and rectification.response == "已附出资凭证。"
    assert queries.zone_table(national)[0].open_rectifications == 0
    audited = AuditRecord.objects.get(action="zone.inspection")
    # The audit trail names the inspection; what it found is business data the auditor does not read.
    assert audited.details["inspection"] == inspection.pk and audited.details["rectification"] == rectification.pk
    assert "基金" not in audited.reason + str(audited.details)
    closed = AuditRecord.objects.get(action="zone.rectification.close")
    assert closed.details == {"transition": "close", "from_state": RectificationState.ANSWERED,
                              "to_state": RectificationState.CLOSED} and closed.reason == ""


def test_a_city_cannot_inspect_and_deadlines_are_checked(zone, applicant, provincial):
    with pytest.raises(services.ZoneError):
        services.record_inspection(zone, applicant, inspected_on=timezone.localdate(), inspectors="x", findings="y")
    with pytest.raises(services.ZoneError) as info:
        services.record_inspection(zone, provincial, inspected_on=timezone.localdate(), inspectors="x",
                                   findings="y", requirement="整改", deadline=None)
    assert "deadline" in info.value.field_errors


# --- 总结验收 ---------------------------------------------------------------------------------


@pytest.fixture
def final_year_zone(applicant, actors, make_expert):
    return approved_zone(applicant, actors, make_expert, days_ago=years_ago(4), call_title="最后一年批次")


def _panel(make_expert, n=4):
    # 江苏 (the applicant's province) experts are never chosen: one of them is on the list.
    return [make_expert("320000", "南京大学")] + [make_expert(code, f"验收专家单位{i}")
                                                 for i, code in enumerate(["110000", "440000", "420000", "510000"][:n])]


def _score_all(round_, recommendation="accept"):
    criteria = acceptance.ensure_rubric(round_)
    for a in AcceptanceAssignment.objects.filter(round=round_, status=AssignmentStatus.ASSIGNED):
        acceptance.record_opened(a)
        acceptance.save_score(a, a.expert, {c.pk: Decimal("18") for c in criteria}, recommendation,
                              "建设成效明显。", final=True)


def _into_review(zone, applicant, national, make_expert, summary="建设期工作总结。"):
    services.save_acceptance_summary(zone, applicant, summary)
    if zone.state == ZoneState.CONSTRUCTION:
        do("zone", zone, applicant, "apply_acceptance")
        do("zone", zone, national, "start_acceptance_review")
    else:
        do("zone", zone, applicant, "resubmit_acceptance")
    round_ = queries.current_round(zone)
    result = acceptance.auto_assign(round_, national, per_round=3)
    assert len(result.created) == 3 and result.missing == 0
    return round_


def test_acceptance_only_in_the_final_year(zone, applicant):
    services.save_acceptance_summary(zone, applicant, "总结。")
    with pytest.raises(TransitionError, match="最后一年"):
        do("zone", zone, applicant, "apply_acceptance")


def test_acceptance_through_expert_scoring_to_acceptance(final_year_zone, applicant, national, make_expert):
    zone = final_year_zone
    _panel(make_expert)
    with pytest.raises(TransitionError, match="总结报告"):
        do("zone", zone, applicant, "apply_acceptance")
    round_ = _into_review(zone, applicant, national, make_expert)
    chosen = list(AcceptanceAssignment.objects.filter(round=round_).select_related("expert__expert_profile"))
    assert all(a.expert.expert_profile.home_province_id != zone.province_id for a in chosen)
    assert len(acceptance.ensure_rubric(round_)) == 5
    first = chosen[0]
    acceptance.record_opened(first)
    acceptance.save_score(first, first.expert, {c.pk: Decimal("19") for c in acceptance.ensure_rubric(round_)},
                          "accept", "好。", final=True)
    with pytest.raises(TransitionError, match="至少需要 3 份"):
        do("zone", zone, national, "accept", "通过。", document_number=numbers.proposed(national.organisation))
    _score_all(round_)
    number = numbers.proposed(national.organisation)
    do("zone", zone, national, "accept", "实验区建设目标基本实现,同意通过验收。", document_number=number)
    zone.refresh_from_db()
    round_.refresh_from_db()
    assert zone.state == ZoneState.ACCEPTED and round_.decision == "accepted"
    assert round_.document_number == number
    # Registered in the national office's 文号 registry and written on the decision's log entry.
    assert DocumentNumber.objects.get(number=number, transition="accept").application_id == zone.application_id
    assert ZoneLog.objects.get(zone=zone, transition="accept").document_number == number
    with pytest.raises(acceptance.AcceptanceError):
        acceptance.save_score(first, first.expert, {}, "accept", "", final=False)
    assert AuditRecord.objects.filter(action="zone.zone.accept").exists()
    # The 验收意见 is an official document of the documents pipeline.
    document = documents.request_document(DocumentKind.ACCEPTANCE_OPINION, application=zone.application)
    document = render(document.pk)
    assert document.status == "ready" and document.page_count >= 1


def test_rectification_then_a_second_review(final_year_zone, applicant, national, make_expert):
    zone = final_year_zone
    _panel(make_expert)
    round_ = _into_review(zone, applicant, national, make_expert)
    _score_all(round_, "rectify")
    with pytest.raises(TransitionError):
        do("zone", zone, national, "require_rectification", "专利质押融资未达预期。")  # the deadline is required
    do("zone", zone, national, "require_rectification", "专利质押融资未达预期,限期整改。",
       rectify_by=timezone.localdate() + timedelta(days=90))
    zone.refresh_from_db()
    assert zone.state == ZoneState.RECTIFYING
    second = _into_review(zone, applicant, national, make_expert, summary="整改报告:质押融资已达12亿元。")
    assert second.number == 2 and second.pk != round_.pk
    assert [c.name for c in acceptance.ensure_rubric(second)] == [c.name for c in acceptance.ensure_rubric(round_)]
    _score_all(second)
    do("zone", zone, national, "accept", "整改到位,通过验收。", document_number=numbers.proposed(national.organisation))
    zone.refresh_from_db()
    assert zone.state == ZoneState.ACCEPTED
    assert list(zone.acceptance_rounds.values_list("decision", flat=True)) == ["rectify", "accepted"]


def test_not_accepted_and_revocation(final_year_zone, applicant, national, make_expert, zone):
    _panel(make_expert)
    round_ = _into_review(final_year_zone, applicant, national, make_expert)
    _score_all(round_, "reject")
    do("zone", final_year_zone, national, "not_accept", "主要目标未实现。")
    final_year_zone.refresh_from_db()
    assert final_year_zone.state == ZoneState.NOT_ACCEPTED
    with pytest.raises(TransitionError):
        do("zone", zone, national, "revoke")  # a written reason is required
    with pytest.raises(TransitionError):
        do("zone", zone, applicant, "revoke", "自行撤销")
    do("zone", zone, national, "revoke", "弄虚作假,撤销实验区。")
    zone.refresh_from_db()
    assert zone.state == ZoneState.REVOKED
    entry = ZoneLog.objects.get(zone=zone, transition="revoke")
    assert entry.opinion == "弄虚作假,撤销实验区。" and entry.actor == national
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert AuditRecord.objects.filter(action="zone.zone.revoke", result="success").exists()
    assert AuditRecord.objects.filter(action="zone.zone.revoke", result="refused").count() == 2


# --- access ------------------------------------------------------------------------------------


def _pages(zone):
    report = zone.reports.order_by("year", "quarter").first()
    item = zone.indicator_sets.order_by("year").first()
    return [reverse("zones:detail", args=[zone.pk]), reverse("zones:report", args=[zone.pk, report.pk]),
            reverse("zones:indicators", args=[zone.pk, item.year]), reverse("zones:acceptance", args=[zone.pk]),
            reverse("zones:inspection", args=[zone.pk]),
            reverse("zones:for_application", args=[zone.application_id])]


def test_another_province_or_city_meets_404_for_every_page_and_file(client, zone, applicant, other_applicant,
                                                                   foreign_applicant, foreign_provincial, provincial,
                                                                   national, expert):
    study = services.upload_study(zone, national, demo_upload("研究.pdf", "study"), title="跟踪研究", institution="某研究院")
    report = zone.reports.order_by("year", "quarter").first()
    draft_file = services.attach_to_report(report, applicant, demo_upload("草稿附件.pdf", "draft"))
    urls = [*_pages(zone), reverse("zones:file", args=[study.pk]), reverse("zones:file", args=[draft_file.pk])]
    for outsider in (other_applicant, foreign_applicant, foreign_provincial, expert):
        client.force_login(outsider)
        for url in urls:
            assert client.get(url).status_code == 404, (outsider.role, url)
    # In scope: the city (everything of its own), its province, the national office.
    client.force_login(applicant)
    assert client.get(reverse("zones:file", args=[draft_file.pk])).status_code == 200
    for insider in (provincial, national):
        client.force_login(insider)
        assert client.get(reverse("zones:detail", args=[zone.pk])).status_code == 200
        assert client.get(reverse("zones:file", args=[study.pk])).status_code == 200
        assert client.get(reverse("zones:file", args=[draft_file.pk])).status_code == 404  # never submitted
    client.force_login(foreign_provincial)
    assert client.get(reverse("zones:index")).status_code == 200
    assert zone.name not in client.get(reverse("zones:index")).content.decode()


def test_experts_see_only_their_acceptance_assignments(client, final_year_zone, applicant, national, make_expert):
    zone = final_year_zone
    panel = _panel(make_expert)
    services.save_acceptance_summary(zone, applicant, "建设期工作总结。")
    services.attach_to_acceptance(zone, applicant, demo_upload("总结.pdf", "summary"))
    round_ = _into_review(zone, applicant, national, make_expert)
    material = zone.files.get(purpose="acceptance")
    assigned = {a.expert_id: a for a in AcceptanceAssignment.objects.filter(round=round_)}
    inside = next(iter(assigned.values())).expert
    outside = panel[0]  # from the zone's own province: never assigned
    assert outside.pk not in assigned
    client.force_login(inside)
    workspace = client.get(reverse("review:expert_workspace")).content.decode()
    assert zone.name in workspace
    a = assigned[inside.pk]
    assert client.get(reverse("zones:acceptance_score", args=[a.pk])).status_code == 200
    assert client.get(reverse("zones:file", args=[material.pk])).status_code == 200
    other = next(x for x in assigned.values() if x.expert_id != inside.pk)
    for url in (reverse("zones:acceptance_score", args=[other.pk]), reverse("zones:acceptance_assignment", args=[other.pk]),
                reverse("zones:detail", args=[zone.pk]), reverse("zones:acceptance", args=[zone.pk])):
        assert client.get(url).status_code == 404, url
    client.force_login(outside)
    assert zone.name not in client.get(reverse("review:expert_workspace")).content.decode()
    assert client.get(reverse("zones:file", args=[material.pk])).status_code == 404
    assert client.get(reverse("zones:acceptance_score", args=[a.pk])).status_code == 404


# --- pages and query counts ---------------------------------------------------------------------


def test_pages_render_for_every_role(client, zone, applicant, provincial, national):
    first = zone.indicator_sets.order_by("year").first()
    _submit_figures(first, applicant)
    for user in (applicant, provincial, national):
        client.force_login(user)
        for url in _pages(zone)[:4]:
            response = client.get(url, follow=True)
            assert response.status_code == 200, (user.role, url)
        assert client.get(reverse("zones:activities")).status_code == 200
    client.force_login(national)
    page = client.get(reverse("zones:detail", args=[zone.pk])).content.decode()
    assert "<svg" in page and "<table" in page


@override_settings(PAGE_CACHE_SECONDS=0)
def _count(client, url):
    # Rendered each time (pagecache off): the count is the page's own, not a cached page's (test_pagecache).
    # Once unmeasured: what the cache keeps (session, policy, choice lists, unread count) is read again after
    # the rows it describes changed; the count compared is the page's own, whatever the number of rows.
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_national_table_and_zone_page_stay_within_fixed_queries(client, applicant, other_applicant, actors,
                                                               national, make_expert, make_user):
    zone = approved_zone(applicant, actors, make_expert, days_ago=years_ago(3))
    client.force_login(national)
    table_one = _count(client, reverse("zones:index"))
    page_one = _count(client, reverse("zones:detail", args=[zone.pk]))
    bureau = Organisation.objects.get(kind="provincial", province=applicant.organisation.province)
    more = {**actors, Role.PROVINCIAL: make_user(Role.PROVINCIAL, bureau)}
    for i in range(3):
        org = Organisation.objects.create(kind="applicant", name=f"测试市{i}", province=applicant.organisation.province,
                                          level="prefecture", city=f"测试{i}")
        user = make_user(Role.APPLICANT, org)
        approved_zone(user, {**more, Role.APPLICANT: user}, make_expert, days_ago=years_ago(4), call_title=f"批次{i}")
    for item in zone.indicator_sets.order_by("year")[:2]:
        _submit_figures(item, applicant)
        do("indicators", item, actors[Role.PROVINCIAL], "confirm")
    for report in zone.reports.filter(period_start__lte=timezone.localdate())[:3]:
        services.save_report(report, applicant, {"work_done": "工作。", "next_plan": "计划。"})
        do("report", report, applicant, "submit")
    assert _count(client, reverse("zones:index")) == table_one
    assert _count(client, reverse("zones:detail", args=[zone.pk])) == page_one
