"""What the 汇总 workbook shows, gathered once by :func:`~wjexcel.report.consolidate.consolidate`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from wjexcel.report.figures import Figures


@dataclass
class ReportData:
    """Everything the workbook shows; ``reporting``/``problems``/``submissions`` are the
    ledger's ReporterStatus, FileProblem and Submission records."""

    figures: Figures
    generated_at: datetime
    reporting: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    raw_values: list = field(default_factory=list)
    details: list = field(default_factory=list)
    submissions: list = field(default_factory=list)
    return_copies: dict = field(default_factory=dict)  # submission id -> 退回 copy path
