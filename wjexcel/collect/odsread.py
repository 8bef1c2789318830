"""The second reader of ``.ods`` files (odfpy), for a file calamine refuses.

calamine gives up on a whole workbook at the first attribute it cannot parse — found by
experiment: a float cell whose ``office:value`` is not a plain decimal (``"1,200"``, empty,
signed with a space), a negative or non-numeric ``number-columns-repeated`` — and the clerk
would get "文件内容有错误" for a form LibreOffice, Excel and Gnumeric open without a murmur.
This reader walks the same content with odfpy (the ODF library pandas uses) and keeps to
what calamine would give: values within the bounds, covered (merged-away) cells skipped,
repeated rows and columns counted without being expanded, and a value that cannot be
parsed taken as the text the cell shows.

It runs where calamine runs: in the child process of :func:`wjexcel.collect.reader._read_in_child`,
after the preflight scan, under the same memory cap and time limit.
"""

from __future__ import annotations

import datetime as _dt
import re

from wjexcel.collect.book import HIDDEN, VISIBLE, CellData, SheetData, WorkbookData, a1

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_ROW_CONTAINERS = {(_TABLE, "table-header-rows"), (_TABLE, "table-row-group"), (_TABLE, "table-rows")}
_NUMBER_TYPES = {"float", "percentage", "currency"}
_DURATION = re.compile(r"^PT(\d+)H(\d+)M(\d+(?:\.\d*)?)S$")
_MAX_REPEAT = 1 << 31


def read_ods(path, max_rows: int, max_cols: int) -> WorkbookData:
    """Every table of the .ods at ``path`` as :class:`WorkbookData` (cells within the bounds)."""
    from odf.opendocument import load

    doc = load(str(path))
    hidden = _hidden_table_styles(doc)
    sheets = []
    for table in doc.spreadsheet.childNodes:
        if _q(table) != (_TABLE, "table"):
            continue
        name = table.getAttrNS(_TABLE, "name") or f"Sheet{len(sheets) + 1}"
        visibility = HIDDEN if table.getAttrNS(_TABLE, "style-name") in hidden else VISIBLE
        sheet = SheetData(name, visibility, formulas_known=False)
        _fill(sheet, table, max_rows, max_cols)
        sheets.append(sheet)
    return WorkbookData("", "", sheets)


def _hidden_table_styles(doc) -> set[str]:
    """Names of the table styles with ``table:display="false"`` (a hidden sheet)."""
    names = set()
    for holder in (doc.automaticstyles, doc.styles):
        for style in holder.childNodes:
            if _q(style) != (_STYLE, "style") or style.getAttrNS(_STYLE, "family") != "table":
                continue
            for props in style.childNodes:
                if _q(props) == (_STYLE, "table-properties") and props.getAttrNS(_TABLE, "display") == "false":
                    names.add(style.getAttrNS(_STYLE, "name"))
    return names


def _q(node):
    """An element's (namespace, name); None for text between elements."""
    return getattr(node, "qname", None)


def _rows(node):
    for child in node.childNodes:
        if _q(child) == (_TABLE, "table-row"):
            yield child
        elif _q(child) in _ROW_CONTAINERS:
            yield from _rows(child)


def _repeat(node, attribute: str) -> int:
    try:
        n = int(node.getAttrNS(_TABLE, attribute) or 1)
    except ValueError:
        return 1
    return min(max(n, 1), _MAX_REPEAT)


def _fill(sheet: SheetData, table, max_rows: int, max_cols: int) -> None:
    row, beyond = 0, []
    for element in _rows(table):
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
        row += repeat
    sheet.beyond_bounds, sheet.beyond_cells = bool(beyond), tuple(beyond[:20])


def _cells(row_element, max_cols: int) -> tuple[list[tuple[int, CellData]], int]:
    """``(column, data)`` of the row's non-empty cells (repeats counted, covered cells skipped),
    and the last column holding content."""
    col, out, last = 0, [], 0
    for cell in row_element.childNodes:
        if _q(cell) not in ((_TABLE, "table-cell"), (_TABLE, "covered-table-cell")):
            continue
        repeat = _repeat(cell, "number-columns-repeated")
        data = _data(cell) if _q(cell) == (_TABLE, "table-cell") else None
        if data is not None:
            for c in range(col + 1, min(col + repeat, max_cols + 1) + 1):
                out.append((c, data))
            last = col + repeat
        col += repeat
    return out, last


def _data(cell) -> CellData | None:
    kind = cell.getAttrNS(_OFFICE, "value-type")
    text = _cell_text(cell)
    value = None
    if kind in _NUMBER_TYPES:
        value = _number(cell.getAttrNS(_OFFICE, "value"))
    elif kind == "date":
        value = _date(cell.getAttrNS(_OFFICE, "date-value"))
    elif kind == "time":
        value = _time(cell.getAttrNS(_OFFICE, "time-value"))
    elif kind == "boolean":
        value = {"true": True, "1": True, "false": False, "0": False}.get(
            (cell.getAttrNS(_OFFICE, "boolean-value") or "").strip().lower())
    elif kind == "string":
        shown = cell.getAttrNS(_OFFICE, "string-value")
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
    return "\n".join(_inline(p) for p in cell.childNodes if _q(p) in ((_TEXT, "p"), (_TEXT, "h")))


def _inline(node) -> str:
    parts = []
    for child in node.childNodes:
        if child.nodeType == child.TEXT_NODE:
            parts.append(child.data)
        elif _q(child) == (_TEXT, "s"):
            parts.append(" " * _repeat_spaces(child))
        elif _q(child) == (_TEXT, "tab"):
            parts.append("\t")
        elif _q(child) == (_TEXT, "line-break"):
            parts.append("\n")
        elif _q(child) != (_OFFICE, "annotation"):
            parts.append(_inline(child))
    return "".join(parts)


def _repeat_spaces(node) -> int:
    try:
        return min(max(int(node.getAttrNS(_TEXT, "c") or 1), 1), 1000)
    except ValueError:
        return 1
