"""One writer at a time: a lock file in the state folder that names who holds it.

A workspace may sit on a shared network folder and be opened from two PCs at once. The
ledger is safe against that only as far as SQLite's own file locks go on such a share, and
two runs of collect would judge the same files twice. So every command that writes takes
this lock first, and a second clerk is told, in Chinese, who is working and since when
(“王晓明正在收集，开始于 10:32”).

The lock is a small JSON file created with ``O_EXCL`` (atomic on local disks and on SMB
shares). Its holder refreshes the file's time every :data:`HEARTBEAT_SECONDS`; a lock is
stale when its process is gone (same PC) or it has not been refreshed for
:data:`STALE_SECONDS` (another PC, which cannot be asked). A stale lock is moved aside
under a unique name before anyone takes a new one, and only the one who moved exactly
that stale lock goes on, so two clerks clearing it at once cannot both win. Within one
process the lock is re-entrant (``run`` collects, then consolidates).
"""

from __future__ import annotations

import functools
import getpass
import json
import os
import socket
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from wjexcel.errors import DiskProblem, WorkspaceError, os_reason

LOCK_FILE = "lock.json"
HEARTBEAT_SECONDS = 60.0
"""How often the holder shows it is alive (the lock file's modification time)."""
STALE_SECONDS = 10 * 60.0
"""A lock from another PC not refreshed for this long belongs to a run that died."""
BROKEN_SECONDS = 10.0
"""A lock file still unreadable after this long was left half-written by a crash."""
_ATTEMPTS = 20

_held: dict[Path, int] = {}  # lock path -> depth, for re-entry within this process
_guard = threading.Lock()


def user_name() -> str:
    """The person at this PC, as the operating system knows them (the display name on Windows)."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        name = _windows_display_name()
        if name:
            return name
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return "另一位用户"


@contextmanager
def workspace_lock(state: Path, action: str, on_acquire=None):
    """Hold the workspace's lock while the block runs.

    Args:
        state: The workspace's state folder.
        action: What the holder is doing, in Chinese (``收集``, ``汇总``), for the message
            another clerk sees.
        on_acquire: Called once the lock is taken (not when re-entered), before the block.

    Raises:
        WorkspaceError: Someone else holds the lock (the message names them and since when),
            or the state folder cannot be written.
    """
    path = Path(state) / LOCK_FILE
    with _guard:
        depth = _held.get(path, 0)
        if depth:
            _held[path] = depth + 1
    if depth:
        try:
            yield
        finally:
            with _guard:
                _held[path] -= 1
        return
    token = _acquire(path, action)
    with _guard:
        _held[path] = 1
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(path, token, stop), daemon=True)
    beat.start()
    try:
        if on_acquire is not None:
            on_acquire()
        yield
    finally:
        stop.set()
        beat.join()
        with _guard:
            del _held[path]
        _release(path, token)


def holder_text(info: dict) -> str:
    """“王晓明正在收集，开始于 10:32” (with the day when it was not today)."""
    try:
        started = datetime.fromisoformat(str(info.get("started")))
        when = (f"{started:%H:%M}" if started.date() == datetime.now().date()
                else f"{started.month}月{started.day}日 {started:%H:%M}")
    except ValueError:
        when = "不久前"
    user = str(info.get("user") or "另一位用户")
    host = str(info.get("host") or "")
    where = f"（电脑 {host}）" if host and host != socket.gethostname() else ""
    return f"{user}{where}正在{info.get('action') or '使用这个工作区'}，开始于 {when}"


def _acquire(path: Path, action: str) -> str:
    token = uuid.uuid4().hex
    info = {"user": user_name(), "host": socket.gethostname(), "pid": os.getpid(), "action": action,
            "started": datetime.now().isoformat(timespec="seconds"), "token": token}
    for _ in range(_ATTEMPTS):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            other = _read(path)
            if other is None:  # vanished meanwhile, half-written by a holder starting now, or broken
                if _age(path) > BROKEN_SECONDS:
                    _clear_stale(path, {})
                else:
                    time.sleep(0.2)
                continue
            if not _stale(path, other):
                raise WorkspaceError(f"{holder_text(other)}。同一个工作区不能两人同时修改，请等其完成后再运行。"
                                     f"（如果确定没有人在用，{int(STALE_SECONDS // 60)} 分钟后会自动解除）") from None
            _clear_stale(path, other)
            continue
        except OSError as exc:
            raise DiskProblem(f"无法在工作区的 .wjexcel 文件夹中建立锁定文件：{os_reason(exc, writing=True)}。"
                              "请检查该文件夹是否可以写入（磁盘是否已满）。", ".wjexcel") from exc
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(info, fh, ensure_ascii=False)
        except OSError as exc:  # a full disk: no empty lock file may stay behind to block the next run
            path.unlink(missing_ok=True)
            raise DiskProblem(f"无法写入工作区的锁定文件（.wjexcel 文件夹）：{os_reason(exc, writing=True)}。"
                              "请清理磁盘空间后再试。", ".wjexcel") from exc
        return token
    raise WorkspaceError("工作区正被其他人反复占用，暂时无法开始。请稍后再试。")


def _read(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _age(path: Path) -> float:
    """Seconds since the lock file was last written or refreshed (0 when it is gone)."""
    try:
        return max(0.0, datetime.now().timestamp() - path.stat().st_mtime)
    except OSError:
        return 0.0


def _stale(path: Path, info: dict) -> bool:
    """The holder is gone: its process ended (same PC), or it stopped refreshing the lock."""
    if info.get("host") == socket.gethostname() and isinstance(info.get("pid"), int):
        return not _process_alive(info["pid"])
    return _age(path) > STALE_SECONDS


def _clear_stale(path: Path, stale: dict) -> None:
    """Move the stale lock aside; if what was moved is not the lock judged stale (someone
    took a fresh lock in between), put it back."""
    aside = path.with_name(f"{path.name}.{uuid.uuid4().hex}.stale")
    try:
        os.rename(path, aside)
    except OSError:
        return  # someone else cleared it first
    moved = _read(aside)
    if moved is not None and moved.get("token") != stale.get("token"):
        _put_back(aside, path)
        return
    aside.unlink(missing_ok=True)


def _put_back(aside: Path, path: Path) -> None:
    """Restore a lock moved aside by mistake, never over a newer one."""
    try:
        if os.name == "nt":  # pragma: no cover - Windows: rename never replaces
            os.rename(aside, path)
        else:
            os.link(aside, path)
            aside.unlink()
    except OSError:
        aside.unlink(missing_ok=True)


def _release(path: Path, token: str) -> None:
    info = _read(path)
    if info is not None and info.get("token") == token:
        path.unlink(missing_ok=True)


def _heartbeat(path: Path, token: str, stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT_SECONDS):
        info = _read(path)
        if info is None or info.get("token") != token:
            return
        try:
            os.utime(path)
        except OSError:
            return


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return _windows_process_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _windows_process_alive(pid: int) -> bool:  # pragma: no cover - Windows only
    import ctypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return ctypes.get_last_error() == 5  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def _windows_display_name() -> str:  # pragma: no cover - Windows only
    import ctypes

    secur32 = ctypes.WinDLL("secur32")
    size = ctypes.c_ulong(0)
    secur32.GetUserNameExW(3, None, ctypes.byref(size))  # NameDisplay
    if not size.value:
        return ""
    buffer = ctypes.create_unicode_buffer(size.value)
    if not secur32.GetUserNameExW(3, buffer, ctypes.byref(size)):
        return ""
    return buffer.value.strip()


def holding_lock(action: str):
    """Decorate a library function whose first argument is the workspace so that it runs
    under :func:`workspace_lock` (``generate_forms``, ``consolidate``)."""
    def decorate(function):
        @functools.wraps(function)
        def locked(ws, *args, **kwargs):
            with ws.lock(action):
                return function(ws, *args, **kwargs)
        return locked
    return decorate
