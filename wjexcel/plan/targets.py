"""Read a target cell of the plan workbook in the words plans use.

Chinese legal usage decides the operator: 以上, 以下, 以内 include the number; 超, 高于, 低于,
不足, 不满 exclude it. A 越大越好 row reads ``1400``, ``达1400``, ``1400以上``, ``不低于1400``,
``≥1400`` as ``>=`` and ``超1200``, ``高于1200``, ``>1200`` as ``>``; a 越小越好 row reads ``35以下``,
``≤32``, ``28以内``, ``控制在28以内``, ``不超过28``, ``不高于28`` and a bare number as ``<=``, and
``低于30``, ``<30`` as ``<``. ``85%左右``, ``约85``, ``力争90%以上`` take the row's operator; a range
``1～2`` its lower bound (越大越好) or upper bound (越小越好); ``较上年下降5%`` / ``较上年增长8%`` is a
relative target worked out at judgement. A milestone's due-year cell holds the deliverable word
(``建成``) or a date (``2023年6月底``, ``2023-06``). The words are kept as the target's label
where they say more than an operator and a number (左右, 力争, a range, a relative change, a due).
"""

from __future__ import annotations

import re

from wjexcel.plan.layout import norm
from wjexcel.plan.model import DOWN, MILESTONE_WORDS, UP, Target, format_number, is_percent_unit
from wjexcel.values import parse_number

_UP_PREFIXES = ((">=", ">="), ("≥", ">="), ("≧", ">="), ("达到", ">="), ("达", ">="), ("不低于", ">="),
                ("不少于", ">="), ("高于", ">"), ("超过", ">"), ("超", ">"), ("多于", ">"), (">", ">"))
_DOWN_PREFIXES = (("<=", "<="), ("≤", "<="), ("≦", "<="), ("控制在", "<="), ("不超过", "<="), ("不高于", "<="),
                  ("不多于", "<="), ("低于", "<"), ("少于", "<"), ("不足", "<"), ("不满", "<"), ("<", "<"))
_UP_SUFFIXES = (("及以上", ">="), ("以上", ">="))
_DOWN_SUFFIXES = (("及以下", "<="), ("以下", "<="), ("以内", "<="))
_LOOSE_PREFIXES = ("力争", "争取", "确保", "约", "大约", "目标")
_LOOSE_SUFFIXES = ("左右", "上下")
_RELATIVE_RE = re.compile(r"^(?:较上年|比上年|较去年|比去年|同比)(下降|降低|减少|增长|提高|增加)(.+)$")
_RANGE_RE = re.compile(r"^(-?[\d.]+%?)[～~〜\-—至到]+(-?[\d.]+%?)$")
_DUE_RE = re.compile(r"^(\d{4})(?:年(?:(\d{1,2})月)?(?:底|末|前|底前|末前)?|[-./](\d{1,2}))?(.*)$")


def parse_target(raw, unit: str = "", direction: str = UP, *, milestone: bool = False,
                 year: int | None = None) -> tuple[Target | None, str | None]:
    """Read one target cell.

    Args:
        raw: The cell as read (a number or text).
        unit: The indicator's unit (``%`` lets ``3.6%`` mean 3.6).
        direction: ``up`` (越大越好) or ``down`` (越小越好): the operator a bare number means.
        milestone: The row is a 节点任务: the cell holds a deliverable or a due date.
        year: The column's year (a milestone due in another year is an error).

    Returns:
        ``(target, None)``; ``(None, None)`` for a blank cell; ``(None, message)`` saying what to write.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    if milestone:
        return _due(raw, year)
    percent = is_percent_unit(unit)
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        parsed = parse_number(raw, percent_unit=percent)
        default = "<=" if direction == DOWN else ">="
        return (Target(float(parsed.value), default), None) if parsed.ok else (None, _unreadable(raw, direction))
    typed = str(raw).strip()
    text = norm(typed)
    default = "<=" if direction == DOWN else ">="
    relative = _RELATIVE_RE.match(text)
    if relative:
        return _relative(typed, relative, percent, default)
    op, loose = None, False
    for prefix in _LOOSE_PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix):
            text, loose = text[len(prefix):], True
            break
    wrong = None
    for prefixes, side in ((_UP_PREFIXES, UP), (_DOWN_PREFIXES, DOWN)):
        for prefix, prefix_op in prefixes:
            if text.startswith(prefix) and len(text) > len(prefix):
                text, op = text[len(prefix):], prefix_op
                wrong = side != direction
                break
        if op:
            break
    for suffixes, side in ((_UP_SUFFIXES, UP), (_DOWN_SUFFIXES, DOWN)):
        for suffix, suffix_op in suffixes:
            if text.endswith(suffix) and len(text) > len(suffix):
                if op and op != suffix_op and (op in ("<=", "<")) != (suffix_op in ("<=", "<")):
                    return None, f"目标“{typed}”前后矛盾，请只写一种说法，如“{_example(direction)}”"
                text, op = text[: -len(suffix)], op or suffix_op
                wrong = wrong or side != direction
                break
    for suffix in _LOOSE_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text, loose = text[: -len(suffix)], True
            break
    if wrong:
        row, other = ("越大越好", "越小越好") if direction == UP else ("越小越好", "越大越好")
        return None, (f"目标“{typed}”是{other}的写法，但这一行的方向是{row}：请改写目标"
                      f"（如“{_example(direction)}”），或把“方向”改为{other}")
    span = _RANGE_RE.match(text)
    if span:
        low, high = (_number(part, percent, unit) for part in span.groups())
        if low is None or high is None or low > high:
            return None, _unreadable(raw, direction)
        bound = high if direction == DOWN else low
        return Target(bound, op or default, typed), None
    value = _number(text, percent, unit)
    if value is None:
        return None, _unreadable(raw, direction)
    return Target(value, op or default, typed if loose else ""), None


def _number(text: str, percent: bool, unit: str) -> float | None:
    parsed = parse_number(text, percent_unit=percent, unit=unit or None)
    return float(parsed.value) if parsed.ok and parsed.value is not None else None


def _relative(typed: str, match, percent: bool, op: str) -> tuple[Target | None, str | None]:
    verb, amount = match.groups()
    amount = amount.rstrip("左右")
    if not amount.endswith("%"):
        return None, f"目标“{typed}”应写成百分数，如“较上年下降5%”"
    parsed = parse_number(amount[:-1], percent_unit=False)
    if not parsed.ok or parsed.value is None or parsed.value < 0:
        return None, f"目标“{typed}”中的幅度不是数字，请写成“较上年下降5%”或“较上年增长8%”"
    share = float(parsed.value) / 100
    change = -share if verb in ("下降", "降低", "减少") else share
    return Target(None, op, typed, change), None


def _due(raw, year: int | None) -> tuple[Target | None, str | None]:
    """A milestone's due-year cell: a deliverable word (due at that year's end) or a date."""
    typed = str(raw).strip()
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        typed = format_number(raw)
    text = norm(typed)
    if hasattr(raw, "year") and hasattr(raw, "month"):  # a date cell
        return _due_at(int(raw.year), int(raw.month), typed, year)
    match = _DUE_RE.match(text)
    if match and (match.group(2) or match.group(3) or text[:4].isdigit()):
        y, m1, m2, rest = match.groups()
        month = int(m1 or m2 or 12)
        if rest and not any(w in rest for w in MILESTONE_WORDS) and rest not in ("底", "末", "前"):
            return None, _due_help(typed)
        return _due_at(int(y), month, typed, year)
    if any(w in text for w in MILESTONE_WORDS):
        if year is None:
            return None, _due_help(typed)
        return Target(None, ">=", typed, None, f"{year}-12"), None
    return None, _due_help(typed)


def _due_at(due_year: int, month: int, typed: str, year: int | None) -> tuple[Target | None, str | None]:
    if not 1 <= month <= 12:
        return None, _due_help(typed)
    if year is not None and due_year != year:
        return None, f"节点任务的完成时间“{typed}”不在{year}年，请填在“{due_year}年目标”列"
    return Target(None, ">=", typed, None, f"{due_year}-{month:02d}"), None


def _due_help(typed: str) -> str:
    return (f"节点任务的目标“{typed}”无法识别：在应完成那一年的目标列填“完成”“建成”“印发”等，"
            "或填完成时间，如“2023年6月底”“2023-06”；其他年份留空")


def _example(direction: str) -> str:
    return "≤32、28以内、低于30" if direction == DOWN else "1400、1400以上、超1200"


def _unreadable(raw, direction: str) -> str:
    typed = str(raw).strip()
    if direction == DOWN:
        return (f"目标“{typed}”无法识别：越小越好的指标请写上限，如“32”“≤32”“28以内”“低于30”，"
                "要求为零的写“0”；没有数量的任务请把类型改为“节点任务”")
    return (f"目标“{typed}”无法识别：请写数字，如“1200”“1200以上”“超1200”“85%左右”“较上年增长8%”；"
            "没有数量的任务（如“基本消除”“显著提升”）请把类型改为“节点任务”，或改写为可计量的目标")
