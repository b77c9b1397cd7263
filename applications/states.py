"""Every state an application can be in, as data: its label, the guide's stage, its badge, whether
the applicant may edit, and which named lists include it. The transitions between these states are
in review/transitions.py; both are read through `review.transitions.APPLICATIONS`.

Which rows a role sees is not a matter of state: a province sees an application once a version was
submitted, the national office once a province forwarded it (applications.queries).
"""

from django.utils.translation import gettext_lazy as _

from workflow.machine import State

from .enums import ApplicationState as S

# Named lists (State.queues):
PROVINCE_LIST = "province_list"  # the province's status filter offers it
PROVINCE_TODO = "province_todo"  # waiting for the province to act (its to-do count and reminders)
NATIONAL_LIST = "national_list"  # the national status filter offers it (forwarded once)
NATIONAL_WAITING = "national_waiting"  # recommended and waiting for the national office's formal review
IN_REVIEW = "in_review"  # forwarded and not yet decided (national distribution)
CLOSED_NATIONALLY = "closed_nationally"  # refused by the national office (distribution)
EXPERT_REVIEWED = "expert_reviewed"  # is or was in expert review (ranking, score summary)

STAGE_SUBMISSION = _("材料报送")
STAGE_RECOMMENDATION = _("组织推荐")
STAGE_EVALUATION = _("方案论证")
STAGE_APPROVAL = _("批复实施")

PRIMARY, SUCCESS, WARNING, DANGER = "text-bg-primary", "text-bg-success", "text-bg-warning", "text-bg-danger"
NEUTRAL, LIGHT = "text-bg-secondary", "text-bg-light border"


def _state(value, stage, badge, *queues, owner_may_edit=False, final=False):
    return State(value=value, label=S(value).label, stage=stage, badge=badge, owner_may_edit=owner_may_edit,
                 queues=frozenset(queues), final=final)


STATES = {
    s.value: s
    for s in (
        _state(S.DRAFT, STAGE_SUBMISSION, LIGHT, owner_may_edit=True),
        _state(S.SUBMITTED, STAGE_SUBMISSION, NEUTRAL, PROVINCE_LIST, PROVINCE_TODO),
        # Taken back by the applicant before the province started its review: editable again, the
        # submitted version kept; the province still sees that it was submitted and withdrawn.
        _state(S.WITHDRAWN, STAGE_SUBMISSION, LIGHT, PROVINCE_LIST, owner_may_edit=True),
        _state(S.PROVINCIAL_REVIEW, STAGE_RECOMMENDATION, NEUTRAL, PROVINCE_LIST, PROVINCE_TODO),
        _state(S.RETURNED, STAGE_RECOMMENDATION, WARNING, PROVINCE_LIST, owner_may_edit=True),
        _state(S.DECLINED, STAGE_RECOMMENDATION, DANGER, PROVINCE_LIST, final=True),
        _state(S.RECOMMENDED, STAGE_RECOMMENDATION, PRIMARY, PROVINCE_LIST, NATIONAL_LIST, NATIONAL_WAITING,
               IN_REVIEW),
        _state(S.NATIONAL_REVIEW, STAGE_EVALUATION, PRIMARY, PROVINCE_LIST, NATIONAL_LIST, NATIONAL_WAITING,
               IN_REVIEW),
        _state(S.RETURNED_TO_PROVINCE, STAGE_EVALUATION, WARNING, PROVINCE_LIST, PROVINCE_TODO, NATIONAL_LIST,
               IN_REVIEW),
        _state(S.REJECTED, STAGE_EVALUATION, DANGER, PROVINCE_LIST, NATIONAL_LIST, CLOSED_NATIONALLY, final=True),
        _state(S.EXPERT_REVIEW, STAGE_EVALUATION, PRIMARY, PROVINCE_LIST, NATIONAL_LIST, IN_REVIEW, EXPERT_REVIEWED),
        _state(S.APPROVED, STAGE_APPROVAL, SUCCESS, PROVINCE_LIST, NATIONAL_LIST, EXPERT_REVIEWED, final=True),
        _state(S.NOT_APPROVED, STAGE_APPROVAL, DANGER, PROVINCE_LIST, NATIONAL_LIST, CLOSED_NATIONALLY,
               EXPERT_REVIEWED, final=True),
    )
}
assert set(STATES) == set(S.values), "every ApplicationState has a row"


def in_queue(queue: str) -> list[str]:
    """The states a named list includes, in pipeline order."""
    return [value for value, state in STATES.items() if queue in state.queues]


def badge(state: str) -> str:
    row = STATES.get(state)
    return row.badge if row else NEUTRAL
