"""The plan as a workbook (计划.xlsx): write it for a clerk to edit, read it back, check it.

The clerk owns the plan. They change a target, add a town or start a new plan
(2024-2026) in Excel or WPS, never in code. :func:`export_plan` writes a styled workbook
with dropdowns; :func:`load_plan` reads it back into a :class:`~wjexcel.plan.plan.Plan`;
:func:`check_plan_file` lists every problem at once, each in Chinese with sheet and cell.

Columns are found by their header text, so a clerk may reorder columns; blank rows are
skipped; names are matched ignoring full-/half-width differences and stray spaces.

This module is the import point; the work is done by :mod:`~wjexcel.plan.layout` (sheets
and columns), :mod:`~wjexcel.plan.write` (the styled writer), :mod:`~wjexcel.plan.read`
(sheets into located rows), :mod:`~wjexcel.plan.load` (rows into a Plan) and
:mod:`~wjexcel.plan.check` (the semantic checks).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from wjexcel.errors import PlanError
from wjexcel.plan.plan import Plan
from wjexcel.plan.check import check_plan
from wjexcel.plan.layout import (
    CHAINS,
    CHOICES,
    GUIDE,
    INDICATORS,
    LIST_COLUMNS,
    LISTS,
    REPORTERS,
    SETTINGS,
    SHEET_ORDER,
    SHEETS,
    SPLITS,
    TASKS,
    Column,
    norm,
)
from wjexcel.plan.load import load_book, parse_target
from wjexcel.plan.read import MAX_FILE_BYTES, PlanLocations, read_book
from wjexcel.plan.write import export_plan
from wjexcel.problems import Code, ProblemList

__all__ = [
    "CHAINS", "CHOICES", "GUIDE", "INDICATORS", "LIST_COLUMNS", "LISTS", "REPORTERS", "SETTINGS", "SHEETS",
    "SPLITS", "TASKS", "Column", "PlanLocations",
    "check_plan", "check_plan_file", "export_plan", "load_plan", "parse_target",
]


def load_plan(path, data: bytes | None = None) -> Plan:
    """Read a plan workbook (``data``: its bytes, already read).

    Raises:
        PlanError: The file has errors; ``issues`` lists every located problem.
    """
    plan, problems = _load(Path(path), data)
    if problems.errors or plan is None:
        first = problems.errors[0].located() if problems.errors else "无法读取"
        raise PlanError(
            f"计划文件“{Path(path).name}”有 {len(problems.errors)} 处错误，请改正后再试"
            f"（wjexcel plan check 可列出全部）。第一处：{first}",
            issues=problems.items,
        )
    return plan


def check_plan_file(path) -> ProblemList:
    """Every problem of a plan workbook, each with sheet and cell (errors and warnings)."""
    return _load(Path(path))[1]


def _load(path: Path, data: bytes | None = None) -> tuple[Plan | None, ProblemList]:
    """Read, load and check: the plan (None when unreadable) and every problem in reading order."""
    problems = ProblemList(file=path.name)
    book = read_book(path, problems, data)
    if book is None:
        return None, problems
    missing = [name for name in [SETTINGS, *SHEETS] if norm(name) not in book]
    if missing:
        problems.error(f"缺少工作表：{'、'.join(f'“{m}”' for m in missing)}（表名不要改动）", code=Code.PLAN_STRUCTURE)
        return None, problems
    plan, where = load_book(book, problems)
    if plan is None:
        return None, problems
    bad_cells = {(p.sheet, p.cell) for p in problems.errors}
    for problem in check_plan(plan, where):
        if problem.is_error and (problem.sheet, problem.cell) in bad_cells and problem.cell:
            continue  # one problem per cell: the reading error already says it
        problems.items.append(dataclasses.replace(problem, file=problems.file))
    problems.items.sort(key=_reading_order)
    return plan, problems


def _reading_order(problem) -> tuple:
    """Sheet by sheet, then row by row, left to right: the order a clerk fixes them in."""
    sheet = SHEET_ORDER.index(problem.sheet) if problem.sheet in SHEET_ORDER else -1
    m = re.fullmatch(r"([A-Z]+)(\d+)", problem.cell)
    if not m:
        return sheet, 0, 0, ""
    return sheet, int(m.group(2)), len(m.group(1)), m.group(1)


def workspace_plan(ws) -> Plan:
    """The plan of a workspace, from its 计划.xlsx (raises PlanError listing every located problem);
    a plan read before from the same bytes is taken from :mod:`wjexcel.plan.cache`."""
    from wjexcel.errors import WorkspaceError
    from wjexcel.plan import cache
    from wjexcel.workspace import PLAN_FILE

    if not ws.plan_file.is_file():
        raise WorkspaceError(
            f"工作区缺少计划文件“{PLAN_FILE}”。可运行 wjexcel plan export \"{ws.plan_file}\" --builtin "
            "重新写出内置计划。"
        )
    try:
        data = ws.plan_file.read_bytes() if ws.plan_file.stat().st_size <= MAX_FILE_BYTES else None
    except OSError:
        data = None
    if data is None:
        return load_plan(ws.plan_file)  # it names what is wrong with the file
    plan = cache.lookup(ws, data)
    if plan is None:
        plan = load_plan(ws.plan_file, data)
        cache.keep(ws, data, plan)
    return plan
