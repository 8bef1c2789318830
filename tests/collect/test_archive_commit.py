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


# --- files read by worker processes ----------------------------------------------------------------
ALL_TOWNS = ("吴江开发区", "汾湖高新区（黎里镇）", "吴江高新区（盛泽镇）", "东太湖度假区（太湖新城）",
             "七都镇", "桃源镇", "震泽镇", "平望镇")


@pytest.fixture
def kept_here(monkeypatch):
    """The hashes this process wrote into the archive itself (rather than sealing a worker's ``.part``)."""
    real = Archive.store_bytes
    kept = []

    def store_bytes(self, sha256, data):
        kept.append(sha256)
        return real(self, sha256, data)

    monkeypatch.setattr(Archive, "store_bytes", store_bytes)
    return kept


def test_files_read_by_workers_are_written_and_flushed_there_and_sealed_here(ws, every_commit_checked, kept_here):
    for town in ALL_TOWNS:
        fill(ws, town, ws.inbox / f"{town}.xlsx", good_values(ws, town))
    result = collect(ws, workers=2)
    assert [v.status.value for v in result.verdicts] == ["accepted"] * len(ALL_TOWNS), result.verdicts
    assert kept_here == []  # every file was written by the worker that read it
    # right after every commit the records name only whole, sealed files; at a commit a worker
    # may be writing a file read ahead, which no record names yet (its name says it is a reader's)
    records = [found for found in every_commit_checked if not any(f.startswith("unsealed") for f in found)]
    at_commit = [f for found in every_commit_checked for f in found if f.startswith("unsealed")]
    assert all(found == [] for found in records), records
    assert all(f.endswith(".read.part") for f in at_commit), at_commit
    assert not parts(ws)
    kept = {p.name: p.read_bytes() for p in ws.archive.rglob("*") if p.is_file()}
    assert kept == {hashlib.sha256(b).hexdigest(): b for b in (p.read_bytes() for p in ws.inbox.iterdir())}


def test_files_read_ahead_then_left_for_the_next_run_leave_nothing_in_the_archive(ws, kept_here, monkeypatch):
    for town in ALL_TOWNS:
        fill(ws, town, ws.inbox / f"{town}.xlsx", good_values(ws, town))
    real, named = Archive.reserve, []
    monkeypatch.setattr(Archive, "reserve", lambda self, sha: named.append(real(self, sha)) or named[-1])
    first = collect(ws, workers=2, time_budget=0.0)  # the first file is judged, the rest wait
    assert len(named) == len(ALL_TOWNS) and None not in named  # all were read ahead, each into a .part
    statuses = [v.status.value for v in first.verdicts]
    assert statuses == ["accepted"] + ["deferred"] * (len(ALL_TOWNS) - 1), statuses
    assert not parts(ws)  # the files the workers had read and written ahead are gone again
    assert [p.name for p in ws.archive.rglob("*") if p.is_file()] == [s.sha256 for s in _submissions(ws)]
    again = collect(ws, workers=2)
    assert [v.status.value for v in again.verdicts] == ["accepted"] * len(ALL_TOWNS)
    assert sum(v.unchanged for v in again.verdicts) == 1
    assert len(_submissions(ws)) == len(ALL_TOWNS)
    assert unsound_archive_files(ws) == [] and not parts(ws)


def test_a_file_the_archive_holds_already_is_not_written_again_by_a_worker(ws, kept_here):
    """A crash after sealing, before the commit: the next run, with workers, trusts the whole copy."""
    for town in ALL_TOWNS:
        fill(ws, town, ws.inbox / f"{town}.xlsx", good_values(ws, town))
    before = ws.state / "before.sqlite"
    shutil.copyfile(ws.ledger_path, before)
    collect(ws, workers=2)
    os.replace(before, ws.ledger_path)
    kept = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in ws.archive.rglob("*") if p.is_file()}
    assert len(kept) == len(ALL_TOWNS)
    kept_here.clear()
    again = collect(ws, workers=2)
    assert sorted(v.status.value for v in again.verdicts) == ["accepted"] * len(ALL_TOWNS)
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in ws.archive.rglob("*") if p.is_file()} == kept
    assert len(kept_here) == len(ALL_TOWNS)  # checked whole here (size and hash), never rewritten
    assert unsound_archive_files(ws) == [] and not parts(ws)


def test_a_workers_file_that_cannot_be_sealed_is_kept_here_instead(ws, kept_here, monkeypatch):
    """The archive refusing to seal a worker's file (a scanner holding it, say): that .part is
    removed and this process keeps the bytes itself, the usual way; nothing is lost or left."""
    for town in ALL_TOWNS:
        fill(ws, town, ws.inbox / f"{town}.xlsx", good_values(ws, town))
    real = Archive._seal

    def refuse_the_workers(part, target):
        if part.name.endswith(".read.part"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(part))
        real(part, target)

    monkeypatch.setattr(Archive, "_seal", staticmethod(refuse_the_workers))
    result = collect(ws, workers=2)
    assert [v.status.value for v in result.verdicts] == ["accepted"] * len(ALL_TOWNS) and not result.stopped
    assert sorted(kept_here) == sorted(s.sha256 for s in _submissions(ws))  # each one kept by this process
    assert unsound_archive_files(ws) == [] and not parts(ws)
    kept = {p.name: p.read_bytes() for p in ws.archive.rglob("*") if p.is_file()}
    assert kept == {hashlib.sha256(b).hexdigest(): b for b in (p.read_bytes() for p in ws.inbox.iterdir())}


def _submissions(ws):
    with Ledger.open(ws) as ledger:
        return ledger.submissions()


def test_a_killed_runs_parts_are_removed_where_the_next_run_keeps_files(ws):
    """A run killed mid-way leaves .part files (its own, or its workers'); the next run that keeps a
    file in such a folder removes the old ones, and leaves a fresh one alone."""
    import time

    fill(ws, "七都镇", ws.inbox / "七都镇.xlsx", good_values(ws, "七都镇"))
    sha = hashlib.sha256((ws.inbox / "七都镇.xlsx").read_bytes()).hexdigest()
    folder = ws.archive / sha[:2]
    folder.mkdir(parents=True)
    dead = [folder / f"{sha}.4242.0badf00d.read.part", folder / f"{'0' * 64}.4242.0badf00d.part"]
    for part in dead:
        part.write_bytes(b"half a file")
        os.chmod(part, stat.S_IREAD)  # a seal that failed half-way leaves it read-only
        os.utime(part, (time.time() - 3600, time.time() - 3600))
    fresh = folder / f"{'1' * 64}.4343.0badf00d.part"
    fresh.write_bytes(b"")
    other = "00" if sha[:2] != "00" else "01"
    kept_elsewhere = ws.archive / other / f"{other * 32}.4242.0badf00d.part"  # a folder this run does not touch
    kept_elsewhere.parent.mkdir()
    kept_elsewhere.write_bytes(b"")
    os.utime(kept_elsewhere, (time.time() - 3600, time.time() - 3600))
    result = collect(ws)
    assert [v.status.value for v in result.verdicts] == ["accepted"]
    assert not any(p.exists() for p in dead) and fresh.exists() and kept_elsewhere.exists()
    assert unsound_archive_files(ws) == []
