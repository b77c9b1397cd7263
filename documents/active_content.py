"""Stripping active content from an uploaded PDF before it becomes part of a document the platform
issues (the 申报材料汇编): JavaScript, actions run on opening or on page events (OpenAction, AA),
Launch, URI and other actions of links and form fields, embedded files and multimedia.

The pages are copied into a new PDF, which leaves the document-level catalogue behind (OpenAction,
AA, Names with JavaScript and EmbeddedFiles, AcroForm and its scripts, XFA); on each page the
additional actions go, annotations that carry files or media go, links keep only jumps inside the
document, and other annotations (form fields, comments) keep their appearance but lose their actions.
What a reader sees on the page is unchanged.
"""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, NameObject

# Annotations whose point is to carry or play content.
DROPPED_ANNOTATIONS = {"/FileAttachment", "/Screen", "/Movie", "/Sound", "/RichMedia", "/3D"}
# Catalogue entries that run or carry something (a new writer has none of them; removed to be sure).
CATALOGUE_KEYS = ("/OpenAction", "/AA", "/Names", "/AcroForm", "/JavaScript", "/URI")


def _is_internal_jump(action) -> bool:
    action = action.get_object() if action is not None else None
    return action is not None and action.get("/S") == "/GoTo" and "/Next" not in action


def _clean_page(page) -> None:
    for key in ("/AA",):
        if key in page:
            del page[key]
    if "/Annots" not in page:
        return
    kept = ArrayObject()
    for reference in page["/Annots"]:
        annotation = reference.get_object()
        subtype = annotation.get("/Subtype")
        if subtype in DROPPED_ANNOTATIONS:
            continue
        action = annotation.get("/A")
        if subtype == "/Link" and action is not None and not _is_internal_jump(action):
            continue
        for key in ("/A", "/AA"):
            if key in annotation and not (key == "/A" and _is_internal_jump(annotation.get(key))):
                del annotation[key]
        kept.append(reference)
    if kept:
        page[NameObject("/Annots")] = kept
    else:
        del page["/Annots"]


def strip_active_content(content: bytes) -> bytes:
    """The same pages without active content (raises pypdf's errors for an unreadable PDF)."""
    reader = PdfReader(BytesIO(content))
    if reader.is_encrypted:
        reader.decrypt("")
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    for page in writer.pages:
        _clean_page(page)
    root = writer.root_object
    for key in CATALOGUE_KEYS:
        if key in root:
            del root[key]
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
