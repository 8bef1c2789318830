"""How much room text takes: widths, wrapped lines and row heights, for every workbook wjexcel writes.

Neither openpyxl nor XlsxWriter measures text, and no viewer grows a row by itself, so
forms, the plan workbook, the report and the control workbook all estimate with this one
model. A column width unit is the width of "0" in an 11 pt font. In Excel (宋体/仿宋,
11 pt) a full-width (CJK) character takes about :data:`FULL` units and any other about
:data:`HALF`; a cell loses :data:`CELL_PADDING` units to its margins; a line is
:data:`LINE_SPACING` times the font size high, plus :data:`ROW_PADDING` points. Heights use
Excel's wider measure, so text is never cut; LibreOffice's narrower fallback fonts only
leave some rows a little roomy.

Digits and Latin text are the other way round: a cell may meet a much wider font than
Calibri or 仿宋 (LibreOffice falls back to DejaVu Sans, whose digits are 0.64 em against
Calibri's 0.51), and a number that does not fit shows as ``###``. :func:`print_units` and
:func:`shown_width` measure one-line text in the widest font it may meet (:data:`WIDEST_EM`).

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

POINTS_PER_UNIT = PIXELS_PER_UNIT * 0.75
"""Points per column width unit (96 pixels to the inch)."""
WIDEST_EM = {**dict.fromkeys("0123456789", 0.636), "%": 0.95, ".": 0.318, ",": 0.318, "-": 0.361, "+": 0.838,
             " ": 0.318, ":": 0.337, "/": 0.337, "(": 0.39, ")": 0.39, "#": 0.838, "—": 1.0}
"""Advance (em) of the widest rendering a cell may meet, per character: DejaVu Sans, which
LibreOffice substitutes for 仿宋/宋体/Calibri where they are missing, is wider than each of them
(Calibri's digits are 0.507 em, Arial's 0.556, 仿宋's 0.5)."""
LATIN_EM = 0.72
"""Any other half-width character: DejaVu Sans's capitals and wide lower-case letters."""
BOLD_EM = 1.1
"""DejaVu Sans Bold against the regular weight (digits 0.696 against 0.636 em)."""
NUMBER_PADDING = 0.5
"""Units a renderer keeps clear between a one-line value and the cell's edges."""
EXCEL_SHARE = 0.875
"""Excel's widest fallback (Arial, digits 0.556 em) against :data:`WIDEST_EM`: Excel indents a
right-aligned number (a unit a level) but prints it narrower; LibreOffice ignores the indent
when it decides whether a number fits."""

# (units per CJK character, extra room) of a column set to width w, whose text room is
# w + extra units: Excel with 仿宋/宋体 11 pt; LibreOffice with its fallback fonts (measured
# on its PDF: a CJK character 1.575 units, text from 0.4 units past the nominal width).
METRICS = ((FULL, 0.0), (1.575, 0.4))


def text_units(value, cjk: float = 2.0, latin: float | None = None) -> float:
    """Width of ``value`` on one line: ``cjk`` per wide character, ``latin`` (half of it) per other.

    The defaults are a terminal's columns; cells use :data:`FULL` and :data:`HALF`.
    """
    half = cjk / 2 if latin is None else latin
    units = _UNITS.get((cjk, half))
    if units is None:
        units = _UNITS[(cjk, half)] = _CharUnits(cjk, half)
    return sum(map(units.__getitem__, str(value)))  # the same sum, in the same order, as char by char


class _CharUnits(dict):
    """Character -> its width in one metric, each character looked up in Unicode once."""

    def __init__(self, cjk: float, half: float):
        super().__init__()
        self.cjk, self.half = cjk, half

    def __missing__(self, ch: str) -> float:
        units = self[ch] = self.cjk if unicodedata.east_asian_width(ch) in "WF" else self.half
        return units


_UNITS: dict[tuple[float, float], _CharUnits] = {}


def cell_units(value, size: float = 11) -> float:
    """Width of ``value`` on one line of a cell, at font ``size`` points."""
    return text_units(value, FULL, HALF) * size / 11


def print_units(value, size: float = 11, bold: bool = False) -> float:
    """Width (column units) of ``value`` on one line in the widest font it may meet (see :data:`WIDEST_EM`);
    a full-width (CJK) character is one em in every font."""
    em = sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else WIDEST_EM.get(ch, LATIN_EM) for ch in str(value))
    return em * size / POINTS_PER_UNIT * (BOLD_EM if bold else 1.0)


def shown_width(values, size: float = 11, indent: int = 0, bold: bool = False) -> float:
    """The narrowest column width (to half a unit) that shows every one of ``values`` whole on one
    line in any font, so a number never turns into ``###``: the widest text in LibreOffice, or in
    Excel that text's :data:`EXCEL_SHARE` plus the cell's indent, whichever is wider, plus
    :data:`NUMBER_PADDING`."""
    widest = max((print_units(v, size, bold) for v in values if v not in (None, "")), default=0.0)
    return math.ceil((max(widest, widest * EXCEL_SHARE + indent) + NUMBER_PADDING) * 2) / 2


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


def row_pieces(value: str, width: float, size: float = 11) -> list[str]:
    """``value`` cut into pieces that each fit one row (at most :data:`MAX_ROW_HEIGHT`) when
    wrapped ``width`` units wide: after a sentence (``。；``) where one ends in time, else mid-line."""
    most = max(1, int((MAX_ROW_HEIGHT - ROW_PADDING) // (size * LINE_SPACING)))
    pieces, rest = [], str(value)
    while wrapped_lines(rest, width, size) > most:
        cut = 1
        while cut < len(rest) and wrapped_lines(rest[:cut + 1], width, size) <= most:
            cut += 1
        ends = [i + 1 for i in range(cut) if rest[i] in "。；\n"]
        if ends and ends[-1] > cut // 2:
            cut = ends[-1]
        pieces.append(rest[:cut].rstrip("\n"))
        rest = rest[cut:].lstrip("\n")
    return pieces + [rest]


def column_points(width: float, *, padded: bool = False) -> float:
    """A column's shown and printed width in points (96 pixels to the inch).

    A width stored as ``width`` is ``round(7 * width)`` pixels wide, as forms write theirs
    (``set_column_pixels``); ``padded``: ``width`` was given to XlsxWriter's ``set_column``,
    which stores it 5 pixels wider.
    """
    pixels = round(width * PIXELS_PER_UNIT) + (XLSXWRITER_PADDING if padded else 0)
    return pixels * 0.75


def fit_width(values, low: float, high: float) -> float:
    """A column width showing the longest of ``values`` on one line (in the widest font it may
    meet, with room for an indent), within [low, high]."""
    widest = max((max(text_units(str(v)), print_units(v)) for v in values if v not in (None, "")), default=0)
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
    if len(segments) == 1:
        prefix = re.match("[^\u2e80-\uffff]*", value).group()
        rest = value[len(prefix):]
        segments = [prefix + rest[:2]] + [rest[i:i + 2] for i in range(2, len(rest), 2)]
    else:  # a part too long for a line (“自然资源和规划局、”) is broken between its character pairs
        segments = [piece for seg in segments for piece in ([seg] if text_units(seg, cjk) <= room else _pairs(seg, breaks))]
    target = total / -(-total // room)
    lines = [""]
    for seg in segments:
        units = text_units(seg, cjk)
        if lines[-1] and text_units(lines[-1], cjk) + units > min(room, target + units / 2):
            lines.append("")
        lines[-1] += seg
    return "\n".join(lines)


def title_lines(value: str, width: float, size: float = 16) -> str:
    """A title that does not fit ``width`` units at ``size`` points on one line, broken only next
    to its brackets — before “（”, after “）” — never inside a word or a year: “…三年行动计划
    （2021-2023年）” / “推进情况概览（2022年第三季度）”. Unchanged if it fits or has no brackets."""
    room = width * 11 / size - 1
    if text_units(value, FULL) <= room:
        return value
    parts = [t for t in re.split(r"(?=（)|(?<=）)", value) if t]
    lines = [""]
    for part in parts:
        if lines[-1] and text_units(lines[-1] + part, FULL) > room:
            lines.append("")
        lines[-1] += part
    return "\n".join(lines)


def _pairs(segment: str, breaks: str) -> list[str]:
    """``segment`` in character pairs, an odd last character and a closing separator kept with
    the pair before them: ``市场监管局、`` → ``市场``, ``监管局、``."""
    body = segment.rstrip(breaks)
    tail = segment[len(body):]
    pieces = [body[i:i + 2] for i in range(0, len(body), 2)]
    if len(pieces) > 1 and len(pieces[-1]) == 1:
        pieces[-2:] = [pieces[-2] + pieces[-1]]
    pieces[-1] += tail
    return pieces
