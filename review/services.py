"""Changes of the review pipeline other than state changes (those are review.transitions.perform):
the national formal-review checklist and the province's ranking. Each checks its rule and raises a
workflow.errors.Refused subclass with the user's message."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from accounts.enums import Role
from applications.enums import ApplicationState as S
from applications.enums import CallStatus
from applications.models import Application, Call, ProvinceDeadline
from notifications.services import Message, notify
from workflow.errors import Refused

from .guards import FORMAL_CHECKLIST
from .models import FormalReview
from .ranking import RankingError, set_ranking

__all__ = ["DeadlineError", "FormalReviewError", "RankingError", "save_formal_review", "set_province_deadline",
           "set_ranking"]


class FormalReviewError(Refused):
    pass


class DeadlineError(Refused):
    pass


def save_formal_review(application, user, checklist: dict, notes: str) -> FormalReview:
    """The national office's 材料审核 checklist of the application's current version; only while the
    application is in formal review, and only by a user who may review it nationally."""
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if not user.has_perm("portal.review_nationally", locked):
            raise FormalReviewError(_("您无权处理该申报。"))
        if locked.state != S.NATIONAL_REVIEW:
            raise FormalReviewError(_("只有处于“国家局材料审核”状态的申报可以填写审核清单。"))
        values = {key: bool(checklist.get(key)) for key, _label in FORMAL_CHECKLIST}
        review, _created = FormalReview.objects.update_or_create(
            application=locked, version=locked.current_version,
            defaults={"checklist": values, "notes": (notes or "").strip(), "reviewer": user},
        )
    return review


def _when(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M")


def set_province_deadline(user, call, deadline) -> ProvinceDeadline | None:
    """The user's provincial bureau sets (or, with None, removes) its own earlier deadline for its
    cities in an open call. Refused after the national deadline (the province must forward by then)
    and before the call opens. The province's applicants with an application in the call are told."""
    province = user.province if user.has_perm("portal.provincial_workspace") else None
    if province is None:
        raise DeadlineError(_("您无权设置省内截止时间。"))
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        if call.status != CallStatus.OPEN:
            raise DeadlineError(_("该申报批次当前不受理申报,不能设置省内截止时间。"))
        if deadline is None:
            ProvinceDeadline.objects.filter(call=call, province=province).delete()
            own = None
        else:
            if deadline > call.national_deadline:
                message = _("省内截止时间不能晚于报送国家局的截止时间(%(deadline)s)。") % {
                    "deadline": _when(call.national_deadline)}
                raise DeadlineError(message, {"deadline": message})
            if timezone.localtime(deadline).date() < call.opens_on:
                message = _("省内截止时间不能早于批次开始受理日期(%(date)s)。") % {"date": call.opens_on.isoformat()}
                raise DeadlineError(message, {"deadline": message})
            own, _created = ProvinceDeadline.objects.update_or_create(
                call=call, province=province, defaults={"deadline": deadline})
        effective = own.deadline if own else call.national_deadline
        applicants = list(get_user_model().objects.filter(
            is_active=True, role=Role.APPLICANT, organisation__applications__call=call,
            organisation__applications__province=province).distinct())
        with override("zh-hans"):
            message = Message(_("申报截止时间调整:%(call)s") % {"call": call.title},
                              _("%(bureau)s将本省申报材料报送截止时间定为 %(deadline)s。") % {
                                  "bureau": user.organisation.name, "deadline": _when(effective)})
        notify(applicants, message, reverse("applications:workspace"), call)
    return own
