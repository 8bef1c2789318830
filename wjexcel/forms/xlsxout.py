"""Write :mod:`wjexcel.forms.grid` sheets as one .xlsx with XlsxWriter, in memory, in one pass.

XlsxWriter writes what it is told and nothing else: no cell is read back, and every
text goes in as text (never turned into a formula, a number or a link). Excel's limits
that XlsxWriter enforces by refusing (a validation prompt over 255 characters, a header
over 255), whether by its return value or only by a warning, raise here instead of silently
dropping the setting.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell_fast
from xlsxwriter.worksheet import CellBlankTuple, CellNumberTuple, Worksheet

from wjexcel.cellref import a1
from wjexcel.forms.grid import PLAIN, CellStyle, Sheet
from wjexcel.textmeasure import PIXELS_PER_UNIT

A4 = 9
_POINTS_PER_PIXEL = 0.75


@dataclass
class Properties:
    """Document properties: title, author, subject and custom string properties."""

    title: str = ""
    author: str = ""
    subject: str = ""
    custom: dict[str, str] = field(default_factory=dict)


class _Formats:
    """One XlsxWriter format per distinct style."""

    def __init__(self, workbook) -> None:
        self._workbook = workbook
        self._formats: dict = {}
        self._by_id: dict[int, tuple] = {}

    def __call__(self, style: CellStyle):
        known = self._by_id.get(id(style))  # most cells share a few style objects: skip hashing them
        if known is not None:
            return known[1]
        fmt = self._formats.get(style)
        if fmt is None:
            fmt = self._formats[style] = self._workbook.add_format(style.xlsx())
        self._by_id[id(style)] = (style, fmt)  # holding the style keeps its id from being reused
        return fmt

    def plain(self, properties: dict):
        key = tuple(sorted(properties.items()))
        fmt = self._formats.get(key)
        if fmt is None:
            fmt = self._formats[key] = self._workbook.add_format(properties)
        return fmt


class FormWorksheet(Worksheet):
    """XlsxWriter's worksheet with a quicker way through a form's many alike rows (most of a
    明细表's cells: a 序号 and formatted blank input cells, two hundred rows of them) and its
    numbers: such a range is kept as one fill, not a cell at a time, and each of its rows is
    written from one pattern. The sheet XML is byte for byte what
    :class:`xlsxwriter.worksheet.Worksheet` writes for the same cells written one by one (tests/forms)."""

    def __init__(self) -> None:
        super().__init__()
        self.fills: list[tuple[int, int, int, int, object, int | None]] = []

    def fill(self, first_row: int, first_col: int, last_row: int, last_col: int, fmt, first: int | None = None) -> None:
        """A range (0-based, inclusive) of blank cells in ``fmt``, or with ``first`` the number of each
        row counted from ``first`` in the first row: ``write_blank`` or ``write_number`` for every
        cell of it. A cell written there (before or after) and a later fill take its place; an
        empty range (last before first) is nothing, as the cell-by-cell loop writes nothing."""
        if last_row < first_row or last_col < first_col:
            return
        if fmt is None:
            raise ValueError("a fill needs a format: XlsxWriter keeps no blank cell without one")
        if self.constant_memory:
            raise ValueError("fills are written with the whole sheet, not row by row")
        if self._check_dimensions(first_row, first_col) or self._check_dimensions(last_row, last_col):
            raise ValueError(f"a fill out of the sheet: {first_row, first_col, last_row, last_col}")
        self.fills.append((first_row, first_col, last_row, last_col, fmt, first))

    def _calculate_spans(self) -> None:
        """What XlsxWriter works out (each 16 rows' first and last column), the fills included,
        without visiting every column of every row."""
        low: dict[int, int] = {}
        high: dict[int, int] = {}

        def note(first_row: int, last_row: int, first_col: int, last_col: int) -> None:
            for index in range(first_row // 16, last_row // 16 + 1):
                low[index] = min(low.get(index, first_col), first_col)
                high[index] = max(high.get(index, last_col), last_col)

        for cells in (self.table, self.comments):
            for row, cols in cells.items():
                if cols:
                    note(row, row, min(cols), max(cols))
        for first_row, first_col, last_row, last_col, _, _ in self.fills:
            note(first_row, last_row, first_col, last_col)
        self.row_spans = {index: f"{low[index] + 1}:{high[index] + 1}" for index in sorted(low)}

    def _write_rows(self) -> None:
        if not self.fills:
            super()._write_rows()
            return
        self._calculate_spans()
        runs = _RowRuns(self.fills)
        # the <row> tag of a row without settings is XlsxWriter's plainest: its number and span
        plain_rows = self.default_row_height == self.original_row_height and self.excel_version != 2010

        def plain(row: int) -> bool:
            return plain_rows and not self.table.get(row) and row not in self.row_info

        write = self.fh.write
        row = self.dim_rowmin
        while row <= self.dim_rowmax:
            run = runs.at(row)
            if run is not None and plain(row):
                last = row
                while last < run.last and plain(last + 1):
                    last += 1
                write(run.xml(row, last, self.row_spans))
                row = last + 1
                continue
            cells = self.table.get(row)
            info = self.row_info.get(row)
            span = self.row_spans.get(row // 16)
            if run is None and not cells:
                if info is not None or row in self.comments:
                    self._write_empty_row(row, span, info)
            else:
                self._write_row(row, span, info)
                if run is not None:
                    cells = {**run.cells(row), **(cells or {})}
                for col in sorted(cells):
                    self._write_cell(row, col, cells[col])
                write("</row>")
            row += 1

    def _prepare_formula(self, formula, expand_future_functions=False):
        """XlsxWriter's preparation, which after taking off ``=`` and braces tries some 150
        substitutions for Excel's newer functions (``_xlfn.``): none can change a formula calling only
        :data:`CLASSIC_FUNCTIONS`, which then skips them (a form's are such)."""
        bare = formula[1:] if formula.startswith("{") else formula
        bare = bare[1:] if bare.startswith("=") else bare
        bare = bare[:-1] if bare.endswith("}") else bare
        if "_xlfn." in bare or all(name in CLASSIC_FUNCTIONS for name in _CALLED.findall(bare)):
            return bare
        return super()._prepare_formula(formula, expand_future_functions)

    def _write_cell(self, row: int, col: int, cell) -> None:
        kind = cell.__class__
        if kind is CellBlankTuple and cell.format:  # what the general path writes for them
            self.fh.write(f'<c r="{xl_rowcol_to_cell_fast(row, col)}" s="{cell.format._get_xf_index()}"/>')
        elif kind is CellNumberTuple and cell.format:
            self.fh.write(f'<c r="{xl_rowcol_to_cell_fast(row, col)}" s="{cell.format._get_xf_index()}">'
                          f"<v>{cell.number:.16G}</v></c>")
        else:
            super()._write_cell(row, col, cell)


CLASSIC_FUNCTIONS = frozenset({"ABS", "AND", "COUNTA", "COUNTBLANK", "COUNTIF", "DATE", "IF", "IFERROR", "ISBLANK",
                               "ISNUMBER", "ISTEXT", "LEN", "MAX", "MIN", "NOT", "OR", "ROUND", "SUM", "SUMPRODUCT",
                               "TRIM", "VALUE"})
"""Functions of every Excel since 2007: no name XlsxWriter rewrites to ``_xlfn.`` is one of them, or
ends in one after a separator (tests/forms)."""

_CALLED = re.compile(r"[\w.]+(?=\()")
"""The name before each opening parenthesis, in letters of any script."""


class _RowRuns:
    """A sheet's fills cut into runs of rows that hold the same cells, looked up row by row in order."""

    def __init__(self, fills) -> None:
        edges = sorted({edge for f in fills for edge in (f[0], f[2] + 1)})
        self.runs = []
        for top, below in zip(edges, edges[1:]):
            columns: dict[int, tuple] = {}
            for first_row, first_col, last_row, last_col, fmt, first in fills:  # in order: a later fill wins
                if first_row <= top and below - 1 <= last_row:
                    for col in range(first_col, last_col + 1):
                        columns[col] = (fmt, None if first is None else first - first_row)
            if columns:
                self.runs.append(_RowRun(top, below - 1, sorted(columns.items())))
        self._next = 0

    def at(self, row: int):
        """The run holding ``row``; rows are asked for in increasing order."""
        while self._next < len(self.runs) and self.runs[self._next].last < row:
            self._next += 1
        run = self.runs[self._next] if self._next < len(self.runs) else None
        return run if run is not None and run.first <= row else None


class _RowRun:
    """Rows ``first``..``last`` holding the same cells: per column a format and, for a counting
    column, what is added to the (0-based) row to give its number."""

    def __init__(self, first: int, last: int, columns: list[tuple[int, tuple]]) -> None:
        self.first, self.last, self.columns = first, last, columns
        self._pattern: str | None = None
        self._counts = [offset for _, (_, offset) in columns if offset is not None]

    def cells(self, row: int) -> dict:
        return {col: CellBlankTuple(fmt) if offset is None else CellNumberTuple(row + offset, fmt)
                for col, (fmt, offset) in self.columns}

    def xml(self, first: int, last: int, spans: dict[int, str]) -> str:
        """Rows ``first``..``last`` of the run (0-based), each a plain ``<row>`` with its cells."""
        if self._pattern is None:
            # Made on first use, when XlsxWriter would first meet these formats: the order of the
            # style numbers (xf) stays the one the cell-by-cell writer gives.
            parts, count = [], 0
            for col, (fmt, offset) in self.columns:
                ref = f"{xl_col_to_name(col)}{{0}}"
                if offset is None:
                    parts.append(f'<c r="{ref}" s="{fmt._get_xf_index()}"/>')
                else:
                    count += 1
                    parts.append(f'<c r="{ref}" s="{fmt._get_xf_index()}"><v>{{{count}}}</v></c>')
            self._pattern = "".join(parts)
        key = (self._pattern, tuple(self._counts), first, last,
               tuple(spans.get(index) for index in range(first // 16, last // 16 + 1)))
        text = _RUN_TEXTS.get(key)
        if text is None:
            pattern, counts, rows = self._pattern, self._counts, []
            for row in range(first, last + 1):
                span = spans.get(row // 16)
                rows.append(f'<row r="{row + 1}" spans="{span}">' if span else f'<row r="{row + 1}">')
                rows.append(pattern.format(row + 1, *[f"{row + offset:.16G}" for offset in counts]))
                rows.append("</row>")
            text = "".join(rows)
            if len(_RUN_TEXTS) >= RUN_TEXTS_KEPT:
                _RUN_TEXTS.clear()
            _RUN_TEXTS[key] = text
        return text


RUN_TEXTS_KEPT = 64
"""Runs of rows kept written in a process: every form of a generate has the same 明细 input rows."""

_RUN_TEXTS: dict[tuple, str] = {}


def _fill(ws, r1: int, c1: int, r2: int, c2: int, fmt, first: int | None) -> None:
    if isinstance(ws, FormWorksheet):
        ws.fill(r1, c1, r2, c2, fmt, first)
        return
    for row in range(r1, r2 + 1):
        for col in range(c1, c2 + 1):
            if first is None:
                ws.write_blank(row, col, None, fmt)
            else:
                ws.write_number(row, col, first + row - r1, fmt)


def _checked(result, what: str) -> None:
    if result not in (None, 0):
        raise ValueError(f"XlsxWriter refused {what} ({result})")


def to_xlsx(sheets: list[Sheet], properties: Properties, active: str) -> bytes:
    """The workbook holding ``sheets`` in order, ``active`` selected when opened."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # XlsxWriter refuses some settings with only a warning
        try:
            return _workbook(sheets, properties, active)
        except Warning as exc:
            raise ValueError(f"XlsxWriter refused: {exc}") from exc


def _workbook(sheets: list[Sheet], properties: Properties, active: str, worksheet_class=FormWorksheet) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {
        "in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
        "strings_to_urls": False,
    })
    formats = _Formats(workbook)
    for sheet in sheets:
        _write_sheet(workbook.add_worksheet(sheet.name, worksheet_class), sheet, formats, active)
    workbook.set_properties({"title": properties.title, "author": properties.author,
                             "subject": properties.subject})
    for name, value in properties.custom.items():
        _checked(workbook.set_custom_property(name, value, "text"), f"property {name}")
    workbook.close()
    return buffer.getvalue()


def _write_sheet(ws, sheet: Sheet, formats: _Formats, active: str) -> None:
    for col, width in sorted(sheet.widths.items()):
        # In pixels, so the stored width is the template's exactly (XlsxWriter adds padding to widths).
        ws.set_column_pixels(col - 1, col - 1, round(width * PIXELS_PER_UNIT))
    for row, height in sorted(sheet.heights.items()):
        # Excel keeps heights in whole pixels (0.75 pt); round up, so no text loses room.
        ws.set_row(row - 1, math.ceil(height / _POINTS_PER_PIXEL - 1e-9) * _POINTS_PER_PIXEL)
    for (r1, c1, r2, c2), style, first in sheet.fills:
        _fill(ws, r1 - 1, c1 - 1, r2 - 1, c2 - 1, formats(style), first)
    covered = set()
    for r1, c1, r2, c2 in sheet.merges:
        if (r1, c1) == (r2, c2):
            continue  # a single cell is not merged: its cell is written as it is
        top = sheet.cells.get((r1, c1))
        _checked(ws.merge_range(r1 - 1, c1 - 1, r2 - 1, c2 - 1, "", formats(top.style if top else PLAIN)),
                 f"a merge on {sheet.name}")
        covered.update((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1) if (r, c) != (r1, c1))
    for (row, col), cell in sheet.cells.items():
        if (row, col) not in covered:
            _write_cell(ws, row - 1, col - 1, cell, formats(cell.style))
    for ranges, options in sheet.validations:
        first = ranges[0]
        opts = dict(options)
        if len(ranges) > 1:
            opts["multi_range"] = " ".join(_a1(r) for r in ranges)
        _checked(ws.data_validation(first[0] - 1, first[1] - 1, first[2] - 1, first[3] - 1, opts),
                 f"a validation on {sheet.name}")
    for (r1, c1, r2, c2), options in sheet.conditional:
        opts = dict(options)
        if "format" in opts:
            opts["format"] = formats.plain(opts["format"])
        _checked(ws.conditional_format(r1 - 1, c1 - 1, r2 - 1, c2 - 1, opts), f"a conditional format on {sheet.name}")
    if sheet.freeze:
        ws.freeze_panes(sheet.freeze[0] - 1, sheet.freeze[1] - 1)
    ws.hide_gridlines(1 if sheet.gridlines else 2)
    if sheet.zoom:
        ws.set_zoom(sheet.zoom)
    _page_setup(ws, sheet)
    if sheet.protected:
        ws.protect("", {"format_columns": True, "format_rows": True})
    if sheet.very_hidden:
        ws.very_hidden()
    elif sheet.name == active:
        ws.activate()


def _write_cell(ws, row: int, col: int, cell, fmt) -> None:
    value = cell.value
    if cell.formula is not None:
        ws.write_formula(row, col, cell.formula, fmt, value if value is not None else "")
    elif value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)
    elif isinstance(value, (datetime, date)):
        ws.write_datetime(row, col, value, fmt)
    else:
        _checked(ws.write_string(row, col, str(value), fmt), f"the text in row {row + 1}")


def _page_setup(ws, sheet: Sheet) -> None:
    setup = sheet.setup
    ws.set_paper(A4)
    if setup.landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(setup.fit_width, setup.fit_height)
    left, right, top, bottom = setup.margins
    ws.set_margins(left, right, top, bottom)
    if setup.header:
        _checked(ws.set_header(setup.header, {"margin": setup.header_margin}), f"the header of {sheet.name}")
    if setup.footer:
        _checked(ws.set_footer(setup.footer, {"margin": setup.footer_margin}), f"the footer of {sheet.name}")
    if setup.center_horizontally:
        ws.center_horizontally()
    if setup.repeat_rows:
        ws.repeat_rows(setup.repeat_rows[0] - 1, setup.repeat_rows[1] - 1)
    if setup.print_area:
        r1, c1, r2, c2 = setup.print_area
        ws.print_area(r1 - 1, c1 - 1, r2 - 1, c2 - 1)


def _a1(rng: tuple[int, int, int, int]) -> str:
    r1, c1, r2, c2 = rng
    return a1(r1, c1) if (r1, c1) == (r2, c2) else f"{a1(r1, c1)}:{a1(r2, c2)}"
