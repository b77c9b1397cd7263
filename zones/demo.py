"""Demo zones at different points of their five years, so every zone page has something to show.

- 成都 (approved today by the pipeline demo; `applicant_cd`, `province_sc`): moved to its second year,
  with its reports submitted but the last one late, its first year's indicators confirmed, and an
  inspection whose rectification is still open.
- 广州 (`applicant_gz`, 广东 `province_gd`): in its final year, applying for acceptance; three experts
  assigned, two have scored, the demo `expert` is left to score.
- 佛山 （`applicant_fs`, 广东）： accepted after its five years; the 验收意见 is rendered by the documents demo.
Idempotent: a zone already moved or walked is left as it is.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.enums import OrganisationKind, Role
from accounts.models import Organisation, Province
from applications.demo import fill_complete
from applications.enums import ApplicationState, CallStatus
from applications.models import Application, Call
from review import numbers
from review.demo import FINDINGS
from review.experts.demo import score_application_for_demo
from review.guards import FORMAL_CHECKLIST
from review.models import FormalReview
from review.transitions import perform

from . import acceptance, schedule, services
from .enums import IndicatorState, ReportState, ZoneState
from .models import AcceptanceAssignment, IndicatorSet, QuarterlyReport, Zone

PAST_CALL = "2021年度国家专利导航产业发展实验区申报（历史批次）"
EXTRA = [  # username, organisation, level, city, province code, industry, days since the 批复
    ("applicant_gz", "广州市人民政府", "sub_provincial", "广州市", "440000", "智能装备", 4 * 365 + 60),
    ("applicant_fs", "佛山市人民政府", "prefecture", "佛山市", "440000", "家电制造", 5 * 365 + 30),
]
REPORT_TEXT = {
    "task_mechanism": "召开领导小组会议，审议产业专利导航分析报告，明确年度重点。",
    "task_network": "新增协同运用网络成员单位5家，与两所高校签订订单式研发协议。",
    "task_projects": "专利储备运营项目累计收储核心专利42件，形成专利组合2个。",
    "task_services": "专利运用服务中心完成专利分析服务18项。",
    "task_enterprises": "12家企业通过《企业知识产权管理规范》认证。",
    "task_international": "支持企业提交PCT申请27件，参与行业标准制定1项。",
    "work_done": "完成季度专利导航分析，推进专利储备运营项目，组织企业培训3场。",
    "problems": "专利质押融资规模仍偏小。",
    "next_plan": "推动运营基金首期投资，开展海外专利布局辅导。",
}


def _user(username):
    return get_user_model().objects.filter(username=username).first()


def _province_user(zone):
    return get_user_model().objects.filter(role=Role.PROVINCIAL, organisation__province=zone.province_id,
                                           is_active=True).order_by("pk").first()


def _national():
    return get_user_model().objects.filter(role=Role.NATIONAL, is_active=True).order_by("pk").first()


def _move(zone, days):
    """The demo's shortcut through time: the period starts `days` ago (the schedule is rebuilt)."""
    start = timezone.localdate() - timedelta(days=days)
    Zone.objects.filter(pk=zone.pk).update(start_on=start, end_on=schedule.period_end(start))
    targets = list(zone.targets.order_by("year"))
    offset = start.year - targets[0].year if targets else 0
    for target in (targets if offset < 0 else reversed(targets)):  # never two rows on one year
        target.year += offset
        target.save(update_fields=["year"])
    QuarterlyReport.objects.filter(zone=zone).delete()
    IndicatorSet.objects.filter(zone=zone).delete()
    zone.refresh_from_db()
    services.build_schedule(zone, list(zone.targets.values_list("year", flat=True)))


def _report(zone, applicant, upto):
    """Submit every report due before `upto`."""
    for report in QuarterlyReport.objects.filter(zone=zone, due_on__lt=upto, state=ReportState.DRAFT):
        services.save_report(report, applicant, REPORT_TEXT)
        services.transition("report", report, applicant, "submit", expected_state=report.state)


def _indicators(zone, applicant, years, growth=Decimal("1.12")):
    province = _province_user(zone)
    output = Decimal("520")
    for item in IndicatorSet.objects.filter(zone=zone, year__in=years, state=IndicatorState.DRAFT).order_by("year"):
        figures = {"gross_output": output, "patented_sales": (output * Decimal("0.86")).quantize(Decimal("0.01")),
                   "rd_spending": (output * Decimal("0.052")).quantize(Decimal("0.01")),
                   "resident_enterprises": 300, "patents_per_10k": Decimal("32.5"), "industry_patents": 17000,
                   "invention_patents": 5200, "pledge_financing": Decimal("8.6"), "standards": 4, "service_staff": 96}
        services.save_indicators(item, applicant, figures)
        services.transition("indicators", item, applicant, "submit", expected_state=item.state)
        services.transition("indicators", item, province, "confirm", "经核实，数据与统计部门口径一致。",
                            expected_state=IndicatorState.SUBMITTED)
        output = (output * growth).quantize(Decimal("0.01"))


def _second_year_zone():
    zone = Zone.objects.filter(applicant__name="成都市人民政府").first()
    if zone is None or zone.start_on < timezone.localdate() - timedelta(days=300):
        return
    applicant = _user("applicant_cd")
    _move(zone, 365 + 100)
    today = timezone.localdate()
    late = QuarterlyReport.objects.filter(zone=zone, due_on__lt=today).order_by("-due_on").first()
    _report(zone, applicant, late.due_on if late else today)
    _indicators(zone, applicant, [zone.start_on.year])
    services.record_inspection(
        zone, _province_user(zone), inspected_on=today - timedelta(days=10), inspectors="四川省知识产权局检查组",
        findings="专利运营基金首期出资尚未到位；专利运用服务中心人员配备不足。",
        requirement="六十日内落实运营基金首期出资，补齐服务中心专职人员。", deadline=today + timedelta(days=60))


def _past_call():
    now = timezone.now()
    call, _ = Call.objects.get_or_create(title=PAST_CALL, defaults={
        "year": timezone.localdate().year - 5, "opens_on": timezone.localdate() - timedelta(days=6 * 365),
        "national_deadline": now + timedelta(days=1), "status": CallStatus.OPEN, "min_scores": 3})
    return call


def _approved(call, username, name, level, city, code, industry):
    """An application of the past call walked through the real pipeline to 批复 (which creates the zone)."""
    province = Province.objects.get(code=code)
    bureau = Organisation.objects.get(kind=OrganisationKind.PROVINCIAL_BUREAU, province=province)
    org, _ = Organisation.objects.update_or_create(kind=OrganisationKind.APPLICANT, name=name, defaults={
        "province": province, "level": level, "city": city, "parent": bureau})
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={
        "display_name": f"{city[:2]}实验区联系人", "role": Role.APPLICANT, "organisation": org,
        "email": f"{username}@demo.invalid"})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    application, _ = Application.objects.get_or_create(call=call, applicant=org, defaults={
        "province": province, "city": city})
    if application.state == ApplicationState.APPROVED:
        return application
    fill_complete(application, user, industry=industry)
    Application.objects.filter(pk=application.pk).update(industry_name=industry,
                                                         zone_name=f"{city}{industry}专利导航产业发展实验区")
    application.refresh_from_db()
    provincial, national = _province_user(application), _national()
    for name_, actor, opinion, extra in (("submit", user, "", None), ("start_provincial_review", provincial, "", None),
                                         ("recommend", provincial, "产业基础扎实，同意推荐。", dict(FINDINGS)),
                                         ("start_national_review", national, "", None)):
        perform(application, actor, name_, opinion, expected_state=application.state, extra=extra)
    FormalReview.objects.update_or_create(application=application, version=application.current_version, defaults={
        "checklist": {key: True for key, _label in FORMAL_CHECKLIST}, "reviewer": national})
    perform(application, national, "send_to_experts", "材料齐全。", expected_state=application.state)
    score_application_for_demo(application, call.min_scores)
    perform(application, national, "approve", "同意批复建设方案。", expected_state=application.state,
            extra={"document_number": numbers.proposed(numbers.issuer_of(national))})
    application.refresh_from_db()
    return application


def _acceptance_zone(application, days, decide):
    zone = application.zone
    if zone.state != ZoneState.CONSTRUCTION or zone.start_on < timezone.localdate() - timedelta(days=days - 30):
        return zone
    applicant = get_user_model().objects.filter(organisation=zone.applicant, role=Role.APPLICANT).first()
    national = _national()
    _move(zone, days)
    today = timezone.localdate()
    _report(zone, applicant, today)
    _indicators(zone, applicant, [y for y in zone.indicator_sets.values_list("year", flat=True) if y < today.year])
    services.save_acceptance_summary(
        zone, applicant, "五年来，实验区产业集聚成效明显，工业总产值年均增长12%；专利产品销售收入占工业总产值86%,"
                         "企业研发总投入占比5.2%；六项主要任务全部落实。")
    services.transition("zone", zone, applicant, "apply_acceptance", expected_state=zone.state)
    services.transition("zone", zone, national, "start_acceptance_review", expected_state=zone.state)
    round_ = zone.acceptance_rounds.order_by("-number").first()
    deadline = timezone.make_aware(datetime.combine(today + timedelta(days=20), datetime.min.time()).replace(hour=17))
    acceptance.auto_assign(round_, national, per_round=3, deadline=deadline)
    lead = _user("expert")
    criteria = acceptance.ensure_rubric(round_)
    todo = AcceptanceAssignment.objects.filter(round=round_).select_related("expert").order_by("pk")
    for i, a in enumerate(todo):
        if not decide and a.expert_id == getattr(lead, "pk", None):
            continue
        acceptance.record_opened(a)
        acceptance.save_score(a, a.expert, {c.pk: Decimal(17 + (i + j) % 3) for j, c in enumerate(criteria)},
                              "accept", "建设目标基本实现，工作机制健全，建议通过验收。", final=True)
    if decide:
        services.transition("zone", zone, national, "accept",
                            "实验区建设期目标基本实现，专利导航产业发展工作机制运行良好，同意通过验收。",
                            expected_state=zone.state,
                            # The 验收意见's 文号: the national office's next number from the registry.
                            extra={"document_number": numbers.proposed(numbers.issuer_of(national))})
    return zone


@transaction.atomic
def seed_zones():
    _second_year_zone()
    call = _past_call()
    zones = []
    for username, name, level, city, code, industry, days in EXTRA:
        application = _approved(call, username, name, level, city, code, industry)
        zones.append((application, days))
    Call.objects.filter(pk=call.pk).update(national_deadline=timezone.now() - timedelta(days=5 * 365),
                                           status=CallStatus.ARCHIVED)
    for (application, days), decide in zip(zones, (False, True), strict=True):
        _acceptance_zone(application, days, decide)
