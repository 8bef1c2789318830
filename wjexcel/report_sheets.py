"""The 汇总 workbook's sheets after 任务分解表: towns, reporting, problems, raw data,
details, charts and the drafted briefing. Text from returned forms goes through
:func:`wjexcel.report.text` and ``write_string`` only."""

from __future__ import annotations

from datetime import date, datetime

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from wjexcel.briefing import RANKING_RULE, briefing_paragraphs
from wjexcel.figures import rank_towns
from wjexcel.ledger import VERDICT_LABELS
from wjexcel.plan import REPORTER_KINDS
from wjexcel.problems import SEVERITY_LABELS
from wjexcel.report import (ReportData, Styles, number_format, setup_print, status_formats, text,
                            title_block, wrapped_rows)
from wjexcel.uscc import normalize as normalize_uscc

REPORTING_COLOURS = {"已报送": "#C6EFCE", "已退回": "#FFC7CE", "未报送": "#D9D9D9"}


def write_all(book, st: Styles, data: ReportData) -> None:
    ranking = rank_towns(data.figures)
    write_towns(book, st, data, ranking)
    write_reporting(book, st, data)
    write_problems(book, st, data)
    write_raw(book, st, data)
    write_details(book, st, data)
    write_charts(book, st, data, ranking)
    write_briefing(book, st, data, ranking)


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


def table(book, st: Styles, name: str, title: str, heads: list[str], rows: list[list], widths: list[int],
          data: ReportData, formats: dict[int, str] | None = None):
    """A titled sheet with one filtered, frozen table; returns (sheet, first data row, last row)."""
    sheet = book.add_worksheet(name)
    for i, w in enumerate(widths):
        sheet.set_column(i, i, w)
    title_block(sheet, st, title, f"统计期间：{data.figures.period.label}；生成时间："
                f"{data.generated_at:%Y-%m-%d %H:%M}", len(heads))
    sheet.write_row(2, 0, heads, st.header())
    formats = formats or {}
    for r, values in enumerate(rows, 3):
        for c, value in enumerate(values):
            put(sheet, r, c, value, st.cell(num_format=formats.get(c, "General")))
    last = max(3, 2 + len(rows))
    sheet.freeze_panes(3, 0)
    sheet.autofilter(2, 0, last, len(heads) - 1)
    setup_print(sheet, data.figures, (2, 2))
    return sheet, 3, last


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
        row = [rep.name, REPORTER_KINDS[rep.kind]] + [f.by_reporter.get(rep.name) for f in inds]
        for f in split_inds:
            s = next((s for s in f.splits if rep.name in s.members), None)
            if s is None:
                row += [None, None, None, None]
            else:
                who = f"（{s.name}合计）" if s.is_group else ""
                row += [s.assessment.target, s.value, s.assessment.completion, s.assessment.status + who]
        rows.append(row)
    widths = [24, 8] + [12] * len(inds) + [10, 10, 10, 22] * len(split_inds)
    formats = {2 + i: number_format([f.value, *f.by_reporter.values()], f.indicator.is_percent)
               for i, f in enumerate(inds)}
    base = 2 + len(inds)
    for j in range(len(split_inds)):
        formats[base + 4 * j + 2] = "0.00%"
    sheet, first, last = table(book, st, "区镇进度", f"各区镇、部门填报情况（{figures.period.label}）",
                               heads, rows, widths, data, formats)
    sheet.set_row(2, 60)
    sheet.freeze_panes(3, 1)
    towns_last = first + len(plan.districts) - 1
    for i in range(len(inds)):
        sheet.conditional_format(first, 2 + i, towns_last, 2 + i, {
            "type": "2_color_scale", "min_color": "#FFFFFF", "max_color": "#63BE7B"})
    for j in range(len(split_inds)):
        c = base + 4 * j + 3
        status_formats(book, sheet, f"{xl_rowcol_to_cell(first, c)}:{xl_rowcol_to_cell(last, c)}")
    row = last + 2
    sheet.write_string(row, 0, "区镇排名", st(bold=True, font_name="宋体", font_size=12))
    rank_heads = ["区镇", "排名", "填报指标数", "应填指标数", "填报率", "分解目标得分", "综合得分"]
    sheet.write_row(row + 1, 0, rank_heads, st.header())
    for i, t in enumerate(ranking, row + 2):
        values = [t.reporter, t.rank, t.filled, t.expected, t.fill_rate, t.split_points, t.score]
        fmts = ["General", "0", "0", "0", "0.0%", "0.0", "0.0"]
        for c, (value, fmt) in enumerate(zip(values, fmts)):
            put(sheet, i, c, value, st.cell(num_format=fmt))
    end = row + 1 + len(ranking)
    sheet.conditional_format(row + 2, 6, end, 6, {"type": "data_bar", "bar_color": "#63BE7B",
                                                  "min_type": "num", "min_value": 0,
                                                  "max_type": "num", "max_value": 100})
    wrapped_rows(sheet, st, end + 2, ["排名方法：" + RANKING_RULE], 8, sum(widths[:8]))


def write_reporting(book, st: Styles, data: ReportData) -> None:
    """报送情况: every reporter, status, versions, times and who filled the counted form."""
    signed = {s.reporter: s for s in data.submissions}
    rows = []
    for r in data.reporting:
        sub = signed.get(r.reporter)
        rows.append([r.reporter, REPORTER_KINDS.get(r.kind, r.kind), r.status, r.versions, r.last_received,
                     sub.filled_by if sub else "", sub.phone if sub else "",
                     sub.filled_on if sub else None, getattr(r, "note", "")])
    heads = ["报送单位", "类型", "报送状态", "版本数", "最后收到时间", "填报人", "联系电话", "填报日期", "说明"]
    sheet, first, last = table(book, st, "报送情况", f"报送情况（{data.figures.period.label}）", heads, rows,
                               [24, 8, 10, 8, 18, 12, 16, 12, 40], data)
    for status, fill in REPORTING_COLOURS.items():
        sheet.conditional_format(first, 2, last, 2, {
            "type": "cell", "criteria": "==", "value": f'"{status}"',
            "format": book.add_format({"bg_color": fill, "bold": True})})


def write_problems(book, st: Styles, data: ReportData) -> None:
    rows = [[p.file, p.reporter, p.period, VERDICT_LABELS.get(p.verdict, p.verdict),
             SEVERITY_LABELS.get(p.severity, p.severity), p.sheet, p.cell, p.message, p.received_at]
            for p in data.problems]
    heads = ["文件", "报送单位", "期间", "处理结果", "级别", "工作表", "单元格", "问题说明", "收到时间"]
    sheet, first, last = table(book, st, "问题清单", f"来件问题清单（{data.figures.period.label}）", heads, rows,
                               [36, 20, 9, 12, 6, 14, 8, 60, 17], data)
    sheet.conditional_format(first, 4, last, 4, {"type": "cell", "criteria": "==", "value": '"错误"',
                                                 "format": book.add_format({"font_color": "#C00000",
                                                                            "bold": True})})


def write_raw(book, st: Styles, data: ReportData) -> None:
    plan = data.figures.plan
    names = {i.code: i.name for i in plan.indicators}
    rows = [[v.reporter, REPORTER_KINDS.get(v.reporter_kind, v.reporter_kind), v.indicator,
             names.get(v.indicator, ""), v.period, v.value, v.raw, v.remark, v.file, v.sheet, v.cell,
             v.received_at, v.submission_id] for v in data.raw_values]
    heads = ["报送单位", "类型", "指标编号", "指标名称", "期间", "数值", "原始填写", "情况说明", "文件", "工作表",
             "单元格", "收到时间", "提交编号"]
    table(book, st, "原始数据", f"原始数据（{data.figures.period.label}，含来源）", heads, rows,
          [22, 6, 8, 30, 9, 12, 14, 30, 36, 10, 7, 17, 8], data, {5: "#,##0.####"})


def write_details(book, st: Styles, data: ReportData) -> None:
    """明细汇总: every detail row in one table; a 统一社会信用代码 from two reporters is flagged."""
    plan = data.figures.plan
    lists = {d.code: d for d in plan.detail_lists}
    columns: list[str] = []
    for d in plan.detail_lists:
        columns += [c.name for c in d.columns if c.name not in columns]
    uscc_cols = {c.name for d in plan.detail_lists for c in d.columns if c.type == "uscc"}
    seen: dict[tuple[str, str], set[str]] = {}
    for reporter, row, _ in data.details:
        for c in uscc_cols:
            code = normalize_uscc(row.values.get(c) or "")
            if code:
                seen.setdefault((row.list_code, code), set()).add(reporter)
    rows = []
    for reporter, row, file in data.details:
        flags = []
        for c in uscc_cols:
            code = normalize_uscc(row.values.get(c) or "")
            others = seen.get((row.list_code, code), set()) - {reporter}
            if code and others:
                flags.append(f"{c} {code} 同时由{'、'.join(sorted(others))}报送")
        name = lists[row.list_code].name if row.list_code in lists else row.list_code
        rows.append([name, reporter, file, row.sheet, row.row]
                    + [row.values.get(c) for c in columns] + ["；".join(flags)])
    heads = ["明细表", "报送单位", "文件", "工作表", "行号"] + columns + ["重复提示"]
    sheet, first, last = table(book, st, "明细汇总", f"明细汇总（{data.figures.period.label}）", heads, rows,
                               [18, 20, 30, 14, 6] + [16] * len(columns) + [40], data)
    dup = len(heads) - 1
    sheet.conditional_format(first, 0, last, dup, {
        "type": "formula", "criteria": f"=LEN(${xl_col_to_name(dup)}{first + 1})>0",
        "format": book.add_format({"bg_color": "#FFC7CE"})})


def write_charts(book, st: Styles, data: ReportData, ranking) -> None:
    """图表: completion by indicator (from 任务分解表) and towns' split/ranking scores."""
    from wjexcel.report import FIRST_ROW

    figures = data.figures
    sheet = book.add_worksheet("图表")
    title_block(sheet, st, f"完成情况图表（{figures.period.label}）", "完成率取自“任务分解表”，随表中数值变化。", 12)
    n = len(figures.indicators)
    years = len(figures.plan.years)
    name_col, rate_col = 2, 4 + years + 1
    chart = book.add_chart({"type": "bar"})
    chart.add_series({
        "name": "完成率",
        "categories": ["任务分解表", FIRST_ROW, name_col, FIRST_ROW + n - 1, name_col],
        "values": ["任务分解表", FIRST_ROW, rate_col, FIRST_ROW + n - 1, rate_col],
        "data_labels": {"value": True, "num_format": "0%"},
        "fill": {"color": "#5B9BD5"},
    })
    chart.set_title({"name": "各指标完成率", "name_font": {"name": "宋体", "size": 12}})
    chart.set_x_axis({"num_format": "0%", "min": 0})
    chart.set_y_axis({"reverse": True, "num_font": {"name": "宋体", "size": 9}})
    chart.set_legend({"none": True})
    chart.set_size({"width": 820, "height": 40 + 26 * n})
    sheet.insert_chart("A4", chart)
    row = 6 + (40 + 26 * n) // 20
    sheet.write_row(row, 0, ["区镇", "分解目标完成率", "综合得分"], st.header())
    split_by_town = {}
    for f in figures.indicators:
        for s in f.splits:
            for m in s.members:
                split_by_town.setdefault(m, s.assessment.completion)
    for i, t in enumerate(ranking, row + 1):
        put(sheet, i, 0, t.reporter, st.cell())
        put(sheet, i, 1, split_by_town.get(t.reporter), st.cell(num_format="0.0%"))
        put(sheet, i, 2, t.score, st.cell(num_format="0.0"))
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 2, 14)
    last = row + len(ranking)
    for col, name, fmt, colour, anchor in ((1, "各区镇分解目标完成率", "0%", "#ED7D31", 4),
                                             (2, "各区镇综合得分", "0", "#70AD47", 10)):
        c = book.add_chart({"type": "column"})
        c.add_series({"name": name, "categories": ["图表", row + 1, 0, last, 0],
                      "values": ["图表", row + 1, col, last, col],
                      "data_labels": {"value": True, "num_format": fmt}, "fill": {"color": colour}})
        c.set_title({"name": name, "name_font": {"name": "宋体", "size": 12}})
        c.set_legend({"none": True})
        c.set_size({"width": 560, "height": 320})
        sheet.insert_chart(row, anchor, c)
    setup_print(sheet, figures, (0, 0))


def write_briefing(book, st: Styles, data: ReportData, ranking) -> None:
    """进展简报: drafted paragraphs for leadership, ready to copy into a document."""
    figures = data.figures
    sheet = book.add_worksheet("进展简报")
    sheet.set_column(0, 0, 110)
    title_block(sheet, st, f"{figures.plan.name}推进情况简报（{figures.period.label}）",
                f"由 wjexcel 根据已收报表自动起草，{data.generated_at:%Y-%m-%d %H:%M}；请核对后使用。", 1)
    missing = [r.reporter for r in data.reporting if r.status != "已报送"]
    paras = briefing_paragraphs(figures, missing, ranking)
    fmt = st(text_wrap=True, valign="top", font_size=14)
    for i, p in enumerate(paras, 3):
        sheet.write_string(i, 0, text("　　" + p), fmt)
        sheet.set_row(i, 20 * (len(p) // 52 + 1))
    sheet.set_portrait()
    setup_print(sheet, figures, (0, 0), landscape=False)
