"""The plan model: tasks, indicators, yearly targets, reporters and detail lists (the whole plan
that holds them is :class:`wjexcel.plan.plan.Plan`).

A plan is plain data. It comes from the built-in Wujiang plan (``wjexcel.plan.builtin``) or
from a clerk's plan workbook (``wjexcel.plan.workbook``); everything downstream (forms,
checks, figures) reads only this model.
"""

from __future__ import annotations

from dataclasses import dataclass, field


DISTRICT = "district"
DEPARTMENT = "department"
REPORTER_KINDS = {DISTRICT: "区镇", DEPARTMENT: "部门"}

INCREMENT = "increment"
ANNUAL = "annual"
STOCK = "stock"
RATIO = "ratio"
PLAN_TOTAL = "plan_total"
MILESTONE = "milestone"
INDICATOR_KINDS = {INCREMENT: "增量", ANNUAL: "年度数", STOCK: "存量", RATIO: "比率", PLAN_TOTAL: "计划总量",
                   MILESTONE: "节点任务"}
"""How values add up: increment (new this year; years add up), annual (restarts every year,
never added across years), stock (a level at a date), ratio (never added), plan_total (over
the whole plan); a milestone (节点任务) has no figure, only a state reported against a due date."""
LEVELS = (STOCK, RATIO)
"""Kinds that stand at a level: judged from the baseline ``B`` towards the target."""

UP, DOWN = "up", "down"
DIRECTIONS = {UP: "越大越好", DOWN: "越小越好"}
"""Whether more is better (a goal) or less is better (a cap, 控制目标)."""

NOT_STARTED, IN_PROGRESS, COMPLETED = "未启动", "推进中", "已完成"
MILESTONE_STATES = (NOT_STARTED, IN_PROGRESS, COMPLETED)
"""What the responsible unit reports for a 节点任务; stored in the ledger as its index (0, 1, 2)."""
MILESTONE_WORDS = ("完成", "建成", "印发", "出台", "上线", "投用", "制定", "编制", "启用", "实施", "开工", "竣工",
                   "发布", "成立", "落地", "运行", "通过")
"""Deliverable words a milestone's due-year target cell may hold."""

UP_OPS, DOWN_OPS = (">=", ">"), ("<=", "<")
OP_SIGNS = {">=": "≥", ">": "＞", "<=": "≤", "<": "＜"}
YEAR_COUNTS = (INCREMENT, ANNUAL)
"""Kinds counted from 1 January: judged against the year's target times 序时进度."""

MONTHLY, QUARTERLY, YEARLY = "month", "quarter", "year"
FREQUENCIES = {MONTHLY: "月报", QUARTERLY: "季报", YEARLY: "年报"}
"""An indicator's 填报频次; none means every period."""


# Column types a detail list (明细表) may declare.
COLUMN_TYPES = {
    "text": "文本",
    "number": "数值",
    "integer": "整数",
    "uscc": "统一社会信用代码",
    "choice": "选项",
    "date": "日期",
}
# Detail-list checks against the linked indicator.
CHECK_MODES = {"count": "行数", "sum": "合计", "none": "不核对"}

ALL_DISTRICTS = "各区镇"
DEFAULT_FORM_TITLE = "指标填报表"
CHINESE_COUNTS = dict(enumerate("一两三四五六七八九十", start=1))


@dataclass(frozen=True)
class Target:
    """A yearly target: ``value`` under ``op`` (``>=`` 达, ``>`` 超, ``<=`` 以内, ``<`` 低于).

    ``words`` keeps the cell as the clerk typed it (``85%左右``, ``较上年下降5%``) where that is
    more than a bare number. A relative target (``较上年下降5%``) has ``change`` (−0.05) and no
    value until it is resolved against its baseline (:meth:`resolved`). A milestone's target
    has ``due`` (``2023-06``: due at the end of that month) and no value.
    """

    value: float | None
    op: str = ">="
    words: str = ""
    change: float | None = None
    due: str = ""

    @property
    def is_relative(self) -> bool:
        return self.change is not None

    @property
    def is_cap(self) -> bool:
        return self.op in DOWN_OPS

    def resolved(self, base: float) -> "Target":
        """The relative target worked out from ``base`` (last year's figure): ``base·(1+change)``."""
        return Target(base * (1 + self.change), self.op, self.words, self.change, self.due)

    def met_by(self, value: float | None) -> bool:
        if value is None or self.value is None:
            return False
        if self.op == ">":
            return value > self.value + 1e-9
        if self.op == "<":
            return value < self.value - 1e-9
        if self.op == "<=":
            return value <= self.value + 1e-9
        return value >= self.value - 1e-9

    def label(self) -> str:
        """How a form or report shows it: ``1400``, ``＞1200``, ``≤32``; the words as typed where
        there are any (``85%左右``); a milestone's due (``2023年6月底``)."""
        if self.due:
            return self.words or due_label(self.due)
        if self.words:
            return self.words
        shown = format_number(self.value)
        return shown if self.op == ">=" else f"{OP_SIGNS[self.op]}{shown}"

    def to_json(self) -> dict:
        out = {"value": plain_number(self.value), "op": self.op}
        if self.words or self.due:
            out["label"] = self.label()
        if self.change is not None:
            out["relative"] = {"to": "previous_year", "change": self.change}
        if self.due:
            out["due"] = self.due
        return out


def due_label(due: str) -> str:
    """``2023-06`` → ``2023年6月底``; ``2023-12`` → ``2023年底``."""
    year, month = due.split("-")
    return f"{year}年底" if month == "12" else f"{year}年{int(month)}月底"


@dataclass(frozen=True)
class Reporter:
    """A unit that fills a form: a 区镇 (district) or a 责任单位 (department)."""

    name: str
    kind: str = DISTRICT
    short_name: str = ""
    groups: tuple[str, ...] = ()
    chains: tuple[str, ...] = ()  # focus industry chains (区镇 only)
    email: str = ""  # where the mail drafts of generate are addressed (邮箱; optional)

    @property
    def kind_label(self) -> str:
        return REPORTER_KINDS[self.kind]

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def addresses(self) -> list[str]:
        """The addresses in 邮箱 (``;``, ``,``, ``、`` or blanks between them)."""
        import re

        return [a for a in re.split(r"[;,，、；\s]+", self.email or "") if a]


@dataclass(frozen=True)
class Task:
    """One of the plan's key tasks with its 责任单位 list."""

    number: int
    name: str
    responsible_units: tuple[str, ...] = ()
    districts_responsible: bool = True  # "各区镇" appears in the list
    lead_unit: str = ""

    def responsible_label(self) -> str:
        units = list(self.responsible_units)
        text = "、".join(units)
        if self.districts_responsible:
            text = f"{text}，{ALL_DISTRICTS}" if text else ALL_DISTRICTS
        return text


@dataclass(frozen=True)
class GroupTarget:
    """A target shared by a group of reporters (e.g. the four towns' 飞地 incubator)."""

    group: str
    span: str  # "2021-2023" for the whole plan, or a year "2022"
    value: float
    note: str = ""


@dataclass
class Indicator:
    """A measurable indicator with its targets and who reports it."""

    code: str
    task: int
    name: str
    unit: str
    kind: str
    targets: dict[int, Target] = field(default_factory=dict)
    parent: str | None = None
    source_unit: str = ""
    district_reported: bool = True
    baseline: float | None = None
    reporter_targets: dict[str, dict[str, float]] = field(default_factory=dict)
    group_targets: list[GroupTarget] = field(default_factory=list)
    note: str = ""
    frequency: str | None = None
    headline: bool | None = None  # a headline goal of the plan (行动目标); None: every top-level indicator
    direction: str = UP
    negative_allowed: bool = False

    @property
    def kind_label(self) -> str:
        return INDICATOR_KINDS[self.kind]

    @property
    def is_down(self) -> bool:
        """越小越好: a cap (控制目标) or a level that must fall."""
        return self.direction == DOWN

    @property
    def is_milestone(self) -> bool:
        return self.kind == MILESTONE

    @property
    def direction_label(self) -> str:
        return DIRECTIONS[self.direction]

    def due_target(self) -> Target | None:
        """A milestone's due: the one year whose target names the deliverable."""
        return next((t for _, t in sorted(self.targets.items()) if t.due), None)

    @property
    def is_headline(self) -> bool:
        return self.headline if self.headline is not None else not self.parent

    def reported_in(self, period) -> bool:
        """Whether this indicator is on the forms and judged in ``period``: only where its own
        period ends (a 年报 indicator: the year, its Q4, its December; a 季报 one: quarters,
        years and the months 3, 6, 9, 12; a 月报 one or one without a frequency: always)."""
        if self.frequency in (None, MONTHLY) or self.kind == MILESTONE:
            return True
        if period.kind == "year":
            return True
        if self.frequency == QUARTERLY:
            return period.kind == "quarter" or period.number % 3 == 0
        return (period.kind == "quarter" and period.number == 4) or (period.kind == "month" and period.number == 12)

    def plan_period_target(self) -> Target | None:
        """The target over the whole plan: the yearly targets added up for an increment; the last
        year's for an annual count, a stock or a ratio; the plan total's own."""
        if not self.targets or self.kind == MILESTONE:
            return None
        if self.kind == INCREMENT:
            last = self.targets[max(self.targets)]
            if any(t.value is None for t in self.targets.values()):
                return None  # a relative year: the sum is known only as the years close
            return Target(sum(t.value for t in self.targets.values()), last.op)
        return self.targets[max(self.targets)]

    @property
    def is_percent(self) -> bool:
        return is_percent_unit(self.unit)

    def target_for(self, year: int) -> Target | None:
        return self.targets.get(year)

    def final_target(self) -> Target | None:
        """The last year's target (a plan total's only one)."""
        if not self.targets:
            return None
        return self.targets[max(self.targets)]


@dataclass(frozen=True)
class DetailColumn:
    """One column of a detail list, with its type for validation."""

    name: str
    type: str = "text"
    choices: tuple[str, ...] = ()
    required: bool = False
    width: float = 16


@dataclass
class DetailList:
    """A 明细 sheet that lists items behind an indicator (firms, projects, sites)."""

    code: str
    name: str  # the sheet name, e.g. 新认定高新技术企业名单
    indicator: str  # the indicator it details
    columns: list[DetailColumn] = field(default_factory=list)
    check: str = "none"  # count | sum | none
    sum_column: str = ""
    note: str = ""


def plain_number(value: float | None):
    """An int where the float is whole, so JSON and Excel show 1200 not 1200.0; None stays None."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def is_percent_unit(unit: str) -> bool:
    """The unit is % (half- or full-width): such values are percentage points."""
    return unit.strip() in {"%", "％"}


def format_number(value: float | None) -> str:
    """Plain number text for Chinese reports: 1200, 3.68, 0.5."""
    if value is None:
        return ""
    v = plain_number(value)
    if isinstance(v, int):
        return str(v)
    return f"{v:.4f}".rstrip("0").rstrip(".")
