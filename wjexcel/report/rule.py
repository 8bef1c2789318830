"""The status rule: one value of an indicator judged against its year's target (红黄绿灯).

Pure functions of numbers; no plan look-ups, no ledger. The rule, with ``T`` the year's
target, ``e`` the 序时进度, ``s`` the share of the plan elapsed, ``B`` the baseline, ``tol`` the
plan's tolerance:

越大越好 (a goal):

============  ======================  ==============================  ===========
kind          expected value ``X``     band ``D`` (“100%”)             on time by
============  ======================  ==============================  ===========
increment     ``T·e``                 ``T``                           ``e``
annual        ``T·e``                 ``T``                           ``e``
stock         ``B + (T−B)·e`` or T    ``T − B`` where positive, or T  ``e``
ratio         ``B + (T−B)·e`` or T    ``X``                           ``e``
plan_total    ``T·s``                 ``T``                           ``s``
============  ======================  ==============================  ===========

no value → 未报送; meets ``T`` → 已完成; on time < 1 and value ≥ X → 序时推进;
value ≥ X − tol·D → 滞后; else 严重滞后.

越小越好 (a cap or a level that must fall): increment and annual are caps on what the year
adds up to (X = T·e, D = T): not meeting T is 严重滞后 at once (the year's cap is spent); at
year-end meeting it is 已完成; value ≤ X → 序时推进; value ≤ X + tol·D → 滞后; else 严重滞后. A
stock or ratio must fall from B towards T (X = B + (T−B)·e or T; D = B − T where positive, else
T, for a stock; X for a ratio): meets → 已完成; value ≤ X → 序时推进; value ≤ X + tol·D → 滞后;
else 严重滞后. ``completion`` is None for a cap; ``progress`` is the share of the cap used
(increment, annual) or the share of the required fall achieved (stock, ratio, where B > T).

A milestone (节点任务) is judged by the states its reporters gave (:func:`assess_milestone`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from wjexcel.periods import Period
from wjexcel.plan.model import (COMPLETED, LEVELS, MILESTONE_STATES, NOT_STARTED, PLAN_TOTAL, RATIO, STOCK,
                                YEAR_COUNTS, Target, due_label, format_number)

EPS = 1e-9
"""Slack on every comparison, the same in Python and in the Excel formulas."""


class Status(StrEnum):
    """A 红黄绿灯 status; its value is the Chinese word the JSON and the report print."""

    DONE = "已完成"
    ON_TRACK = "序时推进"
    LAGGING = "滞后"
    SEVERE = "严重滞后"
    MISSING = "未报送"
    NOT_DUE = "本期不报"
    NOT_ASSESSED = "本年不考核"


DONE, ON_TRACK, LAGGING, SEVERE, MISSING = (Status.DONE, Status.ON_TRACK, Status.LAGGING, Status.SEVERE,
                                            Status.MISSING)
NOT_DUE, NOT_ASSESSED = Status.NOT_DUE, Status.NOT_ASSESSED
STATUSES = (DONE, ON_TRACK, LAGGING, SEVERE, MISSING)
"""The statuses that are tallied (本期不报 and 本年不考核 are not)."""
BEHIND = (LAGGING, SEVERE)
ON_SCHEDULE = (DONE, ON_TRACK)
UNTALLIED = (NOT_DUE, NOT_ASSESSED)

ACTUAL, TARGET, PLAN_BASE = "actual", "target", "plan"
BASELINE_LABELS = {ACTUAL: "上年实际", TARGET: "上年目标", PLAN_BASE: "计划基期值"}

LINEAR = "linear"
RELATIVE = "relative"
"""How a year's target was worked out when the plan did not give the number itself."""


@dataclass(frozen=True)
class Baseline:
    """``B`` of the rule and where it came from (``actual`` / ``target`` / ``plan``)."""

    value: float
    source: str
    period: Period | None = None  # the closing period an actual value was found in

    def label(self) -> str:
        """``137（上年实际，2021年度）``: the value and where it came from, as the 说明 prints it."""
        where = f"，{self.period.label}" if self.period else ""
        return f"{format_number(self.value)}（{BASELINE_LABELS[self.source]}{where}）"


@dataclass(frozen=True)
class Assessment:
    """A value judged against a target: ``X``, ``D``, completion, progress and status."""

    target: float | None
    op: str
    expected: float | None
    band: float | None
    completion: float | None
    progress: float | None
    status: Status
    baseline: Baseline | None = None
    down: bool = False

    def gap(self, value: float | None) -> float | None:
        """How far behind: ``X`` − value for a goal, value − ``X`` for a cap (negative when ahead)."""
        if self.expected is None:
            return None
        if self.down:
            return (value or 0.0) - self.expected
        return self.expected - (value or 0.0)


def assess(kind: str, value: float | None, target: Target | None, elapsed: float, share: float,
           tolerance: float, baseline: Baseline | None = None, down: bool = False) -> Assessment:
    """The status rule for one value of an indicator (or a split) of ``kind``.

    ``target`` must be resolved (a number); None means the year is not judged (本年不考核).
    """
    if target is None or target.value is None:
        op = target.op if target is not None else ("<=" if down else ">=")
        return Assessment(None, op, None, None, None, None, NOT_ASSESSED, baseline, down)
    if down:
        return _assess_down(kind, value, target, elapsed, tolerance, baseline)
    t = target.value
    b = baseline.value if baseline is not None and kind in LEVELS else None
    if kind in YEAR_COUNTS:
        expected, band, due = t * elapsed, t, elapsed
    elif kind == PLAN_TOTAL:
        expected, band, due = t * share, t, share
    else:
        expected = t if b is None else b + (t - b) * elapsed
        band = expected if kind == RATIO else (t - b if b is not None and t - b > 0 else t)
        due = elapsed
    if value is None:
        return Assessment(t, target.op, expected, band, None, None, MISSING, baseline)
    if target.met_by(value):
        status = DONE
    elif due < 1 and value >= expected - EPS:
        status = ON_TRACK
    elif value >= expected - tolerance * abs(band) - EPS:
        status = LAGGING
    else:
        status = SEVERE
    completion = value / t if t else None
    if kind == STOCK and b is not None and t > b:
        progress = (value - b) / (t - b)
    elif kind == RATIO:
        progress = value / expected if expected else None
    else:
        progress = completion
    return Assessment(t, target.op, expected, band, completion, progress, status, baseline)


def _assess_down(kind: str, value: float | None, target: Target, elapsed: float, tolerance: float,
                 baseline: Baseline | None) -> Assessment:
    t = target.value
    b = baseline.value if baseline is not None and kind in LEVELS else None
    if kind in YEAR_COUNTS:
        expected, band = t * elapsed, t
    else:
        expected = t if b is None else b + (t - b) * elapsed
        band = expected if kind == RATIO else (b - t if b is not None and b - t > 0 else t)
    if value is None:
        return Assessment(t, target.op, expected, band, None, None, MISSING, baseline, True)
    meets = target.met_by(value)
    if kind in YEAR_COUNTS:
        if not meets:
            status = SEVERE
        elif elapsed >= 1:
            status = DONE
        else:
            status = _within(value, expected, band, tolerance)
        progress = value / t if t else None
    else:
        status = DONE if meets else _within(value, expected, band, tolerance)
        progress = (b - value) / (b - t) if b is not None and b > t else None
    return Assessment(t, target.op, expected, band, None, progress, status, baseline, True)


def _within(value: float, expected: float, band: float, tolerance: float) -> Status:
    if value <= expected + EPS:
        return ON_TRACK
    if value <= expected + tolerance * abs(band) + EPS:
        return LAGGING
    return SEVERE


@dataclass(frozen=True)
class MilestoneAssessment:
    """A 节点任务 judged at a period's end: its due month, the states reported, the status."""

    due: str  # "2023-06"
    states: dict[str, str]  # reporter -> 未启动 / 推进中 / 已完成
    status: Status
    overdue: bool
    expected: tuple[str, ...] = ()  # who is to report a state

    @property
    def due_label(self) -> str:
        return due_label(self.due)

    @property
    def missing(self) -> list[str]:
        """The expected reporters who gave no state."""
        return [r for r in self.expected if r not in self.states]

    def to_json(self) -> dict:
        return {"due": self.due, "states": dict(self.states)}


def milestone_state(value: float | None) -> str | None:
    """The state word stored in the ledger as its index (0 未启动, 1 推进中, 2 已完成)."""
    if value is None:
        return None
    index = int(round(value))
    return MILESTONE_STATES[index] if 0 <= index < len(MILESTONE_STATES) else None


def assess_milestone(due: str, period: Period, states: dict[str, str | None],
                     expected: list[str]) -> MilestoneAssessment:
    """A milestone's status at ``period``'s end.

    已完成 when every expected reporter says so; past the due month and not all 已完成 → 严重滞后
    (逾期未完成), reported or not; else anyone missing → 未报送; 未启动 in the due year → 滞后;
    else 序时推进.
    """
    due_year, due_month = (int(x) for x in due.split("-"))
    end = period.end_date
    overdue = (end.year, end.month) > (due_year, due_month)
    given = {r: s for r, s in states.items() if s}
    shown = {r: given[r] for r in expected if r in given}
    if expected and all(given.get(r) == COMPLETED for r in expected):
        status = DONE
    elif overdue:
        status = SEVERE
    elif any(r not in given for r in expected) or not expected:
        status = MISSING
    elif end.year == due_year and any(given[r] == NOT_STARTED for r in expected):
        status = LAGGING
    else:
        status = ON_TRACK
    return MilestoneAssessment(due, shown, status, overdue and status != DONE, tuple(expected))
