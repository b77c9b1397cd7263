"""The PDF engine: a Django template rendered to PDF bytes with WeasyPrint, with only in-memory resources
(never the network or the disk) and without characters no font draws; page counting; `RenderError`."""

from __future__ import annotations

import re
import threading
import unicodedata
from io import BytesIO

from django.template.loader import render_to_string
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcherResponse

from typography import fullwidth_html

from . import fonts


class RenderError(Exception):
    """Rendering failed for a reason the user can act on; the message is shown on the page."""


class LocalFetcher:
    """WeasyPrint resource fetcher: only in-memory evidence images; never the network or the disk."""

    _fail_on_errors = False

    def __init__(self, resources: dict[str, tuple[bytes, str]] | None = None):
        self.resources = resources or {}

    def __call__(self, url, headers=None):
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


def render_html(template: str, context: dict) -> str:
    """The document's HTML as WeasyPrint reads it: every text node, template text and user-typed values
    alike, with full-width punctuation in Chinese context (GB/T 15834), undrawable characters dropped."""
    html = render_to_string(template, {**context, "fonts": fonts.stylesheet_fonts()})
    return fullwidth_html(_UNCOMMON.sub(_drawable, html))


_local = threading.local()


def _font_config() -> FontConfiguration:
    """One font configuration per thread, kept across renderings: loading fontconfig's configuration and
    Pango's font map anew for every document cost about 0.06 s of the 申报书's warm render (bench/README.md).
    Per thread because a Pango font map is not to be shared between threads. Made after the operator's
    font directory is given to fontconfig (documents.fonts)."""
    config = getattr(_local, "font_config", None)
    if config is None:
        fonts.configure_fontconfig()
        config = _local.font_config = FontConfiguration()
    return config


def render_pdf(template: str, context: dict, resources=None) -> bytes:
    html = render_html(template, context)
    return HTML(string=html, url_fetcher=LocalFetcher(resources)).write_pdf(font_config=_font_config())


def page_count(pdf: bytes) -> int:
    return len(PdfReader(BytesIO(pdf)).pages)
