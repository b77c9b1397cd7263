"""What the zones tell whom. Messages are composed here (in Chinese, the language of the records and
e-mail) and handed to notifications.services.notify(), which knows nothing of zones."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.enums import Role
from notifications.services import Message, notify

from .models import IndicatorLog, RectificationLog, ReportLog, ZoneLog


def zone_users(zone, roles=(Role.APPLICANT,)):
    """Active users of the zone's city (applicant), its provincial bureau and/or the national office."""
    User = get_user_model()
    users = []
    for role in roles:
        qs = User.objects.filter(is_active=True, role=role)
        if role == Role.APPLICANT:
            qs = qs.filter(organisation_id=zone.applicant_id)
        elif role == Role.PROVINCIAL:
            qs = qs.filter(organisation__province_id=zone.province_id)
        elif role != Role.NATIONAL:
            continue
        users.extend(qs.order_by("pk"))
    seen, unique = set(), []
    for u in users:
        if u.pk not in seen:
            seen.add(u.pk)
            unique.append(u)
    return unique


def _tell(zone, roles, actor_id, subject, body, url, about=None):
    users = [u for u in zone_users(zone, (Role.APPLICANT, *roles)) if u.pk != actor_id]
    notify(users, Message(subject, body), url, about if about is not None else zone)


def zone_message(zone, transition, from_label, to_label, opinion="", document_number=""):
    """The subject and body a zone's step sends (also shown before a step that cannot be undone)."""
    with override("zh-hans"):
        subject = _("“%(zone)s”：%(action)s") % {"zone": zone, "action": transition.label}
        body = _("实验区状态由“%(from)s”变为“%(to)s”。") % {"from": from_label, "to": to_label}
        if document_number:
            body += "\n" + _("验收意见文号：%(number)s") % {"number": document_number}
        if opinion:
            body += "\n" + opinion
    return str(subject), str(body)


def zone_transition(log_pk, transition):
    entry = ZoneLog.objects.select_related("zone").get(pk=log_pk)
    zone = entry.zone
    subject, body = zone_message(zone, transition, entry.get_from_state_display(), entry.get_to_state_display(),
                                 entry.opinion, entry.document_number)
    _tell(zone, transition.notify_roles, entry.actor_id, subject, body, reverse("zones:detail", args=[zone.pk]))


def report_transition(log_pk, transition):
    entry = ReportLog.objects.select_related("report", "report__zone").get(pk=log_pk)
    report, zone = entry.report, entry.report.zone
    with override("zh-hans"):
        subject = _("“%(zone)s”%(report)s:%(action)s") % {"zone": zone, "report": report, "action": transition.label}
        body = entry.opinion or _("报告状态：%(state)s。") % {"state": entry.get_to_state_display()}
    _tell(zone, transition.notify_roles, entry.actor_id, subject, body,
          reverse("zones:report", args=[zone.pk, report.pk]), report)


def indicator_transition(log_pk, transition):
    entry = IndicatorLog.objects.select_related("indicator_set", "indicator_set__zone").get(pk=log_pk)
    item, zone = entry.indicator_set, entry.indicator_set.zone
    with override("zh-hans"):
        subject = _("“%(zone)s”%(item)s:%(action)s") % {"zone": zone, "item": item, "action": transition.label}
        body = entry.opinion or _("状态：%(state)s。") % {"state": entry.get_to_state_display()}
    _tell(zone, transition.notify_roles, entry.actor_id, subject, body,
          reverse("zones:indicators", args=[zone.pk, item.year]), item)


def rectification_transition(log_pk, transition):
    entry = RectificationLog.objects.select_related("rectification", "rectification__zone").get(pk=log_pk)
    zone = entry.rectification.zone
    with override("zh-hans"):
        subject = _("“%(zone)s”整改事项：%(action)s") % {"zone": zone, "action": transition.label}
        body = entry.opinion or _("状态：%(state)s。") % {"state": entry.get_to_state_display()}
    _tell(zone, transition.notify_roles, entry.actor_id, subject, body, reverse("zones:detail", args=[zone.pk]),
          entry.rectification)


def zone_created(zone):
    with override("zh-hans"):
        subject = _("“%(zone)s”进入建设期") % {"zone": zone}
        body = _("建设期为 %(start)s 至 %(end)s。请按季度报送建设进展情况，按年度报送核心指标统计数据。") % {
            "start": zone.start_on.isoformat(), "end": zone.end_on.isoformat()}
    notify(zone_users(zone, (Role.APPLICANT, Role.PROVINCIAL)), Message(subject, body),
           reverse("zones:detail", args=[zone.pk]), zone)


def inspection_recorded(inspection, actor):
    zone = inspection.zone
    with override("zh-hans"):
        subject = _("“%(zone)s”监督检查记录（%(date)s）") % {"zone": zone, "date": inspection.inspected_on.isoformat()}
        body = inspection.findings
        rectification = getattr(inspection, "rectification", None)
        if rectification is not None:
            body += "\n" + _("整改要求：%(req)s（整改期限：%(deadline)s）") % {
                "req": rectification.requirement, "deadline": rectification.deadline.isoformat()}
    _tell(zone, (Role.PROVINCIAL, Role.NATIONAL), actor.pk, subject, body, reverse("zones:detail", args=[zone.pk]))


def study_uploaded(study, actor):
    zone = study.zone
    with override("zh-hans"):
        subject = _("“%(zone)s”第三方跟踪研究报告：%(title)s") % {"zone": zone, "title": study.title}
    _tell(zone, (Role.PROVINCIAL,), actor.pk, subject, study.institution, reverse("zones:detail", args=[zone.pk]))


def acceptance_assigned(assignments):
    for a in assignments:
        with override("zh-hans"):
            message = Message(_("新的验收评审任务：%(zone)s") % {"zone": a.round.zone},
                              _("请在评审截止时间前完成总结验收评分。"))
        notify([a.expert], message, reverse("zones:acceptance_assignment", args=[a.pk]), a.round.zone)


def activity_published(activity, recipients):
    with override("zh-hans"):
        message = Message(_("交流活动通知：%(title)s") % {"title": activity.title},
                          _("时间：%(when)s；地点：%(place)s。请在平台上报名参会人员。") % {
                              "when": activity.starts_at.strftime("%Y-%m-%d %H:%M"), "place": activity.place})
    notify(recipients, message, reverse("zones:activity", args=[activity.pk]), activity)
