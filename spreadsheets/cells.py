"""Cell values that a user typed, made safe for spreadsheets (CSV injection / formula injection).

A spreadsheet program treats a cell that starts with = + - @ (and, in some programs, a tab, a carriage
return or a line feed, or their full-width forms) as a formula: a zone name typed as
`=cmd|' /C calc'!A0` would run when the export is opened. `neutralise()` puts an apostrophe in front of
such a text, the convention Excel and WPS show as "this cell is text", so the value arrives as the
characters that were typed. In XLSX the cell is stored as text and marked quote-prefixed instead
(`xlsx_cells`). Numbers, Decimals, dates and booleans are the portal's own values and pass unchanged.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.cell.cell import WriteOnlyCell as _write_only_cell

# First characters that make a spreadsheet read a cell as a formula or a command (OWASP "CSV
# injection"), and their full-width forms, which some input methods and spreadsheet versions accept too.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
PLAIN_VALUES = (bool, int, float, Decimal, date, datetime)


def is_dangerous(text: str) -> bool:
    """Whether a spreadsheet would read this text as a formula (leading spaces do not protect it)."""
    return bool(text) and text.lstrip(" ").startswith(FORMULA_TRIGGERS)


def neutralise(value):
    """A CSV cell value: text that would start a formula is prefixed with an apostrophe. None and the
    portal's own values (numbers, dates) are returned unchanged; anything else becomes text."""
    if value is None or isinstance(value, PLAIN_VALUES):
        return value
    text = str(value)
    return "'" + text if is_dangerous(text) else text


def csv_row(values: Iterable) -> list:
    return [neutralise(v) for v in values]


class _NeutralisingWriter:
    def __init__(self, stream, **kwargs):
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, values):
        return self._writer.writerow(csv_row(values))

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(stream, **kwargs) -> _NeutralisingWriter:
    return _NeutralisingWriter(stream, **kwargs)


def _text_cell(cell: Cell, text: str) -> Cell:
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", text)
    # Whatever openpyxl guessed ("f" for a leading "="), the cell holds text.
    cell.data_type = "s"
    if is_dangerous(cell.value):
        cell.quotePrefix = True
    return cell


def xlsx_cells(sheet, values: Iterable) -> list:
    """Cells for `sheet.append(...)` (a normal or a write-only worksheet): text as text, never a formula."""
    write_only = not hasattr(sheet, "cell")
    out = []
    for value in values:
        if isinstance(value, str):
            cell = _write_only_cell(sheet) if write_only else Cell(sheet)
            out.append(_text_cell(cell, value))
        else:
            out.append(value)
    return out
