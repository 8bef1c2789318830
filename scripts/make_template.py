"""Build templates/report_template.xlsx, the look of every 填报表.

Run once (``python scripts/make_template.py``) and commit the result. After that the
clerk may restyle the template in Excel or WPS (fonts, colours, widths, header/footer,
the 填报说明 text) and the generator follows; docs/template.md says which cells and
names it reads.
"""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.properties import PageSetupProperties

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wjexcel.forms import layout as L  # noqa: E402

TEMPLATE_VERSION = "2"

BODY = "仿宋"
TITLE = "宋体"
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # pale yellow: "type here"
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
CHECK_FILL = PatternFill("solid", fgColor="E2EFDA")
UNLOCKED = Protection(locked=False)
GUIDE_COLUMNS = "ABCD"
GUIDE_COLUMN_WIDTH = 35

GUIDE_LINES = [
    ("title", "填报说明：{填报期间}{表名}"),
    ("text", "填报单位：{填报单位}"),
    ("text", "依据：{计划名称}"),
    ("text", "数据口径：截至{截至}（期间：{填报期间}，序时进度 {序时进度}）"),
    ("text", "报送截止：{报送截止}前，将本表电子版及盖章扫描件报送{牵头单位}。"),
    ("text", "联系人：{联系人}　联系电话：{联系电话}"),
    ("head", "一、怎么填"),
    ("text", "1. 在“指标填报”工作表中，只需填写浅黄色单元格：“截至本期完成”填数字，“情况说明”填文字说明。"),
    ("text", "2. 只填阿拉伯数字，不要带单位、“约”“左右”“万”等字样；没有就填 0，不清楚请留空并在情况说明中写明原因。"),
    ("text", "3. 单位为 % 的指标直接填百分数的数值，如 3.68% 填 3.68。"),
    ("text", "4. 增量指标填本年1月1日起至期末的累计数；存量指标填期末实有数；计划总量指标填自计划首年起的累计数。"),
    ("text", "5. 表格顶部“填报检查”会提示还有几项未填或填写有误（标红），全部改正后再报送。"),
    ("text", "6. 有明细表的，请在明细表中逐行填写，行数或合计应与对应的指标数一致。"),
    ("text", "7. 明细表默认只打印表头和前 {明细打印行数} 行。填写超过 {明细打印行数} 行的，打印前选中要打印的全部行，"
             "在打印设置中选择“打印选定区域”（WPS：“打印选定区域”或“忽略打印区域”）。"),
    ("text", "8. 填写表尾签章栏（填报单位、填报人、联系电话、填报日期、审核人），打印盖章后扫描。"),
    ("head", "二、不要做"),
    ("text", "1. 不要插入或删除行、列，不要重命名、删除或新增工作表，不要改动灰色（锁定）单元格。"),
    ("text", "2. 不要把本表另存为其他格式的模板，也不要把几张表合并到一个文件；文件名可以改。"),
    ("text", "3. 本表带有识别信息，请直接在收到的表上填写，不要复制到旧表或其他单位的表里。"),
    ("head", "三、本表指标及口径"),
    ("text", "{指标口径}"),
]


def style(cell, *, font=None, fill=None, border=BOX, alignment=CENTER, number_format=None, locked=True):
    cell.font = font or Font(name=BODY, size=12)
    if fill:
        cell.fill = fill
    if border:
        cell.border = border
    cell.alignment = alignment
    if number_format:
        cell.number_format = number_format
    cell.protection = Protection(locked=locked)


def name(wb, key: str, sheet: str, ref: str) -> None:
    wb.defined_names[key] = DefinedName(key, attr_text=f"'{sheet}'!{ref}")


def print_setup(ws, *, footer: str, title_rows: str | None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.7
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddHeader.right.text = "{计划简称}"
    ws.oddHeader.right.font = BODY
    ws.oddHeader.right.size = 9
    ws.oddFooter.center.text = footer
    ws.oddFooter.center.font = BODY
    ws.oddFooter.center.size = 10


def guide_sheet(wb) -> None:
    ws = wb.active
    ws.title = L.GUIDE_SHEET
    # Several columns merged per line: LibreOffice does not shrink a single over-wide
    # column to the page width, so one wide column A would print cut at both sides.
    for col in GUIDE_COLUMNS:
        ws.column_dimensions[col].width = GUIDE_COLUMN_WIDTH
    ws.sheet_view.showGridLines = False
    for row, (kind, text) in enumerate(GUIDE_LINES, start=1):
        ws.merge_cells(f"A{row}:{GUIDE_COLUMNS[-1]}{row}")
        cell = ws.cell(row, 1, text)
        if kind == "title":
            style(cell, font=Font(name=TITLE, size=18, bold=True), border=None)
            ws.row_dimensions[row].height = 36
        elif kind == "head":
            style(cell, font=Font(name="黑体", size=13), border=None, alignment=LEFT)
            ws.row_dimensions[row].height = 24
        else:
            style(cell, border=None, alignment=LEFT)
    print_setup(ws, footer="{填报单位}　第 &P 页，共 &N 页", title_rows=None)


def main_sheet(wb) -> None:
    ws = wb.create_sheet(L.MAIN_SHEET)
    widths = {"A": 6, "B": 20, "C": 34, "D": 24, "E": 24, "F": 15, "G": 9, "H": 28}
    for col, width in widths.items():
        ws.column_dimensions[col].width = width
    last = "H"
    ws.merge_cells(f"A{L.TITLE_ROW}:{last}{L.TITLE_ROW}")
    title = ws.cell(L.TITLE_ROW, 1, "{填报期间}{表名}（{填报单位}）")
    style(title, font=Font(name=TITLE, size=18, bold=True), border=None)
    ws.row_dimensions[L.TITLE_ROW].height = 40
    ws.merge_cells(f"A{L.SUBTITLE_ROW}:{last}{L.SUBTITLE_ROW}")
    sub = ws.cell(L.SUBTITLE_ROW, 1, "填报单位：{填报单位}　　数据截至：{截至}　　报送截止：{报送截止}")
    style(sub, font=Font(name=BODY, size=11), border=None, alignment=LEFT)
    ws.merge_cells(f"A{L.CHECK_ROW}:B{L.CHECK_ROW}")
    check_label = ws.cell(L.CHECK_ROW, 1, "填报检查")
    style(check_label, font=Font(name="黑体", size=12), fill=CHECK_FILL)
    ws.merge_cells(f"C{L.CHECK_ROW}:{last}{L.CHECK_ROW}")
    check = ws.cell(L.CHECK_ROW, 3, "（此处由程序写入检查公式）")
    style(check, font=Font(name=BODY, size=12, bold=True, color="C00000"), fill=CHECK_FILL, alignment=LEFT)
    ws.row_dimensions[L.CHECK_ROW].height = 24
    for col, header in enumerate(L.HEADERS, start=1):
        style(ws.cell(L.HEADER_ROW, col, header), font=Font(name="黑体", size=12), fill=HEADER_FILL)
    ws.row_dimensions[L.HEADER_ROW].height = 30

    r = L.FIRST_DATA_ROW  # sample indicator row
    sample = ["1", "（工作任务）", "（指标名称）", "（单位）", "（目标）", None, None, None]
    for col, value in enumerate(sample, start=1):
        style(ws.cell(r, col, value))
    style(ws.cell(r, L.COL_TASK), alignment=CENTER)
    style(ws.cell(r, L.COL_NAME), alignment=LEFT)
    style(ws.cell(r, L.COL_VALUE), fill=INPUT_FILL, number_format="General", locked=False)
    style(ws.cell(r, L.COL_RATE), number_format="0.0%")
    style(ws.cell(r, L.COL_REMARK), fill=INPUT_FILL, alignment=LEFT, locked=False)
    sub_name = ws.cell(r + 1, L.COL_NAME, "（其中项名称，缩进）")
    style(sub_name, alignment=Alignment(horizontal="left", vertical="center", wrap_text=True, indent=2))

    sign = r + 3
    style(ws.cell(sign, L.SIGN_LABEL_COL, "填报人"), font=Font(name=BODY, size=12, bold=True),
          alignment=Alignment(horizontal="right", vertical="center"), border=None)
    style(ws.cell(sign, L.SIGN_LABEL_COL + 1, None), fill=INPUT_FILL, alignment=LEFT,
          border=Border(bottom=THIN), locked=False)
    note = ws.cell(sign + 1, L.COL_NO, "注：浅黄色单元格为填写区，其余单元格已锁定。请打印后加盖公章，扫描件随电子表一并报送。")
    style(note, font=Font(name=BODY, size=10), border=None, alignment=LEFT)

    print_setup(ws, footer="{填报单位}　第 &P 页，共 &N 页", title_rows=f"{L.HEADER_ROW}:{L.HEADER_ROW}")

    for key, ref in {
        "wjx_title": f"$A${L.TITLE_ROW}", "wjx_subtitle": f"$A${L.SUBTITLE_ROW}",
        "wjx_check_label": f"$A${L.CHECK_ROW}", "wjx_check": f"$C${L.CHECK_ROW}",
        "wjx_header": f"$A${L.HEADER_ROW}", "wjx_cell": f"$A${r}", "wjx_task": f"$B${r}",
        "wjx_name": f"$C${r}", "wjx_sub_name": f"$C${r + 1}", "wjx_target": f"$E${r}",
        "wjx_input": f"$F${r}", "wjx_rate": f"$G${r}", "wjx_remark": f"$H${r}",
        "wjx_sign_label": f"$B${sign}", "wjx_sign_input": f"$C${sign}", "wjx_note": f"$A${sign + 1}",
    }.items():
        name(wb, key, L.MAIN_SHEET, ref)


def detail_sheet(wb) -> None:
    ws = wb.create_sheet(L.DETAIL_TEMPLATE_SHEET)
    ws.column_dimensions["A"].width = 6
    title = ws.cell(L.DETAIL_TITLE_ROW, 1, "{明细名称}（{填报单位}，{填报期间}）")
    style(title, font=Font(name=TITLE, size=16, bold=True), border=None, alignment=LEFT)
    ws.row_dimensions[L.DETAIL_TITLE_ROW].height = 32
    note = ws.cell(L.DETAIL_NOTE_ROW, 1, "{明细说明}")
    style(note, font=Font(name=BODY, size=11), border=None, alignment=LEFT)
    style(ws.cell(L.DETAIL_HEADER_ROW, 1, "序号"), font=Font(name="黑体", size=12), fill=HEADER_FILL)
    style(ws.cell(L.DETAIL_FIRST_ROW, 1, None), fill=INPUT_FILL, locked=False)
    print_setup(ws, footer="{填报单位}　{明细名称}　第 &P 页，共 &N 页",
                title_rows=f"{L.DETAIL_HEADER_ROW}:{L.DETAIL_HEADER_ROW}")
    for key, ref in {
        "wjx_detail_title": f"$A${L.DETAIL_TITLE_ROW}", "wjx_detail_note": f"$A${L.DETAIL_NOTE_ROW}",
        "wjx_detail_header": f"$A${L.DETAIL_HEADER_ROW}", "wjx_detail_input": f"$A${L.DETAIL_FIRST_ROW}",
    }.items():
        name(wb, key, L.DETAIL_TEMPLATE_SHEET, ref)


def build(path: Path) -> None:
    wb = Workbook()
    guide_sheet(wb)
    main_sheet(wb)
    detail_sheet(wb)
    wb.defined_names[L.TEMPLATE_VERSION_NAME] = DefinedName(
        L.TEMPLATE_VERSION_NAME, attr_text=f'"{TEMPLATE_VERSION}"')
    wb.properties.title = "wjexcel 填报表模板"
    wb.properties.creator = "wjexcel"
    wb.active = 1
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


if __name__ == "__main__":
    out = ROOT / "templates" / L.TEMPLATE_FILE
    build(out)
    print(f"written {out}")
