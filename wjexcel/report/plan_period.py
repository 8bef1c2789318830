"""计划期考核: the plan's headline goals (行动目标) against the plan-to-date figures.

The goals are derived from the plan, never typed: each headline indicator's plan-period
target (the yearly targets added up for an increment; the last year's for an annual count,
a stock or a ratio; a plan total's own). Before the plan ends, a goal is judged against the
share of the plan elapsed; at the plan's last year-end it is 完成 or 未完成.
"""

from __future__ import annotations

from wjexcel.plan.model import FREQUENCIES, INCREMENT, PLAN_TOTAL, Target
from wjexcel.report.cells import UNIT_WIDTH, Styles, column_widths, number_format, table, wrapped_rows
from wjexcel.report.data import ReportData
from wjexcel.report.figures import BEHIND, DONE, EPS, NOT_DUE, ON_SCHEDULE, Figures, IndicatorFigure

SHEET = "计划期考核"
DONE_AT_END, NOT_DONE_AT_END, AHEAD, BEHIND_PLAN, IN_PROGRESS = "完成", "未完成", "快于序时", "慢于序时", "进行中"
WITHIN, OVER = "未超序时", "超出序时"
"""A cap's verdicts before the plan ends: the plan-to-date sum within (or over) its share of the cap."""
HEADS = ["序号", "行动目标（指标）", "单位", "计划期目标", "计划累计", "完成率", "计划期已过", "判断", "说明"]


def headline(figures: Figures) -> list[IndicatorFigure]:
    return [f for f in figures.indicators if f.indicator.is_headline]


def plan_ended(figures: Figures) -> bool:
    """The report is for the plan's last year-end: the goals are now 完成 or 未完成."""
    years = figures.plan.years
    return bool(years) and figures.period.year == years[-1] and figures.period.is_year_end


def plan_goal(f: IndicatorFigure) -> Target | None:
    """The plan-period target as judged (relative and straight-line years worked out), with its operator."""
    given = f.indicator.plan_period_target() or f.indicator.final_target()
    if f.plan_period_target is None or given is None:
        return None
    return Target(f.plan_period_target, given.op)


def judgement(f: IndicatorFigure, figures: Figures) -> tuple[str, str]:
    """(判断, 说明) of one goal."""
    ind = f.indicator
    share = float(figures.plan_share)
    if f.milestone is not None:
        if f.status == DONE:
            return DONE_AT_END, "节点任务已完成"
        if f.milestone.overdue:
            return NOT_DONE_AT_END, f"应于{f.milestone.due_label}前完成，逾期未完成"
        return IN_PROGRESS, f"应于{f.milestone.due_label}前完成，本期{f.status.value}"
    goal = plan_goal(f)
    if goal is None:
        return "", "计划未设目标"
    if plan_ended(figures):
        reached = goal.met_by(f.plan_to_date)
        why = "计划期已结束，按计划期控制目标考核（不超过为完成）" if ind.is_down else "计划期已结束，按计划期目标考核"
        return (DONE_AT_END if reached else NOT_DONE_AT_END), why
    if not f.due:
        return NOT_DUE, f"{FREQUENCIES[ind.frequency]}指标，按填报频次本期不报"
    if f.plan_to_date is None:
        return IN_PROGRESS, "尚无数据"
    if ind.is_down and ind.kind == INCREMENT:
        within = f.plan_to_date <= goal.value * share + EPS
        return (WITHIN if within else OVER), f"计划累计与“计划期控制目标 × 计划期已过比例 {share:.0%}”相比"
    if ind.kind in (INCREMENT, PLAN_TOTAL):
        ahead = f.plan_to_date >= goal.value * share - EPS
        return (AHEAD if ahead else BEHIND_PLAN), f"计划累计 ÷ 计划期目标与计划期已过比例 {share:.0%} 相比"
    if f.status in ON_SCHEDULE:  # a cap or a falling level: within what is allowed by now
        return (WITHIN if ind.is_down else AHEAD), f"按本期状态（{f.status.value}）判断"
    if f.status in BEHIND:
        return (OVER if ind.is_down else BEHIND_PLAN), f"按本期状态（{f.status.value}）判断"
    return IN_PROGRESS, f"本期{f.status}"


def write_plan_period(book, st: Styles, data: ReportData) -> None:
    """One row per headline goal: the plan-period target, the plan-to-date figure, completion, judgement."""
    figures = data.figures
    rows, to_date = [], []
    for n, f in enumerate(headline(figures), 1):
        goal = plan_goal(f)
        shown = goal.label() if goal is not None else (f.milestone.due_label + "前完成" if f.milestone else "—")
        verdict, why = judgement(f, figures)
        rows.append([n, f.indicator.name, f.indicator.unit, shown, f.plan_to_date, f.plan_completion,
                     float(figures.plan_share), verdict, why])
        to_date.append(number_format([f.plan_to_date], f.indicator.is_percent))
    title = f"计划期考核：{figures.plan.name}行动目标完成情况（截至{figures.period.end_label}）"
    widths = column_widths(HEADS, rows, [5, (24, 36), (9, UNIT_WIDTH), 12, 12, 10, 10, 10, (20, 40)])
    sheet, first, last = table(book, st, SHEET, title, HEADS, rows, widths,
                               data, formats={4: to_date, 5: "0.0%", 6: "0.0%"}, wrap=(1, 8))
    for verdict, fill in ((DONE_AT_END, "#C6EFCE"), (AHEAD, "#DDEBF7"), (WITHIN, "#DDEBF7"),
                          (BEHIND_PLAN, "#FFEB9C"), (OVER, "#FFC7CE"), (NOT_DONE_AT_END, "#FFC7CE")):
        sheet.conditional_format(first, 7, last, 7, {"type": "cell", "criteria": "==", "value": f'"{verdict}"',
                                                     "format": book.add_format({"bg_color": fill, "bold": True})})
    sheet.conditional_format(first, 5, last, 5, {"type": "data_bar", "bar_color": "#5B9BD5", "bar_solid": True,
                                                 "min_type": "num", "min_value": 0, "max_type": "num", "max_value": 1})
    note = ("说明：计划期目标由计划各年目标得出——增量类为各年目标之和（越小越好的为各年控制目标之和），"
            "年度数、存量、比率类为最后一年的目标，计划总量类为其总目标；越小越好的指标不超过目标为完成；"
            "计划累计：增量类为已结束各年度年末数加本年累计，其他类为本期数。计划期结束（最后一年年末）时按计划期目标判定"
            "“完成/未完成”；此前，增量和计划总量类以“计划累计 ÷ 计划期目标”与计划期已过比例相比，其他类按本期状态判断；"
            "越小越好的指标写“未超序时”或“超出序时”（计划累计或本期数是否超过按计划期已过比例应控制的数）。")
    wrapped_rows(sheet, st, last + 2, [note], len(HEADS), sum(widths))
