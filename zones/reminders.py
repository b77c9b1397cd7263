"""Reminders of the zones (run by Celery beat through zones.tasks): a quarterly report or an annual
indicator set due within REMIND_BEFORE, and the same once it is overdue; a rectification whose
deadline nears. Each is claimed once in notifications.SentReminder, keyed by object and due date, so
repeated runs never send twice and a moved date is reminded again."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.enums import Role
from notifications.models import SentReminder
from notifications.services import Message, notify

from .enums import RectificationState
from .models import IndicatorSet, QuarterlyReport, Rectification
from .notices import zone_users
from .queries import INDICATORS_OWED, NOT_SUBMITTED
from .states import ACTIVE, ZONE_STATES, in_queue

REMIND_BEFORE = timedelta(days=7)


def _claim(key: str) -> bool:
    try:
        with transaction.atomic():
            SentReminder.objects.create(key=key)
        return True
    except IntegrityError:
        return False


def _send(zone, roles, subject, body, url, about):
    users = zone_users(zone, roles)
    if users:
        notify(users, Message(subject, body), url, about)
    return len(users)


def remind(today=None) -> dict:
    today = today or timezone.localdate()
    horizon = today + REMIND_BEFORE
    active = in_queue(ZONE_STATES, ACTIVE)
    sent = {"due": 0, "overdue": 0, "rectification": 0}
    reports = (QuarterlyReport.objects.filter(zone__state__in=active, state__in=NOT_SUBMITTED,
                                              period_end__lt=horizon, due_on__lte=horizon)
               .select_related("zone").order_by("due_on", "pk"))
    sets = (IndicatorSet.objects.filter(zone__state__in=active, state__in=INDICATORS_OWED, due_on__lte=horizon)
            .select_related("zone").order_by("due_on", "pk"))
    for item in [*reports, *sets]:
        zone = item.zone
        kind = "report" if isinstance(item, QuarterlyReport) else "indicators"
        url = (reverse("zones:report", args=[zone.pk, item.pk]) if kind == "report"
               else reverse("zones:indicators", args=[zone.pk, item.year]))
        late = item.due_on < today
        if not _claim(f"zone-{kind}:{item.pk}:{'overdue' if late else 'due'}:{item.due_on.isoformat()}"):
            continue
        with override("zh-hans"):
            if late:
                subject = _("逾期：“%(zone)s”%(item)s未按期报送（截止 %(due)s）") % {
                    "zone": zone, "item": item, "due": item.due_on.isoformat()}
                body = _("请尽快报送。省局已同时收到本提醒。")
            else:
                subject = _("提醒：“%(zone)s”%(item)s将于 %(due)s 截止报送") % {
                    "zone": zone, "item": item, "due": item.due_on.isoformat()}
                body = _("请在截止日期前在平台上填写并报送。")
        roles = (Role.APPLICANT, Role.PROVINCIAL) if late else (Role.APPLICANT,)
        sent["overdue" if late else "due"] += _send(zone, roles, subject, body, url, item)
    for r in (Rectification.objects.filter(zone__state__in=active, state=RectificationState.OPEN,
                                           deadline__lte=horizon).select_related("zone")):
        if not _claim(f"zone-rectification:{r.pk}:{r.deadline.isoformat()}"):
            continue
        with override("zh-hans"):
            subject = _("提醒：“%(zone)s”整改期限 %(deadline)s") % {"zone": r.zone, "deadline": r.deadline.isoformat()}
        sent["rectification"] += _send(r.zone, (Role.APPLICANT,), subject, r.requirement,
                                       reverse("zones:detail", args=[r.zone_id]), r)
    return sent
