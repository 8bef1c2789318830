"""District-wide figures and 红黄绿灯 statuses of one period: what the report says of each indicator.

Plain dataclasses; :class:`wjexcel.report.history.History` computes them by the rule of
:mod:`wjexcel.report.rule`, for any period of the plan. The rule texts printed in the report
live in :mod:`wjexcel.report.briefing`.

A towns' sum is the district's figure only when every town sent the indicator has an accepted
form for the period; until then the figure is None (未报送) and ``partial`` says how far it got.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from wjexcel.periods import Period
from wjexcel.plan.model import Indicator, Target, YEAR_COUNTS, format_number, plain_number
from wjexcel.plan.plan import Plan
from wjexcel.report.rule import (ACTUAL, BEHIND, DONE, EPS, LAGGING, MISSING, NOT_ASSESSED, NOT_DUE, ON_SCHEDULE,
                                 ON_TRACK, PLAN_BASE, SEVERE, STATUSES, TARGET, UNTALLIED, Assessment, Baseline,
                                 MilestoneAssessment, Status)

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
