"""What must hold before an application goes to its provincial bureau, and freezing a version."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from . import eligibility
from .enums import CallStatus, EvidenceKind, PolicyStatus
from .models import ApplicationVersion
from .sections import SECTIONS, current_evidence_kinds, missing_fields, required_evidence, section_complete

ISSUED_POLICY_MESSAGE = _("已出台的政策须填写文号或上传政策文件。")


def figures_year_for(call) -> int:
    """The figures are 上一年度 (guide 四(一)2): the year before the call's."""
    return call.year - 1


def figures_year_message(call):
    return _("统计年度须为上一年度(%(year)s 年),即本批次年度的前一年。") % {"year": figures_year_for(call)}


@dataclass(frozen=True)
class Problem:
    code: str
    message: object
    section: str = ""


def problems(application, now=None) -> list[Problem]:
    """Everything that stops submission, each pointing at the section to fix. Empty means ready."""
    now = now or timezone.now()
    found: list[Problem] = []
    call = application.call
    if call.status != CallStatus.OPEN:
        found.append(Problem("call_not_open", _("该申报批次当前不受理申报。")))
    deadline = call.deadline_for(application.province)
    if now > deadline:
        found.append(Problem("deadline_passed", _("申报截止时间(%(deadline)s)已过。") % {
            "deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")}))
    for result in eligibility.blocking(eligibility.evaluate_application(application)):
        found.append(Problem(f"eligibility:{result.code}", result.message, result.section))
    kinds = current_evidence_kinds(application)
    for section in SECTIONS:
        if section.key == "evidence":
            continue
        if not section_complete(application, section, evidence_kinds=kinds):
            fields = missing_fields(application, section)
            labels = pgettext("list separator", "、").join(
                str(application._meta.get_field(f).verbose_name) for f in fields)
            message = (_("“%(section)s”未填写完整:%(fields)s。") % {"section": section.title, "fields": labels}
                       if labels else _("“%(section)s”未填写完整。") % {"section": section.title})
            found.append(Problem(f"section:{section.key}", message, section.key))
    if application.figures_year is not None and application.figures_year != figures_year_for(call):
        found.append(Problem("figures_year", figures_year_message(call), "figures"))
    for policy in application.policies.all():
        if policy.status == PolicyStatus.ISSUED and not policy.document_number.strip() and not policy.document:
            found.append(Problem(f"policy:{policy.pk}", _("“%(title)s”:%(message)s") % {
                "title": policy.title, "message": ISSUED_POLICY_MESSAGE}, "policies"))
    for kind in required_evidence(application):
        if kind not in kinds:
            label = EvidenceKind(kind).label
            if kind == EvidenceKind.SIGNED_COMMITMENT:
                message = _("须上传经政府签章的实验区建设承诺书扫描件。")
            else:
                message = _("缺少证明材料:%(kind)s。") % {"kind": label}
            found.append(Problem(f"evidence:{kind}", message, "evidence"))
    return found


def snapshot(application) -> dict:
    """Every field of the application and its related rows, as plain JSON."""
    data = {}
    for f in application._meta.concrete_fields:
        if f.name in {"id", "state", "current_version", "provincial_rank", "forwarded_at", "state_changed_at", "created_at",
                      "updated_at"}:
            continue
        value = f.value_from_object(application)
        data[f.attname] = value if value is None or isinstance(value, (bool, int, str)) else str(value)
    data["applicant_name"] = application.applicant.name
    data["applicant_level"] = application.applicant.level
    data["province_name"] = application.province.name
    data["call_title"] = application.call.title
    data["policies"] = [
        {"status": p.status, "title": p.title, "document_number": p.document_number,
         "issued_on": p.issued_on.isoformat() if p.issued_on else None, "document_name": p.document_name,
         "document_sha256": p.document_sha256, "policy_id": p.pk,
         # the stored name: replacing the document later keeps the old file, so this version can serve it
         "document_file": p.document.name or ""}
        for p in application.policies.all()
    ]
    data["plan_years"] = [
        {"year": y.year, "milestones": y.milestones,
         "output_target": None if y.output_target is None else str(y.output_target),
         "patented_sales_target": None if y.patented_sales_target is None else str(y.patented_sales_target),
         "rd_target": None if y.rd_target is None else str(y.rd_target), "patents_target": y.patents_target}
        for y in application.plan_years.all()
    ]
    data["funding"] = [{"year": f.year, "amount_wan": str(f.amount_wan)} for f in application.funding.all()]
    data["evidence"] = [
        {"id": e.pk, "kind": e.kind, "title": e.title, "original_name": e.original_name, "size": e.size,
         "sha256": e.sha256, "content_type": e.content_type}
        # `.all()` (then the filter): a page that prefetched the evidence runs no query here
        for e in application.evidence.all() if e.withdrawn_at is None
    ]
    return data


def freeze_version(application, user):
    """Write the next numbered version. Called by the submit transitions inside their lock."""
    number = (application.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ApplicationVersion.objects.create(
        application=application,
        number=number,
        snapshot=snapshot(application),
        eligibility=[r.as_dict() for r in eligibility.evaluate_application(application)],
        submitted_by=user,
    )
    version.evidence.set(application.evidence.filter(withdrawn_at__isnull=True))
    application.current_version = number
    return version
