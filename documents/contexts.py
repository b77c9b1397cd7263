"""Template contexts of the documents: turning a document's source data (see documents.sources) into what
its template shows — Chinese labels and units, GB/T 9704 dates, the form's sections, the plan's chapters.
Official documents are in Chinese only, so the labels here are plain Chinese strings."""

from __future__ import annotations

from decimal import Decimal

from accounts.enums import ApplicantLevel
from applications import presentation
from applications.models import Application
from applications.sections import SECTIONS

from .enums import DocumentKind as K

AT_LEAST = {"gross_output": "不低于", "resident_enterprises": "不少于", "patents_per_10k": "不低于",
            "service_agency": "不少于", "local_policy": "不少于"}
UNITS = {"gross_output": "亿元", "resident_enterprises": "家", "patents_per_10k": "件", "service_agency": "人",
         "local_policy": "项"}
KIND_LABELS = {"hard": "必备条件", "soft": "一般条件", "conditional": "条件性要求"}
STATUS_LABELS = {"pass": "符合", "fail": "不符合", "justify": "需书面说明", "n/a": "不适用"}


def _num(value) -> str:
    """Exact decimals exactly as stored (never through a float)."""
    return "—" if value in (None, "") else str(value)


def eligibility_rows(eligibility: list[dict]) -> list[dict]:
    rows = []
    for r in eligibility:
        unit = UNITS.get(r.get("code"), "")
        threshold = r.get("threshold")
        rows.append({
            "title": r.get("title_zh-hans", r.get("code")), "kind": KIND_LABELS.get(r.get("kind"), r.get("kind")),
            "figure": f"{_num(r.get('figure'))}{unit}" if r.get("figure") not in (None, "") else "—",
            "threshold": f"{AT_LEAST.get(r.get('code'), '不低于')}{_num(threshold)}{unit}" if threshold not in (None, "") else "—",
            "status": STATUS_LABELS.get(r.get("status"), r.get("status")), "passed": r.get("status") in ("pass", "n/a"),
            "message": r.get("message_zh-hans", ""),
        })
    return rows


def _display(field, value):
    if value is None or value == "":
        return "—"
    if isinstance(value, bool) or getattr(field, "get_internal_type", lambda: "")() == "BooleanField":
        return "是" if value else "否"
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field is not None and field.get_internal_type() == "DecimalField":
        return _num(value)
    return str(value)


def form_sections(snapshot: dict, document: str) -> list[dict]:
    """Every field of the snapshot, grouped by the application form's sections."""
    meta = Application._meta
    out = []
    for section in SECTIONS:
        if section.document != document or not section.fields:
            continue
        rows = []
        for name in section.fields:
            field = meta.get_field(name)
            long_text = field.get_internal_type() == "TextField"
            rows.append({"label": str(field.verbose_name), "value": _display(field, snapshot.get(field.attname)),
                         "long": long_text})
        out.append({"key": section.key, "title": str(section.title), "rows": rows})
    return out


def _level_label(level):
    return str(dict(ApplicantLevel.choices).get(level, level or "—"))


def _plan_years(snapshot):
    return [{**y, **{k: _num(y.get(k)) for k in ("output_target", "patented_sales_target", "rd_target")},
             "patents_target": y.get("patents_target") if y.get("patents_target") is not None else "—"}
            for y in snapshot.get("plan_years", [])]


def _cn_date(iso: str) -> str:
    """GB/T 9704-2012 dates: Arabic numerals, no leading zeros (2026年11月26日)."""
    if not iso:
        return ""
    year, month, day = (int(p) for p in iso.split("-"))
    return f"{year}年{month}月{day}日"


PLAN_FIELDS = ("plan_situation", "plan_problems", "plan_positioning", "plan_path", "plan_goals", "task_mechanism",
               "task_network", "task_projects", "task_services", "task_enterprises", "task_international",
               "plan_measures", "plan_safeguards")
PLAN_CHAPTERS = (
    ("一、发展现状与外部环境分析", ("plan_situation",)),
    ("二、存在问题", ("plan_problems",)),
    ("三、产业发展定位与发展路径", ("plan_positioning", "plan_path")),
    ("四、五年建设目标", ("plan_goals",)),
    ("五、主要任务", ("task_mechanism", "task_network", "task_projects", "task_services", "task_enterprises",
                  "task_international")),
    ("六、政策措施", ("plan_measures",)),
    ("七、组织保障", ("plan_safeguards",)),
)


def plan_chapters(snapshot):
    meta = Application._meta
    chapters = []
    for title, fields in PLAN_CHAPTERS:
        parts = []
        for name in fields:
            text = snapshot.get(name) or ""
            subtitle = str(meta.get_field(name).verbose_name) if len(fields) > 1 else ""
            parts.append({"subtitle": subtitle, "paragraphs": [p for p in text.splitlines() if p.strip()] or ["—"]})
        chapters.append({"title": title, "parts": parts})
    return chapters


def _paragraphs(text):
    return [p.strip() for p in (text or "").splitlines() if p.strip()]


def _opinion_title(zone: str) -> str:
    if zone.endswith("实验区"):
        return f"关于推荐{zone}的函"
    return f"关于推荐{zone}申报国家专利导航产业发展实验区的函"


def context_for(kind, data, subject) -> dict:
    if kind in (K.APPLICATION_FORM, K.DOSSIER):
        snap = data["snapshot"]
        return {
            "snap": snap, "version": data["version"], "submitted_at": _cn_date(data["submitted_at"]),
            "applicant_level": _level_label(snap.get("applicant_level")),
            "sections": form_sections(snap, "form"), "commitment_sections": form_sections(snap, "commitment"),
            "eligibility": eligibility_rows(data["eligibility"]), "policies": presentation.policy_rows(snap),
            "plan": plan_chapters(snap), "plan_years": _plan_years(snap),
            "funding": snap.get("funding", []), "evidence": presentation.evidence_rows(snap),
            "title": "国家专利导航产业发展实验区申报书",
        }
    if kind == K.COMMITMENT:
        funding = data["funding"]
        total = sum((Decimal(f["amount_wan"]) for f in funding), Decimal(0))
        return {**data, "measures": _paragraphs(data["commitment_measures"]),
                "coordination": _paragraphs(data["coordination_mechanism"]),
                "funding_rows": [{"year": f["year"], "amount": _num(f["amount_wan"])} for f in funding],
                "funding_total": _num(total), "title": "国家专利导航产业发展实验区建设承诺书"}
    if kind == K.PROVINCIAL_OPINION:
        snap = data["snapshot"]
        return {**data, "snap": snap, "paragraphs": _paragraphs(data["opinion"]), "date_cn": _cn_date(data["date"]),
                "eligibility": eligibility_rows(data["eligibility"]),
                "title": _opinion_title(snap.get("zone_name") or "")}
    if kind == K.APPROVAL:
        zone = data["zone_name"] or ""
        title = (f"关于同意开展{zone}建设工作的批复" if data["approved"]
                 else f"关于{zone}建设方案的复函")
        return {**data, "paragraphs": _paragraphs(data["text"]), "date_cn": _cn_date(data["date"]), "title": title,
                "plan_years": _plan_years({"plan_years": data["plan_years"]})}
    if kind == K.ACCEPTANCE_OPINION:
        zone = data["zone_name"] or ""
        return {**data, "paragraphs": _paragraphs(data["text"]), "date_cn": _cn_date(data["date"]),
                "title": f"关于{zone}总结验收的意见", "start_cn": _cn_date(data["start_on"] or ""),
                "end_cn": _cn_date(data["end_on"] or ""), "rectify_cn": _cn_date(data["rectify_by"] or "")}
    if kind == K.SCORE_SUMMARY:
        return {**data, "title": f"{data['call_title']}专家评分汇总表", "date_cn": _cn_date(data["date"])}
    raise ValueError(kind)
