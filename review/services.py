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
from audit.services import record, refusals_recorded
from notifications.services import Message, notify
from workflow import editing
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


CHECKLIST_KEYS = [key for key, _label in FORMAL_CHECKLIST]


def _stored_formal_review(application) -> dict:
    review = FormalReview.objects.filter(application=application, version=application.current_version).first()
    checklist = review.checklist if review else {}
    return {**{key: bool(checklist.get(key)) for key in CHECKLIST_KEYS}, "notes": review.notes if review else ""}


def formal_review_version(application) -> str:
    """The version the checklist form carries (workflow.editing)."""
    return editing.token({"review": {k: editing.value(v) for k, v in _stored_formal_review(application).items()}})


def save_formal_review(application, user, checklist: dict, notes: str, *, loaded: str | None = None,
                       form=None) -> FormalReview:
    """The national office's 材料审核 checklist of the application's current version; only while the
    application is in formal review, and only by a user who may review it nationally.

    With `loaded` (formal_review_version, carried by the page's form) only the items this reviewer
    changed are written, and a save after another reviewer saved is refused with
    workflow.editing.EditConflict."""
    merge = editing.Merge(editing.read(loaded))
    with refusals_recorded("formal_review.save", actor=user, obj=application), transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if not user.has_perm("portal.review_nationally", locked):
            raise FormalReviewError(_("您无权处理该申报。"))
        if locked.state != S.NATIONAL_REVIEW:
            raise FormalReviewError(_("只有处于“国家局材料审核”状态的申报可以填写审核清单。"))
        mine = {**{key: bool(checklist.get(key)) for key in CHECKLIST_KEYS}, "notes": (notes or "").strip()}
        stored = _stored_formal_review(locked)
        changed = merge.form("review", form, [*CHECKLIST_KEYS, "notes"], stored, mine=mine)
        merge.check()
        values = {**stored, **{name: mine[name] for name in changed}}
        review, _created = FormalReview.objects.update_or_create(
            application=locked, version=locked.current_version,
            defaults={"checklist": {key: values[key] for key in CHECKLIST_KEYS}, "notes": values["notes"],
                      "reviewer": user},
        )
        record("formal_review.save", actor=user, obj=locked, details={
            "version": locked.current_version, "formal_review": review.pk})
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
        record("province_deadline.set", actor=user, obj=call, details={
            "province": province.pk, "deadline": deadline.isoformat() if deadline else None})
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
