"""What 新建工作区.bat of the Windows release runs: ask where, then create or repair a workspace.

A clerk double-clicks 新建工作区.bat, presses Enter for the suggested folder (``工作区``
inside the release folder) or drags a folder into the window, and gets a workspace with
its control workbook and launchers. Given a folder that already is a workspace (or lies
inside one), the same steps repair it: the plan, the key and every received file stay as
they are, and the control workbook and launchers are written again for the Python that
runs now. That is the repair a launcher asks for after the release folder has moved.

Run as ``python -m wjexcel.excel.wizard [FOLDER]``; a folder dropped on the .bat arrives
as FOLDER. This is the double-click counterpart of ``wjexcel init``, not a CLI command.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from wjexcel.cycle.actions import Failure, attempt, force_utf8
from wjexcel.errors import WorkspaceError

DEFAULT_NAME = "工作区"


@dataclass(frozen=True)
class Prepared:
    """A workspace made ready: its folder, whether it existed, the console files written."""

    root: Path
    repaired: bool
    written: list[Path]

    def summary_text(self) -> str:
        if self.repaired:
            head = [f"已修复工作区：{self.root}",
                    "控制台和双击启动文件已按本程序的位置重新生成；计划、填报表、收到的文件和汇总表都没有改动。"]
        else:
            head = [f"已新建工作区：{self.root}"]
        return "\n".join(head + [
            "",
            "接下来：",
            "  1. 打开这个文件夹。",
            "  2. 用 Excel：双击“控制台.xlsm”，点按钮操作（第一次打开如有安全警告，请按《使用说明》启用宏）。",
            "     用 WPS 或按钮用不了：双击“生成填报表.bat”“一键汇总.bat”“查看报送情况.bat”。",
            "  3. 计划.xlsx 是本工作区的计划，可以在 Excel 中修改。",
        ])


def folder_from_answer(answer: str, default: Path) -> Path:
    """The folder the clerk typed or dragged in (quotes and blanks removed); empty: ``default``."""
    text = answer.strip().strip('"').strip()
    return Path(text) if text else default


def workspace_folder(path: Path) -> tuple[Path, bool]:
    """Where the workspace goes for ``path``, and whether one is already there.

    A workspace (or a folder inside one) is repaired in place; a missing or empty folder
    becomes the workspace; any other folder (the desktop, 我的文档) gets a ``工作区``
    folder inside it rather than the workspace's files strewn among its own.
    """
    from wjexcel.workspace import Workspace

    path = Path(path).resolve()
    if path.exists() and not path.is_dir():
        raise WorkspaceError(f"“{path}”是一个文件，不是文件夹。请换一个文件夹。")
    try:
        return Workspace.open(path).root, True
    except WorkspaceError:
        pass
    if not path.exists() or not any(path.iterdir()):
        return path, False
    inner = path / DEFAULT_NAME
    try:
        return Workspace.open(inner).root, True
    except WorkspaceError:
        pass
    if inner.exists() and (not inner.is_dir() or any(inner.iterdir())):
        raise WorkspaceError(
            f"“{path}”里已有一个不是工作区的“{DEFAULT_NAME}”，为免弄乱其中的文件，没有在这里新建。"
            "请换一个空文件夹，或输入一个新文件夹的名字。"
        )
    return inner, False


def prepare_workspace(path: Path, python_exe: str | None = None) -> Prepared:
    """Create or repair the workspace for ``path`` (see :func:`workspace_folder`)."""
    from wjexcel.cycle import new_workspace

    root, existed = workspace_folder(path)
    made = new_workspace(root, python_exe=python_exe)  # completes an existing one, never overwrites
    if made.console_problem:  # the console and launchers are what this is for
        raise WorkspaceError(f"工作区“{made.ws.root}”已就绪，但控制台和双击启动文件没有写出：{made.console_problem}")
    return Prepared(made.ws.root, existed, made.console)


def run(argv: list[str], ask: Callable[[str], str], say: Callable[[str], None], home: Path) -> int:
    """The dialogue: returns the exit code. ``home`` is the release folder (the default's parent)."""
    default = home / DEFAULT_NAME
    if argv:
        answer = " ".join(argv)
    else:
        say("新建 wjexcel 工作区（也可以修复已有的工作区）。")
        say("工作区是存放计划、填报表、收回文件和汇总表的文件夹。")
        say(f"直接按回车键：使用 {default}")
        say("或者：把一个文件夹拖进本窗口（或输入它的位置），再按回车键。")
        try:
            answer = ask("工作区文件夹：")
        except EOFError:
            answer = ""
    folder = folder_from_answer(answer, default)
    prepared = attempt(lambda: prepare_workspace(folder), folder=folder)
    if isinstance(prepared, Failure):
        say(f"错误：{prepared.message}")
        return 1
    say("")
    say(prepared.summary_text())
    if sys.platform == "win32" and sys.stdout is not None and sys.stdout.isatty():
        try:  # a clerk at a console window: show the folder; scripts and pipes get no window
            os.startfile(prepared.root)  # noqa: S606 - the clerk's own folder
        except OSError:
            pass
    return 0


def main(argv: list[str] | None = None) -> None:
    from wjexcel import logs

    force_utf8()
    logs.configure()
    home = Path.cwd()
    try:
        code = run(sys.argv[1:] if argv is None else argv, input, print, home)
    except KeyboardInterrupt:
        print("已中断。")
        code = 1
    sys.exit(code)


if __name__ == "__main__":
    main()
