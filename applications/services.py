"""Changes an applicant makes to its application: creating it, saving a section of the online form,
uploading and withdrawing evidence. Each checks its rule and raises ApplicationRefused (a
workflow.errors.Refused) with the user's message; submission itself is a transition
(review.transitions)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from workflow.errors import Refused

from . import uploads
from .models import Application, Evidence
from .queries import open_calls_for
from .sections import SECTION_BY_KEY


class ApplicationRefused(Refused):
    pass


def create_application(user, call) -> Application:
    """The applicant's application in `call`: created as a draft, or the existing one (a second tab
    that got there first; one application per applicant per call)."""
    organisation = user.organisation
    if not user.has_perm("portal.create_application") or organisation is None:
        raise ApplicationRefused(_("您的角色无权创建申报。"))
    if call.pk not in {c.pk for c in open_calls_for(organisation)}:
        raise ApplicationRefused(_("该申报批次当前不受理申报。"), {"call": _("该申报批次当前不受理申报。")})
    try:
        with transaction.atomic():
            return Application.objects.create(call=call, applicant=organisation, province=organisation.province,
                                              city=organisation.city)
    except IntegrityError:
        return Application.objects.get(call=call, applicant=organisation)


def _locked_for_editing(user, application) -> Application:
    locked = Application.objects.select_for_update(of=("self",)).select_related("applicant").get(pk=application.pk)
    if not user.has_perm("portal.edit_application", locked):
        raise ApplicationRefused(_("该申报已报送,当前不能修改。"))
    return locked


def save_section(user, application, section_key: str, parts) -> None:
    """Save one section of the online form: `parts` are its validated form and/or formset
    (applications.forms), bound to `application`. Only the section's own fields are written, so a
    save never undoes a change made meanwhile elsewhere (a submission in another tab)."""
    section = SECTION_BY_KEY[section_key]
    with transaction.atomic():
        _locked_for_editing(user, application)
        for part in parts:
            if hasattr(part, "forms"):  # a formset of related rows
                part.save()
            else:
                instance = part.save(commit=False)
                instance.save(update_fields=[*section.fields, "updated_at"])


def upload_evidence(user, application, kind, upload, title="") -> Evidence:
    with transaction.atomic():
        locked = _locked_for_editing(user, application)
        try:
            return uploads.store_evidence(locked, kind, upload, user, title)
        except ValidationError as error:
            raise ApplicationRefused(" ".join(error.messages), {"file": " ".join(error.messages)})


def withdraw_evidence(user, application, evidence_pk) -> Evidence | None:
    """Withdraw one current evidence file; None when there is no such current file."""
    with transaction.atomic():
        locked = _locked_for_editing(user, application)
        evidence = locked.evidence.filter(pk=evidence_pk, withdrawn_at__isnull=True).first()
        if evidence is not None:
            uploads.withdraw_evidence(evidence)
        return evidence
