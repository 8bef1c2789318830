"""A form's sheets as plain data: cells with their styles, merges, sizes, validations and print setup.

A form is assembled here, measured here (row heights, one-page printing) and signed from
here, then written in one pass by :mod:`wjexcel.forms.xlsxout`. Rows and columns are
1-based as in Excel's A1 references.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from wjexcel.textmeasure import A4_INCHES, column_points, row_height, wrapped_lines

DEFAULT_COLUMN_WIDTH = 8.43
DEFAULT_ROW_HEIGHT = 15.0


@dataclass(frozen=True)
class CellStyle:
    """How a cell looks and whether it takes input; colours are ``RRGGBB`` or None."""

    font_name: str | None = None
    font_size: float = 11.0
    bold: bool = False
    italic: bool = False
    underline: int = 0
    strike: bool = False
    font_color: str | None = None
    pattern: int = 0
    fg_color: str | None = None
    bg_color: str | None = None
    borders: tuple = ()
    """``(side, style index, colour)`` for each drawn side of left/right/top/bottom."""
    horizontal: str | None = None
    vertical: str | None = None
    wrap: bool = False
    indent: int = 0
    shrink: bool = False
    rotation: int = 0
    num_format: str = "General"
    locked: bool = True

    def but(self, **changes) -> CellStyle:
        """This style with some properties changed."""
        return replace(self, **changes)

    def xlsx(self) -> dict:
        """The XlsxWriter format properties of this style."""
        fmt: dict = {"font_size": self.font_size}
        if self.font_name:
            fmt["font_name"] = self.font_name
        for key, value in (("bold", self.bold), ("italic", self.italic), ("underline", self.underline),
                           ("font_strikeout", self.strike), ("font_color", self.font_color),
                           ("indent", self.indent), ("shrink", self.shrink), ("rotation", self.rotation)):
            if value:
                fmt[key] = f"#{value}" if key == "font_color" else value
        if self.pattern:
            fmt["pattern"] = self.pattern
            if self.pattern == 1:  # solid: XlsxWriter takes the cell colour as bg_color
                if self.fg_color:
                    fmt["bg_color"] = f"#{self.fg_color}"
            else:
                if self.fg_color:
                    fmt["fg_color"] = f"#{self.fg_color}"
                if self.bg_color:
                    fmt["bg_color"] = f"#{self.bg_color}"
        for side, style, color in self.borders:
            fmt[side] = style
            if color:
                fmt[f"{side}_color"] = f"#{color}"
        if self.horizontal:
            fmt["align"] = self.horizontal
        if self.vertical:
            fmt["valign"] = self.vertical
        if self.wrap:
            fmt["text_wrap"] = True
        if self.num_format and self.num_format != "General":
            fmt["num_format"] = self.num_format
        if not self.locked:
            fmt["locked"] = False
        return fmt


PLAIN = CellStyle()


@dataclass
class Cell:
    """A value (text, number, None) or a formula (``=…`` with the text it shows until recalculated)."""

    value: object
    style: CellStyle = PLAIN
    formula: str | None = None


@dataclass
class PageSetup:
    """Printing: A4 landscape fitted to the width by default; header/footer in Excel's ``&C…`` codes."""

    landscape: bool = True
    fit_width: int = 1
    fit_height: int = 0
    margins: tuple[float, float, float, float] = (0.5, 0.5, 0.75, 0.75)
    """left, right, top, bottom in inches."""
    header: str = ""
    footer: str = ""
    header_margin: float = 0.3
    footer_margin: float = 0.3
    center_horizontally: bool = False
    repeat_rows: tuple[int, int] | None = None
    print_area: tuple[int, int, int, int] | None = None
    """first row, first col, last row, last col."""


@dataclass
class Sheet:
    """One worksheet of a form."""

    name: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)
    setup: PageSetup = field(default_factory=PageSetup)
    fills: list[tuple[tuple[int, int, int, int], CellStyle, int | None]] = field(default_factory=list)
    """Ranges whose cells all have one style and are empty (None: input areas) or hold their row's
    number counted from a first number (a 序号 column); a cell put there overrides a range, and a
    later range an earlier one."""
    validations: list[tuple[list[tuple[int, int, int, int]], dict]] = field(default_factory=list)
    conditional: list[tuple[tuple[int, int, int, int], dict]] = field(default_factory=list)
    freeze: tuple[int, int] | None = None
    """The first unfrozen cell (row, col)."""
    gridlines: bool = True
    zoom: int | None = None
    protected: bool = False
    very_hidden: bool = False

    def copy(self, name: str | None = None) -> Sheet:
        """An independent copy (styles are shared: they never change)."""
        return replace(self, name=name or self.name,
                       cells={k: Cell(c.value, c.style, c.formula) for k, c in self.cells.items()},
                       merges=list(self.merges), fills=list(self.fills), widths=dict(self.widths),
                       heights=dict(self.heights),
                       setup=replace(self.setup), validations=list(self.validations),
                       conditional=list(self.conditional))

    # --- cells ------------------------------------------------------------------------------
    def put(self, row: int, col: int, value, style: CellStyle | None = None) -> Cell:
        """Set a cell's value (and style; the cell's present style when None)."""
        old = self.cells.get((row, col))
        cell = Cell(value, style or (old.style if old else PLAIN))
        self.cells[(row, col)] = cell
        return cell

    def put_formula(self, row: int, col: int, formula: str, style: CellStyle, shows: object = "") -> Cell:
        """Set a formula; ``shows`` is its result before Excel recalculates it."""
        cell = Cell(shows, style, formula)
        self.cells[(row, col)] = cell
        return cell

    def value(self, row: int, col: int):
        """What a reader finds in the cell: its value, or a formula's text."""
        cell = self.cells.get((row, col))
        if cell is None:
            return self._filled(row, col)
        return cell.formula if cell.formula is not None else cell.value

    def _filled(self, row: int, col: int):
        """The number a counting range shows in an otherwise empty cell (nothing under a merge)."""
        for (r1, c1, r2, c2), _, first in reversed(self.fills):
            if r1 <= row <= r2 and c1 <= col <= c2:
                if first is None or any(m[0] <= row <= m[2] and m[1] <= col <= m[3] and m[:2] != m[2:]
                                        for m in self.merges):  # a one-cell merge is no merge (xlsxout)
                    return None
                return first + row - r1
        return None

    def style(self, row: int, col: int) -> CellStyle:
        cell = self.cells.get((row, col))
        return cell.style if cell else PLAIN

    def settle(self) -> None:
        """Empty the cells a merge covers: a reader finds nothing there, so nothing is signed there."""
        for r1, c1, r2, c2 in self.merges:
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    cell = self.cells.get((r, c))
                    if cell is not None and (r, c) != (r1, c1):
                        cell.value, cell.formula = None, None

    @property
    def used(self) -> tuple[int, int]:
        """The last row and column holding a cell or a merge."""
        rows = [self.max_row, *(m[2] for m in self.merges)]
        cols = [self.max_col, *(m[3] for m in self.merges)]
        return max(rows), max(cols)

    @property
    def max_row(self) -> int:
        return max((r for r, _ in self.cells), default=1)

    @property
    def max_col(self) -> int:
        return max((c for _, c in self.cells), default=1)

    def blank(self, rng: tuple[int, int, int, int], style: CellStyle) -> None:
        """Give every cell of a range ``style`` and no value."""
        self.fills.append((rng, style, None))

    def number_rows(self, rng: tuple[int, int, int, int], style: CellStyle, first: int = 1) -> None:
        """Give every cell of a range ``style`` and its row's number, ``first`` in the range's first row."""
        self.fills.append((rng, style, first))

    def clear(self, rng: tuple[int, int, int, int]) -> None:
        """Delete the cells of a range (a fill there shows again)."""
        r1, c1, r2, c2 = rng
        self.cells = {k: v for k, v in self.cells.items() if not (r1 <= k[0] <= r2 and c1 <= k[1] <= c2)}

    def clear_rows(self, first: int) -> None:
        """Delete every cell, merge, height from row ``first`` down."""
        self.cells = {k: v for k, v in self.cells.items() if k[0] < first}
        self.fills = [fill for fill in self.fills if fill[0][2] < first]
        self.merges = [m for m in self.merges if m[2] < first]  # a merge reaching into them goes too
        self.heights = {r: h for r, h in self.heights.items() if r < first}

    def merge(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        """Merge a range, replacing any merge it overlaps."""
        self.merges = [m for m in self.merges
                       if m[2] < first_row or m[0] > last_row or m[3] < first_col or m[1] > last_col]
        self.merges.append((first_row, first_col, last_row, last_col))

    def validate(self, ranges: list[tuple[int, int, int, int]], options: dict) -> None:
        """Add a data validation (XlsxWriter options) over one or more ranges."""
        if ranges:
            self.validations.append((list(ranges), options))

    # --- sizes ------------------------------------------------------------------------------
    def width(self, col: int) -> float:
        return self.widths.get(col) or DEFAULT_COLUMN_WIDTH

    def cell_width(self, row: int, col: int) -> float:
        """The width a text in this cell wraps in: its column, or all columns of its merged range."""
        for r1, c1, r2, c2 in self.merges:
            if r1 <= row <= r2 and c1 <= col <= c2:
                return sum(self.width(c) for c in range(c1, c2 + 1))
        return self.width(col)

    def fit_rows(self, first: int, last: int, *, min_height: float = 0.0) -> None:
        """Make rows ``first``..``last`` high enough for their wrapped texts, at least ``min_height``.

        A text merged across columns wraps in the merged width; one merged down several rows
        is shown whole by spreading the missing height over those rows. Formulas are skipped.
        """
        spans = {(m[0], m[1]): m for m in self.merges}
        covered = {(r, c) for m in self.merges for r in range(m[0], m[2] + 1) for c in range(m[1], m[3] + 1)}
        needed = {row: min_height for row in range(first, last + 1)}
        tall = []
        for (row, col), cell in self.cells.items():
            if not first <= row <= last or cell.formula is not None or cell.value is None:
                continue
            if (row, col) in covered and (row, col) not in spans:
                continue
            span = spans.get((row, col))
            width = sum(self.width(c) for c in range(col, (span[3] if span else col) + 1))
            size = cell.style.font_size
            lines = wrapped_lines(cell.value, width, size) if cell.style.wrap else 1
            height = row_height(lines, size)
            if span and span[2] > span[0]:
                tall.append((span[0], min(span[2], last), height))
            else:
                needed[row] = max(needed[row], height)
        def shown(r: int) -> float:  # what the row will be: an empty one keeps its height, or Excel's default
            return max(needed[r], self.heights.get(r, DEFAULT_ROW_HEIGHT))

        for top, bottom, height in tall:
            missing = height - sum(shown(r) for r in range(top, bottom + 1))
            if missing > 0:
                for r in range(top, bottom + 1):
                    needed[r] = shown(r) + missing / (bottom - top + 1)
        for row, height in needed.items():
            if height > self.heights.get(row, 0):
                self.heights[row] = math.ceil(round(height * 10, 6)) / 10  # to 0.1 pt, up: no text loses room

    def fit_short(self, last_row: int, last_col: int, *, spill: float = 1.3) -> None:
        """Print a sheet that only just spills onto a second page on one page.

        A form whose signature block lands alone on page 2 is one a clerk cannot stamp
        cleanly; shrinking by up to a quarter keeps it whole. Longer sheets keep breaking.
        """
        left, right, top, bottom = self.setup.margins
        # a column without a width shows Excel's default: 8.43 characters and the padding (64 pixels)
        width = sum(column_points(self.widths[col]) if self.widths.get(col) else
                    column_points(DEFAULT_COLUMN_WIDTH, padded=True) for col in range(1, last_col + 1))
        height = sum(self.heights.get(row, DEFAULT_ROW_HEIGHT) for row in range(1, last_row + 1))
        page_width = (A4_INCHES[1] - left - right) * 72  # landscape
        page_height = (A4_INCHES[0] - top - bottom) * 72
        scale = min(1.0, page_width / width)
        if height * scale <= page_height * spill:
            self.setup.fit_height = 1
