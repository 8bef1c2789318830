"""The ledger: one SQLite file in the workspace's state folder that remembers everything.

It records the forms sent (so forms already emailed stay valid after a re-generate), every
file received (its bytes archived by SHA-256, read-only), the verdict on it, its located
problems and every value it carried, in long form with provenance. One transaction per
file: an interrupted collect leaves no half-recorded file behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import stat
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from wjexcel.errors import WorkspaceError
from wjexcel.collect.records import DetailRow, ReportedValue

SCHEMA = """
CREATE TABLE IF NOT EXISTS forms (
    form_id TEXT PRIMARY KEY,
    reporter TEXT NOT NULL,
    period TEXT NOT NULL,
    file TEXT NOT NULL,
    generated_at TEXT NOT NULL,
    indicators TEXT NOT NULL,
    plan_version TEXT,
    template_version TEXT
);
CREATE TABLE IF NOT EXISTS blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    archive_path TEXT NOT NULL,
    first_seen TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS submissions (
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
CREATE INDEX IF NOT EXISTS submissions_period ON submissions(period, reporter);
CREATE INDEX IF NOT EXISTS submissions_sha ON submissions(sha256);
CREATE TABLE IF NOT EXISTS problems (
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    severity TEXT NOT NULL,
    sheet TEXT,
    cell TEXT,
    message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS problems_sub ON problems(submission_id);
CREATE TABLE IF NOT EXISTS "values" (
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    indicator TEXT NOT NULL,
    value REAL,
    raw TEXT,
    sheet TEXT,
    cell TEXT,
    remark TEXT,
    remark_cell TEXT
);
CREATE INDEX IF NOT EXISTS values_sub ON "values"(submission_id);
CREATE TABLE IF NOT EXISTS details (
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    list_code TEXT NOT NULL,
    sheet TEXT,
    row INTEGER,
    "values" TEXT,
    raw TEXT
);
CREATE INDEX IF NOT EXISTS details_sub ON details(submission_id);
"""

ACCEPTED = "accepted"
REJECTED = "rejected"
DUPLICATE = "duplicate"
SUPERSEDED = "superseded"
IGNORED = "ignored"
VERDICT_LABELS = {
    ACCEPTED: "已接收",
    REJECTED: "已退回",
    DUPLICATE: "重复文件",
    SUPERSEDED: "已被新版本替代",
    IGNORED: "已忽略",
}


@dataclass(frozen=True)
class Submission:
    """One file as recorded in the ledger."""

    id: int
    file: str
    original_name: str
    sha256: str
    reporter: str | None
    reporter_kind: str | None
    period: str | None
    form_id: str | None
    verdict: str
    received_at: datetime
    file_mtime: datetime | None
    filled_on: date | None
    filled_by: str
    phone: str
    signature: str
    duplicate_of: int | None


@dataclass(frozen=True)
class FileProblem:
    """A located problem of a recorded file, for the 问题清单 sheet."""

    file: str
    reporter: str | None
    period: str | None
    verdict: str
    severity: str
    sheet: str
    cell: str
    message: str
    received_at: datetime


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


class Ledger:
    """Access to the workspace ledger. Use ``with Ledger.open(ws) as ledger:``."""

    def __init__(self, ws, conn: sqlite3.Connection):
        self.ws = ws
        self.conn = conn

    @classmethod
    @contextmanager
    def open(cls, ws):
        ws.state.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(ws.ledger_path, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise WorkspaceError(
                f"工作区台账（{ws.relative(ws.ledger_path)}）无法打开：{exc}。请从备份恢复该文件。"
            ) from exc
        conn.row_factory = sqlite3.Row
        try:
            yield cls(ws, conn)
        finally:
            conn.close()

    @contextmanager
    def transaction(self):
        """One atomic unit (one received file): all of it is recorded, or none."""
        with self.conn:
            yield self

    # --- forms sent ------------------------------------------------------------------
    def record_generated(self, forms: list[dict]) -> None:
        """Remember generated forms (form_id, reporter, period, file, generated_at, indicators, …)."""
        with self.conn:
            self.conn.executemany(
                "INSERT OR REPLACE INTO forms VALUES (?,?,?,?,?,?,?,?)",
                [
                    (f["form_id"], f["reporter"], f["period"], f["file"], str(f["generated_at"]),
                     json.dumps(list(f.get("indicators", [])), ensure_ascii=False),
                     f.get("plan_version"), f.get("template_version"))
                    for f in forms
                ],
            )

    def generated_form(self, form_id: str) -> dict | None:
        row = self.conn.execute("SELECT * FROM forms WHERE form_id=?", (form_id,)).fetchone()
        if row is None:
            return None
        out = dict(row)
        out["indicators"] = json.loads(out["indicators"])
        return out

    def generated_forms(self, period: str) -> list[dict]:
        rows = self.conn.execute(
            "SELECT * FROM forms WHERE period=? ORDER BY generated_at", (period,)).fetchall()
        return [dict(r) for r in rows]

    # --- archive ---------------------------------------------------------------------
    def archive_bytes(self, sha256: str, data: bytes) -> str:
        """Keep the original bytes under their hash, read-only; return the relative path."""
        rel = f"{self.ws.state.name}/archive/{sha256[:2]}/{sha256}"
        target = self.ws.root / rel
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".part")
            tmp.write_bytes(data)
            os.chmod(tmp, stat.S_IREAD | stat.S_IRGRP | stat.S_IROTH)
            os.replace(tmp, target)
        self.conn.execute(
            "INSERT OR IGNORE INTO blobs VALUES (?,?,?,?)",
            (sha256, len(data), rel, datetime.now().isoformat(timespec="seconds")),
        )
        return rel

    def archive_file(self, path: Path) -> str:
        """Archive a file too big to hold in memory: hash and copy it in chunks; return its SHA-256."""
        digest = hashlib.sha256()
        size = 0
        part = self.ws.archive / f"incoming-{os.getpid()}.part"
        part.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "rb") as src, open(part, "wb") as out:
            for chunk in iter(lambda: src.read(1 << 20), b""):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        sha = digest.hexdigest()
        rel = f"{self.ws.state.name}/archive/{sha[:2]}/{sha}"
        target = self.ws.root / rel
        if target.exists():
            part.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(part, stat.S_IREAD | stat.S_IRGRP | stat.S_IROTH)
            os.replace(part, target)
        self.conn.execute("INSERT OR IGNORE INTO blobs VALUES (?,?,?,?)",
                          (sha, size, rel, datetime.now().isoformat(timespec="seconds")))
        return sha

    def archived_path(self, sha256: str) -> Path | None:
        row = self.conn.execute("SELECT archive_path FROM blobs WHERE sha256=?", (sha256,)).fetchone()
        return self.ws.root / row[0] if row else None

    def copy_original(self, sha256: str, dest: Path) -> Path:
        """A writable copy of an archived original (for a 退回 copy)."""
        src = self.archived_path(sha256)
        if src is None:
            raise WorkspaceError(f"存档中找不到文件 {sha256[:12]}…")
        shutil.copyfile(src, dest)
        os.chmod(dest, stat.S_IREAD | stat.S_IWRITE)
        return dest

    # --- submissions -----------------------------------------------------------------
    def find(self, file: str, sha256: str) -> Submission | None:
        row = self.conn.execute(
            "SELECT * FROM submissions WHERE file=? AND sha256=?", (file, sha256)).fetchone()
        return self._submission(row) if row else None

    def first_with_hash(self, sha256: str) -> Submission | None:
        row = self.conn.execute(
            "SELECT * FROM submissions WHERE sha256=? AND verdict != ? ORDER BY id LIMIT 1",
            (sha256, DUPLICATE)).fetchone()
        return self._submission(row) if row else None

    def add_submission(self, *, sha256: str, file: str, original_name: str, file_mtime: datetime | None,
                       verdict: str, reporter=None, reporter_kind=None, period=None, form_id=None,
                       filled_on: date | None = None, filled_by: str = "", phone: str = "",
                       signature: str = "", duplicate_of: int | None = None,
                       problems=(), values=(), details=()) -> int:
        """Record one file with its problems, values and detail rows; return its id."""
        cur = self.conn.execute(
            "INSERT INTO submissions (sha256, file, original_name, file_mtime, received_at, verdict,"
            " reporter, reporter_kind, period, form_id, filled_on, filled_by, phone, signature,"
            " duplicate_of) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (sha256, file, original_name, file_mtime.isoformat(timespec="seconds") if file_mtime else None,
             datetime.now().isoformat(timespec="microseconds"), verdict, reporter, reporter_kind, period,
             form_id, filled_on.isoformat() if filled_on else None, filled_by or "", phone or "",
             signature or "", duplicate_of),
        )
        sid = cur.lastrowid
        self.conn.executemany(
            "INSERT INTO problems VALUES (?,?,?,?,?)",
            [(sid, p.severity, p.sheet, p.cell, p.message) for p in problems],
        )
        self.conn.executemany(
            'INSERT INTO "values" VALUES (?,?,?,?,?,?,?,?)',
            [(sid, v.indicator, v.value, v.raw, v.sheet, v.cell, v.remark, v.remark_cell) for v in values],
        )
        self.conn.executemany(
            "INSERT INTO details VALUES (?,?,?,?,?,?)",
            [(sid, d.list_code, d.sheet, d.row, json.dumps(d.values, ensure_ascii=False, default=str),
              json.dumps(d.raw, ensure_ascii=False, default=str)) for d in details],
        )
        return sid

    def set_verdict(self, submission_id: int, verdict: str) -> None:
        self.conn.execute("UPDATE submissions SET verdict=? WHERE id=?", (verdict, submission_id))

    def problems_of(self, submission_id: int) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT * FROM problems WHERE submission_id=? ORDER BY rowid", (submission_id,)).fetchall()

    def candidates(self, reporter: str, period: str) -> list[Submission]:
        """Accepted or superseded versions of one reporter's form for one period."""
        rows = self.conn.execute(
            "SELECT * FROM submissions WHERE reporter=? AND period=? AND verdict IN (?,?) ORDER BY id",
            (reporter, period, ACCEPTED, SUPERSEDED)).fetchall()
        return [self._submission(r) for r in rows]

    def resolve_versions(self, reporter: str, period: str) -> int | None:
        """Make the newest version count and mark the others superseded; return its id.

        Newest means: latest 填报日期, then latest file time, then latest arrival. When a
        version has no (believable) 填报日期, dates cannot be compared and file time and
        arrival decide. Nothing is deleted: superseded versions stay in the ledger and
        the archive.
        """
        versions = self.candidates(reporter, period)
        if not versions:
            return None
        dated = all(s.filled_on for s in versions)
        newest = max(versions, key=lambda s: ((s.filled_on if dated else date.min),
                                              s.file_mtime or datetime.min, s.id))
        for s in versions:
            wanted = ACCEPTED if s.id == newest.id else SUPERSEDED
            if s.verdict != wanted:
                self.set_verdict(s.id, wanted)
        return newest.id

    def submissions(self, period: str | None = None) -> list[Submission]:
        """Every file recorded for ``period`` (all periods and unidentified files when None)."""
        if period is None:
            rows = self.conn.execute("SELECT * FROM submissions ORDER BY id").fetchall()
        else:
            rows = self.conn.execute(
                "SELECT * FROM submissions WHERE period=? ORDER BY id", (period,)).fetchall()
        return [self._submission(r) for r in rows]

    def latest_accepted(self, period: str) -> list[Submission]:
        """The one counting submission per reporter (supersession keeps one accepted)."""
        return [s for s in self.submissions(period) if s.verdict == ACCEPTED]

    def accepted_values(self, period: str) -> list[ReportedValue]:
        """Values of the latest accepted submission of each reporter for ``period``."""
        rows = self.conn.execute(
            'SELECT v.*, s.reporter, s.reporter_kind, s.period, s.file, s.received_at '
            'FROM "values" v JOIN submissions s ON s.id = v.submission_id '
            "WHERE s.period=? AND s.verdict=? ORDER BY s.id, v.rowid", (period, ACCEPTED)).fetchall()
        return [
            ReportedValue(r["reporter"], r["reporter_kind"], r["indicator"], r["period"], r["value"],
                          r["raw"], r["remark"], r["file"], r["sheet"], r["cell"],
                          _dt(r["received_at"]), r["submission_id"])
            for r in rows
        ]

    def detail_rows(self, period: str) -> list[tuple[str, DetailRow, str]]:
        rows = self.conn.execute(
            "SELECT d.*, s.reporter, s.file FROM details d JOIN submissions s ON s.id = d.submission_id "
            "WHERE s.period=? AND s.verdict=? ORDER BY s.id, d.rowid", (period, ACCEPTED)).fetchall()
        return [
            (r["reporter"], DetailRow(r["list_code"], r["sheet"], r["row"], json.loads(r["values"]),
                                      json.loads(r["raw"] or "{}")), r["file"])
            for r in rows
        ]

    def file_problems(self, period: str | None = None) -> list[FileProblem]:
        sql = ("SELECT p.*, s.file, s.reporter, s.period, s.verdict, s.received_at FROM problems p "
               "JOIN submissions s ON s.id = p.submission_id")
        args: tuple = ()
        if period is not None:
            sql += " WHERE s.period=?"
            args = (period,)
        rows = self.conn.execute(sql + " ORDER BY s.id, p.rowid", args).fetchall()
        return [
            FileProblem(r["file"], r["reporter"], r["period"], r["verdict"], r["severity"],
                        r["sheet"] or "", r["cell"] or "", r["message"], _dt(r["received_at"]))
            for r in rows
        ]

    def counts(self) -> dict[str, int]:
        """Row counts per table (tests use it to prove a re-run changes nothing)."""
        tables = ["forms", "blobs", "submissions", "problems", '"values"', "details"]
        return {t.strip('"'): self.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}

    @staticmethod
    def _submission(row: sqlite3.Row) -> Submission:
        return Submission(
            row["id"], row["file"], row["original_name"], row["sha256"], row["reporter"],
            row["reporter_kind"], row["period"], row["form_id"], row["verdict"],
            _dt(row["received_at"]), _dt(row["file_mtime"]), _d(row["filled_on"]),
            row["filled_by"] or "", row["phone"] or "", row["signature"] or "", row["duplicate_of"],
        )
