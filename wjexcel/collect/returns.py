"""退回 copies: the reporter's own workbook, with every bad cell marked and explained.

The copy keeps the reporter's typing and the form's identity, so after correcting the
marked cells they can send the same file back. A first sheet 退回意见 lists every problem;
readers of returned forms ignore that sheet. Where the copy goes is the ledger's to say
(:meth:`~wjexcel.workspace.ledger.Ledger.reserve_return_copy`: unique, recorded).

An old ``.xls`` is turned into ``.xlsx`` by LibreOffice when the PC has it, within
:data:`CONVERT_SECONDS`; otherwise the copy lists the problems without marking cells.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import date
from pathlib import Path

from wjexcel.atomic import replace_file
from wjexcel.collect.formread import RETURN_SHEET
from wjexcel.errors import OutputLockedError, WjexcelError
from wjexcel.periods import chinese_date
from wjexcel.problems import ERROR
from wjexcel.textmeasure import fit_height

log = logging.getLogger(__name__)

CONVERT_SECONDS = 60.0
"""The longest a LibreOffice conversion of one .xls may hold collect up."""
_FILL = "FFC7CE"
_WIDTHS = (6, 8, 14, 10, 80)  # the columns of 退回意见
_TITLE_FONT = "黑体"
_WIDTHS = (6, 8, 14, 10, 80)
_BODY_FONT = "宋体"


NOT_ATTRIBUTED_NOTE = ("（这张表不能确认是哪个单位的表，退回表只列出下列意见，不附原表内容；"
                       "请使用下发给本单位的填报表填写。）")


def write_return_copy(target: Path, verdict, data: bytes, kind: str, *,
                      convert_seconds: float = CONVERT_SECONDS, deadline: date | None = None,
                      marked: bool = True) -> Path:
    """Write the 退回 copy of a rejected form (its bytes ``data``, its format ``kind``) to ``target``;
    ``deadline`` is the new date by which the corrected form is due (named on 退回意见).

    When the reporter's workbook cannot be written back with its cells marked (damaged in a
    way the reader tolerates but a writer does not), the copy lists the problems on its own.
    ``marked=False`` (a form that is not genuinely the reporter's it names): the copy only
    lists the problems, so it never carries one reporter's figures under another's name.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    if not marked:
        return _write(target, verdict, None, NOT_ATTRIBUTED_NOTE, deadline)
    with tempfile.TemporaryDirectory(prefix="wjx_ret_") as tmp:
        source = Path(tmp) / f"form.{'xls' if kind == 'xls' else 'xlsx'}"
        source.write_bytes(data)
        unmarked = ""
        if kind == "xls":
            source, unmarked = _xls_to_xlsx(source, Path(tmp), convert_seconds)
        if source is not None:
            try:
                return _write(target, verdict, source, "", deadline)
            except OutputLockedError:
                raise
            except Exception:  # openpyxl cannot write back what it read from this workbook
                log.debug("marked return copy failed for %s", verdict.file, exc_info=True)
                unmarked = "（原文件内容有异常，无法生成带标记的副本；请对照下列意见修改原表。）"
        return _write(target, verdict, None, unmarked, deadline)


def names_original(path: Path, file: str) -> bool:
    """``path`` is a 退回 copy written by wjexcel for the received file ``file``."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        if RETURN_SHEET not in book.sheetnames:
            return False
        return str(book[RETURN_SHEET]["A2"].value or "").startswith(_original_line(file).split(_AFTER_NAME)[0]
                                                                     + _AFTER_NAME)
    finally:
        book.close()


_AFTER_NAME = "。请按下列意见在原表中修改"
"""What follows the file's name on the copy's second line (the name itself may hold a 。)."""


def _original_line(file: str, deadline: date | None = None) -> str:
    from wjexcel.values import clean_text

    due = f"于{chinese_date(deadline)}前" if deadline else ""
    return clean_text(f"原文件：{file}{_AFTER_NAME}（出错的单元格已标红并加批注），"
                      f"不要改动表格结构，改好后{due}重新发送。")


def _write(target: Path, verdict, source: Path | None, unmarked: str, deadline: date | None = None) -> Path:
    """The copy: the reporter's workbook ``source`` with its cells marked, or only the list."""
    from openpyxl import Workbook, load_workbook

    if source is not None:
        wb = load_workbook(source, keep_vba=False, keep_links=False)
        _mark_cells(wb, verdict.problems)
    else:
        wb = Workbook()
        wb.remove(wb.active)
    _add_summary_sheet(wb, verdict, unmarked, deadline)
    return replace_file(target, wb.save, lambda p: load_workbook(p, read_only=True).close())


def _xls_to_xlsx(src: Path, tmp: Path, seconds: float) -> tuple[Path | None, str]:
    """An .xls re-saved as .xlsx by LibreOffice; or None and why the cells cannot be marked."""
    from wjexcel.collect.office import convert, find_soffice

    if find_soffice() is None:
        return None, "（原文件为旧版 .xls 格式，本机没有 LibreOffice，无法生成带标记的副本，请对照下列意见修改原表。）"
    try:
        return convert([src], "xlsx", tmp / "out", timeout=seconds)[0], ""
    except WjexcelError:
        return None, (f"（原文件为旧版 .xls 格式，转换为带标记的副本时 LibreOffice 在 {seconds:.0f} 秒内没有完成，"
                      "已放弃转换；请对照下列意见修改原表。）")


def _mark_cells(wb, problems) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    fill = PatternFill("solid", start_color=_FILL, end_color=_FILL)
    notes: dict[tuple[str, str], list[str]] = {}
    for p in problems:
        if p.sheet in wb.sheetnames and p.cell:
            notes.setdefault((p.sheet, p.cell), []).append(p.message)
    for (sheet, cell), messages in notes.items():
        try:
            c = _anchor(wb[sheet], wb[sheet][cell])
        except (ValueError, KeyError):
            continue
        c.fill = fill
        comment = Comment("\n".join(messages), "wjexcel")
        comment.width, comment.height = 300, 120
        c.comment = comment


def _anchor(sheet, cell):
    """The cell that carries a mark: ``cell`` itself, or the first cell of the range a reporter
    merged it into (a merged-over cell holds neither a fill nor a comment)."""
    from openpyxl.cell.cell import MergedCell

    if not isinstance(cell, MergedCell):
        return cell
    for merged in sheet.merged_cells.ranges:
        if cell.coordinate in merged:
            return sheet.cell(merged.min_row, merged.min_col)
    return cell


def _period_label(code: str | None) -> str:
    """``2022年第三季度`` for the form's ``2022Q3`` (the code itself if it is not a period)."""
    from wjexcel.errors import PeriodError
    from wjexcel.periods import Period

    try:
        return Period.parse(code).label if code else ""
    except PeriodError:
        return code


def _add_summary_sheet(wb, verdict, unmarked: str, deadline: date | None = None) -> None:
    from openpyxl.styles import Alignment, Font

    if RETURN_SHEET in wb.sheetnames:
        wb.remove(wb[RETURN_SHEET])
    sh = wb.create_sheet(RETURN_SHEET, 0)
    wb.active = 0
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False
    _text(sh, "A1", f"退回修改意见：{verdict.reporter or ''} {_period_label(verdict.period)}".rstrip())
    sh["A1"].font = Font(name=_TITLE_FONT, size=14, bold=True)
    _text(sh, "A2", _original_line(verdict.file, deadline))
    sh["A2"].alignment = Alignment(wrap_text=True)
    sh.merge_cells("A2:E2")
    sh.row_dimensions[2].height = max(36, fit_height(sh["A2"].value, sum(_WIDTHS)))
    if unmarked:  # wrapped across the table's width, so it prints whole
        _text(sh, "A3", unmarked)
        sh["A3"].alignment = Alignment(wrap_text=True, vertical="top")
        sh.merge_cells("A3:E3")
        sh.row_dimensions[3].height = fit_height(unmarked, sum(_WIDTHS))
    headers = ["序号", "类别", "工作表", "单元格", "问题与修改要求"]
    for col, h in enumerate(headers, 1):
        c = sh.cell(row=4, column=col)
        _text(c, None, h)
        c.font = Font(name=_BODY_FONT, bold=True)
    for i, p in enumerate(sorted(verdict.problems, key=lambda p: p.severity != ERROR), 1):
        row = 4 + i
        for col, value in enumerate([str(i), "错误" if p.severity == ERROR else "提示", p.sheet, p.cell,
                                     p.message], 1):
            c = sh.cell(row=row, column=col)
            _text(c, None, value)
            c.font = Font(name=_BODY_FONT)
            c.alignment = Alignment(wrap_text=True, vertical="top")
        sh.row_dimensions[row].height = max(fit_height(text, width) for text, width in
                                            ((p.sheet, _WIDTHS[2]), (p.message, _WIDTHS[4])))  # printed whole
    for col, width in zip("ABCDE", _WIDTHS):
        sh.column_dimensions[col].width = width
    sh.page_setup.orientation = "landscape"
    sh.page_setup.paperSize = sh.PAPERSIZE_A4
    sh.page_setup.fitToWidth = 1
    sh.page_setup.fitToHeight = 0
    sh.sheet_properties.pageSetUpPr.fitToPage = True


def _text(target, coord, value: str) -> None:
    """Write ``value`` as a text cell, never a formula, whatever it starts with."""
    from wjexcel.values import clean_text, needs_keep_as_text

    cell = target[coord] if coord else target
    cell.value = clean_text(value)
    cell.data_type = "s"
    if needs_keep_as_text(cell.value):
        cell.quotePrefix = True  # stays text when the reporter edits it
