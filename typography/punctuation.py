"""GB/T 15834-2011 for Chinese text: ASCII `,:;!?` next to a CJK character and ASCII parentheses around
or beside CJK text become the full-width marks (，：；！？（）); nothing else changes.

One function for plain text (`fullwidth`) and one for HTML (`fullwidth_html`, text nodes only). The
source strings of the portal keep their ASCII marks (editors and text channels that NFKC-normalise
would turn full-width marks back anyway, and the English catalogue's msgids stay stable); the marks
are made full-width where text leaves the portal: the PDF engine, Chinese web pages and messages.

Numbers, times, URLs and e-mail addresses are left alone because a mark converts only when a CJK
character stands right beside it (3,000 · 10:30 · http://… have none). The full-width marks are
written as escapes: editors that normalise text cannot lose them here.
"""

from __future__ import annotations

import re

# What counts as Chinese context: CJK ideographs, CJK and full-width punctuation, Chinese quotes.
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60\u201c\u201d\u2018\u2019"
FULLWIDTH = {",": "\uff0c", ":": "\uff1a", ";": "\uff1b", "!": "\uff01", "?": "\uff1f", "(": "\uff08",
             ")": "\uff09"}

# Two passes of compiled expressions, each starting with the mark itself so that the regex engine
# skips ahead to the next mark; only the marks call back into Python.
# 1. A pair of parentheses (no parenthesis, newline or tag inside) converts as a pair when it holds
#    CJK text or touches it.
# 2. A mark with a CJK character right before it, or right after it across spaces; the spaces after a
#    converted mark go (a full-width mark carries its own space). A ';' ending an HTML entity (&quot;)
#    is never a mark. A parenthesis left over here has its partner elsewhere (another text node) and
#    converts when it touches CJK text.
_PAIR = r"\((?P<inner>[^()\n<>]*)\)"
# The ';' of the entities Django and our templates write is never a mark.
_ENTITY_END = "".join(f"(?<!&{name};)" for name in ("amp", "lt", "gt", "quot", "nbsp", "#x27", "#39", "#34"))
_MARK = rf"[,:;!?()](?:(?<=[{_CJK}].)|{_ENTITY_END}(?=[ \t]*[{_CJK}]))[ \t]*"
# In HTML the same, only in text: the next angle bracket after the mark must open a tag, not close one.
_IN_TEXT = r"(?=[^<>]*(?:<|\Z))"
_TEXT_PAIR, _TEXT_MARK = re.compile(_PAIR), re.compile(_MARK)
# An HTML pair may hold inline tags: (<a href="…">…</a>).
_HTML_PAIR = re.compile(r"\((?P<inner>(?:[^()\n<>]|<[^<>]*>)*)\)" + _IN_TEXT)
_HTML_MARK = re.compile(_MARK + _IN_TEXT)
_HAS_CJK = re.compile(rf"[{_CJK}]")
_IS_CJK = re.compile(rf"[{_CJK}]")


def _mark(match):
    return FULLWIDTH[match.group()[0]]


def _convert(text: str, pair, mark) -> str:
    def convert_pair(match):
        start, end = match.span()
        if (_HAS_CJK.search(match.group("inner")) or (start and _IS_CJK.match(text, start - 1))
                or _IS_CJK.match(text, end)):
            return "\uff08" + match.group("inner") + "\uff09"
        return match.group()

    if "(" in text:
        text = pair.sub(convert_pair, text)
    return mark.sub(_mark, text)


def fullwidth(text: str) -> str:
    """Plain text with ASCII ,:;!?() in Chinese context made full-width (GB/T 15834)."""
    if not text or not _HAS_CJK.search(text):
        return text
    return _convert(text, _TEXT_PAIR, _TEXT_MARK)


# Elements whose text is code or what a user is editing, and comments: copied as they are.
_VERBATIM = re.compile(r"<(script|style|pre|textarea)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.DOTALL | re.IGNORECASE)


def fullwidth_html(html: str) -> str:
    """An HTML document or fragment with `fullwidth` applied to its text nodes only: never inside tags
    (attribute values, including the values of form controls), comments, <script>, <style>, <pre> or
    <textarea>."""
    if not html or not _HAS_CJK.search(html):
        return html
    out, position = [], 0
    for verbatim in _VERBATIM.finditer(html):
        out.append(_convert(html[position:verbatim.start()], _HTML_PAIR, _HTML_MARK))
        out.append(verbatim.group())
        position = verbatim.end()
    out.append(_convert(html[position:], _HTML_PAIR, _HTML_MARK))
    return "".join(out)


# Dates in Chinese documents (GB/T 9704-2012 7.3.5): Arabic numerals, no leading zeros.
def chinese_date(value) -> str:
    """2026年5月10日 from a date, a datetime or an ISO string ('' for nothing)."""
    if not value:
        return ""
    if isinstance(value, str):
        year, month, day = (int(p) for p in value[:10].split("-"))
    else:
        year, month, day = value.year, value.month, value.day
    return f"{year}\u5e74{month}\u6708{day}\u65e5"
