"""The control workbook names the plan in use, and ``init`` suggests a period of that plan."""

from __future__ import annotations

import datetime as dt
import re

import openpyxl
from click.testing import CliRunner

from wjexcel.cli import cli
from wjexcel.cycle import suggested_period
from wjexcel.cycle import actions
from wjexcel.cycle import console
from wjexcel.excel import buttons as eb
from wjexcel.cycle.console import CONF_SHEET, WORKBOOK_NAME
from wjexcel.plan.builtin import builtin_plan
from wjexcel.plan.workbook import export_plan
from wjexcel.workspace import Workspace
from tests.forms.capplan import PERIOD, cap_plan

PLAN_CELL = f"{console.VALUE_COLUMN}{console.FIRST_PARAMETER_ROW}"


def _shown(root):
    """(the 计划 cell of every sheet as cached, the interpreter the buttons run)."""
    book = openpyxl.load_workbook(root / WORKBOOK_NAME, data_only=True)
    sheets = [ws for ws in book.worksheets if ws.title != CONF_SHEET]
    return [ws[PLAN_CELL].value for ws in sheets], book[CONF_SHEET]["B1"].value


def test_the_console_takes_the_new_plans_name_at_generate_and_run(tmp_path):
    root = tmp_path / "ws"
    runner = CliRunner()
    done = runner.invoke(cli, ["init", str(root)])
    assert done.exit_code == 0, done.output
    old = builtin_plan().name
    names, python = _shown(root)
    assert names == [old] * len(actions.ACTIONS) and python
    launcher = (root / "一键汇总.bat").read_bytes()

    export_plan(cap_plan(), Workspace.open(root).plan_file)  # the clerk types another plan in
    assert eb.changed_plan_name({"plan": old, "workspace": ""}, root) == cap_plan().name
    assert eb.changed_plan_name({"plan": cap_plan().name, "workspace": ""}, root) is None
    done = runner.invoke(cli, ["generate", "-w", str(root), "-p", PERIOD])
    assert done.exit_code == 0, done.output
    names, after = _shown(root)
    assert names == [cap_plan().name] * len(actions.ACTIONS)
    assert after == python and (root / "一键汇总.bat").read_bytes() == launcher  # the buttons still find Python

    export_plan(builtin_plan(), Workspace.open(root).plan_file)
    done = runner.invoke(cli, ["run", "-w", str(root), "-p", "2022Q3"])
    assert done.exit_code == 1 and "没有可汇总的内容" in done.output  # nothing came in: no report, but
    assert _shown(root)[0] == [old] * len(actions.ACTIONS)  # the console still takes the plan's name


def test_init_suggests_a_period_of_its_plan():
    plan = cap_plan()  # 2022-2024
    assert suggested_period(plan, dt.date(2023, 7, 10)) == "2023Q2"
    assert suggested_period(plan, dt.date(2023, 1, 5)) == "2022Q4"
    assert suggested_period(plan, dt.date(2023, 12, 31)) == "2023Q3"
    assert suggested_period(plan, dt.date(2021, 11, 1)) == "2022Q1"  # before the plan: its first quarter
    assert suggested_period(plan, dt.date(2026, 3, 1)) == "2024"  # after it: its final year
    assert suggested_period(None, dt.date(2026, 3, 1)) == "2025Q4"


def test_init_prints_the_suggested_period(tmp_path):
    done = CliRunner().invoke(cli, ["init", str(tmp_path / "ws")])
    assert done.exit_code == 0
    shown = re.search(r"下一步：wjexcel generate -w \"[^\"]+\" -p (\S+)", done.output).group(1)
    assert shown == suggested_period(builtin_plan())
