"""The double-click launchers (.bat) of a workspace, and where they and the buttons find Python.

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

import os
import site
from dataclasses import dataclass
from pathlib import Path

from wjexcel.cycle.actions import Action


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

def python_path_entry() -> str:
    """The folder to add to PYTHONPATH when wjexcel runs from a source tree, else ``""``."""
    parent = Path(__file__).resolve().parents[2]
    installed = {Path(p).resolve() for p in [*site.getsitepackages(), site.getusersitepackages()]}
    return "" if parent in installed else str(parent)


def launcher_text(action: Action, python: Interpreter) -> str:
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
