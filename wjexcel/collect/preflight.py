"""Make hostile files harmless before any parser sees them.

Neither openpyxl nor calamine limits decompressed size, and calamine aborts the whole
process on a huge allocation. Zip sizes declared in the central directory are enforced
on decompression, so checking them first is trustworthy (the model is Apache POI's
``ZipSecureFile``). Every rejection is a :class:`~wjexcel.errors.FormError` with a
Chinese message naming the file.
"""

from __future__ import annotations

import io
import logging
import re
import time
import xml.sax
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import DefusedXmlException

from wjexcel import filetypes
from wjexcel.cellref import a1, column_number
from wjexcel.errors import FormError, os_reason
from wjexcel.filenames import zip_member_name
from wjexcel.problems import Code

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 50 * 1024 * 1024
"""Largest file accepted at all; a filled form is well under 1 MB."""
MAX_ZIP_MEMBERS = 1000
"""Most members in one zip (an xlsx has a few dozen parts)."""
MAX_MEMBER_BYTES = 100 * 1024 * 1024
"""Largest declared uncompressed size of one member."""
MAX_TOTAL_BYTES = 200 * 1024 * 1024
"""Largest declared uncompressed size of all members together (one collect run's inflate
budget, :data:`wjexcel.collect.limits.INFLATE_BYTES`, is as large by default)."""
MIN_INFLATE_RATIO = 0.01
"""Smallest compressed/uncompressed ratio (at most 100x), as POI's ``ZipSecureFile``."""
RATIO_GRACE_BYTES = 16 * 1024 * 1024
"""The ratio rule's size floor (POI's ``ZipSecureFile`` has one too): parts up to this size
are harmless to parse whatever their ratio, and genuine workbooks have 121:1 shared strings
or a 128:1 ``settings.xml`` of a few MB. Larger parts must keep to the ratio, and every part
to :data:`MAX_MEMBER_BYTES`."""
MAX_NESTING_DEPTH = 2
"""An archive may hold archives, but those may not hold archives again."""
MAX_SHEET_ROW = 100_000
"""A cell with content below this row is treated as hostile or broken."""
MAX_SHEET_COL = 1_000
"""A cell with content right of this column (ALL) is treated as hostile or broken."""
SCAN_SECONDS = 20.0
"""Time budget for scanning one file's XML parts."""
MAX_BEYOND_SAMPLES = 20
"""How many cells outside the reader's bounds are named in a scan result."""

SPREADSHEETML = frozenset({
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
})
_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
_CHUNK = 64 * 1024
RESAVE = "请用 Excel 或 WPS 打开后另存为 .xlsx 再发送"


@dataclass(frozen=True)
class SheetScan:
    """Where a worksheet part really has content (1-based; 0 when empty).

    Attributes:
        part: Zip member name of the worksheet (``xl/worksheets/sheet1.xml``).
        max_row: Last row holding a value or formula.
        max_col: Last column holding a value or formula.
        beyond: A1 references of the first cells with content outside the bounds.
        beyond_count: How many such cells there are in all.
    """

    part: str
    max_row: int = 0
    max_col: int = 0
    beyond: tuple[str, ...] = ()
    beyond_count: int = 0


@dataclass(frozen=True)
class PreflightResult:
    """A file that passed: its type and, for xlsx/xlsm, the scan of each sheet part (by part
    name); ``odd_names`` when some part is named with backslashes or a leading slash."""

    filetype: filetypes.FileType
    sheets: dict[str, SheetScan] = field(default_factory=dict)
    odd_names: bool = False


def preflight(path, *, display_name: str | None = None, bounds: tuple[int, int] | None = None,
              deadline: float | None = None, data: bytes | None = None,
              filetype: filetypes.FileType | None = None) -> PreflightResult:
    """Check a returned file before it is parsed; raise FormError if it is unsafe.

    Args:
        path: The file.
        display_name: Name shown to the clerk (defaults to the file name).
        bounds: ``(max_rows, max_cols)`` of the form; cells with content outside are
            reported in :attr:`SheetScan.beyond`.
        deadline: ``time.monotonic()`` by which the scan must be done (default: in
            :data:`SCAN_SECONDS`); the reader passes its per-file deadline.
        data: The file's bytes when already read (``path`` then only names it), and
            ``filetype`` what :func:`check_bytes` found them to be.
    """
    path = Path(path)
    label = display_name or path.name
    if data is None:
        kind = check_file(path, label)
    else:
        kind = check_bytes(data, label, filetype)
    if kind.kind not in (filetypes.XLSX, filetypes.XLSM, filetypes.ODS):
        return PreflightResult(kind)
    deadline = deadline or time.monotonic() + SCAN_SECONDS
    with _open_zip(path if data is None else io.BytesIO(data), label) as zf:
        check_zip(zf, label)
        sheets, odd = {}, False
        for info in zf.infolist():
            name = filetypes.part_name(info.filename)
            odd = odd or name != info.filename
            if name.endswith((".xml", ".rels")) and not info.is_dir():
                scan = _scan_part(zf, info, label, bounds, deadline)
                if scan is not None:
                    sheets[name] = scan
    return PreflightResult(kind, sheets, odd)


def check_file(path: Path, label: str) -> filetypes.FileType:
    """The file's type, once its size is known to be sane and its content to be a readable
    spreadsheet; a FormError otherwise."""
    check_size(path, label)
    kind = _sniff(path, label)
    if not kind.readable:
        raise FormError(f"“{label}”：{kind.message}", kind.code)
    return kind


def check_bytes(data: bytes, label: str, filetype: filetypes.FileType | None = None) -> filetypes.FileType:
    """:func:`check_file` for a file already read (``filetype``: already sniffed from these bytes)."""
    if len(data) > MAX_FILE_BYTES:
        raise FormError(f"“{label}”：文件太大（{len(data) // (1024 * 1024)} MB，上限 {MAX_FILE_BYTES // (1024 * 1024)} MB），"
                        "不像是填好的报表", Code.FILE_TOO_BIG)
    kind = filetype or filetypes.sniff(data)
    if not kind.readable:
        raise FormError(f"“{label}”：{kind.message}", kind.code)
    return kind


def check_size(path: Path, label: str) -> None:
    """A FormError unless the file can be looked at and is not over :data:`MAX_FILE_BYTES`."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise FormError(f"“{label}”：无法读取文件（{os_reason(exc)}）", Code.FILE_UNREADABLE) from exc
    if size > MAX_FILE_BYTES:
        raise FormError(f"“{label}”：文件太大（{size // (1024 * 1024)} MB，上限 {MAX_FILE_BYTES // (1024 * 1024)} MB），"
                        "不像是填好的报表", Code.FILE_TOO_BIG)


def _sniff(path: Path, label: str) -> filetypes.FileType:
    try:
        return filetypes.sniff(path)
    except OSError as exc:
        raise FormError(f"“{label}”：无法读取文件（{os_reason(exc)}）", Code.FILE_UNREADABLE) from exc


def _open_zip(path, label: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise damaged(label) from exc


def check_zip(zf: zipfile.ZipFile, label: str, code: str = Code.FILE_UNSAFE) -> int:
    """Apply the member-count, size, ratio and path rules to an open zip; return its
    declared inflated size. ``code`` is that of the FormError raised (a workbook's parts,
    or an archive's members): a clerk who sent a workbook is not told about an archive,
    nor given the name of a part inside it."""
    workbook = code == Code.FILE_UNSAFE
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        inside = "表格文件内部的文件" if workbook else "压缩包内文件"
        raise FormError(f"“{label}”：{inside}过多（{len(infos)} 个，上限 {MAX_ZIP_MEMBERS}），已拒绝", code)
    total = 0
    for info in infos:
        name = zip_member_name(info)
        _check_member_name(info.filename, name, label, code)
        part = "表格文件内部有一部分" if workbook else f"其中“{name}”"
        if info.file_size > MAX_MEMBER_BYTES:
            raise FormError(
                f"“{label}”：{part}解压后有 {info.file_size // (1024 * 1024)} MB，"
                f"超过上限 {MAX_MEMBER_BYTES // (1024 * 1024)} MB，可能是恶意文件，已拒绝", code)
        if info.file_size > RATIO_GRACE_BYTES and info.compress_size < info.file_size * MIN_INFLATE_RATIO:
            raise FormError(
                f"“{label}”：{part}压缩比异常（解压后放大 {info.file_size // max(info.compress_size, 1)} 倍），"
                "可能是“压缩炸弹”，已拒绝", code)
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise FormError(
            f"“{label}”：解压后总大小 {total // (1024 * 1024)} MB，超过上限 {MAX_TOTAL_BYTES // (1024 * 1024)} MB，已拒绝",
            code)
    return total


def damaged(label: str) -> FormError:
    """The error for a file whose zip or parts cannot be read."""
    return FormError(f"“{label}”：文件已损坏或不完整，{RESAVE}", Code.FILE_CORRUPT)


def too_slow(label: str) -> FormError:
    """The error for a file whose checks ran out of their time."""
    return FormError(f"“{label}”：文件内容过大或过于复杂，检查超时，{RESAVE}", Code.FILE_TIMEOUT)


def unsafe_xml(label: str) -> FormError:
    """The error for a DTD or entity declaration in a part."""
    return FormError(f"“{label}”：文件中含有不安全的 XML 内容（实体或 DTD 声明），可能是恶意文件，已拒绝",
                     Code.FILE_UNSAFE)


def far_cell(label: str, row: int, col: int) -> FormError:
    """The error for content far outside any form, naming the cell."""
    where = a1(row, min(max(col, 1), 18278))
    return FormError(f"“{label}”：{where} 单元格有内容，远远超出表格范围（最多 {MAX_SHEET_ROW} 行、"
                     f"{MAX_SHEET_COL} 列）。请删除该处内容后另存再发送", Code.FILE_UNSAFE)


def _check_member_name(raw: str, name: str, label: str, code: str) -> None:
    posix = raw.replace("\\", "/")
    if posix.startswith("/") or re.match(r"[A-Za-z]:", posix) or ".." in posix.split("/") or "\x00" in raw:
        where = "表格文件" if code == Code.FILE_UNSAFE else "压缩包"
        raise FormError(f"“{label}”：{where}中有可疑的路径“{name}”（指向{where}以外），已拒绝", code)


class _CellScanner(xml.sax.handler.ContentHandler):
    """SAX handler recording where spreadsheetml cells hold a value or formula."""

    def __init__(self, bounds):
        super().__init__()
        self.bounds = bounds
        self.row = 0
        self.col = 0
        self.cells_seen = False
        self.in_cell = self.in_value = self.has_content = False
        self.max_row = self.max_col = 0
        self.beyond: list[str] = []
        self.beyond_count = 0
        self.bad_ref = ""
        self.filled: set[tuple[int, int]] = set()  # cells with content within bounds: each may come once

    def startElementNS(self, name, qname, attrs):
        uri, local = name
        if uri not in SPREADSHEETML:
            return
        if local == "row":
            ref = attrs.get((None, "r"))
            self.row = int(ref) if ref and ref.isdigit() else self.row + 1
            self.col = 0
        elif local == "c":
            self.cells_seen = True
            self.in_cell, self.has_content = True, False
            ref = attrs.get((None, "r"))
            if ref is None:
                self.col += 1
            else:
                match = _CELL_REF.fullmatch(ref)
                if not match:
                    self.bad_ref = self.bad_ref or ref
                    return
                self.col = column_number(match.group(1))
                self.row = int(match.group(2))
        elif self.in_cell and local in ("f", "is"):
            self.has_content = True
        elif self.in_cell and local == "v":
            self.in_value = True

    def characters(self, content):
        if self.in_value and content.strip():
            self.has_content = True

    def endElementNS(self, name, qname):
        uri, local = name
        if uri not in SPREADSHEETML:
            return
        if local == "v":
            self.in_value = False
        elif local == "c" and self.in_cell:
            self.in_cell = False
            if self.has_content:
                self._record(self.row, self.col)

    def _record(self, row, col):
        if row > MAX_SHEET_ROW or col > MAX_SHEET_COL:
            raise _AbsurdCell(row, col)
        self.max_row = max(self.max_row, row)
        self.max_col = max(self.max_col, col)
        if self.bounds and (row > self.bounds[0] or col > self.bounds[1]):
            self.beyond_count += 1
            if len(self.beyond) < MAX_BEYOND_SAMPLES:
                self.beyond.append(a1(row, col))
        elif self.bounds:
            if (row, col) in self.filled:
                raise _TwiceCell(row, col)
            self.filled.add((row, col))


class _AbsurdCell(Exception):
    """A cell with content far outside any form."""


class _TwiceCell(Exception):
    """One cell written twice in a sheet (two values for one address: readers keep the last)."""


def twice_cell(label: str, row: int, col: int) -> FormError:
    """The error for a cell whose address holds two values, naming the cell."""
    return FormError(f"“{label}”：工作表中的 {a1(row, col)} 单元格在文件里出现了两次（两个不同的值），无法确定填的是哪一个，"
                     f"文件可能被其他程序改动过。{RESAVE}", Code.FILE_CORRUPT)


def _scan_part(zf, info, label, bounds, deadline) -> SheetScan | None:
    """Stream one XML part through a defused SAX parser; None unless it holds cells."""
    from defusedxml.expatreader import DefusedExpatParser  # here: it brings urllib and http.client with it

    handler = _CellScanner(bounds)
    parser = DefusedExpatParser(namespaceHandling=1, forbid_dtd=True)
    parser.setContentHandler(handler)
    read = 0
    try:
        with zf.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                read += len(chunk)
                if read > info.file_size or time.monotonic() > deadline:
                    raise too_slow(label)
                parser.feed(chunk)
            parser.close()
    except DefusedXmlException as exc:
        raise unsafe_xml(label) from exc
    except _AbsurdCell as exc:
        raise far_cell(label, *exc.args) from exc
    except _TwiceCell as exc:
        raise twice_cell(label, *exc.args) from exc
    except xml.sax.SAXParseException as exc:
        if handler.cells_seen or info.filename.startswith("xl/worksheets/"):
            log.debug("%s: %s is not well-formed XML", label, info.filename)
            raise FormError(f"“{label}”：工作表数据已损坏，{RESAVE}", Code.FILE_CORRUPT) from exc
        return None  # a part no reader needs; the reader reports it if it does
    except (zipfile.BadZipFile, EOFError, OSError, RuntimeError) as exc:
        raise damaged(label) from exc
    if handler.bad_ref:
        raise FormError(f"“{label}”：工作表中有无效的单元格地址“{handler.bad_ref[:20]}”，{RESAVE}", Code.FILE_CORRUPT)
    if not handler.cells_seen:
        return None
    return SheetScan(info.filename, handler.max_row, handler.max_col, tuple(handler.beyond), handler.beyond_count)
