"""区镇进度: every reporter's figures, the split targets' status, and the towns' ranking."""

from __future__ import annotations

from xlsxwriter.utility import xl_rowcol_to_cell

from wjexcel.plan.model import REPORTER_KINDS
from wjexcel.report.briefing import ranking_rule
from wjexcel.report.cells import (HEAD_FONT, Styles, column_widths, number_format, put, status_formats, table,
                                  wrapped_rows)
from wjexcel.report.data import ReportData


def write_towns(book, st: Styles, data: ReportData, ranking) -> None:
    """区镇进度: reporters × indicators, split-target status, heat colours and the ranking."""
    figures, plan = data.figures, data.figures.plan
    inds = figures.indicators
    split_inds = [f for f in inds if f.splits]
    heads = ["报送单位", "类型"] + [f"{f.code} {f.indicator.name}（{f.indicator.unit}）" for f in inds]
    for f in split_inds:
        heads += [f"{f.code} 分解目标", f"{f.code} 累计完成", f"{f.code} 完成率", f"{f.code} 状态"]
    reporters = plan.districts + [r for r in plan.departments
                                  if any(r.name in f.by_reporter for f in inds)]
    rows = []
    for rep in reporters:
        row = [rep.name, REPORTER_KINDS[rep.kind]] + [reported(f, rep.name) for f in inds]
        for f in split_inds:
            s = next((s for s in f.splits if rep.name in s.members), None)
            if s is None:
                row += [None, None, None, None]
            else:
                who = f"（{s.name}合计）" if s.is_group else ""
                row += [s.assessment.target, s.value, s.assessment.completion, s.assessment.status + who]
        rows.append(row)
    widths = column_widths(heads, rows, [(12, 26), 8] + [12] * len(inds)
                           + [10, 10, 10, (10, 26)] * len(split_inds))
    formats = {2 + i: number_format([f.value, *f.by_reporter.values()], f.indicator.is_percent)
               for i, f in enumerate(inds)}
    base = 2 + len(inds)
    for j in range(len(split_inds)):
        formats[base + 4 * j + 2] = "0.00%"
    sheet, first, last = table(book, st, "区镇进度", f"各区镇、部门填报情况（{figures.period.label}）",
                               heads, rows, widths, data, formats)
    sheet.freeze_panes(3, 1)
    towns_last = first + len(plan.districts) - 1
    for i, f in enumerate(inds):
        # more is greener; for a 越小越好 indicator the scale is reversed (the lowest is greenest)
        low, high = ("#63BE7B", "#FFFFFF") if f.indicator.is_down else ("#FFFFFF", "#63BE7B")
        sheet.conditional_format(first, 2 + i, towns_last, 2 + i, {
            "type": "2_color_scale", "min_color": low, "max_color": high})
    for j in range(len(split_inds)):
        c = base + 4 * j + 3
        status_formats(book, sheet, f"{xl_rowcol_to_cell(first, c)}:{xl_rowcol_to_cell(last, c)}")
    row = last + 2
    sheet.write_string(row, 0, "区镇按成效排名", st(bold=True, font_name=HEAD_FONT, font_size=12))
    sheet.merge_range(row, 7, row, 10, "填报情况（单独列示，不计入得分）", st(bold=True, align="center"))
    rank_heads = ["区镇", "排名", "排名变化", "综合得分", "分解目标得分", "贡献得分", "", "填报指标数", "应填指标数",
                  "填报率", "报送时效"]
    timely = {r.reporter: r.timeliness.label for r in data.reporting}
    sheet.write_row(row + 1, 0, rank_heads, st.header())
    for i, t in enumerate(ranking, row + 2):
        change = "" if t.rank_change is None else (f"+{t.rank_change}" if t.rank_change > 0 else
                                                   ("持平" if t.rank_change == 0 else str(t.rank_change)))
        values = [t.reporter, t.rank, change, t.score, t.split_score, t.share_score, None, t.filled, t.expected,
                  t.fill_rate, timely.get(t.reporter, "")]
        fmts = ["General", "0", "General", "0.0", "0.0", "0.0", "General", "0", "0", "0.0%", "General"]
        for c, (value, fmt) in enumerate(zip(values, fmts)):
            if c == 6:
                continue
            put(sheet, i, c, value, st.text() if isinstance(value, str) else st.number(fmt))
    end = row + 1 + len(ranking)
    sheet.conditional_format(row + 2, 3, end, 3, {"type": "data_bar", "bar_color": "#63BE7B",
                                                  "min_type": "num", "min_value": 0,
                                                  "max_type": "num", "max_value": 100})
    wrapped_rows(sheet, st, end + 2, ["排名方法：" + ranking_rule(plan)], 10, sum(widths[:10]))


def reported(f, name: str):
    """What a reporter gave for an indicator: its number, or a 节点任务's state."""
    if f.milestone is not None:
        return f.milestone.states.get(name)
    return f.by_reporter.get(name)
