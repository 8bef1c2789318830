"""A small plan of another field, for the forms and collect tests of caps, negatives and milestones.

Nothing of the built-in plan: two towns, two bureaus, and one row of each kind the built-in
plan lacks — a 越小越好 increment (a cap on complaints), a 越小越好 ratio (PM2.5), a 可为负数 增速,
a relative target (较上年下降5%), and two 节点任务 due in 2023 (one the bureau reports, one each
town reports).
"""

from __future__ import annotations

from wjexcel.plan.model import (DEPARTMENT, DISTRICT, DOWN, Indicator, Reporter, Target, Task)
from wjexcel.plan.plan import Plan

PERIOD = "2023Q2"
TOWNS = ("青湖镇", "石塘镇")
BUREAU, DRC = "区生态环境局", "区发展改革委"


def cap_plan() -> Plan:
    years = [2022, 2023, 2024]
    every = lambda value, op="<=": {y: Target(v, op) for y, v in zip(years, value)}  # noqa: E731
    indicators = [
        Indicator("1-1", 1, "细颗粒物（PM2.5）年均浓度", "微克/立方米", "ratio", every([35, 32, 30]),
                  source_unit=BUREAU, district_reported=False, baseline=38, direction=DOWN),
        Indicator("1-2", 1, "环境信访投诉件数", "件", "increment", every([150, 120, 100]),
                  source_unit=BUREAU, direction=DOWN,
                  reporter_targets={TOWNS[0]: {"2023": 50}, TOWNS[1]: {"2023": 40}}),
        Indicator("1-3", 1, "建成镇级空气自动监测站", "项", "milestone",
                  {2023: Target(None, ">=", "建成", None, "2023-12")}, source_unit=BUREAU),
        Indicator("2-1", 2, "规上工业增加值增速", "%", "ratio", every([6, 6.5, 7], ">="),
                  source_unit=DRC, district_reported=False, negative_allowed=True),
        Indicator("2-2", 2, "能源消费总量", "万吨标准煤", "annual",
                  {2022: Target(28, "<="), 2023: Target(None, "<=", "较上年下降5%", -0.05),
                   2024: Target(None, "<=", "较上年下降5%", -0.05)},
                  source_unit=DRC, district_reported=False, direction=DOWN),
        Indicator("2-3", 2, "出台节能降耗实施方案", "项", "milestone",
                  {2023: Target(None, ">=", "2023年6月底", None, "2023-06")},
                  source_unit=DRC, district_reported=False),
    ]
    return Plan(
        name="某区生态环境保护三年行动计划（2022—2024年）", plan_id="eco-2022", version="1", years=years,
        tasks=[Task(1, "改善环境质量", (BUREAU,)), Task(2, "推进节能降耗", (DRC,), districts_responsible=False)],
        indicators=indicators,
        reporters=[Reporter(TOWNS[0]), Reporter(TOWNS[1]), Reporter(BUREAU, DEPARTMENT), Reporter(DRC, DEPARTMENT)],
        short_name="生态环保行动", form_title="生态环保指标填报表", lead_unit=BUREAU)


__all__ = ["cap_plan", "PERIOD", "TOWNS", "BUREAU", "DRC", "DISTRICT"]
