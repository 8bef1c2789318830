"""What a crash leaves: each leftover is cleaned, recorded or verified.

The states are made by real runs (a real process killed by a signal, or a real collect whose
ledger is then put back to what it was before the run, exactly what a kill between writing a
退回 copy and committing leaves)."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from wjexcel.collect.collector import collect
from wjexcel.workspace.archive import Archive
from wjexcel.workspace.ledger import Ledger
from tests.collect.test_collector import PERIOD, by_file, fill, good_values, ws  # noqa: F401


def wait_for(check, seconds: float = 60.0) -> bool:
    """Poll ``check`` until it holds (a wait for a process to act, not a measure of speed)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.1)
    return check()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is gone for every purpose here
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


def test_a_return_copy_written_before_a_crash_is_not_doubled(ws):
    fill(ws, "震泽镇", ws.inbox / "震泽镇.xlsx", dict(good_values(ws, "震泽镇"), **{"7-1": "约12"}))
    before = ws.state / "before.sqlite"
    shutil.copyfile(ws.ledger_path, before)
    first = by_file(collect(ws))["震泽镇.xlsx"]
    assert first.return_copy == "汇总/退回/2022Q4/震泽镇_退回.xlsx"
    os.replace(before, ws.ledger_path)  # the copy is on disk, its record never committed
    again = by_file(collect(ws))["震泽镇.xlsx"]
    assert again.return_copy == first.return_copy
    assert [p.name for p in ws.returns_dir(PERIOD).iterdir()] == ["震泽镇_退回.xlsx"]


def test_a_clerks_own_file_in_the_way_is_not_overwritten(ws):
    fill(ws, "震泽镇", ws.inbox / "震泽镇.xlsx", dict(good_values(ws, "震泽镇"), **{"7-1": "约12"}))
    ws.returns_dir(PERIOD).mkdir(parents=True)
    (ws.returns_dir(PERIOD) / "震泽镇_退回.xlsx").write_bytes(b"not ours")
    v = by_file(collect(ws))["震泽镇.xlsx"]
    assert v.return_copy == "汇总/退回/2022Q4/震泽镇_退回_2.xlsx"
    assert (ws.returns_dir(PERIOD) / "震泽镇_退回.xlsx").read_bytes() == b"not ours"


@pytest.mark.parametrize("left", [b"", b"PK\x03\x04 cut short"])
def test_an_empty_or_truncated_archive_copy_is_not_trusted(ws, left):
    path = fill(ws, "七都镇", ws.inbox / "七都镇.xlsx", good_values(ws, "七都镇"))
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    kept = Archive(ws).path(sha)
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.write_bytes(left)  # what a crash or a full disk left where the copy should be
    assert by_file(collect(ws))["七都镇.xlsx"].status == "accepted"
    assert kept.read_bytes() == data
    assert not list(ws.archive.rglob("*.part"))


def test_temporary_files_a_dead_run_left_are_removed(ws):
    from wjexcel.report.consolidate import consolidate

    ws.reports.mkdir(exist_ok=True)
    old = ws.reports / ".~wjx_abc123.xlsx"
    old.write_bytes(b"half a workbook")
    past = time.time() - 3600
    os.utime(old, (past, past))
    fill(ws, "七都镇", ws.inbox / "七都镇.xlsx", good_values(ws, "七都镇"))  # something to report
    collect(ws)
    consolidate(ws, PERIOD)
    assert not old.exists()
    assert not [p for p in ws.root.rglob(".~wjx_*")]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_workers_end_when_their_parent_is_killed(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent("""
        import os, sys, time
        from wjexcel import parallel

        def setup():
            return None

        def job(context, item):
            if item == "pid":
                return os.getpid()
            time.sleep(600)

        if __name__ == "__main__":
            with parallel.Workers(2, setup) as pool:
                pids = {pool.result(pool.submit(job, "pid")) for _ in range(8)}
                for _ in range(2):
                    pool.submit(job, "sleep")
                print(" ".join(map(str, sorted(pids))), flush=True)
                time.sleep(600)
    """), encoding="utf-8")
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    workers = [int(p) for p in parent.stdout.readline().split()]
    assert workers and all(alive(p) for p in workers)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    assert wait_for(lambda: not any(alive(p) for p in workers)), [p for p in workers if alive(p)]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_forms_written_before_a_kill_are_all_in_the_ledger(ws):
    root = ws.root
    run = subprocess.Popen([sys.executable, "-m", "wjexcel", "generate", "-p", "2022Q3", "-w", str(root)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    folder = root / "分发" / "2022Q3"
    assert wait_for(lambda: folder.is_dir() and any(folder.glob("2022Q3_*.xlsx")), 120)
    run.send_signal(signal.SIGKILL)
    run.wait()
    from openpyxl import load_workbook

    from wjexcel.workspace import Workspace

    ws = Workspace(root)
    written = sorted(folder.glob("2022Q3_*.xlsx"))
    assert written
    with Ledger.open(ws) as ledger:
        for form in written:
            meta = next(s for s in load_workbook(form, read_only=True).worksheets if s.title == "_wjexcel")
            form_id = next(r[1] for r in meta.iter_rows(values_only=True) if r[0] == "form_id")
            assert ledger.generated_form(form_id) is not None, form.name
