"""How much room text takes in a worksheet: column widths and row heights for the report.

XlsxWriter cannot measure text, so widths are estimated from characters: a CJK character
is about two column units in Excel (仿宋/宋体, 11 pt) and narrower in LibreOffice's fallback
font. Wrapped label columns are sized so that neither program leaves a lone last character
or two on a line of their own; row heights use Excel's (wider) measure, so text is never cut.
"""

from __future__ import annotations

import re

from wjexcel.textmeasure import text_units

# (units per CJK character, extra room) of a column set to width w, whose text room is
# w + extra units: Excel with 仿宋/宋体 11 pt; LibreOffice with its fallback fonts (measured
# on its PDF: a CJK character 1.575 units, text from 0.4 units past the nominal width).
METRICS = ((2.1, 0.0), (1.575, 0.4))
TITLE_CJK = 3.2  # the same for the 16-point bold titles
MAX_ROW_HEIGHT = 409


def line_count(value: str, width: float, cjk: float = 2) -> int:
    """Lines a wrapped cell ``width`` units wide needs for ``value`` (explicit breaks kept)."""
    room = max(width - 1, 1)
    return sum(max(1, -(-int(text_units(part, cjk)) // int(room))) for part in str(value).split("\n"))


def row_height(lines: int, size: float = 11) -> float:
    """Height in points of a row showing ``lines`` lines of ``size``-point text."""
    return min(MAX_ROW_HEIGHT, round(lines * size * 1.36 + 4))


def fit_width(values, low: float, high: float) -> float:
    """A column width showing the longest of ``values`` on one line, within [low, high]."""
    widest = max((text_units(str(v)) for v in values if v not in (None, "")), default=0)
    return max(low, min(high, widest + 3))


def last_line_lengths(value: str, width: int) -> list[int]:
    """Characters on the last line of ``value`` wrapped at ``width``, one per metric (0: one line)."""
    out = []
    for cjk, extra in METRICS:
        used, lines, tail = 0.0, 1, 0
        for ch in value:
            w = cjk if ord(ch) > 0x2E80 else cjk / 2
            if used + w > width + extra:
                used, lines, tail = 0.0, lines + 1, 0
            used, tail = used + w, tail + 1
        out.append(tail if lines > 1 else 0)
    return out


def _orphans(texts: list[str], width: int) -> tuple[int, int]:
    """How many wrapped texts end on a line of at most two, and of at most three characters."""
    tails = [t for value in texts for t in last_line_lengths(value, width) if t]
    return sum(t <= 2 for t in tails), sum(t <= 3 for t in tails)


def wrap_width(texts, low: int, high: int) -> int:
    """Width for a wrapped column: one line for every text if that fits in ``high``, else the
    narrowest width without a lone last character or two (“…（来源单位” / “）”)."""
    texts = [str(t) for t in texts if t]
    one_line = max((text_units(t, METRICS[0][0]) for t in texts), default=0) + 1
    if one_line <= high:
        return max(low, int(-(-one_line // 1)))
    return min(range(low, high + 1), key=lambda w: (*_orphans(texts, w), w))


def balanced(value: str, width: float, breaks: str = "、，；") -> str:
    """``value`` with line breaks that give a short label even lines, each fitting ``width`` in
    both metrics: after list separators when it has them, else between character pairs (most
    Chinese words have two characters); unchanged if it fits on one line."""
    cjk, extra = METRICS[0]
    room = width + extra - 0.5
    total = text_units(value, cjk)
    if total <= room:
        return value
    segments = [s for s in re.findall(f"[^{breaks}]*[{breaks}]?", value) if s]
    if len(segments) == 1 or any(text_units(s, cjk) > room for s in segments):
        prefix = re.match("[^\u2e80-\uffff]*", value).group()
        rest = value[len(prefix):]
        segments = [prefix + rest[:2]] + [rest[i:i + 2] for i in range(2, len(rest), 2)]
    target = total / -(-total // room)
    lines = [""]
    for seg in segments:
        units = text_units(seg, cjk)
        if lines[-1] and text_units(lines[-1], cjk) + units > min(room, target + units / 2):
            lines.append("")
        lines[-1] += seg
    return "\n".join(lines)
