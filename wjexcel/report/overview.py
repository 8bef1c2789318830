"""概览: the first sheet, one A4 page for a leader.

As local governments' progress notices do: counts and shares first ("达到序时进度 n 项、占比
x%"), then what is behind, the plan's headline goals, and who has not reported.
"""

from __future__ import annotations

from wjexcel.report.status import status_summary
from wjexcel.report.briefing import completeness, status_tally
from wjexcel.report.cells import (HEAD_FONT, Styles, number_format, put, setup_print, status_formats, text,
                                  title_block)
from wjexcel.report.corrections import write_mark
from wjexcel.report.data import ReportData
from wjexcel.plan.model import STOCK
from wjexcel.report.breakdown import expected_format, is_count
from wjexcel.report.briefing import partial_phrase, pct
from wjexcel.report.figures import MISSING, STATUSES, number_text
from wjexcel.report.plan_period import headline, judgement, plan_goal
from wjexcel.textmeasure import fit_height

SHEET = "概览"
WIDTHS = [28, 7, 10, 10, 10, 10, 10]
MOST_BEHIND = 10
"""Lagging items listed on the page; the rest are in 督办清单."""
MOST_MISSING = 4
"""Indicators without a figure named on the page."""


def write_overview(book, st: Styles, data: ReportData) -> None:
    figures = data.figures
    sheet = book.add_worksheet(SHEET)
    for i, w in enumerate(WIDTHS):
        sheet.set_column(i, i, w)
    n = len(WIDTHS)
    total = sum(WIDTHS)
    title_block(sheet, st, f"{figures.plan.name}推进情况概览（{figures.period.label}）",
                f"截至{figures.period.end_label}，序时进度 {figures.elapsed:.0%}；"
                f"生成时间：{data.generated_at:%Y-%m-%d %H:%M}", n, wrap_at=total)
    write_mark(sheet, st, data, 2, n, total)
    row = _heading(sheet, st, 3, "一、总体情况")
    row = _paragraph(sheet, st, row, completeness(figures), n, total)
    row = _paragraph(sheet, st, row, status_tally(figures), n, total)
    if _missing_named(figures):
        row = _paragraph(sheet, st, row, _missing_named(figures), n, total)
    sheet.write_row(row, 0, ["状态", "项数", "占比"], st.header())
    counts = figures.count_by_status()
    judged = len(figures.judged) or 1
    for i, status in enumerate(STATUSES, row + 1):
        put(sheet, i, 0, status, st.cell(align="center"))
        put(sheet, i, 1, counts[status], st.number("0"))
        put(sheet, i, 2, counts[status] / judged, st.number("0.0%"))
    status_formats(book, sheet, f"A{row + 2}:A{row + 1 + len(STATUSES)}")
    row += len(STATUSES) + 2

    behind = [item for item in figures.supervision() if item.split is None]
    splits = [item for item in figures.supervision() if item.split is not None]
    row = _heading(sheet, st, row, "二、进度滞后的指标")
    if behind:
        sheet.write_row(row, 0, ["指标", "单位", "状态", "期望值", "实际值", "差距", "连续滞后\n期数"], st.header())
        sheet.set_row(row, fit_height("连续滞后\n期数", WIDTHS[6]))
        for i, item in enumerate(behind[:MOST_BEHIND], row + 1):
            put(sheet, i, 0, item.name, st.text(wrap=True))
            put(sheet, i, 1, item.figure.indicator.unit, st.cell(align="center"))
            put(sheet, i, 2, item.status, st.cell(align="center"))
            percent = item.figure.indicator.is_percent
            shown = expected_format(item.figure, [item.assessment.expected, item.gap])
            for c, value in enumerate((item.assessment.expected, item.value, item.gap), 3):
                fmt = number_format([value], percent) if c == 4 or value is None else shown
                put(sheet, i, c, value, st.number(fmt))
            put(sheet, i, 6, item.lagging_periods, st.number("0"))
            sheet.set_row(i, max(fit_height(item.name, WIDTHS[0]), fit_height(item.figure.indicator.unit, WIDTHS[1])))
        status_formats(book, sheet, f"C{row + 2}:C{row + 1 + min(len(behind), MOST_BEHIND)}")
        row += min(len(behind), MOST_BEHIND) + 1
        net = _net_increase_note(behind[:MOST_BEHIND], figures)
        if net:
            row = _paragraph(sheet, st, row, net, n, total)
    extra = []
    if len(behind) > MOST_BEHIND:
        extra.append(f"另有 {len(behind) - MOST_BEHIND} 项")
    if splits:
        extra.append(f"区镇分解目标滞后 {len(splits)} 项（" + "、".join(f"{s.reporter}" for s in splits[:6])
                     + ("等" if len(splits) > 6 else "") + "）")
    note = ("没有滞后的指标。" if not behind else "") + ("；".join(extra) + "，详见“督办清单”。" if extra else "")
    if note:
        row = _paragraph(sheet, st, row, note, n, total)
    row += 1

    row = _heading(sheet, st, row, "三、计划期行动目标")
    sheet.write_row(row, 0, ["行动目标", "单位", "计划期目标", "计划累计", "完成率", "计划期已过", "判断"], st.header())
    goals = headline(figures)
    for i, f in enumerate(goals, row + 1):
        goal = plan_goal(f)
        put(sheet, i, 0, f.indicator.name, st.text(wrap=True))
        put(sheet, i, 1, f.indicator.unit, st.cell(align="center"))
        put(sheet, i, 2, "—" if goal is None else goal.label(), st.cell(align="center"))
        put(sheet, i, 3, f.plan_to_date, st.number(number_format([f.plan_to_date], f.indicator.is_percent)))
        put(sheet, i, 4, f.plan_completion, st.number("0.0%"))
        put(sheet, i, 5, float(figures.plan_share), st.number("0.0%"))
        put(sheet, i, 6, judgement(f, figures)[0], st.cell(align="center"))
        sheet.set_row(i, max(fit_height(f.indicator.name, WIDTHS[0]), fit_height(f.indicator.unit, WIDTHS[1]),
                             fit_height(judgement(f, figures)[0], WIDTHS[6])))
    row += len(goals) + 2

    row = _heading(sheet, st, row, "四、报送情况")
    _paragraph(sheet, st, row, status_summary(data.reporting), n, total)
    setup_print(sheet, figures, (0, 0), landscape=False)
    sheet.fit_to_pages(1, 1)
    sheet.center_horizontally()
    sheet.activate()


def _heading(sheet, st: Styles, row: int, label: str) -> int:
    sheet.write_string(row, 0, label, st(bold=True, font_name=HEAD_FONT, font_size=12))
    sheet.set_row(row, 22)
    return row + 1


def _paragraph(sheet, st: Styles, row: int, line: str, width: int, total: float, size: float = 11) -> int:
    fmt = st(text_wrap=True, align="left", valign="top", font_size=size)
    sheet.merge_range(row, 0, row, width - 1, "", fmt)
    sheet.write_string(row, 0, text(line), fmt)
    sheet.set_row(row, fit_height(line, total, size))
    return row + 1


def _missing_named(figures) -> str:
    """The indicators without a figure, by name and whose figure it would have been."""
    missing = [f for f in figures.judged if f.status == MISSING]
    if not missing:
        return ""

    def whose(f) -> str:
        if f.partial is not None:
            return f"{f.indicator.name}（{partial_phrase(f)}）"
        if f.milestone is not None and f.milestone.missing:
            return f"{f.indicator.name}（{'、'.join(f.milestone.missing)}未报进展）"
        return f"{f.indicator.name}（应由{f.indicator.source_unit}报送）"

    named = "；".join(whose(f) for f in missing[:MOST_MISSING])
    more = f"等 {len(missing)} 项，详见“任务分解表”" if len(missing) > MOST_MISSING else ""
    return f"未报送的指标：{named}{more}。"


def _net_increase_note(items, figures) -> str:
    """The net-increase rule, said under the table for each stock behind, in its own figures:
    a stock is judged by how much of this year's increase it has made, not by its share of the target."""
    lines = []
    for item in items:
        f, a = item.figure, item.assessment
        if item.split is not None or f.indicator.kind != STOCK or a.baseline is None or a.target is None \
                or item.value is None or a.target <= a.baseline.value:
            continue
        unit, base = f.indicator.unit, a.baseline.value
        digits = 1 if is_count(unit) else 2
        said = (f"比上年末减少{number_text(base - item.value, unit, digits)}" if item.value < base else
                f"实际净增{number_text(item.value - base, unit, digits)}，为应增部分的{pct((item.value - base) / (a.target - base))}")
        lines.append(f"{f.indicator.name}上年末{number_text(base, unit, digits)}、本年目标{number_text(a.target, unit, digits)}，"
                     f"本年应净增{number_text(a.target - base, unit, digits)}，{said}")
    if not lines:
        return ""
    return (f"注：存量类指标按本年净增考核，期望值 = 上年末数 +（本年目标 − 上年末数）× 序时进度 {figures.elapsed:.0%}，"
            f"实际比期望值少出本年应净增数的 {figures.plan.tolerance:.0%} 以上即为严重滞后。" + "；".join(lines) + "。")

