"""How much room text takes: widths, wrapped lines and row heights, for every workbook wjexcel writes.

Neither openpyxl nor XlsxWriter measures text, and no viewer grows a row by itself, so
forms, the plan workbook, the report and the control workbook all estimate with this one
model. A column width unit is the width of "0" in an 11 pt font. In Excel (宋体/仿宋,
11 pt) a full-width (CJK) character takes about :data:`FULL` units and any other about
:data:`HALF`; a cell loses :data:`CELL_PADDING` units to its margins; a line is
:data:`LINE_SPACING` times the font size high, plus :data:`ROW_PADDING` points. Heights use
Excel's wider measure, so text is never cut; LibreOffice's narrower fallback fonts only
leave some rows a little roomy.

Where a line breaks matters too: a label that ends with one lone character on its last
line looks broken. :data:`METRICS` holds both renderers' measures, and
:func:`wrap_width` / :func:`balanced` choose widths and breaks that look right in both.
"""

from __future__ import annotations

import math
import re
import unicodedata

FULL = 2.1
HALF = 1.1
CELL_PADDING = 1.0
LINE_SPACING = 1.5
ROW_PADDING = 4.0
MAX_ROW_HEIGHT = 409
"""Excel's highest row, in points."""
A4_INCHES = (8.27, 11.69)
"""A4 paper, width and height when upright."""
PIXELS_PER_UNIT = 7
"""Pixels per column width unit (the width of "0" in Calibri 11, Excel's default font)."""
XLSXWRITER_PADDING = 5
"""Pixels XlsxWriter's ``set_column`` adds to a width (``set_column_pixels`` adds none)."""

# (units per CJK character, extra room) of a column set to width w, whose text room is
# w + extra units: Excel with 仿宋/宋体 11 pt; LibreOffice with its fallback fonts (measured
# on its PDF: a CJK character 1.575 units, text from 0.4 units past the nominal width).
METRICS = ((FULL, 0.0), (1.575, 0.4))


def text_units(value, cjk: float = 2.0, latin: float | None = None) -> float:
    """Width of ``value`` on one line: ``cjk`` per wide character, ``latin`` (half of it) per other.

    The defaults are a terminal's columns; cells use :data:`FULL` and :data:`HALF`.
    """
    half = cjk / 2 if latin is None else latin
    return sum(cjk if unicodedata.east_asian_width(ch) in "WF" else half for ch in str(value))


def cell_units(value, size: float = 11) -> float:
    """Width of ``value`` on one line of a cell, at font ``size`` points."""
    return text_units(value, FULL, HALF) * size / 11


def wrapped_lines(value, width: float, size: float = 11) -> int:
    """How many lines ``value`` takes in a wrapped cell ``width`` units wide (explicit breaks kept)."""
    usable = max(width - CELL_PADDING, 1.0)
    return sum(max(1, math.ceil(cell_units(part, size) / usable)) for part in str(value).split("\n"))


def row_height(lines: int, size: float = 11) -> float:
    """The row height (points) that shows ``lines`` lines of ``size``-point text."""
    return min(MAX_ROW_HEIGHT, round(lines * size * LINE_SPACING + ROW_PADDING, 1))


def fit_height(value, width: float, size: float = 11) -> float:
    """The row height that shows ``value`` whole in a wrapped cell ``width`` units wide."""
    return row_height(wrapped_lines(value, width, size), size)


def column_points(width: float, *, padded: bool = False) -> float:
    """A column's shown and printed width in points (96 pixels to the inch).

    A width stored as ``width`` is ``round(7 * width)`` pixels wide, as forms write theirs
    (``set_column_pixels``); ``padded``: ``width`` was given to XlsxWriter's ``set_column``,
    which stores it 5 pixels wider.
    """
    pixels = round(width * PIXELS_PER_UNIT) + (XLSXWRITER_PADDING if padded else 0)
    return pixels * 0.75


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
    one_line = max((text_units(t, FULL) for t in texts), default=0) + 1
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
