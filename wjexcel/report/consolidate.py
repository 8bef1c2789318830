"""Consolidate a period: ledger → figures → the 汇总 workbook.

``consolidate(ws, "2022Q3")`` is the one call behind ``wjexcel consolidate`` and the
汇总 button; its result renders as the ``--json`` document or a short Chinese summary.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from wjexcel.errors import NothingToReport
from wjexcel.report.briefing import status_tally
from wjexcel.report.figures import Figures
from wjexcel.report.history import History
from wjexcel.report.final import FinalBasis, FinalView, output_path, seal
from wjexcel.workspace.ledger import Ledger
from wjexcel.periods import Period
from wjexcel.report.data import ReportData
from wjexcel.report.document import write_document
from wjexcel.report.workbook import write_report
from wjexcel.report.status import period_note, reporting_status, status_summary
from wjexcel.plan.workbook import workspace_plan
from wjexcel.workspace.lock import holding_lock

_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


@dataclass
class ConsolidateResult:
    """What a consolidation produced."""

    period: Period
    output: Path | None  # None when only the document was asked for
    figures: Figures
    reporting: list = field(default_factory=list)
    locked: Path | None = None  # the intended file, when it was open and a new name was used
    document: Path | None = None  # the 进展情况报告.docx
    document_locked: Path | None = None
    final: FinalView | None = None  # the period's 定稿 and what changed since
    note: str = ""  # said first: nothing received for the period itself (figures from other periods)

    def to_json(self) -> dict:
        """The ``consolidate --json`` document exactly as docs/规格说明.md §5.7 fixes it."""
        return {"period": self.period.code, "output": str(self.output) if self.output else None,
                "document": str(self.document) if self.document else None,
                "indicators": self.figures.to_json(),
                "supervision": [item.to_json() for item in self.figures.supervision()],
                **(self.final.to_json() if self.final else {"final": None, "changes_since_final": []})}

    def summary_text(self) -> str:
        """A few Chinese lines for the terminal or a message box."""
        lines = [f"注意：{self.note}"] if self.note else []
        lines.append(f"{self.period.label}汇总完成：{status_tally(self.figures)}")
        behind = self.figures.supervision()
        if behind:
            escalate = sum(1 for item in behind if item.escalate)
            lines.append(f"督办清单：{len(behind)} 项"
                         + (f"，其中连续两期以上滞后、需升级督办 {escalate} 项" if escalate else "")
                         + "（见汇总表“督办清单”）。")
        if self.reporting:
            lines.append("报送情况：" + status_summary(self.reporting))
        if self.output is not None:
            lines.append(f"汇总表：{self.output}")
        lines += self.final.summary_lines() if self.final else []
        if self.locked is not None:
            lines.append(f"注意：原汇总表“{self.locked.name}”正被打开（Excel/WPS）或无法覆盖，未改动它；"
                         f"本次结果另存为“{self.output.name}”。")
        lines += self.document_lines()
        return "\n".join(lines)

    def document_lines(self) -> list[str]:
        """Where the 进展情况报告 went, and what the clerk completes before sending it."""
        if self.document is None:
            return []
        lines = [f"进展情况报告（草稿）：{self.document}",
                 "  报送前请补充灰底的【请补充】段落，核对主送机关、发文单位和成文日期。"]
        if self.document_locked is not None:
            lines.append(f"注意：原报告“{self.document_locked.name}”已修改过或正被打开（Word/WPS），未覆盖它；"
                         f"本次报告另存为“{self.document.name}”。")
        return lines


def default_output(ws, plan, period: Period, today: datetime) -> Path:
    """``汇总/<计划简称>_<期间>_汇总_<YYYYMMDD>.xlsx``."""
    name = _UNSAFE.sub("_", plan.short_name or plan.name).strip("_") or "汇总"
    return ws.reports / f"{name}_{period.code}_汇总_{today:%Y%m%d}.xlsx"


def default_document(folder: Path, plan, period: Period) -> Path:
    """``<计划简称>_<期间>_进展情况报告.docx`` in ``folder`` (beside the workbook)."""
    name = _UNSAFE.sub("_", plan.short_name or plan.name).strip("_") or "汇总"
    return folder / f"{name}_{period.code}_进展情况报告.docx"


@holding_lock("汇总")
def consolidate(ws, period: str | Period, output: str | os.PathLike | None = None, *,
                progress=None, plan=None, now: datetime | None = None,
                document: str | os.PathLike | None = None, workbook: bool = True,
                final: bool = False, ledger: Ledger | None = None) -> ConsolidateResult:
    """Write the 汇总 workbook for ``period`` from the ledger's accepted submissions.

    Args:
        ws: The workspace.
        period: The Period (or its code: ``2022``, ``2022Q3``, ``2022-09``, parsed here).
        output: The workbook to write (default under 汇总/).
        progress: Optional ``progress(done, total, label)`` (three steps, Chinese labels).
        plan: The plan (default: the workspace's 计划.xlsx).
        now: The generation time (tests fix it).
        document: The 进展情况报告.docx to write (default: beside the workbook, see default_document).
        workbook: False writes only the document (``wjexcel report``).
        final: Record the report as the period's 定稿 (see :mod:`wjexcel.report.final`).
        ledger: The workspace's ledger, already open (one ``wjexcel run`` opens it once); default: opened here.

    Raises:
        NothingToReport: Nothing has come in for the period (see :func:`period_note`) and no
            figure can be taken from another period: no workbook is written.
        UsageError: The period is malformed (PeriodError) or outside the plan's years.
        OutputLockedError: Nothing could be written.
        AlreadyFinalError: ``final``, and nothing changed since the period's last 定稿.
        WjexcelError: ``output`` is a 定稿 file (never written again).
    """
    steps = iter(range(3))
    say = (lambda label: progress(next(steps), 3, label)) if progress else (lambda label: None)  # noqa: E731
    period = Period.parse(period) if isinstance(period, str) else period
    plan = plan or workspace_plan(ws)
    plan.check_year(period.year)
    now = now or datetime.now()
    say(f"读取{period.label}已接收的报表……")
    with Ledger.using(ws, ledger) as ledger:
        history = ledger.accepted_values_by_period()
        values = history.get(period.code, [])
        problems = ledger.file_problems(period.code)
        details = ledger.detail_rows(period.code)
        submissions = ledger.latest_accepted(period.code)
        return_copies = ledger.return_copies(period.code)
        basis = FinalBasis.read(ws, ledger, period)
        reporting = reporting_status(ws, period, plan=plan, ledger=ledger)
        note = period_note(ws, period, reporting, ledger=ledger)
    say("计算完成值和状态……")
    past = History.from_codes(plan, history)
    figures = past.figures(period)
    if note and not any(f.value is not None for f in figures.indicators):
        raise NothingToReport(f"{note}没有可汇总的内容，未写出汇总表；收到填报表后再汇总。")
    finality = basis.view(figures, submissions, final=final)
    data = ReportData(figures, now, reporting, problems, values, details, submissions, return_copies, past,
                      final=finality)
    target = output_path(finality, Path(output) if output else default_output(ws, plan, period, now), bool(output))
    outcome = None
    if workbook:
        say(f"写出汇总表 {target.name}……")
        outcome = write_report(data, target)
        if final:
            seal(ws, finality, outcome.path, figures, submissions, now)
    else:
        say("写出进展情况报告……")
    written = write_document(data, Path(document) if document else default_document(target.parent, plan, period))
    if progress:
        progress(3, 3, "")
    return ConsolidateResult(period, outcome and outcome.path, figures, reporting, outcome and outcome.locked,
                             written.path, written.locked, final=finality, note=note)
