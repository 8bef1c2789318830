"""The one exception hierarchy of wjexcel.

Every message is Chinese and says what is wrong, where, and what to do; the CLI shows it
as one line, the Excel buttons as a message box.
"""

import errno

from wjexcel.problems import Code


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

    def __init__(self, message, code: Code = Code.FILE_UNREADABLE):
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


class DiskProblem(WorkspaceError):
    """The clerk's own disk or folder refused a write (full, read-only, no permission): the
    run's error, never a returned file's. ``folder`` names where (relative to the workspace
    where it lies inside it)."""

    def __init__(self, message, folder: str = ""):
        super().__init__(message)
        self.folder = folder


_OS_REASONS = {
    errno.EACCES: "没有读取权限",
    errno.EPERM: "没有读取权限",
    errno.ENOENT: "文件已不存在（可能刚被移走或改名）",
    errno.EISDIR: "这是文件夹，不是文件",
    errno.ENAMETOOLONG: "文件名或路径太长",
    errno.EBUSY: "文件正被其他程序占用",
    errno.EIO: "磁盘读写出错",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "磁盘或文件夹是只读的",
    errno.EDQUOT: "磁盘配额已用完",
    errno.EFBIG: "文件超过了磁盘允许的大小",
}
_WRITE_REASONS = {errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限"}
_WINDOWS_REASONS = {32: "文件正被其他程序占用", 33: "文件正被其他程序锁定", 112: "磁盘空间不足", 19: "磁盘是写保护的",
                    5: "没有权限"}
_WINDOWS_WRITE_REASONS = {5: "没有写入权限"}

OWN_DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT, errno.EFBIG})
"""A write refused for one of these is the clerk's disk or folder, not anything a town sent."""


_WRITE_ERRORS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC})


def os_reason(exc: OSError, *, writing: bool = False) -> str:
    """Why the system refused a file, in Chinese (the English system text goes to the log).

    ``writing``: the refusal came while writing (no permission is then 没有写入权限)."""
    winerror = getattr(exc, "winerror", None)
    reason = ((_WINDOWS_WRITE_REASONS.get(winerror) or _WRITE_REASONS.get(exc.errno) if writing else None)
              or _WINDOWS_REASONS.get(winerror) or _OS_REASONS.get(exc.errno))
    if reason:
        return reason
    code = exc.errno or winerror
    return f"系统拒绝{'写入' if writing else '读写'}（错误代码 {code}）" if code else "系统拒绝读写"


def cannot_write(folder, exc: OSError) -> str:
    """The one sentence for a write the system refused: 无法写入“汇总/退回/2022Q3”：磁盘空间不足."""
    return f"无法写入“{folder}”：{os_reason(exc, writing=True)}"


def own_disk_error(exc: BaseException) -> bool:
    """True when ``exc`` is the disk or folder refusing a write (full, read-only, no permission)."""
    return isinstance(exc, OSError) and (exc.errno in OWN_DISK_ERRNOS
                                         or getattr(exc, "winerror", None) in (5, 19, 112))


def disk_refusal_in(exc: BaseException) -> OSError | None:
    """The disk's refusal (:func:`own_disk_error`) inside ``exc``, also where a library wrapped it
    (XlsxWriter's ``FileCreateError(OSError)``, an exception raised while handling it), or None."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if own_disk_error(current):
            return current
        todo.extend(a for a in getattr(current, "args", ()) if isinstance(a, BaseException))
        todo.extend((current.__cause__, current.__context__))
    return None


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
