"""Template contexts of the documents: turning a document's source data (see documents.sources) into what
its template shows — Chinese labels and units, GB/T 9704 dates, the form's sections, the plan's chapters.
Official documents are in Chinese only, so the labels here are plain Chinese strings."""

from __future__ import annotations

from decimal import Decimal

from accounts.enums import ApplicantLevel
from applications import presentation
from applications.models import Application
from applications.sections import SECTIONS
from typography import chinese_date

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


_cn_date = chinese_date  # GB/T 9704-2012 dates: Arabic numerals, no leading zeros (2026年11月26日)

# 2号 characters on a 156 mm line: 20 to a line.
TITLE_LINE_CHARS = 20
# Words a title line never breaks inside (GB/T 9704 7.3.1: 回行时要做到词意完整).
TITLE_WORDS = ("国家专利导航产业发展实验区", "专利导航", "产业发展", "实验区", "建设方案", "建设工作", "人民政府",
               "管理委员会", "知识产权局", "高新技术产业开发区", "经济技术开发区", "高新区", "开发区", "工业园区")


def _title_units(segments):
    """The title as units that never break: each known word whole, every other character alone. A break
    is free after the end of a segment (the template's own words, each name) or beside a known word;
    anywhere else it splits a word we do not know, which a title does only when it must."""
    units, free = [], []
    free_after_word = False
    for segment in segments:
        i = 0
        while i < len(segment):
            word = next((w for w in TITLE_WORDS if segment.startswith(w, i)), None)
            step = len(word) if word else 1
            if units:
                free.append(i == 0 or bool(word) or free_after_word)
            units.append(segment[i:i + step])
            free_after_word = bool(word)
            i += step
    return units, free


def title_lines(*segments: str) -> list[str]:
    """A letter's title in lines of at most 20 characters, broken between words where possible and
    balanced so that the lines are of about equal length, the upper no longer than the lower (梯形)."""
    units, free = _title_units([s for s in segments if s])
    text = "".join(units)
    if len(text) <= TITLE_LINE_CHARS:
        return [text]
    count = -(-len(text) // TITLE_LINE_CHARS)
    while True:
        found = _split(units, free, 0, count)
        if found is not None:
            return found[1]
        count += 1


def _split(units, free, start, count):
    """(key, lines): units[start:] in `count` lines of at most TITLE_LINE_CHARS, fewest breaks inside
    unknown words first, then the shortest longest line, then the earlier lines shorter; or None."""
    if count == 1:
        line = "".join(units[start:])
        return ((0, len(line), [-len(line)]), [line]) if len(line) <= TITLE_LINE_CHARS else None
    best = None
    length = 0
    for i in range(start + 1, len(units)):
        length += len(units[i - 1])
        if length > TITLE_LINE_CHARS:
            break
        rest = _split(units, free, i, count - 1)
        if rest is None:
            continue
        (splits, longest, shape), lines = rest
        key = (splits + (0 if free[i - 1] else 1), max(longest, length), shape + [-length])
        if best is None or key < best[0]:
            best = (key, ["".join(units[start:i]), *lines])
    return best


def _recommendation(applicant: str, zone: str) -> str:
    """What the bureau recommends, without naming the zone kind twice."""
    if zone.endswith("实验区"):
        return f"{applicant}申报{zone}"
    return f"{zone}申报国家专利导航产业发展实验区"


def letter_context(data: dict, title: list[str], **extra) -> dict:
    """What documents/_letter.html reads, from a letter's source data."""
    return {"issuer": data["issuer"], "document_number": data.get("document_number", ""), "title_lines": title,
            "title": "".join(title), "addressee": data["addressee"], "date_cn": _cn_date(data["date"]),
            "copy_to": data.get("copy_to", []), "attachments": data.get("attachments", []),
            "draft": data.get("draft", False), **extra}


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


def _opinion_title(zone: str) -> list[str]:
    if zone.endswith("实验区"):
        return title_lines("关于推荐", zone, "的函")
    return title_lines("关于推荐", zone, "申报国家专利导航产业发展实验区的函")


def context_for(kind, data, subject) -> dict:
    if kind in (K.APPLICATION_FORM, K.DOSSIER, K.DRAFT_APPLICATION_FORM):
        snap = data["snapshot"]
        return {
            "snap": snap, "version": data["version"], "submitted_at": _cn_date(data["submitted_at"]),
            "applicant_level": _level_label(snap.get("applicant_level")),
            "sections": form_sections(snap, "form"), "commitment_sections": form_sections(snap, "commitment"),
            "eligibility": eligibility_rows(data["eligibility"]),
            "policies": [{**p, "issued_on": _cn_date(p.get("issued_on"))} for p in presentation.policy_rows(snap)],
            "plan": plan_chapters(snap), "plan_years": _plan_years(snap),
            "funding": snap.get("funding", []), "evidence": presentation.evidence_rows(snap),
            "title": "国家专利导航产业发展实验区申报书", "draft": data.get("draft", False),
        }
    if kind in (K.COMMITMENT, K.DRAFT_COMMITMENT):
        funding = data["funding"]
        total = sum((Decimal(f["amount_wan"]) for f in funding), Decimal(0))
        return {**data, "measures": _paragraphs(data["commitment_measures"]),
                "coordination": _paragraphs(data["coordination_mechanism"]),
                "funding_rows": [{"year": f["year"], "amount": _num(f["amount_wan"])} for f in funding],
                "funding_total": _num(total), "title": "国家专利导航产业发展实验区建设承诺书"}
    if kind == K.PROVINCIAL_OPINION:
        snap = data["snapshot"]
        zone = snap.get("zone_name") or ""
        return letter_context(
            data, _opinion_title(zone), snap=snap, version=data["version"], rank=data["rank"],
            paragraphs=_paragraphs(data["opinion"]), eligibility=eligibility_rows(data["eligibility"]),
            recommendation=_recommendation(snap.get("applicant_name") or "", zone),
            annex_title_lines=title_lines(zone, "申报条件审核情况"))
    if kind == K.APPROVAL:
        zone = data["zone_name"] or ""
        title = (title_lines("关于同意开展", zone, "建设工作的批复") if data["approved"]
                 else title_lines("关于", zone, "建设方案的复函"))
        years = [y["year"] for y in data["plan_years"] if y.get("year")]
        return letter_context(
            data, title, approved=data["approved"], applicant_name=data["applicant_name"], zone_name=zone,
            industry_name=data["industry_name"], paragraphs=_paragraphs(data["text"]),
            plan_years=_plan_years({"plan_years": data["plan_years"]}),
            plan_span=f"{min(years)}\u2014{max(years)}年" if years else "",
            annex_title_lines=title_lines(zone, "年度建设目标"))
    if kind == K.ACCEPTANCE_OPINION:
        zone = data["zone_name"] or ""
        return letter_context(
            data, title_lines("关于", zone, "总结验收意见的函"), decision=data["decision"], number=data["number"],
            zone_name=zone, applicant_name=data["applicant_name"], bureau=data["bureau"],
            approval_number=data["approval_number"], paragraphs=_paragraphs(data["text"]),
            start_cn=_cn_date(data["start_on"] or ""), end_cn=_cn_date(data["end_on"] or ""),
            rectify_cn=_cn_date(data["rectify_by"] or ""), review=data.get("review") or {},
            annex_title_lines=title_lines(zone, "总结验收专家评审情况"))
    if kind == K.SCORE_SUMMARY:
        return {**data, "title": f"{data['call_title']}专家评分汇总表", "date_cn": _cn_date(data["date"])}
    raise ValueError(kind)
