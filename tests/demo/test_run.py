"""The demo runs the whole cycle and its report reads right with a second reader."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from wjexcel.cli import cli
from wjexcel.demo.run import DEMO_PERIOD, run_demo

STATUSES = {"已完成", "序时推进", "滞后", "严重滞后", "未报送"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return run_demo(tmp_path_factory.mktemp("demo") / "演示")


def test_demo_reports_a_realistic_mix(demo):
    text = demo.summary_text()
    assert "演示完成" in text and str(demo.run.report_path) in text
    counts = demo.run.consolidated.figures.count_by_status()
    assert {s for s, n in counts.items() if n} == STATUSES  # every status shows up
    statuses = {s.reporter: s.status for s in demo.run.statuses}
    assert statuses["平望镇"] == "未报送" and statuses["震泽镇"] == "已退回" and statuses["七都镇"] == "已报送"
    assert (demo.root / "汇总" / "退回" / DEMO_PERIOD / "2022Q3_震泽镇_科技创新指标填报表_退回.xlsx").exists()


def test_report_values_visible_without_recalculation(demo):
    """calamine never calculates: what it reads is what a phone preview shows."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(demo.run.report_path))
    assert wb.sheet_names[:9] == ["概览", "任务分解表", "督办清单", "趋势", "计划期考核", "区镇进度", "报送情况",
                                  "问题清单", "原始数据"]
    for name in ("明细汇总", "图表", "进展简报"):
        assert name in wb.sheet_names
    rows = wb.get_sheet_by_name("任务分解表").to_python()
    header_row = next(i for i, r in enumerate(rows) if "状态" in r)
    header = rows[header_row]
    figures = demo.run.consolidated.figures.by_code
    seen = {}
    for r in rows[header_row + 1:]:
        name = r[header.index("指标")]
        for f in demo.run.consolidated.figures.indicators:
            if f.indicator.name == name:
                seen[f.indicator.code] = r[header.index("状态")]
    assert len(seen) == 16
    for code, shown in seen.items():
        assert shown == figures(code).status, code
    assert seen["4-2"] == "已完成"
    brief = " ".join(str(c) for r in wb.get_sheet_by_name("进展简报").to_python() for c in r)
    assert "有效高新技术企业1432家" in brief and "102.3%" in brief


def test_a_remark_starting_with_an_equals_sign_stays_text_in_the_report(demo):
    """The demo's 东太湖 remark reads like a clerk's ("=9+3（其中3项为三季度新签…）"), starts with
    "=", and reaches 任务分解表 and 原始数据 as that text, never as a formula or its result."""
    from openpyxl import load_workbook

    from wjexcel.demo.run import REMARKS

    remark = REMARKS[("东太湖度假区（太湖新城）", "7-2")]
    assert remark.startswith("=") and "HYPERLINK" not in remark and "必须" not in remark
    wb = load_workbook(demo.run.report_path)
    found = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and "=9+3" in c.value:
                    found.setdefault(ws.title, []).append((c.coordinate, c.data_type, c.value))
    assert {"任务分解表", "原始数据"} <= set(found), found
    for title, cells in found.items():
        for coord, data_type, value in cells:
            assert data_type == "s", (title, coord, value)
            assert "其中3项为三季度新签" in value
    raw = [value for _, _, value in found["原始数据"]]
    assert remark in raw  # exactly as typed


@pytest.mark.soffice
def test_the_printed_report_shows_the_remark_as_typed(demo, soffice_convert, tmp_path):
    """Printed through LibreOffice, the report shows the clerk's "=9+3（…）" as text: no
    formula result (12), no error, and no test string anywhere."""
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler) is not installed")
    (pdf,) = soffice_convert([demo.run.report_path], "pdf", tmp_path / "pdf")
    printed = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "=9+3" in printed
    assert "HYPERLINK" not in printed and "必须原样显示" not in printed


def test_consolidate_json_agrees_with_the_run(demo):
    result = CliRunner().invoke(cli, ["consolidate", "-p", DEMO_PERIOD, "--json", "-w", str(demo.root),
                                      "-o", str(demo.root / "汇总" / "again.xlsx")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["period"] == DEMO_PERIOD and data["output"].endswith("again.xlsx")
    by_code = {i["code"]: i for i in data["indicators"]}
    assert by_code["4-2"]["value"] == 1432 and by_code["4-2"]["status"] == "已完成"
    assert by_code["4-2"]["target"] == 1400 and by_code["4-2"]["op"] == ">="
    assert by_code["4-2"]["elapsed"] == 0.75
    assert by_code["6-1"]["value"] is None and by_code["6-1"]["status"] == "本期不报"  # a 年报 statistic
    assert by_code["6-1"]["baseline"] == 3.62 and by_code["6-1"]["baseline_source"] == "actual"  # 2021 year-end
    assert by_code["3-4"]["status"] == "未报送"
    # 发改委 (the source) has not reported and one town's form was returned: the towns' sum so far is
    # not the district's figure (未报送, partial), and nothing of it reaches 督办清单.
    assert by_code["5-2"]["value"] is None and by_code["5-2"]["status"] == "未报送"
    assert by_code["5-2"]["partial"]["expected"] == 8 and by_code["5-2"]["partial"]["reported"] < 8
    assert "5-2" not in {s["code"] for s in data["supervision"]}
    for item in data["indicators"]:
        assert item["status"] in STATUSES | {"本期不报"}
        assert item["previous"]["period"] == "2022Q2" and item["same_period_last_year"]["period"] == "2021Q3"
    # several periods give the cycle sheets content: 环比, 同比, runs of lagging periods, 督办
    assert by_code["3-1"]["previous"]["value"] == 60 and by_code["3-1"]["same_period_last_year"]["value"] == 88
    assert by_code["7-2"]["lagging_periods"] == 2 and by_code["5-4"]["lagging_periods"] == 1
    escalated = {(s["code"], s["reporter"]) for s in data["supervision"] if s["lagging_periods"] >= 2}
    assert ("7-2", None) in escalated and ("5-1", None) in escalated


def test_details_are_merged_by_list_and_a_firm_reported_twice_is_flagged(demo):
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(demo.run.report_path)).get_sheet_by_name("明细汇总").to_python()
    titles = [r[0] for r in rows if str(r[0]).endswith("）") and "条" in str(r[0])]
    assert [t.split("（")[0] for t in titles] == ["新认定高新技术企业名单", "人才项目名单", "科创载体项目"]
    assert "其中 2 条重复报送" in titles[0]
    flagged = [r for r in rows if "同时由" in str(r[-1])]
    assert {r[0] for r in flagged} == {"七都镇", "桃源镇"}
    assert all("苏州澜芯光电科技有限公司" in r for r in flagged)
