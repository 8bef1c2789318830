"""A committed record never names an archived file that is not whole and sealed.

Collect writes each received file's bytes at once and lets the disk's flush happen in the
background; the ledger waits for every pending file before it commits. These tests read
the committed ledger with a second SQLite connection right after every commit of real runs
(every unit committed on its own), and stop runs by a seal that fails at commit time.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from wjexcel.collect.collector import collect
from wjexcel.workspace.archive import Archive
from wjexcel.workspace.ledger import Ledger
from tests.collect.test_collector import by_file, fill, good_values, ws  # noqa: F401

TOWNS = ("七都镇", "平望镇", "震泽镇")


def unsound_archive_files(ws) -> list[str]:
    """What the committed ledger names in the archive that is not there whole, right and read-only."""
    conn = sqlite3.connect(f"file:{ws.ledger_path}?mode=ro", uri=True)
    try:
        blobs = conn.execute("SELECT sha256, size, archive_path FROM blobs").fetchall()
        orphans = conn.execute("SELECT COUNT(*) FROM submissions WHERE sha256 NOT IN (SELECT sha256 FROM blobs)")
        bad = [f"submission without blob: {n}" for (n,) in orphans if n]
    finally:
        conn.close()
    for sha, size, where in blobs:
        path = ws.root / where.split("!", 1)[0]
        if not path.is_file():
            bad.append(f"missing {where}")
        elif "!" not in where and (path.stat().st_size != size or hashlib.sha256(path.read_bytes()).hexdigest() != sha):
            bad.append(f"not whole {where}")
        elif path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            bad.append(f"not sealed {where}")
    return bad


@pytest.fixture
def every_commit_checked(monkeypatch, ws):
    """Each unit committed on its own; at each COMMIT SQLite runs, the archive holds no file still
    being written (its trace of statements), and right after it the committed ledger is checked."""
    real_batch, real_commit = Ledger.batch, Ledger._commit
    checked = []

    def at_commit(sql: str) -> None:
        if sql.strip().upper().startswith("COMMIT"):
            checked.append([f"unsealed at commit: {p.name}" for p in parts(ws)])

    def batch(self, seconds=1.0):
        self.conn.set_trace_callback(at_commit)
        return real_batch(self, 0)

    def commit(self, last=False):
        real_commit(self, last)
        checked.append(unsound_archive_files(self.ws))

    monkeypatch.setattr(Ledger, "batch", batch)
    monkeypatch.setattr(Ledger, "_commit", commit)
    return checked


def parts(ws) -> list[Path]:
    return list(ws.archive.rglob("*.part"))


def test_every_commit_names_only_whole_sealed_files(ws, every_commit_checked):
    for town in TOWNS:
        fill(ws, town, ws.inbox / f"{town}.xlsx", good_values(ws, town))
    result = collect(ws)
    assert [v.status for v in result.verdicts] == ["accepted"] * 3 and not result.stopped
    assert len(every_commit_checked) >= 2 * 4  # one commit per file, and the batch's last, each checked twice
    assert all(found == [] for found in every_commit_checked), every_commit_checked
    with Ledger.open(ws) as ledger:
        assert len(ledger.submissions()) == 3
    assert not parts(ws)


def test_a_seal_that_fails_at_commit_keeps_what_was_committed_and_leaves_the_rest(ws, every_commit_checked,
                                                                                  monkeypatch):
    for town in TOWNS:
        fill(ws, town, ws.inbox / f"{town}.xlsx", good_values(ws, town))
    real = Archive._seal
    sealed = []

    def full_at_the_second(part, target):
        if len(sealed) == 1:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(part))
        sealed.append(target)
        real(part, target)

    monkeypatch.setattr(Archive, "_seal", staticmethod(full_at_the_second))
    first = collect(ws)
    assert "磁盘空间不足" in first.stopped and "“.wjexcel/archive”" in first.stopped
    statuses = sorted(v.status.value for v in first.verdicts)
    assert statuses == ["accepted", "deferred", "deferred"], statuses  # the two not committed wait for the next run
    assert all("留待下次" in v.note for v in first.verdicts if v.deferred)
    assert all(found == [] for found in every_commit_checked), every_commit_checked
    with Ledger.open(ws) as ledger:
        recorded = ledger.submissions()
    assert [s.file for s in recorded] == [v.file for v in first.verdicts if v.status.value == "accepted"]
    assert [p for p in ws.archive.rglob("*") if p.is_file()] == sealed  # nothing half-written is left
    monkeypatch.setattr(Archive, "_seal", staticmethod(real))

    again = collect(ws)
    assert sorted(v.status.value for v in again.verdicts) == ["accepted"] * 3, again.verdicts
    assert unsound_archive_files(ws) == [] and not parts(ws)


def test_a_crash_between_sealing_and_committing_leaves_files_the_next_run_trusts(ws):
    for town in TOWNS:
        fill(ws, town, ws.inbox / f"{town}.xlsx", good_values(ws, town))
    before = ws.state / "before.sqlite"
    shutil.copyfile(ws.ledger_path, before)
    collect(ws)
    os.replace(before, ws.ledger_path)  # the files are sealed in the archive, their records never committed
    kept = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in ws.archive.rglob("*") if p.is_file()}
    assert len(kept) == 3

    again = collect(ws)
    assert sorted(v.status.value for v in again.verdicts) == ["accepted"] * 3
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in ws.archive.rglob("*") if p.is_file()} == kept
    assert unsound_archive_files(ws) == [] and not parts(ws)
