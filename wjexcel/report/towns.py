"""区镇进度: every reporter's figures, the split targets' status, and the towns' ranking."""

from __future__ import annotations

from xlsxwriter.utility import xl_rowcol_to_cell

from wjexcel.plan.model import REPORTER_KINDS
from wjexcel.report.briefing import ranking_rule
from wjexcel.report.cells import (HEAD_FONT, Styles, column_widths, number_format, number_width, put, setup_print,
                                  status_formats, title_block, wrapped_rows)
from wjexcel.textmeasure import fit_height

_NUMERALS = "〇一二三四五六七八九十"
from wjexcel.report.data import ReportData


PER_BLOCK = 8
"""Data columns per block: 报送单位, 类型 and eight more print on landscape A4 at full size."""
DATA_WIDTH = 13


def write_towns(book, st: Styles, data: ReportData, ranking) -> None:
    """区镇进度: reporters × indicators, split-target status, heat colours and the ranking.

    Twenty-odd columns do not print legibly on one A4 width, so the sheet is stacked blocks
    on one column grid — the reporters' figures eight indicators at a time, then the towns'
    split targets, then the ranking — each block with its own header row and starting a page."""
    figures, plan = data.figures, data.figures.plan
    inds = figures.indicators
    split_inds = [f for f in inds if f.splits]
    reporters = plan.districts + [r for r in plan.departments
                                  if any(r.name in f.by_reporter for f in inds)]
    blocks = []  # (label, heads, rows, formats, split status columns, 越小越好 columns)
    for n, start in enumerate(range(0, len(inds), PER_BLOCK), 1):
        chunk = inds[start:start + PER_BLOCK]
        heads = [f"{f.code} {f.indicator.name}（{f.indicator.unit}）" for f in chunk]
        rows = [[rep.name, REPORTER_KINDS[rep.kind]] + [reported(f, rep.name) for f in chunk]
                for rep in reporters]
        formats = {2 + i: number_format([f.value, *f.by_reporter.values()], f.indicator.is_percent)
                   for i, f in enumerate(chunk)}
        downs = {2 + i for i, f in enumerate(chunk) if f.indicator.is_down}
        blocks.append((f"各单位填报数值（{_NUMERALS[n]}）", heads, rows, formats, [], downs))
    per_split = PER_BLOCK // 4
    for start in range(0, len(split_inds), per_split):
        chunk = split_inds[start:start + per_split]
        heads = [h for f in chunk for h in (f"{f.code} 分解目标", f"{f.code} 累计完成", f"{f.code} 完成率",
                                              f"{f.code} 状态")]
        rows, formats = [], {}
        for rep in plan.districts:
            row = [rep.name, REPORTER_KINDS[rep.kind]]
            for f in chunk:
                s = next((s for s in f.splits if rep.name in s.members), None)
                if s is None:
                    row += [None, None, None, None]
                else:
                    who = f"（{s.name}合计）" if s.is_group else ""
                    row += [s.assessment.target, s.value, s.assessment.completion, s.assessment.status + who]
            rows.append(row)
        for j, f in enumerate(chunk):
            shown = number_format([f.value, *(s.value for s in f.splits), *(s.assessment.target for s in f.splits)],
                                  f.indicator.is_percent)
            formats.update({2 + 4 * j: shown, 3 + 4 * j: shown, 4 + 4 * j: "0.00%"})
        names = "、".join(f.indicator.name for f in chunk)
        blocks.append((f"区镇分解目标完成情况（{names}）", heads, rows, formats, [5 + 4 * j for j in range(len(chunk))],
                       set()))
    width = max(len(heads) for _, heads, *_ in blocks) if blocks else 0
    widths = column_widths(["报送单位", "类型"], [r[:2] for b in blocks for r in b[2]], [(12, 26), 8])
    for c in range(2, 2 + width):
        cells = [(r[c], b[3].get(c, "General")) for b in blocks for r in b[2] if c < len(r)]
        widths.append(max([DATA_WIDTH] + [number_width([v], fmt) for v, fmt in cells if not isinstance(v, str)]))
    sheet = book.add_worksheet("区镇进度")
    for i, w in enumerate(widths):
        sheet.set_column(i, i, w)
    title = f"各区镇、部门填报情况（{figures.period.label}）"
    title_block(sheet, st, title, f"统计期间：{figures.period.label}；生成时间：{data.generated_at:%Y-%m-%d %H:%M}",
                len(widths), wrap_at=sum(widths))
    row, breaks, first_block = 2, [], None
    for label, heads, rows, formats, status_cols, downs in blocks:
        if first_block is not None:
            breaks.append(row)
        sheet.write_string(row, 0, label, st(bold=True, font_name=HEAD_FONT, font_size=12))
        heads = ["报送单位", "类型", *heads]
        sheet.write_row(row + 1, 0, heads, st.header())
        sheet.set_row(row + 1, max(fit_height(h, w) for h, w in zip(heads, widths)))
        first = row + 2
        for r, values in enumerate(rows, first):
            for c, value in enumerate(values):
                number = isinstance(value, (int, float)) and not isinstance(value, bool)
                put(sheet, r, c, value, st.number(formats.get(c, "General")) if number else st.text(wrap=c >= 2))
            tall = max((fit_height(v, widths[c]) for c, v in enumerate(values) if c >= 2 and isinstance(v, str)),
                       default=0)
            if tall > fit_height("", 1):
                sheet.set_row(r, tall)
        last = first + len(rows) - 1
        if first_block is None:
            first_block = (row + 1, last, len(heads) - 1)
        towns_last = first + len(plan.districts) - 1
        for c in range(2, len(heads)):
            if not status_cols and c in formats:
                # more is greener; for a 越小越好 indicator the scale is reversed (the lowest is greenest)
                low, high = ("#63BE7B", "#FFFFFF") if c in downs else ("#FFFFFF", "#63BE7B")
                sheet.conditional_format(first, c, towns_last, c, {
                    "type": "2_color_scale", "min_color": low, "max_color": high})
        for c in status_cols:
            status_formats(book, sheet, f"{xl_rowcol_to_cell(first, c)}:{xl_rowcol_to_cell(last, c)}")
        row = last + 2
    if first_block is not None:
        sheet.autofilter(first_block[0], 0, first_block[1], first_block[2])
    sheet.freeze_panes(0, 1)
    setup_print(sheet, figures, (0, 1))
    sheet.set_h_pagebreaks([*breaks, row])  # the ranking and its method on a page of their own
    widths = widths + [DATA_WIDTH] * max(0, 10 - len(widths))
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
