"""The ledger: one SQLite file in the workspace's state folder that remembers everything.

It records the forms sent (so forms already emailed stay valid after a re-generate), every
file received (its bytes kept by :mod:`~wjexcel.workspace.archive`), the verdict on it and
why, its located problems and every value it carried, in long form with provenance, and
the 退回 copy written for it. One transaction per file: an interrupted collect leaves no
half-recorded file behind. This module and :mod:`~wjexcel.workspace.schema` (its tables,
their version and the migrations from older ledgers) are the only ones that speak SQL.
"""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path, PurePosixPath

from wjexcel.problems import Code, Problem
from wjexcel.records import DetailRow, ReportedValue, Verdict
from wjexcel.workspace.archive import Archive
from wjexcel.workspace.schema import connect, disk_problem_of

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
    verdict: Verdict
    received_at: datetime
    file_mtime: datetime | None
    filled_on: date | None
    filled_by: str
    phone: str
    signature: str
    duplicate_of: int | None
    note: str = ""
    members_pending: bool = False
    sender: str = ""
    sent_at: datetime | None = None

    @property
    def sent_or_received(self) -> datetime:
        """When the reporter sent it: the mail's time, else when it was first collected."""
        return self.sent_at or self.received_at


@dataclass(frozen=True)
class FileProblem:
    """A located problem of a recorded file, for the 问题清单 sheet."""

    submission_id: int
    file: str
    reporter: str | None
    period: str | None
    verdict: Verdict
    severity: str
    sheet: str
    cell: str
    message: str
    received_at: datetime
    code: Code = Code.UNRECORDED


@dataclass(frozen=True)
class FinalRecord:
    """One 定稿 of a period: the file sent (relative to the workspace), its hash and archived copy."""

    id: int
    period: str
    version: int
    file: str
    sha256: str
    archive_path: str
    made_at: datetime


def _final(row: sqlite3.Row) -> FinalRecord:
    return FinalRecord(row["id"], row["period"], row["version"], row["file"], row["sha256"], row["archive_path"],
                       datetime.fromisoformat(row["made_at"]))


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


class Ledger:
    """Access to the workspace ledger. Use ``with Ledger.open(ws) as ledger:``."""

    def __init__(self, ws, conn: sqlite3.Connection):
        self.ws = ws
        self.conn = conn
        self.archive = Archive(ws)  # one per ledger: it knows the folders it made and the files it has pending
        self._batch_seconds: float | None = None
        self._committed = 0.0
        self._depth = 0

    @classmethod
    def using(cls, ws, ledger: "Ledger | None" = None):
        """``ledger`` when the caller has one open (as a context that leaves it open), else a new one for ``ws``."""
        return cls.open(ws) if ledger is None else nullcontext(ledger)

    @classmethod
    @contextmanager
    def open(cls, ws):
        conn = connect(ws)
        try:
            try:
                yield cls(ws, conn)
            except sqlite3.Error as exc:  # a full or read-only disk: said as the clerk's, with the folder
                problem = disk_problem_of(ws, exc)
                if problem is None:
                    raise
                raise problem from exc
        finally:
            conn.close()

    @contextmanager
    def transaction(self):
        """One atomic unit (one received file): all of it is recorded, or none.

        Inside :meth:`batch` it is a savepoint: it still stands or falls whole, and is
        committed with the batch.
        """
        if self._batch_seconds is None:
            with self.conn:
                yield self
            return
        name = f"unit{self._depth}"
        self._depth += 1
        self.conn.execute(f"SAVEPOINT {name}")
        try:
            yield self
        except BaseException:
            self.conn.execute(f"ROLLBACK TO {name}")
            self.conn.execute(f"RELEASE {name}")
            raise
        else:
            self.conn.execute(f"RELEASE {name}")
        finally:
            self._depth -= 1
        if self._depth == 0 and time.monotonic() - self._committed >= self._batch_seconds:
            self._commit()
            self.conn.execute("BEGIN")
            self._committed = time.monotonic()

    @contextmanager
    def batch(self, seconds: float = 1.0):
        """Commit the units recorded inside together, at most ``seconds`` apart.

        Committing costs the disk a flush; many small files in one run need not pay it
        each. A unit is committed at the first unit that ends ``seconds`` after the last
        commit, so a run that stops half-way loses the records since then (``seconds`` and
        the reading of one file at most); the next run reads those files again from 收回,
        where nothing is ever moved. Files archived inside are sealed in the background (:meth:`_commit`).
        """
        if self.conn.in_transaction:
            self.conn.commit()
        self.conn.execute("BEGIN")
        self._batch_seconds, self._committed = seconds, time.monotonic()
        self.archive.defer()
        try:
            yield self
        finally:
            self._batch_seconds = None
            self._commit(last=True)

    def _commit(self, last: bool = False) -> None:
        """Commit once every file archived so far is whole and sealed; else roll back (raising
        DiskProblem, and again at every commit of the batch: what it recorded since is gone)."""
        try:
            self.archive.settle(last)
        except BaseException:
            self.conn.rollback()
            if self._batch_seconds is not None:
                self.conn.execute("BEGIN")
            raise
        self.conn.commit()

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

    # --- deadlines (截止日期) ------------------------------------------------------------
    def record_deadline(self, period: str, due: date) -> None:
        """The period's 截止日期, set at generate (a re-generate sets it again)."""
        with self.conn:
            self.conn.execute("INSERT OR REPLACE INTO deadlines VALUES (?,?,?)",
                              (period, due.isoformat(), datetime.now().isoformat(timespec="seconds")))

    def deadline(self, period: str) -> date | None:
        row = self.conn.execute("SELECT due FROM deadlines WHERE period=?", (period,)).fetchone()
        return _d(row[0]) if row else None

    # --- archive ---------------------------------------------------------------------
    def archive_bytes(self, sha256: str, data: bytes, written: Path | None = None) -> str:
        """Keep the original bytes in the archive and record the blob; return its relative path.

        ``written``: the ``.part`` a reader process wrote ``data`` into and flushed (see
        :meth:`Archive.reserve`), sealed rather than written again.
        """
        rel = self.archive.adopt(sha256, written) if written is not None else None
        rel = rel or self.archive.store_bytes(sha256, data)
        self._blob(sha256, len(data), rel)
        return rel

    def archive_file(self, path: Path) -> str:
        """Archive a file too big to hold in memory (streamed); return its SHA-256."""
        sha, size = self.archive.store_file(path)
        self._blob(sha, size, self.archive.relative_path(sha))
        return sha

    def note_member_blob(self, sha256: str, size: int, container_sha256: str, member: str) -> None:
        """Record a blob kept only inside the archive that brought it: ``<its path>!<member>``."""
        row = self.conn.execute("SELECT archive_path FROM blobs WHERE sha256=?", (container_sha256,)).fetchone()
        where = row[0] if row else self.archive.relative_path(container_sha256)
        self.conn.execute("INSERT OR IGNORE INTO blobs VALUES (?,?,?,?)",
                          (sha256, size, f"{where}!{member}", datetime.now().isoformat(timespec="seconds")))

    def _blob(self, sha256: str, size: int, rel: str) -> None:
        """Record a blob kept in its own file (it may have been known only inside an archive)."""
        self.conn.execute(
            "INSERT INTO blobs VALUES (?,?,?,?) ON CONFLICT(sha256) DO UPDATE SET archive_path=excluded.archive_path "
            "WHERE instr(blobs.archive_path, '!') > 0",
            (sha256, size, rel, datetime.now().isoformat(timespec="seconds")))

    # --- submissions -----------------------------------------------------------------
    def find(self, file: str, sha256: str) -> Submission | None:
        row = self.conn.execute(
            "SELECT * FROM submissions WHERE file=? AND sha256=?", (file, sha256)).fetchone()
        return self._submission(row) if row else None

    def first_with_hash(self, sha256: str) -> Submission | None:
        row = self.conn.execute(
            "SELECT * FROM submissions WHERE sha256=? AND verdict != ? ORDER BY id LIMIT 1",
            (sha256, Verdict.DUPLICATE)).fetchone()
        return self._submission(row) if row else None

    def add_submission(self, *, sha256: str, file: str, original_name: str, file_mtime: datetime | None,
                       verdict: Verdict, reporter=None, reporter_kind=None, period=None, form_id=None,
                       filled_on: date | None = None, filled_by: str = "", phone: str = "",
                       signature: str = "", duplicate_of: int | None = None, note: str = "",
                       container_id: int | None = None, members_pending: bool = False,
                       problems=(), values=(), details=(), sender: str = "",
                       sent_at: datetime | None = None) -> int:
        """Record one file with why it got its verdict, its problems, values and detail rows; return its id.

        ``sender`` and ``sent_at`` are the mail's, for a mail and for whatever came in it."""
        verdict = Verdict(verdict)
        if verdict is Verdict.DEFERRED:
            raise ValueError("a file left for the next run is not recorded")
        cur = self.conn.execute(
            "INSERT INTO submissions (sha256, file, original_name, file_mtime, received_at, verdict,"
            " reporter, reporter_kind, period, form_id, filled_on, filled_by, phone, signature,"
            " duplicate_of, note, container_id, members_pending, sender, sent_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (sha256, file, original_name, file_mtime.isoformat(timespec="seconds") if file_mtime else None,
             datetime.now().isoformat(timespec="microseconds"), verdict.value, reporter, reporter_kind, period,
             form_id, filled_on.isoformat() if filled_on else None, filled_by or "", phone or "",
             signature or "", duplicate_of, note or "", container_id, int(members_pending), sender or "",
             sent_at.isoformat(timespec="seconds") if sent_at else None),
        )
        sid = cur.lastrowid
        self.conn.executemany(
            "INSERT INTO problems (submission_id, severity, sheet, cell, message, code) VALUES (?,?,?,?,?,?)",
            [(sid, p.severity, p.sheet, p.cell, p.message, p.code.value) for p in problems],
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

    def set_verdict(self, submission_id: int, verdict: Verdict) -> None:
        self.conn.execute("UPDATE submissions SET verdict=? WHERE id=?", (Verdict(verdict).value, submission_id))

    def set_members_pending(self, submission_id: int, pending: bool) -> None:
        """An archive's walk was cut short (some members wait for the next run), or is now complete."""
        with self.transaction():
            self.conn.execute("UPDATE submissions SET members_pending=? WHERE id=?", (int(pending), submission_id))

    def members_of(self, container_id: int) -> list[Submission]:
        """The files recorded from inside an archive, in the order they were judged."""
        rows = self.conn.execute("SELECT * FROM submissions WHERE container_id=? ORDER BY id", (container_id,))
        return [self._submission(r) for r in rows.fetchall()]

    def verdict_of(self, submission_id: int) -> Verdict | None:
        row = self.conn.execute("SELECT verdict FROM submissions WHERE id=?", (submission_id,)).fetchone()
        return Verdict(row[0]) if row else None

    def problems_of(self, submission_id: int, file: str = "") -> list[Problem]:
        """The recorded problems of one submission, named as ``file``."""
        rows = self.conn.execute(
            "SELECT * FROM problems WHERE submission_id=? ORDER BY rowid", (submission_id,)).fetchall()
        return [Problem(r["message"], r["sheet"] or "", r["cell"] or "", r["severity"], file,
                        code=Code.recorded(r["code"]))
                for r in rows]

    def accepted_submission(self, reporter: str, period: str) -> Submission | None:
        """The one submission of a reporter that counts for a period, if any."""
        row = self.conn.execute(
            "SELECT * FROM submissions WHERE reporter=? AND period=? AND verdict=? ORDER BY id DESC LIMIT 1",
            (reporter, period, Verdict.ACCEPTED)).fetchone()
        return self._submission(row) if row else None

    # --- 退回 copies --------------------------------------------------------------------
    def reserve_return_copy(self, submission_id: int, wanted: str, reusable=None) -> str:
        """A path for a submission's 退回 copy (relative to the workspace), unique among every
        copy recorded and every file on disk, recorded now; ``wanted`` with ``_2``, ``_3`` … if taken.

        ``reusable(path)`` may say a file on disk that no record names is this submission's own
        copy, left by a run that died before its records were committed: it is written again."""
        mine = self.return_copy(submission_id)
        if mine is not None:
            return mine
        base = PurePosixPath(wanted)
        candidate, n = wanted, 1
        while (self.conn.execute("SELECT 1 FROM return_copies WHERE path=?", (candidate,)).fetchone()
               or ((self.ws.root / candidate).exists()
                   and not (reusable is not None and reusable(self.ws.root / candidate)))):
            n += 1
            candidate = str(base.with_name(f"{base.stem}_{n}{base.suffix}"))
        self.conn.execute("INSERT INTO return_copies VALUES (?,?,?)",
                          (submission_id, candidate, datetime.now().isoformat(timespec="seconds")))
        return candidate

    def forget_return_copy(self, submission_id: int) -> None:
        """The copy could not be written after all."""
        self.conn.execute("DELETE FROM return_copies WHERE submission_id=?", (submission_id,))

    def return_copy(self, submission_id: int) -> str | None:
        row = self.conn.execute("SELECT path FROM return_copies WHERE submission_id=?", (submission_id,)).fetchone()
        return row[0] if row else None

    def return_copies(self, period: str) -> dict[int, str]:
        """``{submission id: 退回 copy path}`` of a period's rejected files."""
        rows = self.conn.execute(
            "SELECT r.submission_id, r.path FROM return_copies r JOIN submissions s ON s.id = r.submission_id "
            "WHERE s.period=?", (period,)).fetchall()
        return {r[0]: r[1] for r in rows}

    # --- 定稿 ------------------------------------------------------------------------------
    def record_final(self, period: str, file: str, sha256: str, archive_path: str, made_at: datetime,
                     figures, submissions) -> FinalRecord:
        """Record the next 定稿 version of ``period``: its file, the figures it showed
        (``(indicator, scope, name, value)``) and the submissions it used."""
        with self.transaction():
            version = self.conn.execute(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM finals WHERE period=?", (period,)).fetchone()[0]
            fid = self.conn.execute(
                "INSERT INTO finals (period, version, file, sha256, archive_path, made_at) VALUES (?,?,?,?,?,?)",
                (period, version, file, sha256, archive_path, made_at.isoformat(timespec="seconds"))).lastrowid
            self.conn.executemany("INSERT INTO final_figures VALUES (?,?,?,?,?)",
                                  [(fid, *figure) for figure in figures])
            self.conn.executemany("INSERT INTO final_submissions VALUES (?,?,?,?)",
                                  [(fid, s.id, s.reporter, s.sha256) for s in submissions])
        return self.final(period)

    def final(self, period: str) -> FinalRecord | None:
        """The latest 定稿 of ``period``, if it has one."""
        row = self.conn.execute("SELECT * FROM finals WHERE period=? ORDER BY version DESC LIMIT 1",
                                (period,)).fetchone()
        return _final(row) if row else None

    def finals(self) -> list[FinalRecord]:
        """Every 定稿 of every period, each period's versions in order."""
        rows = self.conn.execute("SELECT * FROM finals ORDER BY period, version").fetchall()
        return [_final(r) for r in rows]

    def final_figures(self, final_id: int) -> list[tuple[str, str, str | None, float | None]]:
        """``(indicator, scope, name, value)`` of every figure a 定稿 showed."""
        rows = self.conn.execute("SELECT indicator, scope, name, value FROM final_figures WHERE final_id=? "
                                 "ORDER BY rowid", (final_id,)).fetchall()
        return [tuple(r) for r in rows]

    def final_submissions(self, final_id: int) -> list[Submission]:
        """The submissions a 定稿 used."""
        rows = self.conn.execute("SELECT s.* FROM final_submissions f JOIN submissions s ON s.id = f.submission_id "
                                 "WHERE f.final_id=? ORDER BY s.id", (final_id,)).fetchall()
        return [self._submission(r) for r in rows]

    def latest_generated_period(self) -> str | None:
        """The period forms were last generated for (the one being worked on), if any."""
        row = self.conn.execute("SELECT period FROM forms ORDER BY generated_at DESC, rowid DESC LIMIT 1").fetchone()
        return row[0] if row else None

    def candidates(self, reporter: str, period: str) -> list[Submission]:
        """Accepted or superseded versions of one reporter's form for one period."""
        rows = self.conn.execute(
            "SELECT * FROM submissions WHERE reporter=? AND period=? AND verdict IN (?,?) ORDER BY id",
            (reporter, period, Verdict.ACCEPTED, Verdict.SUPERSEDED)).fetchall()
        return [self._submission(r) for r in rows]

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
        return [s for s in self.submissions(period) if s.verdict == Verdict.ACCEPTED]

    def accepted_values(self, period: str | None = None) -> list[ReportedValue]:
        """Values of the latest accepted submission of each reporter for ``period`` (every period when None)."""
        where, args = ("s.period=? AND s.verdict=?", (period, Verdict.ACCEPTED)) if period is not None else \
            ("s.period IS NOT NULL AND s.verdict=?", (Verdict.ACCEPTED,))
        rows = self.conn.execute(
            'SELECT v.*, s.reporter, s.reporter_kind, s.period, s.file, s.received_at '
            'FROM "values" v JOIN submissions s ON s.id = v.submission_id '
            f"WHERE {where} ORDER BY s.id, v.rowid", args).fetchall()
        return [
            ReportedValue(r["reporter"], r["reporter_kind"], r["indicator"], r["period"], r["value"],
                          r["raw"], r["remark"], r["file"], r["sheet"], r["cell"],
                          _dt(r["received_at"]), r["submission_id"])
            for r in rows
        ]

    def accepted_values_by_period(self) -> dict[str, list[ReportedValue]]:
        """Every period's counting values, by period code (what cross-period figures start from)."""
        out: dict[str, list[ReportedValue]] = {}
        for value in self.accepted_values():
            out.setdefault(value.period, []).append(value)
        return out

    def detail_rows(self, period: str) -> list[tuple[str, DetailRow, str]]:
        rows = self.conn.execute(
            "SELECT d.*, s.reporter, s.file FROM details d JOIN submissions s ON s.id = d.submission_id "
            "WHERE s.period=? AND s.verdict=? ORDER BY s.id, d.rowid", (period, Verdict.ACCEPTED)).fetchall()
        return [
            (r["reporter"], DetailRow(r["list_code"], r["sheet"], r["row"], json.loads(r["values"]),
                                      json.loads(r["raw"] or "{}")), r["file"])
            for r in rows
        ]

    def file_problems(self, period: str | None = None) -> list[FileProblem]:
        """Every recorded problem (of ``period``, or of all files), file by file in arrival order."""
        sql = ("SELECT p.*, s.file, s.reporter, s.period, s.verdict, s.received_at FROM problems p "
               "JOIN submissions s ON s.id = p.submission_id")
        args: tuple = ()
        if period is not None:
            sql += " WHERE s.period=?"
            args = (period,)
        rows = self.conn.execute(sql + " ORDER BY s.id, p.rowid", args).fetchall()
        return [
            FileProblem(r["submission_id"], r["file"], r["reporter"], r["period"], Verdict(r["verdict"]), r["severity"],
                        r["sheet"] or "", r["cell"] or "", r["message"], _dt(r["received_at"]),
                        Code.recorded(r["code"]))
            for r in rows
        ]

    def counts(self) -> dict[str, int]:
        """Row counts per table (tests use it to prove a re-run changes nothing)."""
        tables = ["forms", "blobs", "submissions", "problems", '"values"', "details", "return_copies"]
        return {t.strip('"'): self.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}

    @staticmethod
    def _submission(row: sqlite3.Row) -> Submission:
        return Submission(
            row["id"], row["file"], row["original_name"], row["sha256"], row["reporter"],
            row["reporter_kind"], row["period"], row["form_id"], Verdict(row["verdict"]),
            _dt(row["received_at"]), _dt(row["file_mtime"]), _d(row["filled_on"]),
            row["filled_by"] or "", row["phone"] or "", row["signature"] or "", row["duplicate_of"],
            row["note"] or "", bool(row["members_pending"]), row["sender"] or "", _dt(row["sent_at"]),
        )
