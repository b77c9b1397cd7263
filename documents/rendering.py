"""Documents as domain logic: what each document is built from, its content hash, staleness, and
rendering with WeasyPrint.

Requests only call `request_document()`, which reads the source data, compares its hash with the
newest rendering and queues a Celery task when something changed. `render()` does the work and is
called by the task (and directly by the demo seed). Official documents are issued in Chinese only,
so rendering always runs under the zh-hans locale.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from applications import presentation
from applications.models import Application

from .enums import DocumentKind as K
from .enums import DocumentStatus as St
from .models import Document

logger = logging.getLogger(__name__)

# Bump when templates or layout change in a way that should re-render unchanged content.
LAYOUT_REVISION = 4


class Unavailable(Exception):
    """The document cannot exist yet (no submitted version, no recommendation …); message for the user."""


class RenderError(Exception):
    """Rendering failed for a reason the user can act on; the message is shown on the page."""


# ---------------------------------------------------------------------------------------------
# Source data: plain JSON-able dicts. The content hash is taken over exactly what the template reads.


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
    from accounts.models import Organisation

    bureau = Organisation.objects.filter(kind="provincial", province_id=application.province_id).first()
    return bureau.name if bureau else f"{application.province.name}知识产权局"


def _national_office() -> str:
    from accounts.models import Organisation

    office = Organisation.objects.filter(kind="national").first()
    return office.name if office else "国家知识产权局专利管理司"


def source_application_form(application) -> dict:
    version = _latest_version(application)
    return {"version": version.number, "submitted_at": _date(version.submitted_at), "snapshot": version.snapshot,
            "eligibility": version.eligibility}


def source_commitment(application) -> dict:
    """From the live draft: the applicant prints, signs and seals it before submitting."""
    fields = ("zone_name", "city", "host_park", "industry_name", "commitment_measures", "lead_department",
              "coordination_mechanism", "leading_group_head", "leading_group_head_title", "leading_group_members")
    data = {f: getattr(application, f) for f in fields}
    data.update(
        applicant_name=application.applicant.name, province_name=application.province.name,
        call_title=application.call.title, call_year=application.call.year,
        funding=[{"year": f.year, "amount_wan": str(f.amount_wan)} for f in application.funding.all()],
    )
    return data


def source_provincial_opinion(application) -> dict:
    from review.enums import ProvincialDecision
    from review.models import ProvincialReview

    review = (ProvincialReview.objects.filter(application=application, decision=ProvincialDecision.RECOMMEND)
              .order_by("-created_at", "-pk").first())
    if review is None:
        raise Unavailable(_("省局尚未作出推荐意见。"))
    version = application.versions.filter(number=review.version).first() or _latest_version(application)
    return {"opinion": review.opinion, "date": _date(review.created_at), "version": version.number,
            "bureau": _province_bureau(application), "addressee": "国家知识产权局专利管理司",
            "rank": application.provincial_rank, "snapshot": version.snapshot, "eligibility": version.eligibility}


def source_approval(application) -> dict:
    from review.models import Approval

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
    from . import scores

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


def _subject(kind, application, call):
    spec = SPECS[kind]
    if spec.call_level:
        return None, call
    return application, None


def current(kind, *, application=None, call=None) -> Document | None:
    application, call = _subject(kind, application, call)
    return Document.objects.filter(kind=kind, application=application, call=call).order_by("-version").first()


def availability(application) -> dict:
    """Why each document cannot exist yet (None when it can), without building its data."""
    from review.enums import ProvincialDecision
    from review.models import Approval, ProvincialReview

    no_version = _("该申报尚未报送,还没有可生成文书的申报版本。") if not application.current_version else None
    recommended = ProvincialReview.objects.filter(application=application,
                                                  decision=ProvincialDecision.RECOMMEND).exists()
    approved = Approval.objects.filter(application=application).exists()
    return {
        K.APPLICATION_FORM: no_version, K.COMMITMENT: None, K.DOSSIER: no_version,
        K.PROVINCIAL_OPINION: None if recommended else _("省局尚未作出推荐意见。"),
        K.APPROVAL: None if approved else _("国家知识产权局尚未作出批复。"),
    }


def overview(application) -> list[dict]:
    """One row per application document: its kind, current rendering and why it is unavailable."""
    latest = {}
    for document in Document.objects.filter(application=application).order_by("kind", "-version"):
        latest.setdefault(document.kind, document)
    reasons = availability(application)
    return [{"kind": kind, "label": K(kind).label, "document": latest.get(kind), "unavailable": reasons[kind]}
            for kind in APPLICATION_KINDS]


# ---------------------------------------------------------------------------------------------
# Asking for a document (in a request: reads and queues, never renders)


def request_document(kind, *, application=None, call=None, user=None) -> Document:
    """The current document for this source content, queueing a rendering only if the content changed
    (or the last attempt failed). Raises Unavailable when the document cannot exist yet."""
    from . import tasks

    spec = SPECS[kind]
    application, call = _subject(kind, application, call)
    subject = call if spec.call_level else application
    data = spec.build(subject)
    digest = content_hash(kind, data)
    with transaction.atomic():
        # One lock per subject so that two clicks make one document.
        type(subject).objects.select_for_update().only("pk").get(pk=subject.pk)
        latest = Document.objects.filter(kind=kind, application=application, call=call).order_by("-version").first()
        if latest is not None and latest.content_hash == digest:
            if latest.status == St.FAILED:
                latest.status, latest.error, latest.requested_by = St.QUEUED, "", user
                latest.save(update_fields=["status", "error", "requested_by", "updated_at"])
                transaction.on_commit(lambda: tasks.render_document.delay(latest.pk))
            elif latest.stale:
                # Marked stale by a change that did not touch this document's content: nothing to render.
                latest.stale = False
                latest.save(update_fields=["stale", "updated_at"])
            return latest
        document = Document.objects.create(
            kind=kind, application=application, call=call, version=(latest.version + 1) if latest else 1,
            application_version=data.get("version") or 0, content_hash=digest, requested_by=user,
        )
        transaction.on_commit(lambda: tasks.render_document.delay(document.pk))
    return document


def mark_stale(*, application_id=None, call_id=None) -> int:
    """A source changed: flag the current documents; they are re-rendered when next asked for."""
    qs = Document.objects.filter(stale=False)
    if application_id is not None:
        qs = qs.filter(application_id=application_id)
    elif call_id is not None:
        qs = qs.filter(call_id=call_id)
    else:
        return 0
    return qs.update(stale=True, updated_at=timezone.now())


# ---------------------------------------------------------------------------------------------
# Rendering (in a worker)


def render(document_id: int) -> Document:
    """Render one document now and store the file. Transient errors propagate (the task retries);
    anything the user can act on ends as status failed with its reason."""
    document = Document.objects.select_related("application__applicant", "application__province", "call").get(
        pk=document_id)
    if document.status == St.READY and document.file:
        return document  # a redelivered task: already done
    Document.objects.filter(pk=document.pk).update(status=St.RENDERING, attempts=document.attempts + 1,
                                                   updated_at=timezone.now())
    spec = SPECS[document.kind]
    subject = document.call if spec.call_level else document.application
    try:
        with override("zh-hans"):
            data = spec.build(subject)
            pdf = render_dossier(document.application, data) if document.kind == K.DOSSIER else render_pdf(
                spec.template, context_for(document.kind, data, subject))
    except (Unavailable, RenderError) as exc:
        return _fail(document, str(exc))
    from pypdf import PdfReader

    pages = len(PdfReader(BytesIO(pdf)).pages)
    document.file.save("document.pdf", ContentFile(pdf), save=False)
    document.status, document.error, document.stale = St.READY, "", False
    document.content_hash = content_hash(document.kind, data)
    document.page_count, document.size, document.rendered_at = pages, len(pdf), timezone.now()
    document.attempts += 1
    document.save()
    return document


def _fail(document, reason) -> Document:
    Document.objects.filter(pk=document.pk).update(status=St.FAILED, error=str(reason)[:2000],
                                                   updated_at=timezone.now())
    document.refresh_from_db()
    return document


def fail(document_id, reason) -> None:
    """Called by the task once retries are exhausted or on an unexpected error."""
    Document.objects.filter(pk=document_id).update(status=St.FAILED, error=str(reason)[:2000],
                                                   updated_at=timezone.now())


class LocalFetcher:
    """WeasyPrint resource fetcher: only in-memory evidence images; never the network or the disk."""

    _fail_on_errors = False

    def __init__(self, resources: dict[str, tuple[bytes, str]] | None = None):
        self.resources = resources or {}

    def __call__(self, url, headers=None):
        from weasyprint.urls import URLFetcherResponse

        if url in self.resources:
            body, content_type = self.resources[url]
            return URLFetcherResponse(url, body, {"Content-Type": content_type})
        raise ValueError(f"resource not allowed: {url}")

    fetch = __call__


# Characters no font draws (controls, private use, unassigned, noncharacters). A single one makes
# WeasyPrint embed a .notdef glyph, which garbles the text layer of the whole PDF (search, copy,
# extraction); they mean nothing in an official document, so they are dropped before rendering.
_UNCOMMON = re.compile("[^\t\n\r\x20-\x7e\u00a0-\u9fff\uac00-\ud7ff\uff00-\uffef]")


def _drawable(match):
    return "" if unicodedata.category(match.group()) in ("Cc", "Co", "Cn", "Cs") else match.group()


def render_pdf(template: str, context: dict, resources=None) -> bytes:
    from weasyprint import HTML

    html = _UNCOMMON.sub(_drawable, render_to_string(template, context))
    return HTML(string=html, url_fetcher=LocalFetcher(resources)).write_pdf()


# ---------------------------------------------------------------------------------------------
# Template contexts


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
    from applications.sections import SECTIONS

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
    from accounts.enums import ApplicantLevel

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
    if kind == K.SCORE_SUMMARY:
        return {**data, "title": f"{data['call_title']}专家评分汇总表", "date_cn": _cn_date(data["date"])}
    raise ValueError(kind)


# ---------------------------------------------------------------------------------------------
# The merged dossier (申报材料汇编)


IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "image/tiff"}


def _read(file_field) -> bytes:
    with default_storage.open(file_field.name, "rb") as fh:
        return fh.read()


def _evidence_detail(item) -> str:
    """What tells this evidence apart from its kind: its title, else its file name (if different)."""
    title = (item.get("title") or "").strip()
    if title and title.rsplit(".", 1)[0] != item["kind_label"]:
        return title
    stem = item["original_name"].rsplit(".", 1)[0]
    return "" if stem == item["kind_label"] else item["original_name"]


def _evidence_part(item, evidence) -> dict:
    """One evidence file as PDF pages: a readable PDF as it is; an image on an A4 page with a caption
    (rendered like our own parts so it carries the dossier's page number); anything else a note."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    detail = _evidence_detail(item)
    label = f"{item['kind_label']}:{detail}" if detail else item["kind_label"]
    try:
        content = _read(evidence.file)
    except FileNotFoundError:
        raise RenderError(_("证明材料“%(name)s”的文件已丢失,无法汇编。") % {"name": item["original_name"]})
    if content[:5] == b"%PDF-":
        try:
            reader = PdfReader(BytesIO(content))
            if reader.is_encrypted:
                reader.decrypt("")
            if len(reader.pages):
                return {"pdf": content}
        except (PdfReadError, ValueError, KeyError, NotImplementedError):
            logger.warning("evidence %s is not a readable PDF", item["id"])
        return {"template": "documents/evidence_placeholder.html",
                "context": {"label": label, "item": item, "reason": "该PDF文件无法读取或已加密"}}
    content_type = item["content_type"] if item["content_type"] in IMAGE_TYPES else _sniff_image(content)
    if content_type:
        url = f"portal-evidence:{item['id']}"
        return {"template": "documents/evidence_image.html", "context": {"label": label, "src": url},
                "resources": {url: (content, content_type)}}
    return {"template": "documents/evidence_placeholder.html",
            "context": {"label": label, "item": item, "reason": "该文件不是PDF或图片,请在平台中查看原件"}}


def _sniff_image(content: bytes) -> str | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(BytesIO(content)) as image:
            return Image.MIME.get(image.format)
    except (UnidentifiedImageError, OSError):
        return None


def _pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(BytesIO(pdf)).pages)


def dossier_parts(application, data) -> list[dict]:
    """Rendered parts in order, each {title, pdf, numbered}. Page numbers of our own parts are
    printed continuously across the dossier, so their templates receive the start page."""
    from applications.models import Evidence

    context = context_for(K.DOSSIER, data, application)
    evidence = {e.pk: e for e in Evidence.objects.filter(pk__in=[i["id"] for i in data["evidence"]])}
    parts = [
        {"title": "申报书", "template": "documents/application_form_part.html", "context": context},
        {"title": "建设方案", "template": "documents/plan_part.html", "context": context},
    ]
    signed = [i for i in data["evidence"] if i["kind"] == "signed_commitment"]
    others = [i for i in data["evidence"] if i["kind"] != "signed_commitment"]
    for item in signed:
        parts.append({"title": "实验区建设承诺书(签章扫描件)", **_evidence_part(item, evidence[item["id"]])})
    for item in others:
        detail = _evidence_detail(item)
        parts.append({"title": f"证明材料:{item['kind_label']}" + (f"({detail})" if detail else ""),
                      **_evidence_part(item, evidence[item["id"]])})
    return parts


def render_dossier(application, data) -> bytes:
    from pypdf import PdfReader, PdfWriter

    context = context_for(K.DOSSIER, data, application)
    parts = dossier_parts(application, data)
    # Our own parts print page numbers, which depend on where they start; render once to learn their
    # lengths (numbering does not change a part's length), then again with the right start pages.
    for part in parts:
        if "template" in part:
            part["pdf"] = render_pdf(part["template"], {**part["context"], "first_page": 1}, part.get("resources"))
        part["pages"] = _pages(part["pdf"])
    cover = render_pdf("documents/dossier_cover.html", context)
    cover_pages = _pages(cover)

    def toc_for(first_toc_page, toc_pages):
        start = cover_pages + toc_pages + 1
        entries = []
        for part in parts:
            entries.append({"title": part["title"], "page": start, "pages": part["pages"]})
            part["start"] = start
            start += part["pages"]
        return entries, render_pdf("documents/dossier_toc.html", {**context, "entries": entries,
                                                                  "first_page": first_toc_page})

    toc_pages = 1
    for _attempt in range(3):  # converges at once unless the TOC itself spills onto more pages
        entries, toc = toc_for(cover_pages + 1, toc_pages)
        if _pages(toc) == toc_pages:
            break
        toc_pages = _pages(toc)
    else:
        raise RenderError(_("目录页数无法确定。"))
    for part in parts:
        if "template" in part:
            part["pdf"] = render_pdf(part["template"], {**part["context"], "first_page": part["start"]},
                                     part.get("resources"))
            if _pages(part["pdf"]) != part["pages"]:
                raise RenderError(_("“%(title)s”页数在编页后发生变化。") % {"title": part["title"]})

    writer = PdfWriter()
    for blob in [cover, toc] + [p["pdf"] for p in parts]:
        writer.append(PdfReader(BytesIO(blob)), import_outline=False)
    for entry in entries:
        writer.add_outline_item(title=entry["title"], page_number=entry["page"] - 1)
    writer.add_metadata({"/Title": f"{data['snapshot'].get('zone_name') or ''}申报材料汇编"})
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
