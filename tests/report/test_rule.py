"""The status rule on a small five-year environment plan written here, every value worked out by hand.

The plan (2021-2025, three towns, three bureaus) has what the Wujiang plan lacks: caps on a
year's sum (能源消费增量 ≤ 26), 零发生 (突发环境事件 0起), a level that must fall (PM2.5 ≤ 36, a
blank year on the straight line to 32 in 2025), a stock that must fall, a relative target
(较上年下降5%), a 增速 that may be negative, and a 节点任务 due at the end of 2022.
"""

from datetime import datetime

import pytest

from wjexcel.periods import Period
from wjexcel.plan.model import DEPARTMENT, DISTRICT, Indicator, Reporter, Target, Task
from wjexcel.plan.plan import Plan
from wjexcel.plan.targets import parse_target
from wjexcel.records import ReportedValue
from wjexcel.report.history import History
from wjexcel.report.rule import (DONE, LAGGING, LINEAR, MISSING, NOT_ASSESSED, ON_TRACK, PLAN_BASE, RELATIVE,
                                 SEVERE, Baseline, assess)

TOWNS = ("甲镇", "乙镇", "丙镇")
ENV, DRC = "生态环境局", "发改委"


def t(text, unit="", direction="up", **kw):
    target, error = parse_target(text, unit, direction, **kw)
    assert error is None, error
    return target


def env_plan() -> Plan:
    down = {"direction": "down"}
    return Plan(
        name="某区生态环境保护“十四五”规划", plan_id="env-2021", version="1", years=[2021, 2022, 2023, 2024, 2025],
        tasks=[Task(1, "大气和能源", (ENV, DRC), True, ENV), Task(2, "安全和信访", (ENV,), True, ENV)],
        reporters=[*(Reporter(n, DISTRICT) for n in TOWNS), Reporter(ENV, DEPARTMENT), Reporter(DRC, DEPARTMENT)],
        indicators=[
            Indicator("pm", 1, "PM2.5年均浓度", "微克/立方米", "ratio", source_unit=ENV, district_reported=False,
                      baseline=38, targets={2021: t("≤36", **down), 2025: t("32以下", **down)}, **down),
            Indicator("energy", 1, "能源消费增量", "万吨标准煤", "increment", source_unit=DRC, district_reported=False,
                      targets={y: t("控制在26以内", **down) for y in range(2021, 2026)}, **down),
            Indicator("incident", 2, "较大及以上突发环境事件", "起", "annual",
                      targets={y: t("0", **down) for y in range(2021, 2026)}, **down),
            Indicator("complaint", 2, "信访投诉件数", "件", "annual", source_unit=ENV, district_reported=False,
                      targets={2022: t("较上年下降5%", **down)}, **down),
            Indicator("waste", 2, "危险废物库存量", "吨", "stock", source_unit=ENV, district_reported=False,
                      targets={2022: t("800", **down)}, **down),
            Indicator("rate", 1, "单位GDP能耗下降率", "%", "ratio", source_unit=DRC, district_reported=False,
                      negative_allowed=True, targets={2022: t("≥3.4", "%")}),
            Indicator("forest", 1, "森林覆盖率", "%", "ratio", source_unit=ENV, district_reported=False,
                      targets={2025: t("19.5", "%")}),
            Indicator("carbon", 1, "印发碳达峰实施方案", "项", "milestone", source_unit=DRC, district_reported=False,
                      targets={2022: t("2022年底", milestone=True, year=2022)}),
            Indicator("platform", 2, "建成智慧监管平台", "个", "milestone",
                      targets={2023: t("2023年6月底", milestone=True, year=2023)}),
        ])


def rv(reporter, code, value, period):
    kind = "district" if reporter in TOWNS else "department"
    return ReportedValue(reporter, kind, code, period, value, None if value is None else str(value), None,
                         f"收回/{reporter}.xlsx", "指标填报", "D5", datetime(2022, 7, 5), 1)


def figure(code, period, values):
    by_period: dict[str, list] = {}
    for v in values:
        by_period.setdefault(v.period, []).append(v)
    return History.from_codes(env_plan(), by_period).figures(Period.parse(period)).by_code(code)


# --- caps on a year's sum: X = T·e, D = T; broken → 严重滞后 at once; 已完成 only at year-end ----------

@pytest.mark.parametrize("value, period, status", [
    (12, "2022Q2", ON_TRACK),   # X = 26 × 0.5 = 13
    (14, "2022Q2", LAGGING),    # ≤ X + 0.1 × 26 = 15.6
    (16, "2022Q2", SEVERE),
    (27, "2022Q2", SEVERE),     # the year's cap is spent by June
    (5, "2022Q3", ON_TRACK),    # well within, but a cap is never 已完成 before year-end
    (26, "2022", DONE),         # 控制在26以内 includes 26
    (26.5, "2022", SEVERE),
])
def test_a_cap_on_the_years_sum(value, period, status):
    f = figure("energy", period, [rv(DRC, "energy", value, period)])
    assert f.status == status
    assert f.assessment.completion is None  # never “完成年度目标的x%” for a cap
    assert f.assessment.progress == pytest.approx(value / 26)  # the share of the cap used
    e = Period.parse(period).elapsed
    assert f.assessment.expected == pytest.approx(26 * e)
    assert f.assessment.gap(value) == pytest.approx(value - 26 * e)  # value − X for 越小越好
    assert f.to_json()["op"] == "<="


def test_zero_incidents_zero_is_on_track_one_is_severe_at_once():
    towns0 = [rv(n, "incident", 0, "2022Q2") for n in TOWNS]
    assert figure("incident", "2022Q2", towns0).status == ON_TRACK
    one = [rv("甲镇", "incident", 1, "2022Q2"), *towns0[1:]]
    f = figure("incident", "2022Q2", one)
    assert f.value == 1 and f.status == SEVERE and f.assessment.progress is None  # T = 0: no share of it
    assert figure("incident", "2022", [rv(n, "incident", 0, "2022") for n in TOWNS]).status == DONE


def test_a_towns_sum_of_some_towns_is_not_a_result_even_for_a_cap():
    f = figure("incident", "2022Q2", [rv("甲镇", "incident", 1, "2022Q2"), rv("乙镇", "incident", 0, "2022Q2")])
    assert f.value is None and f.status == MISSING
    assert f.to_json()["partial"] == {"value": 1, "reported": 2, "expected": 3}


# --- a level that must fall: X = B + (T − B)·e; D = X (ratio), B − T (stock) ----------------------------

@pytest.mark.parametrize("value, status, progress", [
    (35.9, DONE, (38 - 35.9) / 2),
    (36, DONE, 1.0),              # ≤36 includes 36
    (36.5, ON_TRACK, 0.75),       # X = 38 + (36 − 38) × 0.5 = 37
    (38.5, LAGGING, -0.25),       # ≤ X + 0.1 × 37 = 40.7
    (41, SEVERE, -1.5),
])
def test_a_ratio_that_must_fall_from_its_base(value, status, progress):
    f = figure("pm", "2021Q2", [rv(ENV, "pm", value, "2021Q2")])
    assert f.baseline == Baseline(38, PLAN_BASE)
    assert f.assessment.expected == pytest.approx(37) and f.assessment.band == pytest.approx(37)
    assert f.status == status and f.assessment.completion is None
    assert f.assessment.progress == pytest.approx(progress)


def test_a_blank_year_of_a_level_lies_on_the_straight_line_to_the_next_target():
    # PM2.5: 基期值 38 (2020) → 32 in 2025: 2022 is 38 − 6 × 2/5 = 35.6; B = 2021's actual 36.2.
    f = figure("pm", "2022", [rv(ENV, "pm", 36.2, "2021"), rv(ENV, "pm", 35.5, "2022")])
    assert f.year_target.how == LINEAR and f.assessment.target == pytest.approx(35.6)
    assert f.status == DONE and f.to_json()["target_basis"] == "linear"
    # 森林覆盖率 has no 基期值: its years before 2025 are not judged and count in no tally.
    g = History.from_codes(env_plan(), {"2022": [rv(ENV, "forest", 18.2, "2022")]}).figures(Period.parse("2022"))
    forest = g.by_code("forest")
    assert forest.status == NOT_ASSESSED and forest not in g.judged
    assert sum(g.count_by_status().values()) == len(g.judged)


@pytest.mark.parametrize("value, status", [(790, DONE), (880, ON_TRACK), (910, LAGGING), (950, SEVERE)])
def test_a_stock_that_must_fall(value, status):
    # B = 2021 closing 1000, T = 800, e = 0.5: X = 900, D = B − T = 200, X + 20 = 920.
    f = figure("waste", "2022Q2", [rv(ENV, "waste", 1000, "2021"), rv(ENV, "waste", value, "2022Q2")])
    assert f.assessment.expected == pytest.approx(900) and f.assessment.band == pytest.approx(200)
    assert f.status == status
    assert f.assessment.progress == pytest.approx((1000 - value) / 200)  # the share of the fall achieved


# --- relative targets and negatives ------------------------------------------------------------------

def test_a_relative_target_is_worked_out_from_last_years_figure():
    # 2021 closing 200 件 → 2022 T = 200 × 0.95 = 190; Q3: X = 142.5, D = 190, X + 19 = 161.5.
    f = figure("complaint", "2022Q3", [rv(ENV, "complaint", 200, "2021"), rv(ENV, "complaint", 150, "2022Q3")])
    assert f.year_target.how == RELATIVE and f.assessment.target == pytest.approx(190)
    assert f.status == LAGGING and f.to_json()["target"] == pytest.approx(190)
    assert f.to_json()["target_label"] == "较上年下降5%"
    # Without last year's figure (and no target or 基期值 to stand in) the year is not judged.
    g = figure("complaint", "2022Q3", [rv(ENV, "complaint", 150, "2022Q3")])
    assert g.status == NOT_ASSESSED and g.assessment.target is None


def test_a_negative_rate_is_judged_not_refused():
    # 下降率 −1.2% against ≥3.4: no B (no 基期值) so X = T = 3.4; X − 0.1 × 3.4 = 3.06 → 严重滞后.
    f = figure("rate", "2022", [rv(DRC, "rate", -1.2, "2022")])
    assert f.value == -1.2 and f.status == SEVERE
    assert figure("rate", "2022", [rv(DRC, "rate", 3.1, "2022")]).status == LAGGING


# --- milestones: due at the end of the month, 逾期 whatever the calendar share ------------------------

@pytest.mark.parametrize("state, period, status", [
    (1, "2022Q2", ON_TRACK),     # 推进中 before the due date
    (0, "2022Q2", LAGGING),      # 未启动 in the due year
    (None, "2022Q2", MISSING),
    (2, "2022Q2", DONE),
    (1, "2023Q1", SEVERE),       # past 2022年底 and not done: 逾期未完成
    (None, "2023Q1", SEVERE),    # reported or not
])
def test_a_milestone_is_judged_by_its_state_and_due_date(state, period, status):
    values = [] if state is None else [rv(DRC, "carbon", state, period)]
    f = figure("carbon", period, values)
    assert f.status == status and f.value is None
    js = f.to_json()
    assert js["milestone"]["due"] == "2022-12" and js["value"] is None


def test_a_milestone_done_once_stays_done_and_several_towns_take_the_worst():
    done_before = [rv(DRC, "carbon", 2, "2022Q4")]
    assert figure("carbon", "2023Q1", done_before).status == DONE
    # Due 2023年6月底, each town reports: all done → 已完成; one 未启动 in 2023 → 滞后; one missing → 未报送.
    p = "2023Q1"
    assert figure("platform", p, [rv(n, "platform", 2, p) for n in TOWNS]).status == DONE
    mixed = [rv("甲镇", "platform", 2, p), rv("乙镇", "platform", 0, p), rv("丙镇", "platform", 1, p)]
    assert figure("platform", p, mixed).status == LAGGING
    assert figure("platform", p, mixed[:2]).status == MISSING
    assert figure("platform", "2022Q2", [rv(n, "platform", 0, "2022Q2") for n in TOWNS]).status == ON_TRACK
    late = figure("platform", "2023Q3", mixed)
    assert late.status == SEVERE and late.milestone.overdue


# --- the 越大越好 half is unchanged, and the plan period of a cap -------------------------------------

def test_strict_operators_on_both_sides():
    up = assess("increment", 1200, Target(1200, ">"), 1, 1, 0.1)
    assert up.status != DONE
    down = assess("ratio", 30, Target(30, "<"), 1, 1, 0.1, down=True)
    assert down.status != DONE
    assert assess("ratio", 29.9, Target(30, "<"), 1, 1, 0.1, down=True).status == DONE


def test_the_plan_period_of_a_cap_is_the_sum_of_the_yearly_caps_and_is_met_within_it():
    values = [rv(DRC, "energy", 25, "2021"), rv(DRC, "energy", 20, "2022")]
    f = figure("energy", "2022", values)
    assert f.plan_period_target == 130 and f.plan_to_date == 45 and f.plan_met is True
    assert f.plan_completion is None
