"""Guide 四(一) 申报条件 and 四(二) 申报主体 as pure functions.

Every caller (the form's live panel, the submit action, each reviewer's view, documents) uses
`evaluate()`. Thresholds are exact: "不低于/不少于 N" includes N; arithmetic is Decimal only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from .enums import EvidenceKind
from .sections import current_evidence_kinds

HARD = "hard"
SOFT = "soft"
CONDITIONAL = "conditional"

PASS = "pass"
FAIL = "fail"
INVALID = "invalid"  # the typed figure is not a valid value (only on the live panel: invalid values are never saved)
JUSTIFY = "justify"  # a soft condition fails and needs (or has) a written justification
NOT_APPLICABLE = "n/a"

MIN_GROSS_OUTPUT = Decimal("30")  # 亿元
MIN_ENTERPRISES = 40
MIN_PATENTS_PER_10K = Decimal("10")
MIN_SERVICE_STAFF = 5

# 地市级以上 (guide 四(二)): every prefecture-level division (地级市, 自治州, 地区, 盟) and above, or the
# park committee acting for such a government.
APPLICANT_LEVELS = {"prefecture", "auto_prefecture", "region", "league", "sub_provincial",
                    "municipality", "park_committee"}

# The typed figures the conditions compare with a threshold.
FIGURES = ("gross_output", "resident_enterprises", "patents_per_10k", "service_agency_staff")


@dataclass(frozen=True)
class Invalid:
    """A typed value the form refused ("30亿", 29.999, 39.5 enterprises, −3): the panel says what the
    field says instead of "未填写" (applications.views.panel_data)."""

    message: Any


@dataclass(frozen=True)
class Result:
    code: str
    kind: str
    status: str
    title: Any
    message: Any
    figure: Any = None
    threshold: Any = None
    section: str = ""
    justified: bool = False

    @property
    def blocks_submission(self) -> bool:
        if self.status in (FAIL, INVALID):
            return True
        return self.status == JUSTIFY and not self.justified

    def as_dict(self) -> dict:
        """A language-independent record for frozen versions: both languages' texts."""
        out = {"code": self.code, "kind": self.kind, "status": self.status, "justified": self.justified,
               "figure": None if self.figure is None else str(self.figure),
               "threshold": None if self.threshold is None else str(self.threshold), "section": self.section}
        for lang in ("zh-hans", "en"):
            with override(lang):
                out[f"title_{lang}"] = str(self.title)
                out[f"message_{lang}"] = str(self.message)
        return out


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, float):  # never trust a float: go through its shortest repr
        value = repr(value)
    try:
        result = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return result if result.is_finite() else None


def _int(value) -> int | None:
    """A whole count, or None. "40.0" is 40; 39.9 is not a count (int() would truncate it to 39
    and 40.5 to 40, passing a figure that was never 40)."""
    if isinstance(value, bool):
        return None
    number = _decimal(value)
    if number is None or number != number.to_integral_value():
        return None
    return int(number)


def _text(value) -> str:
    return (value or "").strip() if isinstance(value, str) else ("" if value is None else str(value))


def at_least(figure, threshold) -> bool:
    return figure is not None and figure >= threshold


def _refused(data: Mapping, name: str, code: str, title, threshold, section: str) -> Result | None:
    """The condition's result when its figure was typed but refused by the form: its message."""
    value = data.get(name)
    if isinstance(value, Invalid):
        return Result(code, HARD, INVALID, title, value.message, None, threshold, section)
    return None


def gross_output(data: Mapping) -> Result:
    refused = _refused(data, "gross_output", "gross_output", _("上一年度工业总产值"), MIN_GROSS_OUTPUT, "figures")
    if refused:
        return refused
    figure = _decimal(data.get("gross_output"))
    ok = at_least(figure, MIN_GROSS_OUTPUT)
    return Result(
        "gross_output", HARD, PASS if ok else FAIL, _("上一年度工业总产值"),
        _("工业总产值不低于30亿元。") if ok else (
            _("未填写上一年度工业总产值。") if figure is None else _("上一年度工业总产值低于30亿元。")),
        figure, MIN_GROSS_OUTPUT, "figures",
    )


def resident_enterprises(data: Mapping) -> Result:
    refused = _refused(data, "resident_enterprises", "resident_enterprises", _("入驻企业数"), MIN_ENTERPRISES,
                       "figures")
    if refused:
        return refused
    figure = _int(data.get("resident_enterprises"))
    ok = at_least(figure, MIN_ENTERPRISES)
    return Result(
        "resident_enterprises", HARD, PASS if ok else FAIL, _("入驻企业数"),
        _("入驻企业不少于40家。") if ok else (
            _("未填写入驻企业数。") if figure is None else _("入驻企业少于40家。")),
        figure, MIN_ENTERPRISES, "figures",
    )


def patents_per_10k(data: Mapping) -> Result:
    refused = _refused(data, "patents_per_10k", "patents_per_10k", _("每万人口发明专利拥有量"), MIN_PATENTS_PER_10K,
                       "figures")
    if refused:
        return refused
    figure = _decimal(data.get("patents_per_10k"))
    ok = at_least(figure, MIN_PATENTS_PER_10K)
    return Result(
        "patents_per_10k", HARD, PASS if ok else FAIL, _("每万人口发明专利拥有量"),
        _("每万人口发明专利拥有量不低于10件。") if ok else (
            _("未填写每万人口发明专利拥有量。") if figure is None else _("每万人口发明专利拥有量低于10件。")),
        figure, MIN_PATENTS_PER_10K, "figures",
    )


def service_agency(data: Mapping) -> Result:
    refused = _refused(data, "service_agency_staff", "service_agency", _("专利运用公共服务机构"), MIN_SERVICE_STAFF,
                       "service")
    if refused:
        return refused
    staff = _int(data.get("service_agency_staff"))
    named = bool(_text(data.get("service_agency_name"))) and bool(_text(data.get("service_agency_head")))
    ok = at_least(staff, MIN_SERVICE_STAFF) and named
    if ok:
        message = _("专利运用公共服务机构人员不少于5人,负责人已明确。")
    elif not named:
        message = _("须填写专利运用公共服务机构名称及其负责人。")
    elif staff is None:
        message = _("未填写专利运用公共服务机构人员数。")
    else:
        message = _("专利运用公共服务机构人员少于5人。")
    return Result("service_agency", HARD, PASS if ok else FAIL, _("专利运用公共服务机构"), message,
                  staff, MIN_SERVICE_STAFF, "service")


def management_agency(data: Mapping) -> Result:
    ok = bool(_text(data.get("management_agency_name"))) and bool(_text(data.get("industry_name")))
    return Result(
        "management_agency", HARD, PASS if ok else FAIL, _("已选定产业并设有专业化管理机构"),
        _("已选定专利密集型产业并设有专业化管理机构。") if ok
        else _("须填写所选定的专利密集型产业及其专业化管理机构。"),
        None, None, "industry",
    )


def bounded_scope(data: Mapping) -> Result:
    described = bool(_text(data.get("zone_scope")))
    has_map = bool(data.get("has_boundary_map"))
    ok = described and has_map
    if ok:
        message = _("实验区建设范围相对集中、边界清晰,已附边界图。")
    elif not described:
        message = _("须描述实验区建设范围(四至边界)。")
    else:
        message = _("须上传实验区范围边界图。")
    return Result("bounded_scope", HARD, PASS if ok else FAIL, _("相对集中、边界清晰的建设范围"), message,
                  None, None, "zone")


def local_policy(data: Mapping) -> Result:
    count = _int(data.get("policy_count")) or 0
    ok = count >= 1
    return Result(
        "local_policy", HARD, PASS if ok else FAIL, _("地方支持政策"),
        _("已出台或拟出台支持实验区建设的具体政策。") if ok
        else _("须至少列出一项已出台或拟出台的地方支持政策。"),
        count, 1, "policies",
    )


def demo_park(data: Mapping) -> Result:
    is_demo = data.get("is_demo_park")
    justified = bool(_text(data.get("demo_park_justification")))
    if is_demo is True:
        return Result("demo_park", SOFT, PASS, _("国家知识产权示范园区"), _("依托园区为国家知识产权示范园区。"),
                      section="zone")
    if is_demo is None:
        return Result("demo_park", SOFT, FAIL, _("国家知识产权示范园区"),
                      _("请说明依托园区是否为国家知识产权示范园区。"), section="zone")
    return Result(
        "demo_park", SOFT, JUSTIFY, _("国家知识产权示范园区"),
        _("非国家知识产权示范园区,已提交书面说明。") if justified
        else _("依托园区不是国家知识产权示范园区,须提交书面说明理由。"),
        section="zone", justified=justified,
    )


def applicant_level(data: Mapping) -> Result:
    ok = data.get("applicant_level") in APPLICANT_LEVELS
    return Result(
        "applicant_level", HARD, PASS if ok else FAIL, _("申报主体"),
        _("申报主体为地市级以上人民政府或其园区管理委员会。") if ok
        else _("申报主体须为地市级以上人民政府或作为其派出机构的园区管理委员会。"),
        None, None, "applicant",
    )


def association_agreement(data: Mapping) -> Result:
    if not data.get("has_association"):
        return Result("association_agreement", CONDITIONAL, NOT_APPLICABLE, _("行业协会合作协议"),
                      _("无行业协会参与,不需要合作协议。"), section="applicant")
    ok = bool(_text(data.get("association_name"))) and bool(data.get("has_cooperation_agreement"))
    return Result(
        "association_agreement", CONDITIONAL, PASS if ok else FAIL, _("行业协会合作协议"),
        _("已上传与行业协会签署的合作协议。") if ok
        else _("有行业协会参与的,须填写协会名称并上传双方签署的合作协议。"),
        section="applicant",
    )


CONDITIONS = (
    applicant_level, gross_output, resident_enterprises, patents_per_10k, management_agency, service_agency,
    bounded_scope, local_policy, demo_park, association_agreement,
)


def evaluate(data: Mapping) -> list[Result]:
    """Evaluate every condition over plain data (see `data_from_application`)."""
    return [condition(data) for condition in CONDITIONS]


def blocking(results) -> list[Result]:
    return [r for r in results if r.blocks_submission]


def data_from_application(application) -> dict:
    """The plain data the conditions read, taken from a saved application."""
    kinds = current_evidence_kinds(application)
    data = {f: getattr(application, f) for f in (
        "gross_output", "resident_enterprises", "patents_per_10k", "service_agency_staff", "service_agency_name",
        "service_agency_head", "management_agency_name", "industry_name", "zone_scope", "is_demo_park",
        "demo_park_justification", "has_association", "association_name")}
    data["applicant_level"] = application.applicant.level
    data["has_boundary_map"] = EvidenceKind.BOUNDARY_MAP in kinds
    data["has_cooperation_agreement"] = EvidenceKind.COOPERATION_AGREEMENT in kinds
    data["policy_count"] = application.policies.count()
    return data


def data_from_snapshot(snapshot: Mapping) -> dict:
    """The same plain data, taken from a frozen version (submission.snapshot), so reviewers judge
    exactly what was submitted, not the applicant's later edits."""
    kinds = {e.get("kind") for e in snapshot.get("evidence", [])}
    data = {f: snapshot.get(f) for f in (
        "gross_output", "resident_enterprises", "patents_per_10k", "service_agency_staff", "service_agency_name",
        "service_agency_head", "management_agency_name", "industry_name", "zone_scope", "is_demo_park",
        "demo_park_justification", "has_association", "association_name", "applicant_level")}
    data["has_boundary_map"] = EvidenceKind.BOUNDARY_MAP in kinds
    data["has_cooperation_agreement"] = EvidenceKind.COOPERATION_AGREEMENT in kinds
    data["policy_count"] = len(snapshot.get("policies", []))
    return data


def evaluate_application(application) -> list[Result]:
    return evaluate(data_from_application(application))
