"""The figure and status rules of docs/规格说明.md §9, branch by branch, on hand-made values.

Every expected number below is worked out by hand from the rule, not copied from output.
"""

from datetime import datetime

import pytest

from wjexcel.report.figures import (ACTUAL, DISTRICTS, DONE, LAGGING, MISSING, NOT_DUE, ON_TRACK, PLAN_BASE, SEVERE,
                                    SOURCE, TARGET)
from wjexcel.report.history import compute_figures
from wjexcel.report.ranking import rank_towns
from wjexcel.periods import Period
from wjexcel.records import ReportedValue
from wjexcel.plan.builtin import builtin_plan

KAIFA, FENHU, GAOXIN, DTH = "吴江开发区", "汾湖高新区（黎里镇）", "吴江高新区（盛泽镇）", "东太湖度假区（太湖新城）"
QIDU, TAOYUAN, ZHENZE, PINGWANG = "七都镇", "桃源镇", "震泽镇", "平望镇"
DEPARTMENTS = {"区科技局", "人才办", "发改委", "工信局", "人社局", "统计局", "税务局"}


def rv(reporter, code, value, period="2022", remark=None):
    kind = "department" if reporter in DEPARTMENTS else "district"
    return ReportedValue(reporter, kind, code, period, value, None if value is None else str(value),
                         remark, f"收回/{reporter}.xlsx", "指标填报", "D5", datetime(2023, 1, 5), 1)


def figures(period, values, plan=None, other=()):
    """The figures of ``period`` from its ``values`` and the ``other`` periods' (each rv carries its period)."""
    by_period = {period: list(values)}
    for value in other:
        by_period.setdefault(value.period, []).append(value)
    return compute_figures(plan or builtin_plan(), period, by_period)


def figure(code, period, values, plan=None, other=()):
    return figures(period, values, plan, other).by_code(code)


# --- the district-wide value ---------------------------------------------------------------

def test_source_unit_value_wins_and_towns_are_a_cross_check():
    f = figure("4-2", "2022", [rv("区科技局", "4-2", 1432), rv(KAIFA, "4-2", 700), rv(QIDU, "4-2", 720),
                               rv("税务局", "4-2", 1500)])
    assert (f.value, f.basis, f.source_value, f.districts_sum) == (1432, SOURCE, 1432, 1420)
    assert f.cross_gap == -12 and not f.cross_flag  # 12 <= 10% of 1432
    assert f.by_reporter == {"区科技局": 1432, KAIFA: 700, QIDU: 720, "税务局": 1500}
    assert f.status == DONE and f.assessment.completion == pytest.approx(1432 / 1400)


def blank_towns(code, period="2022", *but):
    """Accepted forms of every town except ``but`` with the indicator left blank."""
    return [rv(t, code, None, period) for t in ALL_TOWNS if t not in but]


def test_without_the_source_the_towns_are_summed_and_departments_never_added():
    # 2022 stock: T=1400, B=2021 target 1200, e=1 -> X=1400; D = T-B = 200; X - 0.1*200 = 1380
    f = figure("4-2", "2022", [rv(KAIFA, "4-2", 700), rv(QIDU, "4-2", 650), rv("税务局", "4-2", 5000),
                               *blank_towns("4-2", "2022", KAIFA, QIDU)])
    assert (f.value, f.basis) == (1350, DISTRICTS) and f.partial is None
    assert f.assessment.expected == 1400 and f.assessment.band == 200
    assert f.status == SEVERE


def test_ratio_is_never_summed():
    f = figure("6-1", "2022", [rv(KAIFA, "6-1", 3.7), rv(QIDU, "6-1", 3.8), rv("区科技局", "6-1", 3.9)])
    assert f.value is None and f.status == MISSING and f.assessment.completion is None
    assert f.by_reporter == {KAIFA: 3.7, QIDU: 3.8, "区科技局": 3.9}
    g = figure("6-1", "2022", [rv("统计局", "6-1", 3.7), rv(KAIFA, "6-1", 9.0)])
    assert g.value == 3.7 and g.status == DONE and g.cross_gap is None


def test_blank_source_value_falls_back_to_the_towns():
    f = figure("2-1", "2022", [rv("区科技局", "2-1", None), rv(KAIFA, "2-1", 5), rv(FENHU, "2-1", 3),
                               *blank_towns("2-1", "2022", KAIFA, FENHU)])
    assert (f.value, f.basis) == (8, DISTRICTS) and f.status == DONE


def test_a_sum_of_some_towns_is_not_the_district_figure():
    # 2 of 8 towns sent 2-1 (T = 8 in 2022) and together already exceed it: still no figure.
    f = figure("2-1", "2022Q3", [rv(KAIFA, "2-1", 5, "2022Q3"), rv(FENHU, "2-1", 4, "2022Q3")])
    assert f.value is None and f.status == MISSING and f.basis == "none"
    assert f.to_json()["partial"] == {"value": 9, "reported": 2, "expected": 8}
    assert f.lagging_periods == 0
    # One town short, with a big lag: still 未报送, and never in the 督办 list.
    seven = [rv(t, "2-1", 0, "2022Q3") for t in ALL_TOWNS[:-1]]
    result = figures("2022Q3", seven)
    g = result.by_code("2-1")
    assert g.value is None and g.status == MISSING and g.partial.reported == 7
    assert not [s for s in result.supervision() if s.figure.code == "2-1"]
    # The last town's blank cell completes the set: the sum is the district's figure (0 → 严重滞后).
    full = figures("2022Q3", seven + [rv(ALL_TOWNS[-1], "2-1", None, "2022Q3")]).by_code("2-1")
    assert full.value == 0 and full.partial is None and full.status == SEVERE
    # Nobody gave a value at all: no figure and nothing partial either.
    none = figure("2-1", "2022Q3", blank_towns("2-1", "2022Q3"))
    assert none.value is None and none.partial is None and none.status == MISSING


ALL_TOWNS = [r.name for r in builtin_plan().districts]


@pytest.mark.parametrize("towns, flagged", [(110, False), (90, False), (110.5, True), (89.4, True)])
def test_cross_check_tolerance_boundary(towns, flagged):
    # Every town reports: the first carries the whole amount, the others zero.
    values = [rv("区科技局", "7-1", 100), rv(ALL_TOWNS[0], "7-1", towns)] + [
        rv(t, "7-1", 0) for t in ALL_TOWNS[1:]]
    f = figure("7-1", "2022", values)
    assert f.cross_flag is flagged
    assert any("交叉核对" in n and "使用长三角科技创新券企业" in n for n in f.notes) is flagged


def test_cross_check_waits_for_every_town_unless_the_partial_sum_is_already_too_large():
    f = figure("7-1", "2022", [rv("区科技局", "7-1", 100), rv(KAIFA, "7-1", 20)])
    assert f.cross_gap == -80 and not f.cross_flag  # the missing towns may still make up 80
    # Values are never negative: two towns at 110.5 already exceed 100 by more than 10%.
    g = figure("7-1", "2022", [rv("区科技局", "7-1", 100), rv(KAIFA, "7-1", 60), rv(QIDU, "7-1", 50.5)])
    assert g.cross_gap == pytest.approx(10.5) and g.cross_flag
    [note] = [n for n in g.notes if n.startswith("交叉核对")]
    assert "已报送的2个区镇合计 110.5 已超过区科技局 100" in note
    # At the tolerance (110) a partial set is not flagged, as for a complete one.
    h = figure("7-1", "2022", [rv("区科技局", "7-1", 100), rv(KAIFA, "7-1", 60), rv(QIDU, "7-1", 50)])
    assert not h.cross_flag and not any(n.startswith("交叉核对") for n in h.notes)


# --- 序时进度 and the status rule -------------------------------------------------------------

@pytest.mark.parametrize("period, e", [("2022", 1.0), ("2022Q3", 0.75), ("2022-09", 0.75),
                                       ("2022Q1", 0.25), ("2022-06", 0.5)])
def test_elapsed(period, e):
    assert Period.parse(period).elapsed == e
    assert figure("3-1", period, []).elapsed == e


# 3-1 increment, 2022 target 130, e=0.75 -> X = 97.5, D = T, X - 0.1*130 = 84.5
@pytest.mark.parametrize("period", ["2022Q3", "2022-09"])
@pytest.mark.parametrize("value, status", [(130, DONE), (131, DONE), (98, ON_TRACK), (97.5, ON_TRACK),
                                           (97, LAGGING), (84.5, LAGGING), (84.4, SEVERE), (0, SEVERE),
                                           (None, MISSING)])
def test_increment_status(period, value, status):
    f = figure("3-1", period, [] if value is None else [rv("人才办", "3-1", value, period)])
    assert f.assessment.expected == pytest.approx(97.5) and f.assessment.band == 130
    assert f.status == status
    if value is not None:
        assert f.assessment.progress == pytest.approx(value / 130) == f.assessment.completion


def test_year_end_below_target_is_never_on_track():
    # e = 1: X = T = 130; X - 13 = 117
    assert figure("3-1", "2022", [rv("人才办", "3-1", 129)]).status == LAGGING
    assert figure("3-1", "2022", [rv("人才办", "3-1", 117)]).status == LAGGING
    assert figure("3-1", "2022", [rv("人才办", "3-1", 116)]).status == SEVERE


def test_plan_tolerance_is_used():
    plan = builtin_plan()
    plan.tolerance = 0.2  # X - 0.2*130 = 97.5 - 26 = 71.5
    assert figure("3-1", "2022Q3", [rv("人才办", "3-1", 71.5)], plan).status == LAGGING
    assert figure("3-1", "2022Q3", [rv("人才办", "3-1", 71.4)], plan).status == SEVERE


def test_strict_target_exactly_met_is_not_done():
    # 4-2 in 2021 is "超1200"; first plan year, no baseline -> X = T = 1200, D = T
    at = figure("4-2", "2021", [rv("区科技局", "4-2", 1200, "2021")])
    assert at.status == LAGGING and at.assessment.op == ">" and at.to_json()["op"] == ">"
    assert figure("4-2", "2021", [rv("区科技局", "4-2", 1201, "2021")]).status == DONE
    assert figure("4-2", "2022", [rv("区科技局", "4-2", 1400)]).status == DONE  # 2022 is 达1400


# --- stocks: judged by their net increase since last year-end ------------------------------------

# 2-1 stock: 2022 T=8, B=7 (the 2021 target, nothing actual in the ledger); Q3 -> X = 7 + 1*0.75 = 7.75;
# D = T - B = 1; X - 0.1 = 7.65. A count still at last year's level (7) is red, not yellow.
@pytest.mark.parametrize("value, status, progress", [(8, DONE, 1.0), (7.8, ON_TRACK, 0.8), (7.75, ON_TRACK, 0.75),
                                                     (7.7, LAGGING, 0.7), (7.65, LAGGING, 0.65),
                                                     (7.6, SEVERE, 0.6), (7, SEVERE, 0.0), (6, SEVERE, -1.0)])
def test_stock_judged_by_its_net_increase(value, status, progress):
    f = figure("2-1", "2022Q3", [rv("区科技局", "2-1", value, "2022Q3")])
    assert (f.baseline.value, f.baseline.source) == (7, TARGET)
    assert f.assessment.expected == pytest.approx(7.75) and f.assessment.band == 1
    assert f.status == status and f.assessment.progress == pytest.approx(progress)
    assert f.assessment.completion == pytest.approx(value / 8)


def test_the_issue_example_141_centres_after_135_is_forty_percent():
    """企业技术中心: 141 against a target of 150 after 135 last year, at 75% of the year."""
    f = figure("5-1", "2022Q3", [rv("工信局", "5-1", 141, "2022Q3")], other=[rv("工信局", "5-1", 135, "2021")])
    assert (f.baseline.value, f.baseline.source, f.baseline.period) == (135, ACTUAL, Period.parse("2021"))
    assert f.assessment.progress == pytest.approx(0.4)  # 6 of the 15 the year requires
    assert f.assessment.expected == pytest.approx(146.25)  # X - 0.1*15 = 144.75 > 141
    assert f.status == SEVERE
    assert f.to_json()["baseline"] == 135 and f.to_json()["baseline_source"] == "actual"


@pytest.mark.parametrize("closing, period, label", [("2021", "2021", "2021年度"), ("2021Q4", "2021Q4", "2021年第四季度"),
                                                   ("2021-12", "2021-12", "2021年12月")])
def test_the_baseline_is_last_years_closing_figure_year_then_q4_then_december(closing, period, label):
    other = [rv("区科技局", "2-1", 7.5, closing)]
    if closing != "2021":  # a later choice is only taken when the earlier ones are missing
        other.append(rv("区科技局", "2-1", 9, "2021Q3"))
    f = figure("2-1", "2022Q3", [rv("区科技局", "2-1", 7.85, "2022Q3")], other=other)
    # B = 7.5 actual; X = 7.5 + 0.5*0.75 = 7.875; D = 0.5; X - 0.05 = 7.825 <= 7.85 -> 滞后
    assert (f.baseline.value, f.baseline.source, f.baseline.period) == (7.5, ACTUAL, Period.parse(period))
    assert f.baseline.label() == f"7.5（上年实际，{label}）"
    assert f.assessment.expected == pytest.approx(7.875) and f.status == LAGGING
    assert figure("2-1", "2022Q3", [rv("区科技局", "2-1", 7.8, "2022Q3")], other=other).status == SEVERE


def test_a_stock_already_above_this_years_target_uses_the_target_as_band():
    # 2021 closed at 9, above the 2022 target 8: X = 9 + (8-9)*0.75 = 8.25; D = T = 8; X - 0.8 = 7.45
    other = [rv("区科技局", "2-1", 9, "2021")]
    f = figure("2-1", "2022Q3", [rv("区科技局", "2-1", 7.9, "2022Q3")], other=other)
    assert f.assessment.band == 8 and f.status == LAGGING
    assert f.assessment.progress == pytest.approx(7.9 / 8)  # no net increase to speak of
    assert figure("2-1", "2022Q3", [rv("区科技局", "2-1", 8, "2022Q3")], other=other).status == DONE


def test_in_the_first_year_the_plans_base_value_else_the_target_itself():
    # 2021 is the first year and the plan gives no 基期值: X = T = 7, D = 7; X - 0.7 = 6.3
    f = figure("2-1", "2021Q3", [rv("区科技局", "2-1", 6.5, "2021Q3")])
    assert f.baseline is None and f.assessment.expected == 7 and f.status == LAGGING
    plan = builtin_plan()
    plan.indicator("2-1").baseline = 5  # X = 5 + (7-5)*0.75 = 6.5; progress (6.5-5)/2
    g = figure("2-1", "2021Q3", [rv("区科技局", "2-1", 6.5, "2021Q3")], plan)
    assert (g.baseline.value, g.baseline.source) == (5, PLAN_BASE)
    assert g.assessment.expected == 6.5 and g.status == ON_TRACK and g.assessment.progress == 0.75


# --- ratios, annual counts, frequencies ----------------------------------------------------------

def test_ratio_against_last_years_level():
    # 6-1 in 2022: B = 3.62 (2021 actual); e = 1: X = 3.68, D = X; X - 0.368 = 3.312
    other = [rv("统计局", "6-1", 3.62, "2021")]
    f = figure("6-1", "2022", [rv("统计局", "6-1", 3.66)], other=other)
    assert f.baseline.value == 3.62 and f.assessment.expected == pytest.approx(3.68)
    assert f.assessment.band == pytest.approx(3.68) and f.status == LAGGING
    assert f.assessment.progress == pytest.approx(3.66 / 3.68)
    assert figure("6-1", "2022", [rv("统计局", "6-1", 3.3)], other=other).status == SEVERE
    assert figure("6-1", "2022", [rv("统计局", "6-1", 3.68)], other=other).status == DONE


@pytest.mark.parametrize("period, due", [("2022", True), ("2022Q4", True), ("2022-12", True), ("2022Q3", False),
                                         ("2022-06", False)])
def test_an_annual_statistic_is_judged_only_at_year_end(period, due):
    result = figures(period, [rv("统计局", "6-1", 3.7, period), rv("人才办", "3-1", 10, period)])
    f = result.by_code("6-1")
    assert f.due is due
    if not due:
        assert f.status == NOT_DUE and f.to_json()["status"] == "本期不报"
        assert f not in result.judged and sum(result.count_by_status().values()) == len(result.indicators) - 1
        assert f.code not in {item.figure.code for item in result.supervision()}
    else:
        assert f.status == DONE and f in result.judged


def test_annual_count_restarts_every_year():
    # 4-1 is annual: 2022Q3 X = 1500*0.75 = 1125, D = 1500: 1100 >= 975 -> 滞后; never summed over years
    other = [rv("区科技局", "4-1", 1350, "2021"), rv("区科技局", "4-1", 1200, "2021Q4")]
    f = figure("4-1", "2022Q3", [rv("区科技局", "4-1", 1100, "2022Q3")], other=other)
    assert f.indicator.kind == "annual" and f.baseline is None
    assert f.assessment.expected == 1125 and f.status == LAGGING
    assert f.plan_period_target == 1800 and f.plan_to_date == 1100  # the last year's target, this value
    q1 = figure("4-1", "2022Q1", [rv("区科技局", "4-1", 300, "2022Q1")], other=other)
    assert q1.previous.period.code == "2021Q4" and q1.change == 300  # a new year starts from zero


@pytest.mark.parametrize("period, value, expected, status", [
    ("2022Q2", 2, 1.5, ON_TRACK),     # share (1 + 0.5)/3 = 0.5, X = 3*0.5
    ("2022Q2", 1.2, 1.5, LAGGING),    # X - 0.1*3 = 1.2
    ("2022Q2", 1.1, 1.5, SEVERE),
    ("2022", 2, 2.0, ON_TRACK),       # share 2/3 < 1, X = 2: on plan although the year has ended
    ("2022", 1.7, 2.0, LAGGING),      # X - 0.1*3 = 1.7
    ("2023", 2.9, 3.0, LAGGING),      # the plan has ended: no 序时推进 any more
    ("2023", 3, 3.0, DONE),
    ("2021Q3", 1, 0.75, ON_TRACK),    # share 0.75/3 = 0.25
])
def test_plan_total_against_the_plan_share(period, value, expected, status):
    f = figure("3-3", period, [rv("人才办", "3-3", value, period)])
    assert f.assessment.target == 3 and f.assessment.expected == pytest.approx(expected)
    assert f.status == status and f.assessment.completion == pytest.approx(value / 3)
    assert f.plan_period_target == 3 and f.plan_to_date == value


# --- across periods -----------------------------------------------------------------------------

def test_previous_period_and_same_period_last_year():
    other = [rv("人才办", "3-1", 55, "2022Q2"), rv("人才办", "3-1", 80, "2021Q3"), rv("人才办", "3-1", 150, "2021Q4")]
    f = figure("3-1", "2022Q3", [rv("人才办", "3-1", 90, "2022Q3")], other=other)
    assert (f.previous.period.code, f.previous.value) == ("2022Q2", 55) and f.change == 35
    assert (f.same_period_last_year.period.code, f.same_period_last_year.value) == ("2021Q3", 80)
    assert f.yoy_change == 10 and f.yoy_growth == pytest.approx(0.125)
    assert f.to_json()["previous"] == {"period": "2022Q2", "value": 55}
    assert f.to_json()["same_period_last_year"] == {"period": "2021Q3", "value": 80}
    q1 = figure("3-1", "2022Q1", [rv("人才办", "3-1", 30, "2022Q1")], other=other)
    assert q1.previous.period.code == "2021Q4" and q1.previous.value == 150 and q1.change == 30
    first = figure("3-1", "2021Q1", [rv("人才办", "3-1", 30, "2021Q1")])
    assert first.previous is None and first.same_period_last_year is None  # before the plan
    none = figure("3-1", "2022-05", [rv("人才办", "3-1", 40, "2022-05")])
    assert none.previous.period.code == "2022-04" and none.previous.value is None and none.change is None


def test_lagging_periods_count_the_run_of_lagging_periods():
    # 3-1 (T=130): Q1 X=32.5 (25 >= 19.5 滞后), Q2 X=65 (55 >= 52 滞后), Q3 X=97.5 (90 >= 84.5 滞后)
    run = [rv("人才办", "3-1", 25, "2022Q1"), rv("人才办", "3-1", 55, "2022Q2")]
    f = figure("3-1", "2022Q3", [rv("人才办", "3-1", 90, "2022Q3")], other=run)
    assert f.status == LAGGING and f.lagging_periods == 3
    broken = [rv("人才办", "3-1", 25, "2022Q1"), rv("人才办", "3-1", 70, "2022Q2")]  # Q2 on track
    assert figure("3-1", "2022Q3", [rv("人才办", "3-1", 90, "2022Q3")], other=broken).lagging_periods == 1
    missing = [rv("人才办", "3-1", 25, "2022Q1")]  # nothing in Q2: 未报送 ends the run
    assert figure("3-1", "2022Q3", [rv("人才办", "3-1", 90, "2022Q3")], other=missing).lagging_periods == 1
    assert figure("3-1", "2022Q3", [rv("人才办", "3-1", 98, "2022Q3")], other=run).lagging_periods == 0


def test_the_supervision_list_and_its_escalations():
    run = [rv("人才办", "3-1", 55, "2022Q2"), rv(KAIFA, "1-1", 1, "2022Q2")]
    result = figures("2022Q3", [rv("人才办", "3-1", 90, "2022Q3"), rv("区科技局", "1-1", 8, "2022Q3"),
                                rv(KAIFA, "1-1", 2, "2022Q3")], other=run)
    items = {(i.figure.code, i.reporter): i for i in result.supervision()}
    talent = items[("3-1", None)]
    assert talent.status == LAGGING and talent.lagging_periods == 2 and talent.escalate
    assert talent.gap == pytest.approx(7.5) and talent.units == ("区科技局", "人才办", "工信局", "人社局", "商务局", "各区镇")
    assert talent.lead_unit == "区科技局"
    # 开发区's three-year 10: share (1 + 0.75)/3, X = 5.83; 2 < 5.83 - 1 -> 严重滞后, and in Q2 (1 < 5 - 1) too
    kaifa = items[("1-1", KAIFA)]
    assert kaifa.status == SEVERE and kaifa.units == (KAIFA,) and kaifa.lagging_periods == 2
    assert kaifa.gap == pytest.approx(10 * 1.75 / 3 - 2)
    assert ("1-1", "四个镇") not in items  # no value yet: 未报送 is chased by 催报, not 督办
    assert [i.to_json() for i in result.supervision()][0].keys() == {"code", "name", "reporter", "status", "units",
                                                                     "gap", "lagging_periods"}


# --- increments over the plan, sub-items ------------------------------------------------------

def test_increment_plan_to_date_adds_earlier_year_ends():
    f = figure("3-1", "2023Q2", [rv("人才办", "3-1", 60, "2023Q2")], other=[rv("人才办", "3-1", 125, "2021")])
    assert f.value == 60 and f.plan_to_date == 185 and f.plan_period_target == 380
    assert f.missing_years == [2022] and any("2022年" in n for n in f.notes)
    assert f.to_json()["plan_period"] == {"target": 380, "value": 185, "completion": pytest.approx(185 / 380)}


def test_sub_item_larger_than_parent_is_noted():
    f = figure("3-2", "2022", [rv("人才办", "3-1", 40), rv("人才办", "3-2", 45)])
    assert f.indicator.parent == "3-1" and any("大于上级指标" in n for n in f.notes)


# --- split targets --------------------------------------------------------------------------

def test_split_targets_of_towns_and_of_the_four_towns_group():
    earlier = [rv(KAIFA, "1-1", 3, "2021"), rv(QIDU, "1-1", 0.5, "2021"), rv(TAOYUAN, "1-1", 0.5, "2021"),
               *blank_towns("1-1", "2021", KAIFA, QIDU, TAOYUAN)]
    values = [rv("区科技局", "1-1", 9), rv(KAIFA, "1-1", 4), rv(QIDU, "1-1", 0.3), rv(ZHENZE, "1-1", 0.2),
              rv(TAOYUAN, "1-1", None), rv(PINGWANG, "1-1", None)]
    f = figure("1-1", "2022", values, other=earlier)
    # district: source 9 of T=10, e=1: X=10, X-1 = 9 -> 滞后; plan to date 9 + (3+0.5+0.5) = 13 of 30
    assert f.status == LAGGING and f.plan_to_date == 13 and f.plan_period_target == 30
    splits = {s.name: s for s in f.splits}
    assert set(splits) == {KAIFA, FENHU, GAOXIN, DTH, "四个镇"}
    kaifa = splits[KAIFA]  # 3 + 4 = 7 of 10; plan share 2/3: X = 6.67 -> on track
    assert kaifa.value == 7 and kaifa.assessment.completion == pytest.approx(0.7)
    assert kaifa.assessment.status == ON_TRACK
    assert splits[FENHU].value is None and splits[FENHU].assessment.status == MISSING
    group = splits["四个镇"]  # 0.3 + 0.2 now, + 0.5 + 0.5 earlier = 1.5 of 4; X = 2.67, X-0.4 = 2.27
    assert group.is_group and set(group.members) == {QIDU, TAOYUAN, ZHENZE, PINGWANG}
    assert group.value == pytest.approx(1.5) and group.assessment.status == SEVERE
    assert group.assessment.completion == pytest.approx(0.375)


def test_towns_are_ranked_by_results_and_the_change_is_shown():
    """Worked by hand for 2022 (plan share 2/3):
    shares — 1-1: 开发区 4/9, 汾湖 5/9; 3-1: 30/40, 10/40; 7-1: 10/40, 30/40 → means 0.4815 and 0.5185;
    share scores 92.86 and 100. Splits of 1-1: 开发区 4 of X = 6.67 → 60; 汾湖 5 of X = 4 → 100.
    开发区 0.6×60 + 0.4×92.86 = 73.1; 汾湖 100; every other town 0 (its split has no value)."""
    values = [rv(KAIFA, "1-1", 4), rv(FENHU, "1-1", 5), rv(KAIFA, "3-1", 30), rv(FENHU, "3-1", 10),
              rv(KAIFA, "7-1", 10), rv(FENHU, "7-1", 30)]
    history = [rv(KAIFA, "3-1", 10, "2021")]  # 2021: only 开发区 reported → it ranked first
    result = figures("2022", values, other=history)
    previous = figures("2021", history)
    ranks = {t.reporter: t for t in rank_towns(result, previous)}
    assert ranks[FENHU].score == 100 and ranks[FENHU].rank == 1 and ranks[FENHU].rank_change == 1
    assert ranks[KAIFA].split_score == pytest.approx(60)
    assert ranks[KAIFA].share_score == pytest.approx(100 * (13 / 27) / (14 / 27))
    assert ranks[KAIFA].score == pytest.approx(73.1, abs=0.05) and ranks[KAIFA].rank == 2
    assert ranks[KAIFA].rank_change == -1
    assert ranks[QIDU].score == 0 and ranks[QIDU].rank == 3 and ranks[QIDU].split_score == 0
    # Reporting on time is shown apart and does not move the score.
    assert ranks[KAIFA].filled == 3 and ranks[KAIFA].expected == 15  # 3-4 is not on town forms
    assert rank_towns(result)[0].previous_rank is None


# --- the JSON contract ------------------------------------------------------------------------

def test_json_object_has_exactly_the_contract_keys():
    f = figure("4-2", "2022Q3", [rv("区科技局", "4-2", 1300, "2022Q3"), rv(KAIFA, "4-2", 10, "2022Q3")],
               other=[rv("区科技局", "4-2", 1250, "2022Q2"), rv("区科技局", "4-2", 1150, "2021Q3")])
    # B = 1200 (2021 target); X = 1200 + 200*0.75 = 1350; D = 200; X - 20 = 1330 > 1300 -> 严重滞后
    assert f.to_json() == {
        "code": "4-2", "name": "有效高新技术企业", "kind": "stock", "frequency": None, "target": 1400, "op": ">=",
        "value": 1300, "completion": pytest.approx(1300 / 1400), "elapsed": 0.75, "expected": pytest.approx(1350),
        "baseline": 1200, "baseline_source": "target", "progress": pytest.approx(0.5), "status": SEVERE,
        "by_reporter": {"区科技局": 1300, KAIFA: 10},
        "previous": {"period": "2022Q2", "value": 1250},
        "same_period_last_year": {"period": "2021Q3", "value": 1150},
        "lagging_periods": 2,  # 2022Q2: X = 1300, X - 20 = 1280 > 1250, so 严重滞后 there too
        "plan_period": {"target": 1600, "value": 1300, "completion": pytest.approx(1300 / 1600)}}


def test_an_item_without_responsible_units_still_gets_its_supervision_text():
    from dataclasses import replace

    from wjexcel.report.supervision import notice_text, unit_items

    result = figures("2022Q3", [rv("人才办", "3-1", 90, "2022Q3"), rv("区科技局", "1-1", 8, "2022Q3"),
                                rv(KAIFA, "1-1", 2, "2022Q3")])
    items = result.supervision()
    orphan = replace(items[0], units=())
    grouped = unit_items([orphan, *items[1:]])
    assert grouped[""] == [orphan]
    assert all(item in sum(grouped.values(), []) for item in items[1:])
    text = notice_text(result, "", grouped[""])
    assert text.startswith("【督办】截至") and orphan.name in text


def test_a_strict_goal_is_worded_alike_in_the_overview_and_the_plan_period_sheet():
    from types import SimpleNamespace

    from wjexcel.plan.model import Target
    from wjexcel.report.plan_period import plan_goal

    plan = builtin_plan()
    ind = plan.indicator("4-2")
    ind.targets[max(ind.targets)] = Target(1600, ">")
    assert ind.plan_period_target().label() == "＞1600"
    assert plan_goal(SimpleNamespace(indicator=ind, plan_period_target=1600)).label() == "＞1600"
    assert plan_goal(SimpleNamespace(indicator=plan.indicator("3-1"), plan_period_target=380)).label() == "380"


def test_number_text_in_sentences():
    from wjexcel.report.figures import number_text

    assert number_text(1432.0, "家") == "1432家" and number_text(None, "家") == "—"
    assert number_text(5.833333) == "5.8333" and number_text(5.833333, "个", 2) == "5.83个"
    assert number_text(2.999999, digits=2) == "3"
