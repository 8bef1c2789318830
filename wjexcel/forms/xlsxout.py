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
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell_fast
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
    """XlsxWriter's worksheet with a quicker way through a form's many formatted blank cells (most
    of a 明细表's cells) and its numbers: blanks stored a range at a time, both written without the
    general cell path.
    The sheet XML is byte for byte what :class:`xlsxwriter.worksheet.Worksheet` writes (tests/forms)."""

    def write_blanks(self, first_row: int, first_col: int, last_row: int, last_col: int, fmt) -> None:
        """``write_blank(row, col, None, fmt)`` for every cell of the range (0-based, inclusive)."""
        if self._check_dimensions(first_row, first_col) or self._check_dimensions(last_row, last_col):
            raise ValueError(f"blank cells out of the sheet: {first_row, first_col, last_row, last_col}")
        blank = CellBlankTuple(fmt)
        columns = range(first_col, last_col + 1)
        for row in range(first_row, last_row + 1):
            cells = self.table[row]
            for col in columns:
                cells[col] = blank

    def _write_cell(self, row: int, col: int, cell) -> None:
        kind = cell.__class__
        if kind is CellBlankTuple and cell.format:  # what the general path writes for them
            self.fh.write(f'<c r="{xl_rowcol_to_cell_fast(row, col)}" s="{cell.format._get_xf_index()}"/>')
        elif kind is CellNumberTuple and cell.format:
            self.fh.write(f'<c r="{xl_rowcol_to_cell_fast(row, col)}" s="{cell.format._get_xf_index()}">'
                          f"<v>{cell.number:.16G}</v></c>")
        else:
            super()._write_cell(row, col, cell)


def _write_blanks(ws, r1: int, c1: int, r2: int, c2: int, fmt) -> None:
    if isinstance(ws, FormWorksheet):
        ws.write_blanks(r1, c1, r2, c2, fmt)
        return
    for row in range(r1, r2 + 1):
        for col in range(c1, c2 + 1):
            ws.write_blank(row, col, None, fmt)


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
    for (r1, c1, r2, c2), style in sheet.blanks:
        _write_blanks(ws, r1 - 1, c1 - 1, r2 - 1, c2 - 1, formats(style))
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
