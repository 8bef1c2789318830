"""The clerk's cycle as calls: ``init_workspace`` (a workspace with its plan), ``new_workspace``
(one with its control workbook and launchers too) and ``run_cycle`` (collect, then consolidate —
the one-click action behind ``wjexcel run`` and the buttons).

The library room of the front ends: :mod:`~wjexcel.cycle.console` writes the control workbook,
:mod:`~wjexcel.cycle.launchers` the double-click launchers, and :mod:`~wjexcel.cycle.actions` is
how every front end does an action and tells the clerk what went wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wjexcel.errors import NothingToReport
from wjexcel.periods import Period
from wjexcel.progress import stage


@dataclass
class RunResult:
    """What one click did: the collect verdicts and the report (with who is missing)."""

    period: Period
    collected: object  # CollectResult
    consolidated: object  # ConsolidateResult, None when nothing had come in to report
    nothing: str = ""  # why no report was written

    @property
    def statuses(self) -> list:
        """Who has reported (the ReporterStatus list the report was written with)."""
        return self.consolidated.reporting if self.consolidated else []

    @property
    def report_path(self) -> Path | None:
        return Path(self.consolidated.output) if self.consolidated else None

    def summary_text(self) -> str:
        from wjexcel.records import Verdict

        c = self.collected
        new = c.new
        accepted = sum(1 for v in new if v.status == Verdict.ACCEPTED)
        returned = sum(1 for v in new if v.status == Verdict.REJECTED)
        lines = [
            f"{self.period.label}一键汇总完成。" if self.consolidated else f"{self.period.label}一键汇总：收集完成，未写出汇总表。",
            f"收到文件：本次新收到 {len(new)} 个，接收 {accepted} 个，退回 {returned} 个。",
            *c.period_lines(self.period.code),
        ]
        if c.deferred:
            lines.append(f"留待下次检查：{len(c.deferred)} 个文件（{c.deferred[0].note}）。再运行一次即可继续。")
        if c.new_rejected:
            lines.append(c.returned_text(new_only=True))
        lines.append(self.consolidated.summary_text() if self.consolidated else self.nothing)
        return "\n".join(lines)


def run_cycle(ws, period, paths=None, *, progress=None) -> RunResult:
    """Collect ``paths`` (default 收回/) and write the 汇总 workbook for ``period``.

    When nothing has come in for the period, no workbook is written: ``consolidated`` is
    None and ``nothing`` says why.

    ``progress(done, total, label)`` is called for each stage, the label prefixed with
    the stage name (收集 / 汇总).
    """
    from wjexcel.collect.collector import collect
    from wjexcel.plan.workbook import workspace_plan
    from wjexcel.report.consolidate import consolidate
    from wjexcel.workspace.ledger import Ledger

    period = Period.parse(str(period))
    plan = workspace_plan(ws)
    plan.check_year(period.year)
    with ws.lock("一键汇总"), Ledger.open(ws) as ledger:  # opened (and checked) once for both stages
        collected = collect(ws, paths, plan=plan, progress=stage(progress, "收集"), ledger=ledger)
        if collected.stopped:  # the clerk's disk: no report from a half-done collect
            from wjexcel.errors import DiskProblem

            raise DiskProblem(f"一键汇总没有完成，未生成汇总表：{collected.stopped}已入账的文件不受影响，"
                              "其余文件留待下次，清理后再运行一次即可继续。")
        try:
            result = consolidate(ws, period, progress=stage(progress, "汇总"), plan=plan, ledger=ledger)
        except NothingToReport as exc:  # what was collected is still told
            return RunResult(period, collected, None, str(exc))
    return RunResult(period, collected, result)


def init_workspace(path, plan=None):
    """Create (or complete) a workspace at ``path`` with ``plan`` (default: the built-in plan).

    An existing plan, key, ledger or received file is never overwritten.
    """
    from wjexcel.plan.builtin import builtin_plan
    from wjexcel.plan.workbook import export_plan
    from wjexcel.workspace import create_workspace

    ws = create_workspace(path)
    if not ws.plan_file.exists():
        export_plan(plan or builtin_plan(), ws.plan_file)
    return ws


@dataclass(frozen=True)
class NewWorkspace:
    """A workspace made ready: the workspace, its control workbook and launchers (the files
    written, workbook first) or why they could not be written."""

    ws: object  # Workspace
    console: list[Path]
    console_problem: str = ""


def new_workspace(path, plan=None, *, period: str | None = None, python_exe: str | None = None) -> NewWorkspace:
    """Create (or complete) the workspace at ``path`` (see :func:`init_workspace`) and write its
    control workbook and launchers (see :func:`wjexcel.cycle.console.write_console`) for
    ``period`` and the interpreter ``python_exe``.

    A console that cannot be written does not undo the workspace: ``console_problem`` says why.
    """
    from wjexcel.cycle.console import write_console
    from wjexcel.errors import WjexcelError

    ws = init_workspace(path, plan)
    try:
        return NewWorkspace(ws, write_console(ws.root, period=period, python_exe=python_exe))
    except WjexcelError as exc:
        return NewWorkspace(ws, [], str(exc))


def suggested_period(plan, today=None) -> str:
    """The period a new workspace most likely reports first: the quarter just ended, kept within
    the plan's years (its first quarter before the plan starts, its final year after it ends;
    ``plan`` None: the quarter just ended)."""
    from datetime import date

    today = today or date.today()
    year, quarter = today.year, (today.month - 1) // 3
    if quarter == 0:
        year, quarter = year - 1, 4
    years = plan.years if plan is not None else []
    if years and year < years[0]:
        return f"{years[0]}Q1"
    if years and year > years[-1]:
        return str(years[-1])
    return f"{year}Q{quarter}"
