"""趋势: each indicator across every period of the plan that has data, with a sparkline in text.

The columns are the periods of this report's granularity (quarters for a quarterly report)
that have accepted data up to this one, plus the closing figure of each finished plan year
(“2021年末”, found as for the baseline: the year, else its Q4, else its December). Every
figure is consolidated from the ledger by the same rules as this period's.
"""

from __future__ import annotations

from dataclasses import dataclass

from wjexcel.periods import Period
from wjexcel.report.cells import (UNIT_WIDTH, Styles, number_format, number_width, put, setup_print, title_block,
                                  wrapped_rows)
from wjexcel.report.data import ReportData
from wjexcel.report.figures import Figures
from wjexcel.report.history import History
from wjexcel.textmeasure import fit_width

SHEET = "趋势"
YEAR_END = "年末"
BARS = "▁▂▃▄▅▆▇█"


def bars(values: list[float | None]) -> str:
    """A sparkline in text (``▂▄▅▇``), readable in any viewer and on paper; a gap for no data."""
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return ""
    low, high = min(known), max(known)
    span = high - low
    return "".join(" " if v is None else BARS[round((v - low) / span * (len(BARS) - 1)) if span else 3]
                   for v in values)


@dataclass
class TrendTable:
    """The 趋势 figures: the column labels in order, and each indicator's values under them (by code)."""

    labels: list[str]
    rows: dict[str, list[float | None]]


def trend_table(figures: Figures, history: History | None) -> TrendTable:
    """One row per indicator (by code, in plan order), one column per period label, in order."""
    period, plan = figures.period, figures.plan
    columns: list[tuple[Period, str]] = []
    if history is not None:
        seen = [p for p in history.periods_with_data() if p.kind == period.kind and p <= period and history.in_plan(p)]
        columns = [(p, p.label) for p in seen]
        if period.kind != "year":
            columns += [(Period(y), f"{y}{YEAR_END}") for y in plan.years
                        if y < period.year and any(history.year_end(i, y)[0] is not None for i in plan.indicators)]
    if not any(p == period for p, _ in columns):
        columns.append((period, period.label))
    columns.sort(key=lambda c: c[0])
    rows: dict[str, list[float | None]] = {ind.code: [] for ind in plan.indicators}
    for p, label in columns:
        for ind in plan.indicators:
            if p == period:
                value = figures.by_code(ind.code).value
            elif label.endswith(YEAR_END):
                value = history.year_end(ind, p.year)[0]
            else:
                value = history.value(p, ind)
            rows[ind.code].append(None if value is None or value != value else float(value))
    return TrendTable([label for _, label in columns], rows)


def write_trends(book, st: Styles, data: ReportData) -> None:
    """趋势: one row per indicator, its figures period by period, and a sparkline."""
    figures = data.figures
    table = trend_table(figures, data.history)
    labels = table.labels
    sheet = book.add_worksheet(SHEET)
    heads = ["指标", "单位", *labels, "走势"]
    shown = {f.code: number_format(table.rows[f.code], f.indicator.is_percent) for f in figures.indicators}
    units = fit_width(["单位", *(f.indicator.unit for f in figures.indicators)], 8, UNIT_WIDTH)  # 微克/立方米 whole
    widths = [30, units, *(max(number_width([table.rows[f.code][c]], shown[f.code], 10) for f in figures.indicators)
                       for c in range(len(labels))), max(8, len(labels) * 2 + 2)]
    for i, w in enumerate(widths):
        sheet.set_column(i, i, w)
    title_block(sheet, st, f"主要指标走势（{figures.period.label}）",
                "各期数值按本表同样的口径从台账汇总；“年末”为该年度年末数。", len(heads))
    sheet.write_row(2, 0, heads, st.header())
    sheet.set_row(2, 30)
    for r, f in enumerate(figures.indicators, 3):
        values = list(table.rows[f.code])
        fmt = st.number(number_format(values, f.indicator.is_percent))
        put(sheet, r, 0, f"{f.code} {f.indicator.name}", st.text(wrap=True))
        put(sheet, r, 1, f.indicator.unit, st.text())
        for c, value in enumerate(values, 2):
            put(sheet, r, c, value, fmt)
        put(sheet, r, len(heads) - 1, bars(values), st.cell(align="center", font_name="Arial"))
        sheet.set_row(r, 30)
    sheet.freeze_panes(3, 1)
    note = ("说明：空白表示该期没有审核通过的数据。“走势”用高低不同的方块表示各期数值（每行按本行最小、最大值），"
            "在任何软件中和打印时都能看到。")
    wrapped_rows(sheet, st, 4 + len(figures.indicators), [note], len(heads), sum(widths))
    setup_print(sheet, figures, (2, 2))
