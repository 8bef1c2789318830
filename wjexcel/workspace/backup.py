"""The ledger's safety net: rolling backups, a check on open, and one way back.

The ledger is the workspace's memory of every form sent and every file received. So:

- before each command that writes (it takes the workspace lock) a copy is made with
  SQLite's online backup API into ``.wjexcel/backups/``, the newest :data:`KEEP` kept, and
  only of a ledger that passes ``PRAGMA quick_check`` (a damaged one never pushes a good
  copy out);
- a ledger that is missing or empty where one is expected (the workspace has sent forms or
  archived received files) is never made anew: opening it is refused;
- :func:`restore_ledger` (``wjexcel restore``, the 恢复台账 launcher) puts the newest good
  copy back; the ledger it replaces is moved aside, never deleted.

Every message names only backups that exist.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from wjexcel.errors import WorkspaceError

log = logging.getLogger(__name__)

BACKUP_FOLDER = "backups"
KEEP = 5
"""Backups kept: the newest, made before each of the last few writing commands."""
_PREFIX = "ledger-"
_SUFFIX = ".sqlite"
RESTORE_HINT = "运行 wjexcel restore（或双击工作区中的“恢复台账.bat”）"


@dataclass(frozen=True)
class Restored:
    """What :func:`restore_ledger` did."""

    backup: Path
    taken_at: datetime
    moved_aside: Path | None

    def summary_text(self, ws) -> str:
        text = f"已用 {self.taken_at:%Y-%m-%d %H:%M:%S} 的备份（{ws.relative(self.backup)}）恢复工作区台账。"
        if self.moved_aside is not None:
            text += f"原来的台账已改名保留为“{ws.relative(self.moved_aside)}”。"
        return text + "此后收到的文件仍在“收回”中，再运行一次“收集”即可重新入账。"


def folder(ws) -> Path:
    return ws.state / BACKUP_FOLDER


def backups(ws) -> list[Path]:
    """The ledger's backups, newest first."""
    try:
        found = [p for p in folder(ws).glob(f"{_PREFIX}*{_SUFFIX}") if p.is_file()]
    except OSError:
        return []
    return sorted(found, key=lambda p: p.name, reverse=True)


def taken_at(path: Path) -> datetime:
    """When a backup was made (from its name; its file time when the name does not say)."""
    try:
        return datetime.strptime(path.name[len(_PREFIX):-len(_SUFFIX)], "%Y%m%d-%H%M%S-%f")
    except ValueError:
        return datetime.fromtimestamp(path.stat().st_mtime)


def healthy(path: Path) -> bool:
    """``path`` is a SQLite database that passes ``PRAGMA quick_check`` (opened read-only)."""
    try:
        if path.stat().st_size == 0:
            return False
        conn = _read_only(path)
    except (OSError, sqlite3.Error):
        return False
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
        return rows == [("ok",)]
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def latest_good(ws) -> Path | None:
    """The newest backup that passes the check, or None."""
    return next((p for p in backups(ws) if healthy(p)), None)


def restore_text(ws) -> str:
    """What the clerk can do about a lost or damaged ledger, naming only backups that exist."""
    good = latest_good(ws)
    if good is not None:
        return f"请{RESTORE_HINT}，用最近的备份（{taken_at(good):%Y-%m-%d %H:%M}）恢复。"
    return (f"这个工作区里没有可用的台账备份（{ws.relative(folder(ws))} 中没有）。请从备份恢复：用您自己保存的"
            f"工作区副本中的 {ws.relative(ws.state)} 文件夹替换，或联系维护人员。")


def expected(ws) -> bool:
    """A ledger must exist: the workspace has archived received files, sent forms or backups."""
    try:
        if any(p.is_file() for p in ws.archive.rglob("*")):
            return True
        if ws.outbox.is_dir() and any(p.suffix.lower() == ".xlsx" for p in ws.outbox.rglob("*.xlsx")):
            return True
    except OSError:
        return True
    return bool(backups(ws))


def guard(ws) -> None:
    """Refuse to open (and so create) a ledger that is missing or empty where one is expected.

    Raises:
        WorkspaceError: The ledger is gone or empty but the workspace has sent forms or
            received files (the message says how to restore it).
    """
    path = ws.ledger_path
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        size = None
    except OSError:
        return  # sqlite will say what is wrong
    if size not in (None, 0) or not expected(ws):
        return
    what = "不见了" if size is None else "是空文件（0 字节）"
    raise WorkspaceError(f"工作区台账（{ws.relative(path)}）{what}，但这个工作区已经发出过填报表或收到过文件："
                         f"为免丢失这些记录，没有新建空台账。{restore_text(ws)}")


def check(ws, conn: sqlite3.Connection) -> None:
    """Refuse a ledger that fails ``PRAGMA quick_check`` (it is neither read nor written).

    Raises:
        WorkspaceError: The ledger is damaged (the message says how to restore it).
    """
    rows = conn.execute("PRAGMA quick_check").fetchall()  # not a database at all: the caller says so
    if rows != [("ok",)]:
        log.warning("ledger %s fails quick_check: %s", ws.ledger_path, rows[:5])
        raise WorkspaceError(f"工作区台账（{ws.relative(ws.ledger_path)}）已损坏（完整性检查未通过），"
                             f"为免错上加错，没有读取也没有写入。{restore_text(ws)}")


def backup_ledger(ws) -> Path | None:
    """Copy the ledger into the backups (before a command writes), keeping the newest :data:`KEEP`.

    Nothing is copied when there is no ledger yet, when it is damaged (a good copy is never
    pushed out by a bad one) or when it has not changed since the newest copy. A copy that
    cannot be written (a full disk) is given up with a note in the debug log: the command
    itself will say what is wrong with the disk.
    """
    source = ws.ledger_path
    try:
        if source.stat().st_size == 0:
            return None
        mtime = source.stat().st_mtime
    except OSError:
        return None
    existing = backups(ws)
    if existing:
        try:
            if existing[0].stat().st_mtime >= mtime:
                return None
        except OSError:
            pass
    if not healthy(source):
        return None
    target = folder(ws) / f"{_PREFIX}{datetime.now():%Y%m%d-%H%M%S-%f}{_SUFFIX}"
    part = target.with_name(target.name + ".part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _copy(source, part)
        os.replace(part, target)
    except (OSError, sqlite3.Error) as exc:
        log.warning("ledger backup not made: %s", exc)
        part.unlink(missing_ok=True)
        return None
    for old in backups(ws)[KEEP:]:
        try:
            old.unlink()
        except OSError:
            pass
    return target


def restore_ledger(ws) -> Restored:
    """Put the newest good backup back in place of the ledger (held under the workspace lock).

    The ledger it replaces (and a journal beside it) is renamed, never deleted.

    Raises:
        WorkspaceError: There is no good backup (the message says what else to do).
    """
    with ws.lock("恢复台账", backup=False):
        good = latest_good(ws)
        if good is None:
            raise WorkspaceError(f"无法恢复：{restore_text(ws)}")
        stamp = f"{datetime.now():%Y%m%d-%H%M%S}"
        path = ws.ledger_path
        aside = None
        part = path.with_name(path.name + ".restore.part")
        _copy(good, part)
        for suffix in ("", "-journal", "-wal", "-shm"):
            current = path.with_name(path.name + suffix)
            if current.exists():
                moved = path.with_name(f"{path.stem}.replaced-{stamp}{path.suffix}{suffix}")
                os.replace(current, moved)
                aside = aside or moved
        os.replace(part, path)
    return Restored(good, taken_at(good), aside)


def _read_only(path: Path) -> sqlite3.Connection:
    """A connection that only reads ``path`` (which exists). Not a ``file:`` URI: SQLite refuses
    one naming a network share (``file://server/share/…``), where a workspace may sit."""
    if not path.is_file():
        raise FileNotFoundError(path)
    conn = sqlite3.connect(path, timeout=30)
    conn.execute("PRAGMA query_only=1")
    return conn


def _copy(source: Path, target: Path) -> None:
    """A consistent copy by SQLite's online backup API, flushed to disk."""
    target.unlink(missing_ok=True)
    src = _read_only(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    with open(target, "rb+") as fh:
        os.fsync(fh.fileno())
