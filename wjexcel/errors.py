"""The one exception hierarchy of wjexcel.

Every message is Chinese and says what is wrong, where, and what to do; the CLI shows it
as one line, the Excel buttons as a message box.
"""

import errno


class WjexcelError(Exception):
    """Base of every error a clerk may see."""


class UsageError(WjexcelError):
    """A command was called with a wrong argument (exit code 2)."""


class PeriodError(UsageError):
    """A period string is not 2022, 2022Q3 or 2022-09, or lies outside the plan."""


class WorkspaceError(WjexcelError):
    """The workspace is missing, incomplete or cannot be written."""


class PlanError(WjexcelError):
    """The plan workbook cannot be loaded; ``issues`` lists every located problem."""

    def __init__(self, message, issues=()):
        super().__init__(message)
        self.issues = list(issues)


class FormError(WjexcelError):
    """A returned file cannot be read as a form at all; ``code`` is its :class:`~wjexcel.problems.Code`."""

    def __init__(self, message, code: str = "file.unreadable"):
        super().__init__(message)
        self.code = code


class OutputLockedError(WjexcelError):
    """An output file is open in Excel/WPS and cannot be replaced."""


class AlreadyFinalError(WjexcelError):
    """A period is 定稿 and its figures have not changed since: a second 定稿 would repeat it."""


class EnvironmentProblem(WjexcelError):
    """The installation is unsafe or incomplete (e.g. defusedxml missing)."""


class NothingToReport(WjexcelError):
    """Nothing has come in for the period (no form generated or none received): no report is written."""


class FormsExistError(WjexcelError):
    """Forms for this period were generated before; replacing them needs confirmation."""


_OS_REASONS = {
    errno.EACCES: "没有读取权限",
    errno.EPERM: "没有读取权限",
    errno.ENOENT: "文件已不存在（可能刚被移走或改名）",
    errno.EISDIR: "这是文件夹，不是文件",
    errno.ENAMETOOLONG: "文件名或路径太长",
    errno.EBUSY: "文件正被其他程序占用",
    errno.EIO: "磁盘读写出错",
    errno.ENOSPC: "磁盘空间不足",
}
_WINDOWS_REASONS = {32: "文件正被其他程序占用", 33: "文件正被其他程序锁定"}


_WRITE_REASONS = {errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限", errno.EROFS: "磁盘或文件夹是只读的"}
_WRITE_ERRORS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC})


def os_reason(exc: OSError, writing: bool = False) -> str:
    """Why the system refused a file, in Chinese (the English system text goes to the log).

    ``writing``: the refused operation wrote (a permission problem is then 没有写入权限).
    """
    winerror = getattr(exc, "winerror", None)
    reason = _WINDOWS_REASONS.get(winerror) or (writing and _WRITE_REASONS.get(exc.errno)) \
        or _OS_REASONS.get(exc.errno)
    return reason or f"系统拒绝读写（错误代码 {exc.errno or winerror}）"


def write_refused(exc: OSError) -> str | None:
    """``无法写入“folder”（没有写入权限）…`` for a write the system refused, else None.

    The folder is the one that could not be written: the named path's own folder when the
    path is a file or does not exist yet (a file or folder being created).
    """
    import os

    if exc.errno not in _WRITE_ERRORS or not exc.filename:
        return None
    path = os.fsdecode(exc.filename)
    folder = path if os.path.isdir(path) else os.path.dirname(path) or path
    todo = ("请腾出磁盘空间" if exc.errno == errno.ENOSPC else "请检查该文件夹是否只读、是否有写入权限，改好") + "后再运行一次。"
    return f"无法写入“{folder}”（{os_reason(exc, writing=True)}）。{todo}"
