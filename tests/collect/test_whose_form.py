"""Whose form is it: a genuine form marked as another reporter's, and a forged one, change no reporter.

平望镇 fills in 七都镇's form (the zip of all forms makes that easy) and types 平望镇 as 填报单位, or
names the file 平望镇_2022Q4.xlsx; a forged file claims a reporter its signature does not prove.
Neither may replace, return or otherwise touch any reporter's standing or figures.
"""

from __future__ import annotations

from openpyxl import load_workbook

from tests.collect import crafted
from wjexcel.collect.check import check_files
from wjexcel.collect.collector import collect
from wjexcel.report.status import reminder_text, reporting_status
from wjexcel.periods import Period
from wjexcel.plan.workbook import workspace_plan
from wjexcel.problems import Code
from wjexcel.workspace.ledger import Ledger
from tests.collect.test_collector import PERIOD, SIGNER, by_file, fill, good_values, ws  # noqa: F401

UNIT = "填报单位（盖章）"


def standing(ws):
    return {s.reporter: s.status for s in reporting_status(ws, Period.parse(PERIOD))}


def qidu_values(ws):
    with Ledger.open(ws) as ledger:
        return {v.indicator: v.value for v in ledger.accepted_values(PERIOD) if v.reporter == "七都镇"}


def test_another_towns_genuine_form_is_returned_and_changes_no_town(ws):
    fill(ws, "七都镇", ws.inbox / "七都镇.xlsx", good_values(ws, "七都镇"), signer=dict(SIGNER, **{UNIT: "七都镇"}))
    collect(ws)
    before = qidu_values(ws)
    assert standing(ws)["七都镇"] == "已报送" and standing(ws)["平望镇"] == "未报送"

    theirs = {code: 77 for code in good_values(ws, "七都镇")}
    fill(ws, "七都镇", ws.inbox / "平望镇_2022Q4.xlsx", theirs, signer=dict(SIGNER, **{UNIT: "平望镇"}))
    v = by_file(collect(ws))["平望镇_2022Q4.xlsx"]

    assert v.status == "rejected"
    assert v.reporter is None  # recorded for no reporter
    first = v.errors[0]
    assert first.code == Code.WRONG_REPORTER
    assert first.sheet == "指标填报" and first.cell  # the 填报单位 cell
    assert "下发给七都镇" in first.message and "平望镇" in first.message and "重新填写" in first.message
    st = standing(ws)
    assert st["七都镇"] == "已报送" and st["平望镇"] == "未报送"
    assert qidu_values(ws) == before
    text = reminder_text(workspace_plan(ws), Period.parse(PERIOD), reporting_status(ws, Period.parse(PERIOD)))
    assert "已退回" not in text
    # The 退回 copy lists the problems and carries none of the figures typed into the form.
    book = load_workbook(ws.root / v.return_copy)
    assert book.sheetnames == ["退回意见"]
    assert not any(c.value == 77 for row in book["退回意见"].iter_rows() for c in row)


def test_the_file_name_speaks_when_the_unit_is_blank(ws):
    fill(ws, "七都镇", ws.inbox / "平望镇_2022Q4.xlsx", good_values(ws, "七都镇"))
    v = by_file(collect(ws))["平望镇_2022Q4.xlsx"]
    assert v.status == "rejected" and v.errors[0].code == Code.WRONG_REPORTER
    assert "文件名" in v.errors[0].message
    assert standing(ws)["七都镇"] == "未报送" and standing(ws)["平望镇"] == "未报送"


def test_the_usual_ways_of_naming_ones_own_form_are_accepted(ws):
    fill(ws, "七都镇", ws.inbox / "七都报送.xlsx", good_values(ws, "七都镇"), signer=dict(SIGNER, **{UNIT: "七都镇人民政府"}))
    fenhu = "汾湖高新区（黎里镇）"
    fill(ws, fenhu, ws.inbox / "黎里镇.xlsx", good_values(ws, fenhu), signer=dict(SIGNER, **{UNIT: "汾湖高新区"}))
    fill(ws, "区科技局", ws.inbox / "科技局.xlsx", good_values(ws, "区科技局"))
    v = by_file(collect(ws))
    for name in ("七都报送.xlsx", "黎里镇.xlsx", "科技局.xlsx"):
        assert v[name].status == "accepted", (name, v[name].problems)


def test_town_self_check_says_whose_form_it_is(ws):
    path = fill(ws, "七都镇", ws.root / "平望镇.xlsx", good_values(ws, "七都镇"), signer=dict(SIGNER, **{UNIT: "平望镇"}))
    result = check_files([path], workspace=ws.root)[0]
    assert any(p.code == Code.WRONG_REPORTER for p in result.problems)


def test_a_forged_file_changes_nothing_about_the_town_it_claims(ws, tmp_path):
    qidu = fill(ws, "七都镇", tmp_path / "qidu.xlsx", {code: 77 for code in good_values(ws, "七都镇")})
    crafted.forge_reporter(qidu, ws.inbox / "平望镇.xlsx", "七都镇", "平望镇")

    v = by_file(collect(ws))["平望镇.xlsx"]
    assert v.status == "rejected" and v.reporter is None
    assert any(p.code == Code.NOT_ATTRIBUTED and "平望镇" in p.message for p in v.warnings)
    st = standing(ws)
    assert st["平望镇"] == "未报送" and st["七都镇"] == "未报送"
    text = reminder_text(workspace_plan(ws), Period.parse(PERIOD), reporting_status(ws, Period.parse(PERIOD)))
    assert "已退回" not in text
    copy = load_workbook(ws.root / v.return_copy)
    assert copy.sheetnames == ["退回意见"]  # not 七都镇's figures under 平望镇's name
    assert not any(c.value == 77 for row in copy["退回意见"].iter_rows() for c in row)
    with Ledger.open(ws) as ledger:
        assert not [s for s in ledger.submissions(PERIOD) if s.reporter in ("平望镇", "七都镇")]


def test_the_return_copy_of_a_form_that_is_nobodys_prints_whole(ws, tmp_path, soffice_convert):
    import shutil
    import subprocess

    import pytest

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler) is not installed")
    fill(ws, "七都镇", ws.inbox / "平望镇_2022Q4.xlsx", good_values(ws, "七都镇"), signer=dict(SIGNER, **{UNIT: "平望镇"}))
    v = by_file(collect(ws))["平望镇_2022Q4.xlsx"]
    [pdf] = soffice_convert([ws.root / v.return_copy], "pdf", tmp_path)
    printed = "".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                     check=True).stdout.split())
    from wjexcel.collect.returns import NOT_ATTRIBUTED_NOTE

    for text in (v.errors[0].message, NOT_ATTRIBUTED_NOTE):
        assert "".join(text.split()) in printed, text
    assert "###" not in printed
