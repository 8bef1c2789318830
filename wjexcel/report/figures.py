"""District-wide figures and 红黄绿灯 statuses across periods, by the rule of :mod:`wjexcel.report.rule`.

Pure: accepted values in (what the ledger hands over, for every period), dataclasses out;
no files, no database. :class:`History` consolidates any period of the plan by the same
rules, so the figures of a period can look back: the baseline ``B`` (last year's closing
figure), the year's target where the plan gives words instead of a number (较上年下降5%, a
blank year between the 基期值 and a later target), the previous period (环比), the same period
a year earlier (同比), how many periods in a row an indicator has lagged, the plan-to-date
figure. The rule texts printed in the report live in :mod:`wjexcel.report.briefing`.

A towns' sum is the district's figure only when every town sent the indicator has an accepted
form for the period; until then the figure is None (未报送) and ``partial`` says how far it got.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from wjexcel.periods import Period, year_ends
from wjexcel.plan.model import (DISTRICT, INCREMENT, LEVELS, MILESTONE, PLAN_TOTAL, RATIO, Indicator, Plan,
                                Target, YEAR_COUNTS, format_number, plain_number)
from wjexcel.records import ReportedValue
from wjexcel.report.rule import (ACTUAL, BEHIND, DONE, EPS, LAGGING, LINEAR, MISSING, NOT_ASSESSED, NOT_DUE,
                                 ON_SCHEDULE, ON_TRACK, PLAN_BASE, RELATIVE, SEVERE, STATUSES, TARGET, UNTALLIED,
                                 Assessment, Baseline, MilestoneAssessment, Status, assess, assess_milestone,
                                 milestone_state)

__all__ = ["ACTUAL", "BEHIND", "DONE", "EPS", "LAGGING", "MISSING", "NOT_ASSESSED", "NOT_DUE", "ON_SCHEDULE",
           "ON_TRACK", "PLAN_BASE", "SEVERE", "STATUSES", "TARGET", "Assessment", "Baseline", "Status"]

SOURCE, DISTRICTS, NONE = "source", "districts", "none"


def number_text(value: float | None, unit: str = "", digits: int = 4) -> str:
    """A figure in a sentence: ``1432家``, rounded to ``digits`` decimals; ``—`` when there is none."""
    return "—" if value is None else f"{format_number(round(value, digits))}{unit}"


@dataclass(frozen=True)
class YearTarget:
    """The target a year is judged against, and how it was found when the plan gave no number:
    ``relative`` (较上年下降5% worked out from ``base``), ``linear`` (按规划目标线性分解), or ""."""

    target: Target | None
    how: str = ""
    base: Baseline | None = None


@dataclass(frozen=True)
class Partial:
    """A towns' sum that is not yet the district's figure: ``reported`` of ``expected`` towns."""

    value: float | None
    reported: int
    expected: int

    def to_json(self) -> dict:
        return {"value": plain_number(self.value), "reported": self.reported, "expected": self.expected}


def plan_share_fraction(period: Period, years: list[int]) -> Fraction:
    """Exact share of the whole plan elapsed at the period's end (the Excel formula uses it)."""
    if not years:
        return Fraction(0)
    done = Fraction(sum(1 for y in years if y < period.year))
    if period.year in years:
        done += period.elapsed_fraction
    return done / len(years)


@dataclass(frozen=True)
class PeriodValue:
    """A figure of another period (``value`` None when nothing was accepted for it)."""

    period: Period
    value: float | None

    def to_json(self) -> dict:
        return {"period": self.period.code, "value": plain_number(self.value)}


@dataclass
class SplitFigure:
    """A reporter's or a group's own target (科创载体's split) with its progress."""

    name: str
    members: tuple[str, ...]
    span: str  # "2021-2023" (whole plan) or a year
    value: float | None  # plan-to-date for a whole-plan span of an increment, else the period's
    assessment: Assessment
    is_group: bool = False
    lagging_periods: int = 0

    @property
    def status(self) -> str:
        return self.assessment.status


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
    elapsed: float
    assessment: Assessment
    period: Period | None = None
    due: bool = True  # reported in this period (its 填报频次)
    previous: PeriodValue | None = None
    same_period_last_year: PeriodValue | None = None
    lagging_periods: int = 0
    plan_period_target: float | None = None
    plan_to_date: float | None = None
    missing_years: list[int] = field(default_factory=list)
    splits: list[SplitFigure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    year_target: YearTarget | None = None
    partial: Partial | None = None
    milestone: MilestoneAssessment | None = None

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def status(self) -> Status:
        if not self.due:
            return NOT_DUE
        return self.milestone.status if self.milestone is not None else self.assessment.status

    @property
    def judged(self) -> bool:
        """Counted in the period's tallies (not 本期不报, not 本年不考核)."""
        return self.status not in UNTALLIED

    @property
    def is_down(self) -> bool:
        return self.indicator.is_down

    @property
    def baseline(self) -> Baseline | None:
        return self.assessment.baseline

    @property
    def change(self) -> float | None:
        """本期新增 (环比): what was added since the previous period. A count from 1 January starts
        again in a new year, so there its change is the value itself."""
        if self.value is None or self.previous is None:
            return None
        if self.indicator.kind in YEAR_COUNTS and self.previous.period.year != self.period.year:
            return self.value
        return None if self.previous.value is None else self.value - self.previous.value

    @property
    def yoy_change(self) -> float | None:
        """同比增减."""
        last = self.same_period_last_year
        if self.value is None or last is None or last.value is None:
            return None
        return self.value - last.value

    @property
    def yoy_growth(self) -> float | None:
        """同比增速 (a share; None where last year's figure is missing or zero)."""
        last = self.same_period_last_year
        change = self.yoy_change
        return None if change is None or not last.value else change / last.value

    @property
    def plan_completion(self) -> float | None:
        if self.plan_to_date is None or not self.plan_period_target or self.is_down:
            return None
        return self.plan_to_date / self.plan_period_target

    @property
    def plan_met(self) -> bool | None:
        """Whether the plan-to-date figure meets the plan-period target (a cap: stays within it)."""
        target = self.indicator.plan_period_target()
        if self.plan_to_date is None or self.plan_period_target is None or target is None:
            return None
        return Target(self.plan_period_target, target.op).met_by(self.plan_to_date)

    def to_json(self) -> dict:
        """One ``consolidate --json`` indicator object, exactly as docs/规格说明.md §5.7 fixes it."""
        a, ind = self.assessment, self.indicator
        b = a.baseline
        return {
            "code": ind.code,
            "name": ind.name,
            "kind": ind.kind,
            "frequency": ind.frequency,
            "target": plain_number(a.target),
            "op": a.op,
            "value": plain_number(self.value),
            "completion": a.completion,
            "elapsed": self.elapsed,
            "expected": a.expected,
            "baseline": plain_number(b.value) if b else None,
            "baseline_source": b.source if b else None,
            "progress": a.progress,
            "status": self.status.value,
            "by_reporter": {r: plain_number(v) for r, v in self.by_reporter.items()},
            "previous": self.previous.to_json() if self.previous else None,
            "same_period_last_year": self.same_period_last_year.to_json() if self.same_period_last_year else None,
            "lagging_periods": self.lagging_periods,
            "plan_period": {"target": plain_number(self.plan_period_target),
                            "value": plain_number(self.plan_to_date), "completion": self.plan_completion},
            **({"partial": self.partial.to_json()} if self.partial else {}),
            **({"milestone": self.milestone.to_json()} if self.milestone else {}),
            **({"target_label": self.year_target.target.label()}
               if self.year_target and self.year_target.target and self.year_target.target.words else {}),
            **({"target_basis": self.year_target.how} if self.year_target and self.year_target.how else {}),
        }


@dataclass(frozen=True)
class SupervisionItem:
    """One line of the 督办清单: an indicator (``reporter`` None) or a split target that is behind."""

    figure: IndicatorFigure
    split: SplitFigure | None
    units: tuple[str, ...]
    lead_unit: str

    @property
    def name(self) -> str:
        return self.figure.indicator.name

    @property
    def reporter(self) -> str | None:
        return self.split.name if self.split else None

    @property
    def assessment(self) -> Assessment:
        return self.split.assessment if self.split else self.figure.assessment

    @property
    def value(self) -> float | None:
        return self.split.value if self.split else self.figure.value

    @property
    def status(self) -> Status:
        return self.split.status if self.split else self.figure.status

    @property
    def gap(self) -> float | None:
        if self.figure.milestone is not None and self.split is None:
            return None
        return self.assessment.gap(self.value)

    @property
    def lagging_periods(self) -> int:
        return self.split.lagging_periods if self.split else self.figure.lagging_periods

    @property
    def escalate(self) -> bool:
        """Lagging two periods running or more: 升级督办."""
        return self.lagging_periods >= 2

    def remarks(self) -> dict[str, str]:
        """What the reporters concerned said about it."""
        remarks = self.figure.remarks
        if self.split:
            return {r: t for r, t in remarks.items() if r in self.split.members}
        return remarks

    def to_json(self) -> dict:
        return {"code": self.figure.code, "name": self.name, "reporter": self.reporter, "status": self.status.value,
                "units": list(self.units), "gap": self.gap, "lagging_periods": self.lagging_periods}


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

    @property
    def judged(self) -> list[IndicatorFigure]:
        """The indicators judged in this period (本期不报 and 本年不考核 ones left out of every tally)."""
        return [f for f in self.indicators if f.judged]

    @property
    def partial(self) -> list[IndicatorFigure]:
        """Indicators whose towns' sum is still incomplete (暂缺)."""
        return [f for f in self.judged if f.partial is not None]

    def count_by_status(self) -> dict[str, int]:
        return {s: sum(1 for f in self.judged if f.status == s) for s in STATUSES}

    def supervision(self) -> list[SupervisionItem]:
        """The 督办 list: every indicator and every split target that is 滞后 or 严重滞后 (never one
        whose figure is incomplete: that is 未报送)."""
        out = []
        for f in self.judged:
            task = self.plan.task(f.indicator.task)
            if f.status in BEHIND:
                out.append(SupervisionItem(f, None, tuple(self.plan.responsible_units(f.indicator)), task.lead_unit))
            for s in f.splits:
                if s.status in BEHIND:
                    out.append(SupervisionItem(f, s, s.members, task.lead_unit))
        return out

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


@dataclass(frozen=True)
class DistrictValue:
    """An indicator's district-wide figure for a period and what it was made of."""

    value: float | None
    basis: str  # source / districts / none
    source_value: float | None
    towns_sum: float | None
    partial: Partial | None = None


def expected_towns(plan: Plan, ind: Indicator) -> list[str]:
    """The towns whose forms carry the indicator (its source unit aside)."""
    if not ind.district_reported:
        return []
    return [d.name for d in plan.districts if d.name != ind.source_unit]


def district_value(plan: Plan, ind: Indicator, reported: dict[str, ReportedValue]) -> DistrictValue:
    """The district's figure: the source unit's where it gave one; else, except for a ratio, the
    towns' sum once every town sent the indicator has an accepted form (a blank cell counts as
    none of it); before that no figure, and ``partial`` says how far the sum got."""
    if ind.kind == MILESTONE:  # a state, not a figure
        return DistrictValue(None, NONE, None, None)
    src = reported.get(ind.source_unit) if ind.source_unit else None
    source_value = src.value if src is not None else None
    towns = [rv for rv in reported.values() if _is_district(plan, rv) and rv.reporter != ind.source_unit]
    given = [rv.value for rv in towns if rv.value is not None]
    towns_sum = sum(given) if given else None
    if source_value is not None:
        return DistrictValue(source_value, SOURCE, source_value, towns_sum)
    if ind.kind == RATIO:
        return DistrictValue(None, NONE, None, towns_sum)
    expected = expected_towns(plan, ind)
    sent = {rv.reporter for rv in towns}
    if expected and not set(expected) <= sent:
        partial = Partial(towns_sum, len(sent & set(expected)), len(expected)) if sent else None
        return DistrictValue(None, NONE, None, towns_sum, partial)
    if towns_sum is None:
        return DistrictValue(None, NONE, None, None)
    return DistrictValue(towns_sum, DISTRICTS, None, towns_sum)


def compute_figures(plan: Plan, period: Period | str, values: dict[str, list[ReportedValue]]) -> Figures:
    """Figures and statuses of every indicator for ``period``.

    Args:
        plan: The plan.
        period: The period (or its code).
        values: The values of the latest accepted submission of each reporter, by period code,
            for every period there is (earlier periods give baselines, comparisons and runs).
    """
    period = Period.parse(period) if isinstance(period, str) else period
    return History(plan, values).figures(period)


OP_WORDS = {">=": "不低于", ">": "高于", "<=": "不超过", "<": "低于"}


def target_notes(ind: Indicator, year: int, found: YearTarget) -> list[str]:
    """How a year's target was judged where the plan gave words, not a bare number."""
    target = found.target
    if target is None:
        return []
    shown = number_text(target.value, ind.unit, 2)
    if found.how == RELATIVE:
        return [f"{year}年目标“{target.words}”：按{found.base.label()}算得 {shown}"]
    if found.how == LINEAR:
        return [f"{year}年未设目标，按规划目标线性分解为 {shown}（基期值 {number_text(ind.baseline, ind.unit)}）"]
    if target.words:
        return [f"{year}年目标“{target.words}”按{OP_WORDS[target.op]}{shown}评价"]
    return []


class History:
    """Every period's accepted values, consolidated on demand by one set of rules."""

    def __init__(self, plan: Plan, values: dict[str, list[ReportedValue]]):
        self.plan = plan
        self.values = values
        self._targets: dict[tuple[str, int], YearTarget] = {}
        self._index = {code: _index(v) for code, v in values.items()}
        self._figures: dict[Period, Figures] = {}

    def reported(self, period: Period, code: str) -> dict[str, ReportedValue]:
        return self._index.get(period.code, {}).get(code, {})

    def value(self, period: Period, ind: Indicator) -> float | None:
        return district_value(self.plan, ind, self.reported(period, ind.code)).value

    def periods_with_data(self) -> list[Period]:
        return sorted(Period.parse(code) for code, v in self.values.items() if v)

    def year_end(self, ind: Indicator, year: int, reporter: str | None = None) -> tuple[float | None, Period | None]:
        """A year's closing figure (of the district, or of one reporter): the year's own form, else
        its Q4, else its December; (None, None) when none was accepted."""
        for p in year_ends(year):
            reported = self.reported(p, ind.code)
            if reporter is not None:
                rv = reported.get(reporter)
                value = rv.value if rv is not None else None
            else:
                value = district_value(self.plan, ind, reported).value
            if value is not None:
                return value, p
        return None, None

    def reference(self, ind: Indicator, year: int) -> Baseline | None:
        """Last year's figure for any kind: the actual closing figure, else last year's target (as
        judged), else (in the plan's first year) the plan's 基期值."""
        value, where = self.year_end(ind, year - 1)
        if value is not None:
            return Baseline(value, ACTUAL, where.code)
        last = self.year_target(ind, year - 1).target if year - 1 in self.plan.years else None
        if last is not None and last.value is not None:
            return Baseline(last.value, TARGET)
        if self.plan.years and year == self.plan.years[0] and ind.baseline is not None:
            return Baseline(ind.baseline, PLAN_BASE)
        return None

    def baseline(self, ind: Indicator, year: int) -> Baseline | None:
        """``B`` for a stock or ratio (see :meth:`reference`); None for the other kinds."""
        return self.reference(ind, year) if ind.kind in LEVELS else None

    def year_target(self, ind: Indicator, year: int) -> YearTarget:
        """The target ``year`` is judged against. A plan total's is its final one; a relative target
        (较上年下降5%) is worked out from last year's figure; a blank year of a stock or ratio lies on
        the straight line from the 基期值 to the next target; otherwise there is none (本年不考核)."""
        key = (ind.code, year)
        if key in self._targets:
            return self._targets[key]
        self._targets[key] = YearTarget(None)  # a cycle (a relative target on itself) finds no target
        if ind.kind == PLAN_TOTAL:
            found = YearTarget(ind.final_target())
        else:
            found = self._year_target(ind, year)
        self._targets[key] = found
        return found

    def _year_target(self, ind: Indicator, year: int) -> YearTarget:
        given = ind.target_for(year)
        if given is not None and given.is_relative:
            base = self.reference(ind, year)
            return YearTarget(given.resolved(base.value) if base else None, RELATIVE, base)
        if given is not None:
            return YearTarget(given)
        later = sorted(y for y, t in ind.targets.items() if y > year and t.value is not None)
        if ind.kind in LEVELS and later and ind.baseline is not None and self.plan.years:
            start, end = self.plan.years[0] - 1, later[0]
            goal = ind.targets[end]
            value = ind.baseline + (goal.value - ind.baseline) * (year - start) / (end - start)
            return YearTarget(Target(value, goal.op), LINEAR)
        return YearTarget(None)

    def in_plan(self, period: Period) -> bool:
        return period.year in self.plan.years

    def figures(self, period: Period) -> Figures:
        if period not in self._figures:
            self._figures[period] = self._compute(period)
        return self._figures[period]

    def _compute(self, period: Period) -> Figures:
        plan = self.plan
        figures = [self._figure(period, ind) for ind in plan.indicators]
        by_code = {f.code: f for f in figures}
        for f in figures:
            parent = by_code.get(f.indicator.parent or "")
            if parent and f.value is not None and parent.value is not None and f.value > parent.value + EPS:
                f.notes.append(f"“其中”项 {number_text(f.value)} 大于上级指标“{parent.indicator.name}”的 "
                               f"{number_text(parent.value)}，请核实")
        seen = sorted({rv.reporter for rv in self.values.get(period.code, [])})
        return Figures(plan, period, figures, seen)

    def _figure(self, period: Period, ind: Indicator) -> IndicatorFigure:
        plan = self.plan
        e = period.elapsed
        share = float(plan_share_fraction(period, plan.years))
        reported = self.reported(period, ind.code)
        dv = district_value(plan, ind, reported)
        year_target = self.year_target(ind, period.year)
        target = year_target.target
        assessment = assess(ind.kind, dv.value, target, e, share, plan.tolerance,
                            self.baseline(ind, period.year), ind.is_down)
        fig = IndicatorFigure(
            indicator=ind, value=dv.value, basis=dv.basis, source_value=dv.source_value, districts_sum=dv.towns_sum,
            cross_gap=None, cross_flag=False,
            by_reporter={r: rv.value for r, rv in reported.items() if rv.value is not None},
            remarks={r: rv.remark.strip() for r, rv in reported.items() if rv.remark and rv.remark.strip()},
            elapsed=e, assessment=assessment, period=period, due=ind.reported_in(period),
            year_target=year_target, partial=dv.partial)
        previous = period.previous()
        if ind.kind == MILESTONE:
            fig.milestone = self._milestone(period, ind, reported)
            fig.by_reporter = {}
            self._lagging(fig, previous)
            return fig
        self._cross_check(ind, fig, reported)
        fig.notes.extend(target_notes(ind, period.year, year_target))
        if target is None and year_target.how == RELATIVE:
            fig.notes.append(f"{period.year}年目标“{ind.target_for(period.year).words}”缺少上年数据，无法算出，本年不考核")
        elif target is None:
            fig.notes.append(f"{period.year}年未设目标，本年不考核")
        last_year = period.a_year_earlier()
        if self.in_plan(previous):
            fig.previous = PeriodValue(previous, self.value(previous, ind))
        if self.in_plan(last_year):
            fig.same_period_last_year = PeriodValue(last_year, self.value(last_year, ind))
        self._lagging(fig, previous)
        self._plan_period(period, ind, fig)
        fig.splits = self._splits(period, ind, reported, share)
        return fig

    def _lagging(self, fig: IndicatorFigure, previous: Period) -> None:
        """This period and the consecutive earlier ones of its granularity that lagged (0 if not now)."""
        if fig.due and fig.status in BEHIND:
            fig.lagging_periods = 1 + (self.figures(previous).by_code(fig.code).lagging_periods
                                       if self.in_plan(previous) else 0)

    def _milestone(self, period: Period, ind: Indicator, reported: dict[str, ReportedValue]
                   ) -> MilestoneAssessment | None:
        """A 节点任务's status from the states its reporters gave. A reporter who once reported
        已完成 stays 已完成 in later periods it has not reported yet."""
        due = ind.due_target()
        if due is None:
            return None
        expected = expected_towns(self.plan, ind) or ([ind.source_unit] if ind.source_unit else [])
        states: dict[str, str | None] = {}
        for name in expected:
            rv = reported.get(name)
            state = milestone_state(rv.value) if rv is not None else None
            if state is None and self._completed_before(period, ind, name):
                state = milestone_state(2)
            states[name] = state
        return assess_milestone(due.due, period, states, expected)

    def _completed_before(self, period: Period, ind: Indicator, name: str) -> bool:
        for code, values in self.values.items():
            other = Period.parse(code)
            if other < period and other.end_date <= period.end_date:
                rv = self._index.get(code, {}).get(ind.code, {}).get(name)
                if rv is not None and milestone_state(rv.value) == milestone_state(2):
                    return True
        return False

    def _cross_check(self, ind: Indicator, fig: IndicatorFigure, reported) -> None:
        plan = self.plan
        towns = sum(1 for r, rv in reported.items()
                    if rv.value is not None and _is_district(plan, rv) and r != ind.source_unit)
        expected_towns = sum(1 for d in plan.districts if d.name != ind.source_unit and ind.district_reported)
        complete = towns >= expected_towns
        if ind.kind == RATIO or fig.source_value is None or fig.districts_sum is None:
            return
        gap = fig.districts_sum - fig.source_value
        # A complete set of towns contradicts the source either way; where values cannot be
        # negative, a partial set already contradicts it when its sum is too large.
        limit = plan.tolerance * abs(fig.source_value) + EPS
        fig.cross_gap = gap
        if complete:
            fig.cross_flag = abs(gap) > limit
        else:
            fig.cross_flag = gap > limit and not ind.negative_allowed
        if fig.cross_flag and complete:
            fig.notes.append(f"交叉核对：{ind.name}，{towns}个区镇合计 {number_text(fig.districts_sum)} 与"
                             f"{ind.source_unit} {number_text(fig.source_value)} 相差 {number_text(gap)}，超过容差 "
                             f"{plan.tolerance:.0%}")
        elif fig.cross_flag:
            fig.notes.append(f"交叉核对：{ind.name}，已报送的{towns}个区镇合计 {number_text(fig.districts_sum)} 已超过"
                             f"{ind.source_unit} {number_text(fig.source_value)}（多 {number_text(gap)}），超过容差 "
                             f"{plan.tolerance:.0%}，其余 {expected_towns - towns} 个区镇尚未报送")

    def _plan_period(self, period: Period, ind: Indicator, fig: IndicatorFigure) -> None:
        """The plan-period target, and the plan-to-date figure: for an increment this year's value plus
        each finished plan year's closing figure (found as for B); otherwise this period's value."""
        fig.plan_period_target = self.plan_target(ind)
        if fig.value is None:
            return
        if ind.kind != INCREMENT:
            fig.plan_to_date = fig.value
            return
        running = fig.value
        for y in (y for y in self.plan.years if y < period.year):
            closing = self.year_end(ind, y)[0]
            if closing is None:
                fig.missing_years.append(y)
            else:
                running += closing
        fig.plan_to_date = running
        if fig.missing_years:
            years = "、".join(f"{y}年" for y in fig.missing_years)
            fig.notes.append(f"计划累计缺少{years}年末数据，未计入")

    def plan_target(self, ind: Indicator) -> float | None:
        """The plan-period target: the yearly targets (caps) added up for an increment, the final
        year's for the others (relative and straight-line years worked out as judged)."""
        years = self.plan.years
        if not years or ind.kind == MILESTONE:
            return None
        if ind.kind == PLAN_TOTAL:
            final = ind.final_target()
            return final.value if final is not None else None
        if ind.kind == INCREMENT:
            found = [self.year_target(ind, y) for y in years if ind.target_for(y) is not None]
            if not found or any(t.target is None for t in found):
                return None
            return sum(t.target.value for t in found)
        last = self.year_target(ind, years[-1]).target
        return last.value if last is not None else None

    def _splits(self, period: Period, ind: Indicator, reported: dict[str, ReportedValue],
                share: float) -> list[SplitFigure]:
        """Own targets of reporters and groups. A whole-plan span is judged like a plan total, with
        the plan's elapsed share as 序时进度 (X = T × share; 序时推进 while share < 1)."""
        plan, e = self.plan, period.elapsed
        out: list[SplitFigure] = []
        if not ind.reported_in(period):
            return out

        def current(name):
            rv = reported.get(name)
            return rv.value if rv is not None else None

        op = "<=" if ind.is_down else ">="

        def judge(name, members, span, target_value, value, is_group):
            kind, elapsed = ind.kind, e
            if "-" in span:  # a whole-plan span: a plan total; for a cap on a count, a cap on the plan's sum;
                # a falling level is judged as a level (its split is the level it must be within)
                if ind.is_down:
                    kind, elapsed = (INCREMENT, share) if ind.kind in YEAR_COUNTS else (ind.kind, e)
                else:
                    kind, elapsed = PLAN_TOTAL, e
            a = assess(kind, value, Target(float(target_value), op), elapsed, share, plan.tolerance,
                       down=ind.is_down)
            split = SplitFigure(name, members, span, value, a, is_group)
            if a.status in BEHIND:
                before = period.previous()
                earlier = next((s for s in self.figures(before).by_code(ind.code).splits if s.name == name),
                               None) if self.in_plan(before) else None
                split.lagging_periods = 1 + (earlier.lagging_periods if earlier else 0)
            out.append(split)

        for name, spans in ind.reporter_targets.items():
            span = str(period.year) if str(period.year) in spans else next((s for s in spans if "-" in s), None)
            if span is None:
                continue
            value = current(name)
            if "-" in span and value is not None:
                value += self._earlier_sum(period, ind, name)
            judge(name, (name,), span, spans[span], value, False)
        for g in ind.group_targets:
            if "-" not in g.span and g.span != str(period.year):
                continue
            members = tuple(r.name for r in plan.group_members(g.group))
            now = [current(m) for m in members if current(m) is not None]
            complete = all(m in reported for m in members)  # a group's sum waits for every member
            value = sum(now) if now and complete else None
            if "-" in g.span and value is not None:
                value += sum(self._earlier_sum(period, ind, m) for m in members)
            judge(g.group, members, g.span, g.value, value, True)
        return out

    def _earlier_sum(self, period: Period, ind: Indicator, name: str) -> float:
        """A reporter's closing figures of the earlier plan years (increments only; else 0)."""
        if ind.kind != INCREMENT:
            return 0.0
        return sum(self.year_end(ind, y, name)[0] or 0.0 for y in self.plan.years if y < period.year)
