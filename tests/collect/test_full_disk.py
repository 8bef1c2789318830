"""The clerk's own disk: full, read-only, or refusing a write is the run's error, never a town's.

Where the tests may mount a file system (root, as in the project's containers) the workspace
sits on a real small tmpfs that is filled up, or 汇总 on one mounted read-only; elsewhere
those tests skip and the injected one (an ``OSError(ENOSPC)`` at the archive's one write)
still runs.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from wjexcel.collect.collector import collect
from wjexcel.periods import Period
from wjexcel.report.status import reporting_status
from wjexcel.workspace import Workspace
from wjexcel.workspace.archive import Archive
from wjexcel.workspace.ledger import Ledger
from tests.collect.test_collector import PERIOD, fill, good_values, ws  # noqa: F401

BLAME = "请让填报单位"


@contextmanager
def tmpfs(where: Path, size: str, *options: str):
    """A real tmpfs of ``size`` at ``where`` (skips the test where mounting is not allowed)."""
    where.mkdir(parents=True, exist_ok=True)
    opts = ",".join((f"size={size}", *options))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(where)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill_disk(folder: Path, leave: int = 12 * 1024) -> Path:
    """Fill the file system of ``folder`` until only about ``leave`` bytes are free."""
    filler = folder / "filler.bin"
    free = shutil.disk_usage(folder).free - leave
    with open(filler, "wb") as fh:
        try:
            fh.write(b"\0" * max(free, 0))
        except OSError:
            pass
    return filler


def wjexcel(*args: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("wjexcel")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, encoding="utf-8", timeout=300)


def leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".part") or p.name.startswith(".~wjx_")
            or p.name == "lock.json"]


def test_a_full_disk_stops_the_run_and_blames_no_town(ws, tmp_path):
    with tmpfs(tmp_path / "disk", "24m") as disk:
        shutil.copytree(ws.root, disk / "ws")
        small = Workspace(disk / "ws")
        fill(small, "七都镇", small.inbox / "七都镇.xlsx", good_values(small, "七都镇"))
        fill(small, "震泽镇", small.inbox / "震泽镇.xlsx", dict(good_values(small, "震泽镇"), **{"7-1": "约12"}))
        filler = fill_disk(disk)

        done = wjexcel("collect", "--json", "-w", str(small.root))
        assert done.returncode == 1
        items = json.loads(done.stdout)  # JSON, and only JSON, on stdout
        assert {Path(i["file"]).name for i in items} == {"七都镇.xlsx", "震泽镇.xlsx"}
        assert all(i["status"] == "ignored" and "留待下次" in i["reason"] for i in items)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("错误：") and "磁盘空间不足" in lines[0], done.stderr
        assert "无法写入“.wjexcel" in lines[0]
        assert "Traceback" not in done.stderr and BLAME not in done.stdout + done.stderr

        run = wjexcel("run", "-p", PERIOD, "-w", str(small.root))
        assert run.returncode == 1
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and "磁盘空间不足" in lines[0] and "Traceback" not in run.stderr, run.stderr
        assert BLAME not in run.stdout + run.stderr
        assert not leftovers(small.root)

        statuses = {s.reporter: s.status for s in reporting_status(small, Period.parse(PERIOD))}
        assert statuses["七都镇"] == statuses["震泽镇"] == "未报送"  # nothing was held against them

        filler.unlink()  # the clerk frees space: the next run takes up every file
        again = wjexcel("collect", "--json", "-w", str(small.root))
        verdicts = {Path(i["file"]).name: i["status"] for i in json.loads(again.stdout)}
        assert verdicts == {"七都镇.xlsx": "accepted", "震泽镇.xlsx": "rejected"}, again.stderr


def test_a_read_only_report_folder_is_the_runs_error(ws):
    fill(ws, "震泽镇", ws.inbox / "震泽镇.xlsx", dict(good_values(ws, "震泽镇"), **{"7-1": "约12"}))
    with tmpfs(ws.reports, "4m", "ro"):
        done = wjexcel("collect", "-w", str(ws.root))
        assert done.returncode == 1
        assert "Traceback" not in done.stderr and BLAME not in done.stdout + done.stderr
        assert "退回表已写入" not in done.stdout
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "无法写入“汇总" in lines[0] and "只读" in lines[0], done.stderr
        with Ledger.open(ws) as ledger:
            assert ledger.submissions(PERIOD) == []  # left for the next run, not recorded as returned
    again = collect(ws)
    assert [v.status for v in again.verdicts] == ["rejected"] and again.verdicts[0].return_copy


def test_an_injected_enospc_at_the_archive_write_defers_every_file(ws, monkeypatch):
    fill(ws, "七都镇", ws.inbox / "七都镇.xlsx", good_values(ws, "七都镇"))
    fill(ws, "平望镇", ws.inbox / "平望镇.xlsx", good_values(ws, "平望镇"))

    def full(part, target):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(part))

    monkeypatch.setattr(Archive, "_seal", staticmethod(full))
    result = collect(ws)
    assert "磁盘空间不足" in result.stopped and "“.wjexcel/archive”" in result.stopped
    assert all(v.deferred for v in result.verdicts) and len(result.verdicts) == 2
    assert not result.rejected and BLAME not in result.summary_text()
    assert not leftovers(ws.root)
    with Ledger.open(ws) as ledger:
        assert ledger.submissions() == []


def test_a_lock_file_the_disk_could_not_take_is_not_left_behind(ws, monkeypatch):
    import json as json_module

    from wjexcel.errors import DiskProblem

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(json_module, "dump", full)
    with pytest.raises(DiskProblem) as caught:
        with ws.lock("收集"):
            pass
    assert "磁盘空间不足" in str(caught.value)
    monkeypatch.undo()
    assert not (ws.state / "lock.json").exists()
    with ws.lock("收集"):
        pass


def test_a_refused_write_is_said_as_a_write_with_the_folder(tmp_path):
    from wjexcel.errors import cannot_write, os_reason

    assert os_reason(OSError(errno.EACCES, "x"), writing=True) == "没有写入权限"
    assert os_reason(OSError(errno.EACCES, "x")) == "没有读取权限"
    assert cannot_write("汇总/退回/2022Q3", OSError(errno.EROFS, "x")) == "无法写入“汇总/退回/2022Q3”：磁盘或文件夹是只读的"
    with tmpfs(tmp_path / "ro", "1m", "ro") as ro:
        done = wjexcel("init", str(ro / "工作区"))
        assert done.returncode == 1
        assert "只读" in done.stderr and "错误代码" not in done.stderr and "读取权限" not in done.stderr, done.stderr


def test_writing_the_report_or_forms_on_a_full_disk_is_one_chinese_line(ws, tmp_path):
    with tmpfs(tmp_path / "disk", "24m") as disk:
        shutil.copytree(ws.root, disk / "ws")
        small = Workspace(disk / "ws")
        fill(small, "七都镇", small.inbox / "七都镇.xlsx", good_values(small, "七都镇"))
        assert wjexcel("collect", "-w", str(small.root)).returncode == 0
        fill_disk(disk)
        for args in (("consolidate", "-p", PERIOD), ("generate", "-p", "2022Q3")):
            done = wjexcel(*args, "-w", str(small.root))
            lines = [line for line in done.stderr.strip().splitlines() if "……" not in line]  # not the progress
            assert done.returncode == 1 and len(lines) == 1, done.stderr
            assert "磁盘空间不足" in lines[0] and "无法写入" in lines[0], lines
            assert "程序内部出错" not in done.stderr and "Traceback" not in done.stderr
            assert not leftovers(small.root), leftovers(small.root)


def test_a_disk_that_fills_half_way_through_a_zip_leaves_its_other_members_for_the_next_run(ws, monkeypatch,
                                                                                           tmp_path):
    import zipfile

    forms = [fill(ws, r, tmp_path / f"{r}.xlsx", good_values(ws, r)) for r in ("七都镇", "平望镇")]
    with zipfile.ZipFile(ws.inbox / "报送.zip", "w") as zf:
        for form in forms:
            zf.write(form, form.name)
    real = Archive._seal
    calls = []

    def full_after_one(part, target):
        calls.append(target)
        if len(calls) > 2:  # the zip itself and the first form are kept; then the disk is full
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(part))
        real(part, target)

    monkeypatch.setattr(Archive, "_seal", staticmethod(full_after_one))
    first = collect(ws)
    assert "磁盘空间不足" in first.stopped
    monkeypatch.undo()
    again = {Path(v.file).name: v.status for v in collect(ws).verdicts if v.file.endswith(".xlsx")}
    assert again == {"七都镇.xlsx": "accepted", "平望镇.xlsx": "accepted"}
    statuses = {s.reporter: s.status for s in reporting_status(ws, Period.parse(PERIOD))}
    assert statuses["七都镇"] == statuses["平望镇"] == "已报送"


def test_a_read_only_archive_folder_is_the_runs_error(ws):
    fill(ws, "七都镇", ws.inbox / "七都镇.xlsx", good_values(ws, "七都镇"))
    with tmpfs(ws.archive, "4m", "ro"):
        done = wjexcel("collect", "--json", "-w", str(ws.root))
        assert done.returncode == 1 and json.loads(done.stdout)[0]["status"] == "ignored"
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "无法写入“.wjexcel/archive”" in lines[0] and "只读" in lines[0], done.stderr
        assert BLAME not in done.stdout + done.stderr
    assert by_file_status(collect(ws)) == {"七都镇.xlsx": "accepted"}


def by_file_status(result) -> dict:
    return {Path(v.file).name: v.status for v in result.verdicts}
