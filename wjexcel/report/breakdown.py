"""任务分解表: one row per indicator, grouped by task, with live formulas that carry their values.

完成率, 进度, 期望值 and 状态 are formulas over the value, target and baseline cells *and* hold
the value wjexcel computed, so a phone preview, WPS or pandas shows them without
recalculating, while in Excel an edited value re-colours its row. The comparisons with the
previous period and the same period a year earlier follow (环比, 同比), then the notes.

It prints on landscape A4 one page wide, its header row on every page: every column up to
数据来源, then the 说明 and, per indicator, its 核对提示 and 情况说明 (the last two columns are
for the screen; on paper their text follows the table, where it has the page's width).
"""

from __future__ import annotations

from xlsxwriter.utility import xl_rowcol_to_cell

from wjexcel.periods import chinese_date
from wjexcel.plan.model import PLAN_TOTAL, RATIO, STOCK, YEAR_COUNTS
from wjexcel.report.briefing import rule_lines
from wjexcel.report.cells import (HEAD_FONT, Styles, number_format, number_width, setup_print, status_formats, text,
                                  title_block, wrapped_rows)
from wjexcel.report.data import ReportData
from wjexcel.report.figures import (DISTRICTS, DONE, LAGGING, MISSING, ON_TRACK, SEVERE, SOURCE, Figures,
                                    IndicatorFigure, number_text)
from wjexcel.textmeasure import FULL, balanced, fit_height, text_units, wrap_width
from wjexcel.values import shorten

SHEET = "任务分解表"
HEADER_ROW = 3
FIRST_ROW = HEADER_ROW + 1
SLACK = "0.000000001"  # figures.EPS written out, so Excel and LibreOffice read it alike
TOLERANCE_CELL = "$B$3"
SHARE_CELL = "$D$3"
REMARK_EXCERPT = 300
"""Characters of each reporter's 情况说明 shown in 任务分解表, so one long remark cannot crowd
out the others in the joined cell (Excel cuts a cell at 32,767); 原始数据 keeps the full text."""
REMARK_CUT = "……（全文见原始数据）"

FIRST_PAGE = ["序号", "工作任务", "指标", "单位", "类型", "本年目标", "基期值", "本期完成值", "完成率", "进度",
              "序时进度", "期望值", "状态", "连续滞后期数"]
SECOND_PAGE = ["上期值", "本期新增", "上年同期", "同比增减", "同比增速", "计划累计", "责任单位", "数据来源",
               "核对提示", "情况说明"]
HEADS = FIRST_PAGE + SECOND_PAGE
COLUMN = {h: i for i, h in enumerate(HEADS)}
LABELS = HEADS
PRINTED = COLUMN["数据来源"] + 1
"""Columns on paper; 核对提示 and 情况说明 print after the table."""
FROZEN = 3  # 序号, 工作任务, 指标 stay on screen
PERCENT = "0.0%"


def write_breakdown(book, st: Styles, data: ReportData) -> None:
    """任务分解表: one row per indicator, grouped by task, live formulas with cached values."""
    figures, plan = data.figures, data.figures.plan
    sheet = book.add_worksheet(SHEET)
    inds = figures.indicators
    fixed = {"序号": 4, "工作任务": 9, "单位": 5.5, "类型": 5.5, "状态": 7.5, "连续滞后期数": 4.5, "责任单位": 11,
             "核对提示": 16, "情况说明": 24}
    fitted = {"指标": wrap_width([f.indicator.name for f in inds], 13, 16), "数据来源": SOURCE_WIDTH}
    fitted.update(_number_widths(inds))
    widths = [fixed.get(h) or fitted[h] for h in HEADS]
    for i, w in enumerate(widths):
        sheet.set_column(i, i, w)
    n = len(HEADS)
    title_block(sheet, st, f"{plan.name}任务分解表完成情况（{figures.period.label}）",
                f"统计期间：{figures.period.label}，截至{figures.period.end_label}；序时进度 "
                f"{figures.elapsed:.0%}；生成时间：{data.generated_at:%Y-%m-%d %H:%M}", PRINTED, wrap_at=sum(widths[:PRINTED]))
    sheet.write_string(2, 0, "容差", st(bold=True, align="right"))
    sheet.write_number(2, 1, plan.tolerance, st(num_format="0%", bold=True))
    sheet.write_string(2, 2, "计划期已过", st(bold=True, align="right"))
    share = st(num_format="0.00%", bold=True, align="left")
    sheet.merge_range(2, 3, 2, 5, "", share)  # 单位 alone is too narrow for “58.33%”
    sheet.write_number(2, 3, float(figures.plan_share), share)
    sheet.write_row(HEADER_ROW, 0, LABELS, st.header())
    sheet.set_row(HEADER_ROW, max(fit_height(h, w) for h, w in zip(LABELS, widths)))
    row = FIRST_ROW
    task_rows: dict[int, list[int]] = {}
    for index, f in enumerate(inds, 1):
        task_rows.setdefault(f.indicator.task, []).append(row)
        _indicator_row(sheet, st, f, row, index, figures, dict(zip(HEADS, widths)))
        row += 1
    last = row - 1
    for task, rows in task_rows.items():
        name = _task_label(plan, task, fixed["工作任务"])
        fmt = st.cell(bold=True, align="center")
        if len(rows) > 1 and rows == list(range(rows[0], rows[-1] + 1)):
            sheet.merge_range(rows[0], 1, rows[-1], 1, "", fmt)
        sheet.write_string(rows[0], 1, text(name), fmt)
    status_col = COLUMN["状态"]
    status_formats(book, sheet, f"{xl_rowcol_to_cell(FIRST_ROW, status_col)}:{xl_rowcol_to_cell(last, status_col)}")
    for head in ("完成率", "进度"):
        sheet.conditional_format(FIRST_ROW, COLUMN[head], last, COLUMN[head], {
            "type": "data_bar", "bar_color": "#5B9BD5", "bar_solid": True,
            "min_type": "num", "min_value": 0, "max_type": "num", "max_value": 1})
    sheet.freeze_panes(FIRST_ROW, FROZEN)
    sheet.autofilter(HEADER_ROW, 0, last, n - 1)
    setup_print(sheet, figures, (HEADER_ROW, HEADER_ROW))
    sheet.set_margins(left=NARROW_MARGIN, right=NARROW_MARGIN, top=0.6, bottom=0.6)
    row = last + 2
    printed_width = sum(widths[:PRINTED])
    notes = [f"{i}. {f.indicator.name}：" + "；".join(filter(None, ["；".join(f.notes), _remarks(f)]))
             for i, f in enumerate(inds, 1) if f.notes or f.remarks]
    if notes:
        sheet.write_string(row, 0, "核对提示与情况说明", st(bold=True, font_name=HEAD_FONT, font_size=12))
        row = wrapped_rows(sheet, st, row + 1, notes, PRINTED, printed_width) + 1
    sheet.write_string(row, 0, "说明", st(bold=True, font_name=HEAD_FONT, font_size=12))
    row = wrapped_rows(sheet, st, row + 1, rule_lines(figures), PRINTED, printed_width)
    sheet.write_string(row + 1, 0, text(f"编制单位：{plan.lead_unit}（盖章）        填表人：              "
                                        f"审核人：              联系电话：              "
                                        f"填报日期：{chinese_date(data.generated_at)}"), st())
    sheet.print_area(0, 0, row + 1, PRINTED - 1)


def _task_label(plan, task: int, width: int) -> str:
    """The 工作任务 cell: number and name, broken into even lines."""
    return balanced(f"{task}. {plan.task(task).name}", width)


SOURCE_WIDTH = 13.5
NARROW_MARGIN = 0.3
"""Inches left and right: the widest leader table keeps its type at 8 pt or more."""


def _number_widths(inds: list[IndicatorFigure]) -> dict[str, float]:
    """Each number column's width: its values as shown, in the widest font they may meet."""
    def values(f):
        a = f.assessment
        return {"本年目标": a.target, "基期值": a.baseline and a.baseline.value, "本期完成值": f.value,
                "期望值": a.expected, "上期值": f.previous and f.previous.value, "本期新增": f.change,
                "上年同期": f.same_period_last_year and f.same_period_last_year.value, "同比增减": f.yoy_change,
                "计划累计": f.plan_to_date}
    # at least room for a header of three characters a line, or of four on two lines
    low = {"本年目标": 6.5, "基期值": 7.5, "本期完成值": 7.5, "期望值": 7.5, "上期值": 7.5, "本期新增": 6.5,
           "上年同期": 6.5, "同比增减": 6.5, "计划累计": 6.5}
    out = {h: max(number_width([v], _format(f, h), w) for f in inds for v in [values(f)[h]]) for h, w in low.items()}
    out.update({h: max(number_width([v], PERCENT, 6.5 if len(h) == 4 else 7.5) for f in inds for v in vals(f))
                for h, vals in (("完成率", lambda f: [f.assessment.completion]),
                                ("进度", lambda f: [f.assessment.progress]), ("序时进度", lambda f: [f.elapsed]),
                                ("同比增速", lambda f: [f.yoy_growth]))})
    return out


def _format(f: IndicatorFigure, head: str) -> str:
    """The number format of one of ``f``'s number cells: the one :func:`_indicator_row` writes it in
    and :func:`_number_widths` measures it in (a column sized for other digits shows ``###``)."""
    ind, a = f.indicator, f.assessment
    values = [f.value, f.plan_to_date, f.previous and f.previous.value, a.baseline and a.baseline.value,
              *(t.value for t in ind.targets.values())]
    if head == "本年目标":
        return number_format(values, ind.is_percent, a.op)
    if head == "期望值":
        return expected_format(f)
    return number_format(values, ind.is_percent)


def expected_format(f: IndicatorFigure, values=None) -> str:
    """期望值 (of ``f``, or ``values`` such as a split's) as a leader reads it: a count (家, 个,
    项…) to one decimal, a percentage to two, a whole number without decimals."""
    values = [f.assessment.expected] if values is None else values
    if all(v is None or float(v).is_integer() for v in values):
        return "0.00" if f.indicator.is_percent else "#,##0"
    return "0.00" if f.indicator.is_percent else ("#,##0.0" if is_count(f.indicator.unit) else "#,##0.00")


COUNT_UNITS = ("家", "个", "场", "项", "人", "名", "件", "次", "所", "座", "支", "户", "款")


def is_count(unit: str) -> bool:
    """A unit of things counted one by one, whose expected value reads best to one decimal."""
    return bool(unit) and unit[-1] in COUNT_UNITS


def _remarks(f: IndicatorFigure) -> str:
    return "；".join(f"{r}：{shorten(text(m), REMARK_EXCERPT, REMARK_CUT)}" for r, m in f.remarks.items())


def _source(f) -> str:
    """The 数据来源 text: whose figure the 全区 value is."""
    unit = f.indicator.source_unit
    m = f.milestone
    if m is not None:  # a state, not a figure: who gave one
        if list(m.expected) == [unit]:
            return f"{unit}（{'未报' if m.missing else '来源单位'}）"
        missing = m.missing if len(m.missing) <= 3 else [f"{len(m.missing)} 个区镇"]
        return "区镇填报" + (f"（{'、'.join(missing)}未报）" if missing else "")
    if f.basis == SOURCE:
        return f"{unit}（来源单位）"
    if f.basis == DISTRICTS:
        return f"区镇合计（{unit}未报）"
    return f"{unit}（未报）"


def _cell(row: int, head: str) -> str:
    return xl_rowcol_to_cell(row, COLUMN[head])


def _number(sheet, st, row: int, head: str, value, num_format: str) -> None:
    if value is None:
        sheet.write_blank(row, COLUMN[head], None, st.number(num_format))
    else:
        sheet.write_number(row, COLUMN[head], value, st.number(num_format))


def _indicator_row(sheet, st: Styles, f: IndicatorFigure, row: int, index: int, figures: Figures,
                   widths: dict) -> None:
    ind, a = f.indicator, f.assessment
    cell = st.cell(align="left", indent=1)
    values = [f.value, f.plan_to_date, f.previous and f.previous.value, a.baseline and a.baseline.value,
              *(t.value for t in ind.targets.values())]
    num = number_format(values, ind.is_percent)
    shown = ""  # 本期完成值 in words (a towns' sum 暂缺, a 节点任务's state): the row grows to hold it
    sheet.write_number(row, COLUMN["序号"], index, st.cell(align="center"))
    sheet.write_blank(row, COLUMN["工作任务"], None, cell)
    sheet.write_string(row, COLUMN["指标"], text(ind.name), cell)
    sheet.write_string(row, COLUMN["单位"], text(ind.unit), st.cell(align="center"))
    sheet.write_string(row, COLUMN["类型"], ind.kind_label, st.cell(align="center"))
    _number(sheet, st, row, "本年目标", a.target, number_format(values, ind.is_percent, a.op))
    _number(sheet, st, row, "基期值", a.baseline.value if a.baseline else None, num)
    if f.partial is None and f.milestone is None:
        _number(sheet, st, row, "本期完成值", f.value, num)
    sheet.write_number(row, COLUMN["序时进度"], f.elapsed, st.number(PERCENT))
    if not f.due or a.target is None or f.milestone is not None or f.partial is not None:
        # Not judged on a figure (本期不报, 本年不考核, a 节点任务's state, a towns' sum still 暂缺): plain text.
        for head in ("完成率", "进度"):
            sheet.write_blank(row, COLUMN[head], None, cell)
        _number(sheet, st, row, "期望值", a.expected if f.due and f.milestone is None else None, _format(f, "期望值"))
        shown = partial_text(f) if f.partial is not None else milestone_text(f) if f.milestone is not None else ""
        if shown:
            sheet.write_string(row, COLUMN["本期完成值"], text(shown), st.cell(align="center"))
        sheet.write_string(row, COLUMN["状态"], f.status.value, st.cell(align="center"))
    elif ind.is_down:
        v, t, b = _cell(row, "本期完成值"), _cell(row, "本年目标"), _cell(row, "基期值")
        e, x = _cell(row, "序时进度"), _cell(row, "期望值")
        sheet.write_blank(row, COLUMN["完成率"], None, cell)  # a cap has no 完成率: 进度 is what was used
        sheet.write_formula(row, COLUMN["进度"], f'=IF(ISNUMBER({v}),IFERROR({_progress_formula(f, v, t, b, x)},""),"")',
                            st.number("0.00%"), "" if a.progress is None else a.progress)
        sheet.write_formula(row, COLUMN["期望值"], "=" + _expected_formula(f, t, b, e),
                            st.number(_format(f, "期望值")), a.expected)
        sheet.write_formula(row, COLUMN["状态"], cap_status_formula(f, v, t, e, x, _band_formula(f, t, b, x), a.op),
                            st.cell(align="center"), a.status.value)
    else:
        v, t, b = _cell(row, "本期完成值"), _cell(row, "本年目标"), _cell(row, "基期值")
        e, x = _cell(row, "序时进度"), _cell(row, "期望值")
        sheet.write_formula(row, COLUMN["完成率"], f'=IF(ISNUMBER({v}),IFERROR({v}/{t},""),"")',
                            st.number(PERCENT), "" if a.completion is None else a.completion)
        sheet.write_formula(row, COLUMN["进度"], f'=IF(ISNUMBER({v}),IFERROR({_progress_formula(f, v, t, b, x)},""),"")',
                            st.number(PERCENT), "" if a.progress is None else a.progress)
        sheet.write_formula(row, COLUMN["期望值"], "=" + _expected_formula(f, t, b, e),
                            st.number(_format(f, "期望值")), a.expected)
        due = SHARE_CELL if ind.kind == PLAN_TOTAL else e
        sheet.write_formula(row, COLUMN["状态"], status_formula(v, t, due, x, _band_formula(f, t, b, x), a.op),
                            st.cell(align="center"), a.status.value)
    _number(sheet, st, row, "连续滞后期数", f.lagging_periods or None, "0")
    _number(sheet, st, row, "上期值", f.previous.value if f.previous else None, num)
    _number(sheet, st, row, "本期新增", f.change, num)
    _number(sheet, st, row, "上年同期", f.same_period_last_year.value if f.same_period_last_year else None, num)
    _number(sheet, st, row, "同比增减", f.yoy_change, num)
    _number(sheet, st, row, "同比增速", f.yoy_growth, "0.0%")
    _number(sheet, st, row, "计划累计", f.plan_to_date if ind.kind != PLAN_TOTAL or f.value is not None else None, num)
    units = balanced("、".join(figures.plan.responsible_units(ind)), widths["责任单位"])
    sheet.write_string(row, COLUMN["责任单位"], text(units), cell)
    source = _source(f)
    if text_units(source, FULL) > widths["数据来源"] - 1:  # the unit, then its bracket on lines of its own
        unit, bracket = source.split("（", 1)
        source = unit + "\n" + balanced("（" + bracket, widths["数据来源"])
    sheet.write_string(row, COLUMN["数据来源"], text(source), cell)
    sheet.write_string(row, COLUMN["核对提示"], text("；".join(f.notes)), cell)
    remarks = _remarks(f)
    sheet.write_string(row, COLUMN["情况说明"], text(remarks), cell)
    wrapped = {"工作任务": _task_label(figures.plan, ind.task, widths["工作任务"]), "指标": ind.name,
               "单位": ind.unit, "类型": ind.kind_label, "责任单位": units, "数据来源": source, "本期完成值": shown}
    sheet.set_row(row, max(fit_height(t, widths[h]) for h, t in wrapped.items()))


def _expected_formula(f: IndicatorFigure, t: str, b: str, e: str) -> str:
    """X: T·e for counts from 1 January; T × plan share for a plan total; B+(T−B)·e with a baseline."""
    kind = f.indicator.kind
    if kind in YEAR_COUNTS:
        return f"{t}*{e}"
    if kind == PLAN_TOTAL:
        return f"{t}*{SHARE_CELL}"
    if f.baseline is None:
        return t
    return f"{b}+({t}-{b})*{e}"


def _band_formula(f: IndicatorFigure, t: str, b: str, x: str) -> str:
    """D: what 100% means for the kind (the lagging band is tolerance × D)."""
    kind = f.indicator.kind
    if kind == STOCK and f.baseline is not None:
        if f.indicator.is_down:
            return f"IF({b}-{t}>0,{b}-{t},{t})"
        return f"IF({t}-{b}>0,{t}-{b},{t})"
    band = x if kind == RATIO else t
    return f"ABS({band})" if f.indicator.negative_allowed else band


def _progress_formula(f: IndicatorFigure, v: str, t: str, b: str, x: str) -> str:
    """进度: 净增完成率 (v−B)/(T−B) for a stock with a baseline below its target; v/X for a ratio; else v/T."""
    kind = f.indicator.kind
    if f.indicator.is_down:  # the share of the cap used, or of the required fall achieved
        if kind in YEAR_COUNTS:
            return f"{v}/{t}"
        return f'IF(AND(ISNUMBER({b}),{b}>{t}),({b}-{v})/({b}-{t}),"")'  # no fall required: no progress
    if kind == STOCK and f.baseline is not None and f.assessment.target is not None \
            and f.assessment.target > f.baseline.value:
        return f"({v}-{b})/({t}-{b})"
    if kind == RATIO:
        return f"{v}/{x}"
    return f"{v}/{t}"


def cap_status_formula(f: IndicatorFigure, v: str, t: str, e: str, x: str, band: str, op: str) -> str:
    """The 越小越好 rule as one formula: a year's cap broken is 严重滞后 at once and met only at
    year-end; a falling level is 已完成 once within its target."""
    met = f"{v}<{t}-{SLACK}" if op == "<" else f"{v}<={t}+{SLACK}"
    within = (f'IF({v}<={x}+{SLACK},"{ON_TRACK}",'
              f'IF({v}<={x}+{TOLERANCE_CELL}*({band})+{SLACK},"{LAGGING}","{SEVERE}"))')
    if f.indicator.kind in YEAR_COUNTS:
        body = f'IF(NOT({met}),"{SEVERE}",IF({e}>=1,"{DONE}",{within}))'
    else:
        body = f'IF({met},"{DONE}",{within})'
    return f'=IF(NOT(ISNUMBER({v})),"{MISSING}",{body})'


def partial_text(f: IndicatorFigure) -> str:
    """暂缺（已报 5/8 个区镇，合计 12家）: a towns' sum that is not yet the district's figure."""
    p = f.partial
    total = f"，合计 {number_text(p.value, f.indicator.unit)}" if p.value is not None else ""
    return f"暂缺（已报 {p.reported}/{p.expected} 个区镇{total}）"


def milestone_text(f: IndicatorFigure) -> str:
    """A 节点任务's states: 推进中（2022年底前完成）, or each reporter's where several report."""
    m = f.milestone
    states = sorted(set(m.states.values()))
    shown = states[0] if len(states) == 1 else "、".join(f"{r}{s}" for r, s in m.states.items()) or "未报"
    return f"{shown}（{m.due_label}前完成）"


def status_formula(v: str, t: str, due: str, x: str, band: str, op: str) -> str:
    """The status rule (docs/规格说明.md §9.5) as one Excel formula over value, target, 序时进度, X and D."""
    met = f"{v}>{t}" if op == ">" else f"{v}>={t}-{SLACK}"
    return (f'=IF(NOT(ISNUMBER({v})),"{MISSING}",IF({met},"{DONE}",'
            f'IF(AND({due}<1,{v}>={x}-{SLACK}),"{ON_TRACK}",'
            f'IF({v}>={x}-{TOLERANCE_CELL}*({band})-{SLACK},"{LAGGING}","{SEVERE}"))))')

