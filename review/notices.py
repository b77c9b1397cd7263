"""What review tells whom: the pipeline composes its messages here and hands them to
notifications.services.notify(), which knows nothing of review.

Messages are stored as a key with parameters and rendered in each reader's language by the renderers
at the end of this module (registered in review.apps).
"""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.enums import Role
from applications.states import STATES
from notifications.services import Message, notify

from .enums import AssignmentStatus
from .models import TransitionLog


def recipients_for(application, roles):
    """The applicant's users plus the users of the next actors named by role."""
    User = get_user_model()
    users = list(User.objects.filter(is_active=True, organisation=application.applicant_id, role=Role.APPLICANT))
    for role in roles:
        qs = User.objects.filter(is_active=True, role=role)
        if role == Role.PROVINCIAL:
            qs = qs.filter(organisation__province=application.province_id)
        elif role == Role.EXPERT:
            qs = qs.filter(assignments__application=application, assignments__status=AssignmentStatus.ASSIGNED)
        users.extend(qs)
    seen, unique = set(), []
    for u in users:
        if u.pk not in seen:
            seen.add(u.pk)
            unique.append(u)
    return unique


def notify_transition(log_pk, transition):
    """After a transition commits: the applicant and the next actors are told, never the actor; the
    message carries the opinion and the document number the step recorded."""
    entry = TransitionLog.objects.select_related("application", "application__applicant").get(pk=log_pk)
    application = entry.application
    message = Message.keyed("review.transition", zone=str(application), transition=transition.name,
                            from_state=entry.from_state, to_state=entry.to_state, opinion=entry.opinion,
                            document_number=entry.document_number)
    users = [u for u in recipients_for(application, transition.notify_roles) if u.pk != entry.actor_id]
    notify(users, message, reverse("applications:detail", args=[application.pk]), application)


def assignments_made(assignments):
    for a in assignments:
        message = Message.keyed("review.assignment", zone=str(a.application))
        notify([a.expert], message, reverse("experts:assignment", args=[a.pk]), a.application)


def conflict_declared(application, replaced: bool):
    """National staff learn that an expert withdrew, and whether a replacement was found."""
    staff = list(get_user_model().objects.filter(role=Role.NATIONAL, is_active=True))
    message = Message.keyed("review.conflict", zone=str(application), replaced=replaced)
    notify(staff, message, reverse("experts:assignments", args=[application.call_id]), application)


# Renderers of the keyed messages above, called in each reader's language (notifications.messages).

def _state(value):
    return str(STATES[value].label) if value in STATES else value


def render_transition(params, transitions):
    """`transitions` is the table (review.transitions imports this module, so it is handed in)."""
    transition = transitions.get(params.get("transition"))
    action = str(transition.label) if transition else params.get("transition", "")
    subject = _("“%(zone)s”:%(action)s") % {"zone": params.get("zone", ""), "action": action}
    lines = [_("申报状态由“%(from)s”变为“%(to)s”。") % {"from": _state(params.get("from_state")),
                                                   "to": _state(params.get("to_state"))}]
    if params.get("document_number"):
        lines.append(_("发文字号:%(number)s") % {"number": params["document_number"]})
    if params.get("opinion"):
        label = str(transition.opinion_label) if transition else _("意见")
        lines.append(_("%(label)s:%(opinion)s") % {"label": label, "opinion": params["opinion"]})
    return subject, "\n".join(str(line) for line in lines)


def render_assignment(params):
    return (_("新的评审任务:%(zone)s") % {"zone": params.get("zone", "")},
            _("请在评审截止时间前完成建设方案评分。"))


def render_conflict(params):
    body = (_("一位专家申明回避,已自动分配替补专家。") if params.get("replaced")
            else _("一位专家申明回避,专家组中已无可替补的专家,请补充分配。"))
    return _("专家回避:%(zone)s") % {"zone": params.get("zone", "")}, body


def renderers(transitions):
    return {"review.transition": lambda params: render_transition(params, transitions),
            "review.assignment": render_assignment, "review.conflict": render_conflict}
