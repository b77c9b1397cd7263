"""The application pipeline as data, and the one function that changes an application's state.

Guide 四(四): 材料报送 → 组织推荐 → 方案论证 → 批复实施. Each row of TRANSITIONS says who may act,
from which states, to which state, what must hold, what it writes besides the state, whether a
written opinion is required and which extra inputs the step takes. The states themselves are
applications.states.STATES. `perform()` (workflow.machine.Workflow.perform) is the only code that
writes Application.state.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.enums import Role
from applications.enums import ApplicationState as S
from applications.models import Application
from applications.queries import can_see_application
from applications.states import STATES
from audit.services import REFUSED, SUCCESS, record
from workflow.machine import StaleStateError, Transition, TransitionError, Workflow
from workflow.machine import transition as _t

from . import guards, notices, numbers
from .models import FINDINGS, TransitionLog

__all__ = ["APPLICATIONS", "TRANSITIONS", "StaleStateError", "Transition", "TransitionError", "available", "check",
           "perform", "refusal"]

_TABLE = [
    # 1. 材料报送
    _t("submit", _("报送省局"), [S.DRAFT], S.SUBMITTED, [Role.APPLICANT],
       guards=(guards.ready_to_submit,), effects=(guards.freeze_version,), notify_roles=(Role.PROVINCIAL,)),
    _t("resubmit", _("修改后重新报送"), [S.RETURNED, S.WITHDRAWN], S.SUBMITTED, [Role.APPLICANT],
       guards=(guards.ready_to_submit,), effects=(guards.freeze_version,), notify_roles=(Role.PROVINCIAL,)),
    # Until the province starts its review, the applicant may take a submission back to edit it.
    _t("withdraw", _("撤回报送"), [S.SUBMITTED], S.WITHDRAWN, [Role.APPLICANT],
       opinion_label=_("撤回原因(选填)"), notify_roles=(Role.PROVINCIAL,), style="warning"),
    # 2. 组织推荐 (初步审核, 出具审核意见, 报送国家知识产权局)
    _t("start_provincial_review", _("受理并开始审核"), [S.SUBMITTED, S.RETURNED_TO_PROVINCE],
       S.PROVINCIAL_REVIEW, [Role.PROVINCIAL]),
    # A finding on each of the three materials (建设方案, 证明材料, 承诺书) beside the 审核意见:
    # required for a decision, optional when returning (the reasons say what to revise).
    _t("return_to_applicant", _("退回修改"), [S.PROVINCIAL_REVIEW], S.RETURNED, [Role.PROVINCIAL],
       opinion_required=True, opinion_label=_("退回理由及修改要求"), inputs=FINDINGS,
       effects=(guards.record_provincial_review,), style="warning"),
    _t("decline", _("不予推荐"), [S.PROVINCIAL_REVIEW], S.DECLINED, [Role.PROVINCIAL],
       opinion_required=True, opinion_label=_("审核意见"), inputs=FINDINGS, required_inputs=FINDINGS,
       effects=(guards.record_provincial_review,), style="danger", confirm=True),
    _t("recommend", _("推荐至国家局"), [S.PROVINCIAL_REVIEW], S.RECOMMENDED, [Role.PROVINCIAL],
       opinion_required=True, opinion_label=_("审核意见"), inputs=(*FINDINGS, "rank", "document_number"),
       required_inputs=FINDINGS, guards=(guards.before_national_deadline, guards.rank_allowed, numbers.check_number),
       effects=(numbers.register_number, guards.record_provincial_review, guards.mark_forwarded),
       notify_roles=(Role.NATIONAL,),
       style="success"),
    # 3. 方案论证 (材料审核, 专家论证)
    _t("start_national_review", _("开始材料审核"), [S.RECOMMENDED], S.NATIONAL_REVIEW, [Role.NATIONAL],
       effects=(guards.lock_provincial_ranking,), notify_roles=(Role.PROVINCIAL,)),
    _t("return_to_province", _("退回省局"), [S.NATIONAL_REVIEW], S.RETURNED_TO_PROVINCE, [Role.NATIONAL],
       opinion_required=True, opinion_label=_("退回理由"), effects=(guards.clear_provincial_rank,),
       notify_roles=(Role.PROVINCIAL,), style="warning"),
    _t("reject", _("材料审核不通过"), [S.NATIONAL_REVIEW], S.REJECTED, [Role.NATIONAL],
       opinion_required=True, opinion_label=_("审核意见"), notify_roles=(Role.PROVINCIAL,), style="danger",
       confirm=True),
    _t("send_to_experts", _("提交专家论证"), [S.NATIONAL_REVIEW], S.EXPERT_REVIEW, [Role.NATIONAL],
       guards=(guards.formal_checklist_complete,), notify_roles=(Role.PROVINCIAL, Role.EXPERT),
       style="success"),
    # 4. 批复实施 (only once expert review closed with its minimum of scores)
    _t("approve", _("批复"), [S.EXPERT_REVIEW], S.APPROVED, [Role.NATIONAL], opinion_required=True,
       opinion_label=_("批复意见"), inputs=("document_number",), required_inputs=("document_number",),
       guards=(guards.expert_review_complete, numbers.check_number),
       effects=(numbers.register_number, guards.record_approval),
       notify_roles=(Role.PROVINCIAL,), style="success", confirm=True),
    _t("not_approve", _("不予批复"), [S.EXPERT_REVIEW], S.NOT_APPROVED, [Role.NATIONAL], opinion_required=True,
       opinion_label=_("不予批复的理由"), inputs=("document_number",),
       guards=(guards.expert_review_complete, numbers.check_number),
       effects=(numbers.register_number, guards.record_approval), notify_roles=(Role.PROVINCIAL,), style="danger",
       confirm=True),
]

def audit_transition(application, user, name, refusal, details):
    """Every attempted transition, performed or refused, in the audit trail (the opinion stays in the
    transition log: the audit record names the step and the states, not what the reviewer wrote)."""
    record("application.transition", actor=user, obj=application, result=REFUSED if refusal else SUCCESS,
           reason=refusal.message if refusal else "", details={"transition": name, **details})


APPLICATIONS = Workflow(
    model=Application, log_model=TransitionLog, log_subject="application", states=STATES.values(),
    transitions=_TABLE, visible=can_see_application, input_messages=guards.INPUT_REQUIRED_MESSAGES,
    log_fields=lambda application: {"version": application.current_version},
    notify=notices.notify_transition, related=("call", "province", "applicant"), audit=audit_transition,
    log_inputs=("document_number",),
    messages={
        "not_visible": _("您无权处理该申报。"),
        "wrong_state": _("该申报当前状态为“%(state)s”,不能执行“%(action)s”。"),
        "stale": _("该申报已被他人处理,当前状态为“%(state)s”,您的操作未执行。请查看最新记录后再操作。"),
    },
)
TRANSITIONS: dict[str, Transition] = APPLICATIONS.transitions


def available(application: Application, user, *, visible: bool | None = None) -> list[Transition]:
    return APPLICATIONS.available(application, user, visible=visible)


def check(application: Application, user, name: str, opinion: str = "", extra: dict | None = None) -> list[str]:
    return APPLICATIONS.check(application, user, name, opinion, extra)


def refusal(application: Application, user, name: str, opinion: str = "", extra: dict | None = None):
    """The TransitionError perform() would raise now, or None (a confirmation page asks first)."""
    return APPLICATIONS.refusal(application, user, name, opinion, extra)


def perform(application: Application, user, name: str, opinion: str = "", *, expected_state: str | None = None,
            extra: dict | None = None) -> TransitionLog:
    return APPLICATIONS.perform(application, user, name, opinion, expected_state=expected_state, extra=extra)
