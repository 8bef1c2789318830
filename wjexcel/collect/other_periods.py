"""Forms for another period, and forms for a 定稿 period: said as what they are.

Last quarter's form, refilled during this quarter, is a genuine form of last quarter: it is
accepted into that period like any other, and supersedes the version there. A summary that
only says "接收 1 个" hides that an earlier period just changed. So every new file identified
for a period other than the one being worked on is named in the summary as what it is — the
更正 (a correction: the reporter had a version there already) or the 补报 (a late first
report) of that period — and a file for a period that is 定稿 says so: it is archived and
counts for that period, its 定稿 report is never touched, and the next consolidation of the
period lists the change in 更正说明.

The period being worked on is the one ``run`` was given; for a bare ``collect`` (and in
``collect --json``), the period forms were last generated for.
"""

from __future__ import annotations

from wjexcel.errors import PeriodError
from wjexcel.periods import Period
from wjexcel.records import Verdict
from wjexcel.workspace.ledger import Ledger

COUNTING = (Verdict.ACCEPTED, Verdict.SUPERSEDED)


def _counts(v) -> bool:
    """A file this run recorded as a genuine form of some reporter and period (accepted, or kept as an
    older version)."""
    return not v.unchanged and not v.container and v.status in COUNTING and bool(v.reporter and v.period)


def mark(ledger: Ledger, verdicts: list) -> str | None:
    """Set ``other_period``, ``correction`` and ``final_period`` on the new counting verdicts; return the
    period being worked on (the one forms were last generated for)."""
    current = ledger.latest_generated_period()
    finals = {r.period for r in ledger.finals()}
    for v in filter(_counts, verdicts):
        v.other_period = v.period if current and v.period != current else None
        v.correction = any(s.id < v.submission_id for s in ledger.candidates(v.reporter, v.period))
        v.final_period = v.period in finals
    return current


def _label(code: str) -> str:
    try:
        return Period.parse(code).label
    except PeriodError:
        return code


def what_it_is(v) -> str:
    """``七都镇 2022年第二季度的更正`` (or 补报), and whether it counts there."""
    return f"{v.reporter} {_label(v.period)}{_kind(v)}"


def _kind(v) -> str:
    """``的更正（已接收，替代此前的版本）``: 更正 or 补报, and whether it counts."""
    kind = "更正" if v.correction else "补报"
    counted = "已接收" + ("，替代此前的版本" if v.correction else "") if v.status == Verdict.ACCEPTED else \
        "不比已收到的版本新，未替代它，已存档"
    return f"的{kind}（{counted}）"


LISTED = 10
"""Up to this many forms for other periods are named one by one; more are said period by period."""

NAMED = 10
"""Reporters named in one group of a period's forms before ``等 N 个单位``."""


def _grouped(others: list) -> list[str]:
    """A line for each period: ``  2022年第二季度 18 个：七都镇、桃源镇等 17 个单位的补报（已接收）；平望镇的更正（…）。``"""
    periods = []
    for code in sorted({v.period for v in others}):
        mine = [v for v in others if v.period == code]
        groups: dict[str, list[str]] = {}
        for v in mine:
            groups.setdefault(_kind(v), []).append(v.reporter)
        said = []
        for what, who in groups.items():
            names = list(dict.fromkeys(who))
            text = "、".join(names[:NAMED]) + (f"等 {len(names)} 个单位" if len(names) > NAMED else "")
            said.append(text + what)
        periods.append(f"  {_label(code)} {len(mine)} 个：" + "；".join(said) + "。")
    return periods


def period_lines(verdicts: list, current: str | None) -> list[str]:
    """The summary lines: forms for periods other than ``current``, then what a 定稿 period means for them."""
    lines = []
    others = [v for v in verdicts if _counts(v) and current and v.period != current]
    if others:
        head = f"其中 {len(others)} 个不是本期（{_label(current)}）的报表："
        if len(others) <= LISTED:
            lines.append(head + "；".join(what_it_is(v) for v in others) + "。")
        else:
            lines += [head, *_grouped(others)]
    finals = sorted({v.period for v in verdicts if _counts(v) and v.final_period})
    for code in finals:
        mine = [v for v in verdicts if _counts(v) and v.final_period and v.period == code]
        who = "、".join(dict.fromkeys(v.reporter for v in mine))
        changes = any(v.status == Verdict.ACCEPTED for v in mine)
        lines.append(f"{_label(code)}已定稿：{who}的{'这份' if len(mine) == 1 else ''}报表已收下存档，定稿的汇总表不会改动；"
                     + (f"下次汇总{_label(code)}时，新汇总表的“更正说明”会列出变化的数字。" if changes
                        else "它未替代现有版本，数字不变。"))
    return lines
