"""Locks that must clear, and locks that must not: a reused id, a restart, absurd ids, another PC's
clock, a folder or a stranger in the lock's place, an empty lock file. Each is handled, none is
程序内部出错, and no message promises what will not happen."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from datetime import datetime

import pytest

from tests.collect.test_collector import ws  # noqa: F401
from wjexcel.errors import WorkspaceError
from wjexcel.workspace import lock as L

PROMISE = "分钟后会自动解除"


def write_lock(ws, **info):
    data = {"user": "王晓明", "host": socket.gethostname(), "pid": os.getpid(), "action": "收集",
            "started": datetime.now().isoformat(timespec="seconds"), "token": "t0"} | info
    (ws.state / L.LOCK_FILE).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


@pytest.fixture
def live_process():
    """A real process that is alive, and not wjexcel."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    yield proc
    proc.kill()
    proc.wait()


def wjexcel(*args):
    return subprocess.run([sys.executable, "-m", "wjexcel", *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", timeout=300)


def takes(ws) -> bool:
    with ws.lock("收集"):
        return json.loads((ws.state / L.LOCK_FILE).read_text(encoding="utf-8"))["token"] != "t0"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process start times read from /proc")
def test_a_reused_process_id_does_not_hold_the_lock(ws, live_process):
    write_lock(ws, pid=live_process.pid, boot=L.boot_id(), pid_start="1")  # that id once named a wjexcel
    assert takes(ws)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel's boot id")
def test_a_lock_from_before_a_restart_is_cleared(ws, live_process):
    write_lock(ws, pid=live_process.pid, boot="00000000-0000-0000-0000-000000000000",
               pid_start=L.process_start(live_process.pid))
    assert takes(ws)


def test_a_live_holder_is_named_with_how_to_clear_and_no_false_promise(ws, live_process):
    write_lock(ws, pid=live_process.pid, boot=L.boot_id(), pid_start=L.process_start(live_process.pid))
    with pytest.raises(WorkspaceError) as caught:
        takes(ws)
    assert "王晓明正在收集" in str(caught.value) and "wjexcel unlock" in str(caught.value)
    assert PROMISE not in str(caught.value)
    refused = wjexcel("unlock", "-y", "-w", ws.root)  # a wjexcel still running here is not unlocked
    assert refused.returncode == 1 and "仍在本机运行" in refused.stderr
    assert (ws.state / L.LOCK_FILE).exists()


@pytest.mark.parametrize("pid", [-1, 0, 2 ** 70, "123", True])
def test_an_absurd_process_id_is_a_stranger_not_an_internal_error(ws, pid):
    write_lock(ws, pid=pid)
    done = wjexcel("collect", "-w", ws.root)
    assert done.returncode == 1 and "程序内部出错" not in done.stderr and "Traceback" not in done.stderr
    assert "不是 wjexcel 写的" in done.stderr and "wjexcel unlock" in done.stderr and PROMISE not in done.stderr
    cleared = wjexcel("unlock", "-y", "-w", ws.root)
    assert cleared.returncode == 0 and "已解除锁定" in cleared.stdout
    assert takes(ws)


def test_another_pcs_clock_ahead_makes_no_promise(ws):
    write_lock(ws, host="财政局-PC", pid=1)
    ahead = time.time() + 3600
    os.utime(ws.state / L.LOCK_FILE, (ahead, ahead))
    done = wjexcel("collect", "-w", ws.root)
    assert done.returncode == 1 and "时钟不准" in done.stderr and "wjexcel unlock" in done.stderr
    assert PROMISE not in done.stderr
    assert wjexcel("unlock", "-y", "-w", ws.root).returncode == 0
    assert takes(ws)


def test_a_folder_in_the_locks_place(ws):
    (ws.state / L.LOCK_FILE).mkdir()
    done = wjexcel("collect", "-w", ws.root)
    assert done.returncode == 1 and "程序内部出错" not in done.stderr and "文件夹" in done.stderr, done.stderr
    assert wjexcel("unlock", "-y", "-w", ws.root).returncode == 0
    assert not (ws.state / L.LOCK_FILE).exists() and list(ws.state.glob(f"{L.LOCK_FILE}.*.cleared"))
    assert takes(ws)


def test_an_empty_lock_file_does_not_block_the_next_run(ws):
    (ws.state / L.LOCK_FILE).write_bytes(b"")  # a crash between creating the lock and writing it
    with ws.lock("收集"):
        assert json.loads((ws.state / L.LOCK_FILE).read_text(encoding="utf-8"))["action"] == "收集"
