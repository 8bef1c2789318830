"""Five periods from forms filled as people fill them, then the 2022Q3 report checked by hand.

The periods: the same quarter a year earlier (2021Q3), the 2021 year-end, and three quarters
(2022Q1-Q3). Every figure below is worked out from the rules of docs/规格说明.md §9, with e = 0.75 and the
plan share s = (1 + 0.75) / 3 = 7/12 in 2022Q3, tolerance 10%:

- 3-1 人才项目 (increment, T=130): 90 → X = 97.5, D = 130, 90 ≥ 84.5 → 滞后; also 滞后 in Q2 (55 ≥ 52)
  and Q1 (25 ≥ 19.5): 3 periods running. 环比 55 → +35; 同比 80 → +10, +12.5%. Plan: 90 + 125 (2021) = 215 of 380.
- 5-1 企业技术中心 (stock, T=150, B=137 the 2021 year-end): X = 137 + 13 × 0.75 = 146.75, D = 13,
  141 < 145.45 → 严重滞后, progress 4/13; Q2 139 < 142.2 and Q1 138 < 138.95: 3 periods. 环比 +2, 同比 +5.
- 4-1 评价入库 (annual, T=1500): 1200 ≥ X = 1125 → 序时推进; plan-period target 1800 (the last year's).
- 6-1 研发投入 (ratio, 年报): 本期不报; B = 3.62 (2021 actual), X = 3.62 + 0.06 × 0.75 = 3.665.
- 1-1 科创载体 (increment, T=10): 区科技局 8 ≥ 7.5 → 序时推进; plan 8 + 6.6 = 14.6 of 30. Splits:
  开发区 4 + 3 = 7 ≥ 10 × 7/12 → 序时推进; 四个镇 (七都镇 with 0, the other three each period) 0.3 + 0.5 = 0.8
  < 4 × 7/12 − 0.4 → 严重滞后, and so in Q2
  (0.7 < 1.6) and Q1 (0.6 < 1.2667): 3 periods.
- 3-3 重大团队 (plan_total, T=3): 2 ≥ X = 1.75 → 序时推进.
Tally (15 judged, 6-1 not): 序时推进 3, 滞后 1, 严重滞后 1, 未报送 10.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from wjexcel.cli import cli
from wjexcel.demo.fill import fill_form
from wjexcel.plan.workbook import workspace_plan

KAIFA, QIDU = "吴江开发区", "七都镇"
PERIODS = ["2021Q3", "2021", "2022Q1", "2022Q2", "2022Q3"]
SIGNED = {"2021Q3": date(2021, 10, 9), "2021": date(2022, 1, 10), "2022Q1": date(2022, 4, 8),
          "2022Q2": date(2022, 7, 8), "2022Q3": date(2022, 10, 8)}
TYPED = {  # period -> reporter -> indicator -> what is typed
    "2021Q3": {"人才办": {"3-1": 80, "3-3": 1}, "工信局": {"5-1": 136}, "区科技局": {"4-1": "1,000", "1-1": 4},
               KAIFA: {"1-1": 1.5}, QIDU: {"1-1": 0.2}},
    "2021": {"人才办": {"3-1": 125, "3-3": 1}, "工信局": {"5-1": 137}, "区科技局": {"4-1": 1350, "1-1": 6.6},
             "统计局": {"6-1": "3.62%"}, KAIFA: {"1-1": 3}, QIDU: {"1-1": 0.5}},
    "2022Q1": {"人才办": {"3-1": 25, "3-3": 1}, "工信局": {"5-1": 138}, "区科技局": {"4-1": 300, "1-1": 1},
               KAIFA: {"1-1": 0.5}, QIDU: {"1-1": 0.1}},
    "2022Q2": {"人才办": {"3-1": "５５", "3-3": 2}, "工信局": {"5-1": 139}, "区科技局": {"4-1": 800, "1-1": 5},
               KAIFA: {"1-1": 2}, QIDU: {"1-1": 0.2}},
    "2022Q3": {"人才办": {"3-1": 90, "3-3": 2}, "工信局": {"5-1": 141}, "区科技局": {"4-1": 1200, "1-1": 8},
               KAIFA: {"1-1": 4}, QIDU: {"1-1": 0.3}},
}
OTHER_FOUR = ("桃源镇", "震泽镇", "平望镇")  # the rest of 四个镇: a group's sum waits for all its members
for _typed in TYPED.values():
    _typed.update({town: {"1-1": 0} for town in OTHER_FOUR})
REMARK = {("2022Q3", "人才办", "3-1"): "三季度省级评审推迟，部分项目四季度认定"}


@pytest.fixture(scope="module")
def cycle(tmp_path_factory, workspace_templates):
    # the same plan, sending only to the units of this test
    ws = workspace_templates.copy(tmp_path_factory.mktemp("cycle") / "工作区", *PERIODS,
                                  reporters={period: sorted(TYPED[period]) for period in PERIODS})
    plan = workspace_plan(ws)
    names = {i.code: i.name for i in plan.indicators}
    for period in PERIODS:
        for reporter, form in workspace_templates.forms(ws, period).items():
            typed = TYPED[period][reporter]
            remarks = {code: text for (p, who, code), text in REMARK.items() if p == period and who == reporter}
            fill_form(form, ws.inbox / period / form.name, typed, names=names, remarks=remarks,
                      signer={"填报人": "王芳", "联系电话": "0512-63001234", "填报日期": SIGNED[period],
                              "审核人": "李强", "填报单位（盖章）": reporter})
    collected = CliRunner().invoke(cli, ["collect", "--json", "-w", str(ws.root)])
    assert collected.exit_code == 0, collected.output
    assert {v["status"] for v in json.loads(collected.stdout)} == {"accepted"}
    out = ws.reports / "2022Q3.xlsx"
    result = CliRunner().invoke(cli, ["consolidate", "-p", "2022Q3", "--json", "-o", str(out), "-w", str(ws.root)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), out


def test_the_json_of_every_indicator_worked_out_by_hand(cycle):
    doc, _ = cycle
    by = {i["code"]: i for i in doc["indicators"]}
    talent = by["3-1"]
    assert talent == {
        "code": "3-1", "name": "新增区级以上创新创业领军人才项目", "kind": "increment", "frequency": None,
        "target": 130, "op": ">=", "value": 90, "completion": pytest.approx(90 / 130), "elapsed": 0.75,
        "expected": pytest.approx(97.5), "baseline": None, "baseline_source": None,
        "progress": pytest.approx(90 / 130), "status": "滞后", "by_reporter": {"人才办": 90},
        "previous": {"period": "2022Q2", "value": 55}, "same_period_last_year": {"period": "2021Q3", "value": 80},
        "lagging_periods": 3, "plan_period": {"target": 380, "value": 215, "completion": pytest.approx(215 / 380)}}
    centres = by["5-1"]
    assert (centres["kind"], centres["status"], centres["baseline"], centres["baseline_source"]) == \
        ("stock", "严重滞后", 137, "actual")
    assert centres["expected"] == pytest.approx(146.75) and centres["progress"] == pytest.approx(4 / 13)
    assert centres["previous"] == {"period": "2022Q2", "value": 139} and centres["lagging_periods"] == 3
    assert centres["same_period_last_year"] == {"period": "2021Q3", "value": 136}
    assert centres["plan_period"] == {"target": 170, "value": 141, "completion": pytest.approx(141 / 170)}
    registered = by["4-1"]
    assert (registered["kind"], registered["status"], registered["expected"]) == ("annual", "序时推进", 1125)
    assert registered["progress"] == pytest.approx(0.8) and registered["plan_period"]["target"] == 1800
    assert registered["plan_period"]["value"] == 1200 and registered["lagging_periods"] == 0
    ratio = by["6-1"]
    assert (ratio["status"], ratio["frequency"], ratio["value"]) == ("本期不报", "year", None)
    assert ratio["baseline"] == 3.62 and ratio["baseline_source"] == "actual"
    assert ratio["expected"] == pytest.approx(3.665) and ratio["plan_period"]["target"] == 3.75
    carrier = by["1-1"]
    assert (carrier["status"], carrier["value"], carrier["previous"]["value"]) == ("序时推进", 8, 5)
    assert carrier["plan_period"] == {"target": 30, "value": 14.6, "completion": pytest.approx(14.6 / 30)}
    assert carrier["by_reporter"] == {"区科技局": 8, KAIFA: 4, QIDU: 0.3, **{town: 0 for town in OTHER_FOUR}}
    teams = by["3-3"]
    assert (teams["status"], teams["expected"], teams["plan_period"]["target"]) == ("序时推进", pytest.approx(1.75), 3)
    tally = {}
    for item in doc["indicators"]:
        tally[item["status"]] = tally.get(item["status"], 0) + 1
    assert tally == {"序时推进": 3, "滞后": 1, "严重滞后": 1, "未报送": 10, "本期不报": 1}


def test_the_supervision_list(cycle):
    doc, _ = cycle
    items = {(s["code"], s["reporter"]): s for s in doc["supervision"]}
    assert set(items) == {("3-1", None), ("5-1", None), ("1-1", "四个镇")}
    assert items[("3-1", None)] == {"code": "3-1", "name": "新增区级以上创新创业领军人才项目", "reporter": None,
                                    "status": "滞后", "units": ["区科技局", "人才办", "工信局", "人社局", "商务局", "各区镇"],
                                    "gap": pytest.approx(7.5), "lagging_periods": 3}
    assert items[("5-1", None)]["gap"] == pytest.approx(5.75)
    group = items[("1-1", "四个镇")]
    assert group["status"] == "严重滞后" and group["units"] == ["七都镇", "桃源镇", "震泽镇", "平望镇"]
    assert group["gap"] == pytest.approx(4 * 7 / 12 - 0.8) and group["lagging_periods"] == 3


def _sheet(out: Path, name: str) -> list[list]:
    return CalamineWorkbook.from_path(str(out)).get_sheet_by_name(name).to_python()


def test_the_breakdown_shows_the_comparisons(cycle):
    _, out = cycle
    rows = _sheet(out, "任务分解表")
    header = rows[3]
    assert header[:3] == ["序号", "工作任务", "指标"]
    col = {h: i for i, h in enumerate(header) if h not in ("序号", "指标")}
    row = next(r for r in rows if r[2] == "省级及以上企业技术中心")
    assert [row[col[h]] for h in ("基期值", "本期完成值", "期望值", "状态", "连续滞后期数")] == [137, 141, 146.75, "严重滞后", 3]
    assert row[col["进度"]] == pytest.approx(4 / 13)
    assert [row[col[h]] for h in ("上期值", "本期新增", "上年同期", "同比增减")] == [139, 2, 136, 5]
    assert row[col["同比增速"]] == pytest.approx(5 / 136)
    talent = next(r for r in rows if r[2] == "新增区级以上创新创业领军人才项目")
    assert "人才办：三季度省级评审推迟" in talent[col["情况说明"]]
    notes = " ".join(str(r[0]) for r in rows if r and r[0])
    assert "137（上年实际，2021年度）" in notes  # the 说明 prints the baseline used, its period by name


def test_the_trend_sheet_runs_over_every_period(cycle):
    _, out = cycle
    rows = _sheet(out, "趋势")
    header = rows[2]
    assert header[:7] == ["指标", "单位", "2021年第三季度", "2021年末", "2022年第一季度", "2022年第二季度",
                          "2022年第三季度"]
    talent = next(r for r in rows if str(r[0]).startswith("3-1 "))
    assert talent[2:7] == [80, 125, 25, 55, 90] and len(talent[7]) == 5
    assert talent[7][1] == "█" and talent[7][2] == "▁"  # 125 is the highest, 25 the lowest
    ratio = next(r for r in rows if str(r[0]).startswith("6-1 "))
    assert ratio[3] == 3.62 and all(v == "" for v in ratio[4:7])


def test_the_plan_period_sheet(cycle):
    _, out = cycle
    rows = _sheet(out, "计划期考核")
    goals = {r[1]: r for r in rows[3:] if r and isinstance(r[0], (int, float))}
    assert len(goals) == 8
    talent = goals["新增区级以上创新创业领军人才项目"]
    assert talent[3:8] == ["380", 215, pytest.approx(215 / 380), pytest.approx(7 / 12), "慢于序时"]
    assert goals["引进扶持重大创新创业团队"][7] == "快于序时"  # 2 of 3 at 7/12 of the plan
    assert goals["全社会研发投入占地区生产总值比重"][3] == "3.75" and goals["全社会研发投入占地区生产总值比重"][7] == "本期不报"
    assert goals["全社会研发投入占地区生产总值比重"][8] == "年报指标，按填报频次本期不报"  # 6-1 in a quarter
    assert goals["有效高新技术企业"][3] == "1600"


def test_the_overview_and_the_town_ranking(cycle):
    _, out = cycle
    overview = " ".join(str(c) for r in _sheet(out, "概览") for c in r if c != "")
    assert ("本期评价的 15 项指标中，达到序时进度 3 项、占比 20.0%（已完成 0 项、序时推进 3 项），滞后 1 项，"
            "严重滞后 1 项，未报送 10 项；另有 1 项按填报频次本期不报。") in overview
    assert "新增区级以上创新创业领军人才项目" in overview and "省级及以上企业技术中心" in overview
    assert "新增区级以上创新创业领军人才项目 个 380 " in overview and "比重 % 3.75 " in overview  # unit, then goal
    assert CalamineWorkbook.from_path(str(out)).sheet_names[0] == "概览"
    towns = _sheet(out, "区镇进度")
    start = next(i for i, r in enumerate(towns) if r[0] == "区镇按成效排名")
    ranking = {r[0]: r for r in towns[start + 2:start + 10]}
    # 开发区: split 7 of X = 5.83 → 100, share of 1-1 4/4.3 → the largest → 100; 七都: split (四个镇) 0.8 of 2.33
    # → 34.29, share 0.3/4 of the largest → 7.5: 0.6×34.29 + 0.4×7.5 = 23.6; 2022Q2 ranked them alike.
    assert ranking[KAIFA][1:4] == [1, "持平", 100]
    assert ranking[QIDU][1] == 2 and ranking[QIDU][3] == pytest.approx(23.6, abs=0.05)
    assert ranking["桃源镇"][1] == 3 and ranking["汾湖高新区（黎里镇）"][1] == 6
    assert ranking[KAIFA][7:10] == [1, 14, pytest.approx(1 / 14)]  # shown apart: 1 of 14 (6-1 is not due)


def test_the_supervision_sheet_drafts_the_letters(cycle):
    _, out = cycle
    rows = _sheet(out, "督办清单")
    table = [r for r in rows[3:] if r and isinstance(r[0], (int, float))]
    assert [(r[1], r[2], r[3], r[7], r[8]) for r in table] == [  # in plan order
        ("新建、改建政府主导运营的科创载体面积", "四个镇", "严重滞后", 3, "是"),
        ("新增区级以上创新创业领军人才项目", "全区", "滞后", 3, "是"),
        ("省级及以上企业技术中心", "全区", "严重滞后", 3, "是"),
    ]
    texts = [str(r[0]) for r in rows if str(r[0]).startswith("【")]
    by_unit = {t.split("】")[1].split("：")[0]: t for t in texts}
    assert set(by_unit) >= {"人才办", "工信局", "七都镇", "桃源镇"}
    assert "区科技局" not in by_unit and "各区镇" not in by_unit  # never to the sender, always to a town by name
    assert "新增区级以上创新创业领军人才项目" in by_unit["桃源镇"]
    assert "省级及以上企业技术中心" in by_unit["工信局"] and "新增区级以上创新创业领军人才项目" in by_unit["工信局"]
    assert by_unit["人才办"].startswith("【升级督办】人才办：") and "省级及以上企业技术中心" not in by_unit["人才办"]
    assert "连续 3 期滞后" in by_unit["七都镇"] and "四个镇分解目标" in by_unit["七都镇"]
