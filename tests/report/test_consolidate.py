"""consolidate() on a real workspace and ledger: JSON contract, earlier years, default name."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

import pytest
from python_calamine import CalamineWorkbook

from wjexcel.report.consolidate import consolidate
from wjexcel.errors import UsageError
from wjexcel.report.figures import DONE, ON_TRACK
from wjexcel.records import Verdict
from wjexcel.workspace.ledger import Ledger
from wjexcel.problems import Code, Problem
from wjexcel.records import ValueRecord

NOW = datetime(2022, 10, 8, 9, 30)


def record(ledger, reporter, kind, period, values, verdict=Verdict.ACCEPTED, problems=()):
    n = len(ledger.submissions())
    data = f"{reporter} {period} {n}".encode()
    sha = hashlib.sha256(data).hexdigest()
    ledger.archive_bytes(sha, data)
    return ledger.add_submission(
        sha256=sha, file=f"收回/{reporter}_{period}_{n}.xlsx", original_name=f"{reporter}.xlsx",
        file_mtime=None, verdict=verdict, reporter=reporter, reporter_kind=kind, period=period,
        form_id=f"F{n}", filled_by="张三", phone="0512-1234",
        values=[ValueRecord(code, v, str(v), "指标填报", f"D{5 + i}", remark, f"E{5 + i}")
                for i, (code, v, remark) in enumerate(values)],
        problems=problems)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, workspace_templates):
    ws = workspace_templates.copy(tmp_path_factory.mktemp("ws") / "工作区")
    with Ledger.open(ws) as ledger, ledger.transaction():
        record(ledger, "人才办", "department", "2021Q4", [("3-1", 125, None)])
        record(ledger, "区科技局", "department", "2022Q3",
               [("4-2", 1432, None), ("1-1", 5, None), ("7-1", 80, None)])
        record(ledger, "人才办", "department", "2022Q3", [("3-1", 98, None), ("3-2", 30, None)])
        record(ledger, "统计局", "department", "2022Q3", [("6-1", 3.67, None)])
        record(ledger, "吴江开发区", "district", "2022Q3",
               [("4-2", 700, '=HYPERLINK("http://x","点击")'), ("1-1", 3, "两个载体在建")])
        record(ledger, "七都镇", "district", "2022Q3", [("1-1", 0.2, "受疫情影响")])
        record(ledger, "平望镇", "district", "2022Q3", [], Verdict.REJECTED,
               [Problem("“约12”不是确定的数字", "指标填报", "D9", "error", code=Code.VALUE_NOT_NUMBER)])
    return ws


def test_consolidate_json_and_workbook_agree(workspace):
    result = consolidate(workspace, "2022Q3", now=NOW)
    doc = json.loads(json.dumps(result.to_json(), ensure_ascii=False))
    assert set(doc) == {"period", "output", "document", "indicators", "supervision", "final", "changes_since_final"}
    assert doc["period"] == "2022Q3" and doc["final"] is None and doc["changes_since_final"] == []
    assert doc["output"].endswith("汇总/吴江区科技创新三年行动计划_2022Q3_汇总_20221008.xlsx")
    assert doc["document"].endswith("汇总/吴江区科技创新三年行动计划_2022Q3_进展情况报告.docx")
    by = {i["code"]: i for i in doc["indicators"]}
    assert len(by) == 16
    for item in doc["indicators"]:
        assert set(item) == {"code", "name", "kind", "frequency", "target", "op", "value", "completion",
                             "elapsed", "expected", "baseline", "baseline_source", "progress", "status",
                             "by_reporter", "previous", "same_period_last_year", "lagging_periods", "plan_period"}
        assert item["elapsed"] == 0.75
    assert by["4-2"]["status"] == DONE and by["4-2"]["by_reporter"] == {"区科技局": 1432, "吴江开发区": 700}
    assert by["3-1"]["status"] == ON_TRACK  # 98 >= 130*0.75
    # a 年报 statistic reported in a quarter anyway is shown, but not judged
    assert by["6-1"]["status"] == "本期不报" and by["6-1"]["value"] == 3.67 and by["6-1"]["frequency"] == "year"
    assert by["1-1"]["value"] == 5 and by["1-1"]["status"] == "严重滞后"  # source wins over towns' 3.2
    sheet = CalamineWorkbook.from_path(doc["output"]).get_sheet_by_name("任务分解表").to_python()
    statuses = {row[2]: row[12] for row in sheet[4:20]}
    assert statuses == {i["name"]: i["status"] for i in doc["indicators"]}
    reporting = CalamineWorkbook.from_path(doc["output"]).get_sheet_by_name("报送情况").to_python()
    assert ["平望镇", "区镇", "已退回"] == reporting[[r[0] for r in reporting].index("平望镇")][:3]
    problems = CalamineWorkbook.from_path(doc["output"]).get_sheet_by_name("问题清单").to_python()
    assert any(r[1] == "平望镇" and r[6] == "D9" for r in problems)


def test_plan_to_date_uses_the_earlier_year_end(workspace):
    result = consolidate(workspace, "2022Q3", now=NOW)
    talent = result.figures.by_code("3-1")
    assert talent.plan_to_date == 125 + 98 and talent.missing_years == []  # 2021 from 2021Q4


def test_summary_text_and_locked_fallback(workspace):
    first = consolidate(workspace, "2022Q3", now=NOW)
    (first.output.parent / f"~${first.output.name}").write_bytes(b"")
    try:
        second = consolidate(workspace, "2022Q3", now=NOW)
    finally:
        (first.output.parent / f"~${first.output.name}").unlink()
    assert second.locked == first.output and second.output != first.output and first.output.exists()
    text = second.summary_text()
    assert "2022年第三季度汇总完成：本期评价的 15 项指标中" in text and "；另有 1 项按填报频次本期不报。" in text
    assert str(second.output) in text
    assert "另存为" in text and "已退回待改 1 家（平望镇）" in text


def test_year_outside_plan_is_refused(workspace):
    with pytest.raises(UsageError):
        consolidate(workspace, "2025", now=NOW)


def test_explicit_output_and_another_period(workspace):
    result = consolidate(workspace, "2021Q4", workspace.reports / "2021年报.xlsx", now=NOW)
    assert result.output == workspace.reports / "2021年报.xlsx" and result.output.exists()
    assert result.figures.by_code("3-1").status == DONE  # 125 >= 120
    assert result.figures.by_code("3-2").status == "未报送"
