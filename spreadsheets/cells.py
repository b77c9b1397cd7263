"""Cell values that a user typed, made safe for spreadsheets (CSV injection / formula injection).

A spreadsheet program treats a cell that starts with = + - @ (and, in some programs, a tab or a
carriage return) as a formula: a zone name typed as `=cmd|' /C calc'!A0` would run when the export
is opened. `neutralise()` puts an apostrophe in front of such a text, the convention Excel and WPS
show as "this cell is text", so the value arrives as the characters that were typed. Numbers,
Decimals, dates and booleans are the portal's own values and pass unchanged.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_dangerous(text: str) -> bool:
    return bool(text) and text.startswith(FORMULA_TRIGGERS)


def neutralise(value):
    """The value with any text that a spreadsheet would read as a formula turned into plain text."""
    if value is None or isinstance(value, bool | int | float | Decimal | date | datetime):
        return value
    text = str(value)
    return "'" + text if is_dangerous(text) else text
