"""What the 汇总 workbook shows, gathered once by :func:`~wjexcel.report.consolidate.consolidate`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from wjexcel.report.figures import Figures
from wjexcel.report.history import History
from wjexcel.report.final import FinalView


@dataclass
class ReportData:
    """Everything the workbook shows; ``reporting``/``problems``/``submissions`` are the
    ledger's ReporterStatus, FileProblem and Submission records; ``history`` consolidates
    the other periods (趋势, the ranking's change)."""

    figures: Figures
    generated_at: datetime
    reporting: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    raw_values: list = field(default_factory=list)
    details: list = field(default_factory=list)
    submissions: list = field(default_factory=list)
    return_copies: dict = field(default_factory=dict)  # submission id -> 退回 copy path
    history: History | None = None
    final: FinalView | None = None  # the period's 定稿, when it has one or this run makes it

    @property
    def previous(self) -> Figures | None:
        """The previous period's figures (same granularity), when it lies in the plan."""
        before = self.figures.period.previous()
        if self.history is None or not self.history.in_plan(before):
            return None
        return self.history.figures(before)
