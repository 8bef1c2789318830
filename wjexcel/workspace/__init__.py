"""The clerk's workspace: a folder with the plan, the forms sent, the files received, the reports.

The package also holds the workspace's memory: :mod:`~wjexcel.workspace.ledger` (the
SQLite ledger, the one place with SQL) and :mod:`~wjexcel.workspace.archive` (every
received file's bytes, by SHA-256).

Everything inside is addressed relative to the folder, so a workspace can be copied to
another disk or PC and keeps working. The hidden state folder holds the ledger, the
archive and the signing key (which never leaves it).
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

from wjexcel.errors import WorkspaceError, os_reason
from wjexcel.filenames import printable_name

PLAN_FILE = "计划.xlsx"
OUTBOX = "分发"
INBOX = "收回"
REPORTS = "汇总"
RETURNS = "退回"
STATE = ".wjexcel"
MARKER = "workspace.json"
KEY_FILE = "signing.key"
LEDGER_FILE = "ledger.sqlite"
ARCHIVE = "archive"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Workspace:
    """A workspace folder; construct with :meth:`open`, :func:`create_workspace` or
    :func:`wjexcel.cycle.init_workspace` (which also writes the plan)."""

    root: Path

    # --- finding one ------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike | None = None) -> "Workspace":
        """The workspace at ``path``, or the nearest parent of it (default: the current folder)."""
        start = Path(path) if path else Path.cwd()
        start = start.resolve()
        for folder in (start, *start.parents):
            if (folder / STATE / MARKER).is_file():
                return cls(folder)
        if path:
            raise WorkspaceError(
                f"“{start}”不是 wjexcel 工作区（找不到 {STATE}/{MARKER}）。"
                f"请先运行：wjexcel init \"{start}\""
            )
        raise WorkspaceError(
            "当前文件夹不是 wjexcel 工作区。请进入工作区文件夹，或用 -w 指定，"
            "或先运行 wjexcel init 文件夹 创建一个。"
        )

    # --- paths ---------------------------------------------------------------------------
    @property
    def plan_file(self) -> Path:
        return self.root / PLAN_FILE

    @property
    def outbox(self) -> Path:
        return self.root / OUTBOX

    @property
    def inbox(self) -> Path:
        return self.root / INBOX

    @property
    def reports(self) -> Path:
        return self.root / REPORTS

    def returns_dir(self, period: str) -> Path:
        return self.reports / RETURNS / period

    @property
    def state(self) -> Path:
        return self.root / STATE

    @property
    def ledger_path(self) -> Path:
        return self.state / LEDGER_FILE

    @property
    def archive(self) -> Path:
        return self.state / ARCHIVE

    def relative(self, path: str | os.PathLike) -> str:
        """``path`` relative to the workspace (forward slashes) where it lies inside it.

        Links are not resolved (a link in 收回 is named as the clerk sees it), and a name
        the file system could not decode is made printable.
        """
        p = Path(os.path.abspath(path))
        try:
            text = p.relative_to(self.root).as_posix()
        except ValueError:
            text = str(p)
        return printable_name(text)


    def lock(self, action: str, *, backup: bool = True):
        """Hold the workspace for one writer while a ``with`` block runs; a second clerk is
        refused with who holds it and since when (see :mod:`wjexcel.workspace.lock`).

        Taking it (not re-entering it) first backs the ledger up (:mod:`wjexcel.workspace.backup`)
        unless ``backup`` is false."""
        from wjexcel.workspace.lock import workspace_lock

        if not backup:
            return workspace_lock(self.state, action)
        from wjexcel.workspace.backup import backup_ledger

        return workspace_lock(self.state, action, on_acquire=lambda: backup_ledger(self))

    # --- contents --------------------------------------------------------------------------
    def signing_key(self) -> bytes:
        """The workspace's HMAC key (created by init; never written into any form)."""
        key_path = self.state / KEY_FILE
        try:
            return bytes.fromhex(key_path.read_text(encoding="ascii").strip())
        except (OSError, ValueError) as exc:
            raise WorkspaceError(
                f"工作区的签名密钥（{STATE}/{KEY_FILE}）缺失或损坏，无法核验填报表。"
                "请从备份恢复该文件；不要新建密钥，否则已发出的表都无法核验。"
            ) from exc


def create_workspace(path: str | os.PathLike) -> Workspace:
    """Create (or complete) the folders, the signing key and the marker of a workspace at ``path``.

    An existing key, ledger or received file is never overwritten. The plan is written
    by :func:`wjexcel.cycle.init_workspace`, which calls this first.
    """
    root = Path(path).resolve()
    try:
        root.mkdir(parents=True, exist_ok=True)
        for sub in (OUTBOX, INBOX, REPORTS, STATE, f"{STATE}/{ARCHIVE}"):
            (root / sub).mkdir(exist_ok=True)
        _hide(root / STATE)
        key_path = root / STATE / KEY_FILE
        if not key_path.exists():
            _write_new(key_path, secrets.token_hex(32))
        marker = root / STATE / MARKER
        if not marker.exists():
            _write_new(marker, json.dumps({"format": FORMAT_VERSION}, ensure_ascii=False))
    except OSError as exc:
        raise WorkspaceError(f"无法在“{root}”创建工作区：{os_reason(exc, writing=True)}") from exc
    return Workspace(root)


def _write_new(path: Path, text: str) -> None:
    """Write a file that must not exist yet (never clobber a key)."""
    with open(path, "x", encoding="utf-8") as fh:
        fh.write(text)


def _hide(path: Path) -> None:
    """Give the state folder the Windows hidden attribute (dot-names hide it elsewhere)."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import ctypes

        ctypes.windll.kernel32.SetFileAttributesW(str(path), 0x02)
