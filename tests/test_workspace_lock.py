"""Two clerks, one workspace: one writer at a time, told who holds it; a safe journal on a share."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from tests.collect.test_collector import fill, good_values, ws  # noqa: F401
from wjexcel.errors import WorkspaceError
from wjexcel.workspace import lock as L
from wjexcel.workspace.ledger import Ledger


def cli(*args, env=None, **kw):
    return subprocess.Popen([sys.executable, "-m", "wjexcel", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8", env={**os.environ, **(env or {})}, **kw)


def as_user(name: str) -> dict:
    """The environment of a process run by ``name`` (how the OS names the user on POSIX)."""
    return {"LOGNAME": name, "USER": name, "USERNAME": name}


def test_a_second_writer_is_told_who_holds_the_workspace(ws, monkeypatch):
    monkeypatch.setenv("LOGNAME", "王晓明")
    fill(ws, "七都镇", ws.inbox / "七都镇.xlsx", good_values(ws, "七都镇"))
    with ws.lock("收集"):
        started = datetime.fromisoformat(json.loads((ws.state / L.LOCK_FILE).read_text(encoding="utf-8"))["started"])
        other = cli("collect", "--json", "-w", ws.root, env=as_user("李华"))
        out, err = other.communicate(timeout=120)
    assert other.returncode == 1 and out == ""
    assert f"王晓明正在收集，开始于 {started:%H:%M}" in err and "Traceback" not in err
    with Ledger.open(ws) as ledger:
        assert ledger.submissions() == []  # the refused run recorded nothing
    assert not (ws.state / L.LOCK_FILE).exists()  # released
    done = cli("collect", "--json", "-w", ws.root, env=as_user("李华"))
    assert json.loads(done.communicate(timeout=300)[0])[0]["status"] == "accepted"


def test_the_lock_is_reentrant_within_one_run(ws):
    with ws.lock("一键汇总"):
        with ws.lock("收集"):
            assert (ws.state / L.LOCK_FILE).exists()
        assert (ws.state / L.LOCK_FILE).exists()
    assert not (ws.state / L.LOCK_FILE).exists()


def _write_lock(ws, **info):
    data = {"user": "王晓明", "host": socket.gethostname(), "pid": os.getpid(), "action": "收集",
            "started": datetime.now().isoformat(timespec="seconds"), "token": "t0"} | info
    (ws.state / L.LOCK_FILE).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_a_lock_left_by_a_process_that_ended_is_cleared(ws):
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    _write_lock(ws, pid=int(ended.stdout))
    with ws.lock("收集"):
        held = json.loads((ws.state / L.LOCK_FILE).read_text(encoding="utf-8"))
        assert held["pid"] == os.getpid() and held["token"] != "t0"
    assert not list(ws.state.glob("*.stale"))


def test_a_lock_from_another_pc_holds_until_it_is_stale(ws):
    _write_lock(ws, host="财政局-PC", pid=1)
    with pytest.raises(WorkspaceError, match="王晓明（电脑 财政局-PC）正在收集，开始于"):
        with ws.lock("汇总"):
            pass
    old = time.time() - L.STALE_SECONDS - 60
    os.utime(ws.state / L.LOCK_FILE, (old, old))  # its holder stopped refreshing it long ago
    with ws.lock("汇总"):
        assert json.loads((ws.state / L.LOCK_FILE).read_text(encoding="utf-8"))["action"] == "汇总"


def test_clearing_a_stale_lock_never_removes_a_fresh_one(ws):
    """Two clerks saw the same stale lock; the first replaced it: the second must not take the new one away."""
    _write_lock(ws, token="fresh")
    L._clear_stale(ws.state / L.LOCK_FILE, {"token": "stale"})
    assert json.loads((ws.state / L.LOCK_FILE).read_text(encoding="utf-8"))["token"] == "fresh"
    assert not list(ws.state.glob("*.stale"))


def test_two_collects_at_once_leave_a_sound_ledger(ws, tmp_path):
    for reporter in ("七都镇", "桃源镇", "震泽镇", "平望镇", "吴江开发区", "汾湖高新区（黎里镇）"):
        fill(ws, reporter, ws.inbox / f"{reporter}.xlsx", good_values(ws, reporter))
    runs = [cli("collect", "--json", "-w", ws.root, env=as_user(name)) for name in ("王晓明", "李华")]
    results = [run.communicate(timeout=600) for run in runs]
    ran = 0
    for run, (out, err), other in zip(runs, results, ("李华", "王晓明")):
        assert "Traceback" not in err
        if out:
            ran += 1
            assert all(item["status"] == "accepted" for item in json.loads(out))
        else:
            assert run.returncode == 1 and f"{other}正在收集" in err
    assert ran >= 1
    with Ledger.open(ws) as ledger:
        assert ledger.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        subs = ledger.submissions()
    assert sorted(Path(s.file).name for s in subs) == sorted(p.name for p in ws.inbox.iterdir())
    assert {s.verdict for s in subs} == {"accepted"}


def test_the_ledger_uses_a_journal_safe_on_a_network_share(ws):
    with sqlite3.connect(ws.ledger_path) as conn:  # a ledger an earlier wjexcel left in WAL mode
        assert conn.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
    conn.close()
    with Ledger.open(ws) as ledger:
        assert ledger.conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert ledger.conn.execute("PRAGMA temp_store").fetchone()[0] == 2  # savepoint journals in memory
    assert not Path(f"{ws.ledger_path}-wal").exists() and not Path(f"{ws.ledger_path}-shm").exists()
