"""任务分解表: one row per indicator, grouped by task, with live formulas that carry their values.

完成率, 期望值 and 状态 are formulas over the value and target cells *and* hold the value
wjexcel computed, so a phone preview, WPS or pandas shows them without recalculating,
while in Excel an edited value re-colours its row."""

from __future__ import annotations

from xlsxwriter.utility import xl_rowcol_to_cell

from wjexcel.periods import chinese_date
from wjexcel.plan.model import INCREMENT, PLAN_TOTAL, format_number
from wjexcel.report.briefing import rule_lines
from wjexcel.report.cells import HEAD_FONT, Styles, number_format, setup_print, status_formats, text, title_block, wrapped_rows
from wjexcel.report.data import ReportData
from wjexcel.report.figures import DONE, LAGGING, MISSING, ON_TRACK, SEVERE, Figures
from wjexcel.textmeasure import balanced, fit_height, wrap_width
from wjexcel.values import shorten


HEADER_ROW = 3
FIRST_ROW = HEADER_ROW + 1
SLACK = "0.000000001"  # figures.EPS written out, so Excel and LibreOffice read it alike
TOLERANCE_CELL = "$B$3"
SHARE_CELL = "$D$3"
REMARK_EXCERPT = 300
"""Characters of each reporter's 情况说明 shown in 任务分解表, so one long remark cannot crowd
out the others in the joined cell (Excel cuts a cell at 32,767); 原始数据 keeps the full text."""
REMARK_CUT = "……（全文见原始数据）"


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
                                        f"填报日期：{chinese_date(data.generated_at)}"), st())


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
    sheet.set_row(row, max(fit_height(t, widths[h]) for h, t in wrapped.items()))


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
