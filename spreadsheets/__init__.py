"""Spreadsheet cells that are safe to open, and the files every export writes.

Excel, WPS and LibreOffice evaluate a cell that starts with = (and, in CSV, + - @ or a tab or line
break) as a formula: `=HYPERLINK("http://evil", "点此")` becomes a live link, `=cmd|...` asks to run a
program (CSV/formula injection). Every export of the portal (XLSX and CSV) writes its cells through
this package. It depends on nothing of the portal (the bottom layer, like workflow).

- `neutralise(value)`: for CSV; text that would start a formula gets a leading apostrophe, the mark
  spreadsheets themselves use for "this is text".
- `xlsx_cells(sheet, values)`: for openpyxl; text is stored as text (never as a formula) with the
  quote-prefix flag, so it shows exactly as typed and stays text when someone edits the cell; characters
  XLSX cannot hold are dropped instead of failing the export. Numbers, dates and None pass unchanged.
- `csv_writer(stream)`: a csv.writer whose rows go through `neutralise`.
- `writers`: a whole table as CSV (UTF-8 with BOM) or XLSX bytes (the exports of documents/exports.py).
"""

from .cells import FORMULA_TRIGGERS, csv_row, csv_writer, is_dangerous, neutralise, xlsx_cells

__all__ = ["FORMULA_TRIGGERS", "csv_row", "csv_writer", "is_dangerous", "neutralise", "xlsx_cells"]
