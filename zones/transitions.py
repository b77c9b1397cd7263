"""The pipelines after 批复， as data: the zone's （建设中 → 验收申请 → 验收评审 → 通过验收 / 限期整改 →
验收评审 / 不予通过， and 撤销 at any time), and those of its quarterly reports, annual indicator sets
and rectifications. Each is a workflow.machine.Workflow; `perform()` there is the only code that
writes their states. Guards return problems; effects declare with @writes the fields they change.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role
from review import numbers
from workflow import editing
from workflow.machine import Workflow, writes
from workflow.machine import transition as _t

from . import acceptance, notices, schedule
from .enums import AcceptanceDecision
from .enums import IndicatorState as I
from .enums import RectificationState as R
from .enums import ReportState as P
from .enums import ZoneState as Z
from .models import (
    AcceptanceRound,
    IndicatorLog,
    IndicatorSet,
    QuarterlyReport,
    Rectification,
    RectificationLog,
    ReportLog,
    ReportVersion,
    Zone,
    ZoneLog,
)
from .queries import can_see, can_see_zone, figures_of
from .states import INDICATOR_STATES, RECTIFICATION_STATES, REPORT_STATES, ZONE_STATES

INPUT_MESSAGES = {
    "document_number": _("请填写验收意见文号。"),
    "loaded": _("页面已过期，请刷新后重新填写。"),
    "rectify_by": _("请填写整改期限。"),
}

# --- the zone ---------------------------------------------------------------------------------


def _today():
    return timezone.localdate()


def in_final_year(zone, user, context=None):
    if not schedule.in_final_year(zone.start_on, _today()):
        return [_("建设期最后一年（%(date)s起）方可申请总结验收。") % {
            "date": schedule.add_years(zone.start_on, schedule.PERIOD_YEARS - 1).isoformat()}]
    return []


def _draft_round(zone):
    return AcceptanceRound.objects.filter(zone=zone, decision="").order_by("-number").first()


def summary_ready(zone, user, context=None):
    round_ = _draft_round(zone)
    if round_ is None or not round_.summary.strip():
        return [_("请先填写并保存总结报告。")]
    return []


def scores_complete(zone, user, context=None):
    round_ = _draft_round(zone)
    if round_ is None:
        return [_("尚无验收评审。")]
    have = acceptance.submitted_count(round_)
    if have < round_.min_scores:
        return [_("专家评审尚未结束：已提交评分 %(have)s 份，至少需要 %(needed)s 份。") % {
            "have": have, "needed": round_.min_scores}]
    return []


def rectify_date_valid(zone, user, context=None):
    raw = (context or {}).get("rectify_by")
    if raw in (None, ""):
        return []
    day = raw if isinstance(raw, date) else parse_date(str(raw))
    if day is None:
        return [_("整改期限格式应为 YYYY-MM-DD。")]
    if day <= _today():
        return [_("整改期限应晚于今天。")]
    return []


def mark_applied(zone, user, transition, context):
    round_ = _draft_round(zone)
    round_.applied_at = timezone.now()
    round_.save(update_fields=["applied_at"])


def unmark_applied(zone, user, transition, context):
    """Returned for more material: the 总结报告 stays as a draft to complete."""
    round_ = _draft_round(zone)
    if round_ is not None:
        round_.applied_at = None
        round_.save(update_fields=["applied_at"])


def open_review(zone, user, transition, context):
    acceptance.ensure_rubric(_draft_round(zone))


def register_number(zone, user, transition, context):
    """The 验收意见's 发文字号 from the national office's registry (review.numbers): the same series as
    its 批复 (the registry numbers per issuer and year, not per kind of letter), unique, never reused;
    registered against the zone's application. A blank one is the proposed next number."""
    numbers.register_number(zone.application, user, transition, context)


def record_decision(zone, user, transition, context):
    round_ = _draft_round(zone)
    round_.decision = {Z.ACCEPTED: AcceptanceDecision.ACCEPTED, Z.RECTIFYING: AcceptanceDecision.RECTIFY,
                       Z.NOT_ACCEPTED: AcceptanceDecision.NOT_ACCEPTED}[transition.target]
    round_.opinion = context["opinion"]
    round_.document_number = context.get("document_number") or ""
    raw = context.get("rectify_by")
    round_.rectify_by = raw if isinstance(raw, date) else (parse_date(str(raw)) if raw else None)
    round_.decided_by = user
    round_.decided_at = timezone.now()
    round_.save()


_ZONE_TABLE = [
    _t("apply_acceptance", _("申请总结验收"), [Z.CONSTRUCTION], Z.ACCEPTANCE_APPLIED, [Role.APPLICANT],
       guards=(in_final_year, summary_ready), effects=(mark_applied,), notify_roles=(Role.PROVINCIAL, Role.NATIONAL),
       style="success"),
    _t("return_acceptance", _("退回补充材料"), [Z.ACCEPTANCE_APPLIED], Z.CONSTRUCTION, [Role.NATIONAL],
       opinion_required=True, opinion_label=_("退回理由"), effects=(unmark_applied,), notify_roles=(Role.PROVINCIAL,),
       style="warning"),
    _t("start_acceptance_review", _("组织专家验收评审"), [Z.ACCEPTANCE_APPLIED], Z.ACCEPTANCE_REVIEW, [Role.NATIONAL],
       effects=(open_review,), notify_roles=(Role.PROVINCIAL,)),
    _t("accept", _("通过验收"), [Z.ACCEPTANCE_REVIEW], Z.ACCEPTED, [Role.NATIONAL], opinion_required=True,
       opinion_label=_("验收意见"), inputs=("document_number",), required_inputs=("document_number",),
       guards=(scores_complete, numbers.check_number), effects=(register_number, record_decision),
       notify_roles=(Role.PROVINCIAL,), style="success", confirm=True),
    _t("require_rectification", _("限期整改"), [Z.ACCEPTANCE_REVIEW], Z.RECTIFYING, [Role.NATIONAL],
       opinion_required=True, opinion_label=_("验收意见及整改要求"), inputs=("rectify_by", "document_number"),
       required_inputs=("rectify_by",), guards=(scores_complete, rectify_date_valid, numbers.check_number),
       effects=(register_number, record_decision), notify_roles=(Role.PROVINCIAL,), style="warning", confirm=True),
    _t("not_accept", _("不予通过"), [Z.ACCEPTANCE_REVIEW], Z.NOT_ACCEPTED, [Role.NATIONAL], opinion_required=True,
       opinion_label=_("验收意见"), inputs=("document_number",), guards=(scores_complete, numbers.check_number),
       effects=(register_number, record_decision), notify_roles=(Role.PROVINCIAL,), style="danger", confirm=True),
    _t("resubmit_acceptance", _("报送整改情况，申请再次验收"), [Z.RECTIFYING], Z.ACCEPTANCE_REVIEW, [Role.APPLICANT],
       guards=(summary_ready,), effects=(mark_applied, open_review), notify_roles=(Role.PROVINCIAL, Role.NATIONAL),
       style="success"),
    _t("revoke", _("撤销实验区"), [Z.CONSTRUCTION, Z.ACCEPTANCE_APPLIED, Z.ACCEPTANCE_REVIEW, Z.RECTIFYING,
                                 Z.ACCEPTED, Z.NOT_ACCEPTED], Z.REVOKED, [Role.NATIONAL], opinion_required=True,
       opinion_label=_("撤销理由"), notify_roles=(Role.PROVINCIAL,), style="danger"),
]

ZONES = Workflow(
    model=Zone, log_model=ZoneLog, log_subject="zone", states=ZONE_STATES.values(), transitions=_ZONE_TABLE,
    visible=can_see_zone, input_messages=INPUT_MESSAGES, notify=notices.zone_transition,
    related=("province", "applicant", "application"), log_inputs=("document_number",),
    messages={"not_visible": _("您无权处理该实验区。"),
              "wrong_state": _("该实验区当前状态为“%(state)s”，不能执行“%(action)s”。"),
              "stale": _("该实验区已被他人处理，当前状态为“%(state)s”，您的操作未执行。请查看最新记录后再操作。")},
)

# --- quarterly reports ------------------------------------------------------------------------


def zone_active(obj, user, context=None):
    if obj.zone.state not in ("construction", "acceptance_applied", "acceptance_review", "rectifying"):
        return [_("实验区已结束建设期管理，不再报送。")]
    return []


def quarter_started(report, user, context=None):
    if report.period_start > _today():
        return [_("该季度尚未开始，不能报送。")]
    return []


def report_complete(report, user, context=None):
    missing = [f for f in ("work_done", "next_plan") if not getattr(report, f).strip()]
    if missing:
        return [_("请填写本季度完成的主要工作和下季度工作计划后再报送。")]
    return []


def report_snapshot(report) -> dict:
    fields = (*("task_mechanism", "task_network", "task_projects", "task_services", "task_enterprises",
                "task_international"), "work_done", "problems", "next_plan")
    return {f: getattr(report, f) for f in fields}


@writes("current_version", "submitted_at")
def freeze_report(report, user, transition, context):
    report.current_version += 1
    report.submitted_at = timezone.now()
    version = ReportVersion.objects.create(report=report, number=report.current_version,
                                           snapshot=report_snapshot(report), submitted_by=user)
    version.attachments.set(report.attachments.filter(withdrawn_at__isnull=True))


_REPORT_TABLE = [
    _t("submit", _("报送"), [P.DRAFT], P.SUBMITTED, [Role.APPLICANT],
       guards=(zone_active, quarter_started, report_complete), effects=(freeze_report,),
       notify_roles=(Role.PROVINCIAL, Role.NATIONAL), style="success"),
    _t("resubmit", _("修改后重新报送"), [P.RETURNED], P.SUBMITTED, [Role.APPLICANT],
       guards=(zone_active, report_complete), effects=(freeze_report,),
       notify_roles=(Role.PROVINCIAL, Role.NATIONAL), style="success"),
    _t("return_report", _("退回修改"), [P.SUBMITTED], P.RETURNED, [Role.PROVINCIAL, Role.NATIONAL],
       opinion_required=True, opinion_label=_("退回意见"), style="warning"),
]

REPORTS = Workflow(
    model=QuarterlyReport, log_model=ReportLog, log_subject="report", states=REPORT_STATES.values(),
    transitions=_REPORT_TABLE, visible=can_see, log_fields=lambda report: {"version": report.current_version},
    notify=notices.report_transition, related=("zone",),
    messages={"not_visible": _("您无权处理该报告。")},
)

# --- annual core indicators -------------------------------------------------------------------

REQUIRED_FIGURES = ("gross_output", "patented_sales", "rd_spending", "resident_enterprises", "patents_per_10k",
                    "industry_patents", "invention_patents", "pledge_financing", "standards", "service_staff")


def year_over(indicator_set, user, context=None):
    if _today().year <= indicator_set.year:
        return [_("%(year)s年度结束后方可报送该年度核心指标。") % {"year": indicator_set.year}]
    return []


def figures_complete(indicator_set, user, context=None):
    missing = [f for f in REQUIRED_FIGURES if getattr(indicator_set, f) is None]
    if missing:
        names = "、".join(str(IndicatorSet._meta.get_field(f).verbose_name) for f in missing)
        return [_("请填写全部核心指标后再报送：%(names)s。") % {"names": names}]
    return []


_INDICATOR_TABLE = [
    _t("submit", _("报送省局审核"), [I.DRAFT], I.SUBMITTED, [Role.APPLICANT],
       guards=(zone_active, year_over, figures_complete), notify_roles=(Role.PROVINCIAL,), style="success"),
    _t("resubmit", _("修改后重新报送"), [I.RETURNED], I.SUBMITTED, [Role.APPLICANT],
       guards=(zone_active, figures_complete), notify_roles=(Role.PROVINCIAL,), style="success"),
    _t("confirm", _("审核确认"), [I.SUBMITTED], I.CONFIRMED, [Role.PROVINCIAL], opinion_label=_("审核意见"),
       notify_roles=(Role.NATIONAL,), style="success"),
    _t("return_indicators", _("退回修改"), [I.SUBMITTED], I.RETURNED, [Role.PROVINCIAL], opinion_required=True,
       opinion_label=_("退回意见"), style="warning"),
]

INDICATORS = Workflow(
    model=IndicatorSet, log_model=IndicatorLog, log_subject="indicator_set", states=INDICATOR_STATES.values(),
    transitions=_INDICATOR_TABLE, visible=can_see,
    log_fields=lambda s: {"figures": {k: (None if v is None else str(v)) for k, v in figures_of(s).items()}},
    notify=notices.indicator_transition, related=("zone",),
    messages={"not_visible": _("您无权处理该统计数据。")},
)

# --- rectifications ---------------------------------------------------------------------------


def answer_version(rectification) -> str:
    """The version of the answer a form carries (workflow.editing)."""
    return editing.token({"response": editing.value(rectification.response)})


def answer_conflict(rectification, typed, loaded=None):
    """An EditConflict when someone else saved an answer since this person loaded the form (`loaded`, the
    form's version) or, without a version, when an answer other than theirs is stored; else None."""
    stored, mine = editing.value(rectification.response), editing.value(typed)
    if loaded is not None:
        base = editing.read(loaded)
        if base is None or base.get("response") == stored:
            return None
    if stored is None or stored == mine:
        return None
    change = editing.Change(str(_("整改情况")), editing.display(rectification.response), editing.display(typed))
    conflict = editing.EditConflict([change], answer_version(rectification), {})
    conflict.pk = rectification.pk
    return conflict


def answer_current(rectification, user, context=None):
    """A stale answer never overwrites the one someone else gave meanwhile (e.g. before a 继续整改)."""
    loaded = (context or {}).get("loaded")
    if not loaded:
        return []
    conflict = answer_conflict(rectification, (context or {}).get("opinion"), loaded)
    if conflict is None:
        return []
    return {"opinion": _("在您填写期间，其他人已报送了整改情况：“%(theirs)s”。您填写的内容仍保留在下方，"
                         "请对照修改后再报送。") % {"theirs": conflict.changes[0].theirs}}


@writes("response")
def record_response(rectification, user, transition, context):
    rectification.response = context["opinion"]


_RECTIFICATION_TABLE = [
    _t("answer", _("报送整改情况"), [R.OPEN], R.ANSWERED, [Role.APPLICANT], opinion_required=True,
       opinion_label=_("整改情况"), inputs=("loaded",), guards=(answer_current,), effects=(record_response,), notify_roles=(Role.PROVINCIAL, Role.NATIONAL),
       style="success"),
    _t("close", _("确认整改完毕"), [R.ANSWERED], R.CLOSED, [Role.PROVINCIAL, Role.NATIONAL],
       opinion_label=_("确认意见"), style="success"),
    _t("reopen", _("整改不到位，继续整改"), [R.ANSWERED], R.OPEN, [Role.PROVINCIAL, Role.NATIONAL],
       opinion_required=True, opinion_label=_("意见"), style="warning"),
]

RECTIFICATIONS = Workflow(
    model=Rectification, log_model=RectificationLog, log_subject="rectification",
    states=RECTIFICATION_STATES.values(), transitions=_RECTIFICATION_TABLE, visible=can_see,
    input_messages={"loaded": INPUT_MESSAGES["loaded"]},
    notify=notices.rectification_transition, related=("zone", "inspection"),
    messages={"not_visible": _("您无权处理该整改事项。")},
)

WORKFLOWS = {"zone": ZONES, "report": REPORTS, "indicators": INDICATORS, "rectification": RECTIFICATIONS}

__all__ = ["INDICATORS", "RECTIFICATIONS", "REPORTS", "WORKFLOWS", "ZONES"]
