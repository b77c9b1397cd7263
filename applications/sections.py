"""The online application's sections: which fields each holds and which must be filled.

The sectioned form, the completeness badges and the submission check all read this table.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .enums import EvidenceKind


@dataclass(frozen=True)
class Section:
    key: str
    title: object
    fields: tuple[str, ...]
    required: tuple[str, ...]
    document: str  # 申报书, 建设方案 or 承诺书


SECTIONS: tuple[Section, ...] = (
    Section("zone", _("实验区基本情况"),
            ("zone_name", "city", "host_park", "is_demo_park", "demo_park_since", "demo_park_justification",
             "zone_area_km2", "zone_scope"),
            ("zone_name", "city", "host_park", "zone_area_km2", "zone_scope"), "form"),
    Section("applicant", _("申报主体与联系人"),
            ("contact_name", "contact_title", "contact_phone", "contact_email", "has_association", "association_name"),
            ("contact_name", "contact_phone", "contact_email"), "form"),
    Section("industry", _("专利密集型产业与管理机构"),
            ("industry_name", "management_agency_name", "management_agency_description"),
            ("industry_name", "management_agency_name", "management_agency_description"), "form"),
    Section("figures", _("上一年度产业指标"),
            ("figures_year", "gross_output", "resident_enterprises", "patents_per_10k", "industry_patents",
             "rd_spending", "patented_sales"),
            ("figures_year", "gross_output", "resident_enterprises", "patents_per_10k", "industry_patents",
             "rd_spending", "patented_sales"), "form"),
    Section("service", _("专利运用公共服务机构"),
            ("service_agency_name", "service_agency_staff", "service_agency_head", "service_agency_head_background"),
            ("service_agency_name", "service_agency_staff", "service_agency_head", "service_agency_head_background"),
            "form"),
    Section("policies", _("地方支持政策"), (), (), "form"),
    Section("plan", _("建设方案"),
            ("plan_situation", "plan_problems", "plan_positioning", "plan_path", "plan_goals", "task_mechanism",
             "task_network", "task_projects", "task_services", "task_enterprises", "task_international",
             "plan_measures", "plan_safeguards"),
            ("plan_situation", "plan_problems", "plan_positioning", "plan_path", "plan_goals", "task_mechanism",
             "task_network", "task_projects", "task_services", "task_enterprises", "task_international",
             "plan_measures", "plan_safeguards"), "plan"),
    Section("plan_years", _("年度计划与目标"), (), (), "plan"),
    Section("commitment", _("建设承诺书"),
            ("commitment_measures", "lead_department", "coordination_mechanism", "leading_group_head",
             "leading_group_head_title", "leading_group_members"),
            ("commitment_measures", "lead_department", "coordination_mechanism", "leading_group_head",
             "leading_group_head_title", "leading_group_members"), "commitment"),
    Section("funding", _("财政经费投入"), (), (), "commitment"),
    Section("evidence", _("证明材料"), (), (), "evidence"),
)

SECTION_BY_KEY = {s.key: s for s in SECTIONS}

PLAN_YEARS = 5

# Evidence every application needs; conditional ones are added by `required_evidence`.
ALWAYS_REQUIRED_EVIDENCE = (
    EvidenceKind.BOUNDARY_MAP,
    EvidenceKind.OUTPUT_STATISTICS,
    EvidenceKind.ENTERPRISE_LIST,
    EvidenceKind.PATENT_STATISTICS,
    EvidenceKind.MANAGEMENT_AGENCY,
    EvidenceKind.SERVICE_AGENCY,
    EvidenceKind.SIGNED_COMMITMENT,
)


def required_evidence(application) -> list[str]:
    kinds = list(ALWAYS_REQUIRED_EVIDENCE)
    if application.has_association:
        kinds.append(EvidenceKind.COOPERATION_AGREEMENT)
    if application.is_demo_park:
        kinds.append(EvidenceKind.DEMO_PARK_CERTIFICATE)
    return kinds


def _filled(value) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    return True


def missing_fields(application, section: Section) -> list[str]:
    missing = [f for f in section.required if not _filled(getattr(application, f))]
    if section.key == "zone":
        if application.is_demo_park is None:
            missing.append("is_demo_park")
        elif application.is_demo_park and not application.demo_park_since:
            missing.append("demo_park_since")
        elif application.is_demo_park is False and not _filled(application.demo_park_justification):
            missing.append("demo_park_justification")
    if section.key == "applicant" and application.has_association and not _filled(application.association_name):
        missing.append("association_name")
    return missing


def current_evidence_kinds(application) -> set[str]:
    """Kinds of the evidence not withdrawn. Reads `.all()` so a list page can prefetch it."""
    return {e.kind for e in application.evidence.all() if e.withdrawn_at is None}


# Related rows a page prefetches so that `completeness` runs no query per application.
COMPLETENESS_PREFETCH = ("policies", "plan_years", "funding", "evidence")


def section_complete(application, section: Section, *, evidence_kinds=None) -> bool:
    if section.key == "policies":
        return len(application.policies.all()) >= 1
    if section.key == "plan_years":
        return sum(1 for y in application.plan_years.all() if y.milestones) >= PLAN_YEARS
    if section.key == "funding":
        return len(application.funding.all()) >= 1
    if section.key == "evidence":
        kinds = evidence_kinds if evidence_kinds is not None else current_evidence_kinds(application)
        return all(k in kinds for k in required_evidence(application))
    return not missing_fields(application, section)


def completeness(application) -> dict[str, bool]:
    kinds = current_evidence_kinds(application)
    return {s.key: section_complete(application, s, evidence_kinds=kinds) for s in SECTIONS}
