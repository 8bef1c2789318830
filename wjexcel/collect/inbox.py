"""What lies in 收回: every file under the folders a clerk names, oldest first, never followed off the disk.

Only the walk is here: which files there are, in which order, and which cannot be read
at all (links, pipes, devices — reported, never opened). What each file is, is decided
by its content in :mod:`wjexcel.collect.collector`.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from wjexcel.errors import os_reason

LINK_NOTE = "快捷方式（符号链接），未读取：请把文件本身放进“收回”文件夹"
SPECIAL_NOTE = "不是普通文件（如管道、设备或套接字），未读取：请把收到的文件本身放进“收回”文件夹"


@dataclass(frozen=True)
class Entry:
    """One thing found: how it is named (relative to the workspace), its path, and why it is
    not read (``""`` when it is a regular file to judge)."""

    display: str
    path: Path
    skip: str = ""


def walk(ws, roots) -> list[Entry]:
    """Every file under ``roots`` (files or folders), folders in name order, files oldest first.

    Links found inside a folder are reported and never followed (they may point anywhere
    on the disk); a path the clerk names explicitly is read as given. The workspace's own
    state folder is never entered.
    """
    state = ws.state.resolve()
    out: list[Entry] = []
    for root in roots:
        root = Path(os.path.abspath(root))
        if _inside(root, state):  # the ledger, the key and the backups are never a received file
            continue
        if not root.is_dir():
            out.append(_entry(ws, root, follow=True))
            continue
        for folder, dirs, files in os.walk(root):
            here = Path(folder)
            links = sorted(d for d in dirs if (here / d).is_symlink())
            dirs[:] = sorted(d for d in dirs if d not in links and (here / d).resolve() != state)
            out.extend(Entry(ws.relative(here / d), here / d, LINK_NOTE) for d in links)
            # Oldest first, so the first copy of a file mailed twice is the one that counts.
            out.extend(_entry(ws, here / n) for n in sorted(files, key=lambda n: _arrival_key(here / n)))
    return out


def _inside(path: Path, folder: Path) -> bool:
    try:
        where = path.resolve()
    except OSError:
        return False
    return where == folder or folder in where.parents


def _entry(ws, path: Path, follow: bool = False) -> Entry:
    return Entry(ws.relative(path), path, not_readable(path, follow=follow))


def not_readable(path: Path, *, follow: bool = False) -> str:
    """Why ``path`` must not be opened (a link, a pipe that would block forever, a device),
    or ``""`` for a regular file. Only the file's metadata is looked at."""
    try:
        info = os.stat(path, follow_symlinks=follow)
    except OSError as exc:
        return f"无法读取该文件：{os_reason(exc)}"
    if stat.S_ISLNK(info.st_mode):
        return LINK_NOTE
    if not stat.S_ISREG(info.st_mode):
        return SPECIAL_NOTE
    return ""


def _arrival_key(path: Path):
    try:
        return (path.lstat().st_mtime_ns, path.name)
    except OSError:
        return (0, path.name)
