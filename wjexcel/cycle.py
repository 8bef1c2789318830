"""The clerk's cycle as calls: ``init_workspace`` (a workspace with its plan) and ``run_cycle``
(collect, then consolidate — the one-click action behind ``wjexcel run`` and the buttons)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wjexcel.periods import Period
from wjexcel.plan.workbook import workspace_plan


@dataclass
class RunResult:
    """What one click did: the collect verdicts, who is missing, and the report."""

    period: Period
    collected: object  # CollectResult
    statuses: list
    consolidated: object  # ConsolidateResult
    workspace_root: Path

    @property
    def report_path(self) -> Path:
        return Path(self.consolidated.output)

    def summary_text(self) -> str:
        from wjexcel.collect.status import MISSING, REPORTED, RETURNED

        c = self.collected
        new = c.new
        accepted = sum(1 for v in new if v.status == "accepted")
        returned = sum(1 for v in new if v.status == "rejected")
        reported = [s for s in self.statuses if s.status == REPORTED]
        missing = [s.reporter for s in self.statuses if s.status == MISSING]
        back = [s.reporter for s in self.statuses if s.status == RETURNED]
        lines = [
            f"{self.period.label}一键汇总完成。",
            f"收到文件：本次新收到 {len(new)} 个，接收 {accepted} 个，退回 {returned} 个。",
            f"报送情况：{len(self.statuses)} 家单位中已报送 {len(reported)} 家"
            + (f"，已退回待改 {len(back)} 家（{'、'.join(back)}）" if back else "")
            + (f"，未报送 {len(missing)} 家（{'、'.join(missing)}）" if missing else "，全部报送")
            + "。",
        ]
        if c.new_rejected:
            lines.append(c.returned_text())
        # The consolidate summary repeats 报送情况 without names: keep ours.
        lines.extend(line for line in self.consolidated.summary_text().splitlines()
                     if not line.startswith("报送情况"))
        return "\n".join(lines)


def run_cycle(ws, period, paths=None, *, progress=None) -> RunResult:
    """Collect ``paths`` (default 收回/) and write the 汇总 workbook for ``period``.

    ``progress(done, total, label)`` is called for each stage, the label prefixed with
    the stage name (收集 / 汇总).
    """
    from wjexcel.collect.collector import collect
    from wjexcel.report.consolidate import consolidate
    from wjexcel.collect.status import reporting_status

    period = Period.parse(str(period))
    plan = workspace_plan(ws)
    plan.check_year(period.year)
    collected = collect(ws, paths, plan=plan, progress=stage(progress, "收集"))
    statuses = reporting_status(ws, period, plan)
    result = consolidate(ws, period.code, progress=stage(progress, "汇总"))
    return RunResult(period, collected, statuses, result, ws.root)


def stage(progress, name: str):
    """``progress`` for one stage of a longer job: the label says which stage it is."""
    if progress is None:
        return None
    return lambda done, total, label="": progress(done, total, f"{name}：{label}")


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
