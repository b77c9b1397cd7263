"""What review tells whom: the pipeline composes its messages here and hands them to
notifications.services.notify(), which knows nothing of review.

Messages are written in Chinese, the language of the portal's records and e-mail.
"""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.enums import Role
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
    """After a transition commits: the applicant and the next actors are told, never the actor."""
    entry = TransitionLog.objects.select_related("application", "application__applicant").get(pk=log_pk)
    application = entry.application
    with override("zh-hans"):
        message = Message(
            _("“%(zone)s”:%(action)s") % {"zone": str(application), "action": str(transition.label)},
            _("申报状态由“%(from)s”变为“%(to)s”。") % {
                "from": entry.get_from_state_display(), "to": entry.get_to_state_display()})
    users = [u for u in recipients_for(application, transition.notify_roles) if u.pk != entry.actor_id]
    notify(users, message, reverse("applications:detail", args=[application.pk]), application)


def assignments_made(assignments):
    for a in assignments:
        with override("zh-hans"):
            message = Message(_("新的评审任务:%(zone)s") % {"zone": a.application},
                              _("请在评审截止时间前完成建设方案评分。"))
        notify([a.expert], message, reverse("experts:assignment", args=[a.pk]), a.application)


def conflict_declared(application, replaced: bool):
    """National staff learn that an expert withdrew, and whether a replacement was found."""
    staff = list(get_user_model().objects.filter(role=Role.NATIONAL, is_active=True))
    with override("zh-hans"):
        body = (_("一位专家申明回避,已自动分配替补专家。") if replaced
                else _("一位专家申明回避,专家组中已无可替补的专家,请补充分配。"))
        message = Message(_("专家回避:%(zone)s") % {"zone": application}, body)
    notify(staff, message, reverse("experts:assignments", args=[application.call_id]), application)
