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

The launchers do the same actions for WPS users (xlwings does not support WPS): they
find Python and run :mod:`wjexcel.excel.launch`, which asks for the period, offering the
last one used (kept in the state folder), and runs the command. They are UTF-8 without
BOM (cmd would run the BOM as part of the first command) with ``chcp 65001`` on the
second line, before any Chinese byte. Their commands are ASCII: Chinese appears only in
what they print, and every Chinese path comes from ``%~dp0`` (the launcher's own folder,
which Windows supplies), so no command depends on how cmd decodes the file (Wine's cmd,
for one, decodes it in the ANSI code page whatever ``chcp`` says).

Where the interpreter is found (a workspace must survive a moved folder or a new USB drive
letter): the Windows release ships a portable Python (recognised by the ``._pth`` file
beside ``python.exe``) that moves with its folder. When the workspace sits on the same
drive as such an interpreter, the launchers and the workbook find it **relative to the
workspace** (``%~dp0..\\python\\python.exe``; in the workbook a formula that joins the
workbook's own folder to that relative path), so moving the release folder with the
workspace inside it, or plugging the USB drive in under another letter, changes nothing.
The launchers then try the absolute path recorded when they were written, then ``py``.
An installed Python (or one on another drive) is recorded by its absolute path, as it
stays where it was installed. When nothing is found, the launcher says in Chinese what to
do: double-click 新建工作区.bat of the release and give it this workspace, which rewrites
these files for the interpreter at hand (``wjexcel init`` on an existing workspace, or
``wjexcel console``, does the same).
"""

from __future__ import annotations

import importlib.util
import io
import logging
import os
import site
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from wjexcel.excel import buttons as eb
from wjexcel.atomic import write_bytes
from wjexcel.errors import EnvironmentProblem, WjexcelError, WorkspaceError
from wjexcel.textmeasure import fit_width

log = logging.getLogger(__name__)

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
        eb.remember_period(root, period)
    written = [_write_workbook(root / WORKBOOK_NAME, _plan_label(root), period, python)]
    written.append(_write_text(root / f"{BUTTON_MODULE}.py", BUTTON_MODULE_TEXT, "\n"))
    for action in eb.ACTIONS:
        text = launcher_text(action, python)
        written.append(_write_text(root / f"{action.title}.bat", text, "\r\n"))
    written.append(_write_text(root / RESTORE_LAUNCHER, restore_launcher_text(python), "\r\n"))
    return written


@dataclass(frozen=True)
class Interpreter:
    """Where a workspace's launchers and buttons find Python.

    Attributes:
        absolute: the interpreter's full path when the files were written.
        relative: the same file relative to the workspace folder, with backslashes
            (``..\\python\\python.exe``), or ``None``: used first when set.
    """

    absolute: str
    relative: str | None = None


def interpreter_for(root: Path, python: str) -> Interpreter:
    """The rule: a portable interpreter on the workspace's drive is found relative to it.

    Portable means the Windows release's embedded Python, recognised by a ``._pth`` file
    beside it; it moves with its folder. An installed Python stays where it is, so its
    absolute path is the better record. See the module docstring.
    """
    python = str(python)
    if not is_portable(python):
        return Interpreter(python)
    python = os.path.abspath(python)
    try:
        relative = os.path.relpath(python, os.path.abspath(root))
    except ValueError:  # another drive: no relative path exists
        return Interpreter(python)
    return Interpreter(python, relative.replace(os.sep, "\\"))


def is_portable(python: str) -> bool:
    """True for an embedded (portable) Python: a ``python*._pth`` file sits beside it."""
    folder = Path(python).parent
    try:
        return any(folder.glob("python*._pth"))
    except OSError:
        return False


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


def launcher_text(action: eb.Action, python: Interpreter) -> str:
    """The .bat for ``action`` (an action's key is its CLI command; LF here, written as CRLF).

    The batch only finds Python; :mod:`wjexcel.excel.launch` asks for the period (Enter
    alone keeps the last one) and runs the command.
    """
    paths = " %*" if action.key == "run" else ""
    return _batch(action.title, python, f'"%PY%" -m {LAUNCH_MODULE} {action.key} "%~dp0."{paths}')


RESTORE_LAUNCHER = "恢复台账.bat"


def restore_launcher_text(python: Interpreter) -> str:
    """The .bat that puts the ledger's newest good backup back (``wjexcel restore``, which asks first)."""
    return _batch("恢复台账", python, "echo 用最近一份完好的自动备份恢复工作区台账（台账丢失、变成空文件或损坏时使用）。\n"
                                     '"%PY%" -m wjexcel restore -w "%~dp0."')


def _batch(title: str, python: Interpreter, run: str) -> str:
    """A launcher: find Python, check wjexcel imports, ``run``, keep the window open on the result."""
    return f"""@echo off
chcp 65001 >nul
setlocal EnableExtensions DisableDelayedExpansion
cd /d "%~dp0"
title {title}
{_find_python(python)}
"%PY%" -c "import {LAUNCH_MODULE}" >nul 2>nul
if errorlevel 1 goto no_python
{run}
set "RC=%ERRORLEVEL%"
echo.
if not "%RC%"=="0" echo 请看上面的说明。
pause
exit /b %RC%

:no_python
{NO_PYTHON_TEXT.format(python=_echo_text(python.absolute))}
pause
exit /b 1
"""


LAUNCH_MODULE = "wjexcel.excel.launch"
NO_PYTHON_TEXT = """echo 找不到运行 wjexcel 所需的 Python，无法运行。
echo 本工作区上次使用的 Python 是：{python}
echo 修复方法（wjexcel 程序文件夹被移动、换了 U 盘盘符或换了电脑时）：
echo   双击 wjexcel 程序文件夹里的“新建工作区.bat”，把本工作区文件夹拖进窗口后按回车键。
echo   工作区里的计划、填报表和汇总表都不会改动。
echo 用 pip 安装 wjexcel 的电脑：在本工作区的命令窗口里运行 wjexcel console。"""


def _find_python(python: Interpreter) -> str:
    """The lines that set ``PY``: relative to the workspace first, then absolute, then ``py``."""
    lines = []
    if python.relative:
        lines.append(f'set "PY=%~dp0{_set_text(python.relative)}"')
        lines.append(f'if not exist "%PY%" set "PY={_set_text(python.absolute)}"')
    else:
        lines.append(f'set "PY={_set_text(python.absolute)}"')
    lines.append('if not exist "%PY%" set "PY=py"')
    return "\n".join(lines)


def _set_text(text: str) -> str:
    """``text`` inside ``set "NAME=..."``: only ``%`` needs doubling between the quotes."""
    return text.replace("%", "%%")


def _echo_text(text: str) -> str:
    """``text`` as the argument of a plain ``echo``: escape cmd's special characters."""
    text = text.replace("%", "%%").replace("^", "^^")
    for char in "&|<>()":
        text = text.replace(char, "^" + char)
    return text


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
            shown = book.worksheets[0][f"{eb.VALUE_COLUMN}{eb.FIRST_PARAMETER_ROW}"].value
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
    first = eb.ACTIONS[0].title
    finals = final_periods(path.parent)
    for index, action in enumerate(eb.ACTIONS):
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
    sheet.write(button_row + 2, col["B"], REPAIR_NOTE, styles["note"])
    sheet.write(eb.STATUS_ROW - 1, col["B"], "状态", styles["label"])
    sheet.write(eb.STATUS_ROW - 1, col["C"], "尚未运行", styles["status"])
    sheet.write(eb.RESULT_HEADER_ROW - 1, col["B"], "运行结果", styles["header"])
    sheet.write_blank(eb.RESULT_HEADER_ROW - 1, col["C"], None, styles["header"])
    sheet.write_blank(eb.RESULT_HEADER_ROW - 1, col["D"], None, styles["header"])


FINAL_ROW = eb.BUTTON_ROW - 1  # 1-based, between the parameters and the button
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
    period_row = eb.FIRST_PARAMETER_ROW + [k for k, _ in eb.PARAMETERS].index("period")
    cell = f"{eb.VALUE_COLUMN}{period_row}"
    row, col = FINAL_ROW - 1, ord(eb.VALUE_COLUMN) - ord("A")
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

