"""How a form's sheets print and size: A4 setup, protection, rows tall enough for their text,
the 填报说明 and 明细 sheets' layout. :mod:`wjexcel.forms.build` decides what goes where."""

from __future__ import annotations

from copy import copy

from openpyxl.styles import Alignment
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from wjexcel.forms import layout as L
from wjexcel.forms.template import fill_header_footer, fill_placeholders
from wjexcel.forms.validation import detail_validation, longest_check_text
from wjexcel.plan.model import DetailList
from wjexcel.textmeasure import row_height, wrapped_lines

DEFAULT_COLUMN_WIDTH = 8.43


_A4_LANDSCAPE = (11.69, 8.27)  # inches


def print_setup(ws, title_rows: str) -> None:
    """A4 landscape, fit to width, header rows on every page: the contract, whatever the template says."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        ws.print_title_rows = title_rows


def fit_short_sheet(ws, last_row: int, last_col: int, *, spill: float = 1.3) -> None:
    """Print a sheet that only just spills onto a second page on one page.

    A form whose signature block lands alone on page 2 is one a clerk cannot stamp
    cleanly; shrinking by up to a quarter keeps it whole. Longer sheets keep breaking.
    """
    margins = ws.page_margins
    width = sum(_column_points(column_width(ws, col)) for col in range(1, last_col + 1))
    height = sum(ws.row_dimensions[row].height or 15 for row in range(1, last_row + 1))
    page_width = (_A4_LANDSCAPE[0] - margins.left - margins.right) * 72
    page_height = (_A4_LANDSCAPE[1] - margins.top - margins.bottom) * 72
    scale = min(1.0, page_width / width)
    if height * scale <= page_height * spill:
        ws.page_setup.fitToHeight = 1


def _column_points(width: float) -> float:
    # Excel: a column of width w is 7w + 5 pixels (Calibri 11), at 96 pixels per inch.
    return (7 * width + 5) * 0.75


def protect(ws) -> None:
    """Lock the sheet so only unlocked cells take input."""
    # Sheet protection guides a person to the input cells; it does not secure anything
    # (its hash is broken, any program removes it). The HMAC signature is what detects edits.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


# --- row heights -------------------------------------------------------------------------------
def column_width(ws, col: int) -> float:
    """A column's width in units (the default width when the sheet does not set one)."""
    dim = ws.column_dimensions.get(get_column_letter(col))
    return (dim.width if dim is not None and dim.width else None) or DEFAULT_COLUMN_WIDTH


def cell_width(ws, row: int, col: int) -> float:
    """The width a text in this cell wraps in: its column, or all columns of its merged range."""
    for rng in ws.merged_cells.ranges:
        if rng.min_row <= row <= rng.max_row and rng.min_col <= col <= rng.max_col:
            return sum(column_width(ws, c) for c in range(rng.min_col, rng.max_col + 1))
    return column_width(ws, col)


def fit_rows(ws, first: int, last: int, *, min_height: float = 0.0) -> None:
    """Make rows ``first``..``last`` high enough for their wrapped texts, at least ``min_height``.

    A text merged across columns wraps in the merged width; one merged down several rows
    is shown whole by spreading the missing height over those rows. Formulas are skipped.
    """
    spans = {(r.min_row, r.min_col): r for r in ws.merged_cells.ranges}
    covered = {(row, col) for r in ws.merged_cells.ranges for row, col in r.cells}
    needed = {row: min_height for row in range(first, last + 1)}
    tall = []
    for row in range(first, last + 1):
        for col in range(1, ws.max_column + 1):
            cell = ws.cell(row, col)
            text = cell.value
            if text is None or (isinstance(text, str) and text.startswith("=")):
                continue
            if (row, col) in covered and (row, col) not in spans:
                continue
            span = spans.get((row, col))
            cols = range(col, (span.max_col if span else col) + 1)
            width = sum(column_width(ws, c) for c in cols)
            size = float(cell.font.sz or 11) if cell.font else 11.0
            lines = wrapped_lines(text, width, size) if cell.alignment.wrap_text else 1
            height = row_height(lines, size)
            if span and span.max_row > span.min_row:
                tall.append((span.min_row, min(span.max_row, last), height))
            else:
                needed[row] = max(needed[row], height)
    for top, bottom, height in tall:
        missing = height - sum(needed[r] or row_height(1) for r in range(top, bottom + 1))
        if missing > 0:
            for r in range(top, bottom + 1):
                needed[r] = max(needed[r], row_height(1)) + missing / (bottom - top + 1)
    for row, height in needed.items():
        current = ws.row_dimensions[row].height or 0
        if height > current:
            ws.row_dimensions[row].height = round(height, 1)


# --- sheets ------------------------------------------------------------------------------------
def format_guide(ws) -> None:
    """Lay out 填报说明 so nothing is cut in print: every line wraps, left as styled, in one
    cell merged across the sheet's full width, its row as high as its wrapped text; a guide
    that only just spills onto a second page is printed on one."""
    sized = [column_index_from_string(c) for c, dim in ws.column_dimensions.items() if dim.width]
    last_col = max([ws.max_column, *sized])
    merged = {(r.min_row, r.min_col) for r in ws.merged_cells.ranges}
    for row in ws.iter_rows():
        texts = [c for c in row if c.value is not None]
        for cell in texts:
            if not cell.alignment.wrap_text:
                wrapped = copy(cell.alignment)
                wrapped.wrap_text = True
                cell.alignment = wrapped
        if len(texts) == 1 and texts[0].column == 1 and last_col > 1 and (texts[0].row, 1) not in merged:
            ws.merge_cells(start_row=texts[0].row, start_column=1, end_row=texts[0].row, end_column=last_col)
    fit_rows(ws, 1, ws.max_row)
    ws.print_area = f"A1:{get_column_letter(last_col)}{ws.max_row}"
    fit_short_sheet(ws, ws.max_row, last_col)  # a line or two over one page: shrink, do not spill


def merge_tasks(ws, indicators, rows) -> None:
    """Merge the 工作任务 cells of consecutive rows of one task."""
    runs: list[list[int]] = []
    for ind in indicators:
        if runs and runs[-1][0] == ind.task:
            runs[-1][2] = rows[ind.code]
        else:
            runs.append([ind.task, rows[ind.code], rows[ind.code]])
    for _, first, last in runs:
        if last > first:
            ws.merge_cells(start_row=first, start_column=L.COL_TASK, end_row=last, end_column=L.COL_TASK)


def choice_range(wb, choices) -> str:
    """A range on the hidden choices sheet holding ``choices`` (one column per list), for a
    dropdown too long to type into its validation."""
    if L.CHOICES_SHEET in wb.sheetnames:
        ws = wb[L.CHOICES_SHEET]
    else:
        ws = wb.create_sheet(L.CHOICES_SHEET)
        ws.sheet_state = "veryHidden"
        protect(ws)
    col = (ws.max_column + 1) if ws["A1"].value is not None else 1
    for row, choice in enumerate(choices, start=1):
        cell = ws.cell(row, col, choice)
        cell.data_type = "s"
    letter = get_column_letter(col)
    return f"'{L.CHOICES_SHEET}'!${letter}$1:${letter}${len(choices)}"


def add_detail_sheet(wb, template, dl: DetailList, styles, values) -> dict:
    """Copy the 明细模板 sheet for one 明细 list; return its layout for the metadata."""
    ws = wb.copy_worksheet(template)
    ws.title = dl.name[:31]
    ws.HeaderFooter = copy(template.HeaderFooter)
    mine = dict(values, 明细名称=dl.name,
                明细说明=f"{dl.note}。带 * 的列必须填写；不要插入或删除行列。" if dl.note
                else "带 * 的列必须填写；不要插入或删除行列。")
    for row in ws.iter_rows(max_row=L.DETAIL_NOTE_ROW):
        for cell in row:
            if isinstance(cell.value, str):
                cell.value = fill_placeholders(cell.value, mine)
    fill_header_footer(ws, mine)
    first_col = 2
    last_col = first_col + len(dl.columns) - 1
    for row_no in (L.DETAIL_TITLE_ROW, L.DETAIL_NOTE_ROW):
        ws.merge_cells(start_row=row_no, start_column=1, end_row=row_no, end_column=last_col)
    styles["wjx_detail_header"].apply(ws.cell(L.DETAIL_HEADER_ROW, 1, "序号"))
    last_row = L.DETAIL_FIRST_ROW + L.DETAIL_INPUT_ROWS - 1
    styles["wjx_cell"].apply(ws.cell(L.DETAIL_FIRST_ROW, 1, 1))
    for n in range(1, L.DETAIL_INPUT_ROWS):
        _same_style(ws.cell(L.DETAIL_FIRST_ROW, 1), ws.cell(L.DETAIL_FIRST_ROW + n, 1, n + 1))
    for offset, column in enumerate(dl.columns):
        col = first_col + offset
        letter = get_column_letter(col)
        header = f"{column.name}*" if column.required else column.name
        styles["wjx_detail_header"].apply(ws.cell(L.DETAIL_HEADER_ROW, col, header))
        ws.column_dimensions[letter].width = column.width
        dv = detail_validation(column, lambda choices: choice_range(wb, choices))
        dv.add(f"{letter}{L.DETAIL_FIRST_ROW}:{letter}{last_row}")
        ws.add_data_validation(dv)
        proto = ws.cell(L.DETAIL_FIRST_ROW, col)
        styles["wjx_detail_input"].apply(proto, locked=False)
        proto.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
        if column.type == "uscc":
            proto.number_format = "@"
        elif column.type == "date":
            proto.number_format = "yyyy-mm-dd"
        for r in range(L.DETAIL_FIRST_ROW + 1, last_row + 1):
            _same_style(proto, ws.cell(r, col))
    ws.freeze_panes = ws.cell(L.DETAIL_FIRST_ROW, 1).coordinate
    fit_rows(ws, L.DETAIL_TITLE_ROW, L.DETAIL_HEADER_ROW)
    print_setup(ws, f"{L.DETAIL_HEADER_ROW}:{L.DETAIL_HEADER_ROW}")
    # A blank form should print in a few pages: the print area holds the first rows only;
    # 填报说明 tells a clerk with more rows how to print them all.
    ws.print_area = f"A1:{get_column_letter(last_col)}{L.DETAIL_FIRST_ROW + L.DETAIL_PRINT_ROWS - 1}"
    protect(ws)
    return {"sheet": ws.title, "indicator": dl.indicator, "header_row": L.DETAIL_HEADER_ROW,
            "first_row": L.DETAIL_FIRST_ROW, "last_row": last_row, "first_col": first_col,
            "columns": [c.name for c in dl.columns]}


def _same_style(proto, cell) -> None:
    """Give ``cell`` exactly ``proto``'s style (font, fill, border, alignment, format,
    protection). Copying openpyxl's style index is what assigning each part would end in,
    without re-hashing every style object for each of hundreds of cells."""
    cell._style = copy(proto._style)


def fit_main_rows(ws, check, count: int, last_data: int, note_row: int) -> None:
    """Size every row of 指标填报: the 填报检查 row for its longest message, indicator rows
    at least ``L.DATA_ROW_HEIGHT``, signature rows with room to write by hand."""
    fit_rows(ws, L.TITLE_ROW, L.HEADER_ROW)
    size = float(check.font.sz or 11)
    lines = wrapped_lines(longest_check_text(count), cell_width(ws, check.row, check.column), size)
    fit_rows(ws, check.row, check.row, min_height=row_height(lines, size))
    fit_rows(ws, L.FIRST_DATA_ROW, last_data, min_height=L.DATA_ROW_HEIGHT)
    fit_rows(ws, last_data + 2, note_row - 1, min_height=L.SIGN_ROW_HEIGHT)
    fit_rows(ws, note_row, note_row)
