"""Shared pieces of the bad-input tests: hostile values, the hypothesis settings, and the checks every
fuzzed response must pass (never a 500, a message when the value is refused, nothing unescaped)."""

from __future__ import annotations

import re
from contextlib import contextmanager

from django.db import transaction
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
# What must never appear in a page: the hostile markup as markup.
RAW_MARKUP = re.compile(r"<script>alert|<img src=x onerror", re.IGNORECASE)

HOSTILE = [
    SCRIPT, IMG, f"实验区{SCRIPT}", f"{IMG}苏州", "", " ", "\t\r\n", "\x00", "a\x00b", "\x01\x07\x08\x0b\x0c\x1b\x7f",
    "\u202eRTL\u202c override", "\u200f\u200e marks", "a\u200db\u200cc\u2060", "\ufeffBOM", "😀👨‍👩‍👧𝔘𐍈", "﷽",
    "Ｆｕｌｌｗｉｄｔｈ１２３", "{{ 7|add:7 }}{% now 'Y' %}", "%(name)s %s {0}", "'; DROP TABLE x; --", "../../etc/passwd",
    "javascript:alert(1)", "&lt;script&gt;", "\\x00", "null", "None", "true", "0", "-1", "NaN", "Infinity",
    "x" * 10_000, (SCRIPT * 400)[:10_000], "中" * 10_000, "\n" * 5000,
]

NUMBERS = [
    "", " ", "0", "-0", "-1", "1", "00012", "3.14", "-3.14", "1e5", "1E+999999", "1e-999999", "NaN", "-Infinity", "inf",
    "sNaN", "-sNaN1", "9" * 20, "9" * 400, "9" * 5000, "-" + "9" * 20, "2147483647", "2147483648", "-2147483649", "1_000", "1,000",
    "０", "１２", "٣", "½", "0x10", " 7 ", "7.", ".5", "5.005", "1" * 12 + ".25", "99999999.99", "999999999999.99",
]

DATES = ["", "2025-01-01", "0001-01-01", "9999-12-31", "10000-01-01", "2025-02-30", "2025-13-01", "-2025-01-01",
         "2025-01-01T00:00", "0001-01-01T00:00", "9999-12-31T23:59", "2025-01-01 25:61", "1970-01-01", "今天"]

# Text from the whole of Unicode except surrogates (impossible in HTTP); control characters included.
unicode_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
hostile_text = st.one_of(st.sampled_from(HOSTILE), unicode_text,
                         st.builds(lambda a, b: a + b, st.sampled_from(HOSTILE[:4]), unicode_text))
number_text = st.one_of(st.sampled_from(NUMBERS), st.integers(-(10**30), 10**30).map(str),
                        st.decimals(allow_nan=True, allow_infinity=True).map(str), hostile_text)
date_text = st.one_of(st.sampled_from(DATES), st.dates().map(str), hostile_text)
any_value = st.one_of(hostile_text, number_text, date_text)

# No shrinking: a failure is reported with the example as generated (shrinking whole requests is slow).
FUZZ = settings(max_examples=25, deadline=None, derandomize=True, database=None, print_blob=False,
                phases=[Phase.explicit, Phase.reuse, Phase.generate],
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large, HealthCheck.filter_too_much])
FUZZ_FEW = settings(FUZZ, max_examples=15)

ERROR_MARKERS = ("invalid-feedback", "is-invalid", "alert-danger", "errorlist", "alert-warning", "text-danger")


@contextmanager
def rolled_back():
    """Run one example inside a savepoint that is undone, so examples stay independent."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def page_of(response) -> str:
    return response.content.decode("utf-8", errors="replace")


def assert_escaped(page: str, where=""):
    found = RAW_MARKUP.search(page)
    assert found is None, f"unescaped hostile markup in {where}: …{page[max(found.start() - 80, 0):found.end() + 80]}…"


def check_response(response, *, refused_ok=(403, 404, 405), where=""):
    """Never a 500; a re-shown form carries a message; nothing unescaped. Returns the page text."""
    status = response.status_code
    assert status < 500, f"{status} from {where}"
    page = page_of(response) if not getattr(response, "streaming", False) else ""
    if status in (302, 303):
        return page
    assert status in (200, 400, 409, 429, *refused_ok), f"unexpected {status} from {where}"
    assert_escaped(page, where)
    return page


def assert_message(page: str, where=""):
    """A refused value comes back with a message on the page (at the field or above the form)."""
    assert any(marker in page for marker in ERROR_MARKERS), f"no message shown on {where}"


def followed(client, response, where=""):
    """Follow a redirect once and check the page it lands on."""
    if response.status_code in (302, 303):
        target = response["Location"]
        landed = client.get(target)
        check_response(landed, where=f"{where} → {target}")
        return landed
    return response
