"""The 汇总 workbook read back three ways: openpyxl (formulas, formats, text cells),
python-calamine/pandas (cached values, no recalculation) and LibreOffice (recalculated)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from wjexcel.report.figures import DONE, LAGGING, MISSING, NOT_DUE, ON_TRACK, SEVERE
from wjexcel.report.history import History
from wjexcel.workspace.ledger import FileProblem
from wjexcel.records import DetailRow, ReportedValue
from wjexcel.report.breakdown import FIRST_ROW
from wjexcel.report.data import ReportData
from wjexcel.report.workbook import SHEETS, write_report
from wjexcel.textmeasure import fit_height, last_line_lengths, text_units
from wjexcel.records import Verdict
from wjexcel.report.status import ReporterStatus, Reporting
from wjexcel.periods import Period
from wjexcel.plan.builtin import builtin_plan

WHEN = datetime(2022, 10, 8, 9, 30)
HOSTILE = '=HYPERLINK("http://x","点击")'
LONG = "长" * 40000
USCC = "91320509MA1MXXXX0X"
# 2022Q3: e = 0.75, tolerance 0.10; the status each indicator must get, worked out by hand
EXPECTED = {
    "4-2": DONE,        # 1432 >= 1400
    "3-1": ON_TRACK,    # X = 130*0.75 = 97.5 <= 98
    "2-1": SEVERE,      # B = 7 (2021 actual); X = 7 + (8-7)*0.75 = 7.75, D = 1; 7 < 7.75 - 0.1
    "6-1": NOT_DUE,     # a 年报 statistic: not judged in a quarter
    "7-2": SEVERE,      # 区科技局 70 < 135 - 18 (and in 2022Q2 40 < 90 - 18: two periods running); the
                        # two towns' 50 + 20 are a cross-check only (2 of 8 towns: never the figure)
    "3-3": ON_TRACK,    # plan share (1 + 0.75)/3, X = 1.75 <= 2
    "4-1": MISSING,
}
COL = {"value": 8, "completion": 9, "progress": 10, "elapsed": 11, "expected": 12, "status": 13, "lagging": 14,
       "previous": 15, "change": 16, "last_year": 17, "remarks": 24}


def rv(reporter, code, value, remark=None, kind="district", period="2022Q3"):
    return ReportedValue(reporter, kind, code, period, value, None if value is None else str(value), remark,
                         f"收回/{reporter}.xlsx", "指标填报", "D5", WHEN, 1)


EARLIER = [rv("人才办", "3-1", 60, kind="department", period="2022Q2"),
           rv("人才办", "3-1", 80, kind="department", period="2021Q3"),
           rv("区科技局", "2-1", 7, kind="department", period="2021"),
           rv("吴江开发区", "7-2", 30, period="2022Q2"), rv("七都镇", "7-2", 10, period="2022Q2"),
           rv("区科技局", "7-2", 40, kind="department", period="2022Q2")]


def report_data() -> ReportData:
    plan = builtin_plan()
    values = [
        rv("区科技局", "4-2", 1432, "含年中复核新增\x07企业", "department"),
        rv("吴江开发区", "4-2", 700, HOSTILE),
        rv("人才办", "3-1", 98, "@SUM(A1)", "department"),
        rv("区科技局", "2-1", 7, "+1 待认定", "department"),
        rv("统计局", "6-1", 3.67, "-2 口径调整", "department"),
        rv("吴江开发区", "7-2", 50, "http://example.com/说明"),
        rv("七都镇", "7-2", 20, "受疫情影响\ud800进度放缓"),
        rv("人才办", "3-3", 2, None, "department"),
        rv("桃源镇", "1-1", 0.5, LONG),
        rv("震泽镇", "1-1", 0.25, "新增两家研发机构"),
        rv("区科技局", "7-2", 70, None, "department"),
    ]
    reporting = [ReporterStatus(r.name, r.kind, Reporting.REPORTED if any(v.reporter == r.name for v in values)
                                else Reporting.RETURNED if r.name == "平望镇" else Reporting.NOT_REPORTED, 1, WHEN)
                 for r in plan.reporters]
    problems = [FileProblem(1, "收回/平望.xlsx", "平望镇", "2022Q3", Verdict.REJECTED, "error", "指标填报", "D9",
                            "“约12”不是确定的数字，请填准确数字", WHEN),
                FileProblem(1, "收回/平望.xlsx", "平望镇", "2022Q3", Verdict.REJECTED, "error", "指标填报", "D10",
                            "“—”不是数字，请填数字或留空", WHEN),
                FileProblem(1, "收回/平望.xlsx", "平望镇", "2022Q3", Verdict.REJECTED, "warning", "指标填报", "D11",
                            "“面积”未填写（该单位本期没有这项数据）", WHEN),
                FileProblem(2, "收回/2022Q3/吴江开发区_科技创新指标填报表（最终修订版）.xlsx", "吴江开发区", "2022Q3",
                            Verdict.ACCEPTED, "warning", "指标填报", "F7", "“有效高新技术企业”未填写", WHEN)]
    details = [("七都镇", DetailRow("hitech", "新认定高新技术企业名单", 5,
                                  {"企业名称": "=A1+1", "统一社会信用代码": USCC}), "收回/七都.xlsx"),
               ("桃源镇", DetailRow("hitech", "新认定高新技术企业名单", 6,
                                  {"企业名称": "某某科技有限公司", "统一社会信用代码": USCC}), "收回/桃源.xlsx")]
    by_period = {"2022Q3": values}
    for value in EARLIER:
        by_period.setdefault(value.period, []).append(value)
    history = History.from_codes(plan, by_period)
    return ReportData(history.figures(Period.parse("2022Q3")), WHEN, reporting, problems, values, details,
                      return_copies={1: "汇总/退回/2022Q3/平望_退回.xlsx"}, history=history)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    data = report_data()
    out = write_report(data, tmp_path_factory.mktemp("report") / "汇总.xlsx")
    return out.path, data.figures


def rows_of(figures):
    return {f.code: FIRST_ROW + 1 + i for i, f in enumerate(figures.indicators)}


def test_sheets_and_layout(written):
    path, figures = written
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == list(SHEETS)
    ws = wb["任务分解表"]
    assert [ws.cell(FIRST_ROW, c).value for c in (3, 7, 8, 9, 10, 11, 12, 13, 14)] == \
        ["指标", "基期值", "本期完成值", "完成率", "进度", "序时进度", "期望值", "状态", "连续滞后期数"]
    assert [ws.cell(FIRST_ROW, c).value for c in range(15, 25)] == \
        ["上期值", "本期新增", "上年同期", "同比增减", "同比增速", "计划累计", "责任单位", "数据来源", "核对提示", "情况说明"]
    assert ws.freeze_panes == "D5" and ws.auto_filter.ref.startswith("A4:")
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    # printed one A4 page wide up to 数据来源; 核对提示 and 情况说明 print after the table
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)
    assert not ws.col_breaks.brk and ws.print_area.startswith("'任务分解表'!$A$1:$V$")
    assert ws.print_title_rows == "$4:$4" and "&P" in ws.oddFooter.center.text
    column_a = [str(c.value) for c in ws["A"] if c.value]
    assert "说明" in column_a and "核对提示与情况说明" in column_a
    assert any(re.match(r"\d+\. 有效高新技术企业：", v) and "区科技局：含年中复核新增企业" in v for v in column_a)
    assert ws.cell(6, 3).font.name == "仿宋" and ws.cell(4, 3).font.name == "宋体"


def test_formulas_and_number_formats(written):
    path, figures = written
    ws = openpyxl.load_workbook(path)["任务分解表"]
    rows = rows_of(figures)
    r = rows["4-2"]
    assert ws.cell(r, COL["completion"]).value == f'=IF(ISNUMBER(H{r}),IFERROR(H{r}/F{r},""),"")'
    status = ws.cell(r, COL["status"]).value
    assert status.startswith(f'=IF(NOT(ISNUMBER(H{r})),"未报送",IF(H{r}>=F{r}-0.000000001,"已完成"')
    # a stock's band is T - B: the lagging test is X - tolerance*(T - B)
    assert "$B$3" in status and "AND(K" in status and f"$B$3*(IF(F{r}-G{r}>0,F{r}-G{r},F{r}))" in status
    b = rows["2-1"]
    assert ws.cell(b, COL["expected"]).value == f"=G{b}+(F{b}-G{b})*K{b}"
    assert ws.cell(b, COL["progress"]).value == f'=IF(ISNUMBER(H{b}),IFERROR((H{b}-G{b})/(F{b}-G{b}),""),"")'
    assert ws.cell(rows["3-3"], COL["expected"]).value == f"=F{rows['3-3']}*$D$3"
    assert "$B$3*(F" in ws.cell(rows["3-1"], COL["status"]).value  # an increment's band is T
    assert ws.cell(rows["6-1"], COL["status"]).value == NOT_DUE  # not judged: plain text, no formula
    assert ws.cell(r, COL["completion"]).number_format == "0.0%"
    assert ws.cell(r, COL["elapsed"]).number_format == "0.0%"
    assert ws.cell(r, COL["value"]).number_format == "#,##0"
    assert ws.cell(rows["6-1"], COL["value"]).number_format == "0.00"
    t = rows["3-1"]  # 环比 and 同比 from the other periods
    assert [ws.cell(t, COL[k]).value for k in ("previous", "change", "last_year")] == [60, 38, 80]
    assert ws.cell(rows["7-2"], COL["lagging"]).value == 2


def test_whole_numbers_show_without_a_trailing_point(written):
    """``#,##0.##`` shows 380 as “380.”: no number cell of the report uses it, and whole numbers get ``#,##0``."""
    path, figures = written
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, (int, float)) and not isinstance(c.value, bool):
                    assert not c.number_format.endswith(".##"), (ws.title, c.coordinate, c.number_format)
    supervision = wb["督办清单"]
    values = [(r[1].value, r[5]) for r in supervision.iter_rows(min_row=4) if r[1].value == "产学研合作项目"]
    assert values and all(cell.number_format == "#,##0" for _, cell in values)


def test_status_column_has_the_five_conditional_formats_and_completion_data_bars(written):
    path, figures = written
    ws = openpyxl.load_workbook(path)["任务分解表"]
    first, last = FIRST_ROW + 1, FIRST_ROW + len(figures.indicators)
    rules = {str(rng.sqref): rng.rules for rng in ws.conditional_formatting}
    status_rules = rules[f"M{first}:M{last}"]
    assert sorted(r.formula[0] for r in status_rules) == sorted(f'"{s}"' for s in
                                                                 (DONE, ON_TRACK, LAGGING, SEVERE, MISSING, NOT_DUE))
    fills = {r.dxf.fill.bgColor.rgb for r in status_rules}
    assert len(fills) == 6
    assert [r.type for r in rules[f"I{first}:I{last}"]] == ["dataBar"]
    assert [r.type for r in rules[f"J{first}:J{last}"]] == ["dataBar"]


def test_text_from_forms_stays_text(written):
    path, figures = written
    wb = openpyxl.load_workbook(path)
    raw = wb["原始数据"]
    remarks = {raw.cell(r, 1).value + raw.cell(r, 3).value: raw.cell(r, 8) for r in range(4, raw.max_row + 1)}
    hostile = remarks["吴江开发区4-2"]
    assert hostile.value == HOSTILE and hostile.data_type == "s"
    for key, start in (("人才办3-1", "@"), ("区科技局2-1", "+"), ("统计局6-1", "-"), ("吴江开发区7-2", "http")):
        assert remarks[key].data_type == "s" and remarks[key].value.startswith(start)
    assert remarks["区科技局4-2"].value == "含年中复核新增企业"  # control character removed
    assert remarks["七都镇7-2"].value == "受疫情影响进度放缓"  # lone surrogate removed
    assert len(remarks["桃源镇1-1"].value) == 32767
    breakdown = wb["任务分解表"]
    cell = breakdown.cell(rows_of(figures)["4-2"], COL["remarks"])
    assert cell.data_type == "s" and HOSTILE in cell.value and "区科技局：含年中复核新增企业" in cell.value
    assert all(not ws._hyperlinks for ws in wb.worksheets)
    details = wb["明细汇总"]
    values = [[c.value for c in row] for row in details.iter_rows(min_row=4)]
    assert any("=A1+1" in row for row in values)
    assert sum(1 for row in values if row[-1] and "同时由" in row[-1]) == 2


def test_a_long_remark_does_not_crowd_out_the_others(written):
    path, figures = written
    wb = openpyxl.load_workbook(path)
    joined = wb["任务分解表"].cell(rows_of(figures)["1-1"], COL["remarks"]).value
    assert joined == "桃源镇：" + "长" * 300 + "……（全文见原始数据）；震泽镇：新增两家研发机构"
    raw = wb["原始数据"]
    full = [raw.cell(r, 8).value for r in range(4, raw.max_row + 1) if raw.cell(r, 1).value == "桃源镇" ]
    assert full == ["长" * 32767]


def test_cached_values_without_recalculation(written):
    path, figures = written
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("任务分解表").to_python()
    rows = rows_of(figures)
    for code, status in EXPECTED.items():
        row = sheet[rows[code] - 1]
        f = figures.by_code(code)
        assert row[COL["status"] - 1] == status == f.status
        if f.assessment.completion is None or not f.due:
            assert row[COL["completion"] - 1] == ""
        else:
            assert row[COL["completion"] - 1] == pytest.approx(f.assessment.completion)
    assert sheet[rows["4-2"] - 1][COL["completion"] - 1] == pytest.approx(1432 / 1400)
    frame = pd.read_excel(path, sheet_name="任务分解表", header=FIRST_ROW - 1, nrows=len(figures.indicators))
    assert list(frame["状态"]) == [f.status for f in figures.indicators]
    brief = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("进展简报").to_python()
    text = "".join(str(c) for row in brief for c in row)
    assert ("截至2022年三季度末（序时进度 75%），本期应报 18 个单位，已收到 6 个（区镇 4/8）；1 项指标的全区数要等"
            "区镇报齐后才能得出，暂按未报送计：新建、改建政府主导运营的科创载体面积（已报 2/8 个区镇，合计 0.75万平方米）。"
            ) in text
    assert ("全区本期评价的 15 项指标中，达到序时进度 3 项、占比 20.0%"
            "（已完成 1 项、序时推进 2 项），滞后 0 项，严重滞后 2 项，未报送 10 项；"
            "另有 1 项按填报频次本期不报。") in text
    assert "有效高新技术企业1432家，完成年度目标的102.3%" in text and "受疫情影响进度放缓" in text


def _poisoned(src: Path, dest: Path) -> None:
    """A copy of the report whose formula cells carry no cached values at all."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "xl/worksheets/sheet2.xml":  # 任务分解表, after 概览
                text = data.decode("utf-8")
                text = re.sub(r'(<c [^>]*?) t="str"', r"\1", text)
                text, n = re.subn(r"(</f>)<v>[^<]*</v>", r"\1", text)
                assert n > 40
                data = text.encode("utf-8")
            zout.writestr(item, data)


RECALC_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""


def recalculate(soffice: str, files: list[Path], outdir: Path) -> list[Path]:
    """Open each file in headless LibreOffice with "recalculate on load: always", save as xlsx.

    The private profile's registry sets OOXMLRecalcMode=0 (always); without it LibreOffice
    keeps the cached values it finds. One soffice start for all files.
    """
    profile = Path(f"/tmp/wjx_lo_recalc_{os.getpid()}")
    shutil.rmtree(profile, ignore_errors=True)
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_PROFILE, encoding="utf-8")
    try:
        subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                        "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(outdir),
                        *map(str, files)], check=True, capture_output=True, timeout=300,
                       stdin=subprocess.DEVNULL)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return [outdir / f.name for f in files]


@pytest.mark.soffice
def test_libreoffice_recalculation_matches_the_tool(written, soffice, tmp_path):
    path, figures = written
    rows = rows_of(figures)
    src = tmp_path / "src"
    src.mkdir()
    original = shutil.copy(path, src / "original.xlsx")
    poisoned = src / "poisoned.xlsx"
    _poisoned(path, poisoned)
    edited = src / "edited.xlsx"  # a clerk edits 有效高新技术企业 to 1000 in a program that keeps formulas
    wb = openpyxl.load_workbook(path)
    wb["任务分解表"].cell(rows["4-2"], COL["value"]).value = 1000
    wb.save(edited)
    out = tmp_path / "out"
    results = recalculate(soffice, [Path(original), poisoned, edited], out)
    for result in results[:2]:
        ws = openpyxl.load_workbook(result, data_only=True)["任务分解表"]
        for f in figures.indicators:
            r, a = rows[f.code], f.assessment
            assert ws.cell(r, COL["status"]).value == f.status, (result.name, f.code)
            got = ws.cell(r, COL["completion"]).value
            if a.completion is None or not f.due:
                assert got in (None, ""), (result.name, f.code)
            else:
                assert got == pytest.approx(a.completion, rel=1e-12), (result.name, f.code)
            if a.expected is not None and f.due:
                assert ws.cell(r, COL["expected"]).value == pytest.approx(a.expected, rel=1e-12)
            if a.progress is not None and f.due:
                assert ws.cell(r, COL["progress"]).value == pytest.approx(a.progress, rel=1e-12)
    ws = openpyxl.load_workbook(results[2], data_only=True)["任务分解表"]
    # 1000 of 1400, B = 1200, X = 1350, X - 0.1*200 = 1330 -> 严重滞后; completion 1000/1400
    assert ws.cell(rows["4-2"], COL["status"]).value == SEVERE
    assert ws.cell(rows["4-2"], COL["completion"]).value == pytest.approx(1000 / 1400)


# --- readable and printable -------------------------------------------------------------------

def _printable(ws, header_row: int, landscape: bool = True) -> None:
    assert ws.page_setup.paperSize == 9
    assert ws.page_setup.orientation == ("landscape" if landscape else "portrait")
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)
    assert ws.page_setup.fitToHeight == 0
    if header_row:
        assert ws.print_title_rows == f"${header_row}:${header_row}"


def _column(ws, head: str, header_row: int = 3) -> str:
    return next(c.column_letter for c in ws[header_row] if c.value == head)


def test_paths_stay_on_one_line_and_numbers_keep_clear_of_text(written):
    wb = openpyxl.load_workbook(written[0])
    for name in ("问题清单", "原始数据"):
        ws = wb[name]
        if name == "原始数据":  # two pages across at one scale, 报送单位 to 指标编号 repeated
            assert ws.page_setup.scale >= 64 and ws.print_title_cols == "$A:$C" and ws.col_breaks.brk
            assert ws.print_title_rows == "$3:$3"
        else:
            _printable(ws, 3)
        col = _column(ws, "文件")
        paths = [c.value for c in ws[col][3:] if c.value]
        assert paths and all(not ws[f"{col}{r}"].alignment.wrap_text for r in range(4, ws.max_row + 1))
        assert ws.column_dimensions[col].width >= max(text_units(p) for p in paths)
    problems = wb["问题清单"]
    message = _column(problems, "问题说明")
    assert problems[f"{message}4"].alignment.wrap_text
    raw = wb["原始数据"]
    remark = _column(raw, "情况说明")
    [long_row] = [r for r in range(4, raw.max_row + 1) if len(raw[f"{remark}{r}"].value or "") > 1000]
    assert raw[f"{remark}{long_row}"].alignment.wrap_text and raw.row_dimensions[long_row].height >= 400
    value, typed = raw[f"{_column(raw, '数值')}4"], raw[f"{_column(raw, '原始填写')}4"]
    assert value.alignment.horizontal == "right" and value.alignment.indent >= 1
    assert typed.alignment.horizontal == "left" and typed.alignment.indent >= 1
    reporting = wb["报送情况"]
    count = reporting[f"{_column(reporting, '版本数')}4"]
    assert count.alignment.horizontal == "right" and count.alignment.indent >= 1


def test_a_returned_reporter_is_told_its_errors_and_its_return_copy(written):
    ws = openpyxl.load_workbook(written[0])["报送情况"]
    rows = {ws.cell(r, 1).value: r for r in range(4, ws.max_row + 1)}
    note = ws[f"{_column(ws, '说明')}{rows['平望镇']}"]
    assert ws.cell(rows["平望镇"], 3).value == "已退回"
    assert note.value == "2 处错误，退回表：\n汇总/退回/2022Q3/平望_退回.xlsx"  # the path whole, on a line of its own
    assert note.alignment.wrap_text
    assert all(ws.column_dimensions[note.column_letter].width >= text_units(line) for line in note.value.split("\n"))
    assert ws[f"{note.column_letter}{rows['吴江开发区']}"].value is None


def test_breakdown_columns_leave_no_lone_characters(written):
    path, figures = written
    ws = openpyxl.load_workbook(path)["任务分解表"]
    heads = {c.value: c.column_letter for c in ws[FIRST_ROW]}
    width = {h: ws.column_dimensions[heads[h]].width for h in ("工作任务", "指标", "责任单位", "数据来源")}
    cells = {h: [ws[f"{heads[h]}{r}"].value for r in range(FIRST_ROW + 1, FIRST_ROW + 1 + len(figures.indicators))]
             for h in width}
    assert "区科技局\n（来源单位）" in cells["数据来源"]  # the unit, then what it is, each on a line
    for head in ("工作任务", "责任单位", "数据来源"):  # broken into even lines that each fit
        lines = [line for v in cells[head] if v for line in v.split("\n")]
        assert all(text_units(line, 2.1) <= width[head] for line in lines), head
        assert all(len(line) >= 2 for line in lines), head  # a word of two (计划, 市场) at the least
        assert not any(line.startswith("、") for line in lines), head
    assert any("\n" in v for v in cells["责任单位"])
    # 指标 is held to the page's width now (one A4 page wide at 8 pt or more): no name printed by
    # LibreOffice ends on one lone character; Excel's wider measure may leave one name so
    for name in cells["指标"]:
        assert last_line_lengths(name, int(width["指标"]))[1] != 1, name
    assert sum(1 in last_line_lengths(name, int(width["指标"])) for name in cells["指标"]) <= 1


def test_briefing_fits_portrait_a4_with_every_paragraph_whole(written):
    ws = openpyxl.load_workbook(written[0])["进展简报"]
    _printable(ws, 1, landscape=False)
    width = ws.column_dimensions["A"].width
    assert width <= 90 and ws.print_options.horizontalCentered
    assert ws["A1"].alignment.wrap_text and ws.row_dimensions[1].height >= 40  # the long title wraps
    for r in range(4, ws.max_row + 1):
        if ws.cell(r, 1).value:
            assert ws.row_dimensions[r].height >= fit_height(ws.cell(r, 1).value, width, 14)


@pytest.mark.soffice
def test_libreoffice_prints_every_briefing_paragraph_whole(written, soffice_convert, tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler) is not installed")
    [pdf] = soffice_convert([written[0]], "pdf", tmp_path)
    printed = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    printed = re.sub(r"\s", "", printed)
    paragraphs = [row[0] for row in CalamineWorkbook.from_path(str(written[0]))
                  .get_sheet_by_name("进展简报").to_python()[3:] if row and row[0]]
    assert len(paragraphs) >= 5
    for p in paragraphs:
        assert re.sub(r"\s", "", p) in printed, p[:30]


def _drawing_anchors(path: Path, sheet: str) -> list[tuple[tuple, tuple]]:
    """((from col, col offset, row, row offset), (to ...)) of each chart on ``sheet``."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"}
    with zipfile.ZipFile(path) as z:
        book = ET.fromstring(z.read("xl/workbook.xml"))
        rels = {r.get("Id"): r.get("Target") for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
        rid = next(s.get(f"{{{ns['r']}}}id") for s in book.iterfind("m:sheets/m:sheet", ns) if s.get("name") == sheet)
        part = "xl/" + rels[rid].removeprefix("/xl/")
        sheet_rels = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
        drawing = next(r.get("Target") for r in ET.fromstring(z.read(sheet_rels)) if r.get("Target").endswith(".xml")
                       and "drawing" in r.get("Target"))
        root = ET.fromstring(z.read("xl/drawings/" + drawing.rsplit("/", 1)[1]))

    def point(el):
        return tuple(int(el.findtext(f"xdr:{k}", namespaces=ns)) for k in ("col", "colOff", "row", "rowOff"))

    return [(point(a.find("xdr:from", ns)), point(a.find("xdr:to", ns)))
            for a in root.iterfind("xdr:twoCellAnchor", ns)]


def test_charts_do_not_overlap_and_show_every_town(written):
    path, figures = written
    anchors = _drawing_anchors(path, "图表")
    assert len(anchors) == 3
    for i, (a0, a1) in enumerate(anchors):
        for b0, b1 in anchors[i + 1:]:
            apart_x = a1[:2] <= b0[:2] or b1[:2] <= a0[:2]
            apart_y = a1[2:] <= b0[2:] or b1[2:] <= a0[2:]
            assert apart_x or apart_y, (a0, a1, b0, b1)
    ws = openpyxl.load_workbook(path)["图表"]
    [brk] = [b.id for b in ws.row_breaks.brk]
    town_header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "区镇")
    assert brk == town_header - 1  # the town table and its charts start a new page
    assert all(a[0][2] >= brk for a in anchors[1:]) and anchors[0][1][2] < brk
    # the town charts show the ranking's own scores, so 图表 and 区镇进度 agree
    from wjexcel.report.ranking import rank_towns

    ranking = rank_towns(figures)
    assert [ws.cell(town_header, c).value for c in (1, 2, 3)] == ["区镇", "分解目标得分", "综合得分"]
    shown = {ws.cell(r, 1).value: (ws.cell(r, 2).value, ws.cell(r, 3).value)
             for r in range(town_header + 1, town_header + 1 + len(ranking))}
    assert shown == {t.reporter: (t.split_score, t.score) for t in ranking}
    assert any(t.split_score is not None and t.split_score < 100 for t in ranking)
    towns = [ws.cell(r, 1).value for r in range(town_header + 1, ws.max_row + 1) if ws.cell(r, 1).value]
    assert sorted(towns) == sorted(d.name for d in figures.plan.districts)
    with zipfile.ZipFile(path) as z:
        refs = {m for name in z.namelist() if name.startswith("xl/charts/")
                for m in re.findall(r"<c:f>图表!(\$A\$\d+:\$A\$\d+)</c:f>", z.read(name).decode("utf-8"))}
    assert refs == {f"$A${town_header + 1}:$A${town_header + len(towns)}"}


# --- never destroy the previous report --------------------------------------------------------

def test_owner_lock_file_means_open_in_excel(tmp_path):
    target = tmp_path / "汇总.xlsx"
    target.write_bytes(b"old report")
    (tmp_path / "~$汇总.xlsx").write_bytes(b"owner")  # what Excel/WPS keep while the file is open
    out = write_report(report_data(), target)
    assert out.locked == target and out.path != target and out.path.parent == tmp_path
    assert re.fullmatch(r"汇总_\d{6}\.xlsx", out.path.name)
    assert target.read_bytes() == b"old report"
    assert openpyxl.load_workbook(out.path).sheetnames == list(SHEETS)
    assert not list(tmp_path.glob(".wjx-*"))


def test_target_that_cannot_be_replaced_gets_a_timestamped_name(tmp_path):
    target = tmp_path / "汇总.xlsx"
    target.write_bytes(b"old report")
    if os.geteuid() == 0:  # root ignores permissions; the immutable attribute stops even root
        if subprocess.run(["chattr", "+i", str(target)], capture_output=True).returncode != 0:
            pytest.skip("cannot make a file immutable here")
        unlock = ["chattr", "-i", str(target)]
    else:
        target.chmod(0o444)
        unlock = None
    try:
        with pytest.raises(PermissionError):
            open(target, "r+b")
        out = write_report(report_data(), target)
    finally:
        if unlock:
            subprocess.run(unlock, check=True)
    assert out.locked == target and out.path.exists() and out.path != target
    assert target.read_bytes() == b"old report"


def test_replacing_an_unlocked_report(tmp_path):
    target = tmp_path / "汇总.xlsx"
    target.write_bytes(b"old report")
    out = write_report(report_data(), target)
    assert out.path == target and out.locked is None
    assert openpyxl.load_workbook(target).sheetnames == list(SHEETS)


def test_the_overview_says_who_reported_as_the_status_command_does(written):
    from wjexcel.report.status import status_summary
    from wjexcel.report.briefing import status_tally

    path, figures = written
    overview = [str(c) for row in CalamineWorkbook.from_path(str(path)).get_sheet_by_name("概览").to_python()
                for c in row if c != ""]
    reporting = report_data().reporting
    assert status_summary(reporting) in overview and "已退回待改 1 家（平望镇）" in status_summary(reporting)
    assert status_tally(figures) in overview
