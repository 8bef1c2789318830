"""The layout of the plan workbook (计划.xlsx): sheet names, columns and cell spelling.

Shared by the writer (:mod:`wjexcel.plan.write`), the reader (:mod:`wjexcel.plan.read`,
:mod:`wjexcel.plan.load`) and the checker (:mod:`wjexcel.plan.check`), so that what is
written is exactly what is read back.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from wjexcel.plan.model import format_number

GUIDE = "说明"
SETTINGS = "设置"
TASKS = "任务"
INDICATORS = "指标"
REPORTERS = "填报单位"
SPLITS = "分解目标"
CHAINS = "产业链"
LISTS = "明细表"
LIST_COLUMNS = "明细列"
CHOICES = "下拉选项"  # helper lists for dropdowns (units); never read back

CHAINS_WORD = "产业链"  # in 明细列·选项: "the list on the 产业链 sheet"
YES, NO = "是", "否"
SEPARATOR = "、"


@dataclass(frozen=True)
class Column:
    """One column of a plan sheet: its key in code, its Chinese header and width."""

    key: str
    header: str
    width: float = 12
    required: bool = True


SETTING_ROWS = [
    # (label, Plan attribute, hint shown beside it)
    ("计划名称", "name", "计划全称，印在每张填报表和汇总表的标题上"),
    ("简称", "short_name", "较短的名称，用在页脚和文件名里"),
    ("计划编号", "plan_id", "字母、数字和 - 组成，填报表靠它认出计划；开始新一轮计划时请改一个新编号"),
    ("版本", "version", "修改目标后可把版本加 1，便于区分新旧填报表"),
    ("起始年度", "start", "计划的第一年，如 2021"),
    ("结束年度", "end", "计划的最后一年，如 2023；“指标”表要有从起始到结束每一年的“XXXX年目标”列"),
    ("滞后容差", "tolerance", "低于序时进度、但差距在此之内为“滞后”（黄灯），差得更多为“严重滞后”（红灯）；填百分数，如 10%"),
    ("牵头单位", "lead_unit", "须是“填报单位”表中的部门"),
    ("发文单位", "issuer", ""),
    ("联系人", "contact", "印在填报表上，供各单位咨询"),
    ("联系电话", "phone", ""),
    ("报送期限（天）", "deadline_days", "发出填报表后几天内报回"),
    ("填报表名称", "form_title", "印在每张填报表的标题和文件名上，如“科技创新指标填报表”；留空为“指标填报表”"),
]
OPTIONAL_SETTINGS = {"form_title"}
"""Rows added after wjexcel 0.1: a plan workbook without them still loads (the default applies)."""

TASK_COLUMNS = [
    Column("number", "序号", 8),
    Column("name", "工作任务", 28),
    Column("units", "责任单位", 56),
    Column("districts", "含各区镇", 10),
    Column("lead", "牵头单位", 14, required=False),
]
INDICATOR_COLUMNS = [
    Column("code", "编码", 8),
    Column("task", "任务序号", 9),
    Column("name", "指标名称", 36),
    Column("unit", "单位", 10),
    Column("kind", "类型", 10),
    Column("parent", "上级指标", 10),
    Column("source", "数据来源单位", 16),
    Column("district", "区镇填报", 10),
    Column("baseline", "基期值", 10),
    # one "XXXX年目标" column per plan year goes here
    Column("note", "说明", 44),
    # added after wjexcel 0.1, so optional and last: older plan workbooks still load
    Column("frequency", "填报频次", 10, required=False),
    Column("headline", "行动目标", 10, required=False),
    Column("direction", "方向", 10, required=False),
    Column("negative", "可为负数", 10, required=False),
]
_BEFORE_TARGETS = 9  # the columns before the yearly targets
REPORTER_COLUMNS = [
    Column("name", "名称", 26),
    Column("kind", "类型", 8),
    Column("short", "简称", 14),
    Column("groups", "所属组", 12),
    Column("chains", "重点产业链", 56),
    # added later, so optional and last: older plan workbooks still load
    Column("email", "邮箱", 30, required=False),
]
SPLIT_COLUMNS = [
    Column("code", "指标编码", 10),
    Column("who", "填报单位或组", 26),
    Column("span", "期间", 12),
    Column("value", "目标值", 10),
    Column("note", "说明", 50),
]
CHAIN_COLUMNS = [Column("name", "名称", 26)]
LIST_COLUMNS_SPEC = [
    Column("code", "编码", 10),
    Column("name", "名单名称", 28),
    Column("indicator", "关联指标", 10),
    Column("check", "核对方式", 10),
    Column("sum_column", "合计列", 18),
    Column("note", "说明", 60),
]
COLUMN_COLUMNS = [
    Column("list", "名单编码", 10),
    Column("name", "列名", 22),
    Column("type", "类型", 16),
    Column("choices", "选项", 40),
    Column("required", "必填", 8),
    Column("width", "列宽", 8),
]
SHEETS = {
    TASKS: TASK_COLUMNS,
    INDICATORS: INDICATOR_COLUMNS,
    REPORTERS: REPORTER_COLUMNS,
    SPLITS: SPLIT_COLUMNS,
    CHAINS: CHAIN_COLUMNS,
    LISTS: LIST_COLUMNS_SPEC,
    LIST_COLUMNS: COLUMN_COLUMNS,
}

SHEET_ORDER = [SETTINGS, TASKS, INDICATORS, REPORTERS, SPLITS, CHAINS, LISTS, LIST_COLUMNS]


def indicator_columns(years: list[int]) -> list[Column]:
    """The 指标 columns with one "XXXX年目标" column per plan year before 说明."""
    year_cols = [Column(f"target:{y}", f"{y}年目标", 12) for y in years]
    return INDICATOR_COLUMNS[:_BEFORE_TARGETS] + year_cols + INDICATOR_COLUMNS[_BEFORE_TARGETS:]


def norm(text) -> str:
    """The matching key of a header or name: NFKC, no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or "")))


def cell_text(value) -> str:
    """Cell content as stripped text; numbers as 1200 / 3.6."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, (int, float)):
        return format_number(value)
    return str(value).strip()


