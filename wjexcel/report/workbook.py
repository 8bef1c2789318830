"""The 汇总 workbook: written with XlsxWriter so every formula carries its computed value.

完成率, 期望值 and 状态 in 任务分解表 are live formulas over the value and target cells
*and* hold the value wjexcel computed, so a phone preview, WPS or pandas shows them
without recalculating, while in Excel an edited value re-colours its row. Text that came
from a returned form is always cleaned and written with ``write_string``.

The file is written next to the target, re-opened, then moved into place; a locked
target (open in Excel/WPS) gets a timestamped sibling instead, never a broken old report.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from wjexcel.report.briefing import rule_lines
from wjexcel.atomic import replace_file
from wjexcel.errors import OutputLockedError
from wjexcel.report.figures import DONE, LAGGING, MISSING, ON_TRACK, SEVERE, Figures
from wjexcel.plan.model import INCREMENT, PLAN_TOTAL, format_number
from wjexcel.report.layout import TITLE_CJK, balanced, line_count, row_height, wrap_width
from wjexcel.values import clean_text, shorten

SHEETS = ("任务分解表", "区镇进度", "报送情况", "问题清单", "原始数据", "明细汇总", "图表", "进展简报")
BODY_FONT, HEAD_FONT = "仿宋", "宋体"
STATUS_COLOURS = {  # fill, font
    DONE: ("#C6EFCE", "#006100"),
    ON_TRACK: ("#DDEBF7", "#1F4E78"),
    LAGGING: ("#FFEB9C", "#9C5700"),
    SEVERE: ("#FFC7CE", "#9C0006"),
    MISSING: ("#D9D9D9", "#404040"),
}
HEADER_ROW = 3
FIRST_ROW = HEADER_ROW + 1
SLACK = "0.000000001"  # figures.EPS written out, so Excel and LibreOffice read it alike
TOLERANCE_CELL = "$B$3"
SHARE_CELL = "$D$3"
REMARK_EXCERPT = 300
"""Characters of each reporter's 情况说明 shown in 任务分解表, so one long remark cannot crowd
out the others in the joined cell (Excel cuts a cell at 32,767); 原始数据 keeps the full text."""
REMARK_CUT = "……（全文见原始数据）"


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


@dataclass(frozen=True)
class WriteOutcome:
    """Where the report went; ``locked`` is the intended target when it was locked."""

    path: Path
    locked: Path | None = None


def text(value) -> str:
    """Clean text for a cell (control characters, lone surrogates, Excel's length limit)."""
    return clean_text(value)


def put(sheet, row: int, col: int, value, fmt) -> None:
    """One cell, typed by Python type; strings always as text."""
    if value is None or value == "":
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        sheet.write_string(row, col, "是" if value else "否", fmt)
    elif isinstance(value, (int, float)):
        sheet.write_number(row, col, value, fmt)
    elif isinstance(value, datetime):
        sheet.write_string(row, col, value.strftime("%Y-%m-%d %H:%M"), fmt)
    elif isinstance(value, date):
        sheet.write_string(row, col, value.isoformat(), fmt)
    else:
        sheet.write_string(row, col, text(value), fmt)


class Styles:
    """Cell formats of one workbook, created once per distinct property set."""

    def __init__(self, book: xlsxwriter.Workbook):
        self.book = book
        self._cache: dict[tuple, object] = {}

    def __call__(self, **props):
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            base = {"font_name": BODY_FONT, "font_size": 11, "valign": "vcenter"}
            base.update(props)
            self._cache[key] = self.book.add_format(base)
        return self._cache[key]

    def cell(self, **props):
        return self(border=1, text_wrap=True, **props)

    def text(self, wrap: bool = False, **props):
        """A bordered text cell: left-aligned with a small indent, wrapped only when asked."""
        return self(border=1, text_wrap=wrap, align="left", indent=1, **props)

    def number(self, num_format: str = "General", **props):
        """A bordered number cell: right-aligned with a small indent, clear of its neighbours."""
        return self(border=1, align="right", indent=1, num_format=num_format, **props)

    def header(self):
        return self(border=1, bold=True, align="center", text_wrap=True, font_name=HEAD_FONT,
                    bg_color="#D9E1F2")

    def title(self):
        return self(bold=True, font_size=16, align="center", font_name=HEAD_FONT)


def status_formats(book: xlsxwriter.Workbook, sheet, rng: str) -> None:
    """The five status colours as conditional formats on ``rng`` (so edits re-colour)."""
    for status, (fill, font) in STATUS_COLOURS.items():
        fmt = book.add_format({"bg_color": fill, "font_color": font, "bold": True})
        sheet.conditional_format(rng, {"type": "cell", "criteria": "==", "value": f'"{status}"',
                                       "format": fmt})


def setup_print(sheet, figures: Figures, header_rows: tuple[int, int], landscape: bool = True) -> None:
    """A4 landscape, fit to width, repeated header rows, unit and page number in the footer."""
    if landscape:
        sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(*header_rows)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    unit = text(figures.plan.lead_unit or figures.plan.issuer).replace("&", "&&")
    sheet.set_footer(f"&L编制单位：{unit}&C第 &P 页，共 &N 页&R{figures.period.label}")


def number_format(values, percent_unit: bool, op: str = ">=") -> str:
    if percent_unit:
        fmt = "0.00"
    elif all(float(v).is_integer() for v in values if v is not None):
        fmt = "#,##0"
    else:
        fmt = "#,##0.00"
    return f'"＞"{fmt}' if op == ">" else fmt


def title_block(sheet, st: Styles, title: str, subtitle: str, width: int, wrap_at: float | None = None) -> None:
    """Title and subtitle rows over ``width`` columns; with ``wrap_at`` (the columns' total width)
    a long title wraps and its row grows to show it."""
    title_fmt = st.title() if wrap_at is None else st(bold=True, font_size=16, align="center",
                                                       font_name=HEAD_FONT, text_wrap=True)
    for row, value, fmt in ((0, title, title_fmt), (1, subtitle, st(align="left"))):
        if width > 1:
            sheet.merge_range(row, 0, row, width - 1, "", fmt)
        sheet.write_string(row, 0, text(value), fmt)
    sheet.set_row(0, 30 if wrap_at is None else max(30, row_height(line_count(title, wrap_at, TITLE_CJK), 16)))


def wrapped_rows(sheet, st: Styles, row: int, lines: list[str], width: int, total_chars: float) -> int:
    """Write each line in a merged, wrapped row; return the next free row."""
    fmt = st(text_wrap=True, align="left", valign="top")
    for line in lines:
        sheet.merge_range(row, 0, row, width - 1, "", fmt)
        sheet.write_string(row, 0, text(line), fmt)
        sheet.set_row(row, row_height(line_count(line, total_chars)))
        row += 1
    return row


def write_breakdown(book, st: Styles, data: ReportData) -> None:
    """任务分解表: one row per indicator, grouped by task, live formulas with cached values."""
    figures, plan = data.figures, data.figures.plan
    sheet = book.add_worksheet("任务分解表")
    years = list(plan.years)
    heads = (["序号", "工作任务", "指标", "单位"] + [f"{y}年目标" for y in years]
             + ["本期完成值", "完成率", "序时进度", "期望值", "状态", "计划累计", "责任单位", "数据来源",
                "核对提示", "情况说明"])
    col = {h: i for i, h in enumerate(heads)}
    inds = figures.indicators
    fit = {"工作任务": 17, "指标": wrap_width([f.indicator.name for f in inds], 24, 30), "责任单位": 28,
           "数据来源": wrap_width([_source(f) for f in inds], 14, 26),
           "核对提示": 24, "情况说明": 40}
    widths = [6, fit["工作任务"], fit["指标"], 9] + [10] * len(years) + [12, 10, 9, 10, 10, 10] + \
        [fit[h] for h in ("责任单位", "数据来源", "核对提示", "情况说明")]
    for i, w in enumerate(widths):
        sheet.set_column(i, i, w)
    n = len(heads)
    title_block(sheet, st, f"{plan.name}任务分解表完成情况（{figures.period.label}）",
                f"统计期间：{figures.period.label}，截至{figures.period.end_label}；序时进度 "
                f"{figures.elapsed:.0%}；生成时间：{data.generated_at:%Y-%m-%d %H:%M}（wjexcel）", n)
    sheet.write_string(2, 0, "容差", st(bold=True, align="right"))
    sheet.write_number(2, 1, plan.tolerance, st(num_format="0%", bold=True))
    sheet.write_string(2, 2, "计划期已过比例", st(bold=True, align="right"))
    sheet.write_number(2, 3, float(figures.plan_share), st(num_format="0.00%", bold=True))
    sheet.write_row(HEADER_ROW, 0, heads, st.header())
    sheet.set_row(HEADER_ROW, 32)
    row = FIRST_ROW
    task_rows: dict[int, list[int]] = {}
    for index, f in enumerate(figures.indicators, 1):
        task_rows.setdefault(f.indicator.task, []).append(row)
        _indicator_row(sheet, st, f, row, index, col, years, figures, fit)
        row += 1
    last = row - 1
    for task, rows in task_rows.items():
        name = _task_label(plan, task, fit["工作任务"])
        fmt = st.cell(bold=True, align="center")
        if len(rows) > 1 and rows == list(range(rows[0], rows[-1] + 1)):
            sheet.merge_range(rows[0], 1, rows[-1], 1, "", fmt)
        sheet.write_string(rows[0], 1, text(name), fmt)
    status_rng = f"{xl_rowcol_to_cell(FIRST_ROW, col['状态'])}:{xl_rowcol_to_cell(last, col['状态'])}"
    status_formats(book, sheet, status_rng)
    sheet.conditional_format(FIRST_ROW, col["完成率"], last, col["完成率"], {
        "type": "data_bar", "bar_color": "#5B9BD5", "bar_solid": True,
        "min_type": "num", "min_value": 0, "max_type": "num", "max_value": 1})
    sheet.freeze_panes(FIRST_ROW, 3)
    sheet.autofilter(HEADER_ROW, 0, last, n - 1)
    setup_print(sheet, figures, (HEADER_ROW, HEADER_ROW))
    row = last + 2
    sheet.write_string(row, 0, "说明", st(bold=True, font_name=HEAD_FONT, font_size=12))
    row = wrapped_rows(sheet, st, row + 1, rule_lines(figures), n, sum(widths))
    sheet.write_string(row + 1, 0, text(f"编制单位：{plan.lead_unit}（盖章）        填表人：              "
                                        f"审核人：              联系电话：              "
                                        f"填报日期：{data.generated_at:%Y年%m月%d日}"), st())


def _task_label(plan, task: int, width: int) -> str:
    """The 工作任务 cell: number and name, broken into even lines."""
    return balanced(f"{task}. {plan.task(task).name}", width)


def _source(f) -> str:
    """The 数据来源 text: whose figure the 全区 value is."""
    unit = f.indicator.source_unit
    if f.basis == "source":
        return f"{unit}（来源单位）"
    if f.basis == "districts":
        return f"区镇合计（{unit}未报）"
    return f"{unit}（未报）"


def _indicator_row(sheet, st: Styles, f, row: int, index: int, col: dict, years: list[int],
                   figures: Figures, widths: dict) -> None:
    ind, a = f.indicator, f.assessment
    cell = st.cell(align="left", indent=1)
    fmt_vals = [f.value, f.plan_to_date] + [t.value for t in ind.targets.values()]
    num = number_format(fmt_vals, ind.is_percent)
    sheet.write_number(row, col["序号"], index, st.cell(align="center"))
    sheet.write_blank(row, col["工作任务"], None, cell)
    sheet.write_string(row, col["指标"], text(ind.name), cell)
    sheet.write_string(row, col["单位"], text(ind.unit), st.cell(align="center"))
    for y in years:
        t = ind.target_for(y)
        c = col[f"{y}年目标"]
        if t is None:
            sheet.write_blank(row, c, None, cell)
        else:
            sheet.write_number(row, c, t.value, st.number(number_format(fmt_vals, ind.is_percent, t.op)))
    v = xl_rowcol_to_cell(row, col["本期完成值"])
    if f.value is None:
        sheet.write_blank(row, col["本期完成值"], None, st.number(num))
    else:
        sheet.write_number(row, col["本期完成值"], f.value, st.number(num))
    e = xl_rowcol_to_cell(row, col["序时进度"])
    sheet.write_number(row, col["序时进度"], f.elapsed, st.number("0.00%"))
    target_year = max(ind.targets) if ind.kind == PLAN_TOTAL and ind.targets else figures.period.year
    if a.target is None or target_year not in years:
        for h in ("完成率", "期望值"):
            sheet.write_blank(row, col[h], None, cell)
        sheet.write_string(row, col["状态"], a.status, st.cell(align="center"))
    else:
        t = xl_rowcol_to_cell(row, col[f"{target_year}年目标"])
        x = xl_rowcol_to_cell(row, col["期望值"])
        sheet.write_formula(row, col["完成率"], f'=IF(ISNUMBER({v}),IFERROR({v}/{t},""),"")',
                            st.number("0.00%"), "" if a.completion is None else a.completion)
        sheet.write_formula(row, col["期望值"], "=" + _expected_formula(f, t, e, col, row, figures),
                            st.number("0.00" if ind.is_percent else "#,##0.00"), a.expected)
        due = SHARE_CELL if ind.kind == PLAN_TOTAL else e
        sheet.write_formula(row, col["状态"], status_formula(v, t, due, x, a.op),
                            st.cell(align="center"), a.status)
    if f.plan_to_date is None:
        sheet.write_blank(row, col["计划累计"], None, cell)
    else:
        sheet.write_number(row, col["计划累计"], f.plan_to_date, st.number(num))
    units = balanced("、".join(figures.plan.responsible_units(ind)), widths["责任单位"])
    sheet.write_string(row, col["责任单位"], text(units), cell)
    source = _source(f)
    sheet.write_string(row, col["数据来源"], text(source), cell)
    sheet.write_string(row, col["核对提示"], text("；".join(f.notes)), cell)
    remarks = "；".join(f"{r}：{shorten(text(m), REMARK_EXCERPT, REMARK_CUT)}" for r, m in f.remarks.items())
    sheet.write_string(row, col["情况说明"], text(remarks), cell)
    wrapped = {"工作任务": _task_label(figures.plan, ind.task, widths["工作任务"]), "指标": ind.name,
               "责任单位": units, "数据来源": source, "核对提示": "；".join(f.notes), "情况说明": remarks}
    sheet.set_row(row, row_height(max(line_count(t, widths[h]) for h, t in wrapped.items())))


def _expected_formula(f, t: str, e: str, col: dict, row: int, figures: Figures) -> str:
    ind = f.indicator
    if ind.kind == INCREMENT:
        return f"{t}*{e}"
    if ind.kind == PLAN_TOTAL:
        return f"{t}*{SHARE_CELL}"
    if f.baseline is None:
        return t
    prev = f"{figures.period.year - 1}年目标"
    b = xl_rowcol_to_cell(row, col[prev]) if prev in col and ind.target_for(figures.period.year - 1) \
        else format_number(f.baseline)
    return f"{b}+({t}-{b})*{e}"


def status_formula(v: str, t: str, e: str, x: str, op: str) -> str:
    """The PRODUCT.md status rule as one Excel formula over value, target, 序时进度, X."""
    met = f"{v}>{t}" if op == ">" else f"{v}>={t}-{SLACK}"
    return (f'=IF(NOT(ISNUMBER({v})),"{MISSING}",IF({met},"{DONE}",'
            f'IF(AND({e}<1,{v}>={x}-{SLACK}),"{ON_TRACK}",'
            f'IF({v}>={x}-{TOLERANCE_CELL}*{t}-{SLACK},"{LAGGING}","{SEVERE}"))))')


def build_workbook(path: Path, data: ReportData) -> None:
    """Write every sheet of the report to ``path`` (overwriting it)."""
    from wjexcel.report import sheets as report_sheets

    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                           "strings_to_numbers": False})
    try:
        book.set_properties({"title": text(f"{data.figures.plan.name} {data.figures.period.label}汇总"),
                             "author": "wjexcel", "created": data.generated_at})
        st = Styles(book)
        write_breakdown(book, st, data)
        report_sheets.write_all(book, st, data)
    finally:
        book.close()


def verify(path: Path) -> None:
    """Re-open the written file and check every sheet is there."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        missing = [s for s in SHEETS if s not in wb.sheetnames]
    finally:
        wb.close()
    if missing:
        raise OSError(f"写出的汇总表缺少工作表：{'、'.join(missing)}")


def is_locked(target: Path) -> bool:
    """True when ``target`` exists and cannot be replaced now: open in Excel/WPS (their owner
    files ``~$name`` / ``.~lock.name#`` exist, or opening for writing is refused)."""
    if not target.exists():
        return False
    folder = target.parent
    if (folder / f"~${target.name}").exists() or (folder / f".~lock.{target.name}#").exists():
        return True
    try:
        with open(target, "r+b"):
            return False
    except PermissionError:
        return True


def write_report(data: ReportData, target: str | os.PathLike) -> WriteOutcome:
    """Write the report to ``target`` safely; see the module docstring.

    Raises:
        OutputLockedError: Neither the target nor a timestamped name could be written.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    locked = None
    if is_locked(target):
        locked, target = target, _timestamped(target, data.generated_at)
    build = lambda tmp: build_workbook(tmp, data)  # noqa: E731
    try:
        try:
            replace_file(target, build, verify)
        except PermissionError:
            if locked is not None:
                raise
            locked, target = target, _timestamped(target, data.generated_at)
            replace_file(target, build, verify)
    except PermissionError as exc:
        raise OutputLockedError(
            f"无法写入汇总表“{target}”：文件或文件夹被占用或没有写权限。请关闭在 Excel/WPS 中打开的汇总表后重试。"
        ) from exc
    return WriteOutcome(target, locked)


def _timestamped(target: Path, when: datetime) -> Path:
    stamp = datetime.now().strftime("%H%M%S")
    candidate = target.with_name(f"{target.stem}_{when:%Y%m%d}_{stamp}{target.suffix}")
    i = 2
    while candidate.exists():
        candidate = target.with_name(f"{target.stem}_{when:%Y%m%d}_{stamp}_{i}{target.suffix}")
        i += 1
    return candidate
