"""The cells of one worksheet part of an ordinary .xlsx, found and decoded in one scan.

:mod:`wjexcel.collect.fastread` inflates the package and hands each worksheet part here.
:func:`check_grid` finds every cell element (nearly always in one pass, written as
nearly every program writes it) and raises :class:`NotFast` on anything unusual;
:func:`scan` decodes each cell with content (:mod:`wjexcel.collect.xlsxvalues`) and
records where content lies outside the form's bounds.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import html
import itertools
import operator
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from wjexcel.cellref import a1, column_number
from wjexcel.collect import preflight as P
from wjexcel.collect import xlsxvalues as V
from wjexcel.collect.book import CellData
from wjexcel.collect.xlsxvalues import NotFast
from wjexcel.errors import FormError

MAX_GRID_CELLS = 2_000_000
"""Largest rows x columns span of a worksheet's cells (what a reader of the sheet may allocate for it).
Within bounds smaller than this no span can be too large: it is measured where a cell lies outside them."""

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
_UNUSUAL = operator.itemgetter(5)
_EMPTY_CELL = re.compile(rb"<c\s[^>]*/>")
_FIRST_R = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
_ANY_R = re.compile(rb"""\sr\s*=\s*["'][A-Z]{1,3}[0-9]{1,7}["']""")
_ATTR = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF = re.compile(rb"([A-Z]{1,3})([0-9]{1,7})")
_VALUE = re.compile(rb"<" + _ANY_PREFIX + rb"v(?:\s[^>]*)?>([^<]*)<")
_FORMULA = re.compile(rb"<" + _ANY_PREFIX + rb"f(?=[\s/>])([^>]*)>(?:([^<]*)<)?")
_INLINE = re.compile(rb"<" + _ANY_PREFIX + rb"is[\s/>]")
_FORMULA_START = re.compile(rb"<" + _ANY_PREFIX + rb"f[\s/>]")
"""Where :data:`_FORMULA` could find a formula (a prefixed one too)."""

_TEXT_TYPES = (b"s", b"str", b"inlineStr")


@dataclass
class CellScan:
    """The scan of one worksheet part."""

    cells: dict[tuple[int, int], CellData] = field(default_factory=dict)
    """(row, col) -> each cell with content inside the bounds."""
    max_row: int = 0
    max_col: int = 0
    beyond: list[str] = field(default_factory=list)
    beyond_count: int = 0
    shared: dict[int, tuple[str, str]] = field(default_factory=dict)
    """A shared formula's text and first cell, by its index."""



# --- the scan ----------------------------------------------------------------------------------------
def check_grid(body: bytes):
    """NotFast unless every cell element of a part has a plain address and, together, they
    span at most :data:`MAX_GRID_CELLS` (what a reader may allocate for the sheet). Returns
    the cells as :func:`_cells_with_bodies` does, or how many cell elements there are when
    they are not all written the usual way."""
    plain = _usual_cells(body)
    if plain is not None:  # nearly always: one pass finds every cell, its address, style, type and body
        extent = _usual_extent(plain)
        if extent:
            _check_extent(*extent)
        return plain
    prefixed = _PREFIXED.search(body)
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
    extent = _extent(rows, letters)
    if extent:
        _check_extent(*extent)
    return count


def _usual_cells(body: bytes) -> list | None:
    """Every cell element of ``body`` as (column letters, row digits, style, type, body, b""), when
    each is written the usual way (:data:`_USUAL_CELL`); None when one is not."""
    if _PREFIXED.search(body):
        return None
    plain = _USUAL_CELL.findall(body)
    return None if any(map(_UNUSUAL, plain)) else plain


def _extent(rows, letters) -> tuple[int, int, int, int] | None:
    """The rows and columns cells span (top, bottom, left, right), from their row digits and
    column letters; None for no cell."""
    if not rows:
        return None
    numbers, columns = [int(x) for x in rows], [_column(x) for x in letters]
    return min(numbers), max(numbers), min(columns), max(columns)


def _usual_extent(plain: list) -> tuple[int, int, int, int] | None:
    """:func:`_extent` of the cells :func:`_usual_cells` found."""
    return _extent({cell[1] for cell in plain}, {cell[0] for cell in plain})


def _check_extent(top: int, bottom: int, left: int, right: int) -> None:
    if (bottom - top + 1) * (right - left + 1) > MAX_GRID_CELLS:
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


def scan(body: bytes, label: str, bounds: tuple[int, int], found, book: V.Workbook, formats: tuple[str, ...],
         made: dict, shared: dict | None = None) -> CellScan:
    """Each cell with content, its value decoded, and where content lies; ``found``: what
    :func:`check_grid` returned for the part; ``made``: the CellData already made, by value and kind;
    ``shared``: the shared formulas of the rows before (when ``body`` is some rows of a part)."""
    scan = CellScan() if shared is None else CellScan(shared=shared)
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


# --- a worksheet part, row by row -------------------------------------------------------------------
PIECES_KEPT = 8192
"""Rows remembered with their scan, in one process. The forms of one generate hold the same rows
(headers, labels, the numbered rows of a 明细 sheet) byte for byte; a row is scanned once and
taken as scanned wherever the same bytes come again under the same styles (and, where it holds
shared strings, the same strings). Only a row met twice is kept, so rows that only one form
holds (its values) never fill the memory; and no more than :data:`BYTES_KEPT` of rows and their
texts, no row longer than :data:`LONGEST_KEPT`, no row that needs a table of more than
:data:`STRINGS_KEPT` shared strings."""
BYTES_KEPT = 16 * 1024 * 1024
LONGEST_KEPT = 64 * 1024
LONGEST_BLOCK_KEPT = 1024 * 1024
"""The longest block of rows kept (:func:`scan_sheet`): a 明细 sheet's 200 rows are some 50 KB."""
BLOCK_LENGTHS_KEPT = 64
STRINGS_KEPT = 4096

_PIECES: dict[tuple, _Piece] = {}
_SEEN: set[int] = set()
_CONTEXTS: dict[tuple, int] = {}
_STRING_CONTEXTS: dict[tuple, int] = {}
_NUMBERING = itertools.count()
_KEPT = [0]  # bytes of the rows kept and of their texts


class _Piece(NamedTuple):
    """What the scan of some rows of a part found (``cells`` is never changed once made)."""

    cells: dict
    max_row: int
    max_col: int
    extent: tuple[int, int, int, int] | None
    """The rows and columns its cell elements span: top, bottom, left, right (None: it has none)."""
    rest: tuple | None
    """(cells outside the bounds, how many) when some cell element lies outside the bounds, else
    None (nearly always)."""


def scan_sheet(body: bytes, label: str, bounds: tuple[int, int], book: V.Workbook, formats: tuple[str, ...],
               made: dict) -> CellScan:
    """:func:`check_grid` and :func:`scan` of one worksheet part, piece by piece between its
    ``</row>`` tags, each piece taken as already scanned where the same bytes were scanned before
    under the same styles. The result is the whole part's: the pieces are checked one by one for
    what the whole part is checked for, and a part where any cell is not written the usual way
    (or is written across a ``</row>``) is scanned whole.

    The rows before the last piece that earlier forms had in common are then kept as one block
    (:data:`MIN_BLOCK_PIECES` pieces or more) and taken at once: the forms of one generate differ
    in their titles, their footers and the rows a reporter filled, so an unfilled 明细 sheet is the
    same 200 rows in every form."""
    if b"sheetData" not in body:
        return CellScan()  # no cells, whatever it holds
    if _PREFIXED.search(body):
        return scan(body, label, bounds, check_grid(body), book, formats, made)
    scanner = _Pieces(label, bounds, book, formats, made)
    last = body.rfind(b"</row>")
    for length, strings in tuple(_BLOCK_LENGTHS) if last > 0 else ():
        start = last - length
        if start > 6 and body[start - 6:start] == b"</row>":
            # bytes equal to a block's hold shared strings as it does: its context, without looking
            block = _PIECES.get((body[start:last], scanner.strings() if strings else scanner.plain_context))
            if block is not None:
                done = (all(scanner.take(piece) for piece in body[:start - 6].split(b"</row>"))
                        and scanner.add(block) and scanner.take(body[last + 6:]))
                break
    else:
        pieces = body.split(b"</row>")
        common = []  # what take gave for each piece: kept, scanned here, or (the last) refused
        for piece in pieces:
            common.append(scanner.take(piece))
            if not common[-1]:
                break
        done = bool(common[-1])
        if done and len(pieces) > MIN_BLOCK_PIECES + 1:
            _keep_block(body, pieces, common, scanner)
    return scanner.result() if done else scan(body, label, bounds, check_grid(body), book, formats, made)


MIN_BLOCK_PIECES = 16
"""The fewest pieces kept together as a block: fewer cost about as much to take one by one."""
_BLOCK_LENGTHS: set[tuple[int, bool]] = set()
"""The length of each block kept (where a part's block would start, counted back from its last
``</row>``), and whether it holds a shared string."""


class _Pieces:
    """The scan of one part being put together piece by piece (see :func:`scan_sheet`)."""

    def __init__(self, label: str, bounds: tuple[int, int], book: V.Workbook, formats: tuple[str, ...], made: dict):
        self.label, self.bounds, self.book, self.formats, self.made = label, bounds, book, formats, made
        self.plain_context = _context((bounds, formats, book.kinds, book.is_1904))
        self.strings_context: int | None = None
        self.scan = CellScan()
        self.extents: list = []
        self.outside = bounds[0] * bounds[1] > MAX_GRID_CELLS

    def key(self, piece: bytes) -> tuple:
        """What the scan of ``piece`` is kept under: its bytes, and its context (with the string table where it
        holds a shared string)."""
        return (piece, self.strings()) if b' t="s"' in piece else (piece, self.plain_context)

    def strings(self) -> int:
        """The context of pieces that hold a shared string."""
        if self.strings_context is None:
            self.strings_context = _strings_context(self.plain_context, self.book.strings or ())
        return self.strings_context

    def take(self, piece: bytes) -> _Piece | bool | None:
        """Add one piece: what was kept for it (a block may hold it), True when it was scanned here,
        False when the part must be scanned whole instead."""
        key = self.key(piece)
        got = _PIECES.get(key)
        if got is not None:
            return self.add(got)
        try:
            if b"shared" in piece and _FORMULA_START.search(piece):
                # a shared formula's text carries over to the rows after it: scanned in place, never kept
                got = _piece(piece, self.label, self.bounds, self.book, self.formats, self.made, self.scan.shared)
            else:
                got = _piece(piece, self.label, self.bounds, self.book, self.formats, self.made)
                _remember(key, got)
        except FormError:
            return False  # refused as the whole part is, in the same order as it is
        if got is None:  # a cell not written the usual way: the whole part as before
            return False
        self.add(got)
        return True

    def add(self, got: _Piece) -> _Piece:
        found, high_row, high_col, extent, rest = got
        scan = self.scan
        if found:
            count = len(scan.cells)
            scan.cells.update(found)
            if len(scan.cells) != count + len(found):
                raise NotFast("a cell twice")  # the careful path names it
        if high_row > scan.max_row:
            scan.max_row = high_row
        if high_col > scan.max_col:
            scan.max_col = high_col
        self.extents.append(extent)
        if rest is not None:
            self.outside = True
            samples, count = rest
            scan.beyond_count += count
            scan.beyond.extend(samples[:max(0, P.MAX_BEYOND_SAMPLES - len(scan.beyond))])
        return got

    def result(self) -> CellScan:
        spans = [e for e in self.extents if e is not None] if self.outside else ()
        if spans:  # within the bounds the span cannot be too large
            _check_extent(min(e[0] for e in spans), max(e[1] for e in spans), min(e[2] for e in spans),
                          max(e[3] for e in spans))
        return self.scan


def _keep_block(body: bytes, pieces: list[bytes], common: list, scanner: _Pieces) -> None:
    """Keep, as one block, the run of pieces before the last one that were all taken as kept (met in
    earlier forms), from the second piece at the earliest; ``common``: what take gave for each piece."""
    first = len(pieces) - 1
    while first > 1 and isinstance(common[first - 1], _Piece):
        first -= 1
    if len(pieces) - 1 - first < MIN_BLOCK_PIECES:
        return
    length = sum(map(len, pieces[first:-1])) + 6 * (len(pieces) - 2 - first)
    last = len(body) - len(pieces[-1]) - 6
    key = scanner.key(body[last - length:last])
    if key[1] >= 0 and length <= LONGEST_BLOCK_KEPT:
        if len(_BLOCK_LENGTHS) >= BLOCK_LENGTHS_KEPT:
            _BLOCK_LENGTHS.clear()
        _BLOCK_LENGTHS.add((length, key[1] != scanner.plain_context))
        _remember(key, _joined(common[first:-1]), LONGEST_BLOCK_KEPT)


def _joined(pieces: list[_Piece]) -> _Piece:
    """What some pieces found together, as one piece: added to a scan, it adds what they add one by one."""
    cells: dict = {}
    for piece in pieces:
        cells.update(piece.cells)
    extents = [p.extent for p in pieces if p.extent is not None]
    extent = (min(e[0] for e in extents), max(e[1] for e in extents), min(e[2] for e in extents),
              max(e[3] for e in extents)) if extents else None
    rests = [p.rest for p in pieces if p.rest is not None]
    rest = (tuple(s for samples, _ in rests for s in samples)[:P.MAX_BEYOND_SAMPLES], sum(n for _, n in rests)) \
        if rests else None
    return _Piece(cells, max(p.max_row for p in pieces), max(p.max_col for p in pieces), extent, rest)


def _piece(piece: bytes, label: str, bounds: tuple[int, int], book: V.Workbook, formats: tuple[str, ...],
           made: dict, shared: dict | None = None) -> _Piece | None:
    plain = _usual_cells(piece)
    if plain is None:
        return None
    found = scan(piece, label, bounds, plain, book, formats, made, shared)
    extent, rest = _usual_extent(plain), None
    if extent and (found.beyond_count or extent[0] < 1 or extent[1] > bounds[0] or extent[3] > bounds[1]):
        rest = (tuple(found.beyond), found.beyond_count)
    return _Piece(found.cells, found.max_row, found.max_col, extent, rest)


def _context(key: tuple) -> int:
    number = _CONTEXTS.get(key)
    if number is None:
        if len(_CONTEXTS) >= 256:
            _forget()
        number = _CONTEXTS[key] = next(_NUMBERING)
    return number


def _strings_context(plain_context: int, strings) -> int:
    """The context of rows that hold shared strings: ``plain_context`` and the table's digest (-1,
    never kept, for a table of over :data:`STRINGS_KEPT` strings)."""
    if len(strings) > STRINGS_KEPT:
        return -1
    # each string with its length before it: tables that differ only where a string ends (text may hold NUL) differ
    digest = hashlib.sha256("".join(f"{len(text)}:{text}" for text in strings).encode("utf-8", "surrogatepass")).digest()
    key = (plain_context, len(strings), digest)
    number = _STRING_CONTEXTS.get(key)
    if number is None:
        if len(_STRING_CONTEXTS) >= 1024:  # most forms have a table of their own: only these are let go
            _STRING_CONTEXTS.clear()
        number = _STRING_CONTEXTS[key] = next(_NUMBERING)
    return number


def _remember(key: tuple, piece: _Piece | None, longest: int = LONGEST_KEPT) -> None:
    """Keep a piece's scan once its bytes come a second time."""
    if piece is None or key[1] < 0 or len(key[0]) > longest:
        return
    seen = hash(key)
    if seen not in _SEEN:
        if len(_SEEN) >= 4 * PIECES_KEPT:
            _SEEN.clear()
        _SEEN.add(seen)
        return
    size = len(key[0]) + sum(len(cell.value) for cell in piece.cells.values() if isinstance(cell.value, str))
    if len(_PIECES) >= PIECES_KEPT or _KEPT[0] + size > BYTES_KEPT:
        _PIECES.clear()
        _KEPT[0] = 0
    _PIECES[key] = piece
    _KEPT[0] += size


def _forget() -> None:
    _PIECES.clear()
    _BLOCK_LENGTHS.clear()
    _KEPT[0] = 0
    _SEEN.clear()
    _CONTEXTS.clear()
    _STRING_CONTEXTS.clear()


_COLUMNS: dict[bytes, int] = {}


def _column(letters: bytes) -> int:
    """``b"AB"`` -> 28 (remembered: a form uses a handful of columns)."""
    number = _COLUMNS.get(letters)
    if number is None:
        number = _COLUMNS[letters] = column_number(letters.decode("ascii"))
    return number


def _formula_text(match, row: int, col: int, scan: CellScan) -> str:
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
