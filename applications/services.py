"""Changes an applicant makes to its application: creating it, saving a section of the online form,
uploading and withdrawing evidence; and serving stored uploads (checked against the SHA-256 recorded at
upload, audited). Each checks its rule and raises ApplicationRefused (a workflow.errors.Refused) with
the user's message; submission itself is a transition (review.transitions)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from audit.services import record, refusals_recorded
from workflow import editing
from workflow.errors import Refused

from . import stored_files, uploads
from .models import Application, Evidence, FundingCommitment, LocalPolicy, PlanYear
from .queries import open_calls_for
from .sections import SECTION_BY_KEY
from .stored_files import StoredFileMissing, StoredFileRefused

__all__ = ["ApplicationRefused", "StoredFileMissing", "StoredFileRefused", "create_application",
           "download_evidence", "download_policy_document", "download_version_policy_document", "save_section",
           "upload_evidence", "withdraw_evidence"]


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


# The rows a section's formset edits, and the fields of each row that the form writes.
SECTION_ROWS = {
    "policies": (LocalPolicy, ("status", "title", "document_number", "issued_on")),
    "plan_years": (PlanYear, ("year", "milestones", "output_target", "patented_sales_target", "rd_target",
                              "patents_target")),
    "funding": (FundingCommitment, ("year", "amount_wan")),
}
UPLOAD_FIELDS = ["document", "document_name", "document_sha256"]


def _row_label(form, index):
    instance = form.instance
    return str(getattr(instance, "year", None) or instance or index + 1)


def section_version(application, section_key: str) -> str:
    """The version a section's form carries: the values it is loaded with (see workflow.editing)."""
    section = SECTION_BY_KEY[section_key]
    current = {}
    if section.fields:
        current["form"] = editing.instance_values(application, section.fields)
    if section_key in SECTION_ROWS:
        model, names = SECTION_ROWS[section_key]
        current["rows"] = {str(obj.pk): editing.instance_values(obj, names)
                           for obj in model.objects.filter(application=application)}
    return editing.token(current)


def save_section(user, application, section_key: str, parts, loaded: str | None = None) -> None:
    """Save one section of the online form: `parts` are its validated form and/or formset
    (applications.forms), bound to `application`. Only the section's own fields are written, so a
    save never undoes a change made meanwhile elsewhere (a submission in another tab).

    `loaded` is the version the form was loaded with (section_version). With it, only the fields this
    person changed are written, and a save after someone else saved this section is refused with
    workflow.editing.EditConflict (nothing written, both texts for the page)."""
    section = SECTION_BY_KEY[section_key]
    merge = editing.Merge(editing.read(loaded))
    with transaction.atomic():
        locked = _locked_for_editing(user, application)
        plan = []
        for part in parts:
            if hasattr(part, "forms"):  # a formset of related rows
                model, names = SECTION_ROWS[section_key]
                plan.append(("rows", part, merge.rows("rows", part, names, model.objects.filter(
                    application=locked).select_for_update(), _row_label)))
            else:
                plan.append(("form", part, merge.form("form", part, section.fields, locked)))
        merge.check()
        for kind, part, writes in plan:
            if kind == "form":
                if writes:
                    instance = part.save(commit=False)
                    instance.save(update_fields=[*writes, "updated_at"])
            elif not merge.checking:
                part.save()
            else:
                _save_rows(writes)


def _save_rows(writes):
    for form, action in writes:
        if action == "delete":
            form.instance.delete()
            continue
        row = form.save(commit=False)
        if action == "new":
            row.save()
        else:
            uploaded = bool(form.cleaned_data.get("upload"))
            row.save(update_fields=[*action, *(UPLOAD_FIELDS if uploaded else [])])


def upload_evidence(user, application, kind, upload, title="") -> Evidence:
    with refusals_recorded("evidence.upload", actor=user, obj=application, details={"kind": kind}), \
            transaction.atomic():
        locked = _locked_for_editing(user, application)
        try:
            evidence = uploads.store_evidence(locked, kind, upload, user, title)
        except ValidationError as error:
            raise ApplicationRefused(" ".join(error.messages), {"file": " ".join(error.messages)})
        record("evidence.upload", actor=user, obj=evidence, details={
            "application": locked.pk, "kind": kind, "content_type": evidence.content_type, "size": evidence.size,
            "sha256": evidence.sha256})
        return evidence


def withdraw_evidence(user, application, evidence_pk) -> Evidence | None:
    """Withdraw one current evidence file; None when there is no such current file."""
    with transaction.atomic():
        locked = _locked_for_editing(user, application)
        evidence = locked.evidence.filter(pk=evidence_pk, withdrawn_at__isnull=True).first()
        if evidence is not None:
            uploads.withdraw_evidence(evidence)
            record("evidence.withdraw", actor=user, obj=evidence, details={"application": locked.pk})
        return evidence


# ---- serving stored uploads (the caller has checked the user may see them) --------------------------

def download_evidence(user, evidence) -> stored_files.ServedFile:
    return stored_files.serve(evidence.file.name, evidence.sha256, evidence.original_name, obj=evidence,
                              what="evidence", actor=user)


def download_policy_document(user, policy) -> stored_files.ServedFile:
    return stored_files.serve(policy.document.name, policy.document_sha256, policy.document_name or "document",
                              obj=policy, what="policy_document", actor=user)


def download_version_policy_document(user, version, entry: dict) -> stored_files.ServedFile:
    """A policy document as frozen in a version (`entry` is its row of the version's snapshot)."""
    return stored_files.serve(entry["document_file"], entry.get("document_sha256", ""),
                              entry.get("document_name") or "document", obj=version, what="version_policy_document",
                              actor=user)
