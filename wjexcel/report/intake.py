"""What came in: 报送情况 (who reported), 问题清单 (every located problem) and 原始数据 (every value with its provenance)."""

from __future__ import annotations

from wjexcel.report.status import Reporting
from wjexcel.report.timeliness import on_time_text
from wjexcel.plan.model import REPORTER_KINDS
from wjexcel.problems import ERROR, SEVERITY_LABELS
from wjexcel.report.cells import Styles, column_widths, print_across, table, wrapped_rows
from wjexcel.textmeasure import fit_width
from wjexcel.report.data import ReportData
from wjexcel.records import Verdict


REPORTING_COLOURS = dict(zip(Reporting, ("#C6EFCE", "#FFC7CE", "#D9D9D9")))


def write_reporting(book, st: Styles, data: ReportData) -> None:
    """报送情况: every reporter, status, versions, times and who filled the counted form;
    a returned reporter's 说明 counts the errors and names the 退回 copy to send back."""
    signed = {s.reporter: s for s in data.submissions}
    rows = []
    for r in data.reporting:
        sub = signed.get(r.reporter)
        rows.append([r.reporter, REPORTER_KINDS.get(r.kind, r.kind), r.status, r.versions, r.last_received,
                     sub.filled_by if sub else "", sub.phone if sub else "",
                     sub.filled_on if sub else None, r.sender, r.sent_at, r.timeliness.deadline,
                     r.timeliness.label, _note_lines(reporting_note(r, data.problems, data.return_copies))])
    heads = ["报送单位", "类型", "报送状态", "版本数", "最后收到时间", "填报人", "联系电话", "填报日期", "发件人",
             "邮件发送时间", "截止日期", "是否按时", "说明"]
    note_width = fit_width([line for row in rows for line in row[-1].split("\n")], 30, 64)
    widths = column_widths(heads, rows, [(12, 26), 8, 10, 8, (12, 24), (10, 16), (10, 18), (10, 16), (10, 30),
                                         (12, 24), (12, 16), (10, 14), note_width])
    page = heads.index("发件人")
    sheet, first, last = table(book, st, "报送情况", f"报送情况（{data.figures.period.label}）", heads, rows,
                               widths, data, wrap=(8, 12), fit=False, title_columns=page)
    # two pages across, 报送单位 again on the second: who reported and who filled, then mail, timeliness, 说明
    print_across(sheet, widths, [page], repeat=1)
    for status, fill in REPORTING_COLOURS.items():
        sheet.conditional_format(first, 2, last, 2, {
            "type": "cell", "criteria": "==", "value": f'"{status}"',
            "format": book.add_format({"bg_color": fill, "bold": True})})
    sheet.conditional_format(first, 11, last, 11, {
        "type": "text", "criteria": "containing", "value": "逾期",
        "format": book.add_format({"font_color": "#C00000", "bold": True})})
    timely = on_time_text([r.timeliness for r in data.reporting])
    if timely:  # wrapped within the first page's columns, so it prints whole
        wrapped_rows(sheet, st, last + 2, [f"报送时效：{timely}（以邮件发送时间为准，没有邮件的以首次收到的时间为准；"
                                           "被退回的，以退回时给出的新截止日期为准）。"], page, sum(widths[:page]))


def _note_lines(note: str) -> str:
    """A 说明 on lines of its own: each clause, and a 退回 copy's path whole on one line."""
    return note.replace("；", "；\n").replace("退回表：", "退回表：\n")


def reporting_note(status, problems: list, return_copies: dict[int, str]) -> str:
    """The 说明 of one reporter: for 已退回, its latest returned file's errors and its 退回 copy
    (where the ledger recorded it)."""
    notes = [status.note] if status.note else []
    if status.status is not Reporting.RETURNED:
        return "；".join(notes)
    mine = [p for p in problems if p.reporter == status.reporter and p.verdict == Verdict.REJECTED]
    if not mine:
        return "；".join(["已退回，详见“问题清单”", *notes])
    latest = max(mine, key=lambda p: (p.received_at, p.submission_id)).submission_id
    errors = sum(1 for p in mine if p.submission_id == latest and p.severity == ERROR)
    copy = return_copies.get(latest)
    where = f"退回表：{copy}" if copy else "退回表未能生成，请对照“问题清单”修改"
    return "；".join([f"{errors} 处错误，{where}", *notes])


def write_problems(book, st: Styles, data: ReportData) -> None:
    """问题清单: every located problem of every file received for the period."""
    rows = [[p.file, p.reporter, p.period, p.verdict.label,
             SEVERITY_LABELS.get(p.severity, p.severity), p.sheet, p.cell, p.message, p.received_at]
            for p in data.problems]
    heads = ["文件", "报送单位", "期间", "处理结果", "级别", "工作表", "单元格", "问题说明", "收到时间"]
    sheet, first, last = table(book, st, "问题清单", f"来件问题清单（{data.figures.period.label}）", heads, rows,
                               [(12, 80), (10, 26), 9, (10, 16), 7, (8, 16), 8, 64, 20], data, wrap=(7,))
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
    widths = column_widths(heads, rows, [(12, 26), 7, 10, (12, 40), 9, 12, (10, 16), 30, (12, 80), (8, 16), 8,
                                         (12, 24), 10])
    page = heads.index("文件")
    sheet, _, _ = table(book, st, "原始数据", f"原始数据（{data.figures.period.label}，含来源）", heads, rows, widths,
                        data, wrap=(7,), fit=False, title_columns=page)
    # two pages across, 报送单位 to 指标编号 on both: the values, then where each came from
    print_across(sheet, widths, [page], repeat=3)
