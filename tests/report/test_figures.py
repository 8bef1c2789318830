"""The figure and status rules of PRODUCT.md, branch by branch, on hand-made values.

Every expected number below is worked out by hand from the rule, not copied from output.
"""

from datetime import datetime

import pytest

from wjexcel.report.figures import DISTRICTS, DONE, LAGGING, MISSING, ON_TRACK, SEVERE, SOURCE, compute_figures
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


def figure(code, period, values, plan=None, earlier=None):
    return compute_figures(plan or builtin_plan(), period, values, earlier).by_code(code)


# --- the district-wide value ---------------------------------------------------------------

def test_source_unit_value_wins_and_towns_are_a_cross_check():
    f = figure("4-2", "2022", [rv("区科技局", "4-2", 1432), rv(KAIFA, "4-2", 700), rv(QIDU, "4-2", 720),
                               rv("税务局", "4-2", 1500)])
    assert (f.value, f.basis, f.source_value, f.districts_sum) == (1432, SOURCE, 1432, 1420)
    assert f.cross_gap == -12 and not f.cross_flag  # 12 <= 10% of 1432
    assert f.by_reporter == {"区科技局": 1432, KAIFA: 700, QIDU: 720, "税务局": 1500}
    assert f.status == DONE and f.assessment.completion == pytest.approx(1432 / 1400)


def test_without_the_source_the_towns_are_summed_and_departments_never_added():
    # 2022 stock: T=1400, B=2021 target 1200, e=1 -> X=1400; X - 0.1*T = 1260
    f = figure("4-2", "2022", [rv(KAIFA, "4-2", 700), rv(QIDU, "4-2", 650), rv("税务局", "4-2", 5000)])
    assert (f.value, f.basis) == (1350, DISTRICTS)
    assert f.assessment.expected == 1400
    assert f.status == LAGGING


def test_ratio_is_never_summed():
    f = figure("6-1", "2022", [rv(KAIFA, "6-1", 3.7), rv(QIDU, "6-1", 3.8), rv("区科技局", "6-1", 3.9)])
    assert f.value is None and f.status == MISSING and f.assessment.completion is None
    assert f.by_reporter == {KAIFA: 3.7, QIDU: 3.8, "区科技局": 3.9}
    g = figure("6-1", "2022", [rv("统计局", "6-1", 3.7), rv(KAIFA, "6-1", 9.0)])
    assert g.value == 3.7 and g.status == DONE and g.cross_gap is None


def test_blank_source_value_falls_back_to_the_towns():
    f = figure("2-1", "2022", [rv("区科技局", "2-1", None), rv(KAIFA, "2-1", 5), rv(FENHU, "2-1", 3)])
    assert (f.value, f.basis) == (8, DISTRICTS) and f.status == DONE


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


# 3-1 increment, 2022 target 130, e=0.75 -> X = 97.5, X - 0.1*130 = 84.5
@pytest.mark.parametrize("period", ["2022Q3", "2022-09"])
@pytest.mark.parametrize("value, status", [(130, DONE), (131, DONE), (98, ON_TRACK), (97.5, ON_TRACK),
                                           (97, LAGGING), (84.5, LAGGING), (84.4, SEVERE), (0, SEVERE),
                                           (None, MISSING)])
def test_increment_status(period, value, status):
    f = figure("3-1", period, [] if value is None else [rv("人才办", "3-1", value, period)])
    assert f.assessment.expected == pytest.approx(97.5)
    assert f.status == status


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
    # 4-2 in 2021 is "超1200"; first plan year, no baseline -> X = T = 1200
    at = figure("4-2", "2021", [rv("区科技局", "4-2", 1200, "2021")])
    assert at.status == LAGGING and at.assessment.op == ">" and at.to_json()["op"] == ">"
    assert figure("4-2", "2021", [rv("区科技局", "4-2", 1201, "2021")]).status == DONE
    assert figure("4-2", "2022", [rv("区科技局", "4-2", 1400)]).status == DONE  # 2022 is 达1400


# 2-1 stock: 2022 T=8, B=7 (2021 target), Q3 -> X = 7 + 1*0.75 = 7.75; X - 0.8 = 6.95
@pytest.mark.parametrize("value, status", [(8, DONE), (7.8, ON_TRACK), (7.75, ON_TRACK), (7, LAGGING),
                                           (6.95, LAGGING), (6.9, SEVERE)])
def test_stock_with_previous_year_target_as_baseline(value, status):
    f = figure("2-1", "2022Q3", [rv("区科技局", "2-1", value, "2022Q3")])
    assert f.baseline == 7 and f.assessment.expected == pytest.approx(7.75)
    assert f.status == status


def test_stock_without_baseline_compares_with_the_target_itself():
    # 2021 is the first year and the plan gives no 基期值: X = T = 7; X - 0.7 = 6.3
    f = figure("2-1", "2021Q3", [rv("区科技局", "2-1", 6.5, "2021Q3")])
    assert f.baseline is None and f.assessment.expected == 7 and f.status == LAGGING
    plan = builtin_plan()
    plan.indicator("2-1").baseline = 5  # X = 5 + (7-5)*0.75 = 6.5
    g = figure("2-1", "2021Q3", [rv("区科技局", "2-1", 6.5, "2021Q3")], plan)
    assert g.baseline == 5 and g.assessment.expected == 6.5 and g.status == ON_TRACK


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


# --- increments over the plan, sub-items ------------------------------------------------------

def test_increment_plan_to_date_adds_earlier_year_ends():
    earlier = {2021: [rv("人才办", "3-1", 125, "2021")]}
    f = figure("3-1", "2023Q2", [rv("人才办", "3-1", 60, "2023Q2")], earlier=earlier)
    assert f.value == 60 and f.plan_to_date == 185 and f.plan_to_date_target == 380
    assert f.missing_years == [2022] and any("2022年" in n for n in f.notes)


def test_sub_item_larger_than_parent_is_noted():
    f = figure("3-2", "2022", [rv("人才办", "3-1", 40), rv("人才办", "3-2", 45)])
    assert f.indicator.parent == "3-1" and any("大于上级指标" in n for n in f.notes)


# --- split targets --------------------------------------------------------------------------

def test_split_targets_of_towns_and_of_the_four_towns_group():
    earlier = {2021: [rv(KAIFA, "1-1", 3, "2021"), rv(QIDU, "1-1", 0.5, "2021"),
                      rv(TAOYUAN, "1-1", 0.5, "2021")]}
    values = [rv("区科技局", "1-1", 9), rv(KAIFA, "1-1", 4), rv(QIDU, "1-1", 0.3), rv(ZHENZE, "1-1", 0.2)]
    f = figure("1-1", "2022", values, earlier=earlier)
    # district: source 9 of T=10, e=1: X=10, X-1 = 9 -> 滞后; plan to date 9 + (3+0.5+0.5) = 13 of 30
    assert f.status == LAGGING and f.plan_to_date == 13 and f.plan_to_date_target == 30
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


def test_town_ranking_uses_fill_share_and_split_status():
    values = [rv(KAIFA, c.code, 1) for c in builtin_plan().indicators if c.district_reported]
    ranks = {t.reporter: t for t in rank_towns(compute_figures(builtin_plan(), "2022Q1", values))}
    # 开发区: all 15 filled, split 1-1: 1 of 10, share (1+0.25)/3 -> X=4.17, X-1 = 3.17 -> 严重滞后 (20)
    assert ranks[KAIFA].fill_rate == 1 and ranks[KAIFA].score == pytest.approx(40 + 0.6 * 20)
    assert ranks[KAIFA].rank == 1 and ranks[FENHU].score == 0 and ranks[FENHU].rank == 2


# --- the JSON contract ------------------------------------------------------------------------

def test_json_object_has_exactly_the_contract_keys():
    f = figure("4-2", "2022Q3", [rv("区科技局", "4-2", 1300, "2022Q3"), rv(KAIFA, "4-2", 10, "2022Q3")])
    assert f.to_json() == {"code": "4-2", "name": "有效高新技术企业", "target": 1400, "op": ">=",
                           "value": 1300, "completion": pytest.approx(1300 / 1400), "elapsed": 0.75,
                           # X = 1200 + 200*0.75 = 1350; 1300 >= 1350 - 140
                           "status": LAGGING, "by_reporter": {"区科技局": 1300, KAIFA: 10}}
