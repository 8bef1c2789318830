"""The 汇总 workbook: every sheet, written with XlsxWriter so every formula carries its computed value.

The file is written next to the target, re-opened, then moved into place; a locked
target (open in Excel/WPS) gets a timestamped sibling instead, never a broken old report.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import xlsxwriter

from wjexcel.atomic import replace_file, verify_zip
from wjexcel.errors import OutputLockedError
from wjexcel.report.breakdown import write_breakdown
from wjexcel.report.cells import Styles, text
from wjexcel.report.corrections import write_corrections
from wjexcel.report.data import ReportData
from wjexcel.report.details import write_details
from wjexcel.report.intake import write_problems, write_raw, write_reporting
from wjexcel.report.overview import write_overview
from wjexcel.report.pages import write_briefing, write_charts
from wjexcel.report.plan_period import write_plan_period
from wjexcel.report.ranking import rank_towns
from wjexcel.report.supervision import write_supervision
from wjexcel.report.towns import write_towns
from wjexcel.report.trends import write_trends


SHEETS = ("概览", "任务分解表", "督办清单", "趋势", "计划期考核", "区镇进度", "报送情况", "问题清单", "原始数据",
          "明细汇总", "图表", "进展简报")
SPREADSHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@dataclass(frozen=True)
class WriteOutcome:
    """Where the report went; ``locked`` is the intended target when it was locked."""

    path: Path
    locked: Path | None = None


def build_workbook(path: Path, data: ReportData) -> None:
    """Write every sheet of the report to ``path`` (overwriting it)."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                           "strings_to_numbers": False})
    try:
        book.set_properties({"title": text(f"{data.figures.plan.name} {data.figures.period.label}汇总"),
                             "author": text(data.figures.plan.lead_unit or data.figures.plan.issuer),
                             "created": data.generated_at})
        st = Styles(book)
        ranking = rank_towns(data.figures, data.previous)
        write_overview(book, st, data)
        write_corrections(book, st, data)
        if data.final is not None and data.final.making:
            book.read_only_recommended()  # a 定稿 is opened read-only unless the clerk insists
        write_breakdown(book, st, data)
        write_supervision(book, st, data)
        write_trends(book, st, data)
        write_plan_period(book, st, data)
        write_towns(book, st, data, ranking)
        write_reporting(book, st, data)
        write_problems(book, st, data)
        write_raw(book, st, data)
        write_details(book, st, data)
        write_charts(book, st, data, ranking)
        write_briefing(book, st, data, ranking)
    finally:
        book.close()


def verify(path: Path) -> None:
    """Re-open the written file: every part reads back whole, and every sheet is named in it."""
    import zipfile
    from xml.etree import ElementTree

    verify_zip(path)
    with zipfile.ZipFile(path) as zf:
        book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    names = {sheet.get("name") for sheet in book.iter(f"{{{SPREADSHEET_NS}}}sheet")}
    missing = [s for s in SHEETS if s not in names]
    if missing:
        raise OSError(f"写出的汇总表缺少工作表：{'、'.join(missing)}")


def write_report(data: ReportData, target: str | os.PathLike) -> WriteOutcome:
    """Write the report to ``target`` safely; see the module docstring.

    Raises:
        OutputLockedError: Neither the target nor a timestamped name could be written.
    """
    return write_or_beside(Path(target), lambda tmp: build_workbook(tmp, data), verify)


def write_or_beside(target: Path, build, verify, keep=lambda path: False) -> WriteOutcome:
    """Write ``target`` atomically (``build(tmp)``, then ``verify(tmp)``); where it is open in
    Excel/WPS/Word, or ``keep(target)`` says it is not ours to replace, write a timestamped sibling
    instead (``locked`` = the target).

    Raises:
        OutputLockedError: Neither the target nor a timestamped name could be written.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        if keep(target):
            raise OutputLockedError(f"“{target.name}”已被修改过")
        return WriteOutcome(replace_file(target, build, verify))
    except OutputLockedError:
        return WriteOutcome(replace_file(_timestamped(target), build, verify), locked=target)


def _timestamped(target: Path) -> Path:
    """A sibling named after the time of writing: ``…_汇总_20221008_153012.xlsx``."""
    stamp = f"{datetime.now():%H%M%S}"
    candidate, i = target.with_name(f"{target.stem}_{stamp}{target.suffix}"), 2
    while candidate.exists():
        candidate, i = target.with_name(f"{target.stem}_{stamp}_{i}{target.suffix}"), i + 1
    return candidate
