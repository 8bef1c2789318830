"""Check a plan's meaning: references between sheets, duplicates, targets, names.

Works on a :class:`~wjexcel.plan.plan.Plan` in memory, whether it came from 计划.xlsx or from
code; with :class:`~wjexcel.plan.read.PlanLocations` each problem names its cell.
"""

from __future__ import annotations

import re

from wjexcel.plan.model import (
    CHECK_MODES,
    COLUMN_TYPES,
    DEPARTMENT,
    DIRECTIONS,
    FREQUENCIES,
    INDICATOR_KINDS,
    MILESTONE,
    Indicator,
    PLAN_TOTAL,
    RATIO,
    REPORTER_KINDS,
    format_number,
)
from wjexcel.plan.plan import Plan
from wjexcel.plan.layout import CHAINS, INDICATORS, LIST_COLUMNS, LISTS, REPORTERS, SETTINGS, SPLITS, TASKS, norm
from wjexcel.plan.read import PlanLocations
from wjexcel.problems import Code, ProblemList

SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")  # characters Excel forbids in a sheet name
RESERVED_FORM_SHEETS = {"指标填报", "填报说明"}  # the form's own sheets: a list may not take their names


def check_plan(plan: Plan, where: PlanLocations | None = None) -> ProblemList:
    """Semantic checks of a plan in memory: references, duplicates, missing targets.

    Args:
        plan: The plan to check.
        where: Where each part came from in a workbook; without it problems name the
            sheet but no cell.
    """
    return _Checker(plan, where or PlanLocations()).run()


class _Checker:
    """Checks references, duplicates and targets of a plan; locations from PlanLocations."""

    def __init__(self, plan: Plan, where: PlanLocations):
        self.plan, self.where, self.problems = plan, where, ProblemList()
        self.reporter_names = {norm(r.name) for r in plan.reporters}
        self.departments = {r.name for r in plan.reporters if r.kind == DEPARTMENT}
        self.groups = {g for r in plan.reporters for g in r.groups}

    def error(self, message: str, sheet: str, key=None, field: str = "", code: str = Code.PLAN_CELL):
        self._add(self.problems.error, message, sheet, key, field, code)

    def warning(self, message: str, sheet: str, key=None, field: str = "", code: str = Code.PLAN_CELL):
        self._add(self.problems.warning, message, sheet, key, field, code)

    def _add(self, add, message: str, sheet: str, key, field: str, code: str):
        """Locate the problem; a cell of None means its column is missing, which is said once already."""
        cell = self.where.cell(sheet, key, field) if key is not None else ""
        if cell is not None:
            add(message, sheet, cell, code=code)

    def run(self) -> ProblemList:
        self.settings()
        self.chains()
        self.reporters()
        self.tasks()
        self.indicators()
        self.splits()
        self.lists()
        return self.problems

    def _duplicates(self, sheet: str, names: list[str], what: str, field: str):
        first: dict[str, int] = {}
        for i, name in enumerate(names):
            if not name:
                continue
            key = norm(name)
            if key in first:
                row = self.where.rows.get((sheet, first[key]))
                also = f"（与第 {row} 行重复）" if row else ""
                self.error(f"{what}“{name}”重复{also}", sheet, i, field, Code.PLAN_DUPLICATE)
            else:
                first[key] = i

    def _department(self, name: str, what: str, sheet: str, key, field: str):
        if name and name not in self.departments:
            if norm(name) in self.reporter_names:
                self.error(f"{what}“{name}”是区镇，不是部门", sheet, key, field, Code.PLAN_REFERENCE)
            else:
                self.error(f"{what}“{name}”不在“填报单位”表的部门中", sheet, key, field, Code.PLAN_REFERENCE)

    def settings(self):
        p = self.plan
        for attr, label in (("name", "计划名称"), ("plan_id", "计划编号"), ("version", "版本")):
            if not getattr(p, attr):
                self.error(f"{label}不能为空", SETTINGS, attr, "value")
        if p.plan_id and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", p.plan_id):
            self.error(f"计划编号“{p.plan_id}”只能用字母、数字和 - _ .", SETTINGS, "plan_id", "value")
        if not 0 <= p.tolerance <= 1:
            self.error(f"滞后容差 {p.tolerance} 应在 0 到 100% 之间", SETTINGS, "tolerance", "value")
        if p.deadline_days is not None and p.deadline_days <= 0:
            self.error("报送期限（天）应大于 0", SETTINGS, "deadline_days", "value")
        self._department(p.lead_unit, "牵头单位", SETTINGS, "lead_unit", "value")

    def chains(self):
        self._duplicates(CHAINS, self.plan.chains, "产业链", "name")

    def reporters(self):
        names = [r.name for r in self.plan.reporters]
        self._duplicates(REPORTERS, names, "填报单位", "name")
        chains = set(self.plan.chains)
        for i, r in enumerate(self.plan.reporters):
            if not r.name:
                self.error("名称为空", REPORTERS, i, "name")
            if r.kind not in REPORTER_KINDS:
                self.error(f"类型“{r.kind}”应为“区镇”或“部门”", REPORTERS, i, "kind")
            unknown = [c for c in r.chains if c not in chains]
            if unknown:
                self.error(f"重点产业链{'、'.join(f'“{c}”' for c in unknown)}不在“产业链”表中",
                           REPORTERS, i, "chains")
            for g in r.groups:
                if norm(g) in self.reporter_names:
                    self.error(f"组名“{g}”与填报单位重名，请换一个组名", REPORTERS, i, "groups")
            bad = [a for a in r.addresses if not _EMAIL.fullmatch(a)]
            if bad:
                self.error(f"邮箱“{'、'.join(bad)}”不像邮件地址，应写成 name@example.gov.cn（多个地址用“;”或“、”隔开）",
                           REPORTERS, i, "email")

    def tasks(self):
        self._duplicates(TASKS, [str(t.number) if t.number else "" for t in self.plan.tasks], "任务序号", "number")
        for i, t in enumerate(self.plan.tasks):
            if t.number <= 0:
                self.error("序号应为正整数", TASKS, i, "number")
            if not t.name:
                self.error("工作任务名称为空", TASKS, i, "name")
            for unit in t.responsible_units:
                self._department(unit, "责任单位", TASKS, i, "units")
            self._department(t.lead_unit, "牵头单位", TASKS, i, "lead")

    def indicators(self):
        p = self.plan
        self._duplicates(INDICATORS, [i.code for i in p.indicators], "指标编码", "code")
        tasks = {t.number for t in p.tasks}
        by_code = {ind.code: ind for ind in p.indicators}
        for i, ind in enumerate(p.indicators):
            if not ind.code:
                self.error("编码为空", INDICATORS, i, "code")
            if not ind.name:
                self.error("指标名称为空", INDICATORS, i, "name")
            if not ind.unit:
                self.error("单位为空", INDICATORS, i, "unit")
            if ind.task not in tasks:
                self.error(f"任务序号“{ind.task or ''}”在“任务”表中不存在", INDICATORS, i, "task")
            if ind.kind not in INDICATOR_KINDS:
                self.error(f"类型“{ind.kind}”应为{'、'.join(INDICATOR_KINDS.values())}之一", INDICATORS, i, "kind")
            if ind.direction not in DIRECTIONS:
                self.error(f"方向“{ind.direction}”应为{'、'.join(DIRECTIONS.values())}之一，或留空（越大越好）",
                           INDICATORS, i, "direction")
            elif ind.is_down and ind.kind == PLAN_TOTAL:
                self.error("计划总量类指标不能是越小越好：控制上限请用增量类（每年的上限）或存量、比率类",
                           INDICATORS, i, "direction")
            elif ind.is_down and ind.kind == MILESTONE:
                self.error("节点任务没有方向，请把“方向”留空", INDICATORS, i, "direction")
            if ind.frequency is not None and ind.frequency not in FREQUENCIES:
                self.error(f"填报频次“{ind.frequency}”应为{'、'.join(FREQUENCIES.values())}之一，或留空（每期都填）",
                           INDICATORS, i, "frequency")
            self._department(ind.source_unit, "数据来源单位", INDICATORS, i, "source")
            if not ind.source_unit and ind.kind != PLAN_TOTAL and not ind.district_reported:
                self.error("区镇不填报的指标必须有数据来源单位", INDICATORS, i, "source")
            self._parent(i, ind, by_code)
            self._targets(i, ind)

    def _parent(self, i: int, ind: Indicator, by_code: dict[str, Indicator]):
        if not ind.parent:
            return
        parent = by_code.get(ind.parent)
        if parent is None:
            self.error(f"上级指标“{ind.parent}”在“指标”表中不存在", INDICATORS, i, "parent")
            return
        seen, node = {ind.code}, parent
        while node is not None:
            if node.code in seen:
                self.error(f"上级指标“{ind.parent}”形成循环", INDICATORS, i, "parent")
                return
            seen.add(node.code)
            node = by_code.get(node.parent) if node.parent else None
        for year, target in sorted(ind.targets.items()):
            top = parent.targets.get(year)
            if (top is not None and target.value is not None and top.value is not None and not ind.is_down
                    and target.value > top.value):
                self.error(f"{year}年目标 {format_number(target.value)} 大于上级指标“{parent.code}”的"
                           f"目标 {format_number(top.value)}（“其中”项不能大于总数）",
                           INDICATORS, i, f"target:{year}")

    def _targets(self, i: int, ind: Indicator):
        years = self.plan.years
        if not years or ind.kind not in INDICATOR_KINDS:
            return
        for year in ind.targets:
            if year not in years:
                self.error(f"{year}年目标不在计划年度 {self.plan.span_label} 内", INDICATORS, i, "code")
        if ind.kind == MILESTONE:
            due = [y for y, t in ind.targets.items() if t.due]
            if not due:
                self.error("节点任务要在应完成那一年的目标列填“完成”“建成”“印发”等或完成时间（如“2023年6月底”）",
                           INDICATORS, i, f"target:{years[-1]}")
            for y in sorted(due)[1:]:
                self.error(f"节点任务只填一个完成年份，{y}年目标请留空", INDICATORS, i, f"target:{y}")
            return
        if ind.kind == PLAN_TOTAL and years[-1] not in ind.targets:
            self.error(f"缺少{years[-1]}年目标（计划总量类指标要填最后一年的目标）", INDICATORS, i,
                       f"target:{years[-1]}")
        if not ind.targets and ind.kind != PLAN_TOTAL:
            self.error("没有填任何一年的目标", INDICATORS, i, f"target:{years[0]}")
        for year, target in ind.targets.items():
            if target.is_relative:
                if ind.kind == PLAN_TOTAL:
                    self.error(f"{year}年目标“{target.words}”是相对上年的目标，计划总量类指标不能这样写",
                               INDICATORS, i, f"target:{year}")
                continue
            if target.value < 0 and not ind.negative_allowed:
                self.error(f"{year}年目标不能为负数（增速、下降率等可为负数的指标，请在“可为负数”填“是”）",
                           INDICATORS, i, f"target:{year}")
            elif ind.is_percent and target.value > 100:
                self.warning(f"{year}年目标 {format_number(target.value)}% 超过 100%，请确认", INDICATORS, i,
                             f"target:{year}")

    def splits(self):
        spans = {str(y) for y in self.plan.years} | {self.plan.span_label}
        for ind in self.plan.indicators:
            whole_plan, first_key = 0.0, None
            for name, by_span in ind.reporter_targets.items():
                for span, value in by_span.items():
                    key = (ind.code, name, span)
                    first_key = first_key or key
                    if norm(name) not in self.reporter_names:
                        self.error(f"“{name}”既不是“填报单位”表中的单位，也不是“所属组”中的组名", SPLITS, key, "who")
                    self._span(span, spans, key)
                    whole_plan += value if span == self.plan.span_label else 0
            for g in ind.group_targets:
                key = (ind.code, g.group, g.span)
                first_key = first_key or key
                if g.group not in self.groups:
                    self.error(f"组“{g.group}”没有成员（“填报单位”表的“所属组”中没有它）", SPLITS, key, "who")
                self._span(g.span, spans, key)
                whole_plan += g.value if g.span == self.plan.span_label else 0
            total = self._plan_total(ind)
            if whole_plan and total is not None and whole_plan > total + 1e-9 and not ind.is_down:
                self.warning(f"指标“{ind.code}”的分解目标合计 {format_number(whole_plan)} 大于计划期目标 "
                             f"{format_number(total)}", SPLITS, first_key, "value")
            if not ind.is_down and ind.kind not in (RATIO, MILESTONE):
                self._year_splits(ind)

    def _year_splits(self, ind: Indicator):
        """Towns' split targets of one year must not add up to more than the district's target."""
        for year in self.plan.years:
            span = str(year)
            target = ind.target_for(year)
            parts = [(name, spans[span]) for name, spans in ind.reporter_targets.items() if span in spans]
            parts += [(g.group, g.value) for g in ind.group_targets if g.span == span]
            if not parts or target is None or target.value is None:
                continue
            total = sum(v for _, v in parts)
            if total > target.value + 1e-9:
                self.warning(f"指标“{ind.code}”{year}年的分解目标合计 {format_number(total)} 大于全区目标 "
                             f"{format_number(target.value)}", SPLITS, (ind.code, parts[0][0], span), "value")

    def _span(self, span: str, spans: set[str], key):
        if span not in spans:
            self.error(f"期间“{span}”应为整个计划期 {self.plan.span_label} 或其中某一年", SPLITS, key, "span")

    def _plan_total(self, ind: Indicator) -> float | None:
        """What splits of a whole-plan span add up to at most (never for a ratio)."""
        total = ind.plan_period_target()
        return total.value if total is not None and ind.kind != RATIO else None

    def lists(self):
        lists = self.plan.detail_lists
        self._duplicates(LISTS, [d.code for d in lists], "名单编码", "code")
        self._duplicates(LISTS, [d.name for d in lists], "名单名称", "name")
        codes = {i.code for i in self.plan.indicators}
        for i, d in enumerate(lists):
            if not d.name:
                self.error("名单名称为空", LISTS, i, "name")
            elif len(d.name) > 31 or SHEET_NAME_BAD.search(d.name) or d.name in RESERVED_FORM_SHEETS:
                self.error(f"名单名称“{d.name}”不能用作工作表名（最多 31 字，不能含 []:*?/\\，不能与填报表固定表名相同）",
                           LISTS, i, "name")
            if d.indicator not in codes:
                self.error(f"关联指标“{d.indicator}”在“指标”表中不存在", LISTS, i, "indicator")
            if d.check not in CHECK_MODES:
                self.error(f"核对方式“{d.check}”应为{'、'.join(CHECK_MODES.values())}之一", LISTS, i, "check")
            names = [c.name for c in d.columns]
            if not d.columns:
                self.error(f"名单“{d.name}”在“明细列”表中没有列", LISTS, i, "code")
            if d.check == "sum":
                column = next((c for c in d.columns if c.name == d.sum_column), None)
                if column is None:
                    self.error(f"合计列“{d.sum_column}”不是名单“{d.name}”的列", LISTS, i, "sum_column")
                elif column.type not in ("number", "integer"):
                    self.error(f"合计列“{d.sum_column}”的类型应为数值或整数", LISTS, i, "sum_column")
            self._duplicates_in_list(i, names)
            for j, c in enumerate(d.columns):
                key = (i, j)
                if not c.name:
                    self.error("列名为空", LIST_COLUMNS, key, "name")
                if c.type not in COLUMN_TYPES:
                    self.error(f"类型“{c.type}”应为{'、'.join(COLUMN_TYPES.values())}之一", LIST_COLUMNS, key, "type")
                elif c.type == "choice" and not c.choices:
                    self.error("类型为“选项”的列要填选项（用“、”隔开，或写“产业链”）", LIST_COLUMNS, key, "choices")
                if c.width is not None and not 2 <= c.width <= 100:
                    self.error(f"列宽 {format_number(c.width)} 应在 2 到 100 之间", LIST_COLUMNS, key, "width")

    def _duplicates_in_list(self, i: int, names: list[str]):
        seen = set()
        for j, name in enumerate(names):
            if name and name in seen:
                self.error(f"列名“{name}”在同一名单中重复", LIST_COLUMNS, (i, j), "name")
            seen.add(name)


_EMAIL = re.compile(r"[^@\s<>;,，、；]+@[^@\s<>;,，、；]+\.[^@\s<>;,，、；]+")
