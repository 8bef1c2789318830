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
the values; the other sheets show them by formula, so one edit serves all three buttons,
yet a clerk may overwrite a cell on one sheet. The hidden ``xlwings.conf`` sheet points
``Interpreter_Win`` at the Python that wrote the workbook. The workbook must keep its name:
the VBA imports the module named after it.

The launchers do the same three actions for WPS users (xlwings does not support WPS): they
ask for the period, offering the last one used (kept in the state folder), and run
``python -m wjexcel``. They are UTF-8 without BOM (cmd would run the BOM as part of the
first command) with ``chcp 65001`` on the second line, before any Chinese byte.
"""

from __future__ import annotations

import importlib.util
import io
import site
import sys
import zipfile
from pathlib import Path

from wjexcel.excel import buttons as eb
from wjexcel.atomic import write_bytes
from wjexcel.errors import EnvironmentProblem, WjexcelError, WorkspaceError
from wjexcel.textmeasure import fit_width

WORKBOOK_NAME = "控制台.xlsm"
BUTTON_MODULE = Path(WORKBOOK_NAME).stem
BUTTON_MACRO = "SampleCall"
CONF_SHEET = "xlwings.conf"

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
    """Write 控制台.xlsm, 控制台.py and the three launchers into the workspace ``root``.

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
    python = python_exe or sys.executable
    period = period or last_period(root)
    if period:
        eb.remember_period(root, period)
    written = [_write_workbook(root / WORKBOOK_NAME, _plan_label(root), period, python)]
    written.append(_write_text(root / f"{BUTTON_MODULE}.py", BUTTON_MODULE_TEXT, "\n"))
    for action in eb.ACTIONS:
        text = launcher_text(action, python)
        written.append(_write_text(root / f"{action.title}.bat", text, "\r\n"))
    return written


def last_period(root: Path) -> str:
    """The period last used in the workspace (by a button or a launcher), or ``""``."""
    from wjexcel.workspace import STATE

    try:
        return (Path(root) / STATE / eb.LAST_PERIOD_FILE).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return ""


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


def python_path_entry() -> str:
    """The folder to add to PYTHONPATH when wjexcel runs from a source tree, else ``""``."""
    parent = Path(__file__).resolve().parents[2]
    installed = {Path(p).resolve() for p in [*site.getsitepackages(), site.getusersitepackages()]}
    return "" if parent in installed else str(parent)


def launcher_text(action: eb.Action, python: str) -> str:
    """The .bat for ``action`` (an action's key is its CLI command; LF here, written as CRLF)."""
    command = action.key
    paths = " %*" if action.key == "run" else ""
    python = python.replace("%", "%%")
    return f"""@echo off
chcp 65001 >nul
setlocal EnableExtensions DisableDelayedExpansion
cd /d "%~dp0"
title {action.title}
set "PY={python}"
if not exist "%PY%" set "PY=py"
"%PY%" -c "import wjexcel" >nul 2>nul
if errorlevel 1 goto no_python
echo 【{action.title}】{action.explanation}
set "PERIOD="
if exist ".wjexcel\\{eb.LAST_PERIOD_FILE}" set /p PERIOD=<".wjexcel\\{eb.LAST_PERIOD_FILE}"
echo 请输入期间，例如 2022（全年）、2022Q3（第三季度）、2022-09（9月）。
if defined PERIOD echo 直接按回车键，使用上次的期间 %PERIOD%
set "ANSWER="
set /p "ANSWER=期间："
if defined ANSWER set "PERIOD=%ANSWER%"
if not defined PERIOD goto no_period
echo.
"%PY%" -m wjexcel {command} --period "%PERIOD%" -w "%~dp0."{paths}
set "RC=%ERRORLEVEL%"
if "%RC%"=="0" call :remember
if "%RC%"=="1" call :remember
echo.
if not "%RC%"=="0" echo 请看上面的说明。
pause
exit /b %RC%

:remember
> ".wjexcel\\{eb.LAST_PERIOD_FILE}" echo %PERIOD%
exit /b 0

:no_period
echo 没有输入期间，操作取消。
pause
exit /b 2

:no_python
echo 没有找到 Python 或 wjexcel，无法运行。
echo 本文件记录的 Python 是：{python}
echo 请按《使用手册》安装 Python 和 wjexcel，然后在工作区运行 wjexcel console 重新生成这些文件。
pause
exit /b 1
"""


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


def _write_workbook(path: Path, plan: str, period: str, python: str) -> Path:
    """Build the workbook in memory, then replace the file (it may be open in Excel)."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.add_vba_project(io.BytesIO(standalone_vba_project()), is_stream=True)
    book.set_properties({"title": "wjexcel 控制台", "comments": "由 wjexcel console 生成"})
    styles = _styles(book)
    values = {"plan": plan, "period": period, "deadline": "", "workspace": ""}
    first = eb.ACTIONS[0].title
    for index, action in enumerate(eb.ACTIONS):
        _action_sheet(book.add_worksheet(action.title), action, styles, values,
                      None if index == 0 else first)
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


def _action_sheet(sheet, action: eb.Action, styles: dict, values: dict, source: str | None) -> None:
    """One action's sheet: title, parameter block, its button, status and result area."""
    col = {c: ord(c) - ord("A") for c in (eb.LABEL_COLUMN, eb.VALUE_COLUMN, eb.NOTE_COLUMN)}
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
    for offset, (key, label) in enumerate(eb.PARAMETERS):
        row = eb.FIRST_PARAMETER_ROW - 1 + offset
        sheet.set_row(row, 20)
        sheet.write(row, col["B"], label, styles["label"])
        cell_format = {"plan": "edit_fit", "period": "edit_text", "deadline": "edit_date"}.get(key, "edit")
        if source is None:
            sheet.write_string(row, col["C"], values[key], styles[cell_format])
            note = NOTES[key]
        else:
            ref = f"'{source}'!{eb.VALUE_COLUMN}{row + 1}"
            sheet.write_formula(row, col["C"], f'=IF({ref}="","",{ref})', styles[cell_format], values[key])
            note = f"默认与“{source}”页相同，可在此改写"
        sheet.write(row, col["D"], note, styles["note"])
    if source is None:
        sheet.data_validation(eb.FIRST_PARAMETER_ROW, col["C"], eb.FIRST_PARAMETER_ROW, col["C"], {
            "validate": "any", "input_title": "期间", "input_message": NOTES["period"]})
    button_row = eb.BUTTON_ROW - 1
    sheet.set_row(button_row, 40)
    sheet.insert_button(button_row, col["B"], {
        "macro": BUTTON_MACRO, "caption": action.title, "width": 250, "height": 46,
        "x_offset": 2, "y_offset": 4, "description": action.explanation})
    sheet.write(button_row, col["D"], "点击左侧按钮开始；运行期间请勿关闭本文件。", styles["note"])
    sheet.write(button_row + 1, col["B"],
                "用 WPS 或按钮没反应？请双击工作区里的同名 .bat 文件（一键汇总.bat 等），效果相同。",
                styles["note"])
    sheet.write(eb.STATUS_ROW - 1, col["B"], "状态", styles["label"])
    sheet.write(eb.STATUS_ROW - 1, col["C"], "尚未运行", styles["status"])
    sheet.write(eb.RESULT_HEADER_ROW - 1, col["B"], "运行结果", styles["header"])
    sheet.write_blank(eb.RESULT_HEADER_ROW - 1, col["C"], None, styles["header"])
    sheet.write_blank(eb.RESULT_HEADER_ROW - 1, col["D"], None, styles["header"])


def _conf_sheet(sheet, python: str) -> None:
    """xlwings' settings sheet: contiguous key/value rows from A1, read by the VBA."""
    rows = [("Interpreter_Win", python)]
    if sys.platform == "darwin":
        rows.append(("Interpreter_Mac", python))
    extra = python_path_entry()
    if extra:
        rows.append(("PYTHONPATH", extra))
    for row, (key, value) in enumerate(rows):
        sheet.write_string(row, 0, key)
        sheet.write_string(row, 1, value)
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 60)
    sheet.set_paper(PAPER_A4)
    sheet.hide()

