"""更正说明 and the 定稿 mark: what a report made after a period's 定稿 says about it.

The sheet lists every figure that differs from the latest 定稿 (:mod:`wjexcel.report.final`),
from what to what, and the submission that changed it; a report made after a 定稿 always has
it, even when nothing changed (it then says so). The mark is a line at the top of 概览.
"""

from __future__ import annotations

from wjexcel.report.cells import Styles, number_format, table, text, wrapped_rows
from wjexcel.report.data import ReportData
from wjexcel.textmeasure import fit_height

SHEET = "更正说明"
HEADS = ["序号", "指标", "口径", "定稿数", "现数", "增减", "引起变化的报送（单位：文件，收到时间）"]
WIDTHS = [5, (14, 30), (8, 22), 10, 10, 10, (30, 70)]
NONE = "—"


def write_corrections(book, st: Styles, data: ReportData) -> None:
    """The 更正说明 sheet, when the report is compared with an earlier 定稿."""
    view = data.final
    if view is None or view.record is None:
        return
    record = view.record
    rows, formats = [], []
    for n, change in enumerate(view.changes, 1):
        values = [change.before, change.after, change.delta]
        rows.append([n, change.name, change.label(), *(NONE if v is None else round(v, 4) for v in values),
                     change.cause_text()])
        formats.append(number_format(values, change.percent))
    title = (f"更正说明（{view.period.label}，对照{record.made_at:%Y-%m-%d %H:%M}的定稿第{record.version}版）")
    sheet, first, last = table(book, st, SHEET, title, HEADS, rows, WIDTHS, data,
                               formats={3: formats, 4: formats, 5: formats}, wrap=(1, 2, 6))
    if not rows:
        sheet.write_string(first, 0, "与定稿相比没有数字变化。", st())
    notes = [f"对照的定稿：第{record.version}版，{record.made_at:%Y-%m-%d %H:%M}定稿，文件“{record.file}”"
             + ("（原样保留，本次未改动）。" if view.intact else
                f"（该文件已被改动或移走；报送时的原件保存在“{record.archive_path}”）。"),
             "“定稿数”是定稿中的数，“现数”是本表中的数；“口径”中“全区”是全区数，“分解目标”是区镇或组的分解目标完成数，"
             "“报数”是该单位本期报送的数。"]
    narrowest = sum(w[0] if isinstance(w, tuple) else w for w in WIDTHS)  # rows tall enough at any width
    wrapped_rows(sheet, st, last + 2, notes, len(HEADS), narrowest)


def write_mark(sheet, st: Styles, data: ReportData, row: int, width: int, total: float) -> None:
    """The 定稿 line of 概览 (nothing for a period never 定稿)."""
    if data.final is None:
        return
    line = data.final.mark_text(data.generated_at)
    if not line:
        return
    fmt = st(text_wrap=True, bold=True, font_color="#C00000", align="left", valign="top")
    sheet.merge_range(row, 0, row, width - 1, "", fmt)
    sheet.write_string(row, 0, text(line), fmt)
    sheet.set_row(row, fit_height(line, total))
