"""The pipeline as data, and the one function that changes an application's state.

Guide 四(四): 材料报送 → 组织推荐 → 方案论证 → 批复实施. Each row of TRANSITIONS says who may act,
from which states, to which state, what must hold, whether a written opinion is required and which
extra inputs the step takes. `perform()` is the only code that writes Application.state.
Later stages (construction, acceptance) are added as rows of the same table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role
from applications.enums import ApplicationState as S
from applications.models import Application

from . import guards
from .models import TransitionLog


class TransitionError(Exception):
    """A transition was refused; the message is for the user.

    `field_errors` maps a form field ("opinion", "rank", "document_number") to its message, so
    a form can show it next to the input.
    """

    def __init__(self, message, field_errors=None):
        super().__init__(message)
        self.message = str(message)
        self.field_errors = field_errors or {}


class StaleStateError(TransitionError):
    """Someone else changed the application first."""


@dataclass(frozen=True)
class Transition:
    name: str
    label: object  # lazy translation
    sources: frozenset
    target: str
    roles: frozenset
    opinion_required: bool = False
    opinion_label: object = _("意见")
    # Extra inputs the step takes (see review.forms.EXTRA_FIELDS); `required_inputs` must be filled.
    inputs: tuple[str, ...] = ()
    required_inputs: tuple[str, ...] = ()
    guards: tuple[Callable, ...] = ()  # guard(application, user, context) -> list of problems
    effects: tuple[Callable, ...] = ()  # run inside the locked transaction, after the state is set
    style: str = "primary"
    notify_roles: tuple = field(default=())  # the next actors told, besides the applicant


def _t(name, label, sources, target, roles, **kw):
    return Transition(name=name, label=label, sources=frozenset(sources), target=target, roles=frozenset(roles), **kw)


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        # 1. 材料报送
        _t("submit", _("报送省局"), [S.DRAFT], S.SUBMITTED, [Role.APPLICANT],
           guards=(guards.ready_to_submit,), effects=(guards.freeze_version,), notify_roles=(Role.PROVINCIAL,)),
        _t("resubmit", _("修改后重新报送"), [S.RETURNED], S.SUBMITTED, [Role.APPLICANT],
           guards=(guards.ready_to_submit,), effects=(guards.freeze_version,), notify_roles=(Role.PROVINCIAL,)),
        # 2. 组织推荐 (初步审核, 出具审核意见, 报送国家知识产权局)
        _t("start_provincial_review", _("受理并开始审核"), [S.SUBMITTED, S.RETURNED_TO_PROVINCE],
           S.PROVINCIAL_REVIEW, [Role.PROVINCIAL]),
        _t("return_to_applicant", _("退回修改"), [S.PROVINCIAL_REVIEW], S.RETURNED, [Role.PROVINCIAL],
           opinion_required=True, opinion_label=_("退回理由及修改要求"),
           effects=(guards.record_provincial_review,), style="warning"),
        _t("decline", _("不予推荐"), [S.PROVINCIAL_REVIEW], S.DECLINED, [Role.PROVINCIAL],
           opinion_required=True, opinion_label=_("审核意见"),
           effects=(guards.record_provincial_review,), style="danger"),
        _t("recommend", _("推荐至国家局"), [S.PROVINCIAL_REVIEW], S.RECOMMENDED, [Role.PROVINCIAL],
           opinion_required=True, opinion_label=_("审核意见"), inputs=("rank",),
           guards=(guards.before_national_deadline, guards.rank_allowed),
           effects=(guards.record_provincial_review, guards.mark_forwarded), notify_roles=(Role.NATIONAL,),
           style="success"),
        # 3. 方案论证 (材料审核, 专家论证)
        _t("start_national_review", _("开始材料审核"), [S.RECOMMENDED], S.NATIONAL_REVIEW, [Role.NATIONAL],
           notify_roles=(Role.PROVINCIAL,)),
        _t("return_to_province", _("退回省局"), [S.NATIONAL_REVIEW], S.RETURNED_TO_PROVINCE, [Role.NATIONAL],
           opinion_required=True, opinion_label=_("退回理由"), effects=(guards.clear_provincial_rank,),
           notify_roles=(Role.PROVINCIAL,), style="warning"),
        _t("reject", _("材料审核不通过"), [S.NATIONAL_REVIEW], S.REJECTED, [Role.NATIONAL],
           opinion_required=True, opinion_label=_("审核意见"), notify_roles=(Role.PROVINCIAL,), style="danger"),
        _t("send_to_experts", _("提交专家论证"), [S.NATIONAL_REVIEW], S.EXPERT_REVIEW, [Role.NATIONAL],
           guards=(guards.formal_checklist_complete,), notify_roles=(Role.PROVINCIAL, Role.EXPERT),
           style="success"),
        # 4. 批复实施 (only once expert review closed with its minimum of scores)
        _t("approve", _("批复"), [S.EXPERT_REVIEW], S.APPROVED, [Role.NATIONAL], opinion_required=True,
           opinion_label=_("批复意见"), inputs=("document_number",), required_inputs=("document_number",),
           guards=(guards.expert_review_complete,), effects=(guards.record_approval,),
           notify_roles=(Role.PROVINCIAL,), style="success"),
        _t("not_approve", _("不予批复"), [S.EXPERT_REVIEW], S.NOT_APPROVED, [Role.NATIONAL], opinion_required=True,
           opinion_label=_("不予批复的理由"), guards=(guards.expert_review_complete,),
           effects=(guards.record_approval,), notify_roles=(Role.PROVINCIAL,), style="danger"),
    ]
}


def available(application: Application, user, *, visible: bool | None = None) -> list[Transition]:
    """Transitions this user could attempt now (role, scope and source state; guards not run).

    `visible` lets a page that already scoped the application skip the scope query.
    """
    from accounts.scoping import can_see_application

    if not user.is_authenticated:
        return []
    candidates = [t for t in TRANSITIONS.values() if application.state in t.sources and user.role in t.roles]
    if not candidates:
        return []
    if visible is None:
        visible = can_see_application(user, application)
    return candidates if visible else []


def _refusal(application, user, transition) -> str | None:
    """Who may act at all: checked before anything that would reveal the application's state."""
    from accounts.scoping import can_see_application

    if transition is None:
        return str(_("未知操作。"))
    if not user.is_authenticated or user.role not in transition.roles:
        return str(_("您的角色无权执行此操作。"))
    if not can_see_application(user, application):
        return str(_("您无权处理该申报。"))
    return None


def check(application: Application, user, name: str, opinion: str = "", extra: dict | None = None) -> list[str]:
    """Every reason the transition is refused now; empty when it may go ahead."""
    transition = TRANSITIONS.get(name)
    refusal = _refusal(application, user, transition)
    if refusal:
        return [refusal]
    problems, field_errors = _problems(application, user, transition, opinion, extra or {})
    return problems + list(field_errors.values())


def _problems(application, user, transition, opinion, extra):
    """What stops a transition this user may attempt (role and scope already checked)."""
    if application.state not in transition.sources:
        return [str(_("该申报当前状态为“%(state)s”,不能执行“%(action)s”。") % {
            "state": application.get_state_display(), "action": transition.label})], {}
    field_errors = {}
    if transition.opinion_required and not (opinion or "").strip():
        field_errors["opinion"] = str(_("请填写%(label)s。") % {"label": transition.opinion_label})
    for key in transition.required_inputs:
        if extra.get(key) in (None, ""):
            field_errors[key] = str(guards.INPUT_REQUIRED_MESSAGES[key])
    context = {"opinion": opinion, **extra}
    problems = []
    for guard in transition.guards:
        problems.extend(str(p) for p in guard(application, user, context))
    return problems, field_errors


def perform(application: Application, user, name: str, opinion: str = "", *, expected_state: str | None = None,
            extra: dict | None = None) -> TransitionLog:
    """Lock the row, check, change the state, write the log entry, run effects, notify on commit.

    `expected_state` is the state the user saw; if the row changed meanwhile the call fails with a
    clear message instead of acting on something the user did not see.
    """
    from notifications.domain import notify_transition

    opinion = (opinion or "").strip()
    extra = {k: v for k, v in (extra or {}).items() if k in guards.INPUT_REQUIRED_MESSAGES}
    with transaction.atomic():
        # Lock only the application row (not the joined call/province/applicant rows).
        locked = (Application.objects.select_for_update(of=("self",))
                  .select_related("call", "province", "applicant").get(pk=application.pk))
        transition = TRANSITIONS.get(name)
        refusal = _refusal(locked, user, transition)
        if refusal:
            raise TransitionError(refusal)
        if expected_state is not None and locked.state != expected_state:
            raise StaleStateError(
                _("该申报已被他人处理,当前状态为“%(state)s”,您的操作未执行。请查看最新记录后再操作。")
                % {"state": locked.get_state_display()}
            )
        problems, field_errors = _problems(locked, user, transition, opinion, extra)
        if problems or field_errors:
            raise TransitionError(" ".join(problems + list(field_errors.values())), field_errors)
        from_state = locked.state
        context = {"opinion": opinion, "from_state": from_state, **extra}
        locked.state = transition.target
        locked.state_changed_at = timezone.now()
        for effect in transition.effects:
            effect(locked, user, transition, context)
        # The state field is written only here.
        locked.save(update_fields=["state", "state_changed_at", "current_version", "provincial_rank", "forwarded_at", "updated_at"])
        entry = TransitionLog.objects.create(
            application=locked,
            transition=name,
            from_state=from_state,
            to_state=transition.target,
            actor=user,
            actor_organisation_id=user.organisation_id,
            actor_role=user.role,
            opinion=opinion,
            version=locked.current_version,
        )
        transaction.on_commit(lambda: notify_transition(entry.pk))
    application.refresh_from_db()
    return entry
