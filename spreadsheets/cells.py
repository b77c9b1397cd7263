from __future__ import annotations

import csv
from collections.abc import Iterable

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.cell.cell import WriteOnlyCell as _write_only_cell

# First characters that make a spreadsheet read a cell as a formula or a command (OWASP "CSV
# injection"), and their full-width forms, which some input methods and spreadsheet versions accept too.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _starts_formula(text: str) -> bool:
    return text.lstrip(" ").startswith(FORMULA_TRIGGERS)


def neutralise(value):
    """A CSV cell value: text that would start a formula is prefixed with an apostrophe. Other values
    (numbers, dates, None) are returned unchanged."""
    if isinstance(value, str) and _starts_formula(value):
        return "'" + value
    return value


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
    if _starts_formula(cell.value):
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
