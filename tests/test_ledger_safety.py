"""A lost or damaged ledger is never silently made anew: rolling backups, a check on open, one way back."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

from tests.collect.test_collector import PERIOD, fill, good_values, ws  # noqa: F401
from wjexcel.collect.collector import collect
from wjexcel.workspace import backup


def wjexcel(*args, stdin: str | None = None):
    return subprocess.run([sys.executable, "-m", "wjexcel", *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", input=stdin, timeout=300)


def reported(ws) -> str:
    return wjexcel("status", "-p", PERIOD, "-w", ws.root).stdout


def test_writing_commands_keep_a_few_good_backups(ws):
    for n in range(backup.KEEP + 2):
        fill(ws, "七都镇", ws.inbox / f"七都镇{n}.xlsx", dict(good_values(ws, "七都镇"), **{"4-1": n + 1}))
        collect(ws)
    kept = backup.backups(ws)
    assert 1 < len(kept) <= backup.KEEP
    for copy in kept:  # each one a whole SQLite database, read by SQLite itself
        conn = sqlite3.connect(copy)
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("SELECT COUNT(*) FROM forms").fetchone()[0] > 0
        conn.close()


def test_a_deleted_or_emptied_ledger_is_refused_then_restored(ws):
    fill(ws, "七都镇", ws.inbox / "七都镇.xlsx", good_values(ws, "七都镇"))
    collect(ws)
    collect(ws)  # the second writing command backs up what the first one recorded
    assert "已报送 1 家" in reported(ws)
    for damage in ("delete", "empty"):
        if damage == "delete":
            ws.ledger_path.unlink()
        else:
            ws.ledger_path.write_bytes(b"")
        done = wjexcel("status", "-p", PERIOD, "-w", ws.root)
        assert done.returncode == 1 and "已报送 0 家" not in done.stdout
        assert "没有新建空台账" in done.stderr and "wjexcel restore" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
        assert (ws.ledger_path.exists() and ws.ledger_path.stat().st_size == 0) if damage == "empty" \
            else not ws.ledger_path.exists()  # not made anew
        assert wjexcel("collect", "-w", ws.root).returncode == 1  # nor by a writing command
        restored = wjexcel("restore", "-w", ws.root, stdin="y\n")
        assert restored.returncode == 0 and "已用" in restored.stdout and "恢复工作区台账" in restored.stdout
        assert "已报送 1 家" in reported(ws)


def test_a_ledger_that_fails_its_check_is_neither_read_nor_written(ws):
    fill(ws, "七都镇", ws.inbox / "七都镇.xlsx", good_values(ws, "七都镇"))
    collect(ws)
    collect(ws)
    conn = sqlite3.connect(ws.ledger_path)
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name='values'").fetchone()[0]
    conn.close()
    data = bytearray(ws.ledger_path.read_bytes())
    start = (root - 1) * page
    data[start + 8:start + page] = bytes(range(256)) * ((page - 8) // 256) + bytes((page - 8) % 256)
    ws.ledger_path.write_bytes(bytes(data))
    before = ws.ledger_path.read_bytes()
    done = wjexcel("status", "-p", PERIOD, "-w", ws.root)
    assert done.returncode == 1 and "已损坏" in done.stderr and "wjexcel restore" in done.stderr, done.stderr
    assert wjexcel("collect", "-w", ws.root).returncode == 1
    assert ws.ledger_path.read_bytes() == before
    assert wjexcel("restore", "-y", "-w", ws.root).returncode == 0
    assert "已报送 1 家" in reported(ws)
    assert list(ws.state.glob("ledger.replaced-*.sqlite"))  # the damaged one is kept aside


def test_without_a_backup_no_message_names_one(ws):
    ws.ledger_path.unlink()
    done = wjexcel("status", "-p", PERIOD, "-w", ws.root)
    assert done.returncode == 1 and "没有可用的台账备份" in done.stderr
    assert "wjexcel restore" not in done.stderr and "v0-backup" not in done.stderr
    again = wjexcel("restore", "-y", "-w", ws.root)
    assert again.returncode == 1 and "没有可用的台账备份" in again.stderr


def test_a_new_workspace_still_gets_its_ledger(make_workspace):
    fresh = make_workspace(name="新工作区")
    done = wjexcel("status", "-p", PERIOD, "-w", fresh.root)
    assert done.returncode == 0 and "未报送" in done.stdout
