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
from applications import eligibility, submission
from review.enums import ProvincialDecision
from review.experts import aggregation
from review.models import Approval, ProvincialReview
from zones import acceptance
from zones import queries as zone_queries
from zones.models import AcceptanceRound

from . import scores
from .enums import DocumentFormat
from .enums import DocumentKind as K

# Bump when templates or layout change in a way that should re-render unchanged content.
LAYOUT_REVISION = 8


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


def _province_bureau_org(application):
    return Organisation.objects.filter(kind="provincial", province_id=application.province_id).first()


def _province_bureau(application) -> str:
    bureau = _province_bureau_org(application)
    return bureau.name if bureau else f"{application.province.name}知识产权局"


def _national_office_org():
    return Organisation.objects.filter(kind="national").order_by("pk").first()


def _national_office() -> str:
    office = _national_office_org()
    return office.name if office else "国家知识产权局专利管理司"


def source_application_form(application) -> dict:
    version = _latest_version(application)
    return {"version": version.number, "submitted_at": _date(version.submitted_at), "snapshot": version.snapshot,
            "eligibility": version.eligibility}


COMMITMENT_FIELDS = ("zone_name", "city", "host_park", "industry_name", "commitment_measures", "lead_department",
                     "coordination_mechanism", "leading_group_head", "leading_group_head_title",
                     "leading_group_members", "applicant_name", "province_name", "call_title", "funding",
                     "has_association", "association_name")


def _commitment(snapshot: dict, **extra) -> dict:
    return {**{f: snapshot.get(f) for f in COMMITMENT_FIELDS}, "funding": snapshot.get("funding") or [], **extra}


def source_commitment(application) -> dict:
    """The 承诺书 of the submitted version, as reviewers read it."""
    version = _latest_version(application)
    return _commitment(version.snapshot, version=version.number)


def _editable(application):
    if not application.is_editable:
        raise Unavailable(_("申报已报送,草稿不再提供;请使用报送版本的文书。"))


def source_draft_commitment(application) -> dict:
    """From the live draft, watermarked: the applicant prints, signs, seals and scans it before submitting."""
    _editable(application)
    return _commitment(submission.snapshot(application), version=0, draft=True)


def source_draft_application_form(application) -> dict:
    """The 申报书 as the live draft stands, watermarked (the cover asks for the applicant's seal)."""
    _editable(application)
    return {"version": 0, "submitted_at": "", "snapshot": submission.snapshot(application), "draft": True,
            "eligibility": [r.as_dict() for r in eligibility.evaluate_application(application)]}


def source_provincial_opinion(application) -> dict:
    review = (ProvincialReview.objects.filter(application=application, decision=ProvincialDecision.RECOMMEND)
              .order_by("-created_at", "-pk").first())
    if review is None:
        raise Unavailable(_("省局尚未作出推荐意见。"))
    version = application.versions.filter(number=review.version).first() or _latest_version(application)
    findings = {"plan": review.plan_finding, "evidence": review.evidence_finding, "commitment": review.commitment_finding}
    return opinion_letter(application, version, opinion=review.opinion, document_number=review.document_number,
                          date=_date(review.created_at), rank=application.provincial_rank, findings=findings)


def opinion_letter(application, version, *, opinion, document_number, date, rank, findings=None) -> dict:
    """The 推荐函 of the provincial bureau to the national office, from a submitted version (also the
    draft shown before the step is taken)."""
    bureau = _province_bureau_org(application)
    snap = version.snapshot
    zone = snap.get("zone_name") or ""
    return {"opinion": opinion, "findings": findings or {}, "date": date, "version": version.number, "rank": rank,
            "document_number": document_number, "snapshot": snap, "eligibility": version.eligibility,
            "issuer": bureau.letterhead_name if bureau else _province_bureau(application),
            "bureau": _province_bureau(application), "addressee": _national_office(),
            "attachments": [f"{zone}申报条件审核情况", f"{zone}申报材料"],
            "copy_to": [snap.get("applicant_name") or application.applicant.name]}


def source_approval(application) -> dict:
    approval = Approval.objects.filter(application=application).first()
    if approval is None:
        raise Unavailable(_("国家知识产权局尚未作出批复。"))
    return approval_letter(application, _latest_version(application), approved=approval.approved,
                           document_number=approval.document_number, text=approval.text,
                           date=_date(approval.decided_at))


def approval_letter(application, version, *, approved, document_number, text, date) -> dict:
    """The 批复 (or the 复函 of a refusal) of the national office to the provincial bureau, copied to the
    applicant government (also the draft shown before the decision is taken)."""
    office = _national_office_org()
    snap = version.snapshot
    plan_years = snap.get("plan_years", []) if approved else []
    zone = snap.get("zone_name") or ""
    return {"approved": approved, "document_number": document_number, "text": text, "date": date,
            "bureau": _province_bureau(application), "addressee": _province_bureau(application),
            "version": version.number, "issuer": office.letterhead_name if office else "国家知识产权局办公室",
            "zone_name": zone, "applicant_name": snap.get("applicant_name"),
            "city": snap.get("city"), "industry_name": snap.get("industry_name"), "call_title": snap.get("call_title"),
            "plan_years": plan_years, "attachments": [f"{zone}年度建设目标"] if plan_years else [],
            "copy_to": [snap.get("applicant_name") or application.applicant.name]}


def source_acceptance_opinion(application) -> dict:
    """The national office's latest 总结验收 decision on the application's zone (guide 五(三))."""
    round_ = (AcceptanceRound.objects.filter(zone__application=application).exclude(decision="")
              .select_related("zone", "zone__applicant", "zone__application__province").order_by("-number").first())
    if round_ is None:
        raise Unavailable(_("国家知识产权局尚未作出验收结论。"))
    return acceptance_letter(round_, decision=round_.decision, text=round_.opinion,
                             document_number=round_.document_number, date=_date(round_.decided_at),
                             rectify_by=_s(round_.rectify_by))


def _plain(value) -> str:
    """A score's maximum without trailing zeros (20, 17.5)."""
    return format(value.normalize(), "f")


def _expert_review(round_) -> dict:
    """The panel's scores of the round, per criterion (mean of the submitted scores) and in total."""
    criteria = list(round_.criteria.order_by("position", "pk"))
    result = acceptance.aggregate(round_, list(zone_queries.round_assignments(round_)), criteria)
    rows = []
    for c in criteria:
        values = [line.values[c.pk] for line in result.lines if c.pk in line.values]
        mean = aggregation.rounded(aggregation.mean(values)) if values else None
        rows.append({"name": c.name, "max": _plain(c.max_score * c.weight), "mean": _s(mean)})
    return {"criteria": rows, "count": result.count, "max_total": _plain(acceptance.max_total(criteria)),
            "trimmed_mean": _s(result.trimmed_mean) if result.count else None,
            "tally": [[str(label), n] for label, n in result.tally]}


def acceptance_letter(round_, *, decision, text, document_number, date, rectify_by) -> dict:
    """The 验收意见 of the national office to the zone's city government, copied to its provincial bureau
    (GB/T 9704 信函, like the 批复): also the draft shown before the decision is confirmed."""
    zone = round_.zone
    application = zone.application
    office = _national_office_org()
    return {"decision": str(decision), "number": round_.number, "document_number": document_number, "text": text,
            "date": date, "rectify_by": rectify_by, "zone_name": zone.name, "applicant_name": zone.applicant.name,
            "bureau": _province_bureau(application), "addressee": zone.applicant.name,
            "copy_to": [_province_bureau(application)], "approval_number": zone.approval_number,
            "start_on": _s(zone.start_on), "end_on": _s(zone.end_on), "industry_name": zone.industry,
            "issuer": office.letterhead_name if office else "国家知识产权局办公室",
            "version": application.current_version, "review": _expert_review(round_),
            "attachments": [f"{zone.name}总结验收专家评审情况"]}


def source_score_summary(call) -> dict:
    summary = scores.summary(call)
    if not summary["applications"] and not any(p["count"] for p in summary["pending"]):
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
    K.ACCEPTANCE_OPINION: Spec(K.ACCEPTANCE_OPINION, source_acceptance_opinion, "documents/acceptance_opinion.html"),
    K.DRAFT_APPLICATION_FORM: Spec(K.DRAFT_APPLICATION_FORM, source_draft_application_form,
                                   "documents/application_form.html"),
    K.DRAFT_COMMITMENT: Spec(K.DRAFT_COMMITMENT, source_draft_commitment, "documents/commitment.html"),
}
APPLICATION_KINDS = [k for k, s in SPECS.items() if not s.call_level]


def content_hash(kind: str, data: dict) -> str:
    payload = json.dumps({"kind": str(kind), "layout": LAYOUT_REVISION, "data": data}, sort_keys=True,
                         ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()
