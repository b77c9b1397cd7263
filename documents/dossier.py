"""The merged 申报材料汇编 (dossier): the application form and plan rendered as parts, followed by every
evidence file of the submitted version in the order of the guide's conditions and the local policies'
documents (a readable PDF as it is, an image on a captioned A4 page, anything else a note), with a cover,
a table of contents, continuous page numbers stamped on every page after the cover, and a PDF outline."""

from __future__ import annotations

import logging
from io import BytesIO

from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.errors import PdfReadError

from applications.enums import EvidenceKind
from applications.models import Evidence
from typography import fullwidth

from .active_content import strip_active_content
from .contexts import context_for
from .engine import RenderError, page_count, render_pdf
from .enums import DocumentKind as K

logger = logging.getLogger(__name__)

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
    """One evidence file as a part: see _file_part."""
    try:
        content = _read(evidence.file)
    except FileNotFoundError:
        raise RenderError(_("证明材料“%(name)s”的文件已丢失,无法汇编。") % {"name": item["original_name"]})
    detail = _evidence_detail(item)
    return _file_part(item, content, f"{item['kind_label']}:{detail}" if detail else item["kind_label"])


def _file_part(item, content: bytes, label: str) -> dict:
    """An uploaded file as dossier pages: a readable PDF as it is (merged by merge_evidence_pdf); an image
    on an A4 page with a caption; anything else a note."""
    if content[:5] == b"%PDF-":
        try:
            if _pdf_pages(content):
                return {"pdf": strip_active_content(content)}
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
    try:
        with Image.open(BytesIO(content)) as image:
            return Image.MIME.get(image.format)
    except (UnidentifiedImageError, OSError):
        return None


# The dossier follows the guide's conditions (四(一), applications.eligibility.CONDITIONS): the signed
# 承诺书 first, then the evidence of each condition in the conditions' order, the local policies' own
# documents where the condition on local policy stands, and other evidence last.
EVIDENCE_ORDER = (
    EvidenceKind.SIGNED_COMMITMENT,
    EvidenceKind.OUTPUT_STATISTICS,  # gross_output
    EvidenceKind.ENTERPRISE_LIST,  # resident_enterprises
    EvidenceKind.PATENT_STATISTICS,  # patents_per_10k
    EvidenceKind.MANAGEMENT_AGENCY,  # management_agency
    EvidenceKind.SERVICE_AGENCY,  # service_agency
    EvidenceKind.BOUNDARY_MAP,  # bounded_scope
    "policies",  # local_policy: each policy's document
    EvidenceKind.DEMO_PARK_CERTIFICATE,  # demo_park
    EvidenceKind.COOPERATION_AGREEMENT,  # association_agreement
    EvidenceKind.OTHER,
)
A4 = (595.28, 841.89)
# Merged pages are fitted above a foot strip that carries the dossier's page number.
FOOT = 30 * 72 / 25.4


def _policy_part(policy) -> dict | None:
    name = policy.get("document_file")
    if not name:
        return None
    title = f"\u5730\u65b9\u652f\u6301\u653f\u7b56:{policy.get('title') or ''}"  # 地方支持政策:
    item = {"id": f"policy-{policy.get('policy_id')}", "kind": "policy", "kind_label": title,
            "title": policy.get("title") or "", "original_name": policy.get("document_name") or name,
            "content_type": ""}
    try:
        with default_storage.open(name, "rb") as fh:
            content = fh.read()
    except FileNotFoundError:
        raise RenderError(_("政策文件“%(name)s”已丢失,无法汇编。") % {"name": item["original_name"]})
    return {"title": title, **_file_part(item, content, title)}


def dossier_parts(application, data) -> list[dict]:
    """The parts in order, each {title, template/context or pdf (an evidence PDF as uploaded)}."""
    context = context_for(K.DOSSIER, data, application)
    evidence = {e.pk: e for e in Evidence.objects.filter(pk__in=[i["id"] for i in data["evidence"]])}
    parts = [
        {"title": "申报书", "template": "documents/application_form_part.html", "context": context},
        {"title": "建设方案", "template": "documents/plan_part.html", "context": context},
    ]
    rank = {kind: i for i, kind in enumerate(EVIDENCE_ORDER)}
    items = sorted(data["evidence"], key=lambda i: rank.get(i["kind"], len(rank)))
    policies_done = False
    for item in items:
        if not policies_done and rank.get(item["kind"], len(rank)) > rank["policies"]:
            parts += [p for p in map(_policy_part, data["snapshot"].get("policies", [])) if p]
            policies_done = True
        if item["kind"] == EvidenceKind.SIGNED_COMMITMENT:
            title = "实验区建设承诺书(签章扫描件)"
        else:
            detail = _evidence_detail(item)
            title = f"证明材料:{item['kind_label']}" + (f"({detail})" if detail else "")
        parts.append({"title": title, **_evidence_part(item, evidence[item["id"]])})
    if not policies_done:
        parts += [p for p in map(_policy_part, data["snapshot"].get("policies", [])) if p]
    return parts


def merge_evidence_pdf(writer: PdfWriter, content: bytes) -> int:
    """Append one uploaded evidence PDF to the dossier, page for page: each page turned upright and
    fitted onto A4 above the foot strip where the dossier's page number is stamped. The one place an
    uploaded PDF enters the dossier (stripping active content belongs here). Returns its page count."""
    reader = PdfReader(BytesIO(content))
    if reader.is_encrypted:
        reader.decrypt("")
    source = PdfWriter(clone_from=reader)
    width, height = A4
    for page in source.pages:
        page.transfer_rotation_to_content()
        box = page.mediabox
        w, h = float(box.width), float(box.height)
        scale = min(width / w, (height - FOOT) / h)
        target = writer.add_blank_page(width, height)
        dx = (width - w * scale) / 2 - float(box.left) * scale
        dy = height - h * scale - float(box.bottom) * scale
        target.merge_transformed_page(page, Transformation().scale(scale, scale).translate(dx, dy))
    return len(source.pages)


def _pdf_pages(content: bytes) -> int:
    reader = PdfReader(BytesIO(content))
    if reader.is_encrypted:
        reader.decrypt("")
    return len(reader.pages)


def render_dossier(application, data) -> bytes:
    """Cover, table of contents, then every part; every page after the cover carries one continuous
    page number, stamped over the merged pages (our own parts are rendered without numbers)."""
    context = context_for(K.DOSSIER, data, application)
    parts = dossier_parts(application, data)
    for part in parts:
        if "template" in part:
            part["pdf"] = render_pdf(part["template"], {**part["context"], "page_numbers": False},
                                     part.get("resources"))
            part["pages"] = page_count(part["pdf"])
        else:
            part["pages"] = _pdf_pages(part["pdf"])
    cover = render_pdf("documents/dossier_cover.html", context)
    cover_pages = page_count(cover)

    def toc_for(toc_pages):
        start = cover_pages + toc_pages + 1
        entries = []
        for part in parts:
            entries.append({"title": part["title"], "page": start, "pages": part["pages"]})
            start += part["pages"]
        return entries, render_pdf("documents/dossier_toc.html", {**context, "entries": entries,
                                                                  "page_numbers": False})

    toc_pages = 1
    for _attempt in range(3):  # converges at once unless the TOC itself spills onto more pages
        entries, toc = toc_for(toc_pages)
        if page_count(toc) == toc_pages:
            break
        toc_pages = page_count(toc)
    else:
        raise RenderError(_("目录页数无法确定。"))

    writer = PdfWriter()
    for blob in (cover, toc):
        writer.append(PdfReader(BytesIO(blob)), import_outline=False)
    for part in parts:
        if "template" in part:
            writer.append(PdfReader(BytesIO(part["pdf"])), import_outline=False)
        else:
            merge_evidence_pdf(writer, part["pdf"])
    total = len(writer.pages)
    stamps = PdfReader(BytesIO(render_pdf("documents/dossier_page_numbers.html", {"count": range(total)})))
    for number in range(cover_pages + 1, total + 1):
        writer.pages[number - 1].merge_page(stamps.pages[number - 1])
    for entry in entries:
        writer.add_outline_item(title=fullwidth(entry["title"]), page_number=entry["page"] - 1)
    writer.add_metadata({"/Title": f"{data['snapshot'].get('zone_name') or ''}申报材料汇编"})
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
