"""退回 copies written straight by :func:`wjexcel.collect.returns.write_return_copy`, one behaviour per test.

The verdict is a real one: 七都镇's generated 2022Q4 form, filled with openpyxl with one figure
typed as words (约12), judged by ``collect``. The copies are read back with openpyxl; what they
must say is worked out by hand from that one file.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import openpyxl
import pytest

from wjexcel.collect.collector import collect
from wjexcel.collect.returns import names_original, write_return_copy
from wjexcel.demo.fill import FORM_SHEET, find_inputs, fill_form
from wjexcel.plan.workbook import workspace_plan

PERIOD = "2022Q4"
SIGNER = {"填报人": "张三", "联系电话": "0512-63001234", "填报日期": date(2022, 10, 8), "审核人": "李四"}
DUE = date(2022, 10, 20)
FILL = "FFC7CE"


@pytest.fixture
def rejected(make_workspace, forms_of):
    """``(ws, verdict, data, cell)``: 七都镇's form returned for 1-1 typed as 约12 at ``cell``."""
    ws = make_workspace(PERIOD)
    plan = workspace_plan(ws)
    names = {i.code: i.name for i in plan.indicators}
    values = {i.code: 5 for i in plan.indicators_for(plan.reporter("七都镇"))} | {"1-1": "约12"}
    sent = fill_form(forms_of(ws)["七都镇"], ws.inbox / "七都镇.xlsx", values, names=names, signer=SIGNER)
    cell = find_inputs(openpyxl.load_workbook(sent)[FORM_SHEET], [names["1-1"]])[names["1-1"]].value
    (verdict,) = collect(ws).verdicts
    assert verdict.as_json()["status"] == "rejected"
    return ws, verdict, sent.read_bytes(), cell


def rows(sheet, first: int = 5) -> list[tuple]:
    return [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=first, max_col=5) if row[0].value]


def test_the_copy_opens_on_the_list_of_problems_before_the_reporters_own_sheets(rejected, tmp_path):
    ws, verdict, data, _ = rejected
    sheets = openpyxl.load_workbook(ws.inbox / "七都镇.xlsx").sheetnames
    copy = openpyxl.load_workbook(write_return_copy(tmp_path / "退回.xlsx", verdict, data, "xlsx"))
    assert copy.sheetnames == ["退回意见", *sheets]
    assert copy.active.title == "退回意见"
    assert not any(s.sheet_view.tabSelected for s in copy.worksheets[1:])


def test_the_heading_names_the_reporter_the_period_the_file_and_the_new_date(rejected, tmp_path):
    ws, verdict, data, _ = rejected
    sheet = openpyxl.load_workbook(write_return_copy(tmp_path / "退回.xlsx", verdict, data, "xlsx",
                                                     deadline=DUE))["退回意见"]
    assert sheet["A1"].value == "退回修改意见：七都镇 2022年第四季度"
    assert sheet["A2"].value == ("原文件：收回/七都镇.xlsx。请按下列意见在原表中修改（出错的单元格已标红并加批注），"
                                 "不要改动表格结构，改好后于2022年10月20日前重新发送。")
    assert sheet["A3"].value is None  # the cells are marked: nothing to excuse
    assert [c.value for c in sheet[4]][:5] == ["序号", "类别", "工作表", "单元格", "问题与修改要求"]


def test_without_a_deadline_the_heading_asks_only_to_send_it_again(rejected, tmp_path):
    ws, verdict, data, _ = rejected
    sheet = openpyxl.load_workbook(write_return_copy(tmp_path / "退回.xlsx", verdict, data, "xlsx"))["退回意见"]
    assert sheet["A2"].value.endswith("不要改动表格结构，改好后重新发送。")


def test_every_problem_is_listed_errors_first_with_its_place(rejected, tmp_path):
    ws, verdict, data, cell = rejected
    sheet = openpyxl.load_workbook(write_return_copy(tmp_path / "退回.xlsx", verdict, data, "xlsx"))["退回意见"]
    listed = rows(sheet)
    expected = sorted(verdict.problems, key=lambda p: p.severity != "error")
    assert [r[0] for r in listed] == [str(n) for n in range(1, len(expected) + 1)]
    assert [r[1:] for r in listed] == [("错误" if p.severity == "error" else "提示", p.sheet or None, p.cell or None,
                                        p.message) for p in expected]
    assert listed[0][1:4] == ("错误", FORM_SHEET, cell) and "约12" in listed[0][4]


def test_the_bad_cell_is_marked_and_explained_and_the_typing_is_kept(rejected, tmp_path):
    ws, verdict, data, cell = rejected
    form = openpyxl.load_workbook(write_return_copy(tmp_path / "退回.xlsx", verdict, data, "xlsx"))[FORM_SHEET]
    bad = form[cell]
    assert bad.value == "约12"
    assert bad.fill.fgColor.rgb.endswith(FILL)
    errors = [p.message for p in verdict.problems if p.sheet == FORM_SHEET and p.cell == cell]
    assert bad.comment.text == "\n".join(errors) and bad.comment.author == "wjexcel"
    marked = [c.coordinate for row in form.iter_rows() for c in row if c.fill.fgColor.rgb.endswith(FILL)]
    assert marked == sorted({p.cell for p in verdict.problems if p.sheet == FORM_SHEET and p.cell},
                            key=lambda ref: (openpyxl.utils.cell.coordinate_to_tuple(ref)))


def test_a_copy_for_a_form_not_genuinely_the_reporters_holds_only_the_list(rejected, tmp_path):
    ws, verdict, data, _ = rejected
    copy = openpyxl.load_workbook(write_return_copy(tmp_path / "退回.xlsx", verdict, data, "xlsx", marked=False))
    assert copy.sheetnames == ["退回意见"]
    assert copy["退回意见"]["A3"].value.startswith("（这张表不能确认是哪个单位的表")
    assert not any(c.value == "约12" for row in copy["退回意见"].iter_rows() for c in row)


def test_a_workbook_that_cannot_be_written_back_gets_the_list_and_says_why(rejected, tmp_path):
    ws, verdict, data, _ = rejected
    damaged = data[: len(data) // 2]  # cut in transit: the reader's verdict stands, the workbook is unusable
    copy = openpyxl.load_workbook(write_return_copy(tmp_path / "退回.xlsx", verdict, damaged, "xlsx"))
    assert copy.sheetnames == ["退回意见"]
    assert copy["退回意见"]["A3"].value == "（原文件内容有异常，无法生成带标记的副本；请对照下列意见修改原表。）"
    assert len(rows(copy["退回意见"])) == len(verdict.problems)


def test_text_from_the_returned_file_is_written_as_text_never_a_formula(rejected, tmp_path):
    ws, verdict, data, _ = rejected
    formula = '=HYPERLINK("http://x","点击")'
    forged = dataclasses.replace(verdict, reporter=formula,
                                 problems=[dataclasses.replace(verdict.problems[0], message=formula)])
    sheet = openpyxl.load_workbook(write_return_copy(tmp_path / "退回.xlsx", forged, data, "xlsx"))["退回意见"]
    assert sheet["E5"].value == formula and sheet["E5"].data_type == "s" and sheet["E5"].quotePrefix
    assert sheet["A1"].value == f"退回修改意见：{formula} 2022年第四季度" and sheet["A1"].data_type == "s"


def test_a_period_that_is_not_one_is_shown_as_it_came(rejected, tmp_path):
    ws, verdict, data, _ = rejected
    odd = dataclasses.replace(verdict, period="../期间")
    sheet = openpyxl.load_workbook(write_return_copy(tmp_path / "退回.xlsx", odd, data, "xlsx"))["退回意见"]
    assert sheet["A1"].value == "退回修改意见：七都镇 ../期间"


def test_a_problem_naming_a_sheet_or_cell_the_workbook_lacks_is_listed_not_marked(rejected, tmp_path):
    ws, verdict, data, _ = rejected
    first = verdict.problems[0]
    odd = dataclasses.replace(verdict, problems=[dataclasses.replace(first, sheet="没有的表"),
                                                 dataclasses.replace(first, cell="第三行")])
    copy = openpyxl.load_workbook(write_return_copy(tmp_path / "退回.xlsx", odd, data, "xlsx"))
    assert [r[2:4] for r in rows(copy["退回意见"])] == [("没有的表", first.cell), (first.sheet, "第三行")]
    assert not any(c.fill.fgColor.rgb.endswith(FILL) for s in copy.worksheets[1:] for row in s.iter_rows()
                   for c in row)


def test_a_returned_copy_sent_back_unchanged_gets_one_list_not_two(rejected, tmp_path):
    ws, verdict, data, _ = rejected
    once = write_return_copy(tmp_path / "一次.xlsx", verdict, data, "xlsx")
    twice = openpyxl.load_workbook(write_return_copy(tmp_path / "两次.xlsx", verdict, once.read_bytes(), "xlsx"))
    assert twice.sheetnames == openpyxl.load_workbook(once).sheetnames
    assert len(rows(twice["退回意见"])) == len(verdict.problems)


def test_writing_again_replaces_the_copy_whole_and_leaves_nothing_beside_it(rejected, tmp_path):
    ws, verdict, data, _ = rejected
    target = tmp_path / "退回" / "七都镇_退回.xlsx"  # its folder is made
    write_return_copy(target, verdict, data, "xlsx")
    write_return_copy(target, verdict, data, "xlsx", deadline=DUE)
    assert "2022年10月20日前" in openpyxl.load_workbook(target)["退回意见"]["A2"].value
    assert [p.name for p in target.parent.iterdir()] == ["七都镇_退回.xlsx"]


def test_names_original_knows_its_own_copy_and_no_other(rejected, tmp_path):
    ws, verdict, data, _ = rejected
    copy = write_return_copy(tmp_path / "退回.xlsx", verdict, data, "xlsx", deadline=DUE)
    assert names_original(copy, "收回/七都镇.xlsx")
    assert not names_original(copy, "收回/七都镇(1).xlsx")
    assert not names_original(copy, "收回/七都")
    assert not names_original(ws.inbox / "七都镇.xlsx", "收回/七都镇.xlsx")  # no 退回意见 sheet at all


# --- defects found while writing these tests, fixed -----------------------------------------------

def test_names_original_tells_apart_names_that_share_a_full_stop(rejected, tmp_path):
    ws, verdict, data, _ = rejected
    copy = write_return_copy(tmp_path / "退回.xlsx", dataclasses.replace(verdict, file="收回/七都镇。修改.xlsx"),
                             data, "xlsx")
    assert names_original(copy, "收回/七都镇。修改.xlsx")
    assert not names_original(copy, "收回/七都镇。其他.xlsx")


def test_an_input_cell_merged_by_the_reporter_does_not_cost_the_other_marks(make_workspace, forms_of, tmp_path):
    """七都镇 unprotects the sheet and merges the 1-1 input cell with its label (a warning: 1-1 not filled)
    and types 约12 for 7-1 (an error): the copy should still be the reporter's workbook with 7-1 marked."""
    ws = make_workspace(PERIOD)
    plan = workspace_plan(ws)
    names = {i.code: i.name for i in plan.indicators}
    values = {i.code: 5 for i in plan.indicators_for(plan.reporter("七都镇"))} | {"7-1": "约12"}
    filled = fill_form(forms_of(ws)["七都镇"], tmp_path / "七都镇.xlsx", values, names=names, signer=SIGNER)
    wb = openpyxl.load_workbook(filled)
    sheet = wb[FORM_SHEET]
    inputs = find_inputs(sheet, [names["1-1"], names["7-1"]])
    row, col = openpyxl.utils.cell.coordinate_to_tuple(inputs[names["1-1"]].value)
    sheet.protection.sheet = False
    sheet.merge_cells(start_row=row, start_column=col - 1, end_row=row, end_column=col)
    wb.save(ws.inbox / "七都镇.xlsx")
    (verdict,) = collect(ws).verdicts
    assert verdict.as_json()["status"] == "rejected" and verdict.return_copy
    copy = openpyxl.load_workbook(ws.root / verdict.return_copy)
    assert copy.sheetnames == ["退回意见", *wb.sheetnames]  # the reporter's own sheets kept
    assert copy[FORM_SHEET][inputs[names["7-1"]].value].fill.fgColor.rgb.endswith(FILL)
