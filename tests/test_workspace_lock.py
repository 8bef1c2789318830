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

from tests.collect.test_collector import fill, generated, good_values, ws  # noqa: F401
from wjexcel.errors import WorkspaceError
from wjexcel.workspace import lock as L
from wjexcel.workspace.ledger import Ledger


def cli(*args, env=None, **kw):
    return subprocess.Popen([sys.executable, "-m", "wjexcel", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8", env={**os.environ, **(env or {})}, **kw)


def as_user(name: str) -> dict:
    """The environment of a process run by ``name`` (how the OS names the user on POSIX)."""
    return {"LOGNAME": name, "USER": name, "USERNAME": name}




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



