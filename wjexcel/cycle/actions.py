"""The actions every front end runs, and the one way any of them turns an error into the clerk's message.

The control workbook's buttons (:mod:`wjexcel.excel.buttons`) and the double-click launchers
(:mod:`wjexcel.excel.launch`) do an action with :func:`perform`; they, the release's 新建工作区
(:mod:`wjexcel.excel.wizard`) and the command line (:mod:`wjexcel.cli`) run their work through
:func:`attempt` or, at the command line's entry point, :func:`clerk_message` and
:func:`record_error`. Whatever goes wrong reaches the clerk as Chinese, never as a traceback:

* a :class:`~wjexcel.errors.WjexcelError`: its own message;
* the disk or a folder refusing a read or a write (an :class:`OSError`, also one a library
  wrapped): which file or folder, and why (:func:`disk_message`);
* anything else: 程序内部出错, naming the debug log (:mod:`wjexcel.logs`) that holds the
  traceback; the traceback itself is only in the log.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, TypeVar

from wjexcel.errors import UsageError, WjexcelError

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Action:
    """One button: its key, its sheet (and caption) and the line that explains it."""

    key: str
    title: str
    explanation: str


ACTIONS = (
    Action("run", "一键汇总", "收集“收回”文件夹里的报表，检查、入账，并生成本期汇总表和进展情况报告（Word 公文草稿）。"),
    Action("generate", "生成填报表", "为每个区镇和责任单位生成本期填报表，放在“分发”文件夹。"),
    Action("status", "查看报送情况", "列出谁已报送、谁未报送、谁被退回，并给出可直接发送的催报通知。"),
    Action("drafts", "打开邮件草稿", "打开本期的邮件草稿文件夹：每个单位一封，已附好填报表，用 Outlook 打开即可发送。"),
)
ACTION_BY_KEY = {a.key: a for a in ACTIONS}

LAST_PERIOD_FILE = "last_period.txt"


def remember_period(root: Path, period: str) -> None:
    """Keep the period for the launchers, which offer it as the default next time."""
    from wjexcel.workspace import STATE

    try:
        # CRLF: the launchers read it back with cmd's ``set /p``
        (Path(root) / STATE / LAST_PERIOD_FILE).write_bytes(f"{period}\r\n".encode("ascii", "replace"))
    except OSError:
        pass  # only a convenience: the launcher then asks without a default


def last_period(root: Path) -> str:
    """The period last used in the workspace (by a button or a launcher), or ``""``."""
    from wjexcel.workspace import STATE

    try:
        return (Path(root) / STATE / LAST_PERIOD_FILE).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return ""


@dataclass
class Outcome:
    """What an action did: the lines to show, and the exit code a launcher returns.

    ``code`` is the command line's: 0 done; 1 done with problems in the inputs (a file
    returned, nothing yet to report); 2 never comes from a completed action.
    """

    lines: list[str] = field(default_factory=list)
    code: int = 0


def perform(action: Action, root: Path, period: str, *, paths=None, deadline: str = "",
            progress: Callable[..., None] | None = None, confirm: Callable[[str], bool] | None = None) -> Outcome:
    """Do ``action`` on the workspace at ``root`` for ``period`` through the library.

    This is the whole behaviour of a button or a launcher. ``paths`` (一键汇总 only) are
    collected instead of 收回; ``deadline`` is named in the 催报 text of 查看报送情况.
    ``confirm(question)`` asks the clerk yes or no; without it, forms generated before are
    never replaced. The period is remembered for the launchers once the action is done.
    """
    from wjexcel.periods import Period
    from wjexcel.plan.workbook import workspace_plan
    from wjexcel.workspace import Workspace

    ws = Workspace.open(root)
    period = Period.parse(period)
    lines = [f"工作区：{ws.root}", f"期间：{period.code}"]
    code = 0
    if action.key == "generate":
        from wjexcel.errors import FormsExistError
        from wjexcel.forms.outbox import generate_forms

        try:
            result = generate_forms(ws, period, progress=progress)
        except FormsExistError as exc:
            if confirm is None or not confirm(f"{exc}\n\n确定重新生成吗？"):
                return Outcome(lines + ["已取消，原有填报表保持不变。"])
            result = generate_forms(ws, period, force=True, progress=progress)
        lines += result.summary_text().splitlines()
    elif action.key == "drafts":
        from wjexcel.forms.outbox import open_drafts

        lines += open_drafts(ws, period).splitlines()
    elif action.key == "run":
        from wjexcel.cycle import run_cycle

        result = run_cycle(ws, period, list(paths) if paths else None, progress=progress)
        lines += result.summary_text().splitlines()
        code = 1 if result.collected.new_rejected or result.consolidated is None else 0
    else:
        from wjexcel.report.status import period_note, reporting_status, status_text

        plan = workspace_plan(ws)
        statuses = reporting_status(ws, period, plan)
        lines += status_text(plan, period, statuses, deadline, note=period_note(ws, period, statuses)).splitlines()
    remember_period(ws.root, period.code)
    return Outcome(lines, code)


# --- errors ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Failure:
    """Work that did not complete: the clerk's message and the exit code (2: wrong usage, else 1)."""

    message: str
    code: int = 1


def attempt(work: Callable[[], T], *, folder: Path | None = None) -> T | Failure:
    """``work()``, or the :class:`Failure` that tells the clerk why it did not complete.

    An unexpected error's traceback is recorded in the debug log (the workspace's when
    ``folder`` is one, see :func:`record_error`), and the message names that log.
    """
    try:
        return work()
    except KeyboardInterrupt:
        return Failure("已中断。")
    except Exception as exc:  # every failure reaches the clerk in Chinese
        recorded = None if isinstance(exc, WjexcelError) else record_error(exc, folder)
        return Failure(clerk_message(exc, recorded), 2 if isinstance(exc, UsageError) else 1)


INTERNAL = "程序内部出错，本次操作没有完成。"


def clerk_message(exc: BaseException, log_file: Path | None = None, *, hint: str = "") -> str:
    """The Chinese message for ``exc``: the error's own, the disk's, or 程序内部出错 naming ``log_file``.

    ``hint`` follows the request to send the log (the command line names ``--debug``).
    """
    if isinstance(exc, WjexcelError):
        return str(exc)
    disk = disk_message(exc)
    if disk:
        return disk
    if log_file:
        return f"{INTERNAL}详细情况已记入调试日志“{log_file}”，请把它发给维护人员{hint}。"
    return f"{INTERNAL}请联系维护人员{hint}。"


def disk_message(exc: BaseException) -> str | None:
    """What the disk or a folder refused, for an :class:`OSError` (or one wrapped inside ``exc``); else None."""
    from wjexcel.errors import disk_refusal_in, os_reason, write_refused

    error = exc if isinstance(exc, OSError) else disk_refusal_in(exc)
    if error is None:
        return None
    refused = write_refused(error)
    if refused:  # a folder that cannot be written (read-only, no permission, disk full)
        return refused
    if error.filename:
        return (f"无法读写“{os.fsdecode(error.filename)}”（{os_reason(error)}），本次操作没有完成。"
                "请检查这个文件和它所在的文件夹后再运行一次。")
    return f"读写文件时出错（{os_reason(error)}），本次操作没有完成。请检查磁盘和工作区文件夹后再运行一次。"


def record_error(exc: BaseException, folder: Path | None = None, *, doing: str = "") -> Path | None:
    """Record ``exc`` with its traceback in the debug log of :mod:`wjexcel.logs` and return that file;
    ``doing`` says what was being done (the command line's arguments).

    The log is the workspace's when ``folder`` is one, else the log already in use (the
    command line's), else the one in the temporary folder; None when none could be written.
    A state folder is never created for it.
    """
    from wjexcel import logs
    from wjexcel.workspace import STATE

    state = Path(folder) / STATE if folder is not None else None
    bases = [state / logs.LOG_FOLDER] if state is not None and state.is_dir() else []
    if not bases and logs.log_path() is not None:
        bases = [None]  # the log the command line set up
    for base in (*bases, logs.temp_folder()):
        if base is not None:
            logs.use_folder(base)
        log.error("%s did not complete: %r", doing or "wjexcel", exc, exc_info=exc)
        path = logs.log_path()
        if path is not None and path.is_file():
            return path
    return None


def force_utf8() -> None:
    """Chinese output on a Windows console (cp936) or a pipe must not crash."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(encoding="utf-8", errors="replace")
            except (ValueError, OSError):
                pass
