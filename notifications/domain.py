"""One call records an event for its recipients: inbox rows now, e-mail through Celery."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.enums import Role

from .models import Notification


def recipients_for(application, roles):
    """The applicant's users plus the users of the next actors named by role."""
    User = get_user_model()
    users = list(User.objects.filter(is_active=True, organisation=application.applicant_id, role=Role.APPLICANT))
    for role in roles:
        qs = User.objects.filter(is_active=True, role=role)
        if role == Role.PROVINCIAL:
            qs = qs.filter(organisation__province=application.province_id)
        elif role == Role.EXPERT:
            qs = qs.filter(assignments__application=application, assignments__status="assigned")
        users.extend(qs)
    seen, unique = set(), []
    for u in users:
        if u.pk not in seen:
            seen.add(u.pk)
            unique.append(u)
    return unique


def notify(users, subject, body="", url="", application=None):
    rows = Notification.objects.bulk_create(
        [Notification(recipient=u, subject=subject[:200], body=body, url=url, application=application) for u in users]
    )
    from .tasks import email_notifications

    ids = [n.pk for n in rows if n.recipient.email]
    if ids:
        transaction.on_commit(lambda: email_notifications.delay(ids))
    return rows


def notify_transition(log_pk):
    from review.models import TransitionLog
    from review.transitions import TRANSITIONS

    entry = TransitionLog.objects.select_related("application", "application__applicant").get(pk=log_pk)
    application = entry.application
    transition = TRANSITIONS[entry.transition]
    with override("zh-hans"):
        subject = _("“%(zone)s”:%(action)s") % {"zone": str(application), "action": str(transition.label)}
        body = _("申报状态由“%(from)s”变为“%(to)s”。") % {
            "from": entry.get_from_state_display(), "to": entry.get_to_state_display()}
    users = [u for u in recipients_for(application, transition.notify_roles) if u.pk != entry.actor_id]
    notify(users, subject, body, reverse("applications:detail", args=[application.pk]), application)


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
