"""A year, a quarter and a month from real filled forms: JSON and workbook follow the rules.

Expected statuses are worked out by hand from docs/规格说明.md §9 (tolerance 10%):
- 4-2 有效高企 (stock, T=1400, B=1200 the 2021 target, D = T−B = 200), 1380: year X=1400,
  1380 ≥ 1400−20 → 滞后; Q3 / September X=1200+200×0.75=1350 → 序时推进.
- 7-2 产学研 (increment, T=180), 120: year X=180, 120 < 162 → 严重滞后; Q3 X=135, 120 ≥ 117 → 滞后.
- 6-1 研发投入占比 (ratio, 年报, T=3.68, B=3.6), 3.67: year X=3.68, D=X, ≥ 3.312 → 滞后; in Q3 and
  September it is not on the forms and its status is 本期不报. The towns' ratios are never summed.
- 3-3 重大团队 (plan_total, T=3), 2: year 2022 share 2/3, X=2 → 序时推进; Q3 share 1.75/3, X=1.75 → 序时推进.
- 2-1 研发机构 (stock, T=8): 区科技局 leaves it blank, 2 of the 8 towns report 5+4=9: not the district's
  figure until every town has reported → 未报送, with partial {9, 2 of 8} (never 已完成 on a part).
- 5-2 工程研究中心: nobody reports → 未报送.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from wjexcel.cli import cli
from wjexcel.demo.fill import fill_form
from wjexcel.plan.workbook import workspace_plan

PERIODS = ["2022", "2022Q3", "2022-09"]
EXPECTED = {
    "2022": {"4-2": "滞后", "7-2": "严重滞后", "6-1": "滞后", "3-3": "序时推进", "2-1": "未报送", "5-2": "未报送"},
    "2022Q3": {"4-2": "序时推进", "7-2": "滞后", "6-1": "本期不报", "3-3": "序时推进", "2-1": "未报送",
               "5-2": "未报送"},
    "2022-09": {"4-2": "序时推进", "7-2": "滞后", "6-1": "本期不报", "3-3": "序时推进", "2-1": "未报送",
                "5-2": "未报送"},
}
TYPED = {
    "区科技局": {"4-2": 1380, "7-2": 120},
    "统计局": {"6-1": 3.67},
    "人才办": {"3-3": 2},
    "吴江开发区": {"2-1": 5, "6-1": 4.2},
    "七都镇": {"2-1": "４", "6-1": "3.1%"},
}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, workspace_templates):
    ws = workspace_templates.copy(tmp_path_factory.mktemp("periods") / "ws", *PERIODS)
    names = {i.code: i.name for i in workspace_plan(ws).indicators}
    for period in PERIODS:
        for reporter, form in workspace_templates.forms(ws, period).items():
            if reporter in TYPED:
                fill_form(form, ws.inbox / period / form.name, TYPED[reporter],
                          names=names, signer={"填报人": "测试", "填报日期": date(2022, 10, 9)})
    result = CliRunner().invoke(cli, ["collect", "-w", str(ws.root)])
    assert result.exit_code == 0, result.output
    return ws


@pytest.mark.parametrize("period", PERIODS)
def test_json_and_workbook_follow_the_rules(workspace, period):
    out = workspace.root / "汇总" / f"check_{period}.xlsx"
    result = CliRunner().invoke(cli, ["consolidate", "-p", period, "--json", "-o", str(out),
                                      "-w", str(workspace.root)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    by_code = {i["code"]: i for i in doc["indicators"]}
    assert by_code["4-2"]["elapsed"] == (1.0 if period == "2022" else 0.75)
    for code, status in EXPECTED[period].items():
        assert by_code[code]["status"] == status, (period, code, by_code[code])
    assert by_code["4-2"]["completion"] == pytest.approx(1380 / 1400)
    assert by_code["2-1"]["value"] is None  # 2 of 8 towns: not a district figure
    assert by_code["2-1"]["partial"] == {"value": 9, "reported": 2, "expected": 8}
    if period == "2022":
        assert by_code["6-1"]["value"] == 3.67 and by_code["6-1"]["by_reporter"]["吴江开发区"] == 4.2
        assert by_code["6-1"]["by_reporter"]["七都镇"] == 3.1
    else:  # not on quarterly or monthly forms
        assert by_code["6-1"]["value"] is None and by_code["6-1"]["by_reporter"] == {}
    assert by_code["5-2"]["value"] is None and by_code["5-2"]["completion"] is None

    # The workbook shows the same statuses without any recalculation.
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("任务分解表").to_python()
    header = next(r for r in rows if "状态" in r)
    names = {i["name"]: i["code"] for i in doc["indicators"]}
    shown = {names[r[header.index("指标")]]: r[header.index("状态")] for r in rows
             if r[header.index("指标")] in names}
    assert {c: shown[c] for c in EXPECTED[period]} == EXPECTED[period]
