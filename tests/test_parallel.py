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
from wjexcel.parallel import MAX_SETTING, MIN_ITEMS_SPAWNED, Lanes, results, usable_cpus, workers_for
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
    assert workers_for(1000) == min(usable_cpus(), 4)
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
    with Lanes(2, _context, (str(ran),)) as lanes:
        ticket = lanes.submit(_append_then_fail, 2)
        with pytest.raises(OSError, match="No space left"):
            lanes.result(ticket)
        assert lanes.result(lanes.submit(_append_then_fail, 5)) == 5  # the lane goes on
    assert ran.read_text(encoding="utf-8").split() == ["2", "5"]


def test_a_worker_dying_still_gives_every_result_in_order(tmp_path):
    calls = []
    done = results(_die_in_a_worker, range(8), _context, ("",), workers=2, progress=calls.append)
    assert done == [i * 10 for i in range(8)]
    assert calls == list(range(1, 9))


def _pid_or_die(context, item):
    """The process's id; ``("die", flag)``: end this worker once ``flag`` exists."""
    import time

    if isinstance(item, tuple):
        while not os.path.exists(item[1]):
            time.sleep(0.01)
        os._exit(1)
    return os.getpid()


def test_a_dead_worker_ends_only_its_own_lane(tmp_path):
    """The jobs sent to a worker that died are the caller's to do (``died``); the other worker
    goes on with its own, and takes every job sent from then on."""
    died, flag = object(), tmp_path / "die"
    with Lanes(2, _context, ("",)) as lanes:
        fatal = lanes.submit(_pid_or_die, ("die", str(flag)))  # the first lane (both idle)
        other = lanes.submit(_pid_or_die, 1)  # the second (fewer jobs waiting)
        behind = lanes.submit(_pid_or_die, 2)  # the first again, behind the job that will kill it
        first, second = lanes._lanes
        assert list(first.tickets) == [fatal, behind] and list(second.tickets) == [other]
        flag.touch()
        assert lanes.result(fatal, died) is died and lanes.result(behind, died) is died
        assert lanes.result(other) == second.process.pid
        later = [lanes.submit(_pid_or_die, n) for n in range(4)]
        assert {lanes.result(t) for t in later} == {second.process.pid}
        assert lanes.available and not first.live
    assert not lanes.available and lanes.submit(_pid_or_die, 1) is None


def test_no_workers_means_the_caller_does_every_job():
    with Lanes(1, _context, ("",)) as lanes:
        assert not lanes.available and lanes.submit(_pid, 0) is None
    assert results(_pid, range(3), _context, ("",), workers=1) == [os.getpid()] * 3


def _sleep(context, seconds):
    import time

    time.sleep(seconds)
    return seconds


def test_closing_ends_a_worker_busy_with_a_job_nobody_waits_for():
    """A run that stops half-way (out of time, the disk full) does not wait for the jobs it sent ahead."""
    import time

    lanes = Lanes(2, _context, ("",))
    assert lanes.result(lanes.submit(_sleep, 0)) == 0
    lanes.submit(_sleep, 60).cancel()
    processes = [lane.process for lane in lanes._lanes]
    start = time.monotonic()
    lanes.close()
    assert time.monotonic() - start < 10
    assert not any(p.is_alive() for p in processes)
