"""Tell what a returned file really is, by its content, never by its name.

Towns rename files, re-save them in WPS or LibreOffice and send old ``.xls``, ``.et``,
encrypted or zipped files; the extension says little. :func:`sniff` looks at the bytes
and returns a :class:`FileType` whose Chinese message tells a clerk what to ask for.
"""

from __future__ import annotations

import functools
import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as DefusedET

from wjexcel.problems import Code

try:  # olefile comes with oletools/msoffcrypto-tool; without it a byte search is used.
    import olefile
except ImportError:  # pragma: no cover - depends on the installation
    olefile = None

XLSX, XLSM, XLS, ODS = "xlsx", "xlsm", "xls", "ods"
ZIP, ENCRYPTED, OLE_OTHER, XLSB, XML2003 = "zip", "encrypted", "ole", "xlsb", "xml2003"
HTML, TEXT, EMPTY, CORRUPT, OTHER = "html", "text", "empty", "corrupt", "other"

WORKBOOK_KINDS = frozenset({XLSX, XLSM, XLS, ODS})
"""Kinds :mod:`wjexcel.collect.reader` can read."""
_CODES = {EMPTY: Code.FILE_EMPTY, CORRUPT: Code.FILE_CORRUPT, ENCRYPTED: Code.FILE_ENCRYPTED,
          OTHER: Code.FILE_NOT_SPREADSHEET}

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
SNIFF_BYTES = 4096
MAX_SCAN_BYTES = 64 * 1024 * 1024
"""Largest OLE file searched byte-wise when olefile is not installed."""

ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
_WORKBOOK_TYPES = frozenset({
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
})
_MACRO_TYPES = frozenset({
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
})
_XLSB_TYPE = "application/vnd.ms-excel.sheet.binary.macroEnabled.main"
_MAIN_TYPES = _WORKBOOK_TYPES | {_XLSB_TYPE}
_SMALL_PART_BYTES = 1024 * 1024
"""Package parts read while sniffing ([Content_Types].xml, relationships) are at most this big."""
SPREADSHEETML_2003 = b"urn:schemas-microsoft-com:office:spreadsheet"
_RESAVE = "请用 Excel 或 WPS 打开后“另存为” Excel 工作簿（.xlsx）再发送"
_FILEPASS = 0x002F


@dataclass(frozen=True)
class FileType:
    """What a file is.

    Attributes:
        kind: One of the module's kind constants (``xlsx``, ``xls``, ``encrypted`` …).
        description: Chinese name of the format for messages (``Excel 97-2003 工作簿``).
        readable: The workbook reader can open it.
        message: Chinese explanation and what to do, when not readable.
    """

    kind: str
    description: str
    readable: bool
    message: str = ""

    @property
    def code(self) -> str:
        """The :class:`~wjexcel.problems.Code` of a file that cannot be read as a form."""
        return _CODES.get(self.kind, Code.FILE_UNSUPPORTED)

    @property
    def spreadsheet(self) -> bool:
        """A spreadsheet, readable or not (encrypted, .xlsb, .et): sent as a form, kept as one."""
        return self.kind in WORKBOOK_KINDS or self.kind in (ENCRYPTED, XLSB, OLE_OTHER, XML2003)


def _bad(kind: str, description: str, message: str) -> FileType:
    return FileType(kind, description, False, message)


def sniff(source) -> FileType:
    """Identify the format of ``source`` (a path, or the file's bytes) from its content."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return _sniff_open(io.BytesIO(source))
    with open(Path(source), "rb") as fh:
        return _sniff_open(fh)


def _sniff_open(fh) -> FileType:
    head = fh.read(SNIFF_BYTES)
    fh.seek(0)
    if not head:
        return _bad(EMPTY, "空文件", "文件是空的（0 字节），可能没有保存成功，请重新保存后再发送")
    if head.startswith(ZIP_MAGICS):
        return _sniff_zip(fh)
    if head.startswith(OLE_MAGIC):
        return _sniff_ole(fh)
    return _sniff_other(head)


def _sniff_zip(fh) -> FileType:
    try:
        with zipfile.ZipFile(fh) as zf:
            parts = {part_name(n).lower(): n for n in zf.namelist()}
            main = _ooxml_main_type(zf, parts)
            if main in _WORKBOOK_TYPES or (main is None and "xl/workbook.xml" in parts):
                if main in _MACRO_TYPES or "xl/vbaproject.bin" in parts:
                    return FileType(XLSM, "启用宏的 Excel 工作簿（.xlsm）", True)
                return FileType(XLSX, "Excel 工作簿（.xlsx）", True)
            if main == _XLSB_TYPE or (main is None and "xl/workbook.bin" in parts):
                return _bad(XLSB, "Excel 二进制工作簿（.xlsb）", f".xlsb 格式不支持，{_RESAVE}")
            if main is not None and "wordprocessingml" in main:
                return _bad(OTHER, "Word 文档", "这是 Word 文档，不是 Excel 表格，请发送填好的 Excel 表格")
            if main is not None and "presentationml" in main:
                return _bad(OTHER, "PowerPoint 演示文稿", "这是 PowerPoint 演示文稿，不是 Excel 表格，请发送填好的 Excel 表格")
            if _small_part(zf, parts, "mimetype", 200).strip() == ODS_MIME:
                if b"encryption-data" in _small_part(zf, parts, "meta-inf/manifest.xml", _SMALL_PART_BYTES):
                    return _bad(ENCRYPTED, "加密的 OpenDocument 电子表格", "文件已加密，请取消密码后另存为 .xlsx 再发送")
                return FileType(ODS, "OpenDocument 电子表格（.ods）", True)
            if "word/document.xml" in parts:
                return _bad(OTHER, "Word 文档", "这是 Word 文档，不是 Excel 表格，请发送填好的 Excel 表格")
            return FileType(ZIP, "压缩包（.zip）", False, "这是压缩包，不是单个表格；请解压后逐个处理其中的表格")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, KeyError, ValueError, RuntimeError,
            NotImplementedError, zlib.error):
        return _bad(CORRUPT, "损坏的文件", f"文件已损坏或不完整（可能是传输中断），{_RESAVE}")


def part_name(name: str) -> str:
    """A zip member name as an Office package part name: forward slashes, no leading slash.

    Some programs write ``xl\\workbook.xml``; Excel reads those files, and so must we.
    """
    return name.replace("\\", "/").lstrip("/")


def _small_part(zf: zipfile.ZipFile, parts: dict[str, str], name: str, limit: int) -> bytes:
    """A package part read only when it is small (``b""`` when absent or larger than ``limit``)."""
    real = parts.get(name)
    if real is None or zf.getinfo(real).file_size > limit:
        return b""
    return zf.read(real)


def _ooxml_main_type(zf: zipfile.ZipFile, parts: dict[str, str]) -> str | None:
    """The content type of an Office package's main part, found the way Excel finds it: the
    package relationship to the office document, whatever that part is called and wherever
    it lies; else any part declared as a workbook. None when it is not an Office package."""
    types = _small_part(zf, parts, "[content_types].xml", _SMALL_PART_BYTES)
    if not types:
        return None
    rels = _small_part(zf, parts, "_rels/.rels", _SMALL_PART_BYTES)
    return _main_type(types, rels, frozenset(parts))


@functools.lru_cache(maxsize=32)
def _main_type(types: bytes, rels: bytes, parts: frozenset[str]) -> str | None:
    """:func:`_ooxml_main_type` of the package's two small parts (forms from one generate share
    them byte for byte, so each pair is parsed once)."""
    try:
        tree = DefusedET.fromstring(types)
    except (DefusedET.ParseError, DefusedXmlException, ValueError):
        return None
    overrides, defaults = {}, {}
    for node in tree:
        tag = node.tag.rpartition("}")[2]
        if tag == "Override" and node.get("PartName") and node.get("ContentType"):
            overrides[part_name(node.get("PartName")).lower()] = node.get("ContentType")
        elif tag == "Default" and node.get("Extension") and node.get("ContentType"):
            defaults[node.get("Extension").lower()] = node.get("ContentType")
    target = _office_document_target(rels)
    if target is not None and target.lower() in parts:
        key = target.lower()
        return overrides.get(key) or defaults.get(key.rpartition(".")[2])
    declared = [t for name, t in overrides.items() if name in parts and t in _MAIN_TYPES]
    return declared[0] if declared else None


def _office_document_target(rels: bytes) -> str | None:
    if not rels:
        return None
    try:
        tree = DefusedET.fromstring(rels)
    except (DefusedET.ParseError, DefusedXmlException, ValueError):
        return None
    for node in tree:
        if (node.get("Type") or "").endswith("/officeDocument") and node.get("Target"):
            return part_name(node.get("Target"))
    return None


def _sniff_ole(fh) -> FileType:
    streams, workbook_head = _ole_streams(fh)
    if streams is None:
        return _bad(CORRUPT, "损坏的文件", f"文件已损坏或不完整（可能是传输中断），{_RESAVE}")
    if {"encryptioninfo", "encryptedpackage"} & streams or _biff_has_filepass(workbook_head):
        return _bad(ENCRYPTED, "加密的 Office 文件", "文件已加密，请取消密码后另存为 .xlsx 再发送")
    if "workbook" in streams or "book" in streams:
        return FileType(XLS, "Excel 97-2003 工作簿（.xls）", True)
    if "worddocument" in streams:
        return _bad(OTHER, "Word 97-2003 文档", "这是 Word 文档，不是 Excel 表格，请发送填好的 Excel 表格")
    return _bad(
        OLE_OTHER,
        "WPS 表格（.et）或其他旧格式文件",
        "无法识别的旧格式文件（可能是 WPS 的 .et 格式），请在 WPS 中打开后“另存为” Excel 工作簿（.xlsx）再发送",
    )


def _ole_streams(fh) -> tuple[set[str] | None, bytes]:
    """Lower-cased top-level stream names and the first bytes of the Workbook stream."""
    if olefile is None:
        return _ole_streams_by_search(fh), b""
    try:
        with olefile.OleFileIO(fh) as ole:
            streams = {entry[0].lower() for entry in ole.listdir(streams=True, storages=True)}
            head = b""
            for name in ("Workbook", "Book"):
                if ole.exists(name):
                    with ole.openstream(name) as stream:
                        head = stream.read(SNIFF_BYTES)
                    break
            return streams, head
    except Exception:  # olefile raises many kinds of errors on broken files
        return None, b""


def _ole_streams_by_search(fh) -> set[str] | None:
    data = fh.read(MAX_SCAN_BYTES + 1)
    if len(data) > MAX_SCAN_BYTES:
        return set()
    names = ("Workbook", "Book", "EncryptionInfo", "EncryptedPackage", "WordDocument")
    return {n.lower() for n in names if n.encode("utf-16-le") + b"\x00\x00" in data}


def _biff_has_filepass(head: bytes) -> bool:
    """True when the BIFF globals start with a FILEPASS record (an encrypted .xls)."""
    offset = 0
    for _ in range(64):
        if offset + 4 > len(head):
            return False
        record, length = struct.unpack_from("<HH", head, offset)
        if record == _FILEPASS:
            return True
        if record == 0x0085:  # BOUNDSHEET: FILEPASS would have come before
            return False
        offset += 4 + length
    return False


def _sniff_other(head: bytes) -> FileType:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(b"%pdf"):
        return _bad(OTHER, "PDF 文件", "这是 PDF 文件，不是 Excel 表格，请发送填好的 Excel 表格（不要转成 PDF 或扫描）")
    if start.startswith((b"\xff\xd8\xff", b"\x89png", b"gif8", b"bm")):
        return _bad(OTHER, "图片", "这是图片，不是 Excel 表格，请发送填好的 Excel 表格（不要拍照或截图）")
    if start.startswith((b"<!doctype html", b"<html", b"<table", b"<meta")) or b"<html" in start[:1024]:
        return _bad(HTML, "网页（HTML）文件", f"这是网页文件，只是改成了 Excel 的扩展名，{_RESAVE}")
    if start.startswith(b"<?xml") and (SPREADSHEETML_2003 in start or b'progid="excel.sheet"' in start):
        return _bad(XML2003, "Excel 2003 XML 表格（.xml）",
                    f"这是 Excel 2003 XML 表格（.xml），本工具不能读取这种旧格式，{_RESAVE}")
    if start.startswith(b"<?xml"):
        return _bad(OTHER, "XML 数据文件", f"这是 XML 数据文件，不是 Excel 表格，{_RESAVE}")
    if _looks_like_text(head):
        return _bad(TEXT, "文本文件（CSV 或纯文本）", f"这是文本文件（CSV 等），只是改成了 Excel 的扩展名，{_RESAVE}")
    return _bad(OTHER, "无法识别的文件", f"无法识别的文件格式，不是 Excel 表格，{_RESAVE}")


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    for encoding in ("utf-8", "gb18030", "utf-16"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            # a multi-byte character may be cut at the end of the sniffed block
            try:
                text = head[:-3].decode(encoding)
            except UnicodeDecodeError:
                continue
        control = sum(1 for ch in text if ch < " " and ch not in "\r\n\t")
        return control <= len(text) // 100
    return False

