"""How a form's sheets print and size: A4 setup, protection, rows tall enough for their text,
the 填报说明 and 明细 sheets' layout. :mod:`wjexcel.forms.build` decides what goes where."""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from wjexcel.forms import layout as L
from wjexcel.forms.grid import Sheet
from wjexcel.forms.template import Template, fill_sheet
from wjexcel.forms.validation import detail_validation, longest_check_text
from wjexcel.plan.model import DetailList
from wjexcel.textmeasure import row_height, wrapped_lines


def print_setup(sheet: Sheet, title_row: int | None) -> None:
    """A4 landscape, fit to width, a header row on every page: the contract, whatever the template says."""
    sheet.setup.landscape = True
    sheet.setup.fit_width, sheet.setup.fit_height = 1, 0
    if title_row:
        sheet.setup.repeat_rows = (title_row, title_row)


# --- sheets ------------------------------------------------------------------------------------
def format_guide(sheet: Sheet) -> None:
    """Lay out 填报说明 so nothing is cut in print: every line wraps, left as styled, in one
    cell merged across the sheet's full width, its row as high as its wrapped text; a guide
    that only just spills onto a second page is printed on one."""
    last_col = max([sheet.max_col, *sheet.widths])
    merged = {(m[0], m[1]) for m in sheet.merges}
    by_row: dict[int, list] = {}
    for (row, col), cell in sheet.cells.items():
        if cell.value is not None:
            by_row.setdefault(row, []).append(col)
            if not cell.style.wrap:
                cell.style = cell.style.but(wrap=True)
    for row, cols in by_row.items():
        if cols == [1] and last_col > 1 and (row, 1) not in merged:
            sheet.merge(row, 1, row, last_col)
    last_row = sheet.max_row
    sheet.fit_rows(1, last_row)
    sheet.setup.print_area = (1, 1, last_row, last_col)
    sheet.fit_short(last_row, last_col)  # a line or two over one page: shrink, do not spill


def merge_tasks(sheet: Sheet, indicators, rows) -> None:
    """Merge the 工作任务 cells of consecutive rows of one task."""
    runs: list[list[int]] = []
    for ind in indicators:
        if runs and runs[-1][0] == ind.task:
            runs[-1][2] = rows[ind.code]
        else:
            runs.append([ind.task, rows[ind.code], rows[ind.code]])
    for _, first, last in runs:
        if last > first:
            sheet.merge(first, L.COL_TASK, last, L.COL_TASK)


class Choices:
    """The hidden sheet holding dropdown lists too long to type into a validation, one per column."""

    def __init__(self) -> None:
        self.sheet = Sheet(L.CHOICES_SHEET, protected=True, very_hidden=True)

    def __call__(self, choices) -> str:
        """The range holding ``choices``, added as the next column."""
        col = self.sheet.max_col + 1 if self.sheet.cells else 1
        for row, choice in enumerate(choices, start=1):
            self.sheet.put(row, col, str(choice))
        letter = get_column_letter(col)
        return f"'{L.CHOICES_SHEET}'!${letter}$1:${letter}${len(choices)}"


def detail_sheet(template: Template, dl: DetailList, values, choices: Choices) -> tuple[Sheet, dict]:
    """The 明细模板 sheet made into one 明细 list's sheet, and its layout for the metadata."""
    styles = template.styles
    sheet = template.sheet(L.DETAIL_TEMPLATE_SHEET, dl.name[:31])
    mine = dict(values, 明细名称=dl.name,
                明细说明=f"{dl.note}。带 * 的列必须填写；不要插入或删除行列。" if dl.note
                else "带 * 的列必须填写；不要插入或删除行列。")
    fill_sheet(sheet, mine, max_row=L.DETAIL_NOTE_ROW)
    first_col = 2
    last_col = first_col + len(dl.columns) - 1
    for row_no in (L.DETAIL_TITLE_ROW, L.DETAIL_NOTE_ROW):
        sheet.merge(row_no, 1, row_no, last_col)
    sheet.put(L.DETAIL_HEADER_ROW, 1, "序号", styles["wjx_detail_header"])
    last_row = L.DETAIL_FIRST_ROW + L.DETAIL_INPUT_ROWS - 1
    sheet.clear((L.DETAIL_FIRST_ROW, 1, last_row, 1))  # the template's own cells there give way to the 序号
    sheet.number_rows((L.DETAIL_FIRST_ROW, 1, last_row, 1), styles["wjx_cell"])
    for offset, column in enumerate(dl.columns):
        col = first_col + offset
        header = f"{column.name}*" if column.required else column.name
        sheet.put(L.DETAIL_HEADER_ROW, col, header, styles["wjx_detail_header"])
        sheet.widths[col] = column.width
        sheet.validate([(L.DETAIL_FIRST_ROW, col, last_row, col)], detail_validation(column, choices))
        style = styles["wjx_detail_input"].but(locked=False, horizontal="left", vertical="vcenter", wrap=True)
        if column.type == "uscc":
            style = style.but(num_format="@")
        elif column.type == "date":
            style = style.but(num_format="yyyy-mm-dd")
        sheet.blank((L.DETAIL_FIRST_ROW, col, last_row, col), style)
    sheet.freeze = (L.DETAIL_FIRST_ROW, 1)
    sheet.fit_rows(L.DETAIL_TITLE_ROW, L.DETAIL_HEADER_ROW)
    print_setup(sheet, L.DETAIL_HEADER_ROW)
    # A blank form should print in a few pages: the print area holds the first rows only;
    # 填报说明 tells a clerk with more rows how to print them all.
    sheet.setup.print_area = (1, 1, L.DETAIL_FIRST_ROW + L.DETAIL_PRINT_ROWS - 1, last_col)
    sheet.protected = True
    return sheet, {"sheet": sheet.name, "indicator": dl.indicator, "header_row": L.DETAIL_HEADER_ROW,
                   "first_row": L.DETAIL_FIRST_ROW, "last_row": last_row, "first_col": first_col,
                   "columns": [c.name for c in dl.columns]}


def fit_main_rows(sheet: Sheet, check: tuple[int, int], count: int, last_data: int, note_row: int) -> None:
    """Size every row of 指标填报: the 填报检查 row for its longest message, indicator rows
    at least ``L.DATA_ROW_HEIGHT``, signature rows with room to write by hand."""
    sheet.fit_rows(L.TITLE_ROW, L.HEADER_ROW)
    size = sheet.style(*check).font_size
    lines = wrapped_lines(longest_check_text(count), sheet.cell_width(*check), size)
    sheet.fit_rows(check[0], check[0], min_height=row_height(lines, size))
    sheet.fit_rows(L.FIRST_DATA_ROW, last_data, min_height=L.DATA_ROW_HEIGHT)
    sheet.fit_rows(last_data + 2, note_row - 1, min_height=L.SIGN_ROW_HEIGHT)
    sheet.fit_rows(note_row, note_row)

