"""Read an ordinary .xlsx fast: every part inflated once, one scan of the cells that also decodes their values.

This is how nearly every returned form is read. The file is inflated part by part within
the sizes its zip declares (which zip enforces); the scan finds every cell element of
every worksheet and decodes its value as python-calamine would (:mod:`wjexcel.collect.xlsxvalues`),
so the file is neither inflated nor walked a second time. Only files where that is plain
take this path; anything unusual — a part over :data:`MAX_PART_BYTES`, a text encoding
other than UTF-8, a cell without its address, a grid over :data:`MAX_GRID_CELLS`, a
shared-string count over :data:`MAX_STRINGS`, a value written in an unusual way — raises
:class:`NotFast`, and :mod:`wjexcel.collect.reader` reads the file the careful way.

The scan also gives each cell's type (text, error), its formula text and its number format;
where content lies outside the form's bounds; a DTD or entity declaration anywhere (refused
as unsafe, as the careful path does).
"""

from __future__ import annotations

import datetime as _dt
import functools
import html
import io
import re
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as DefusedET
from openpyxl.utils.cell import column_index_from_string

from wjexcel.collect import preflight as P
from wjexcel.cellref import a1
from wjexcel.collect.book import HIDDEN, VERY_HIDDEN, VISIBLE, CellData, SheetData, WorkbookData
from wjexcel.collect import xlsxvalues as V
from wjexcel.collect.xlsxvalues import NotFast
from wjexcel.filetypes import part_name

MAX_PART_BYTES = 16 * 1024 * 1024
"""Largest part read on this path (a filled form's largest is well under 1 MB)."""
MAX_GRID_CELLS = 2_000_000
"""Largest rows x columns span of a worksheet's cells (what a reader of the sheet may allocate for it)."""
MAX_STRINGS = 1_000_000
"""Largest shared-string count a workbook may declare (a reader may reserve room for that many)."""

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_WORKSHEET_REL = "/worksheet"

# Cells as calamine finds them: by local name, whatever the namespace prefix. Attributes are
# matched whole, quotes respected, so an "r" inside another attribute's value is never taken.
# Nearly every file writes cells without a prefix; the patterns for those are much faster.
_ANY_PREFIX = rb"""(?:[^\s<>/:=!?"']+:)?"""  # any XML name, Chinese too
_ATTRS = rb"""(?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*"""
_NOT_R = rb"""(?:\s+(?!r\s*=)[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*"""
_R = rb"""\s+r\s*=\s*(?:"([A-Z]{1,3})([0-9]{1,7})"|'([A-Z]{1,3})([0-9]{1,7})')"""
_PREFIXED = re.compile(rb":c[\s/>]")


@dataclass(frozen=True)
class _Patterns:
    start: re.Pattern
    ref: re.Pattern
    body: re.Pattern


def _patterns(prefix: bytes) -> _Patterns:
    return _Patterns(re.compile(rb"<" + prefix + rb"c[\s/>]"), re.compile(rb"<" + prefix + rb"c" + _NOT_R + _R),
                     re.compile(rb"<" + prefix + rb"c(" + _ATTRS + rb")\s*>(.*?)</" + prefix + rb"c\s*>", re.S))


_PLAIN_CELLS, _ANY_CELLS = _patterns(b""), _patterns(_ANY_PREFIX)
_ORDERED_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"(?: s="([0-9]{1,6})")?(?: t="([A-Za-z]{1,9})")?>'
                           rb"(.*?)</c>", re.S)
_USUAL_CELL = re.compile(rb'<c(?: r="([A-Z]{1,3})([0-9]{1,7})"(?: s="([0-9]{1,6})")?(?: t="([A-Za-z]{1,9})")?'
                         rb"(?:/>|>([^<]*(?:<(?!/c>|c[\s/>])[^<]*)*)</c>)|([\s/>]))")
"""Every cell element: as nearly every program writes it (attributes r, s, t only, in that order, no
cell inside it; self-closing or not) with address, style, type, body; any other by its 6th group."""
_EMPTY_CELL = re.compile(rb"<c\s[^>]*/>")
_FIRST_R = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
_ANY_R = re.compile(rb"""\sr\s*=\s*["'][A-Z]{1,3}[0-9]{1,7}["']""")
_ATTR = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF = re.compile(rb"([A-Z]{1,3})([0-9]{1,7})")
_VALUE = re.compile(rb"<" + _ANY_PREFIX + rb"v(?:\s[^>]*)?>([^<]*)<")
_FORMULA = re.compile(rb"<" + _ANY_PREFIX + rb"f(?=[\s/>])([^>]*)>(?:([^<]*)<)?")
_INLINE = re.compile(rb"<" + _ANY_PREFIX + rb"is[\s/>]")
_DTD = re.compile(rb"<!\s*(?:doctype|entity)", re.IGNORECASE)
_DECLARED_ENCODING = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([^"']+)""")
_SST_COUNT = re.compile(rb"""uniqueCount\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_TEXT_TYPES = (b"s", b"str", b"inlineStr")
_DATE1904 = re.compile(rb"""<(?:[^\s<>/:=!?"']+:)?workbookPr\s[^>]*?\bdate1904\s*=\s*(?:"(?:1|true)"|'(?:1|true)')""")
_STATES = (VISIBLE, HIDDEN, VERY_HIDDEN)
_SHEET_KINDS = ("worksheet", "chartsheet", "dialogsheet")


@dataclass
class _CellScan:
    """The scan of one worksheet part."""

    cells: dict[tuple[int, int], CellData] = field(default_factory=dict)
    """(row, col) -> each cell with content inside the bounds."""
    max_row: int = 0
    max_col: int = 0
    beyond: list[str] = field(default_factory=list)
    beyond_count: int = 0
    shared: dict[int, tuple[str, str]] = field(default_factory=dict)
    """A shared formula's text and first cell, by its index."""


def read(data: bytes, label: str, bounds: tuple[int, int], deadline: float) -> WorkbookData:
    """Read the workbook in ``data`` (an xlsx/xlsm package already sniffed as one).

    Raises:
        wjexcel.errors.FormError: the file is unsafe or damaged (the same messages as the careful path).
        NotFast: the file must be read the careful way.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise P.damaged(label) from exc
    with zf:
        P.check_zip(zf, label)
        parts = _inflate(zf, label, deadline)
    workbook_part = "xl/workbook.xml"
    sheets, names, styles = _structure(parts.get("_rels/.rels", b""), parts.get(workbook_part, b""),
                                       parts.get("xl/_rels/workbook.xml.rels", b""))
    if any(part not in parts for _, _, part in sheets):
        raise NotFast("a sheet part is missing")
    # What a reader may allocate is bounded here from the bytes of every part, whichever part it
    # takes for a sheet or a string table (this scan does not trust its own reading of the relations).
    for body in parts.values():
        if b"uniqueCount" in body:  # a reader may reserve room for the count a string table declares
            for quoted, single in _SST_COUNT.findall(body):
                value = quoted or single
                if not value.isdigit() or int(value) > MAX_STRINGS:
                    raise NotFast("shared strings")
    cells = {name: _check_grid(body) for name, body in parts.items() if b"sheetData" in body}
    formats = _number_formats(parts.get(styles, b""))
    book = _values_of(parts)
    result, made = [], {}  # the same value in the same kind of cell is the same CellData
    for name, visibility, part in sheets:
        if time.monotonic() > deadline:
            raise P.too_slow(label)
        scan = _scan(parts[part], label, bounds, cells.get(part, ()), book, formats, made)
        result.append(SheetData(name, visibility, scan.cells, max_row=scan.max_row, max_col=scan.max_col,
                                beyond_bounds=scan.beyond_count > 0, beyond_cells=tuple(scan.beyond)))
    return WorkbookData(label, "", result, _custom_properties(parts), dict(names))


def _values_of(parts: dict[str, bytes]) -> V.Workbook:
    """The strings, date styles and epoch of the workbook, from the parts calamine takes for them."""
    by_lower = {name.lower(): name for name in parts}
    if len(by_lower) != len(parts):
        raise NotFast("part names")  # calamine looks parts up whatever their case
    strings = parts.get(by_lower.get("xl/sharedstrings.xml", ""))
    styles = parts.get(by_lower.get("xl/styles.xml", ""))
    workbook = parts.get("xl/workbook.xml", b"")
    return V.Workbook(V.shared_strings(strings), V.date_kinds(styles), bool(_DATE1904.search(workbook)))


# --- the package ---------------------------------------------------------------------------------
def _inflate(zf: zipfile.ZipFile, label: str, deadline: float) -> dict[str, bytes]:
    """Every part, inflated within its declared size; NotFast on anything unusual.

    Every part, not only those named ``.xml``: calamine follows a relation's target as it is
    written, so any part may be the one it reads.
    """
    parts = {}
    for info in zf.infolist():
        name = info.filename
        if name != part_name(name) or name in parts:
            raise NotFast("part names")
        if info.is_dir():
            continue
        if info.file_size > MAX_PART_BYTES:
            raise NotFast("a large part")
        if time.monotonic() > deadline:
            raise P.too_slow(label)
        try:
            body = zf.read(info)
        except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, ValueError, NotImplementedError) as exc:
            raise P.damaged(label) from exc
        if name.lower().endswith((".xml", ".rels")) or b"sheetData" in body or b"uniqueCount" in body:
            head = body[:256]
            if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
                raise NotFast("not UTF-8")
            declared = _DECLARED_ENCODING.search(head)
            if declared and declared.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
                raise NotFast("not UTF-8")
            if _DTD.search(body):
                raise P.unsafe_xml(label)
            if name.lower().endswith(".rels") and b"&" in body:
                raise NotFast("an escaped relation")  # calamine takes a target as written, unescaped
        parts[name] = body
    return parts


def _xml(body: bytes):
    try:
        return DefusedET.fromstring(body)
    except (DefusedET.ParseError, DefusedXmlException, ValueError) as exc:
        raise NotFast("unreadable XML") from exc


def _relations(parts: dict[str, bytes], part: str) -> dict[str, tuple[str, str]]:
    """``{Id: (type, target part)}`` of a part's relationships."""
    folder, _, base = part.rpartition("/")
    rels = parts.get(f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels")
    if rels is None:
        return {}
    out = {}
    for node in _xml(rels):
        if node.tag != f"{{{_PKG_REL_NS}}}Relationship" or node.get("TargetMode") == "External":
            continue
        target = node.get("Target") or ""
        path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath(folder, target))
        parts_of = []
        for piece in path.split("/"):
            if piece == "..":
                if parts_of:
                    parts_of.pop()
            elif piece and piece != ".":
                parts_of.append(piece)
        out[node.get("Id") or ""] = (node.get("Type") or "", "/".join(parts_of))
    return out


@functools.lru_cache(maxsize=16)
def _structure(root_rels: bytes, workbook: bytes, workbook_rels: bytes):
    """(sheets, defined names, styles part) of a package's workbook; forms from one generate
    share these parts byte for byte, so each is parsed once."""
    parts = {"_rels/.rels": root_rels, "xl/workbook.xml": workbook, "xl/_rels/workbook.xml.rels": workbook_rels}
    part = _office_document(parts)
    sheets, names = _workbook(parts, part)
    return tuple(sheets), names, _styles_part(parts, part)


def _office_document(parts: dict[str, bytes]) -> str:
    found = [t for kind, t in _relations(parts, "").values() if kind.endswith("/officeDocument")]
    if len(found) != 1 or found[0] != "xl/workbook.xml" or not parts.get(found[0]):
        raise NotFast("workbook part")
    return found[0]


def _workbook(parts: dict[str, bytes], part: str):
    """(sheets as (name, visibility, part), defined names) in workbook order; worksheets only."""
    root = _xml(parts[part])
    rels = _relations(parts, part)
    ns = root.tag.rpartition("}")[0] + "}" if root.tag.startswith("{") else ""
    sheets, names = [], {}
    titles = []
    for node in root.iter(f"{ns}sheet"):
        kind, target = rels.get(node.get(f"{{{_REL_NS}}}id") or "", ("", ""))
        titles.append(node.get("name") or "")
        if kind.rpartition("/")[2] not in _SHEET_KINDS or (node.get("state") or VISIBLE) not in _STATES:
            raise NotFast("a sheet calamine refuses")
        if not kind.endswith(_WORKSHEET_REL):
            continue
        sheets.append((node.get("name") or "", node.get("state") or VISIBLE, target))
    if len(set(titles)) != len(titles) or len({t for _, _, t in sheets}) != len(sheets):
        raise NotFast("sheet names")
    for node in root.iter(f"{ns}definedName"):
        name, local = node.get("name") or "", node.get("localSheetId")
        if name.startswith("_xlnm."):  # print areas and titles: page setup, not names
            continue
        if local is not None and local.isdigit() and int(local) < len(titles):
            name = f"{titles[int(local)]}!{name}"
        names[name] = node.text or ""
    return sheets, names


def _styles_part(parts: dict[str, bytes], workbook_part: str) -> str:
    for kind, target in _relations(parts, workbook_part).values():
        if kind.endswith("/styles"):
            return target
    return ""


@functools.lru_cache(maxsize=16)
def _number_formats(styles: bytes) -> tuple[str, ...]:
    """The number format of each cell style (``cellXfs``), by index."""
    if not styles:
        return ()
    from openpyxl.styles.numbers import BUILTIN_FORMATS

    root = _xml(styles)
    ns = root.tag.rpartition("}")[0] + "}" if root.tag.startswith("{") else ""
    custom = {}
    for node in root.iter(f"{ns}numFmt"):
        if (node.get("numFmtId") or "").isdigit():
            custom[int(node.get("numFmtId"))] = node.get("formatCode") or "General"
    formats = []
    xfs = root.find(f"{ns}cellXfs")
    for xf in xfs if xfs is not None else ():
        raw = xf.get("numFmtId") or "0"
        number = int(raw) if raw.isdigit() else 0
        formats.append(custom.get(number) or BUILTIN_FORMATS.get(number, "General"))
    return tuple(formats)


# --- the scan ----------------------------------------------------------------------------------------
def _check_grid(body: bytes):
    """NotFast unless every cell element of a part has a plain address and, together, they
    span at most :data:`MAX_GRID_CELLS` (what a reader may allocate for the sheet). Returns
    the cells as :func:`_cells_with_bodies` does, or how many cell elements there are when
    they are not all written the usual way."""
    prefixed = _PREFIXED.search(body)
    if not prefixed:  # nearly always: one pass finds every cell, its address, style, type and body
        plain = _USUAL_CELL.findall(body)
        if {cell[5] for cell in plain} <= {b""}:  # every one written the usual way
            letters, rows = {cell[0] for cell in plain}, {cell[1] for cell in plain}
            _check_span(rows, letters)
            return plain
    cells = _ANY_CELLS if prefixed else _PLAIN_CELLS
    count = len(cells.start.findall(body))
    if len(_ANY_R.findall(body)) != count:
        raise NotFast("cell addresses")  # one r each: calamine places a cell by its last r, this scan by its first
    plain = [] if prefixed else _FIRST_R.findall(body)  # r written first, in double quotes: nearly always
    if len(plain) == count:
        letters, rows = {a for a, _ in plain}, {b for _, b in plain}
    else:
        refs = cells.ref.findall(body)
        if len(refs) != count:
            raise NotFast("a cell without a plain address")  # the careful path names a damaged one
        letters, rows = {a or c for a, _, c, _ in refs}, {b or d for _, b, _, d in refs}
    _check_span(rows, letters)
    return count


def _check_span(rows, letters) -> None:
    if rows:
        numbers, columns = [int(x) for x in rows], [_column(x) for x in letters]
        if (max(numbers) - min(numbers) + 1) * (max(columns) - min(columns) + 1) > MAX_GRID_CELLS:
            raise NotFast("a large grid")


def _cells_with_bodies(body: bytes, count: int):
    """(column letters, row digits, style, type, body, b"") of each cell that is not empty-tagged, in
    a part where some cell is not written as :data:`_USUAL_CELL` finds it."""
    prefixed = _PREFIXED.search(body)
    if not prefixed:
        ordered = _ORDERED_CELL.findall(body)
        if len(ordered) == count - len(_EMPTY_CELL.findall(body)):
            return [(*cell, b"") for cell in ordered]
    cells = _ANY_CELLS if prefixed else _PLAIN_CELLS
    out = []
    for head, inner in cells.body.findall(body):
        attrs = {name: first or second for name, first, second in _ATTR.findall(head)}
        match = _REF.fullmatch(attrs.get(b"r") or b"")
        if match is None:
            raise NotFast("a cell without a plain address")
        if attrs.get(b"t") == b"" or attrs.get(b"s") == b"" or len(attrs) != len(_ATTR.findall(head)):
            raise NotFast("a cell's attributes")
        out.append((match.group(1), match.group(2), attrs.get(b"s") or b"", attrs.get(b"t") or b"", inner, b""))
    return out


def _scan(body: bytes, label: str, bounds: tuple[int, int], found, book: V.Workbook, formats: tuple[str, ...],
          made: dict) -> _CellScan:
    """Each cell with content, its value decoded, and where content lies; ``found``: what
    :func:`_check_grid` returned for the part; ``made``: the CellData already made, by value and kind."""
    scan = _CellScan()
    max_rows, max_cols = bounds
    cells = scan.cells
    for letters, digits, style, kind, inner, _ in found if isinstance(found, list) else _cells_with_bodies(body, found):
        if not inner:  # <c r="B4" s="12"/> or <c ...></c>: a styled cell with nothing in it
            continue
        if inner[:3] == b"<v>" and kind in (b"", b"n") and b"<" not in inner[3:-4] and inner[-4:] == b"</v>":
            raw = inner[3:-4]
            if not raw:
                continue
            row, col = int(digits), _column(letters)
            if row <= max_rows and col <= max_cols and row <= scan.max_row and col <= scan.max_col:
                if (row, col) in cells:
                    raise NotFast("a cell twice")  # the careful path names it
                value = book.numeric(raw, style)  # a plain number: the commonest cell
                key = (value.__class__, value, b"n", style)
                cell = made.get(key)
                if cell is None:
                    cell = made[key] = _cell(value, (b"n", style, None, None), formats)
                cells[(row, col)] = cell
                continue
            formula = found_value = None
            value = book.numeric(raw, style)
        else:
            formula = _FORMULA.search(inner) if b"f" in inner else None
            found_value = _VALUE.search(inner)
            if not (formula or (found_value and found_value.group(1).strip()) or _INLINE.search(inner)):
                if found_value and found_value.group(1):
                    raise NotFast("a blank value")  # calamine keeps it; the scan would not
                book.value(kind, style, inner)  # what calamine refuses, refused here too
                continue
            value = book.value(kind, style, inner)
            row, col = int(digits), _column(letters)
        if row > P.MAX_SHEET_ROW or col > P.MAX_SHEET_COL:
            raise P.far_cell(label, row, col)
        if row > scan.max_row:
            scan.max_row = row
        if col > scan.max_col:
            scan.max_col = col
        if row > max_rows or col > max_cols:
            scan.beyond_count += 1
            if len(scan.beyond) < P.MAX_BEYOND_SAMPLES:
                scan.beyond.append(a1(row, col))
            continue
        if (row, col) in cells:
            raise NotFast("a cell twice")  # the careful path names it
        kind = kind or b"n"
        text = _formula_text(formula, row, col, scan) if formula is not None else None
        error = None
        if kind == b"e" and found_value:
            error = html.unescape(found_value.group(1).decode("utf-8", "replace"))
        if value == "":
            if text is None and error is None:
                continue
            value = None  # a formula without its result, an error
        key = (value.__class__, value, kind, style, text, error)
        cell = made.get(key)
        if cell is None:
            cell = made[key] = _cell(value, (kind, style, text, error), formats)
        cells[(row, col)] = cell
    return scan


_COLUMNS: dict[bytes, int] = {}


def _column(letters: bytes) -> int:
    """``b"AB"`` -> 28 (remembered: a form uses a handful of columns)."""
    number = _COLUMNS.get(letters)
    if number is None:
        number = _COLUMNS[letters] = column_index_from_string(letters.decode("ascii"))
    return number


def _formula_text(match, row: int, col: int, scan: _CellScan) -> str:
    """A cell's formula as openpyxl gives it (``=`` and the text); a shared formula's other
    cells get the first cell's formula moved to theirs."""
    attrs, text = match.group(1), match.group(2)
    text = html.unescape(text.decode("utf-8", "replace")) if text else ""
    shared = re.search(rb"""\bt\s*=\s*["']shared["']""", attrs)
    index = re.search(rb"""\bsi\s*=\s*["'](\d+)["']""", attrs)
    if shared and index:
        key = int(index.group(1))
        if text:
            scan.shared[key] = (text, a1(row, col))
        elif key in scan.shared:
            from openpyxl.formula.translate import Translator

            origin_text, origin = scan.shared[key]
            try:
                return Translator(f"={origin_text}", origin).translate_formula(a1(row, col))
            except Exception:  # noqa: BLE001 - a formula Translator cannot move is shown as it is
                return f"={origin_text}"
    return f"={text}"


# --- values ---------------------------------------------------------------------------------------
_PLAIN = (b"n", b"", None, None)


def _cell(value, scanned, formats: tuple[str, ...]) -> CellData:
    kind, style, formula, error = scanned or _PLAIN
    if value.__class__ is float:
        if value.is_integer() and -1e15 < value < 1e15:
            value = int(value)  # "5" in the file: openpyxl and Excel show 5, not 5.0
    elif isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
        value = _dt.datetime(value.year, value.month, value.day)
    elif value == "" and formula is None and kind not in _TEXT_TYPES:
        value = None
    return CellData(error if kind == b"e" and error is not None else value, formula,
                    kind in _TEXT_TYPES, kind == b"e", _format_of(style, formats))


def _format_of(style: bytes, formats: tuple[str, ...]) -> str | None:
    """The number format of style index ``style`` (the first style's when it names none)."""
    if style.isdigit() and int(style) < len(formats):
        return formats[int(style)]
    return formats[0] if formats else None


def _custom_properties(parts: dict[str, bytes]) -> dict:
    body = parts.get("docProps/custom.xml")
    if not body:
        return {}
    out = {}
    for node in _xml(body):
        name = node.get("name")
        if name and len(node):
            out[name] = node[0].text
    return out
