"""The towns ranked by results: their split targets and their share of the district's figures.

Whether a town filled its form in time is shown beside the ranking and never enters the
score. The method, printed under the table (:func:`wjexcel.report.briefing.ranking_rule`):

* 分解目标得分: for each split target the town has (its own or its group's), how much of what
  is due by now it has reached, ``min(value / X, 1) × 100`` (0 without a value); their mean.
  A 越小越好 split (a cap) scores 100 when within what is allowed by now, else 0.
* 贡献得分: for each indicator the towns' figures add up in (no ratios, no sub-items, no
  越小越好 indicator — a bad count must never raise a town's share), the
  town's share of the towns' total; the mean share, scaled so that the largest is 100.
* 综合得分 = :data:`SPLIT_WEIGHT` × 分解目标得分 + (1 − :data:`SPLIT_WEIGHT`) × 贡献得分; a town
  without a split target is scored on 贡献得分 alone. Equal scores share a rank; the change
  is against the previous period's ranking by the same method.
"""

from __future__ import annotations

from dataclasses import dataclass

from wjexcel.plan.model import MILESTONE, RATIO
from wjexcel.report.figures import ON_SCHEDULE, Figures, SplitFigure

SPLIT_WEIGHT = 0.6


@dataclass(frozen=True)
class TownScore:
    """One 区镇's place in the ranking, and (apart) how fully it reported."""

    reporter: str
    split_score: float | None
    share_score: float
    score: float
    rank: int
    previous_rank: int | None
    filled: int
    expected: int

    @property
    def rank_change(self) -> int | None:
        """Places gained since the previous period (negative: places lost)."""
        return None if self.previous_rank is None else self.previous_rank - self.rank

    @property
    def fill_rate(self) -> float:
        return self.filled / self.expected if self.expected else 0.0


def rank_towns(figures: Figures, previous: Figures | None = None) -> list[TownScore]:
    """Score and rank the 区镇 of ``figures``; ``previous`` gives the rank change."""
    plan = figures.plan
    towns = {t.name for t in plan.districts}
    totals = {f.code: sum(v for r, v in f.by_reporter.items() if r in towns) for f in figures.judged
              if f.indicator.kind not in (RATIO, MILESTONE) and not f.indicator.parent
              and f.indicator.district_reported and not f.indicator.is_down}
    summed = [f for f in figures.judged if totals.get(f.code, 0) > 0]
    shares = {}
    for town in towns:
        each = [f.by_reporter.get(town, 0.0) / totals[f.code] for f in summed]
        shares[town] = sum(each) / len(each) if each else 0.0
    top = max(shares.values(), default=0.0)
    scored = []
    for town in plan.districts:
        reached = [split_points(s, f.indicator.is_down)
                   for f in figures.judged for s in f.splits if town.name in s.members]
        split = sum(reached) / len(reached) if reached else None
        share = 100 * shares[town.name] / top if top else 0.0
        score = share if split is None else SPLIT_WEIGHT * split + (1 - SPLIT_WEIGHT) * share
        codes = [i.code for i in plan.indicators_for(town, figures.period)]
        filled = sum(1 for f in figures.indicators if f.code in codes
                     and town.name in (f.milestone.states if f.milestone else f.by_reporter))
        scored.append((town.name, split, share, round(score, 1), filled, len(codes)))
    scored.sort(key=lambda s: -s[3])
    before = {t.reporter: t.rank for t in rank_towns(previous)} if previous is not None and previous.reporters_seen \
        else {}
    out: list[TownScore] = []
    for i, (name, split, share, score, filled, expected) in enumerate(scored):
        rank = out[-1].rank if out and out[-1].score == score else i + 1
        out.append(TownScore(name, split, share, score, rank, before.get(name), filled, expected))
    return out


def split_points(split: SplitFigure, down: bool) -> float:
    """0-100 for one split target: the share of what is due by now (a goal), or whether a cap holds."""
    a = split.assessment
    if down:
        return 100.0 if a.status in ON_SCHEDULE else 0.0
    if not a.expected:
        return 100.0
    return min((split.value or 0.0) / a.expected, 1.0) * 100
