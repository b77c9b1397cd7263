"""Write a table (a header row and data rows) as CSV or XLSX bytes, every typed text neutralised.

CSV is UTF-8 with a byte-order mark so that Excel and WPS open Chinese text correctly; XLSX cells
that hold neutralised text are stored as text (never as formulas), numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .cells import is_dangerous, neutralise

BOM = "\ufeff"


@dataclass
class Sheet:
    """One table: a title (the sheet's name), an optional caption line, a header and rows."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence] = field(default_factory=list)
    caption: str = ""


def _csv_value(value):
    value = neutralise(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def csv_bytes(sheet: Sheet) -> bytes:
    """One sheet as CSV (a CSV file has one table: the first sheet is what is exported)."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_csv_value(h) for h in sheet.header])
    for row in sheet.rows:
        writer.writerow([_csv_value(v) for v in row])
    return out.getvalue().encode("utf-8")


_SHEET_TITLE_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))


def _xlsx_value(cell, value):
    """Numbers stay numbers; every text is stored as text. A text a spreadsheet would read as a
    formula keeps exactly what was typed and is marked quote-prefixed (shown and edited as text)."""
    if isinstance(value, Decimal):
        cell.value = value
        cell.number_format = "0.00" if value == value.quantize(Decimal("0.01")) else "General"
    elif isinstance(value, datetime):
        cell.value = value.replace(tzinfo=None)
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif value is None or isinstance(value, bool | int | float):
        cell.value = value
    else:
        text = str(value)
        cell.value = text
        cell.data_type = TYPE_STRING  # openpyxl would store a text starting with "=" as a formula
        if is_dangerous(text):
            cell.quotePrefix = True


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        ws = book.create_sheet(str(sheet.title).translate(_SHEET_TITLE_FORBIDDEN)[:31] or "Sheet")
        row_index = 1
        if sheet.caption:
            _xlsx_value(ws.cell(row=1, column=1), sheet.caption)
            ws.cell(row=1, column=1).font = Font(bold=True)
            row_index = 2
        for col, title in enumerate(sheet.header, start=1):
            cell = ws.cell(row=row_index, column=col)
            _xlsx_value(cell, str(title))
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = ws.cell(row=row_index + 1, column=1)
        widths = [max(8, min(40, len(str(h)) * 2 + 2)) for h in sheet.header]
        for row in sheet.rows:
            row_index += 1
            for col, value in enumerate(row, start=1):
                _xlsx_value(ws.cell(row=row_index, column=col), value)
                if isinstance(value, str) and col <= len(widths):
                    widths[col - 1] = max(widths[col - 1], min(40, len(value) * 2 + 2))
        for col, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(col)].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
