"""The ledger file's tables, their version, and opening it: the migrations from older ledgers.

The schema carries its version in ``PRAGMA user_version``. A ledger written by an older
wjexcel is migrated step by step when it is opened (a copy of it is kept first); one
written by a newer wjexcel is refused rather than damaged. The ledger's reads and writes
are in :mod:`~wjexcel.workspace.ledger`.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from datetime import datetime
from pathlib import Path, PurePosixPath

from wjexcel.errors import WjexcelError, WorkspaceError

log = logging.getLogger(__name__)

SCHEMA_V0 = """
CREATE TABLE forms (
    form_id TEXT PRIMARY KEY,
    reporter TEXT NOT NULL,
    period TEXT NOT NULL,
    file TEXT NOT NULL,
    generated_at TEXT NOT NULL,
    indicators TEXT NOT NULL,
    plan_version TEXT,
    template_version TEXT
);
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    archive_path TEXT NOT NULL,
    first_seen TEXT NOT NULL
);
CREATE TABLE submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    file TEXT NOT NULL,
    original_name TEXT NOT NULL,
    file_mtime TEXT,
    received_at TEXT NOT NULL,
    verdict TEXT NOT NULL,
    reporter TEXT,
    reporter_kind TEXT,
    period TEXT,
    form_id TEXT,
    filled_on TEXT,
    filled_by TEXT,
    phone TEXT,
    signature TEXT,
    duplicate_of INTEGER,
    UNIQUE (file, sha256)
);
CREATE INDEX submissions_period ON submissions(period, reporter);
CREATE INDEX submissions_sha ON submissions(sha256);
CREATE TABLE problems (
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    severity TEXT NOT NULL,
    sheet TEXT,
    cell TEXT,
    message TEXT NOT NULL
);
CREATE INDEX problems_sub ON problems(submission_id);
CREATE TABLE "values" (
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    indicator TEXT NOT NULL,
    value REAL,
    raw TEXT,
    sheet TEXT,
    cell TEXT,
    remark TEXT,
    remark_cell TEXT
);
CREATE INDEX values_sub ON "values"(submission_id);
CREATE TABLE details (
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    list_code TEXT NOT NULL,
    sheet TEXT,
    row INTEGER,
    "values" TEXT,
    raw TEXT
);
CREATE INDEX details_sub ON details(submission_id);
"""
"""The tables of wjexcel 0.1, whose ledgers carry no version (``user_version`` 0)."""

MIGRATIONS = {
    1: """
ALTER TABLE submissions ADD COLUMN note TEXT;
ALTER TABLE submissions ADD COLUMN container_id INTEGER REFERENCES submissions(id);
CREATE INDEX submissions_container ON submissions(container_id);
ALTER TABLE problems ADD COLUMN code TEXT;
CREATE TABLE return_copies (
    submission_id INTEGER PRIMARY KEY REFERENCES submissions(id),
    path TEXT NOT NULL UNIQUE,
    written_at TEXT NOT NULL
);
""",
    2: """
ALTER TABLE submissions ADD COLUMN members_pending INTEGER NOT NULL DEFAULT 0;
""",
    3: """
ALTER TABLE submissions ADD COLUMN sender TEXT;
ALTER TABLE submissions ADD COLUMN sent_at TEXT;
CREATE TABLE deadlines (
    period TEXT PRIMARY KEY,
    due TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
""",
    4: """
CREATE TABLE finals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    period TEXT NOT NULL,
    version INTEGER NOT NULL,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    archive_path TEXT NOT NULL,
    made_at TEXT NOT NULL,
    UNIQUE (period, version)
);
CREATE TABLE final_figures (
    final_id INTEGER NOT NULL REFERENCES finals(id),
    indicator TEXT NOT NULL,
    scope TEXT NOT NULL,
    name TEXT,
    value REAL
);
CREATE INDEX final_figures_final ON final_figures(final_id);
CREATE TABLE final_submissions (
    final_id INTEGER NOT NULL REFERENCES finals(id),
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    reporter TEXT,
    sha256 TEXT NOT NULL
);
CREATE INDEX final_submissions_final ON final_submissions(final_id);
""",
}
"""Version n's changes over version n-1; a new ledger is version 0 plus every step.

Step 2: ``members_pending`` marks an archive whose walk a collect run had to stop
(time or inflate budget spent); the next run opens it again for the members not yet judged.

Step 3: a file that came by mail (and the mail itself) carries the mail's ``sender`` and
``sent_at`` (local time); ``deadlines`` holds each period's 截止日期, recorded at generate.

Step 4: the 定稿 of a period (``finals``, one row per version): the file sent, its SHA-256 and
archived copy, when; the figures it showed (``final_figures``: ``scope`` is ``indicator`` for
the district figure, ``split`` for a split target and ``reporter`` for a reporter's own figure,
``name`` the split or reporter) and the submissions it used (``final_submissions``, by hash).
"""

JOURNAL_MODE = "DELETE"
"""SQLite's rollback journal: WAL needs shared memory, which a network share does not give
two PCs, so a workspace on a shared folder could be damaged under WAL."""

SCHEMA_VERSION = max(MIGRATIONS)


def connect(ws) -> sqlite3.Connection:
    """Open the workspace's ledger at the latest schema version (a new one is created, an older
    one migrated); refuse one that is lost, damaged, busy or written by a newer wjexcel."""
    from wjexcel.workspace import backup

    ws.state.mkdir(parents=True, exist_ok=True)
    backup.guard(ws)  # a lost ledger is never made anew where one is expected
    try:
        conn = sqlite3.connect(ws.ledger_path, timeout=30, isolation_level=None)
    except sqlite3.DatabaseError as exc:
        raise unreadable(ws, exc) from exc
    try:
        try:
            backup.check(ws, conn)
            refuse_newer(conn)
            use_journal(conn)
            conn.execute("PRAGMA foreign_keys=ON")
            # a unit of a batch is a savepoint: its journal, and each statement's, in memory instead of
            # thousands of writes to temporary files (the ledger's own journal stays on disk)
            conn.execute("PRAGMA temp_store=MEMORY")
            upgrade(ws, conn)
        except sqlite3.DatabaseError as exc:
            raise unreadable(ws, exc) from exc
    except BaseException:
        conn.close()
        raise
    conn.isolation_level = ""  # back to the module's implicit transactions
    conn.row_factory = sqlite3.Row
    return conn


def use_journal(conn: sqlite3.Connection) -> None:
    """Switch to :data:`JOURNAL_MODE`. A ledger an older wjexcel left in WAL mode can only be
    switched while no other program has it open; until then it is used as it is."""
    try:
        conn.execute(f"PRAGMA journal_mode={JOURNAL_MODE}")
    except sqlite3.OperationalError as exc:
        log.debug("ledger journal mode left as it is for now: %s", exc)


_SQLITE_BUSY = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED
_SQLITE_NOT_WRITABLE = (8, 14)  # SQLITE_READONLY, SQLITE_CANTOPEN (a folder it cannot create files in)
_SQLITE_DISK = {13: "磁盘空间不足", 8: "台账文件或文件夹是只读的", 10: "磁盘读写出错", 14: "无法在该文件夹中建立文件"}
"""SQLITE_FULL, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CANTOPEN: the clerk's disk, not a received file."""


def disk_problem_of(ws, exc: BaseException):
    """A :class:`~wjexcel.errors.DiskProblem` when SQLite could not write the ledger for the
    disk's sake (full, read-only, I/O error); else None."""
    from wjexcel.errors import DiskProblem

    code = getattr(exc, "sqlite_errorcode", None)
    if not isinstance(exc, sqlite3.Error) or code is None or (code & 0xFF) not in _SQLITE_DISK:
        return None
    where = ws.relative(ws.state)
    return DiskProblem(f"无法写入“{where}”（工作区台账所在的文件夹）：{_SQLITE_DISK[code & 0xFF]}。"
                       "请清理磁盘空间或检查该文件夹的权限后再试。", where)


def unreadable(ws, exc) -> WjexcelError:
    """Why the ledger cannot be opened, in Chinese (SQLite's English text goes to the debug log)."""
    log.warning("ledger %s cannot be opened: %s", ws.ledger_path, exc)
    where = ws.relative(ws.ledger_path)
    if getattr(exc, "sqlite_errorcode", None) in _SQLITE_BUSY:
        return WorkspaceError(f"工作区台账（{where}）正被其他程序占用（可能是另一位同事正在使用这个工作区），"
                              "请稍后再试。")
    if (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF in _SQLITE_NOT_WRITABLE:  # not damaged: say so
        return WorkspaceError(f"无法写入“{ws.state}”（没有写入权限），打不开工作区台账（{where}）。"
                              "请检查该文件夹是否只读、是否有写入权限。")
    problem = disk_problem_of(ws, exc)  # a full disk or an I/O error is the disk's, not a damaged ledger
    if problem is not None:
        return problem
    from wjexcel.workspace.backup import restore_text

    return WorkspaceError(f"工作区台账（{where}）已损坏或不是台账文件，无法打开。{restore_text(ws)}")


def refuse_newer(conn: sqlite3.Connection) -> None:
    """A ledger from a newer wjexcel is left exactly as it is."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise WorkspaceError(
            f"工作区台账由更新版本的 wjexcel 写入（台账版本 {version}，本程序只认识到 {SCHEMA_VERSION}），"
            "为免损坏未作任何改动。请升级 wjexcel 后再使用这个工作区。")


def upgrade(ws, conn: sqlite3.Connection) -> None:
    """Create a new ledger at the latest version, or migrate an older one step by step."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION:
        return
    existing = conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='submissions'")
    fresh = existing.fetchone()[0] == 0
    if not fresh:
        _backup(ws, conn, version)
    conn.execute("BEGIN IMMEDIATE")
    try:
        if fresh:
            _script(conn, SCHEMA_V0)
        for step in range(version + 1, SCHEMA_VERSION + 1):
            _script(conn, MIGRATIONS[step])
            if step == 1 and not fresh:
                _backfill_return_copies(ws, conn)
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # a COMMIT the disk refused has already rolled back
            conn.execute("ROLLBACK")
        raise


def _backfill_return_copies(ws, conn: sqlite3.Connection) -> None:
    """wjexcel 0.1 wrote each 退回 copy to 汇总/退回/<期间>/<文件名>_退回.xlsx without recording it:
    record those that are there, so the report can name them."""
    rows = conn.execute("SELECT id, file, period FROM submissions WHERE verdict=? AND period IS NOT NULL "  # 0.1's word
                        "ORDER BY id DESC", ("rejected",)).fetchall()  # the last one wrote the file
    now = datetime.now().isoformat(timespec="seconds")
    for sid, file, period in rows:
        path = ws.relative(ws.returns_dir(period) / f"{PurePosixPath(file).stem}_退回.xlsx")
        taken = conn.execute("SELECT 1 FROM return_copies WHERE path=?", (path,)).fetchone()
        if (ws.root / path).is_file() and not taken:
            conn.execute("INSERT INTO return_copies VALUES (?,?,?)", (sid, path, now))


def _script(conn: sqlite3.Connection, script: str) -> None:
    """Run each statement of ``script`` inside the caller's transaction (executescript would commit)."""
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def _backup(ws, conn: sqlite3.Connection, version: int) -> Path:
    """A copy of the ledger as it was before a migration, beside it in the state folder."""
    from wjexcel.workspace.backup import healthy

    target = ws.ledger_path.with_name(f"{ws.ledger_path.stem}.v{version}-backup{ws.ledger_path.suffix}")
    if target.exists() and healthy(target):
        return target
    part = target.with_name(target.name + ".part")  # a full disk leaves no empty backup in its place
    try:
        with sqlite3.connect(part) as copy:
            conn.backup(copy)
        copy.close()
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)
    return target
