"""明细汇总: one section per detail list, each with its own columns, so it reads and prints on A4."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from xlsxwriter.utility import xl_col_to_name

from wjexcel.report.cells import Styles, print_across, put, setup_print, title_block
from wjexcel.report.data import ReportData
from wjexcel.textmeasure import A4_INCHES, fit_height, fit_width, shown_width
from wjexcel.uscc import normalize as normalize_uscc


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
    widths = [(10, 20)] + [(8, 18)] * width + [(12, 22), 18]
    sheet_widths = []
    for i, w in enumerate(widths):
        cells = [cell for dl, rows in sections
                 for cell in [_detail_head(dl, width)[i]] + [_detail_row(r, width)[i] for r in rows]]
        sheet_widths.append(fit_width(cells, *w) if isinstance(w, tuple) else w)
        # a code (统一社会信用代码, 证书编号) is never broken: wide enough for it in any font
        sheet_widths[-1] = max([sheet_widths[-1]] + [shown_width([v], indent=1) for v in cells if _is_code(v)])
        sheet.set_column(i, i, sheet_widths[-1])
    title_block(sheet, st, f"明细汇总（{data.figures.period.label}）",
                f"统计期间：{data.figures.period.label}；生成时间：{data.generated_at:%Y-%m-%d %H:%M}"
                + ("；同一统一社会信用代码由两个以上单位报送的，在“重复提示”中标出" if uscc_cols else ""), last_col + 1)
    if not plan.detail_lists:  # a plan without 明细 lists: said, not a blank page
        sheet.merge_range(3, 0, 3, last_col, "本计划没有明细名单，本表为空。", st.text())
    sheet.set_row(1, HEAD_ROW)
    scale = print_across(sheet, sheet_widths, [])
    room = (A4_INCHES[0] - 2 * PAGE_MARGIN) * 72 * PAGE_SLACK * 100 / scale - 30 - HEAD_ROW  # less the repeated title
    r, used, breaks = 3, 0.0, []

    def head(dl, label: str) -> None:
        nonlocal r, used
        sheet.merge_range(r, 0, r, last_col, label, st(bold=True, font_size=12))
        sheet.set_row(r, LABEL_ROW)
        heads = _detail_head(dl, width)
        sheet.write_row(r + 1, 0, heads, st.header())
        height = max(fit_height(h, w) for h, w in zip(heads, sheet_widths) if h)
        sheet.set_row(r + 1, height)
        used += LABEL_ROW + height
        r += 2

    for dl, rows in sections:
        if used and used + LABEL_ROW + 60 > room:
            breaks.append(r)
            used = 0.0
        dups = sum(1 for row in rows if row[3])
        label = f"{dl.name}（{len(rows)} 条" + (f"，其中 {dups} 条重复报送" if dups else "") + "）"
        head(dl, label)
        if not rows:
            sheet.merge_range(r, 0, r, last_col, "本期没有收到该名单的数据。", st.text())
            used += 2 * HEAD_ROW
            r += 2
            continue
        for row in rows:
            values = _detail_row(row, width)
            height = max([HEAD_ROW] + [fit_height(str(v), w) for v, w in zip(values, sheet_widths)
                                       if v not in (None, "") and not _is_code(v)])
            if used + height > room:  # a new page starts again with the list's header row
                breaks.append(r)
                used = 0.0
                head(dl, f"{dl.name}（续）")
            for c, value in enumerate(values):
                number = isinstance(value, (int, float)) and not isinstance(value, bool)
                put(sheet, r, c, value, st.number("General") if number else st.text(wrap=not _is_code(value)))
            sheet.set_row(r, height)
            used += height
            r += 1
        used += HEAD_ROW
        r += 1
    sheet.conditional_format(3, last_col, max(r, 4), last_col, {
        "type": "formula", "criteria": f"=LEN(${xl_col_to_name(last_col)}4)>0",
        "format": book.add_format({"bg_color": "#FFC7CE"})})
    setup_print(sheet, data.figures, (0, 1), fit=False)
    sheet.set_h_pagebreaks(breaks)


HEAD_ROW = 20
LABEL_ROW = 22
PAGE_MARGIN = 0.6
"""Top and bottom margins (inches) as :func:`setup_print` sets them."""
PAGE_SLACK = 0.97
"""Share of the page's height rows may fill: the footer and a renderer's rounding take the rest."""


def _is_code(value) -> bool:
    """A code typed as one token of letters, digits and signs (``91320509MA1MXXXX0X``, ``GR202232002730``)."""
    return isinstance(value, str) and 6 <= len(value) <= 40 and re.fullmatch(r"[0-9A-Za-z\-_/.#]+", value) is not None


def _detail_head(dl, width: int) -> list[str]:
    return ["报送单位"] + [c.name for c in dl.columns] + [""] * (width - len(dl.columns)) + ["来源", "重复提示"]


def _detail_row(row, width: int) -> list:
    reporter, values, source, flags = row
    return [reporter] + values + [None] * (width - len(values)) + [source, flags]
