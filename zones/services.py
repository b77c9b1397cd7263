"""Changes of the zones. Pages, the admin, the demo and tests call these functions; each checks its
rule and raises ZoneError (a workflow.errors.Refused) with a message for the user when it refuses.
States change only through the workflows in zones/transitions.py (`transition()` here adds the
audit record)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.enums import Role
from applications.uploads import sha256_of, validate_upload
from audit.services import record
from workflow import editing
from workflow.errors import Refused
from workflow.machine import TransitionError

from . import notices, schedule
from .enums import FilePurpose, ZoneState
from .models import (
    AcceptanceRound,
    ActivityRegistration,
    ExchangeActivity,
    IndicatorSet,
    Inspection,
    QuarterlyReport,
    Rectification,
    Zone,
    ZoneFile,
    ZoneTarget,
)
from .queries import can_see_zone, zones_for
from .states import INDICATOR_STATES, REPORT_STATES
from .transitions import WORKFLOWS
from .transitions import answer_conflict as answer_conflict  # re-exported for the pages
from .transitions import answer_version as answer_version  # idem

REPORT_FIELDS = ("task_mechanism", "task_network", "task_projects", "task_services", "task_enterprises",
                 "task_international", "work_done", "problems", "next_plan")
FIGURE_FIELDS = ("gross_output", "patented_sales", "rd_spending", "resident_enterprises", "patents_per_10k",
                 "industry_patents", "invention_patents", "pledge_financing", "standards", "service_staff")
ACTIVE_STATES = (ZoneState.CONSTRUCTION, ZoneState.ACCEPTANCE_APPLIED, ZoneState.ACCEPTANCE_REVIEW,
                 ZoneState.RECTIFYING)


class ZoneError(Refused):
    """Refused; the message is for the user."""


def _refuse(message, field=None):
    raise ZoneError(message, {field: message} if field else None)


def _owner(user, zone):
    if not (user.is_authenticated and user.role == Role.APPLICANT and user.organisation_id == zone.applicant_id):
        _refuse(gettext("只有该实验区的建设主体可以填写。"))


def _active(zone):
    if zone.state not in ACTIVE_STATES:
        _refuse(gettext("实验区已结束建设期管理，不能再修改。"))


# --- creation at 批复 -------------------------------------------------------------------------


def create_zone(application, user=None, document_number: str = "", start_on: date | None = None) -> Zone:
    """The zone of an approved application, from its approved (current) version: its period, the
    plan's five yearly targets, every quarter's report and every year's indicator set."""
    version = application.versions.get(number=application.current_version)
    snap = version.snapshot
    start_on = start_on or timezone.localdate()
    end_on = schedule.period_end(start_on)
    zone = Zone.objects.create(
        application=application, name=snap.get("zone_name") or str(application), applicant_id=application.applicant_id,
        province_id=application.province_id, city=snap.get("city") or "", industry=snap.get("industry_name") or "",
        scope=snap.get("zone_scope") or "", approval_number=document_number or "", start_on=start_on, end_on=end_on,
        lead_department=snap.get("lead_department") or "", contact_name=snap.get("contact_name") or "",
        contact_phone=snap.get("contact_phone") or "", contact_email=snap.get("contact_email") or "")
    plan_years = snap.get("plan_years") or []
    ZoneTarget.objects.bulk_create([
        ZoneTarget(zone=zone, year=y["year"], milestones=y.get("milestones") or "",
                   output_target=y.get("output_target"), patented_sales_target=y.get("patented_sales_target"),
                   rd_target=y.get("rd_target"), patents_target=y.get("patents_target"))
        for y in plan_years if y.get("year")])
    build_schedule(zone, [y["year"] for y in plan_years if y.get("year")])
    transaction.on_commit(lambda: notices.zone_created(zone))
    return zone


def build_schedule(zone, plan_years=None) -> None:
    """Every quarter's report and every year's indicator set of the zone's period (created once)."""
    QuarterlyReport.objects.bulk_create([
        QuarterlyReport(zone=zone, year=q.year, quarter=q.quarter, period_start=q.period_start,
                        period_end=q.period_end, due_on=q.due_on)
        for q in schedule.quarters(zone.start_on, zone.end_on)], ignore_conflicts=True)
    IndicatorSet.objects.bulk_create([
        IndicatorSet(zone=zone, year=year, due_on=schedule.indicator_due(year))
        for year in schedule.indicator_years(zone.start_on, plan_years)], ignore_conflicts=True)


def create_at_approval(application, user, transition, context):
    """Registered on the application pipeline's `approve` (zones.apps): the 批复 creates the zone in its
    own transaction, so a failure here leaves the application unapproved."""
    create_zone(application, user, context.get("document_number", ""))


# --- transitions ------------------------------------------------------------------------------


def transition(kind: str, obj, user, name: str, opinion: str = "", *, expected_state: str | None = None,
               extra: dict | None = None):
    """Perform a transition of a zone ("zone"), report, indicator set or rectification, and write the
    audit record of the decision (a refusal is recorded too)."""
    workflow = WORKFLOWS[kind]
    action = f"zone.{kind}.{name}"
    try:
        entry = workflow.perform(obj, user, name, opinion, expected_state=expected_state, extra=extra)
    except TransitionError as exc:
        record(action, actor=user, obj=obj, result="refused", reason=exc.message)
        raise
    # As for applications: the step and the states, and the 文号 it issued; the opinion and the typed
    # values stay in the zone's own log (business data, which the 审计管理员 does not read).
    details = {"transition": name, "from_state": entry.from_state, "to_state": entry.to_state}
    if (extra or {}).get("document_number"):
        details["document_number"] = str(extra["document_number"])
    record(action, actor=user, obj=obj, details=details)
    return entry


def refusal(kind: str, obj, user, name: str, opinion: str = "", extra: dict | None = None):
    """The TransitionError the step would meet now, or None: for the page that confirms it first."""
    return WORKFLOWS[kind].refusal(obj, user, name, opinion, extra)


# --- quarterly reports --------------------------------------------------------------------------


def report_version(report) -> str:
    """The version of a report's draft its form carries (workflow.editing)."""
    return editing.token({"report": editing.instance_values(report, REPORT_FIELDS)})


def save_report(report, user, data: dict, *, loaded: str | None = None, form=None) -> QuarterlyReport:
    """Save the draft of a quarterly report (the owner, while it is a draft or returned).

    With `loaded` (report_version, carried by the page's form) only the fields this person changed are
    written, and a save after someone else saved the draft is refused with workflow.editing.EditConflict
    (nothing written)."""
    merge = editing.Merge(editing.read(loaded))
    with transaction.atomic():
        locked = QuarterlyReport.objects.select_for_update(of=("self",)).select_related("zone").get(pk=report.pk)
        _owner(user, locked.zone)
        _active(locked.zone)
        if not REPORT_STATES[locked.state].owner_may_edit:
            _refuse(gettext("报告已报送，不能修改；如需修改请等待退回。"))
        if locked.period_start > timezone.localdate():
            _refuse(gettext("该季度尚未开始，不能填写。"))
        mine = {name: (data[name] or "").strip() for name in REPORT_FIELDS if name in data}
        changed = merge.form("report", form, list(mine), locked, mine=mine)
        merge.check()
        for name in changed:
            setattr(locked, name, mine[name])
        locked.save()
    return locked


def _store(zone, purpose, upload, user, **links) -> ZoneFile:
    try:
        content_type = validate_upload(upload)
    except ValidationError as exc:
        _refuse(exc.messages[0], "file")
    name = (getattr(upload, "name", "") or "file").replace("\\", "/").rsplit("/", 1)[-1][:255]
    item = ZoneFile(zone=zone, purpose=purpose, original_name=name, content_type=content_type, size=upload.size,
                    sha256=sha256_of(upload), uploaded_by=user, **links)
    suffix = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}[content_type]
    item.file.save("file" + suffix, upload, save=False)
    item.save()
    return item


def attach_to_report(report, user, upload, title="") -> ZoneFile:
    _owner(user, report.zone)
    if not REPORT_STATES[report.state].owner_may_edit:
        _refuse(gettext("报告已报送，不能再添加附件。"), "file")
    return _store(report.zone, FilePurpose.REPORT, upload, user, report=report, title=(title or "")[:200])


def withdraw_file(item, user) -> None:
    """The owner takes back an attachment of a draft; the file stays for versions that refer to it."""
    _owner(user, item.zone)
    editable = ((item.report_id and REPORT_STATES[item.report.state].owner_may_edit)
                or (item.indicator_set_id and INDICATOR_STATES[item.indicator_set.state].owner_may_edit))
    if not editable:
        _refuse(gettext("已报送的材料不能撤回。"))
    ZoneFile.objects.filter(pk=item.pk, withdrawn_at__isnull=True).update(withdrawn_at=timezone.now())


# --- annual core indicators ---------------------------------------------------------------------


def indicator_version(indicator_set) -> str:
    """The version of a year's figures its form carries (workflow.editing)."""
    return editing.token({"figures": editing.instance_values(indicator_set, FIGURE_FIELDS)})


def save_indicators(indicator_set, user, data: dict, *, loaded: str | None = None, form=None) -> IndicatorSet:
    """Save the figures of one year (the owner, while a draft or returned). Exact decimals. With `loaded`
    (indicator_version) only the figures this person changed are written, and a save after someone else
    saved is refused with workflow.editing.EditConflict (nothing written)."""
    merge = editing.Merge(editing.read(loaded))
    with transaction.atomic():
        locked = IndicatorSet.objects.select_for_update(of=("self",)).select_related("zone").get(pk=indicator_set.pk)
        _owner(user, locked.zone)
        _active(locked.zone)
        if not INDICATOR_STATES[locked.state].owner_may_edit:
            _refuse(gettext("核心指标已报送，不能修改；如需修改请等待省局退回。"))
        mine = {name: data.get(name) for name in FIGURE_FIELDS if name in data}
        changed = merge.form("figures", form, list(mine), locked, mine=mine)
        merge.check()
        values = {name: mine[name] for name in changed}
        industry = values.get("industry_patents", locked.industry_patents)
        invention = values.get("invention_patents", locked.invention_patents)
        if industry is not None and invention is not None and invention > industry:
            _refuse(gettext("发明专利数不能超过产业专利拥有量。"), "invention_patents")
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save()
    return locked


def attach_to_indicators(indicator_set, user, upload, title="") -> ZoneFile:
    _owner(user, indicator_set.zone)
    if not INDICATOR_STATES[indicator_set.state].owner_may_edit:
        _refuse(gettext("核心指标已报送，不能再添加证明材料。"), "file")
    return _store(indicator_set.zone, FilePurpose.INDICATORS, upload, user, indicator_set=indicator_set,
                  title=(title or "")[:200])


# --- supervision --------------------------------------------------------------------------------


def _supervisor(user, zone):
    if not (user.is_authenticated and user.role in (Role.NATIONAL, Role.PROVINCIAL) and can_see_zone(user, zone)):
        _refuse(gettext("只有国家局和该实验区所在省局可以记录监督检查。"))


def record_inspection(zone, user, *, inspected_on, inspectors, findings, requirement="", deadline=None) -> Inspection:
    """A 监督检查 and, when `requirement` is given, its 整改要求 with a deadline."""
    _supervisor(user, zone)
    requirement = (requirement or "").strip()
    if inspected_on and inspected_on > timezone.localdate():
        _refuse(gettext("检查日期不能晚于今天。"), "inspected_on")
    if requirement and deadline is None:
        _refuse(gettext("提出整改要求时请填写整改期限。"), "deadline")
    if requirement and deadline <= timezone.localdate():
        _refuse(gettext("整改期限应晚于今天。"), "deadline")
    with transaction.atomic():
        inspection = Inspection.objects.create(zone=zone, inspected_on=inspected_on, inspectors=inspectors.strip(),
                                               findings=findings.strip(), recorded_by=user,
                                               recorded_by_organisation_id=user.organisation_id)
        rectification = (Rectification.objects.create(inspection=inspection, zone=zone, requirement=requirement,
                                                      deadline=deadline) if requirement else None)
        # Identifiers only: the findings are business data, which the 审计管理员 does not read.
        record("zone.inspection", actor=user, obj=zone, details={
            "inspection": inspection.pk, "rectification": getattr(rectification, "pk", None),
            "deadline": str(deadline or "")})
        transaction.on_commit(lambda: notices.inspection_recorded(inspection, user))
    return inspection


def upload_study(zone, user, upload, *, title, institution) -> ZoneFile:
    """National staff file a third-party tracking study （第三方跟踪研究） against a zone."""
    if not (user.is_authenticated and user.role == Role.NATIONAL):
        _refuse(gettext("只有国家局工作人员可以上传第三方跟踪研究报告。"))
    with transaction.atomic():
        study = _store(zone, FilePurpose.STUDY, upload, user, title=title.strip()[:200],
                       institution=institution.strip()[:200])
        record("zone.study", actor=user, obj=zone, details={"file": study.pk})
        transaction.on_commit(lambda: notices.study_uploaded(study, user))
    return study


# --- 总结验收： the zone's side ----------------------------------------------------------------


def save_acceptance_summary(zone, user, summary: str) -> AcceptanceRound:
    """The 总结报告 （or, after 限期整改， the 整改报告） of the next acceptance round, as a draft."""
    _owner(user, zone)
    if zone.state not in (ZoneState.CONSTRUCTION, ZoneState.RECTIFYING):
        _refuse(gettext("当前状态下不能修改总结验收材料。"))
    with transaction.atomic():
        Zone.objects.select_for_update().only("pk").get(pk=zone.pk)
        round_ = AcceptanceRound.objects.filter(zone=zone, decision="").order_by("-number").first()
        if round_ is None:
            last = AcceptanceRound.objects.filter(zone=zone).order_by("-number").first()
            round_ = AcceptanceRound(zone=zone, number=(last.number + 1) if last else 1)
        round_.summary = (summary or "").strip()
        round_.save()
    return round_


def attach_to_acceptance(zone, user, upload, title="") -> ZoneFile:
    round_ = save_acceptance_summary(zone, user, AcceptanceRound.objects.filter(zone=zone, decision="")
                                     .values_list("summary", flat=True).first() or "")
    return _store(zone, FilePurpose.ACCEPTANCE, upload, user, acceptance_round=round_, title=(title or "")[:200])


# --- exchange activities ------------------------------------------------------------------------


def publish_activity(user, *, title, body, starts_at, place, registration_deadline=None, zones=()) -> ExchangeActivity:
    """The national office invites all zones (no `zones` given) or the chosen ones, with their city
    governments and provincial bureaus; each is told in the inbox."""
    if not (user.is_authenticated and user.role == Role.NATIONAL):
        _refuse(gettext("只有国家局工作人员可以发布交流活动。"))
    if registration_deadline and registration_deadline > starts_at:
        _refuse(gettext("报名截止时间应早于活动时间。"), "registration_deadline")
    zones = list(zones)
    with transaction.atomic():
        activity = ExchangeActivity.objects.create(title=title.strip(), body=body.strip(), starts_at=starts_at,
                                                   place=place.strip(), registration_deadline=registration_deadline,
                                                   all_zones=not zones, published_by=user)
        if zones:
            activity.zones.set(zones)
        invited = zones or list(zones_for(user).filter(state__in=ACTIVE_STATES))
        recipients, seen = [], set()
        for zone in invited:
            for u in notices.zone_users(zone, (Role.APPLICANT, Role.PROVINCIAL)):
                if u.pk not in seen:
                    seen.add(u.pk)
                    recipients.append(u)
        record("zone.activity.publish", actor=user, obj=activity, details={"zones": [z.pk for z in zones]})
        transaction.on_commit(lambda: notices.activity_published(activity, recipients))
    return activity


def register_attendees(activity, user, attendees: str) -> ActivityRegistration:
    """A city government or provincial bureau names (or changes) its attendees before the deadline."""
    if user.role not in (Role.APPLICANT, Role.PROVINCIAL) or not user.organisation_id:
        _refuse(gettext("只有受邀的实验区所在地政府和省局可以报名。"))
    deadline = activity.registration_deadline or activity.starts_at
    if timezone.now() > deadline:
        _refuse(gettext("报名已截止。"), "attendees")
    attendees = (attendees or "").strip()
    if not attendees:
        _refuse(gettext("请填写参会人员。"), "attendees")
    registration, _created = ActivityRegistration.objects.update_or_create(
        activity=activity, organisation_id=user.organisation_id,
        defaults={"attendees": attendees, "registered_by": user})
    return registration
