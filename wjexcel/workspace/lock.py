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
BROKEN_SECONDS = 5.0
"""A lock file still unreadable (empty, cut short) after this long was left half-written by a crash."""
_ATTEMPTS = 20
MAX_PID = 1 << 22
"""No operating system wjexcel runs on gives a process a larger id (Linux caps it at 2^22)."""
UNLOCK_HINT = "运行 wjexcel unlock 解除（会先显示锁定的是谁，确认后才解除）"

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
            "started": datetime.now().isoformat(timespec="seconds"), "token": token,
            "boot": boot_id(), "pid_start": process_start(os.getpid())}
    broken_since = None
    attempts = 0
    while attempts < _ATTEMPTS:
        attempts += 1
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            if path.is_dir():
                raise WorkspaceError(f"工作区的 .wjexcel 文件夹中有一个名为 {LOCK_FILE} 的文件夹，它不是 wjexcel 的锁定文件，"
                                     f"挡住了锁定。请确认没有人在用这个工作区后，{UNLOCK_HINT}，或把这个文件夹删除或改名。"
                                     ) from None
            other = _read(path)
            if other is None:  # vanished meanwhile, half-written by a holder starting now, or broken
                broken_since = broken_since or time.monotonic()
                if _age(path) > BROKEN_SECONDS or time.monotonic() - broken_since > BROKEN_SECONDS:
                    _clear_stale(path, {})
                else:
                    attempts -= 1  # wait the half-written lock out, however many tries it takes
                    time.sleep(0.2)
                continue
            if not is_wjexcel_lock(other):
                raise WorkspaceError(f"工作区的锁定文件（.wjexcel/{LOCK_FILE}）不是 wjexcel 写的（内容无法识别），"
                                     f"无法判断是否有人在用。确定没有人在用时，请{UNLOCK_HINT}。") from None
            if not _stale(path, other):
                raise WorkspaceError(f"{holder_text(other)}。同一个工作区不能两人同时修改，请等其完成后再运行。"
                                     f"{_if_not_in_use(path, other)}") from None
            _clear_stale(path, other)
            continue
        except OSError as exc:
            raise DiskProblem(f"无法写入“{path.parent}”（{os_reason(exc, writing=True)}），不能建立工作区的锁定文件。"
                              "请检查该文件夹是否只读、是否有写入权限、磁盘是否已满。", ".wjexcel") from exc
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


def is_wjexcel_lock(info: dict) -> bool:
    """The lock was written by wjexcel: its fields are there, of the right kinds, the pid a real one."""
    pid = info.get("pid")
    if not (isinstance(pid, int) and not isinstance(pid, bool) and 0 < pid < MAX_PID):
        return False
    if not all(isinstance(info.get(k), str) and info.get(k) for k in ("token", "host", "action", "started")):
        return False
    try:
        datetime.fromisoformat(info["started"])
    except ValueError:
        return False
    return True


def _future(path: Path) -> bool:
    """The lock file's time lies ahead of this PC's clock by more than :data:`STALE_SECONDS`:
    another PC's clock is wrong, and its age cannot be judged from here."""
    try:
        return path.stat().st_mtime - datetime.now().timestamp() > STALE_SECONDS
    except OSError:
        return False


def _if_not_in_use(path: Path, info: dict) -> str:
    """What the clerk can do when sure nobody uses the workspace: never a promise that cannot hold."""
    if info.get("host") == socket.gethostname():
        return f"（如果确定没有人在用，例如程序已被强行关闭，请{UNLOCK_HINT}）"
    if _future(path):
        return (f"（锁定文件的时间晚于本机时间，可能是电脑 {info.get('host')} 的时钟不准，无法判断它是否还在运行，"
                f"不会自动解除；如果确定没有人在用，请{UNLOCK_HINT}）")
    return (f"（如果那台电脑上的程序已意外退出，锁定会在最后一次更新 {int(STALE_SECONDS // 60)} 分钟后自动解除；"
            f"确定没有人在用时也可以{UNLOCK_HINT}）")


def _stale(path: Path, info: dict) -> bool:
    """The holder is gone: its process ended, or the PC restarted, or its id now names another
    process (same PC); or it stopped refreshing the lock (another PC)."""
    if info.get("host") == socket.gethostname():
        pid = info["pid"]
        boot = boot_id()
        if info.get("boot") and boot and info["boot"] != boot:
            return True  # the PC restarted since: every process of then is gone
        if not _process_alive(pid):
            return True
        recorded, now = info.get("pid_start"), process_start(pid)
        return bool(recorded and now and recorded != now)  # the id was given to another process
    if _future(path):
        return False
    return _age(path) > STALE_SECONDS


def boot_id() -> str:
    """This PC's boot (Linux: the kernel's boot id), or ""."""
    if sys.platform == "win32":  # pragma: no cover - Windows: the process start time tells a reused id
        return ""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:
        return ""


def process_start(pid: int) -> str:
    """When process ``pid`` started, as the system counts it ("" when it cannot be told): two
    processes that got the same id one after the other have different starts."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return _windows_process_start(pid)
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return ""
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else ""  # field 22 of stat: start time after boot, in ticks


def current_holder(state: Path) -> str | None:
    """Who holds the workspace now, in Chinese (None when it is not locked)."""
    path = Path(state) / LOCK_FILE
    if not path.exists() and not path.is_symlink():
        return None
    if path.is_dir():
        return f"一个名为 {LOCK_FILE} 的文件夹（不是 wjexcel 的锁定文件）"
    info = _read(path)
    return holder_text(info) if info is not None and is_wjexcel_lock(info) else "一个无法识别的锁定文件"


def unlock(state: Path) -> str:
    """Clear the lock of a workspace nobody uses any more (``wjexcel unlock``); say what was cleared.

    A lock held by a live wjexcel on this PC is not cleared. The lock file (or a folder in its
    place) is moved aside, never deleted.

    Raises:
        WorkspaceError: The lock belongs to a wjexcel still running on this PC.
    """
    path = Path(state) / LOCK_FILE
    if not path.exists() and not path.is_symlink():
        return "工作区没有被锁定，无需解除。"
    aside = path.with_name(f"{LOCK_FILE}.{datetime.now():%Y%m%d-%H%M%S}.cleared")
    if path.is_dir():
        os.rename(path, aside)
        return f"已把挡住锁定的文件夹 {LOCK_FILE} 改名为 {aside.name}（未删除）。"
    info = _read(path)
    if info is not None and is_wjexcel_lock(info) and info.get("host") == socket.gethostname() \
            and not _stale(path, info):
        raise WorkspaceError(f"{holder_text(info)}，程序仍在本机运行，不能解除。请等其完成，或先关闭它。")
    os.rename(path, aside)
    aside.unlink(missing_ok=True)
    who = holder_text(info) if info is not None and is_wjexcel_lock(info) else "一个无法识别的锁定文件"
    return f"已解除锁定（{who}）。"


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
    if not 0 < pid < MAX_PID:  # os.kill(-n) would ask a whole process group; a huge one overflows
        return False
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


def _windows_process_start(pid: int) -> str:  # pragma: no cover - Windows only
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return ""
    try:
        times = [wintypes.FILETIME() for _ in range(4)]
        if not kernel32.GetProcessTimes(handle, *(ctypes.byref(t) for t in times)):
            return ""
        return str((times[0].dwHighDateTime << 32) | times[0].dwLowDateTime)
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
