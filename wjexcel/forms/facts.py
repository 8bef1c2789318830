"""The plan facts a form carries about itself, signed with it.

A returned form is checked against what its reporter saw: each indicator's name, unit
and sub-item parent, the target its value is held against, and the columns of each 明细
list. The generator writes these facts into the hidden metadata sheet, one row per
indicator and per list, so they are covered by the form's signature. A town checking its
own form outside the workspace (``wjexcel check``), or a plan edited since the form was
sent, then changes nothing about how the form is read. Forms of wjexcel 0.1 carry no
facts; :meth:`FormFacts.from_plan` rebuilds them from a plan.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from wjexcel.plan.model import DetailColumn, DetailList, Indicator, Reporter, is_percent_unit
from wjexcel.plan.plan import Plan

INDICATOR_PREFIX = "indicator:"
_MILESTONE, _NEGATIVE = "milestone", "negative"
"""Flags of an indicator fact (a fifth element, written only when one is set: older forms have four)."""
LIST_PREFIX = "list:"


@dataclass(frozen=True)
class IndicatorFacts:
    """What the form says about one indicator."""

    code: str
    name: str
    unit: str
    parent: str | None
    target: float | None  # what the reporter's value is held against, if anything
    milestone: bool = False  # a 节点任务: the value cell holds a state (未启动 / 推进中 / 已完成)
    negative_allowed: bool = False  # 可为负数

    @property
    def is_percent(self) -> bool:
        return is_percent_unit(self.unit)


@dataclass(frozen=True)
class FormFacts:
    """The indicators and detail lists of one form, by code."""

    indicators: dict[str, IndicatorFacts]
    lists: dict[str, DetailList]

    @classmethod
    def from_plan(cls, plan: Plan, reporter: Reporter | None, year: int | None) -> "FormFacts":
        """The facts as the plan gives them (every indicator; every list)."""
        return cls.for_form(plan, reporter, year, plan.indicators, plan.detail_lists)

    @classmethod
    def for_form(cls, plan: Plan, reporter: Reporter | None, year: int | None, indicators: list[Indicator],
                 lists: list[DetailList]) -> "FormFacts":
        """The facts of one form holding ``indicators`` and ``lists``, targets those of ``year``."""
        return cls({i.code: IndicatorFacts(i.code, i.name, i.unit, i.parent, plan.reference_target(i, reporter, year),
                                           i.is_milestone, i.negative_allowed)
                    for i in indicators}, {d.code: d for d in lists})

    def to_meta(self) -> dict[str, str]:
        """Metadata rows: ``indicator:<code>`` and ``list:<code>`` → compact JSON."""
        rows = {}
        for f in self.indicators.values():
            fact = [f.name, f.unit, f.parent, f.target]
            flags = {k: True for k, on in ((_MILESTONE, f.milestone), (_NEGATIVE, f.negative_allowed)) if on}
            rows[INDICATOR_PREFIX + f.code] = _dump(fact + [flags] if flags else fact)
        for d in self.lists.values():
            rows[LIST_PREFIX + d.code] = _dump({
                "name": d.name, "indicator": d.indicator, "check": d.check, "sum_column": d.sum_column,
                "columns": [[c.name, c.type, c.required, list(c.choices)] for c in d.columns]})
        return rows

    @classmethod
    def from_meta(cls, meta: dict) -> "FormFacts | None":
        """The facts written by :meth:`to_meta`; None when the form has none (wjexcel 0.1).

        Raises:
            ValueError: A fact row is not what the generator writes.
        """
        indicators, lists = {}, {}
        for key, raw in meta.items():
            if key.startswith(INDICATOR_PREFIX):
                code = key[len(INDICATOR_PREFIX):]
                fact = _load(raw, list)
                if len(fact) not in (4, 5) or (len(fact) == 5 and not isinstance(fact[4], dict)):
                    raise ValueError(key)
                name, unit, parent, target = fact[:4]
                flags = fact[4] if len(fact) == 5 else {}
                indicators[code] = IndicatorFacts(code, _str(name), _str(unit), _str(parent) or None,
                                                  _number(target), flags.get(_MILESTONE) is True,
                                                  flags.get(_NEGATIVE) is True)
            elif key.startswith(LIST_PREFIX):
                code = key[len(LIST_PREFIX):]
                spec = _load(raw, dict)
                columns = []
                for column in spec.get("columns") or []:
                    if not isinstance(column, list) or len(column) != 4:
                        raise ValueError(key)
                    name, kind, required, choices = column
                    columns.append(DetailColumn(_str(name), _str(kind) or "text",
                                                tuple(_str(c) for c in choices or ()), bool(required)))
                lists[code] = DetailList(code, _str(spec.get("name")), _str(spec.get("indicator")), columns,
                                         _str(spec.get("check")) or "none", _str(spec.get("sum_column")))
        if not indicators:
            return None
        return cls(indicators, lists)


def _dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _load(raw, kind: type, length: int | None = None):
    value = json.loads(raw if isinstance(raw, str) else "")
    if not isinstance(value, kind) or (length is not None and len(value) != length):
        raise ValueError("fact")
    return value


def _str(value) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError("fact")
    return value


def _number(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("fact")
    return float(value)
