"""Read an ordinary .xlsx fast: every part inflated once, one scan of the cells that also decodes their values.

This is how nearly every returned form is read. The file is inflated part by part within
the sizes its zip declares (which zip enforces); the scan finds every cell element of
every worksheet and decodes its value as python-calamine would (:mod:`wjexcel.collect.xlsxvalues`),
so the file is neither inflated nor walked a second time. Only files where that is plain
take this path; anything unusual — a part over :data:`MAX_PART_BYTES`, a text encoding
other than UTF-8, a cell without its address, a grid over :data:`~wjexcel.collect.cellscan.MAX_GRID_CELLS`, a
shared-string count over :data:`MAX_STRINGS`, a value written in an unusual way — raises
:class:`NotFast`, and :mod:`wjexcel.collect.reader` reads the file the careful way.

The scan (:mod:`wjexcel.collect.cellscan`) also gives each cell's type (text, error), its formula text and its number format;
where content lies outside the form's bounds; a DTD or entity declaration anywhere (refused
as unsafe, as the careful path does).
"""

from __future__ import annotations

import bisect
import functools
import io
import re
import struct
import time
import zipfile
import zlib
from pathlib import PurePosixPath

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as DefusedET

from wjexcel.collect import preflight as P
from wjexcel.collect.book import HIDDEN, VERY_HIDDEN, VISIBLE, SheetData, WorkbookData
from wjexcel.collect import xlsxvalues as V
from wjexcel.collect import cellscan as C
from wjexcel.collect.xlsxvalues import NotFast
from wjexcel.errors import FormError
from wjexcel.filetypes import part_name

MAX_PART_BYTES = 16 * 1024 * 1024
"""Largest part read on this path (a filled form's largest is well under 1 MB)."""
MAX_STRINGS = 1_000_000
"""Largest shared-string count a workbook may declare (a reader may reserve room for that many)."""

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_WORKSHEET_REL = "/worksheet"

_DTD = re.compile(rb"<!\s*(?:doctype|entity)", re.IGNORECASE)
_DECLARED_ENCODING = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([^"']+)""")
_SST_COUNT = re.compile(rb"""uniqueCount\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_DATE1904 = re.compile(rb"""<(?:[^\s<>/:=!?"']+:)?workbookPr\s[^>]*?\bdate1904\s*=\s*(?:"(?:1|true)"|'(?:1|true)')""")
_STATES = (VISIBLE, HIDDEN, VERY_HIDDEN)
BUILTIN_NUMBER_FORMATS = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00",
    5: '"$"#,##0_);("$"#,##0)', 6: '"$"#,##0_);[Red]("$"#,##0)', 7: '"$"#,##0.00_);("$"#,##0.00)',
    8: '"$"#,##0.00_);[Red]("$"#,##0.00)', 9: "0%", 10: "0.00%", 11: "0.00E+00", 12: "# ?/?", 13: "# ??/??",
    14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM",
    20: "h:mm", 21: "h:mm:ss", 22: "m/d/yy h:mm", 37: "#,##0_);(#,##0)", 38: "#,##0_);[Red](#,##0)",
    39: "#,##0.00_);(#,##0.00)", 40: "#,##0.00_);[Red](#,##0.00)",
    41: '_(* #,##0_);_(* \\(#,##0\\);_(* "-"_);_(@_)', 42: '_("$"* #,##0_);_("$"* \\(#,##0\\);_("$"* "-"_);_(@_)',
    43: '_(* #,##0.00_);_(* \\(#,##0.00\\);_(* "-"??_);_(@_)',
    44: '_("$"* #,##0.00_)_("$"* \\(#,##0.00\\)_("$"* "-"??_)_(@_)',
    45: "mm:ss", 46: "[h]:mm:ss", 47: "mmss.0", 48: "##0.0E+0", 49: "@",
}
"""Excel's built-in number formats by id (ECMA-376 part 1, 18.8.30), spelled as openpyxl, the careful
path, spells them, so a cell has the same format either way (``tests/collect/test_fast_values.py``
holds the two equal); kept here so the fast path never imports openpyxl."""
_SHEET_KINDS = ("worksheet", "chartsheet", "dialogsheet")



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
        parts = _inflate(zf, data, label, deadline)
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
    sheet_parts = {part for _, _, part in sheets}
    for name, body in parts.items():
        if name not in sheet_parts and b"sheetData" in body:
            C.check_grid(body)  # a part no sheet names is held to what a sheet is
    formats = _number_formats(parts.get(styles, b""))
    book = _values_of(parts)
    result, made = [], {}  # the same value in the same kind of cell is the same CellData
    for index, (name, visibility, part) in enumerate(sheets):
        if time.monotonic() > deadline:
            raise P.too_slow(label)
        try:
            scan = C.scan_sheet(parts[part], label, bounds, book, formats, made)
        except FormError:
            for _, _, later in sheets[index + 1:]:  # each sheet's cells are checked before any is refused
                C.check_grid(parts[later])
            raise
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
def _inflate(zf: zipfile.ZipFile, data: bytes, label: str, deadline: float) -> dict[str, bytes]:
    """Every part, inflated within its declared size; NotFast on anything unusual.

    Every part, not only those named ``.xml``: calamine follows a relation's target as it is
    written, so any part may be the one it reads.
    """
    parts = {}
    infos = zf.infolist()
    starts = sorted({info.header_offset for info in infos} | {zf.start_dir})
    for info in infos:
        name = info.filename
        if name != part_name(name) or name in parts:
            raise NotFast("part names")
        if info.is_dir():
            continue
        if info.file_size > MAX_PART_BYTES:
            raise NotFast("a large part")
        if time.monotonic() > deadline:
            raise P.too_slow(label)
        body = _plain_part(data, info, _following(starts, info.header_offset))
        try:
            if body is None:
                body = zf.read(info)
        except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, ValueError, NotImplementedError,
                zlib.error) as exc:
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


_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
"""A zip entry's local file header (PKWARE APPNOTE 4.3.7): signature, versions, flags, method, time,
date, CRC-32, sizes, name length, extra field length; the name and the extra field follow."""
_LOCAL_SIGNATURE = b"PK\x03\x04"
_MASK_NOT_PLAIN = 0x1 | 0x20 | 0x40
"""Encrypted, compressed patched data, strong encryption (general purpose flag bits 0, 5, 6)."""
_UTF8_NAME = 0x800


def _following(starts: list[int], offset: int) -> int | None:
    """Where the entry after the one at ``offset`` starts (``starts``: every entry's offset and the
    directory's, sorted), or None when nothing follows it."""
    after = bisect.bisect_right(starts, offset)
    return starts[after] if after < len(starts) else None


def _plain_part(data: bytes, info: zipfile.ZipInfo, following: int | None) -> bytes | None:
    """The part's bytes, inflated straight out of ``data``, when it is stored the plain way: stored
    or deflated, not encrypted, its local header where the directory says and agreeing with it,
    its data ending before the next entry (``following``: that entry's offset, or the
    directory's), its deflate stream ending where its declared size does, its CRC-32 right.
    None otherwise: zipfile then reads it (and refuses it) as it always has.

    What comes out is what ``zipfile`` gives for such a part, without its file-like machinery
    (about a third of the time of inflating a form)."""
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & _MASK_NOT_PLAIN:
        return None
    start = info.header_offset
    if start < 0 or following is None or following > len(data):  # a directory pointing before the file
        return None
    header = data[start:start + _LOCAL_HEADER.size]
    if len(header) != _LOCAL_HEADER.size:
        return None
    signature, _, _, flags, _, _, _, _, _, _, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    if signature != _LOCAL_SIGNATURE:
        return None
    name_end = start + _LOCAL_HEADER.size + name_length
    try:  # as zipfile decodes it (opened without a metadata encoding)
        name = data[start + _LOCAL_HEADER.size:name_end].decode("utf-8" if flags & _UTF8_NAME else "cp437")
    except UnicodeDecodeError:
        return None
    begin = name_end + extra_length
    end = begin + info.compress_size
    if name != info.orig_filename or end > following:
        return None
    if info.compress_type == zipfile.ZIP_STORED:
        body = data[begin:end]
    else:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        try:  # room for one byte more: a stream longer than declared is not plain, and its end is seen
            body = inflater.decompress(memoryview(data)[begin:end], info.file_size + 1)
        except zlib.error:
            return None
        if not inflater.eof:
            return None
    if len(body) != info.file_size or zlib.crc32(body) != info.CRC:
        return None
    return body


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
        formats.append(custom.get(number) or BUILTIN_NUMBER_FORMATS.get(number, "General"))
    return tuple(formats)



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
