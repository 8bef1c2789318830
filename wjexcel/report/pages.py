"""The 汇总 workbook's print-first sheets: 图表 (charts over the report's own cells) and
进展简报 (the drafted briefing). Both are laid out for A4 so they print as they look."""

from __future__ import annotations

from wjexcel.report.briefing import briefing_paragraphs
from wjexcel.report.status import Reporting
from wjexcel.report.breakdown import COLUMN, FIRST_ROW, SHEET
from wjexcel.report.cells import HEAD_FONT, Styles, put, setup_print, text, title_block
from wjexcel.report.data import ReportData
from wjexcel.textmeasure import MAX_ROW_HEIGHT, fit_height, row_pieces

CHART_WIDTH = 980  # px: the printable width of landscape A4 at 100 %
CHART_GAP = 20
ROW_PX = 20  # a default row
# Column units: portrait A4 between 0.4" margins holds it unscaled even where Calibri is
# replaced by a wider font (LibreOffice never shrinks a one-column sheet to fit the page).
BRIEF_WIDTH = 76
BRIEF_SIZE = 14


def write_charts(book, st: Styles, data: ReportData, ranking) -> None:
    """图表: completion by indicator (from 任务分解表) on the first page; on the second, the towns'
    split-target score and overall score from the ranking (区镇进度), side by side, each showing every town."""
    figures = data.figures
    sheet = book.add_worksheet("图表")
    title_block(sheet, st, f"完成情况图表（{figures.period.label}）", "完成率取自“任务分解表”，随表中数值变化。", 12)
    n = len(figures.indicators)
    name_col, rate_col = COLUMN["指标"], COLUMN["完成率"]
    chart = book.add_chart({"type": "bar"})
    chart.add_series({
        "name": "完成率",
        "categories": [SHEET, FIRST_ROW, name_col, FIRST_ROW + n - 1, name_col],
        "values": [SHEET, FIRST_ROW, rate_col, FIRST_ROW + n - 1, rate_col],
        "data_labels": {"value": True, "num_format": "0%"},
        "fill": {"color": "#5B9BD5"},
    })
    chart.set_title({"name": "各指标完成率", "name_font": {"name": HEAD_FONT, "size": 12}})
    chart.set_x_axis({"num_format": "0%", "min": 0})
    chart.set_y_axis({"reverse": True, "num_font": {"name": HEAD_FONT, "size": 9}})
    chart.set_legend({"none": True})
    height = 60 + 26 * n
    chart.set_size({"width": CHART_WIDTH, "height": height})
    sheet.insert_chart(2, 0, chart, {"object_position": 3})
    row = 3 + -(-height // ROW_PX)
    sheet.set_h_pagebreaks([row])  # the town charts never straddle a page break
    sheet.write_row(row, 0, ["区镇", "分解目标得分", "综合得分"], st.header())
    for i, t in enumerate(ranking, row + 1):
        put(sheet, i, 0, t.reporter, st.text())
        put(sheet, i, 1, t.split_score, st.number("0.0"))
        put(sheet, i, 2, t.score, st.number("0.0"))
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, 2, 16)
    last = row + len(ranking)
    width = (CHART_WIDTH - CHART_GAP) // 2
    for index, (col, name, fmt, colour) in enumerate(((1, "各区镇分解目标得分", "0", "#ED7D31"),
                                                     (2, "各区镇综合得分", "0", "#70AD47"))):
        c = book.add_chart({"type": "bar"})
        c.add_series({"name": name, "categories": ["图表", row + 1, 0, last, 0],
                      "values": ["图表", row + 1, col, last, col],
                      "data_labels": {"value": True, "num_format": fmt}, "fill": {"color": colour}})
        c.set_title({"name": name, "name_font": {"name": HEAD_FONT, "size": 12}})
        c.set_x_axis({"num_format": fmt, "min": 0})
        c.set_y_axis({"reverse": True, "num_font": {"name": HEAD_FONT, "size": 9}})
        c.set_legend({"none": True})
        c.set_size({"width": width, "height": 80 + 30 * len(ranking)})
        sheet.insert_chart(last + 2, 0, c, {"x_offset": index * (width + CHART_GAP), "object_position": 3})
    setup_print(sheet, figures, (0, 0))


def write_briefing(book, st: Styles, data: ReportData, ranking) -> None:
    """进展简报: drafted paragraphs for leadership, ready to copy into a document; portrait A4,
    every paragraph's row tall enough to show it whole."""
    figures = data.figures
    sheet = book.add_worksheet("进展简报")
    sheet.set_column(0, 0, BRIEF_WIDTH)
    title = f"{figures.plan.name}推进情况简报（{figures.period.label}）"
    title_block(sheet, st, title, f"根据已收报表起草，{data.generated_at:%Y-%m-%d %H:%M}；请核对后使用。",
                1, wrap_at=BRIEF_WIDTH)
    missing = [r.reporter for r in data.reporting if r.status is not Reporting.REPORTED]
    paras = briefing_paragraphs(figures, missing, ranking)
    fmt = st(text_wrap=True, valign="top", font_size=BRIEF_SIZE)
    pieces = [piece for p in paras for piece in row_pieces("　　" + p, BRIEF_WIDTH, BRIEF_SIZE)]
    for i, para in enumerate(pieces, 3):  # a paragraph taller than a row goes on over the next rows
        sheet.write_string(i, 0, text(para), fmt)
        sheet.set_row(i, min(MAX_ROW_HEIGHT, fit_height(para, BRIEF_WIDTH, BRIEF_SIZE) + 6))
    setup_print(sheet, figures, (0, 0), landscape=False)
    sheet.center_horizontally()
