"""Write the Excel control workbook (控制台.xlsm) and the double-click launchers (.bat).

The workbook is built with XlsxWriter around the VBA project of xlwings' *standalone*
quickstart (``quickstart_standalone.xlsm`` in the installed xlwings package, BSD-3), so a
clerk installs no add-in. That project has one macro, ``Module1.SampleCall``, which runs
``import <workbook name>; <workbook name>.main()``: every button runs the same Python
``main()``, written here as ``控制台.py`` next to the workbook.

How the buttons are told apart: **each button sits on its own sheet, named after its
action** (一键汇总, 生成填报表, 查看报送情况), and Python reads the active sheet; a form button
can only be clicked on the sheet on screen, so the active sheet is the button's sheet. We
rejected the alternatives:

* building our own VBA project with a macro per button: the one PyPI writer of MS-OVBA
  projects (``ms-ovba`` 0.0.1, the "vbaProject-Compiler") does produce a file ``olevba``
  reads, but it is a first release with five more 0.0.x dependencies, writes scratch files
  into the current folder, and nothing here can show that Excel accepts its projects;
* ``Application.Caller`` read from Python: whether it survives the cross-process call
  cannot be checked without Excel;
* an 操作 drop-down and one button: two steps, and a forgotten drop-down runs the wrong action.

Each sheet carries the parameter block (计划, 期间, 截止日期, 工作区). The first sheet holds
the values; the other sheets show them by formula, so one edit serves every button,
yet a clerk may overwrite a cell on one sheet. The hidden ``xlwings.conf`` sheet points
``Interpreter_Win`` at the Python that wrote the workbook (see below). The workbook must keep
its name: the VBA imports the module named after it.

The launchers, and where they and the buttons find Python: :mod:`wjexcel.cycle.launchers`.
"""

from __future__ import annotations

import importlib.util
import io
import logging
import sys
import zipfile
from pathlib import Path

from wjexcel.atomic import write_bytes
from wjexcel.cycle.actions import ACTIONS, Action, last_period, remember_period
from wjexcel.cycle.launchers import (RESTORE_LAUNCHER, Interpreter, interpreter_for, launcher_text, python_path_entry,
                                     restore_launcher_text)
from wjexcel.errors import EnvironmentProblem, WjexcelError, WorkspaceError
from wjexcel.textmeasure import fit_width

log = logging.getLogger(__name__)

WORKBOOK_NAME = "控制台.xlsm"
BUTTON_MODULE = Path(WORKBOOK_NAME).stem
BUTTON_MACRO = "SampleCall"
CONF_SHEET = "xlwings.conf"

# Layout of every action sheet, read by wjexcel.excel.buttons (1-based rows, letters for columns).
PARAMETERS = (("plan", "计划"), ("period", "期间"), ("deadline", "截止日期"), ("workspace", "工作区"))
LABEL_COLUMN, VALUE_COLUMN, NOTE_COLUMN = "B", "C", "D"
FIRST_PARAMETER_ROW = 4
BUTTON_ROW = 9
STATUS_ROW = 12
RESULT_HEADER_ROW = 14
FIRST_RESULT_ROW = 15
RESULT_ROWS = 45

BUTTON_MODULE_TEXT = f'''"""Called by every button of {WORKBOOK_NAME} (xlwings RunPython); written by ``wjexcel console``.

Keep this file and the workbook side by side and do not rename either: the workbook's
VBA imports the module named after the workbook.
"""


def main():
    try:
        from wjexcel.excel.buttons import main as run_button
    except ImportError:
        import xlwings as xw

        xw.Book.caller().app.alert(
            "这台电脑的 Python 里没有安装 wjexcel，按钮无法运行。\\n"
            "请按《使用手册》安装 wjexcel，然后在工作区运行 wjexcel console 重新生成控制台。",
            title="wjexcel",
            mode="critical",
        )
        return
    run_button()
'''


def write_console(root: Path, *, period: str | None = None, python_exe: str | None = None) -> list[Path]:
    """Write 控制台.xlsm, 控制台.py and one launcher per action into the workspace ``root``.

    Args:
        root: the workspace folder.
        period: the period shown in the workbook and offered by the launchers; default:
            the last period used in this workspace, if any.
        python_exe: the interpreter the buttons and launchers run; default: this one.

    Returns:
        The files written, workbook first.
    """
    root = Path(root)
    if not root.is_dir():
        raise WorkspaceError(f"工作区文件夹“{root}”不存在，无法写出控制台。")
    python = interpreter_for(root, python_exe or sys.executable)
    period = period or last_period(root)
    if period:
        remember_period(root, period)
    written = [_write_workbook(root / WORKBOOK_NAME, _plan_label(root), period, python)]
    written.append(_write_text(root / f"{BUTTON_MODULE}.py", BUTTON_MODULE_TEXT, "\n"))
    for action in ACTIONS:
        text = launcher_text(action, python)
        written.append(_write_text(root / f"{action.title}.bat", text, "\r\n"))
    written.append(_write_text(root / RESTORE_LAUNCHER, restore_launcher_text(python), "\r\n"))
    return written


def standalone_vba_project() -> bytes:
    """``xl/vbaProject.bin`` of the installed xlwings' ``quickstart_standalone.xlsm``.

    Found without importing xlwings (only :mod:`wjexcel.excel.buttons` does that).
    """
    spec = importlib.util.find_spec("xlwings")
    if spec is None or not spec.submodule_search_locations:
        raise EnvironmentProblem("没有安装 xlwings，无法生成控制台。请安装 wjexcel 的全部依赖后重试。")
    source = Path(next(iter(spec.submodule_search_locations))) / "quickstart_standalone.xlsm"
    try:
        with zipfile.ZipFile(source) as archive:
            return archive.read("xl/vbaProject.bin")
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise EnvironmentProblem(
            f"xlwings 安装不完整（读不到 {source.name} 中的宏），请重新安装 xlwings。"
        ) from exc



def refresh_plan_name(root: Path) -> Path | None:
    """Rewrite 控制台.xlsm when the plan it names is no longer the workspace's (计划.xlsx was changed
    since it was written), keeping its interpreter and period; the launchers are left alone.

    Called after generate and run. Returns the workbook when rewritten; None when it is missing,
    already right, or cannot be replaced now (open in Excel: the buttons update it themselves).
    """
    path = Path(root) / WORKBOOK_NAME
    if not path.is_file():
        return None
    try:
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        try:
            shown = book.worksheets[0][f"{VALUE_COLUMN}{FIRST_PARAMETER_ROW}"].value
            python = book[CONF_SHEET]["B1"].value if CONF_SHEET in book.sheetnames else None
        finally:
            book.close()
        current = _plan_label(root)
        if shown == current or not python:
            return None
        return _write_workbook(path, current, last_period(root), interpreter_for(Path(root), str(python)))
    except Exception as exc:  # a convenience: generate and run stand without it
        log.warning("control workbook not refreshed: %s", exc)
        return None


def _plan_label(root: Path) -> str:
    """The plan's name for the 计划 cell, or the plan file's name when it cannot be read."""
    from wjexcel.plan.workbook import workspace_plan
    from wjexcel.workspace import PLAN_FILE, Workspace

    try:
        return str(workspace_plan(Workspace(root)).name)
    except (WjexcelError, ImportError, OSError):
        return PLAN_FILE


def _write_text(path: Path, text: str, newline: str) -> Path:
    return write_bytes(path, text.replace("\n", newline).encode("utf-8"))


def _write_workbook(path: Path, plan: str, period: str, python: Interpreter) -> Path:
    """Build the workbook in memory, then replace the file (it may be open in Excel)."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.add_vba_project(io.BytesIO(standalone_vba_project()), is_stream=True)
    book.set_properties({"title": "wjexcel 控制台", "comments": "由 wjexcel console 生成"})
    styles = _styles(book)
    values = {"plan": plan, "period": period, "deadline": "", "workspace": ""}
    first = ACTIONS[0].title
    finals = final_periods(path.parent)
    for index, action in enumerate(ACTIONS):
        sheet = book.add_worksheet(action.title)
        _action_sheet(sheet, action, styles, values, None if index == 0 else first)
        _final_row(sheet, styles, finals, period)
    _conf_sheet(book.add_worksheet(CONF_SHEET), python)
    book.worksheets()[0].activate()
    book.close()
    return write_bytes(path, buffer.getvalue())


def _styles(book) -> dict:
    base = {"font_name": "微软雅黑", "valign": "vcenter"}
    edit = {**base, "bg_color": "#FFF9DB", "border": 1, "border_color": "#BFBFBF", "indent": 1}
    return {
        "title": book.add_format({**base, "bold": True, "font_size": 18, "font_color": "#1F4E79"}),
        "subtitle": book.add_format({**base, "font_size": 11, "font_color": "#404040"}),
        "label": book.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1,
                                  "border_color": "#BFBFBF", "indent": 1}),
        "edit": book.add_format(edit),
        "edit_fit": book.add_format({**edit, "shrink": True}),
        "edit_text": book.add_format({**edit, "num_format": "@"}),
        "edit_date": book.add_format({**edit, "num_format": "yyyy-mm-dd", "align": "left"}),
        "note": book.add_format({**base, "italic": True, "font_color": "#7F7F7F", "indent": 1}),
        "header": book.add_format({**base, "bold": True, "font_size": 12, "bottom": 2,
                                   "bottom_color": "#1F4E79"}),
        "status": book.add_format({**base, "bold": True, "font_color": "#C55A11"}),
        "result": book.add_format({**base}),
    }


PAPER_A4 = 9
VALUE_WIDTHS = (34, 70)  # the value column: narrowest, and widest before the plan name shrinks


def value_width(plan: str) -> float:
    """Width of the value column: the plan's name on one line, within VALUE_WIDTHS."""
    return fit_width([plan], *VALUE_WIDTHS)


NOTES = {
    "plan": "本工作区的计划（计划.xlsx）",
    "period": "如 2022（全年）、2022Q3（季度）、2022-09（月份）",
    "deadline": "本期报送截止日期，如 2022-10-10",
    "workspace": "留空表示本文件所在的文件夹（推荐）",
}


def _action_sheet(sheet, action: Action, styles: dict, values: dict, source: str | None) -> None:
    """One action's sheet: title, parameter block, its button, status and result area."""
    col = {c: ord(c) - ord("A") for c in (LABEL_COLUMN, VALUE_COLUMN, NOTE_COLUMN)}
    sheet.hide_gridlines(2)
    sheet.set_landscape()
    sheet.set_paper(PAPER_A4)
    sheet.fit_to_pages(1, 0)
    sheet.set_column(0, 0, 2)
    sheet.set_column(col["B"], col["B"], 14, styles["result"])
    sheet.set_column(col["C"], col["C"], value_width(values["plan"]))
    sheet.set_column(col["D"], col["D"], 48)
    sheet.set_row(0, 32)
    sheet.write(0, 1, f"行动计划报送控制台 · {action.title}", styles["title"])
    sheet.write(1, 1, action.explanation, styles["subtitle"])
    for offset, (key, label) in enumerate(PARAMETERS):
        row = FIRST_PARAMETER_ROW - 1 + offset
        sheet.set_row(row, 20)
        sheet.write(row, col["B"], label, styles["label"])
        cell_format = {"plan": "edit_fit", "period": "edit_text", "deadline": "edit_date"}.get(key, "edit")
        if source is None:
            sheet.write_string(row, col["C"], values[key], styles[cell_format])
            note = NOTES[key]
        else:
            ref = f"'{source}'!{VALUE_COLUMN}{row + 1}"
            sheet.write_formula(row, col["C"], f'=IF({ref}="","",{ref})', styles[cell_format], values[key])
            note = f"默认与“{source}”页相同，可在此改写"
        sheet.write(row, col["D"], note, styles["note"])
    if source is None:
        sheet.data_validation(FIRST_PARAMETER_ROW, col["C"], FIRST_PARAMETER_ROW, col["C"], {
            "validate": "any", "input_title": "期间", "input_message": NOTES["period"]})
    button_row = BUTTON_ROW - 1
    sheet.set_row(button_row, 40)
    sheet.insert_button(button_row, col["B"], {
        "macro": BUTTON_MACRO, "caption": action.title, "width": 250, "height": 46,
        "x_offset": 2, "y_offset": 4, "description": action.explanation})
    sheet.write(button_row, col["D"], "点击左侧按钮开始；运行期间请勿关闭本文件。", styles["note"])
    sheet.write(button_row + 1, col["B"],
                "用 WPS 或按钮没反应？请双击工作区里的同名 .bat 文件（一键汇总.bat 等），效果相同。",
                styles["note"])
    sheet.write(button_row + 2, col["B"], REPAIR_NOTE, styles["note"])
    sheet.write(STATUS_ROW - 1, col["B"], "状态", styles["label"])
    sheet.write(STATUS_ROW - 1, col["C"], "尚未运行", styles["status"])
    sheet.write(RESULT_HEADER_ROW - 1, col["B"], "运行结果", styles["header"])
    sheet.write_blank(RESULT_HEADER_ROW - 1, col["C"], None, styles["header"])
    sheet.write_blank(RESULT_HEADER_ROW - 1, col["D"], None, styles["header"])


FINAL_ROW = BUTTON_ROW - 1  # 1-based, between the parameters and the button
NOT_FINAL = "未定稿"


def final_periods(root: Path) -> dict[str, str]:
    """``{period: "已定稿（第1版，2022-10-08 15:30）"}`` from the workspace's ledger, if it has one."""
    from wjexcel.workspace import Workspace
    from wjexcel.workspace.ledger import Ledger

    ws = Workspace(root)
    if not ws.ledger_path.is_file():
        return {}
    try:
        with Ledger.open(ws) as ledger:
            records = ledger.finals()
    except (WjexcelError, OSError):
        return {}
    return {r.period: f"已定稿（第{r.version}版，{r.made_at:%Y-%m-%d %H:%M}）" for r in records}


def final_formula(finals: dict[str, str], period_cell: str) -> str:
    """Excel formula: the 定稿 text of the period typed in ``period_cell``, from the list written in."""
    if not finals:
        return f'=IF({period_cell}="","","{NOT_FINAL}")'
    quoted = ";".join(f'"{p}","{t.replace(chr(34), chr(34) * 2)}"' for p, t in sorted(finals.items()))
    return f'=IF({period_cell}="","",IFERROR(VLOOKUP({period_cell},{{{quoted}}},2,FALSE),"{NOT_FINAL}"))'


def _final_row(sheet, styles: dict, finals: dict[str, str], period: str) -> None:
    """定稿情况 of the period on the sheet (worked out again when the clerk types another period)."""
    period_row = FIRST_PARAMETER_ROW + [k for k, _ in PARAMETERS].index("period")
    cell = f"{VALUE_COLUMN}{period_row}"
    row, col = FINAL_ROW - 1, ord(VALUE_COLUMN) - ord("A")
    sheet.write(row, col - 1, "定稿情况", styles["label"])
    sheet.write_formula(row, col, final_formula(finals, cell), styles["status"],
                        "" if not period else finals.get(period, NOT_FINAL))
    sheet.write(row, col + 1, "定稿后再汇总另存新表，附“更正说明”", styles["note"])


REPAIR_NOTE = ("按钮提示“Could not find Interpreter!”？说明 wjexcel 程序文件夹被移动或换了电脑：双击程序文件夹里的"
               "“新建工作区.bat”，把本工作区文件夹拖进窗口后按回车键即可修复。")


def interpreter_formula(relative: str) -> str:
    """Excel formula: this workbook's folder (from ``CELL("filename")``) joined to ``relative``.

    ``CELL("filename",A1)`` gives ``D:\\folder\\[控制台.xlsm]sheet``; everything before
    ``[控制台.xlsm]`` is the folder, with its trailing backslash. CELL is volatile, so Excel
    works it out again when the workbook is opened from a new place.
    """
    here = 'CELL("filename",$A$1)'
    name = f"[{WORKBOOK_NAME}]".replace('"', '""')
    return f'=LEFT({here},FIND("{name}",{here})-1)&"{relative.replace(chr(34), chr(34) * 2)}"'


def _conf_sheet(sheet, python: Interpreter) -> None:
    """xlwings' settings sheet: contiguous key/value rows from A1, read by the VBA.

    ``Interpreter_Win`` is a formula when the interpreter is found relative to the
    workspace (the VBA reads the cell's value); its cached value is the absolute path.
    """
    rows = [("Interpreter_Win", python.absolute)]
    if sys.platform == "darwin":
        rows.append(("Interpreter_Mac", python.absolute))
    extra = python_path_entry()
    if extra:
        rows.append(("PYTHONPATH", extra))
    for row, (key, value) in enumerate(rows):
        sheet.write_string(row, 0, key)
        if key == "Interpreter_Win" and python.relative:
            sheet.write_formula(row, 1, interpreter_formula(python.relative), None, value)
        else:
            sheet.write_string(row, 1, value)
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 60)
    sheet.set_paper(PAPER_A4)
    sheet.hide()

