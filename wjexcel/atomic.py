"""Write a file so that a failure never destroys the one already there, and say so when it is open.

openpyxl and XlsxWriter truncate their target before writing: a crash or a full disk
half-way would leave a broken workbook where a good one was. Every output of wjexcel
is written to a temporary file in the same folder, re-opened to verify it, given
ordinary permissions and only then moved over the old one.

On Windows a workbook open in Excel or WPS cannot be replaced (``PermissionError``).
Every writer (forms, plan, report, console, 退回 copies) goes through :func:`replace_file`,
so the clerk always gets the same Chinese message naming the file to close.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path
from typing import Callable

import sys
import time

from wjexcel.errors import DiskProblem, OutputLockedError, WjexcelError, cannot_write, disk_refusal_in

TEMP_PREFIX = ".~wjx_"
"""The temporary file beside a target while it is written (hidden on Windows too)."""
LEFTOVER_SECONDS = 600.0
"""A temporary file this old was left by a run that died (writers hold the workspace lock)."""


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def is_locked(target: Path) -> bool:
    """True when ``target`` exists and cannot be replaced now: open in Excel/WPS (their owner
    file ``~$name`` — for a long name ``~$`` replaces its first two characters — or
    LibreOffice's ``.~lock.name#`` exists), or opening it for writing is refused."""
    target = Path(target)
    if not target.exists():
        return False
    name, folder = target.name, target.parent
    owners = (f"~${name}", f"~${name[2:]}", f".~lock.{name}#")
    if any((folder / owner).exists() for owner in owners):
        return True
    try:
        with open(target, "r+b"):
            return False
    except PermissionError:
        return True


def locked_error(target: Path) -> OutputLockedError:
    """The one message for a file that cannot be written: open in Excel/WPS, or a folder without rights."""
    target = Path(target)
    if is_locked(target):
        error = OutputLockedError(f"“{target.name}”正在 Excel 或 WPS 中打开，无法写入。请先关闭它，再重试。")
    else:
        error = OutputLockedError(f"无法写入“{target}”：文件或文件夹没有写入权限（或正被其他程序占用）。"
                                  "请检查后重试。")
    error.path = target
    return error


def replace_file(target, build: Callable[[Path], None], verify: Callable[[Path], None] | None = None) -> Path:
    """Build ``target`` via ``build(tmp_path)``, ``verify(tmp_path)``, then move it into place.

    The temporary file is always removed and the old target is untouched unless the move
    succeeded. Exceptions from ``build``/``verify`` propagate.

    Raises:
        OutputLockedError: The target is open in Excel/WPS, or its folder cannot be written.
    """
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if is_locked(target):
        raise locked_error(target)
    remove_leftovers(folder)
    try:
        fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=target.suffix, dir=folder)
    except PermissionError as exc:
        raise locked_error(target) from exc
    except OSError as exc:
        raise disk_problem(folder, exc) from exc
    os.close(fd)
    tmp = Path(name)
    _hide(tmp)
    try:
        build(tmp)
        if verify is not None:
            verify(tmp)
        os.chmod(tmp, _umask_mode())  # mkstemp makes 0600; outputs are ordinary files
        fsync_file(tmp)
        _hide(tmp, False)  # the output itself is an ordinary, visible file
        try:
            os.replace(tmp, target)
        except PermissionError as exc:
            raise locked_error(target) from exc
        fsync_folder(folder)
    except (OutputLockedError, DiskProblem):
        raise
    except Exception as exc:
        refused = disk_refusal_in(exc)  # XlsxWriter wraps it in its FileCreateError
        if refused is not None and not isinstance(refused, PermissionError):
            raise disk_problem(folder, refused) from exc
        raise
    finally:
        tmp.unlink(missing_ok=True)
    return target


def disk_problem(folder, exc: OSError) -> DiskProblem:
    """The clerk's disk refused a write into ``folder``: said in Chinese, naming the folder."""
    return DiskProblem(cannot_write(folder, exc) + "。请清理磁盘空间或检查该文件夹的权限后再试。", str(folder))


def fsync_file(path: Path) -> None:
    """Make ``path``'s bytes durable before it is renamed into place (a crash then leaves the
    old file or the new one, never an empty one)."""
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; Windows has no directory handles to flush)."""
    if os.name == "nt":  # pragma: no cover - Windows
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_leftovers(folder: Path, pattern: str = f"{TEMP_PREFIX}*") -> list[Path]:
    """Remove the temporary files (named like ``pattern``) a run that died left in ``folder``
    (older than :data:`LEFTOVER_SECONDS`); return them."""
    gone = []
    now = time.time()
    try:
        leftovers = list(Path(folder).glob(pattern))
    except OSError:
        return gone
    for path in leftovers:
        try:
            if path.is_file() and now - path.stat().st_mtime > LEFTOVER_SECONDS:
                path.unlink()
                gone.append(path)
        except OSError:
            continue
    return gone


def _hide(path: Path, hidden: bool = True) -> None:
    """Set (or clear) the Windows hidden attribute of a temporary file (a dot-name hides it elsewhere)."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import ctypes

        ctypes.windll.kernel32.SetFileAttributesW(str(path), 0x02 if hidden else 0x80)


def write_bytes(target, data: bytes, verify: Callable[[Path], None] | None = None) -> Path:
    """:func:`replace_file` for bytes already in memory."""
    return replace_file(target, lambda tmp: tmp.write_bytes(data), verify)


def verify_zip(path: Path, name: str = "") -> None:
    """Raise unless the zip (a workbook is one) at ``path`` reads back whole; ``name``: the file the clerk knows.

    Raises:
        WjexcelError: a member is damaged, or it is not a zip at all.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            bad = zf.testzip()
    except (zipfile.BadZipFile, EOFError) as exc:
        bad = str(exc)
    if bad is not None:
        raise WjexcelError(f"“{name or Path(path).name}”写入后校验失败（{bad}），请重试。")
