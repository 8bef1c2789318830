"""The second reader of ``.ods`` files, for a file calamine refuses.

calamine gives up on a whole workbook at the first attribute it cannot parse — found by
experiment: a float cell whose ``office:value`` is not a plain decimal (``"1,200"``, empty,
with a leading space), a negative or non-numeric ``number-columns-repeated`` — and the clerk
would get "文件内容有错误" for a form LibreOffice, Excel and Gnumeric open without a murmur.
This reader walks ``content.xml`` itself with defusedxml (already the package's XML parser
for untrusted files; odfpy, which pandas uses, ships no wheel, and the Windows release
installs wheels only) and keeps to what calamine gives: values within the bounds, covered
(merged-away) cells skipped, repeated rows and columns counted without being expanded, a
value that cannot be parsed taken as the text the cell shows. Rows are read one at a time
and dropped, so memory follows one row, not the sheet.

It runs where calamine runs: in the child process of :func:`wjexcel.collect.reader._read_in_child`,
after the preflight scan, under the same memory cap and time limit.
"""

from __future__ import annotations

import datetime as _dt
import re
import zipfile

from defusedxml.ElementTree import iterparse

from wjexcel.cellref import a1
from wjexcel.collect.book import HIDDEN, VISIBLE, CellData, SheetData, WorkbookData

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_NUMBER_TYPES = {"float", "percentage", "currency"}
_DURATION = re.compile(r"^PT(\d+)H(\d+)M(\d+(?:\.\d*)?)S$")
_MAX_REPEAT = 1 << 31


def read_ods(path, max_rows: int, max_cols: int) -> WorkbookData:
    """Every table of the .ods at ``path`` as :class:`WorkbookData` (cells within the bounds)."""
    with zipfile.ZipFile(path) as zf:
        hidden = _hidden_table_styles(zf, "styles.xml") if "styles.xml" in zf.namelist() else set()
        with zf.open("content.xml") as content:
            return WorkbookData("", "", _sheets(content, hidden, max_rows, max_cols))


def _sheets(content, hidden: set[str], max_rows: int, max_cols: int) -> list[SheetData]:
    sheets, depth, sheet, row, beyond = [], 0, None, 0, []
    for event, element in iterparse(content, events=("start", "end")):
        tag = element.tag
        if event == "start":
            if tag == f"{_TABLE}table":
                depth += 1
                if depth == 1:
                    name = element.get(f"{_TABLE}name") or f"Sheet{len(sheets) + 1}"
                    style = element.get(f"{_TABLE}style-name")
                    sheet, row, beyond = SheetData(name, HIDDEN if style in hidden else VISIBLE,
                                                   formulas_known=False), 0, []
            continue
        if tag == f"{_STYLE}style":
            hidden |= _hidden_style(element)
        elif tag == f"{_TABLE}table-row" and depth == 1:
            row = _add_row(sheet, element, row, max_rows, max_cols, beyond)
            element.clear()
        elif tag == f"{_TABLE}table":
            depth -= 1
            if depth == 0:
                sheet.beyond_bounds, sheet.beyond_cells = bool(beyond), tuple(beyond[:20])
                sheets.append(sheet)
                element.clear()
    return sheets


def _hidden_table_styles(zf: zipfile.ZipFile, part: str) -> set[str]:
    names = set()
    with zf.open(part) as fh:
        for _, element in iterparse(fh):
            if element.tag == f"{_STYLE}style":
                names |= _hidden_style(element)
    return names


def _hidden_style(style) -> set[str]:
    """``{name}`` of a table style with ``table:display="false"`` (a hidden sheet), else empty."""
    if style.get(f"{_STYLE}family") != "table":
        return set()
    for props in style.findall(f"{_STYLE}table-properties"):
        if props.get(f"{_TABLE}display") == "false":
            return {style.get(f"{_STYLE}name")}
    return set()


def _repeat(element, attribute: str) -> int:
    try:
        n = int(element.get(f"{_TABLE}{attribute}") or 1)
    except ValueError:
        return 1
    return min(max(n, 1), _MAX_REPEAT)


def _add_row(sheet: SheetData, element, row: int, max_rows: int, max_cols: int, beyond: list) -> int:
    """Put one ``table:table-row`` (repeated as it says) into ``sheet``; return the last row number."""
    repeat = _repeat(element, "number-rows-repeated")
    cells, last_col = _cells(element, max_cols)
    if cells:
        for r in range(row + 1, row + repeat + 1):
            if r > max_rows:  # content beyond the bounds: one row of it is enough to say so
                beyond.extend(a1(r, col) for col, _ in cells)
                break
            for col, data in cells:
                if col > max_cols:
                    beyond.append(a1(r, col))
                else:
                    sheet.cells[(r, col)] = data
        sheet.max_row, sheet.max_col = row + repeat, max(sheet.max_col, last_col)
    return row + repeat


def _cells(row_element, max_cols: int) -> tuple[list[tuple[int, CellData]], int]:
    """``(column, data)`` of the row's non-empty cells (repeats counted, covered cells skipped),
    and the last column holding content."""
    col, out, last = 0, [], 0
    for cell in row_element:
        if cell.tag not in (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell"):
            continue
        repeat = _repeat(cell, "number-columns-repeated")
        data = _data(cell) if cell.tag == f"{_TABLE}table-cell" else None
        if data is not None:
            for c in range(col + 1, min(col + repeat, max_cols + 1) + 1):
                out.append((c, data))
            last = col + repeat
        col += repeat
    return out, last


def _data(cell) -> CellData | None:
    kind = cell.get(f"{_OFFICE}value-type")
    text = _cell_text(cell)
    value = None
    if kind in _NUMBER_TYPES:
        value = _number(cell.get(f"{_OFFICE}value"))
    elif kind == "date":
        value = _date(cell.get(f"{_OFFICE}date-value"))
    elif kind == "time":
        value = _time(cell.get(f"{_OFFICE}time-value"))
    elif kind == "boolean":
        value = {"true": True, "1": True, "false": False, "0": False}.get(
            (cell.get(f"{_OFFICE}boolean-value") or "").strip().lower())
    elif kind == "string":
        shown = cell.get(f"{_OFFICE}string-value")
        text = shown if shown is not None else text
    if value is not None:
        return CellData(value)
    return CellData(text, None, True) if text else None


def _number(raw):
    try:
        return float(raw)
    except (TypeError, ValueError):
        return None  # the cell's text stands for it


def _date(raw):
    if not raw:
        return None
    try:
        return _dt.date.fromisoformat(raw) if "T" not in raw else _dt.datetime.fromisoformat(raw)
    except ValueError:
        return None


def _time(raw):
    m = _DURATION.match(raw or "")
    if m is None:
        return None
    hours, minutes, seconds = int(m.group(1)), int(m.group(2)), float(m.group(3))
    span = _dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)
    if span >= _dt.timedelta(days=1):
        return span
    return (_dt.datetime.min + span).time()


def _cell_text(cell) -> str:
    """The text the cell shows: its paragraphs, one a line (a comment's text left out)."""
    return "\n".join(_inline(p) for p in cell if p.tag in (f"{_TEXT}p", f"{_TEXT}h"))


def _inline(element) -> str:
    parts = [element.text or ""]
    for child in element:
        if child.tag == f"{_TEXT}s":
            parts.append(" " * _repeat_spaces(child))
        elif child.tag == f"{_TEXT}tab":
            parts.append("\t")
        elif child.tag == f"{_TEXT}line-break":
            parts.append("\n")
        elif child.tag != f"{_OFFICE}annotation":
            parts.append(_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _repeat_spaces(element) -> int:
    try:
        return min(max(int(element.get(f"{_TEXT}c") or 1), 1), 1000)
    except ValueError:
        return 1
