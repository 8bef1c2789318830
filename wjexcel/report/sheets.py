"""The 汇总 workbook's table sheets after 任务分解表: towns, reporting, problems, raw data
and details (charts and the briefing are in :mod:`wjexcel.report.pages`). Text from
returned forms goes through :func:`wjexcel.report.workbook.text` and ``write_string`` only."""

from __future__ import annotations

from pathlib import PurePosixPath

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from wjexcel.report.briefing import RANKING_RULE
from wjexcel.report.figures import rank_towns
from wjexcel.workspace.ledger import REJECTED, VERDICT_LABELS
from wjexcel.plan.model import REPORTER_KINDS
from wjexcel.problems import ERROR, SEVERITY_LABELS
from wjexcel.report.workbook import (ReportData, Styles, number_format, put, setup_print, status_formats, title_block,
                            wrapped_rows)
from wjexcel.report.layout import fit_width, line_count, row_height
from wjexcel.report.pages import write_briefing, write_charts
from wjexcel.collect.status import RETURNED
from wjexcel.uscc import normalize as normalize_uscc
from wjexcel.workspace import REPORTS, RETURNS

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


def column_widths(heads: list[str], rows: list[list], widths: list) -> list[float]:
    """``widths`` with each ``(low, high)`` replaced by the width fitting that column's text."""
    return [fit_width([h, *(r[i] for r in rows)], *w) if isinstance(w, tuple) else w
            for i, (h, w) in enumerate(zip(heads, widths))]


def table(book, st: Styles, name: str, title: str, heads: list[str], rows: list[list], widths: list,
          data: ReportData, formats: dict[int, str] | None = None, wrap: tuple[int, ...] = ()):
    """A titled sheet with one filtered, frozen table; returns (sheet, first data row, last row).

    ``widths`` holds a width per column, or ``(low, high)`` to fit the column's text on one
    line within those bounds. Only the ``wrap`` columns wrap (each row is made tall enough);
    any other text, file paths above all, stays on one line. Numbers are right-aligned and
    text left-aligned, each with a small indent so neighbouring cells never run together.
    """
    sheet = book.add_worksheet(name)
    widths = column_widths(heads, rows, widths)
    for i, w in enumerate(widths):
        sheet.set_column(i, i, w)
    title_block(sheet, st, title, f"统计期间：{data.figures.period.label}；生成时间："
                f"{data.generated_at:%Y-%m-%d %H:%M}", len(heads))
    sheet.write_row(2, 0, heads, st.header())
    sheet.set_row(2, row_height(max(line_count(h, w) for h, w in zip(heads, widths))))
    formats = formats or {}
    for r, values in enumerate(rows, 3):
        for c, value in enumerate(values):
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            fmt = st.number(formats.get(c, "General")) if number else st.text(wrap=c in wrap)
            put(sheet, r, c, value, fmt)
        lines = [line_count(str(values[c]), widths[c]) for c in wrap if values[c] not in (None, "")]
        if max(lines, default=1) > 1:
            sheet.set_row(r, row_height(max(lines)))
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
            put(sheet, i, c, value, st.text() if c == 0 else st.number(fmt))
    end = row + 1 + len(ranking)
    sheet.conditional_format(row + 2, 6, end, 6, {"type": "data_bar", "bar_color": "#63BE7B",
                                                  "min_type": "num", "min_value": 0,
                                                  "max_type": "num", "max_value": 100})
    wrapped_rows(sheet, st, end + 2, ["排名方法：" + RANKING_RULE], 8, sum(widths[:8]))


def write_reporting(book, st: Styles, data: ReportData) -> None:
    """报送情况: every reporter, status, versions, times and who filled the counted form;
    a returned reporter's 说明 counts the errors and names the 退回 copy to send back."""
    signed = {s.reporter: s for s in data.submissions}
    rows = []
    for r in data.reporting:
        sub = signed.get(r.reporter)
        rows.append([r.reporter, REPORTER_KINDS.get(r.kind, r.kind), r.status, r.versions, r.last_received,
                     sub.filled_by if sub else "", sub.phone if sub else "",
                     sub.filled_on if sub else None, reporting_note(r, data.problems)])
    heads = ["报送单位", "类型", "报送状态", "版本数", "最后收到时间", "填报人", "联系电话", "填报日期", "说明"]
    sheet, first, last = table(book, st, "报送情况", f"报送情况（{data.figures.period.label}）", heads, rows,
                               [(12, 26), 8, 10, 8, 18, (10, 16), (10, 18), 12, (40, 100)], data)
    for status, fill in REPORTING_COLOURS.items():
        sheet.conditional_format(first, 2, last, 2, {
            "type": "cell", "criteria": "==", "value": f'"{status}"',
            "format": book.add_format({"bg_color": fill, "bold": True})})


def reporting_note(status, problems: list) -> str:
    """The 说明 of one reporter: for 已退回, its latest returned file's errors and 退回 copy."""
    notes = [status.note] if status.note else []
    if status.status != RETURNED:
        return "；".join(notes)
    mine = [p for p in problems if p.reporter == status.reporter and p.verdict == REJECTED]
    if not mine:
        return "；".join(["已退回，详见“问题清单”", *notes])
    latest = max(mine, key=lambda p: p.received_at).file
    errors = sum(1 for p in mine if p.file == latest and p.severity == ERROR)
    copy = PurePosixPath(REPORTS, RETURNS, mine[0].period or "", f"{PurePosixPath(latest).stem}_退回.xlsx")
    return "；".join([f"{errors} 处错误，退回表：{copy}", *notes])


def write_problems(book, st: Styles, data: ReportData) -> None:
    """问题清单: every located problem of every file received for the period."""
    rows = [[p.file, p.reporter, p.period, VERDICT_LABELS.get(p.verdict, p.verdict),
             SEVERITY_LABELS.get(p.severity, p.severity), p.sheet, p.cell, p.message, p.received_at]
            for p in data.problems]
    heads = ["文件", "报送单位", "期间", "处理结果", "级别", "工作表", "单元格", "问题说明", "收到时间"]
    sheet, first, last = table(book, st, "问题清单", f"来件问题清单（{data.figures.period.label}）", heads, rows,
                               [(12, 80), (10, 26), 9, (10, 16), 7, (8, 16), 8, 64, 18], data, wrap=(7,))
    sheet.conditional_format(first, 4, last, 4, {"type": "cell", "criteria": "==", "value": '"错误"',
                                                 "format": book.add_format({"font_color": "#C00000",
                                                                            "bold": True})})


def write_raw(book, st: Styles, data: ReportData) -> None:
    """原始数据: every value received, with its provenance (file, sheet, cell, raw text)."""
    plan = data.figures.plan
    names = {i.code: i.name for i in plan.indicators}
    rows = [[v.reporter, REPORTER_KINDS.get(v.reporter_kind, v.reporter_kind), v.indicator,
             names.get(v.indicator, ""), v.period, v.value, v.raw, v.remark, v.file, v.sheet, v.cell,
             v.received_at, v.submission_id] for v in data.raw_values]
    heads = ["报送单位", "类型", "指标编号", "指标名称", "期间", "数值", "原始填写", "情况说明", "文件", "工作表",
             "单元格", "收到时间", "提交编号"]
    table(book, st, "原始数据", f"原始数据（{data.figures.period.label}，含来源）", heads, rows,
          [(12, 26), 7, 10, (12, 40), 9, 12, (10, 16), 30, (12, 80), (8, 16), 8, 18, 10], data,
          wrap=(7,))


def write_details(book, st: Styles, data: ReportData) -> None:
    """明细汇总: one section per detail list, each with its own columns, so it reads and prints
    on A4; a 统一社会信用代码 reported by two reporters is flagged in the last column."""
    plan = data.figures.plan
    uscc_cols = {c.name for d in plan.detail_lists for c in d.columns if c.type == "uscc"}
    seen: dict[tuple[str, str], set[str]] = {}
    for reporter, row, _ in data.details:
        for c in uscc_cols:
            code = normalize_uscc(row.values.get(c) or "")
            if code:
                seen.setdefault((row.list_code, code), set()).add(reporter)
    sections = []
    for dl in plan.detail_lists:
        rows = []
        for reporter, row, file in (d for d in data.details if d[1].list_code == dl.code):
            flags = []
            for c in uscc_cols:
                code = normalize_uscc(row.values.get(c) or "")
                others = seen.get((dl.code, code), set()) - {reporter}
                if code and others:
                    flags.append(f"{c} {code} 同时由{'、'.join(sorted(others))}报送")
            rows.append((reporter, [row.values.get(c.name) for c in dl.columns],
                         f"{PurePosixPath(file).name} 第{row.row}行", "；".join(flags)))
        sections.append((dl, rows))
    width = max((len(dl.columns) for dl in plan.detail_lists), default=1)
    last_col = width + 2  # 报送单位, the list's columns, 来源, 重复提示
    sheet = book.add_worksheet("明细汇总")
    widths = [(10, 20)] + [(8, 22)] * width + [(12, 28), 26]
    sheet_widths = []
    for i, w in enumerate(widths):
        cells = [cell for dl, rows in sections
                 for cell in [_detail_head(dl, width)[i]] + [_detail_row(r, width)[i] for r in rows]]
        sheet_widths.append(fit_width(cells, *w) if isinstance(w, tuple) else w)
        sheet.set_column(i, i, sheet_widths[-1])
    title_block(sheet, st, f"明细汇总（{data.figures.period.label}）",
                f"统计期间：{data.figures.period.label}；生成时间：{data.generated_at:%Y-%m-%d %H:%M}；"
                "同一统一社会信用代码由两个以上单位报送的，在“重复提示”中标出", last_col + 1)
    r = 3
    for dl, rows in sections:
        dups = sum(1 for row in rows if row[3])
        label = f"{dl.name}（{len(rows)} 条" + (f"，其中 {dups} 条重复报送" if dups else "") + "）"
        sheet.merge_range(r, 0, r, last_col, label, st(bold=True, font_size=12))
        sheet.write_row(r + 1, 0, _detail_head(dl, width), st.header())
        r += 2
        if not rows:
            sheet.merge_range(r, 0, r, last_col, "本期没有收到该名单的数据。", st.text())
            r += 2
            continue
        for row in rows:
            for c, value in enumerate(_detail_row(row, width)):
                number = isinstance(value, (int, float)) and not isinstance(value, bool)
                put(sheet, r, c, value, st.number("General") if number else st.text(wrap=True))
            lines = max(line_count(str(v), w) for v, w in zip(_detail_row(row, width), sheet_widths)
                        if v not in (None, ""))
            if lines > 1:
                sheet.set_row(r, row_height(lines))
            r += 1
        r += 1
    sheet.conditional_format(3, last_col, max(r, 4), last_col, {
        "type": "formula", "criteria": f"=LEN(${xl_col_to_name(last_col)}4)>0",
        "format": book.add_format({"bg_color": "#FFC7CE"})})
    setup_print(sheet, data.figures, (0, 1))


def _detail_head(dl, width: int) -> list[str]:
    return ["报送单位"] + [c.name for c in dl.columns] + [""] * (width - len(dl.columns)) + ["来源", "重复提示"]


def _detail_row(row, width: int) -> list:
    reporter, values, source, flags = row
    return [reporter] + values + [None] * (width - len(values)) + [source, flags]
