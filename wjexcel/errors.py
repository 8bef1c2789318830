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


def os_reason(exc: OSError) -> str:
    """Why the system refused a file, in Chinese (the English system text goes to the log)."""
    winerror = getattr(exc, "winerror", None)
    reason = _WINDOWS_REASONS.get(winerror) or _OS_REASONS.get(exc.errno)
    return reason or f"系统拒绝读写（错误代码 {exc.errno or winerror}）"
