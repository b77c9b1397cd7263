"""Exports of the audit trail for the 审计管理员: CSV (streamed, any size) and XLSX (up to
XLSX_MAX_ROWS records). Every cell goes through `spreadsheets`, so text recorded from user input
(an object's name, a reason) can never run as a formula. Each export is itself recorded."""

from __future__ import annotations

import io
import json

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from spreadsheets import csv_writer, xlsx_cells

from . import chain, labels
from .services import record

XLSX_MAX_ROWS = 5000  # built in the request: about 2 s on an idle machine; CSV streams any size
CHUNK = 2000


class ExportTooLarge(Exception):
    pass


def header() -> list[str]:
    return [_("序号"), _("时间"), _("用户名"), _("角色"), _("单位"), _("客户端地址"), _("事件代码"), _("事件"),
            _("对象类型"), _("对象编号"), _("对象"), _("结果"), _("原因"), _("详情"), _("记录摘要")]


def row(r) -> list:
    return [r.sequence, timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M:%S"), r.actor_username,
            labels.role_label(r.actor_role) if r.actor_role else "", str(r.actor_organisation or ""),
            r.client_address or "", r.action, labels.action_label(r.action), labels.object_type_label(r.object_type),
            r.object_id, r.object_repr, r.get_result_display(), r.reason,
            json.dumps(r.details, ensure_ascii=False, sort_keys=True) if r.details else "", r.record_hash]


class _Echo:
    def write(self, value):
        return value


def _csv_lines(queryset):
    writer = csv_writer(_Echo())
    yield "\ufeff"  # a BOM, so that spreadsheet programs read the file as UTF-8
    yield writer.writerow(header())
    for item in queryset.iterator(chunk_size=CHUNK):
        yield writer.writerow(row(item))


def _xlsx(queryset) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("审计记录"))
    sheet.append(xlsx_cells(sheet, header()))
    for item in queryset.iterator(chunk_size=CHUNK):
        sheet.append(xlsx_cells(sheet, row(item)))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_records(user, queryset, fmt: str, filters: dict):
    """(content, content type, file name) of the records in `queryset` as they are now; CSV content is an
    iterator of lines to stream. The export is recorded with its filters and size before the file is
    produced."""
    # What exists now: the export's own record (and anything written while streaming) is not in it.
    queryset = queryset.filter(sequence__lte=chain.head()[0])
    count = queryset.count()
    if fmt == "xlsx" and count > XLSX_MAX_ROWS:
        raise ExportTooLarge(count)
    record("audit.export", actor=user, details={"format": fmt, "count": count, "filters": filters})
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    if fmt == "xlsx":
        return (_xlsx(queryset), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                f"audit-records-{stamp}.xlsx")
    return _csv_lines(queryset), "text/csv; charset=utf-8", f"audit-records-{stamp}.csv"

