"""What each document is built from: its source data as a plain JSON-able dict, the table of document
specs (builder, template, format), and the content hash taken over exactly what the template reads.

A builder raises `Unavailable` when the document cannot exist yet. Nothing here renders or queues.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from review.enums import ProvincialDecision
from review.models import Approval, ProvincialReview

from . import scores
from .enums import DocumentFormat
from .enums import DocumentKind as K

# Bump when templates or layout change in a way that should re-render unchanged content.
LAYOUT_REVISION = 4


class Unavailable(Exception):
    """The document cannot exist yet (no submitted version, no recommendation …); message for the user."""


def _s(value):
    return None if value is None else str(value)


def _date(dt) -> str:
    return timezone.localtime(dt).date().isoformat() if dt else ""


def _latest_version(application):
    version = application.versions.order_by("-number").first()
    if version is None:
        raise Unavailable(_("该申报尚未报送,还没有可生成文书的申报版本。"))
    return version


def _province_bureau(application) -> str:
    bureau = Organisation.objects.filter(kind="provincial", province_id=application.province_id).first()
    return bureau.name if bureau else f"{application.province.name}知识产权局"


def _national_office() -> str:
    office = Organisation.objects.filter(kind="national").first()
    return office.name if office else "国家知识产权局专利管理司"


def source_application_form(application) -> dict:
    version = _latest_version(application)
    return {"version": version.number, "submitted_at": _date(version.submitted_at), "snapshot": version.snapshot,
            "eligibility": version.eligibility}


def source_commitment(application) -> dict:
    """From the live draft: the applicant prints, signs and seals it before submitting."""
    fields = ("zone_name", "city", "host_park", "industry_name", "commitment_measures", "lead_department",
              "coordination_mechanism", "leading_group_head", "leading_group_head_title", "leading_group_members",
              "has_association", "association_name")
    data = {f: getattr(application, f) for f in fields}
    data.update(
        applicant_name=application.applicant.name, province_name=application.province.name,
        call_title=application.call.title, call_year=application.call.year,
        funding=[{"year": f.year, "amount_wan": str(f.amount_wan)} for f in application.funding.all()],
    )
    return data


def source_provincial_opinion(application) -> dict:
    review = (ProvincialReview.objects.filter(application=application, decision=ProvincialDecision.RECOMMEND)
              .order_by("-created_at", "-pk").first())
    if review is None:
        raise Unavailable(_("省局尚未作出推荐意见。"))
    version = application.versions.filter(number=review.version).first() or _latest_version(application)
    findings = {"plan": review.plan_finding, "evidence": review.evidence_finding, "commitment": review.commitment_finding}
    return {"opinion": review.opinion, "findings": findings, "date": _date(review.created_at), "version": version.number,
            "bureau": _province_bureau(application), "addressee": "国家知识产权局专利管理司",
            "rank": application.provincial_rank, "snapshot": version.snapshot, "eligibility": version.eligibility}


def source_approval(application) -> dict:
    approval = Approval.objects.filter(application=application).first()
    if approval is None:
        raise Unavailable(_("国家知识产权局尚未作出批复。"))
    version = _latest_version(application)
    snap = version.snapshot
    return {"approved": approval.approved, "document_number": approval.document_number, "text": approval.text,
            "date": _date(approval.decided_at), "bureau": _province_bureau(application), "version": version.number,
            "issuer": "国家知识产权局办公室",
            "zone_name": snap.get("zone_name"), "applicant_name": snap.get("applicant_name"),
            "city": snap.get("city"), "industry_name": snap.get("industry_name"), "call_title": snap.get("call_title"),
            "plan_years": snap.get("plan_years", [])}


def source_score_summary(call) -> dict:
    summary = scores.summary(call)
    if not summary["applications"]:
        raise Unavailable(_("该批次尚无已提交的专家评分。"))
    return summary


def source_dossier(application) -> dict:
    version = _latest_version(application)
    evidence = [
        {"id": e.pk, "kind": e.kind, "kind_label": str(e.get_kind_display()), "title": e.title,
         "original_name": e.original_name, "content_type": e.content_type, "sha256": e.sha256}
        for e in version.evidence.order_by("kind", "uploaded_at", "pk")
    ]
    return {**source_application_form(application), "evidence": evidence}


@dataclass(frozen=True)
class Spec:
    kind: str
    build: Callable
    template: str
    call_level: bool = False
    format: str = DocumentFormat.PDF


SPECS = {
    K.APPLICATION_FORM: Spec(K.APPLICATION_FORM, source_application_form, "documents/application_form.html"),
    K.COMMITMENT: Spec(K.COMMITMENT, source_commitment, "documents/commitment.html"),
    K.PROVINCIAL_OPINION: Spec(K.PROVINCIAL_OPINION, source_provincial_opinion, "documents/provincial_opinion.html"),
    K.SCORE_SUMMARY: Spec(K.SCORE_SUMMARY, source_score_summary, "documents/score_summary.html", call_level=True),
    K.APPROVAL: Spec(K.APPROVAL, source_approval, "documents/approval.html"),
    K.DOSSIER: Spec(K.DOSSIER, source_dossier, ""),
}
APPLICATION_KINDS = [k for k, s in SPECS.items() if not s.call_level]


def content_hash(kind: str, data: dict) -> str:
    payload = json.dumps({"kind": str(kind), "layout": LAYOUT_REVISION, "data": data}, sort_keys=True,
                         ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()
