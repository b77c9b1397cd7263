"""Spreadsheet output shared by every export: neutralising typed text against formula injection and
writing CSV (UTF-8 with BOM) and XLSX. The bottom layer: imports nothing of the portal."""
