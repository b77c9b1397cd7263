"""The merged 申报材料汇编 (dossier): the application form and plan rendered as parts, followed by every
evidence file of the submitted version (a readable PDF as it is, an image on a captioned A4 page, anything
else a note), with a cover, a table of contents, continuous page numbers and a PDF outline."""

from __future__ import annotations

import logging
from io import BytesIO

from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError

from applications.models import Evidence

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
    """One evidence file as PDF pages: a readable PDF as it is; an image on an A4 page with a caption
    (rendered like our own parts so it carries the dossier's page number); anything else a note."""
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


def dossier_parts(application, data) -> list[dict]:
    """Rendered parts in order, each {title, pdf, numbered}. Page numbers of our own parts are
    printed continuously across the dossier, so their templates receive the start page."""
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
    context = context_for(K.DOSSIER, data, application)
    parts = dossier_parts(application, data)
    # Our own parts print page numbers, which depend on where they start; render once to learn their
    # lengths (numbering does not change a part's length), then again with the right start pages.
    for part in parts:
        if "template" in part:
            part["pdf"] = render_pdf(part["template"], {**part["context"], "first_page": 1}, part.get("resources"))
        part["pages"] = page_count(part["pdf"])
    cover = render_pdf("documents/dossier_cover.html", context)
    cover_pages = page_count(cover)

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
        if page_count(toc) == toc_pages:
            break
        toc_pages = page_count(toc)
    else:
        raise RenderError(_("目录页数无法确定。"))
    for part in parts:
        if "template" in part:
            part["pdf"] = render_pdf(part["template"], {**part["context"], "first_page": part["start"]},
                                     part.get("resources"))
            if page_count(part["pdf"]) != part["pages"]:
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
