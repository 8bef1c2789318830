"""A workspace made by wjexcel 0.1 keeps working after the upgrade.

``tests/data/workspace-0.1.zip`` is a workspace written by wjexcel 0.1.0 (the release before
the stage packages): its ledger (no schema version), its 控制台.xlsm / 控制台.py, its .bat
launchers, its 计划.xlsx and some of the forms it sent, three of which came back (one was
returned with a 退回 copy). Here the new release runs ``status``, ``collect`` and
``consolidate`` on it, the old launchers' command line and the old 控制台.py's import.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from wjexcel.demo.fill import fill_form
from wjexcel.plan.workbook import workspace_plan
from wjexcel.workspace import Workspace

DATA = Path(__file__).resolve().parent / "data" / "workspace-0.1.zip"
PERIOD = "2022Q3"
SIGNER = {"填报人": "王五", "联系电话": "0512-63009999", "填报日期": date(2022, 10, 9), "审核人": "赵六"}


@pytest.fixture
def old(tmp_path) -> Workspace:
    root = tmp_path / "旧工作区"
    with zipfile.ZipFile(DATA) as zf:
        zf.extractall(root)
    return Workspace(root)


def wjexcel(*args, cwd=None):
    done = subprocess.run([sys.executable, "-m", "wjexcel", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=cwd)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def test_status_collect_and_consolidate_on_a_0_1_workspace(old):
    ledger = old.ledger_path
    with sqlite3.connect(ledger) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    status = wjexcel("status", "-p", PERIOD, "--json", "-w", str(old.root))
    assert status.returncode == 0, status.stderr
    rows = {r["reporter"]: r["status"] for r in json.loads(status.stdout)}
    assert (rows["七都镇"], rows["区科技局"], rows["震泽镇"], rows["桃源镇"]) == ("已报送", "已报送", "已退回", "未报送")
    with sqlite3.connect(ledger) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] >= 1
    assert ledger.with_name("ledger.v0-backup.sqlite").is_file()

    # Forms sent by 0.1 (they carry no plan facts) come back and are read as before.
    plan = workspace_plan(old)
    names = {i.code: i.name for i in plan.indicators}
    sent = old.outbox / PERIOD
    taoyuan = {i.code: 4 for i in plan.indicators_for(plan.reporter("桃源镇"))} | {"6-1": 2.6}
    fill_form(sent / "2022Q3_桃源镇_科技创新指标填报表.xlsx", old.inbox / "桃源镇.xlsx", taoyuan, names=names,
              signer=SIGNER)
    fill_form(sent / "2022Q3_统计局_科技创新指标填报表.xlsx", old.inbox / "统计局.xlsx", {"6-1": 3.66}, names=names,
              signer=SIGNER)
    collected = wjexcel("collect", "--json", "-w", str(old.root))
    assert collected.returncode == 0, collected.stderr
    verdicts = {v["file"]: v for v in json.loads(collected.stdout)}
    assert verdicts["收回/桃源镇.xlsx"]["status"] == "accepted"
    assert verdicts["收回/统计局.xlsx"]["status"] == "accepted"
    assert verdicts["收回/七都镇.xlsx"]["status"] == "accepted"  # recorded by 0.1, unchanged
    assert verdicts["收回/震泽镇.xlsx"]["status"] == "rejected"
    assert verdicts["收回/震泽镇.xlsx"]["return_copy"] == "汇总/退回/2022Q3/震泽镇_退回.xlsx"  # 0.1's copy, now known

    report = wjexcel("consolidate", "-p", PERIOD, "--json", "-w", str(old.root))
    assert report.returncode == 0, report.stderr
    figures = {f["code"]: f for f in json.loads(report.stdout)["indicators"]}
    assert figures["4-2"]["value"] == 1432  # 区科技局's figure, collected by 0.1
    assert figures["6-1"]["value"] == 3.66  # 统计局's, collected now
    assert figures["7-1"]["by_reporter"] == {"七都镇": 5, "桃源镇": 4}
    book = openpyxl.load_workbook(json.loads(report.stdout)["output"], read_only=True)
    notes = {row[0]: row[-1] for row in book["报送情况"].iter_rows(min_row=4, values_only=True) if row[0]}
    assert "汇总/退回/2022Q3/震泽镇_退回.xlsx" in notes["震泽镇"]


def test_the_0_1_launchers_and_control_workbook_still_reach_the_program(old):
    """The .bat files call ``python -m wjexcel <action> --period … -w …``; 控制台.py imports the
    button adapter by its 0.1 path. Both still work."""
    bat = (old.root / "一键汇总.bat").read_bytes().decode("utf-8")
    command = next(line for line in bat.splitlines() if "-m wjexcel" in line)
    match = re.search(r'-m wjexcel (\w+) --period "%PERIOD%" -w "%~dp0\."', command)
    assert match and match.group(1) == "run"
    done = wjexcel(match.group(1), "--period", PERIOD, "-w", str(old.root) + "/.")
    assert done.returncode in (0, 1) and "一键汇总完成" in done.stdout
    console = (old.root / "控制台.py").read_text(encoding="utf-8")
    imports = re.findall(r"^\s+(from wjexcel\S* import .+)$", console, flags=re.M)
    assert imports == ["from wjexcel.excel_buttons import main as run_button"]
    namespace: dict = {}
    exec(imports[0], namespace)  # what the button runs first, under 0.1's control workbook
    assert callable(namespace["run_button"])
    with zipfile.ZipFile(old.root / "控制台.xlsm") as book:
        assert "xl/vbaProject.bin" in book.namelist()


def test_a_newer_ledger_is_refused_not_damaged(old):
    conn = sqlite3.connect(old.ledger_path)
    conn.execute("PRAGMA user_version=99")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = old.ledger_path.read_bytes()
    done = wjexcel("status", "-p", PERIOD, "-w", str(old.root))
    assert done.returncode == 1 and "更新版本的 wjexcel" in done.stderr
    assert old.ledger_path.read_bytes() == before


def test_a_damaged_ledger_is_named_in_chinese(old):
    old.ledger_path.write_bytes(b"not a ledger " * 100)
    done = wjexcel("status", "-p", PERIOD, "-w", str(old.root))
    assert done.returncode == 1 and "已损坏或不是台账文件" in done.stderr and "请从备份恢复" in done.stderr
    assert "database" not in done.stderr  # SQLite's own words go to the debug log
    assert "file is not a database" in (old.state / "logs" / "debug.log").read_text(encoding="utf-8")


def test_an_empty_backup_left_by_a_full_disk_is_written_again_before_the_upgrade(old):
    """A full disk during an earlier upgrade left ``ledger.v0-backup.sqlite`` empty: it is not trusted
    as the backup, the next upgrade writes it again whole, and nothing half-written is left beside it."""
    import sqlite3

    from wjexcel.workspace.backup import healthy
    from wjexcel.workspace.ledger import Ledger

    backup = old.ledger_path.with_name(f"{old.ledger_path.stem}.v0-backup{old.ledger_path.suffix}")
    backup.write_bytes(b"")
    with Ledger.open(old):
        pass
    assert healthy(backup) and not list(old.state.glob("*.part"))
    with sqlite3.connect(backup) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
        assert conn.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] > 0
