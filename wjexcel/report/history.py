"""The figures of any period, by the rule of :mod:`wjexcel.report.rule`: :class:`History`.

Pure: accepted values in (what the ledger hands over, for every period), the dataclasses of
:mod:`wjexcel.report.figures` out; no files, no database. :class:`History` consolidates any
period of the plan by the same rules, so the figures of a period can look back: the baseline
``B`` (last year's closing figure), the year's target where the plan gives words instead of a
number, the previous period (环比), the same period a year earlier (同比), how many periods in a
row an indicator has lagged, the plan-to-date figure.
"""

from __future__ import annotations

from dataclasses import dataclass

from wjexcel.periods import Period, year_ends
from wjexcel.plan.model import (DISTRICT, INCREMENT, LEVELS, MILESTONE, PLAN_TOTAL, RATIO, Indicator, Target,
                                YEAR_COUNTS)
from wjexcel.plan.plan import Plan
from wjexcel.records import ReportedValue
from wjexcel.report.figures import (DISTRICTS, NONE, SOURCE, Figures, IndicatorFigure, Partial, PeriodValue,
                                    SplitFigure, YearTarget, number_text, plan_share_fraction)
from wjexcel.report.rule import (ACTUAL, BEHIND, EPS, LINEAR, PLAN_BASE, RELATIVE, TARGET, Baseline,
                                 MilestoneAssessment, assess, assess_milestone, milestone_state)


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
    return History.from_codes(plan, values).figures(period)


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

    def __init__(self, plan: Plan, values: dict[Period, list[ReportedValue]]):
        self.plan = plan
        self.values = values
        self._targets: dict[tuple[str, int], YearTarget] = {}
        self._index = {period: _index(v) for period, v in values.items()}
        self._figures: dict[Period, Figures] = {}
        self._one: dict[tuple[Period, str], IndicatorFigure] = {}

    @classmethod
    def from_codes(cls, plan: Plan, values: dict[str, list[ReportedValue]]) -> "History":
        """The history of values keyed by period code, as the ledger hands them over (each code parsed here, once)."""
        return cls(plan, {Period.parse(code): v for code, v in values.items()})

    def reported(self, period: Period, code: str) -> dict[str, ReportedValue]:
        return self._index.get(period, {}).get(code, {})

    def value(self, period: Period, ind: Indicator) -> float | None:
        return district_value(self.plan, ind, self.reported(period, ind.code)).value

    def periods_with_data(self) -> list[Period]:
        return sorted(period for period, v in self.values.items() if v)

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
            return Baseline(value, ACTUAL, where)
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
        figures = [self.figure(period, ind) for ind in plan.indicators]
        by_code = {f.code: f for f in figures}
        for f in figures:
            parent = by_code.get(f.indicator.parent or "")
            if parent and f.value is not None and parent.value is not None and f.value > parent.value + EPS:
                f.notes.append(f"“其中”项 {number_text(f.value)} 大于上级指标“{parent.indicator.name}”的 "
                               f"{number_text(parent.value)}，请核实")
        seen = sorted({rv.reporter for rv in self.values.get(period, [])})
        return Figures(plan, period, figures, seen)

    def figure(self, period: Period, ind: Indicator) -> IndicatorFigure:
        """One indicator's figure for ``period`` (an earlier period's run of lagging needs only that
        indicator's, not the whole period's)."""
        key = (period, ind.code)
        if key not in self._one:
            self._one[key] = self._figure(period, ind)
        return self._one[key]

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
            fig.lagging_periods = 1 + (self.figure(previous, fig.indicator).lagging_periods
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
        for other in self.values:
            if other < period and other.end_date <= period.end_date:
                rv = self._index.get(other, {}).get(ind.code, {}).get(name)
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
                earlier = next((s for s in self.figure(before, ind).splits if s.name == name),
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
