"""How a form looks and guides the person filling it.

The template (its version, style cells and placeholders), print setup and protection,
row heights that show every wrapped text whole, the 填报说明 and 明细 sheets' layout,
data validation, the 填报检查 formula and the conditional formats that mark wrong
entries. ``wjexcel.forms.build`` decides what goes where; this module decides how it looks
and what Excel checks while typing.
"""

from __future__ import annotations

import hashlib
import re
from copy import copy
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties

from wjexcel.forms import layout as L
from wjexcel.errors import WjexcelError
from wjexcel.textmeasure import row_height, wrapped_lines
from wjexcel.plan.model import DetailList, Indicator

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_BLANK_FILL = PatternFill("solid", fgColor="FCE4D6")
_BAD_FILL = PatternFill("solid", fgColor="FFC7CE")
_BAD_FONT = Font(color="9C0006", bold=True)

# Text measurement. openpyxl cannot measure text, so widths are estimated: a column
# width unit is the width of "0" in an 11 pt font; a full-width (CJK) character at 11 pt
# is about two units, a half-width one about one. A line is ~1.5 times the font size high.
_FULL_WIDTH = 2.1
_HALF_WIDTH = 1.1
_CELL_PADDING = 1.0  # width units lost to the cell margins
_LINE_SPACING = 1.5
_ROW_PADDING = 4.0  # points above and below the text
DEFAULT_COLUMN_WIDTH = 8.43
_A4_LANDSCAPE = (11.69, 8.27)  # inches


# --- the template ------------------------------------------------------------------------------
def template_version(wb=None, path: Path | None = None) -> str:
    """The template's declared version plus a digest of its bytes (``2-3f2a9c10``)."""
    path = path or L.template_path()
    wb = wb if wb is not None else load_workbook(path)
    declared = "0"
    name = wb.defined_names.get(L.TEMPLATE_VERSION_NAME)
    if name is not None:
        declared = name.attr_text.strip('"') or "0"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:8]
    return f"{declared}-{digest}"


def fill_placeholders(text, values: dict[str, str]):
    """Replace each known ``{占位符}`` in ``text``; anything else is left as typed."""
    if not isinstance(text, str) or "{" not in text:
        return text
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def fill_header_footer(ws, values: dict[str, str]) -> None:
    """Replace placeholders in every header and footer text of ``ws``."""
    for hf in (ws.oddHeader, ws.oddFooter, ws.evenHeader, ws.evenFooter, ws.firstHeader, ws.firstFooter):
        for part in (hf.left, hf.center, hf.right):
            if part.text:
                part.text = fill_placeholders(part.text, values)


@dataclass(frozen=True)
class Style:
    """A style cell of the template, applied to generated cells."""

    font: object
    fill: object
    border: object
    alignment: object
    number_format: str

    def apply(self, cell, *, locked: bool = True) -> None:
        cell.font = copy(self.font)
        cell.fill = copy(self.fill)
        cell.border = copy(self.border)
        cell.alignment = copy(self.alignment)
        cell.number_format = self.number_format
        cell.protection = Protection(locked=locked)


def named_cell(wb, key: str) -> tuple[str, str]:
    """The (sheet, coordinate) a template name points at; a Chinese error if it is missing."""
    name = wb.defined_names.get(key)
    if name is None:
        raise WjexcelError(
            f"填报表模板缺少名称“{key}”（{L.STYLE_NAMES.get(key, key)}），请按 docs/template.md 修复模板，"
            "或运行 python scripts/make_template.py 重新生成。"
        )
    sheet, ref = next(iter(name.destinations))
    return sheet, ref.replace("$", "")


def read_styles(wb) -> dict[str, Style]:
    """Every style cell the template names (``L.STYLE_NAMES``)."""
    styles = {}
    for key in L.STYLE_NAMES:
        sheet, ref = named_cell(wb, key)
        cell = wb[sheet][ref]
        styles[key] = Style(copy(cell.font), copy(cell.fill), copy(cell.border), copy(cell.alignment),
                            cell.number_format)
    return styles


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
    cell merged across the sheet's full width, its row as high as its wrapped text."""
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
        dv = detail_validation(column)
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


# --- validation --------------------------------------------------------------------------------
def validation(kind: str, **kw) -> DataValidation:
    """A data validation that shows its prompt and refuses (or warns about) a wrong entry."""
    return DataValidation(type=kind, allow_blank=True, showErrorMessage=True, showInputMessage=True, **kw)


def value_validation(ind: Indicator) -> DataValidation:
    """The validation of an indicator's value cell: percent, count or number."""
    if ind.is_percent:
        return validation(
            "decimal", operator="between", formula1="0", formula2="100",
            promptTitle="填写百分数数值", prompt=f"{ind.name}：单位为 %，填 0-100 之间的数值，如 3.68% 填 3.68。",
            errorTitle="数值不对", error="请填写 0 到 100 之间的数字（不带 % 号）。")
    if ind.unit.strip() in L.COUNT_UNITS:
        return validation(
            "whole", operator="greaterThanOrEqual", formula1="0",
            promptTitle=f"填写整数（{ind.unit}）", prompt=f"{ind.name}：只填整数，不带单位；没有填 0。",
            errorTitle="应为整数", error=f"请填写不小于 0 的整数（单位：{ind.unit}），不要带文字。")
    return validation(
        "decimal", operator="greaterThanOrEqual", formula1="0",
        promptTitle=f"填写数字（{ind.unit}）", prompt=f"{ind.name}：只填数字，不带单位；没有填 0。",
        errorTitle="应为数字", error=f"请填写不小于 0 的数字（单位：{ind.unit}），不要带文字。")


def text_validation(limit: int, title: str, prompt: str) -> DataValidation:
    """A text of at most ``limit`` characters."""
    return validation("textLength", operator="lessThanOrEqual", formula1=str(limit),
                      promptTitle=title, prompt=prompt,
                      errorTitle="内容过长", error=f"最多 {limit} 个字，请精简。")


def signature_validations() -> dict[str, DataValidation]:
    """One validation per signature field (keys of ``L.SIGNATURE_FIELDS``)."""
    return {
        "unit": text_validation(60, "填报单位", "填写单位全称，打印后在此处加盖公章。"),
        "filled_by": text_validation(30, "填报人", "填写填报人姓名。"),
        "phone": text_validation(30, "联系电话", "填写手机或座机号码。"),
        "filled_on": validation("date", operator="between", formula1="DATE(2000,1,1)",
                                formula2="DATE(2100,12,31)", errorStyle="warning",
                                promptTitle="填报日期", prompt="填写日期，如 2022-10-08。",
                                errorTitle="日期格式", error="请按 2022-10-08 的格式填写日期。"),
        "reviewer": text_validation(30, "审核人", "填写审核人（分管负责人）姓名。"),
    }


def detail_validation(column) -> DataValidation:
    """The validation of a 明细 column, by its type."""
    if column.type == "uscc":
        return validation("textLength", operator="equal", formula1="18",
                          promptTitle="统一社会信用代码", prompt="18位统一社会信用代码，字母大写，不要加空格。",
                          errorTitle="位数不对", error="统一社会信用代码应为18位，请核对。")
    if column.type == "choice":
        return validation("list", formula1='"' + ",".join(column.choices) + '"',
                          promptTitle=column.name[:32], prompt="请从下拉列表中选择。",
                          errorTitle="请从列表选择", error="只能选择下拉列表中的选项。")
    if column.type == "number":
        return validation("decimal", operator="greaterThanOrEqual", formula1="0",
                          promptTitle=column.name[:32], prompt="只填数字，不带单位。",
                          errorTitle="应为数字", error="请填写不小于 0 的数字。")
    if column.type == "integer":
        return validation("whole", operator="greaterThanOrEqual", formula1="0",
                          promptTitle=column.name[:32], prompt="只填整数。",
                          errorTitle="应为整数", error="请填写不小于 0 的整数。")
    if column.type == "date":
        return validation("date", operator="between", formula1="DATE(2000,1,1)", formula2="DATE(2100,12,31)",
                          errorStyle="warning", promptTitle=column.name[:32], prompt="填写日期，如 2022-10-08。",
                          errorTitle="日期格式", error="请按 2022-10-08 的格式填写日期。")
    return text_validation(200, column.name[:32], f"填写{column.name}。")


# --- 填报检查 and conditional formats ---------------------------------------------------------------
_BAD_TEXT = "有 {n} 项填写有误（标红：不是数字、负数、百分比超过100或其中项大于总数）；"


def _bad_terms(indicators, rows) -> list[str]:
    """Excel expressions, one per kind of wrong entry, each counting offending cells."""
    col = get_column_letter(L.COL_VALUE)
    first, last = min(rows.values()), max(rows.values())
    rng = f"{col}{first}:{col}{last}"
    terms = [f"SUMPRODUCT(--ISTEXT({rng}))", f'COUNTIF({rng},"<0")']
    for ind in indicators:
        ref = f"{col}{rows[ind.code]}"
        if ind.is_percent:
            terms.append(f'COUNTIF({ref},">100")')
        if ind.parent and ind.parent in rows:
            parent = f"{col}{rows[ind.parent]}"
            terms.append(f"IF(AND(ISNUMBER({ref}),ISNUMBER({parent})),IF({ref}>{parent},1,0),0)")
    return terms


def check_formula(indicators, rows, last_data, sign_cells) -> str:
    """The 填报检查 formula: what is still blank or wrong, or that the form is ready."""
    col = get_column_letter(L.COL_VALUE)
    rng = f"{col}{L.FIRST_DATA_ROW}:{col}{last_data}"
    blank = f"COUNTBLANK({rng})"
    bad = "(" + "+".join(_bad_terms(indicators, rows)) + ")"
    sign_blank = "(" + "+".join(f"COUNTBLANK({ref})" for ref in sign_cells.values()) + ")"
    before, after = _BAD_TEXT.split("{n}")
    return (
        f'=IF({blank}+{bad}+{sign_blank}=0,"√ 全部 {len(indicators)} 项指标和签章栏已填写，未发现问题，可以报送。",'
        f'IF({blank}>0,"还有 "&{blank}&" 项未填写；","")'
        f'&IF({bad}>0,"{before}"&{bad}&"{after}","")'
        f'&IF({sign_blank}>0,"签章栏还有 "&{sign_blank}&" 项未填写。",""))'
    )


def longest_check_text(count: int) -> str:
    """The longest text the 填报检查 formula can show, to size its row."""
    return f"还有 {count} 项未填写；" + _BAD_TEXT.format(n=count) + f"签章栏还有 {len(L.SIGNATURE_FIELDS)} 项未填写。"


def conditional_formats(ws, indicators, rows, last_data) -> None:
    """Mark blank value cells pale orange and wrong ones red, as the 填报检查 counts them."""
    col = get_column_letter(L.COL_VALUE)
    first = f"{col}{L.FIRST_DATA_ROW}"
    rng = f"{first}:{col}{last_data}"
    ws.conditional_formatting.add(rng, FormulaRule(
        formula=[f"OR(ISTEXT({first}),AND(ISNUMBER({first}),{first}<0))"],
        fill=_BAD_FILL, font=_BAD_FONT, stopIfTrue=True))
    for ind in indicators:
        ref = f"{col}{rows[ind.code]}"
        cond = None
        if ind.is_percent:
            cond = f"AND(ISNUMBER({ref}),{ref}>100)"
        elif ind.parent and ind.parent in rows:
            parent = f"{col}{rows[ind.parent]}"
            cond = f"AND(ISNUMBER({ref}),ISNUMBER({parent}),{ref}>{parent})"
        if cond:
            ws.conditional_formatting.add(ref, FormulaRule(formula=[cond], fill=_BAD_FILL, font=_BAD_FONT,
                                                           stopIfTrue=True))
    ws.conditional_formatting.add(rng, FormulaRule(formula=[f'LEN(TRIM({first}))=0'], fill=_BLANK_FILL))
