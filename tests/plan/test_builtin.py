"""Every figure of the built-in plan, proved against the seed text of the plan as issued.

The numbers are read from the seed itself (its 附件 任务分解表 and body paragraphs), so a
figure typed wrongly into ``wjexcel.plan.builtin`` makes a test fail.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wjexcel.plan.model import DEPARTMENT, DISTRICT, INCREMENT, PLAN_TOTAL, RATIO, STOCK, Target
from wjexcel.plan.builtin import FOUR_TOWNS, builtin_plan

SEED_NAME = "wujiang_action_plan_2021_2023.txt"
# The authority is ../shared/seed beside the repository; tests/data holds a copy of the same
# public document so a bare clone proves the figures too.
SEEDS = [Path(__file__).resolve().parents[3] / "shared" / "seed" / SEED_NAME,
         Path(__file__).resolve().parents[1] / "data" / SEED_NAME]
YEARS = (2021, 2022, 2023)
NUMERALS = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5}

# Where each indicator's yearly target sits in the 附件 row of its task: a phrase, then
# an optional 达/超 and the number.
ANNEX_PHRASES = {
    "1-1": "政府主导运营的科创载体",
    "2-1": "累计引进、建设独立研发机构",
    "3-1": "新增区级以上创新创业领军人才项目",
    "3-2": "其中苏州市级以上人才项目",
    "4-1": "完成国家科技型中小企业评价",
    "4-2": "实现有效高新技术企业数量",
    "5-1": "省级及以上企业技术中心",
    "5-2": "工程研究中心",
    "5-3": "工程技术研究中心",
    "5-4": "博士后工作站",
    "5-5": "区创新联合体",
    "6-1": "全社会研发投入占地区生产总值比重",
    "7-1": "使用长三角科技创新券企业",
    "7-2": "实现产学研合作项目",
}
NUMBER = r"(达|超)?(\d+(?:\.\d+)?)"


@pytest.fixture(scope="module")
def seed() -> str:
    found = next((p for p in SEEDS if p.is_file()), None)
    assert found is not None, f"seed text not found at {SEEDS}"
    return found.read_text(encoding="utf-8")


def test_the_copy_in_tests_data_is_the_seed():
    shared, copy = SEEDS
    if shared.is_file():
        assert copy.read_bytes() == shared.read_bytes(), "tests/data holds a stale copy of the seed"


@pytest.fixture(scope="module")
def plan():
    return builtin_plan()


@pytest.fixture(scope="module")
def annex(seed) -> dict[str, list[str]]:
    """The 附件 任务分解表 as {task name: [2021 text, 2022 text, 2023 text]}.

    In the seed each table cell starts with a tab; a cell may run over several lines.
    """
    table = seed.split("任务分解表（2021-2023）", 1)[1]
    cells: list[str] = []
    for line in table.splitlines():
        if line.startswith("\t"):
            cells.append(line.strip())
        elif line.strip() and cells:
            cells[-1] += line.strip()
    header, rows = cells[:4], cells[4:]
    assert header == ["工作任务", "2021年目标", "2022年目标", "2023年目标"]
    assert len(rows) == 7 * 4
    return {rows[i]: rows[i + 1: i + 4] for i in range(0, len(rows), 4)}


def body_task(seed: str, number: int) -> str:
    """The paragraph(s) of task ``number`` in 二、主要任务, up to its 责任单位 note."""
    heads = re.findall(r"（([一二三四五六七])）实施(\S+?计划)", seed)
    assert len(heads) == 7
    numeral, name = heads[number - 1]
    start = seed.index(f"（{numeral}）实施{name}")
    return seed[start: seed.index("责任单位", start)]


# --- tasks and 责任单位 ------------------------------------------------------------------------


def test_tasks_in_seed_order(seed, plan, annex):
    heads = [name for _, name in re.findall(r"（([一二三四五六七])）实施(\S+?计划)", seed)]
    assert [t.name for t in plan.tasks] == heads == list(annex)
    assert [t.number for t in plan.tasks] == list(range(1, 8))


def test_each_task_responsible_units_as_in_seed(seed, plan):
    notes = re.findall(r"（责任单位：(.+?)[)）]", seed)
    assert len(notes) == 7
    for task, note in zip(plan.tasks, notes):
        units, _, rest = note.partition("，")
        assert task.responsible_units == tuple(units.split("、")), task.name
        assert task.districts_responsible == (rest == "各区镇"), task.name
        assert task.lead_unit == units.split("、")[0] == "区科技局"
        assert task.responsible_label() == note


def test_departments_are_the_units_named_in_the_seed(seed, plan):
    named = []
    for note in re.findall(r"（责任单位：(.+?)[)）]", seed):
        named += [u for u in note.partition("，")[0].split("、") if u not in named]
    assert [r.name for r in plan.departments] == named
    assert all(r.kind == DEPARTMENT for r in plan.departments)
    assert plan.lead_unit == "区科技局"
    assert plan.issuer in seed


def test_districts_as_in_the_seed(seed, plan):
    zones = re.search(r"\n(吴江开发区.+?)管委会", seed).group(1).split("、")
    towns = re.findall(r"(\S{2}镇)要围绕", seed)
    assert [r.name for r in plan.districts] == zones + towns
    assert all(r.kind == DISTRICT for r in plan.districts)
    assert len(plan.districts) == 8


# --- industry chains ---------------------------------------------------------------------------


def focus_chains(seed: str) -> dict[str, list[str]]:
    """Each town's focus chains from task 3: "X、Y要围绕A、B，Z要围绕C…等重点产业链"."""
    sentence = re.search(r"(吴江开发区、汾湖高新区要围绕.+?)等重点产业链", seed).group(1)
    out = {}
    for clause in sentence.split("，"):
        towns, chains = clause.split("要围绕")
        for town in towns.split("、"):
            out[town] = chains.split("、")
    return out


def test_seven_chains(seed, plan):
    assert "七大重点产业链" in seed
    named = []
    for chains in focus_chains(seed).values():
        named += [c for c in chains if c not in named]
    assert len(plan.chains) == 7
    assert set(plan.chains) == set(named)


def test_each_towns_focus_chains(seed, plan):
    focus = focus_chains(seed)
    assert len(focus) == 8
    for seed_name, chains in focus.items():
        reporter = next(r for r in plan.districts if seed_name in (r.name, r.short_name))
        assert list(reporter.chains) == chains, seed_name


# --- yearly targets --------------------------------------------------------------------------


def test_annex_covers_every_table_indicator(plan):
    body_only = {"3-3", "3-4"}
    assert set(ANNEX_PHRASES) | body_only == {i.code for i in plan.indicators}


@pytest.mark.parametrize("code", sorted(ANNEX_PHRASES))
def test_yearly_targets_match_the_annex(code, plan, annex):
    ind = plan.indicator(code)
    task_row = annex[plan.task(ind.task).name]
    pattern = re.escape(ANNEX_PHRASES[code]) + NUMBER
    found = {}
    for year, text in zip(YEARS, task_row):
        text = text.replace("，", "")  # "…120个，其中苏州市级…" reads as one phrase
        matches = re.findall(pattern, text)
        assert len(matches) == 1, (code, year, text)
        word, number = matches[0]
        found[year] = Target(float(number), ">" if word == "超" else ">=")
    assert ind.targets == found


def test_the_two_strict_targets_of_2021(plan):
    assert plan.indicator("4-2").targets[2021] == Target(1200, ">")  # 超1200家
    assert plan.indicator("5-3").targets[2021] == Target(75, ">")  # 超75家
    strict = {(i.code, y) for i in plan.indicators for y, t in i.targets.items() if t.op == ">"}
    assert strict == {("4-2", 2021), ("5-3", 2021)}


def test_ratio_is_a_percentage_reached_at_least(seed, plan):
    ind = plan.indicator("6-1")
    assert ind.kind == RATIO and ind.is_percent
    for year, value in zip(YEARS, ("3.6", "3.68", "3.75")):
        assert f"比重达{value}%以上" in seed
        assert ind.targets[year] == Target(float(value), ">=")


def test_sub_item_under_talent_projects(plan, annex):
    parent, child = plan.indicator("3-1"), plan.indicator("3-2")
    assert child.parent == "3-1" and child.name.startswith("其中")
    assert child.kind == parent.kind == INCREMENT
    for year, text in zip(YEARS, annex["创新创业领军人才优选计划"]):
        assert "其中苏州市级以上人才项目" in text
        assert child.targets[year].value <= parent.targets[year].value


def test_team_target_over_three_years(seed, plan):
    number = int(re.search(r"三年内力争引进扶持重大创新创业团队(\d+)个", seed).group(1))
    ind = plan.indicator("3-3")
    assert ind.kind == PLAN_TOTAL
    assert ind.targets == {2023: Target(number)} == {2023: Target(3)}


def test_talent_fairs_twice_a_year(seed, plan):
    times = NUMERALS[re.search(r"区级层面每年牵头组织(.)次科技人才专场招商会", seed).group(1)]
    ind = plan.indicator("3-4")
    assert ind.kind == INCREMENT and not ind.district_reported
    assert ind.targets == {y: Target(times) for y in YEARS}


def test_kinds_follow_the_wording(plan, annex):
    """累计 / 达 counts standing at a date are stock; 新增 / 实现 / yearly new are increments."""
    kinds = {i.code: i.kind for i in plan.indicators}
    assert {c for c, k in kinds.items() if k == STOCK} == {"2-1", "4-2", "5-1", "5-2", "5-3", "5-4", "5-5"}
    assert kinds["4-1"] == "annual"  # registrations valid one year: the count restarts every January
    assert {c for c, k in kinds.items() if k == INCREMENT} == {"1-1", "3-1", "3-2", "3-4", "7-1", "7-2"}
    assert "累计" in annex["独立研发机构集群计划"][0]


# --- the 科创载体 split ---------------------------------------------------------------------------


def test_carrier_split_and_the_four_towns(seed, plan):
    body = body_task(seed, 1)
    m = re.search(r"其中(\S+?)分别为(\d+)万、(\d+)万、(\d+)万、(\d+)万平方米", body)
    zones, shares = m.group(1).split("、"), [int(m.group(i)) for i in range(2, 6)]
    assert shares == [10, 6, 6, 4]
    ind = plan.indicator("1-1")
    for zone, share in zip(zones, shares):
        reporter = next(r for r in plan.districts if zone in (r.name, r.short_name))
        assert ind.reporter_targets[reporter.name] == {"2021-2023": share}, zone
    assert len(ind.reporter_targets) == 4

    joint = int(re.search(r"四个镇以江苏长三角智创科技园为依托，共同建设(\d+)万平方米飞地孵化器", body).group(1))
    (group,) = ind.group_targets
    assert (group.group, group.span, group.value) == (FOUR_TOWNS, "2021-2023", joint) == ("四个镇", "2021-2023", 4)
    towns = re.findall(r"(\S{2}镇)要围绕", seed)
    assert [r.name for r in plan.group_members("四个镇")] == towns

    total = int(re.search(r"科创载体(\d+)万平方米，其中", body).group(1))
    yearly = sum(t.value for t in ind.targets.values())
    assert sum(shares) + joint == total == yearly == 6 + 10 + 14 == 30


# --- headline goals agree with the table ---------------------------------------------------------


@pytest.fixture(scope="module")
def headline(seed) -> dict[str, float]:
    goals = seed[seed.index("（二）行动目标"): seed.index("二、主要任务")]
    patterns = {
        "2-1": r"累计引进、建设独立研发机构(\d+)家",
        "3-1": r"新增区级以上创新创业领军人才项目(\d+)个",
        "1-1": r"政府主导运营的科创载体(\d+)万平方米",
        "4-2": r"有效高新技术企业数达(\d+)家",
        "6-1": r"全社会研发投入占地区生产总值比重达([\d.]+)%以上",
    }
    return {code: float(re.search(p, goals).group(1)) for code, p in patterns.items()}


def test_the_plans_headline_goals_are_the_seeds(seed, headline, plan):
    """The 行动目标 come from the plan (flagged indicators, their plan-period targets), and they
    are the seed's: the five of its goals section, the voucher firms and projects of task 7
    and the three teams of task 3."""
    derived = {i.code: i.plan_period_target().value for i in plan.indicators if i.is_headline}
    t3, t7 = body_task(seed, 3), body_task(seed, 7)
    from_seed = dict(headline)
    from_seed["7-1"] = float(re.search(r"三年累计使用长三角科技创新券企业达(\d+)家", t7).group(1))
    from_seed["7-2"] = float(re.search(r"实现产学研合作项目(\d+)个", t7).group(1))
    from_seed["3-3"] = float(re.search(r"三年内力争引进扶持重大创新创业团队(\d+)个", t3).group(1))
    assert derived == from_seed == {"1-1": 30, "2-1": 10, "3-1": 380, "3-3": 3, "4-2": 1600, "6-1": 3.75,
                                    "7-1": 300, "7-2": 500}


def test_headline_agrees_with_the_yearly_table(headline, plan):
    for code, goal in headline.items():
        ind = plan.indicator(code)
        if ind.kind == INCREMENT:  # a three-year sum
            assert sum(t.value for t in ind.targets.values()) == goal, code
        else:  # standing at the end of 2023
            assert ind.targets[2023].value == goal, code
    assert [t.value for t in plan.indicator("3-1").targets.values()] == [120, 130, 130]


def test_kinds_and_frequencies_as_practice_reads_the_seed(plan):
    """评价入库 is valid for one year (the count restarts: annual); the R&D ratio is an annual statistic."""
    assert plan.indicator("4-1").kind == "annual"
    assert plan.indicator("6-1").frequency == "year"
    assert {i.code for i in plan.indicators if i.frequency} == {"6-1"}


def test_body_text_goals_agree_with_the_yearly_table(seed, plan):
    """Each task's own 到2023年 sentence gives the same figures as the table."""
    t4 = body_task(seed, 4)
    assert plan.indicator("4-1").targets[2023].value == float(re.search(r"中小企业评价达(\d+)家", t4).group(1))
    assert plan.indicator("4-2").targets[2023].value == float(re.search(r"高新技术企业数量达(\d+)家", t4).group(1))
    t5 = body_task(seed, 5)
    for code, phrase in (("5-1", "企业技术中心"), ("5-2", "、工程研究中心"), ("5-3", "工程技术研究中心"),
                         ("5-4", "博士后工作站"), ("5-5", "区创新联合体")):
        value = float(re.search(re.escape(phrase) + r"达(\d+)家", t5).group(1))
        assert plan.indicator(code).targets[2023].value == value, code
    t6 = body_task(seed, 6)
    assert plan.indicator("6-1").targets[2023].value == float(re.search(r"比重([\d.]+)%以上", t6).group(1))
    t7 = body_task(seed, 7)
    vouchers = float(re.search(r"三年累计使用长三角科技创新券企业达(\d+)家", t7).group(1))
    projects = float(re.search(r"实现产学研合作项目(\d+)个", t7).group(1))
    assert sum(t.value for t in plan.indicator("7-1").targets.values()) == vouchers == 300
    assert sum(t.value for t in plan.indicator("7-2").targets.values()) == projects == 500
    t2 = body_task(seed, 2)
    assert plan.indicator("2-1").targets[2023].value == float(re.search(r"独立研发机构(\d+)家", t2).group(1))
