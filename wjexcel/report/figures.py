"""District-wide figures and 红黄绿灯 statuses, exactly by the rules of PRODUCT.md.

Pure: values in (what the ledger hands over), dataclasses out; no files, no database.
The rule texts printed in the report live in :mod:`wjexcel.report.briefing`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from wjexcel.periods import Period
from wjexcel.plan.model import (DISTRICT, INCREMENT, PLAN_TOTAL, RATIO, Indicator, Plan, Target, plain_number,
                          format_number)
from wjexcel.records import ReportedValue

DONE, ON_TRACK, LAGGING, SEVERE, MISSING = "已完成", "序时推进", "滞后", "严重滞后", "未报送"
STATUSES = (DONE, ON_TRACK, LAGGING, SEVERE, MISSING)
EPS = 1e-9
"""Slack on every ``>=`` comparison, the same in Python and in the Excel formulas."""

SOURCE, DISTRICTS, NONE = "source", "districts", "none"


@dataclass(frozen=True)
class Assessment:
    """A value judged against a target: expected value X, completion and status."""

    target: float | None
    op: str
    expected: float | None
    completion: float | None
    status: str


def assess(value: float | None, target: Target | None, expected: float | None,
           elapsed: float, tolerance: float) -> Assessment:
    """The PRODUCT.md status rule for one value (``elapsed`` is the year's 序时进度)."""
    if target is None:
        return Assessment(None, ">=", expected, None, MISSING if value is None else ON_TRACK)
    t = target.value
    completion = None if value is None or t == 0 else value / t
    if value is None:
        status = MISSING
    elif target.met_by(value):
        status = DONE
    elif elapsed < 1 and value >= expected - EPS:
        status = ON_TRACK
    elif value >= expected - tolerance * t - EPS:
        status = LAGGING
    else:
        status = SEVERE
    return Assessment(t, target.op, expected, completion, status)


def expected_value(kind: str, target: float, elapsed: float, baseline: float | None,
                   plan_share: float) -> float:
    """X: increment T·e; stock/ratio B+(T−B)·e (T without B); plan_total T × plan share."""
    if kind == INCREMENT:
        return target * elapsed
    if kind == PLAN_TOTAL:
        return target * plan_share
    if baseline is None:
        return target
    return baseline + (target - baseline) * elapsed


def plan_share_fraction(period: Period, years: list[int]) -> Fraction:
    """Exact share of the whole plan elapsed at the period's end (the Excel formula uses it)."""
    if not years:
        return Fraction(0)
    done = Fraction(sum(1 for y in years if y < period.year))
    if period.year in years:
        done += period.elapsed_fraction
    return done / len(years)


@dataclass
class SplitFigure:
    """A reporter's or a group's own target (科创载体's split) with its progress."""

    name: str
    members: tuple[str, ...]
    span: str  # "2021-2023" (whole plan) or a year
    value: float | None  # plan-to-date for a whole-plan span of an increment, else the period's
    assessment: Assessment
    is_group: bool = False

    @property
    def whole_plan(self) -> bool:
        return "-" in self.span


@dataclass
class IndicatorFigure:
    """Everything the report says about one indicator in one period."""

    indicator: Indicator
    value: float | None
    basis: str
    source_value: float | None
    districts_sum: float | None
    cross_gap: float | None
    cross_flag: bool
    by_reporter: dict[str, float]
    remarks: dict[str, str]
    baseline: float | None  # B of the rule, None where X = T
    elapsed: float
    assessment: Assessment
    plan_to_date: float | None = None
    plan_to_date_target: float | None = None
    missing_years: list[int] = field(default_factory=list)
    splits: list[SplitFigure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def status(self) -> str:
        return self.assessment.status

    def to_json(self) -> dict:
        """One ``consolidate --json`` indicator object, exactly as PRODUCT.md fixes it."""
        a = self.assessment
        return {
            "code": self.indicator.code,
            "name": self.indicator.name,
            "target": plain_number(a.target),
            "op": a.op,
            "value": plain_number(self.value),
            "completion": a.completion,
            "elapsed": self.elapsed,
            "status": a.status,
            "by_reporter": {r: plain_number(v) for r, v in self.by_reporter.items()},
        }


@dataclass
class Figures:
    """The figures of every indicator of a plan for one period."""

    plan: Plan
    period: Period
    indicators: list[IndicatorFigure]
    reporters_seen: list[str]

    @property
    def elapsed(self) -> float:
        return self.period.elapsed

    @property
    def plan_share(self) -> Fraction:
        return plan_share_fraction(self.period, self.plan.years)

    def by_code(self, code: str) -> IndicatorFigure:
        return next(f for f in self.indicators if f.code == code)

    def count_by_status(self) -> dict[str, int]:
        return {s: sum(1 for f in self.indicators if f.status == s) for s in STATUSES}

    def to_json(self) -> list[dict]:
        return [f.to_json() for f in self.indicators]


def _index(values: list[ReportedValue]) -> dict[str, dict[str, ReportedValue]]:
    """indicator code -> reporter -> value (a later item replaces an earlier one)."""
    out: dict[str, dict[str, ReportedValue]] = {}
    for rv in values:
        out.setdefault(rv.indicator, {})[rv.reporter] = rv
    return out


def _is_district(plan: Plan, rv: ReportedValue) -> bool:
    try:
        return plan.reporter(rv.reporter).kind == DISTRICT
    except KeyError:
        return rv.reporter_kind == DISTRICT


def district_value(plan: Plan, ind: Indicator, reported: dict[str, ReportedValue]
                   ) -> tuple[float | None, str, float | None, float | None]:
    """(value, basis, source value, districts' sum) by the PRODUCT.md rule."""
    src = reported.get(ind.source_unit) if ind.source_unit else None
    source_value = src.value if src is not None else None
    towns = [rv.value for rv in reported.values()
             if rv.value is not None and _is_district(plan, rv) and rv.reporter != ind.source_unit]
    towns_sum = sum(towns) if towns else None
    if source_value is not None:
        return source_value, SOURCE, source_value, towns_sum
    if ind.kind == RATIO or towns_sum is None:
        return None, NONE, None, towns_sum
    return towns_sum, DISTRICTS, None, towns_sum


def compute_figures(plan: Plan, period: Period | str, values: list[ReportedValue],
                    earlier: dict[int, list[ReportedValue]] | None = None) -> Figures:
    """Figures and statuses of every indicator for ``period``.

    Args:
        plan: The plan.
        period: The period (or its code).
        values: Values of the latest accepted submission of each reporter for the period.
        earlier: Year-end values of earlier plan years (``{2021: [...]}``), for the
            plan-to-date of increments and the whole-plan split targets.
    """
    period = Period.parse(period) if isinstance(period, str) else period
    earlier = earlier or {}
    now = _index(values)
    before = {y: _index(v) for y, v in earlier.items()}
    figures = [_figure(plan, period, ind, now.get(ind.code, {}), before) for ind in plan.indicators]
    by_code = {f.code: f for f in figures}
    for f in figures:
        parent = by_code.get(f.indicator.parent or "")
        if parent and f.value is not None and parent.value is not None and f.value > parent.value + EPS:
            f.notes.append(f"“其中”项 {_fmt(f.value)} 大于上级指标“{parent.indicator.name}”的 "
                           f"{_fmt(parent.value)}，请核实")
    seen = sorted({rv.reporter for rv in values})
    return Figures(plan, period, figures, seen)


def _figure(plan: Plan, period: Period, ind: Indicator, reported: dict[str, ReportedValue],
            before: dict[int, dict[str, dict[str, ReportedValue]]]) -> IndicatorFigure:
    e = period.elapsed
    share = float(plan_share_fraction(period, plan.years))
    value, basis, source_value, towns_sum = district_value(plan, ind, reported)
    gap, flag = None, False
    towns = sum(1 for r, rv in reported.items()
                if rv.value is not None and _is_district(plan, rv) and r != ind.source_unit)
    expected_towns = sum(1 for d in plan.districts if d.name != ind.source_unit and ind.district_reported)
    complete = towns >= expected_towns
    if ind.kind != RATIO and source_value is not None and towns_sum is not None:
        gap = towns_sum - source_value
        # A complete set of towns contradicts the source either way; values are never
        # negative, so a partial set already contradicts it when its sum is too large.
        limit = plan.tolerance * abs(source_value) + EPS
        flag = abs(gap) > limit if complete else gap > limit
    target = ind.plan_target() if ind.kind == PLAN_TOTAL else ind.target_for(period.year)
    baseline = None
    if ind.kind not in (INCREMENT, PLAN_TOTAL):
        prev = ind.target_for(period.year - 1)
        if prev is not None:
            baseline = prev.value
        elif period.year == plan.years[0]:
            baseline = ind.baseline
    expected = None if target is None else expected_value(ind.kind, target.value, e, baseline, share)
    fig = IndicatorFigure(
        indicator=ind, value=value, basis=basis, source_value=source_value, districts_sum=towns_sum,
        cross_gap=gap, cross_flag=flag,
        by_reporter={r: rv.value for r, rv in reported.items() if rv.value is not None},
        remarks={r: rv.remark.strip() for r, rv in reported.items() if rv.remark and rv.remark.strip()},
        baseline=baseline, elapsed=e,
        # A plan_total target falls due at the end of the plan, so "on schedule" is
        # judged against the plan's elapsed share, not the year's.
        assessment=assess(value, target, expected, share if ind.kind == PLAN_TOTAL else e, plan.tolerance),
    )
    if target is None:
        fig.notes.append(f"{period.year}年未设目标，不作评价")
    if flag and complete:
        fig.notes.append(f"交叉核对：{ind.name}，{towns}个区镇合计 {_fmt(towns_sum)} 与{ind.source_unit} {_fmt(source_value)} "
                         f"相差 {_fmt(gap)}，超过容差 {plan.tolerance:.0%}")
    elif flag:
        fig.notes.append(f"交叉核对：{ind.name}，已报送的{towns}个区镇合计 {_fmt(towns_sum)} 已超过{ind.source_unit} "
                         f"{_fmt(source_value)}（多 {_fmt(gap)}），超过容差 {plan.tolerance:.0%}，"
                         f"其余 {expected_towns - towns} 个区镇尚未报送")
    if ind.kind == INCREMENT:
        _plan_to_date(plan, period, ind, fig, before)
    fig.splits = _splits(plan, period, ind, reported, before, share)
    return fig


def _earlier_years(plan: Plan, period: Period) -> list[int]:
    return [y for y in plan.years if y < period.year]


def _plan_to_date(plan: Plan, period: Period, ind: Indicator, fig: IndicatorFigure,
                  before: dict[int, dict[str, dict[str, ReportedValue]]]) -> None:
    """Increments: this year's value plus each earlier plan year's year-end figure."""
    fig.plan_to_date_target = sum(t.value for t in ind.targets.values())
    if fig.value is None:
        return
    total = fig.value
    for y in _earlier_years(plan, period):
        v = district_value(plan, ind, before.get(y, {}).get(ind.code, {}))[0]
        if v is None:
            fig.missing_years.append(y)
        else:
            total += v
    fig.plan_to_date = total
    if fig.missing_years:
        years = "、".join(f"{y}年" for y in fig.missing_years)
        fig.notes.append(f"计划累计缺少{years}年末数据，未计入")


def _splits(plan: Plan, period: Period, ind: Indicator, reported: dict[str, ReportedValue],
            before, share: float) -> list[SplitFigure]:
    """Own targets of reporters and groups. A whole-plan span is judged like a plan total,
    with the plan's elapsed share as 序时进度 (X = T × share; 序时推进 while share < 1)."""
    e = period.elapsed
    out: list[SplitFigure] = []

    def judge(name, members, span, target_value, value, is_group):
        target = Target(float(target_value))
        if "-" in span:
            a = assess(value, target, target.value * share, share, plan.tolerance)
        else:
            a = assess(value, target, expected_value(ind.kind, target.value, e, None, share),
                       e, plan.tolerance)
        out.append(SplitFigure(name, members, span, value, a, is_group))

    def current(name):
        rv = reported.get(name)
        return rv.value if rv is not None else None

    for name, spans in ind.reporter_targets.items():
        span = str(period.year) if str(period.year) in spans else next((s for s in spans if "-" in s), None)
        if span is None:
            continue
        value = current(name)
        if "-" in span and value is not None:
            value += _earlier_sum(plan, period, ind, name, before)
        judge(name, (name,), span, spans[span], value, False)
    for g in ind.group_targets:
        if "-" not in g.span and g.span != str(period.year):
            continue
        members = tuple(r.name for r in plan.group_members(g.group))
        now = [current(m) for m in members if current(m) is not None]
        value = sum(now) if now else None
        if "-" in g.span and value is not None:
            value += sum(_earlier_sum(plan, period, ind, m, before) for m in members)
        judge(g.group, members, g.span, g.value, value, True)
    return out


def _earlier_sum(plan: Plan, period: Period, ind: Indicator, name: str, before) -> float:
    """A reporter's year-end values of the earlier plan years (increments only; else 0)."""
    if ind.kind != INCREMENT:
        return 0.0
    total = 0.0
    for y in _earlier_years(plan, period):
        rv = before.get(y, {}).get(ind.code, {}).get(name)
        if rv is not None and rv.value is not None:
            total += rv.value
    return total


def _fmt(value: float | None) -> str:
    return format_number(value) if value is not None else "—"
