"""专家评分汇总表 (expert score summary) as XLSX, for national staff. Numbers stay numbers; text (names,
comments an expert typed) goes through spreadsheets.xlsx_cells, so it can never run as a formula."""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from audit.services import record
from spreadsheets import xlsx_cells

from ..enums import Recommendation
from . import aggregation, services

BOLD = Font(bold=True)


def _num(value):
    """Decimals rounded to cents (Excel cells hold them as numbers)."""
    return None if value is None else aggregation.rounded(value)


def summary_rows(call):
    """The summary sheet as plain rows (header first); also used by the PDF later."""
    ranked = aggregation.ranking(call)
    header = [_("排名"), _("实验区名称"), _("申报主体"), _("省份"), _("状态"), _("有效评分数"), _("最少评分数"),
              _("平均分"), _("去掉最高最低后平均分"), _("标准差(总体)"), _("极差"), _("评分分歧")]
    header += [r.label for r in Recommendation]
    rows = [[str(h) for h in header]]
    for position, agg in enumerate(ranked, start=1):
        app = agg.application
        tally = agg.tally
        rows.append([
            position if agg.count else None, str(app), str(app.applicant), str(app.province), app.get_state_display(),
            agg.count, agg.min_scores, _num(agg.mean), _num(agg.trimmed_mean), _num(agg.std_dev), _num(agg.spread),
            _("是") if agg.divergent else _("否"),
        ] + [tally[r.value] for r in Recommendation])
    return rows, ranked


def export_summary_xlsx(call, user) -> bytes:
    """The summary as a national staff member downloads it; the export is audited."""
    content = summary_xlsx(call)
    record("export.expert_scores", actor=user, obj=call, details={"format": "xlsx"})
    return content


def _append(sheet, values):
    sheet.append(xlsx_cells(sheet, values))


def summary_xlsx(call) -> bytes:
    criteria = services.ensure_rubric(call)
    rows, ranked = summary_rows(call)
    book = Workbook()
    sheet = book.active
    sheet.title = _("专家评分汇总表")
    _append(sheet, [_("专家评分汇总表")])
    sheet["A1"].font = Font(bold=True, size=14)
    _append(sheet, [str(call), _("生成时间:") + timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    _append(sheet, [_("总分 = Σ 权重 × 得分;满分 %(max)s。去掉最高最低分仅在评分数不少于 5 份时适用。") % {
        "max": services.max_total(criteria)}])
    header_row = sheet.max_row + 1
    for row in rows:
        _append(sheet, row)
    for cell in sheet[header_row]:
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    _widths(sheet, [6, 30, 28, 10, 12, 10, 10, 10, 14, 12, 8, 8, 10, 10, 10])

    detail = book.create_sheet(_("评分明细"))
    head = [_("实验区名称"), _("申报主体"), _("专家"), _("专家单位")] + [
        f"{c.name}(满分{c.max_score},权重{c.weight})" for c in criteria] + [
        _("总分"), _("总体建议"), _("评审意见"), _("提交时间")]
    _append(detail, [str(h) for h in head])
    for cell in detail[1]:
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for agg in ranked:
        for line in agg.lines:
            _append(detail,
                [str(agg.application), str(agg.application.applicant), str(line.expert),
                 str(line.expert.organisation or "")]
                + [line.values.get(c.pk) for c in criteria]
                + [_num(line.total), line.score.get_recommendation_display(), line.score.comment,
                   timezone.localtime(line.score.submitted_at).strftime("%Y-%m-%d %H:%M")])
    _widths(detail, [30, 28, 12, 26] + [14] * len(criteria) + [10, 14, 60, 18])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _widths(sheet, widths):
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
