"""Worker processes started the way Windows starts them (a fresh interpreter each), through the real CLI."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import subprocess
import sys

import pytest

from wjexcel.demo.fill import fill_form
from wjexcel.parallel import MAX_SETTING, MIN_ITEMS_SPAWNED, SPARE_WORKER, Workers, results, usable_cpus, workers_for
from wjexcel.plan.workbook import workspace_plan


def _cli(*args, env):
    return subprocess.run([sys.executable, "-m", "wjexcel", *map(str, args)], env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=300)


def test_spawned_workers_generate_and_collect_through_the_cli(make_workspace):
    ws = make_workspace()
    env = {**os.environ, "WJEXCEL_WORKERS": "2", "WJEXCEL_WORKER_START": "spawn", "PYTHONIOENCODING": "utf-8"}
    done = _cli("generate", "-w", ws.root, "-p", "2022Q3", "--yes", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    forms = sorted((ws.outbox / "2022Q3").glob("2022Q3_*.xlsx"))
    assert len(forms) >= 18 and "已生成 2022Q3 填报表" in done.stdout
    plan = workspace_plan(ws)
    names = {i.code: i.name for i in plan.indicators}
    for form in forms[:6]:
        fill_form(form, ws.inbox / form.name, {i.code: 5 for i in plan.indicators}, names=names,
                  signer={"填报人": "张三", "联系电话": "0512-63001234", "填报日期": "2022-10-08", "审核人": "李四"})
    shutil.copy(ws.inbox / forms[0].name, ws.inbox / "重复发来的.xlsx")
    done = _cli("collect", "-w", ws.root, "--json", env=env)
    verdicts = json.loads(done.stdout)
    assert [v["status"] for v in verdicts].count("accepted") == 6, verdicts
    assert [v["status"] for v in verdicts].count("duplicate") == 1


def _pid(context, item):
    return os.getpid()


def test_spawned_workers_do_the_jobs_in_processes_of_their_own(monkeypatch):
    """Started as Windows starts them, the workers (not this process) do every job."""
    monkeypatch.setenv("WJEXCEL_WORKER_START", "spawn")
    pids = results(_pid, list(range(6)), _context, ("",), workers=2)
    assert len(pids) == 6 and os.getpid() not in pids


def test_how_many_workers(monkeypatch):
    monkeypatch.delenv("WJEXCEL_WORKERS", raising=False)
    assert workers_for(10) == 1  # a district's twenty files: starting workers costs more than it saves
    cores = min(usable_cpus(), 4)
    monkeypatch.setenv("WJEXCEL_WORKER_START", "fork")
    assert workers_for(1000) == (cores + SPARE_WORKER if cores > 1 else 1)  # forked: one waits on the disk
    assert workers_for(60) == min(workers_for(1000), 3)  # one per twenty files at most
    monkeypatch.setenv("WJEXCEL_WORKER_START", "forkserver")
    assert workers_for(1000) == cores  # a worker that starts afresh: no spare
    monkeypatch.delenv("WJEXCEL_WORKER_START")
    monkeypatch.setenv("WJEXCEL_WORKERS", "1")
    assert workers_for(1000) == 1
    monkeypatch.setenv("WJEXCEL_WORKERS", "3")
    assert workers_for(2) == 2 and workers_for(10) == 3
    monkeypatch.setenv("WJEXCEL_WORKERS", "64")
    assert workers_for(1000) == MAX_SETTING == 61  # Windows waits on at most 61 worker processes


def test_workers_only_where_they_pay(monkeypatch):
    """Workers started afresh (as on Windows) wait for more files; a process held to one core
    starts none, however many the machine has."""
    monkeypatch.delenv("WJEXCEL_WORKERS", raising=False)
    monkeypatch.setenv("WJEXCEL_WORKER_START", "spawn")
    assert workers_for(MIN_ITEMS_SPAWNED - 1) == 1
    assert workers_for(1000) == min(usable_cpus(), 4)
    if not hasattr(os, "sched_setaffinity"):
        pytest.skip("no CPU affinity on this system")
    code = ("import os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}); "
            "from wjexcel.parallel import usable_cpus, workers_for; print(usable_cpus(), workers_for(1000))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={k: v for k, v in os.environ.items() if k != "WJEXCEL_WORKERS"})
    assert done.stdout.split() == ["1", "1"]


def _context(path):
    return path


def _append_then_fail(path, item):
    with open(path, "a", encoding="utf-8") as f:
        f.write(f"{item}\n")
    if item == 2:
        raise OSError(28, "No space left on device")
    return item


def _die_in_a_worker(path, item):
    if item == 3 and multiprocessing.parent_process() is not None:
        os._exit(1)
    return item * 10


def test_a_jobs_own_error_is_raised_once_not_redone_here(tmp_path):
    ran = tmp_path / "ran.txt"
    with pytest.raises(OSError, match="No space left"):
        results(_append_then_fail, range(6), _context, (str(ran),), workers=2)
    assert ran.read_text(encoding="utf-8").split().count("2") == 1
    ran.unlink()
    with Workers(2, _context, (str(ran),)) as pool:
        future = pool.submit(_append_then_fail, 2)
        with pytest.raises(OSError, match="No space left"):
            Workers.result(future)
    assert ran.read_text(encoding="utf-8").split() == ["2"]


def test_a_worker_dying_still_gives_every_result_in_order(tmp_path):
    calls = []
    done = results(_die_in_a_worker, range(8), _context, ("",), workers=2, progress=calls.append)
    assert done == [i * 10 for i in range(8)]
    assert calls == list(range(1, 9))


def test_a_job_cancelled_when_the_workers_stopped_is_done_here():
    """A pool shut down with its queue cancelled (a worker could not start): the caller is told to do
    the job itself, never handed a CancelledError."""
    from concurrent.futures import Future

    cancelled = Future()
    assert cancelled.cancel()
    assert Workers.result(cancelled) is None
    done = Future()
    done.set_result(("read", None))
    assert Workers.result(done) == ("read", None)
