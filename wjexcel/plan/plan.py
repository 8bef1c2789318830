"""A whole action plan: its parts (:mod:`wjexcel.plan.model`) with their look-ups, who reports
what, and the ``plan show --json`` document."""

from __future__ import annotations

from dataclasses import dataclass, field

from wjexcel.errors import UsageError
from wjexcel.plan.model import (ALL_DISTRICTS, CHINESE_COUNTS, DEFAULT_FORM_TITLE, DEPARTMENT, DISTRICT, DetailList,
                                Indicator, Reporter, Task, plain_number)


@dataclass
class Plan:
    """A whole action plan."""

    name: str
    plan_id: str
    version: str
    years: list[int]
    tasks: list[Task]
    indicators: list[Indicator]
    reporters: list[Reporter]
    chains: list[str] = field(default_factory=list)
    detail_lists: list[DetailList] = field(default_factory=list)
    tolerance: float = 0.10
    short_name: str = ""
    form_title: str = ""
    issuer: str = ""
    lead_unit: str = ""
    contact: str = ""
    phone: str = ""
    deadline_days: int = 10

    # --- look-ups -----------------------------------------------------------------
    def indicator(self, code: str) -> Indicator:
        for ind in self.indicators:
            if ind.code == code:
                return ind
        raise KeyError(code)

    def task(self, number: int) -> Task:
        for t in self.tasks:
            if t.number == number:
                return t
        raise KeyError(number)

    def reporter(self, name: str) -> Reporter:
        for r in self.reporters:
            if r.name == name:
                return r
        raise KeyError(name)

    @property
    def districts(self) -> list[Reporter]:
        return [r for r in self.reporters if r.kind == DISTRICT]

    @property
    def departments(self) -> list[Reporter]:
        return [r for r in self.reporters if r.kind == DEPARTMENT]

    def group_members(self, group: str) -> list[Reporter]:
        return [r for r in self.reporters if group in r.groups]

    def responsible_units(self, ind: Indicator) -> list[str]:
        """The 责任单位 of the indicator's task (departments, then 各区镇)."""
        task = self.task(ind.task)
        units = list(task.responsible_units)
        if task.districts_responsible:
            units.append(ALL_DISTRICTS)
        return units

    def check_year(self, year: int) -> None:
        if year not in self.years:
            span = f"{self.years[0]}-{self.years[-1]}" if self.years else "（空）"
            raise UsageError(f"{year}年不在计划年度（{span}）内，请检查期间。")

    # --- who reports what -----------------------------------------------------------
    def indicators_for(self, reporter: Reporter, period=None) -> list[Indicator]:
        """The indicators on a reporter's form (for ``period``: those reported in it), in form order.

        A 区镇 gets every indicator towns report, in plan order. A department gets the
        indicators of the tasks it is responsible for: those it is the source unit of
        first, then the rest; a sub-item always follows its parent. A 节点任务 asks for one state
        from whoever carries it out: each town where 区镇填报 is 是, else its source unit only.
        """
        if period is not None:
            return [i for i in self.indicators_for(reporter) if i.reported_in(period)]
        if reporter.kind == DISTRICT:
            chosen = [i for i in self.indicators if i.district_reported]
        else:
            tasks = {t.number for t in self.tasks if reporter.name in t.responsible_units}
            mine = [i for i in self.indicators if (i.task in tasks and not i.is_milestone)
                    or (i.source_unit == reporter.name and not (i.is_milestone and i.district_reported))]
            first = [i for i in mine if i.source_unit == reporter.name]
            chosen = first + [i for i in mine if i.source_unit != reporter.name]
        return _parents_then_children(chosen, self)

    def detail_lists_for(self, reporter: Reporter, period=None) -> list[DetailList]:
        """Detail lists on a reporter's form: every list for a 区镇; a department gets
        the lists behind the indicators it is the source unit of."""
        codes = {i.code for i in self.indicators_for(reporter, period)}
        if reporter.kind == DEPARTMENT:
            codes = {c for c in codes if self.indicator(c).source_unit == reporter.name}
        return [d for d in self.detail_lists if d.indicator in codes]

    def reporter_target(self, ind: Indicator, reporter: Reporter, year: int) -> tuple[float, str] | None:
        """The reporter's own split target for ``year``: (value, span label), if any.

        A target for the whole plan (``2021-2023``) is returned with that span, so the
        form can show "三年目标 10".
        """
        spans = ind.reporter_targets.get(reporter.name, {})
        if str(year) in spans:
            return spans[str(year)], str(year)
        for span, value in spans.items():
            if "-" in span:
                return value, span
        return None

    def reference_target(self, ind: Indicator, reporter: Reporter | None, year: int | None) -> float | None:
        """The number a reporter's value is held against: its own split target, else the year's
        target, else the plan's; None when there is none (or no year)."""
        if year is None:
            return None
        own = self.reporter_target(ind, reporter, year) if reporter is not None else None
        if own is not None:
            return own[0]
        target = ind.target_for(year) or ind.final_target()
        return target.value if target is not None else None

    @property
    def title_of_form(self) -> str:
        """What each form is called: ``科技创新指标填报表`` (the plan's 填报表名称) or ``指标填报表``."""
        return self.form_title or DEFAULT_FORM_TITLE

    @property
    def span_words(self) -> str:
        """How the whole plan period is said: 三年 for a three-year plan, 五年 for a five-year one."""
        return f"{CHINESE_COUNTS.get(len(self.years), len(self.years))}年"

    @property
    def span_label(self) -> str:
        return f"{self.years[0]}-{self.years[-1]}" if self.years else ""

    # --- the JSON contract ------------------------------------------------------------
    def to_json(self) -> dict:
        """The ``plan show --json`` document exactly as docs/规格说明.md §5.2 fixes it (plus extras)."""
        return {
            "name": self.name,
            "plan_id": self.plan_id,
            "version": self.version,
            "years": list(self.years),
            "tolerance": self.tolerance,
            "reporters": [
                {"name": r.name, "kind": r.kind, "short_name": r.short_name,
                 "groups": list(r.groups), "chains": list(r.chains), "email": r.email}
                for r in self.reporters
            ],
            "tasks": [
                {"number": t.number, "name": t.name,
                 "responsible_units": list(t.responsible_units),
                 "districts_responsible": t.districts_responsible}
                for t in self.tasks
            ],
            "indicators": [
                {
                    "code": i.code,
                    "task": self.task(i.task).name,
                    "task_number": i.task,
                    "name": i.name,
                    "unit": i.unit,
                    "kind": i.kind,
                    "frequency": i.frequency,
                    "headline": i.is_headline,
                    "parent": i.parent,
                    "direction": i.direction,
                    "negative_allowed": i.negative_allowed,
                    "targets": {str(y): t.to_json() for y, t in sorted(i.targets.items())},
                    "reporter_targets": {r: {s: plain_number(v) for s, v in spans.items()}
                                         for r, spans in i.reporter_targets.items()},
                    "group_targets": [
                        {"group": g.group, "members": [m.name for m in self.group_members(g.group)],
                         "span": g.span, "value": plain_number(g.value), "note": g.note}
                        for g in i.group_targets
                    ],
                    "responsible_units": self.responsible_units(i),
                    "source_unit": i.source_unit,
                    "district_reported": i.district_reported,
                    "baseline": plain_number(i.baseline) if i.baseline is not None else None,
                    "note": i.note,
                }
                for i in self.indicators
            ],
            "chains": list(self.chains),
            "detail_lists": [
                {"code": d.code, "name": d.name, "indicator": d.indicator, "check": d.check,
                 "sum_column": d.sum_column,
                 "columns": [{"name": c.name, "type": c.type, "choices": list(c.choices),
                              "required": c.required} for c in d.columns]}
                for d in self.detail_lists
            ],
        }


def _parents_then_children(chosen: list[Indicator], plan: Plan) -> list[Indicator]:
    """Keep order, but move every sub-item right after its parent when both are chosen."""
    codes = {i.code for i in chosen}
    out: list[Indicator] = []
    for ind in chosen:
        if ind.parent and ind.parent in codes:
            continue
        out.append(ind)
        out.extend(c for c in chosen if c.parent == ind.code)
    return out
