"""Deadline reminders, three days ahead (run by Celery beat through review.tasks).

Provinces are reminded of the applications still in their queue before the national deadline and
before their own internal deadline; experts of their unsubmitted assignments before the
assignment's (or the call's) expert deadline. Each reminder is claimed once in SentReminder, keyed
by recipient group, object and the deadline's value, so repeated runs never remind twice and a
moved deadline is reminded again.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.enums import Role
from applications.models import Application, Call, ProvinceDeadline
from applications.states import PROVINCE_TODO, in_queue
from notifications.models import SentReminder
from notifications.services import Message, notify

from .enums import AssignmentStatus
from .models import ExpertAssignment

REMIND_BEFORE = timedelta(days=3)
PROVINCE_QUEUE = in_queue(PROVINCE_TODO)


def _claim(key: str) -> bool:
    try:
        with transaction.atomic():
            SentReminder.objects.create(key=key)
        return True
    except IntegrityError:
        return False


def _when(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M")


def _provincial_users(province_id):
    return list(get_user_model().objects.filter(is_active=True, role=Role.PROVINCIAL,
                                                organisation__province_id=province_id))


def _remind_province(call, province_id, count, deadline, kind, label):
    key = f"province:{province_id}:call:{call.pk}:{kind}:{deadline.isoformat()}"
    users = _provincial_users(province_id)
    if not users or not _claim(key):
        return 0
    with override("zh-hans"):
        subject = _("提醒:%(label)s(%(when)s)前仍有 %(n)s 项申报待本局办理") % {
            "label": label, "when": _when(deadline), "n": count}
        body = _("“%(call)s”:%(label)s为 %(when)s,本局仍有 %(n)s 项申报尚未办结。") % {
            "call": call.title, "label": label, "when": _when(deadline), "n": count}
    notify(users, Message(subject, body), reverse("review:provincial_workspace"))
    return len(users)


def remind_provinces(now) -> int:
    sent = 0
    horizon = now + REMIND_BEFORE
    with override("zh-hans"):
        national_label, own_label = _("报送国家局截止时间"), _("本省申报截止时间")
    for call in Call.objects.filter(national_deadline__gt=now, national_deadline__lte=horizon):
        queue = (Application.objects.filter(call=call, state__in=PROVINCE_QUEUE).order_by()
                 .values_list("province_id").annotate(n=Count("pk")))
        for province_id, n in queue:
            sent += _remind_province(call, province_id, n, call.national_deadline, "national", national_label)
    for own in ProvinceDeadline.objects.filter(deadline__gt=now, deadline__lte=horizon).select_related("call"):
        n = Application.objects.filter(call=own.call, province_id=own.province_id, state__in=PROVINCE_QUEUE).count()
        if n:
            sent += _remind_province(own.call, own.province_id, n, own.deadline, "own", own_label)
    return sent


def remind_experts(now) -> int:
    due = (ExpertAssignment.objects.filter(status=AssignmentStatus.ASSIGNED)
           .annotate(due=Coalesce("deadline", "application__call__expert_deadline"))
           .filter(due__gt=now, due__lte=now + REMIND_BEFORE)
           .select_related("expert").order_by("expert_id", "due", "pk"))
    groups = defaultdict(list)
    for assignment in due:
        if _claim(f"assignment:{assignment.pk}:{assignment.due.isoformat()}"):
            groups[(assignment.expert, assignment.due)].append(assignment)
    url = reverse("review:expert_workspace")
    for (expert, deadline), assignments in groups.items():
        with override("zh-hans"):
            subject = _("提醒:%(n)s 项评审任务将于 %(when)s 截止") % {"n": len(assignments), "when": _when(deadline)}
            body = _("您有 %(n)s 项专家评审任务尚未提交评分,截止时间为 %(when)s。") % {
                "n": len(assignments), "when": _when(deadline)}
        notify([expert], Message(subject, body), url)
    return len(groups)


def send_deadline_reminders(now=None) -> dict:
    now = now or timezone.now()
    return {"provincial": remind_provinces(now), "expert": remind_experts(now)}
