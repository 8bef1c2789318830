"""The towns' ranking (its definition is printed under the table: :func:`wjexcel.report.briefing.ranking_rule`)."""

from __future__ import annotations

from dataclasses import dataclass

from wjexcel.report.figures import DONE, LAGGING, MISSING, ON_TRACK, SEVERE, Figures


SPLIT_POINTS = {DONE: 100, ON_TRACK: 100, LAGGING: 60, SEVERE: 20, MISSING: 0}


FILL_WEIGHT = 0.4


@dataclass(frozen=True)
class TownScore:
    """One 区镇's place in the ranking (definition in :func:`wjexcel.report.briefing.ranking_rule`)."""

    reporter: str
    filled: int
    expected: int
    split_points: float | None
    score: float
    rank: int = 0

    @property
    def fill_rate(self) -> float:
        return self.filled / self.expected if self.expected else 0.0


def rank_towns(figures: Figures) -> list[TownScore]:
    """Score and rank the 区镇: 40% share of their indicators filled, 60% their split targets'
    status points (100 已完成/序时推进, 60 滞后, 20 严重滞后, 0 未报送); without a split
    target the fill share alone counts. Equal scores share a rank."""
    plan = figures.plan
    scores = []
    for town in plan.districts:
        codes = [i.code for i in plan.indicators_for(town)]
        filled = sum(1 for f in figures.indicators if f.code in codes and town.name in f.by_reporter)
        points = [SPLIT_POINTS[s.assessment.status] for f in figures.indicators for s in f.splits
                  if town.name in s.members]
        fill = filled / len(codes) if codes else 0.0
        if points:
            split = sum(points) / len(points)
            score = 100 * FILL_WEIGHT * fill + (1 - FILL_WEIGHT) * split
        else:
            split, score = None, 100 * fill
        scores.append(TownScore(town.name, filled, len(codes), split, round(score, 1)))
    scores.sort(key=lambda s: -s.score)
    ranked = []
    for i, s in enumerate(scores):
        rank = ranked[-1].rank if ranked and ranked[-1].score == s.score else i + 1
        ranked.append(TownScore(s.reporter, s.filled, s.expected, s.split_points, s.score, rank))
    return ranked
