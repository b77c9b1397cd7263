"""Changes of the review pipeline other than state changes (those are review.transitions.perform):
the national formal-review checklist and the province's ranking. Each checks its rule and raises a
workflow.errors.Refused subclass with the user's message."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from applications.enums import ApplicationState as S
from applications.models import Application
from audit.services import record, refusals_recorded
from workflow import editing
from workflow.errors import Refused

from .guards import FORMAL_CHECKLIST
from .models import FormalReview
from .ranking import RankingError, set_ranking

__all__ = ["FormalReviewError", "RankingError", "save_formal_review", "set_ranking"]


class FormalReviewError(Refused):
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
