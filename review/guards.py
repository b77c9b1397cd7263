"""Conditions and effects named by the transition table (review/transitions.py).

A guard returns a list of problems (empty: it holds). An effect runs inside the locked transaction
after the state is set, and declares with `@writes` the application fields it changes so that
`perform()` saves exactly those.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from applications import submission
from applications.enums import ApplicationState
from workflow.machine import writes

from . import ranking
from .enums import ProvincialDecision
from .experts.aggregation import submitted_score_count
from .models import FINDINGS, Approval, FormalReview, ProvincialReview

FORMAL_CHECKLIST = (
    ("materials_complete", _("申报书、建设方案、证明材料、承诺书齐全")),
    ("eligibility_verified", _("申报条件经核实符合要求")),
    ("provincial_opinion", _("省局审核意见已出具")),
    ("commitment_signed", _("承诺书已由政府签章")),
)


# Messages for the extra inputs a transition may take (see Transition.inputs / required_inputs).
INPUT_REQUIRED_MESSAGES = {
    "rank": _("请填写省内推荐排序。"),
    "document_number": _("请填写发文字号。"),
    "plan_finding": _("请填写建设方案的审核情况。"),
    "evidence_finding": _("请填写证明材料的审核情况。"),
    "commitment_finding": _("请填写承诺书的审核情况。"),
}


def ready_to_submit(application, user, context=None):
    return [p.message for p in submission.problems(application)]


@writes("current_version")
def freeze_version(application, user, transition, context):
    submission.freeze_version(application, user)


def before_national_deadline(application, user, context=None):
    if timezone.now() > application.call.national_deadline:
        return [_("已过报送国家知识产权局的截止时间,不能再推荐。")]
    return []


_DECISION_BY_TRANSITION = {
    "recommend": ProvincialDecision.RECOMMEND,
    "return_to_applicant": ProvincialDecision.RETURN,
    "decline": ProvincialDecision.DECLINE,
}


@writes("provincial_rank")
def record_provincial_review(application, user, transition, context):
    ProvincialReview.objects.create(
        application=application, version=application.current_version,
        decision=_DECISION_BY_TRANSITION[transition.name], opinion=context["opinion"], reviewer=user,
        document_number=context.get("document_number", ""),
        **{name: (context.get(name) or "").strip() for name in FINDINGS},
    )
    if transition.name == "recommend":
        ranking.place(application, context.get("rank"))
    else:
        application.provincial_rank = None


@writes("forwarded_at")
def mark_forwarded(application, user, transition, context):
    """From the first recommendation on, the national office sees the application (applications.queries)."""
    if application.forwarded_at is None:
        application.forwarded_at = timezone.now()


@writes("national_review_started_at")
def lock_provincial_ranking(application, user, transition, context):
    """Once the national office starts reviewing one of a province's recommendations in a call, the
    province's ranking in that call is settled (review.ranking.is_locked)."""
    if application.national_review_started_at is None:
        application.national_review_started_at = timezone.now()


def rank_allowed(application, user, context=None):
    if (context or {}).get("rank") and ranking.is_locked(application.province_id, application.call_id):
        return [_("国家局已开始审核本省推荐的申报,推荐排序已锁定,请将排序留空(将排在最后)。")]
    return []


@writes("provincial_rank")
def clear_provincial_rank(application, user, transition, context):
    """Returned to the province: it leaves the ranking until recommended again."""
    application.provincial_rank = None


def formal_checklist_complete(application, user, context=None):
    review = FormalReview.objects.filter(application=application, version=application.current_version).first()
    checked = review.checklist if review else {}
    missing = [label for key, label in FORMAL_CHECKLIST if not checked.get(key)]
    if missing:
        return [_("材料审核清单尚未完成:%(items)s。") % {"items": pgettext("list separator", "、").join(str(m) for m in missing)}]
    return []


def expert_review_complete(application, user, context=None):
    needed = application.call.min_scores
    have = submitted_score_count(application)
    if have < needed:
        return [_("专家论证尚未结束:已提交评分 %(have)s 份,至少需要 %(needed)s 份。") % {"have": have, "needed": needed}]
    return []


def record_approval(application, user, transition, context):
    Approval.objects.create(
        application=application, approved=(transition.target == ApplicationState.APPROVED),
        text=context["opinion"], document_number=context.get("document_number", ""), decided_by=user,
    )
