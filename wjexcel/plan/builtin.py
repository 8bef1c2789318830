"""The built-in plan: 吴江区推进科技创新跨越发展三年行动计划（2021-2023年）.

Every figure comes from the plan as issued (吴江区人民政府办公室, 2021-10-27): the body
text of each task and the 附件 任务分解表. Which unit is the official source of a
district-wide figure is not in the plan; the defaults here are editable in 计划.xlsx.
"""

from __future__ import annotations

from wjexcel.plan.model import (
    DEPARTMENT,
    DISTRICT,
    ANNUAL,
    INCREMENT,
    YEARLY,
    PLAN_TOTAL,
    RATIO,
    STOCK,
    DetailColumn,
    DetailList,
    GroupTarget,
    Indicator,
    Reporter,
    Target,
    Task,
)
from wjexcel.plan.plan import Plan

PLAN_NAME = "吴江区推进科技创新跨越发展三年行动计划（2021-2023年）"
YEARS = [2021, 2022, 2023]
WHOLE_PLAN = "2021-2023"

CHAINS = ["新一代信息技术", "光电通信", "高端装备", "新材料", "生物医药和医疗器械", "高端纺织", "工业互联网"]

FOUR_TOWNS = "四个镇"

DISTRICTS = [
    Reporter("吴江开发区", DISTRICT, "开发区",
             chains=("新一代信息技术", "光电通信", "高端装备", "新材料", "生物医药和医疗器械")),
    Reporter("汾湖高新区（黎里镇）", DISTRICT, "汾湖高新区",
             chains=("新一代信息技术", "光电通信", "高端装备", "新材料", "生物医药和医疗器械")),
    Reporter("吴江高新区（盛泽镇）", DISTRICT, "吴江高新区",
             chains=("高端纺织", "新材料", "生物医药和医疗器械")),
    Reporter("东太湖度假区（太湖新城）", DISTRICT, "东太湖度假区",
             chains=("工业互联网", "新一代信息技术", "生物医药和医疗器械")),
    Reporter("七都镇", DISTRICT, "七都镇", (FOUR_TOWNS,), ("光电通信", "新材料", "高端装备")),
    Reporter("桃源镇", DISTRICT, "桃源镇", (FOUR_TOWNS,), ("高端纺织", "新材料")),
    Reporter("震泽镇", DISTRICT, "震泽镇", (FOUR_TOWNS,), ("光电通信", "高端纺织")),
    Reporter("平望镇", DISTRICT, "平望镇", (FOUR_TOWNS,), ("高端纺织", "新材料")),
]

DEPARTMENTS = [
    Reporter(name, DEPARTMENT, name)
    for name in ["区科技局", "人才办", "发改委", "自然资源和规划局", "工信局", "财政局",
                 "商务局", "人社局", "市场监管局", "税务局", "统计局"]
]

LEAD = "区科技局"

TASKS = [
    Task(1, "科技创业载体增效计划", ("区科技局", "人才办", "发改委", "自然资源和规划局"), True, LEAD),
    Task(2, "独立研发机构集群计划",
         ("区科技局", "发改委", "工信局", "财政局", "自然资源和规划局", "商务局"), True, LEAD),
    Task(3, "创新创业领军人才优选计划", ("区科技局", "人才办", "工信局", "人社局", "商务局"), True, LEAD),
    Task(4, "高新技术企业扩容计划", ("区科技局", "工信局", "财政局", "市场监管局", "税务局"), True, LEAD),
    Task(5, "企业研发机构提升计划", ("区科技局", "发改委", "工信局", "人社局"), True, LEAD),
    Task(6, "研发投入快增计划", ("区科技局", "统计局", "税务局"), True, LEAD),
    Task(7, "产学研协同创新计划", ("区科技局",), True, LEAD),
]


def _targets(*values, ops=None) -> dict[int, Target]:
    ops = ops or {}
    return {y: Target(float(v), ops.get(y, ">=")) for y, v in zip(YEARS, values) if v is not None}


INDICATORS = [
    Indicator(
        "1-1", 1, "新建、改建政府主导运营的科创载体面积", "万平方米", INCREMENT, _targets(6, 10, 14),
        source_unit=LEAD, headline=True,
        reporter_targets={
            "吴江开发区": {WHOLE_PLAN: 10},
            "汾湖高新区（黎里镇）": {WHOLE_PLAN: 6},
            "吴江高新区（盛泽镇）": {WHOLE_PLAN: 6},
            "东太湖度假区（太湖新城）": {WHOLE_PLAN: 4},
        },
        group_targets=[GroupTarget(FOUR_TOWNS, WHOLE_PLAN, 4,
                                   "四个镇依托江苏长三角智创科技园共同建设飞地孵化器")],
        note="三年累计30万平方米：开发区10万、汾湖高新区6万、吴江高新区6万、东太湖度假区4万，"
             "四个镇共建飞地孵化器4万",
    ),
    Indicator("2-1", 2, "累计引进、建设独立研发机构", "家", STOCK, _targets(7, 8, 10), source_unit=LEAD, headline=True),
    Indicator("3-1", 3, "新增区级以上创新创业领军人才项目", "个", INCREMENT, _targets(120, 130, 130),
              source_unit="人才办", note="三年累计380个", headline=True),
    Indicator("3-2", 3, "其中：苏州市级以上人才项目", "个", INCREMENT, _targets(35, 45, 55),
              parent="3-1", source_unit="人才办", headline=False),
    Indicator("3-3", 3, "引进扶持重大创新创业团队", "个", PLAN_TOTAL, _targets(None, None, 3),
              source_unit="人才办", note="三年内力争引进扶持3个；填自2021年起累计数", headline=True),
    Indicator("3-4", 3, "科技人才专场招商会（区级）", "场", INCREMENT, _targets(2, 2, 2),
              source_unit=LEAD, district_reported=False, note="区级层面每年牵头组织两次", headline=False),
    Indicator("4-1", 4, "国家科技型中小企业评价入库", "家", ANNUAL, _targets(1300, 1500, 1800),
              source_unit=LEAD, note="评价入库有效期一年，每年重新计数", headline=False),
    Indicator("4-2", 4, "有效高新技术企业", "家", STOCK, _targets(1200, 1400, 1600, ops={2021: ">"}),
              source_unit=LEAD, note="2021年目标为“超1200家”", headline=True),
    Indicator("5-1", 5, "省级及以上企业技术中心", "家", STOCK, _targets(135, 150, 170), source_unit="工信局",
              headline=False),
    Indicator("5-2", 5, "省级及以上工程研究中心", "家", STOCK, _targets(17, 18, 19), source_unit="发改委",
              headline=False),
    Indicator("5-3", 5, "省级及以上工程技术研究中心", "家", STOCK, _targets(75, 88, 100, ops={2021: ">"}),
              source_unit=LEAD, note="2021年目标为“超75家”", headline=False),
    Indicator("5-4", 5, "省级及以上博士后工作站", "家", STOCK, _targets(64, 67, 70), source_unit="人社局",
              headline=False),
    Indicator("5-5", 5, "区创新联合体", "家", STOCK, _targets(30, 35, 40), source_unit=LEAD, headline=False),
    Indicator("6-1", 6, "全社会研发投入占地区生产总值比重", "%", RATIO, _targets(3.6, 3.68, 3.75),
              source_unit="统计局", note="“以上”：达到即完成；年度统计数，只在年度（及四季度、12月）填报",
              frequency=YEARLY, headline=True),
    Indicator("7-1", 7, "使用长三角科技创新券企业", "家", INCREMENT, _targets(100, 100, 100),
              source_unit=LEAD, note="三年累计300家", headline=True),
    Indicator("7-2", 7, "产学研合作项目", "个", INCREMENT, _targets(120, 180, 200),
              source_unit=LEAD, note="三年累计500个", headline=True),
]

TALENT_LEVELS = ("国家级", "省级", "苏州市级", "区级")

DETAIL_LISTS = [
    DetailList(
        "hitech", "新认定高新技术企业名单", "4-2",
        [
            DetailColumn("企业名称", "text", required=True, width=30),
            DetailColumn("统一社会信用代码", "uscc", required=True, width=24),
            DetailColumn("高企证书编号", "text", width=20),
            DetailColumn("所属产业链", "choice", tuple(CHAINS), width=18),
            DetailColumn("认定批次", "text", width=14),
        ],
        check="none",
        note="本年度新认定的高新技术企业，逐家填写",
    ),
    DetailList(
        "talent", "人才项目名单", "3-1",
        [
            DetailColumn("项目名称", "text", required=True, width=30),
            DetailColumn("负责人", "text", required=True, width=12),
            DetailColumn("层级", "choice", TALENT_LEVELS, required=True, width=12),
            DetailColumn("产业链", "choice", tuple(CHAINS), required=True, width=18),
            DetailColumn("依托企业", "text", width=26),
            DetailColumn("统一社会信用代码", "uscc", width=24),
        ],
        check="count",
        note="本年度新增区级以上创新创业领军人才项目，行数应与指标填报数一致",
    ),
    DetailList(
        "carrier", "科创载体项目", "1-1",
        [
            DetailColumn("载体名称", "text", required=True, width=30),
            DetailColumn("新建/改建", "choice", ("新建", "改建"), required=True, width=12),
            DetailColumn("面积（万平方米）", "number", required=True, width=16),
            DetailColumn("运营主体", "text", width=26),
        ],
        check="sum",
        sum_column="面积（万平方米）",
        note="本年度新建、改建的政府主导运营科创载体，面积合计应与指标填报数一致",
    ),
]


def builtin_plan() -> Plan:
    """A fresh copy of the built-in Wujiang 2021-2023 plan."""
    import copy

    return Plan(
        name=PLAN_NAME,
        short_name="吴江区科技创新三年行动计划",
        form_title="科技创新指标填报表",
        plan_id="wujiang-kjcx-2021-2023",
        version="1",
        years=list(YEARS),
        tasks=list(TASKS),
        indicators=copy.deepcopy(INDICATORS),
        reporters=DISTRICTS + DEPARTMENTS,
        chains=list(CHAINS),
        detail_lists=copy.deepcopy(DETAIL_LISTS),
        tolerance=0.10,
        issuer="苏州市吴江区人民政府办公室",
        lead_unit=LEAD,
        contact="",
        phone="",
        deadline_days=10,
    )
