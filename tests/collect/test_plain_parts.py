"""The parts of an .xlsx inflated straight out of its bytes are exactly what zipfile reads; any part
stored another way, or damaged, is read by zipfile as before, with the same outcome."""

from __future__ import annotations

import io
import struct
import time
import zlib
import zipfile

import pytest

from tests.collect.test_fast_values import _fill_by_openpyxl, stress_workbook
from wjexcel.collect import fastread
from wjexcel.collect.xlsxvalues import NotFast
from wjexcel.errors import FormError

BOUNDS = (120, 30)
SHEET = "xl/worksheets/sheet1.xml"


def _plain_parts(data: bytes) -> dict[str, bytes | None]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
        starts = sorted({info.header_offset for info in infos} | {zf.start_dir})
        return {info.filename: fastread._plain_part(data, info, fastread._following(starts, info.header_offset))
                for info in infos}


def _outcome(data: bytes):
    """What the fast read gives (every sheet's cells), or what it raises."""
    try:
        book = fastread.read(data, "表.xlsx", BOUNDS, time.monotonic() + 60)
    except (FormError, NotFast) as exc:
        return type(exc).__name__, str(exc)
    return [(sheet.name, sheet.cells) for sheet in book.sheets]


def _as_before(data: bytes, monkeypatch):
    """The outcome with every part read by zipfile, as before."""
    with monkeypatch.context() as m:
        m.setattr(fastread, "_plain_part", lambda *args: None)
        return _outcome(data)


def test_every_part_of_returned_forms_is_inflated_as_zipfile_reads_it(make_workspace, forms_of, tmp_path):
    ws = make_workspace("2022Q3")
    packages = [stress_workbook(), *(path.read_bytes() for path in forms_of(ws).values()),
                *(path.read_bytes() for path in _fill_by_openpyxl(ws, forms_of, tmp_path)[:3])]
    for data in packages:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            expected = {info.filename: zf.read(info) for info in zf.infolist()}
        assert _plain_parts(data) == expected


def _central(data: bytes, name: str) -> int:
    """Where the central directory entry of ``name`` starts."""
    at = data.index(b"PK\x01\x02")
    while True:
        fields = struct.unpack(zipfile.structCentralDir, data[at:at + zipfile.sizeCentralDir])
        entry_name = data[at + zipfile.sizeCentralDir:at + zipfile.sizeCentralDir + fields[zipfile._CD_FILENAME_LENGTH]]
        if entry_name.decode() == name:
            return at
        at = data.index(b"PK\x01\x02", at + 4)


def _local(data: bytes, name: str) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.getinfo(name).header_offset


def _patch(data: bytes, at: int, fmt: str, value) -> bytes:
    return data[:at] + struct.pack(fmt, value) + data[at + struct.calcsize(fmt):]


def _rewritten(data: bytes, name: str, compress_type: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info), compress_type=compress_type if info.filename == name else None)
    return out.getvalue()


def _crafted(data: bytes) -> dict[str, bytes]:
    cd = _central(data, SHEET)
    local = _local(data, SHEET)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(SHEET)
    return {
        "a wrong CRC in the directory": _patch(data, cd + 16, "<L", info.CRC ^ 1),
        "a wrong CRC in the local header only": _patch(data, local + 14, "<L", info.CRC ^ 1),
        "another name in the local header": data[:local + 30] + b"X" + data[local + 31:],
        "no local header signature": _patch(data, local, "<4s", b"PK\x09\x09"),
        "more compressed bytes than there are before the next part": _patch(data, cd + 20, "<L", info.compress_size + 4096),
        "fewer compressed bytes than the stream": _patch(data, cd + 20, "<L", info.compress_size // 2),
        "a larger inflated size declared": _patch(data, cd + 24, "<L", info.file_size + 10),
        "a smaller inflated size declared": _patch(data, cd + 24, "<L", info.file_size - 10),
        "the encrypted flag": _patch(data, cd + 8, "<H", info.flag_bits | 0x1),
        "the compressed patched data flag": _patch(data, cd + 8, "<H", info.flag_bits | 0x20),
        "stored, not deflated": _rewritten(data, SHEET, zipfile.ZIP_STORED),
        "bzip2": _rewritten(data, SHEET, zipfile.ZIP_BZIP2),
        "lzma": _rewritten(data, SHEET, zipfile.ZIP_LZMA),
    }


READ_PLAIN = {"stored, not deflated", "a wrong CRC in the local header only"}
"""Plain still: zipfile too takes the directory's CRC, not the local header's."""


@pytest.mark.parametrize("why", list(_crafted(stress_workbook())))
def test_a_part_not_stored_the_plain_way_is_read_as_before(why, monkeypatch):
    data = _crafted(stress_workbook())[why]
    plain = _plain_parts(data)
    if why in READ_PLAIN:
        assert plain[SHEET] is not None
    else:
        assert plain[SHEET] is None, why  # zipfile reads it
    assert _outcome(data) == _as_before(data, monkeypatch), why


def test_the_crafted_packages_are_really_damaged_or_read():
    """The cases above are what they say: each is refused, or read, by zipfile itself."""
    outcomes = {why: _outcome(data) for why, data in _crafted(stress_workbook()).items()}
    assert outcomes["a wrong CRC in the directory"][0] == "FormError"
    assert outcomes["no local header signature"][0] == "FormError"
    assert outcomes["another name in the local header"][0] == "FormError"
    assert isinstance(outcomes["stored, not deflated"], list) and isinstance(outcomes["bzip2"], list)
    assert outcomes["stored, not deflated"] == outcomes["bzip2"] == _outcome(stress_workbook())


def _stored_member(name: str, body: bytes) -> bytes:
    """A local header and the bytes of a stored member, as a zip writes them."""
    header = struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, 0, zlib.crc32(body), len(body), len(body),
                         len(name), 0)
    return header + name.encode() + body


def test_a_directory_that_points_before_the_file_is_left_to_zipfile():
    """A negative offset (the end record declares the directory further on than it is) would read from the end."""
    member = _stored_member("x.xml", b"<x/>")
    data = b"PK\x05\x06 not a header " + member + b"\0"  # a byte after it: the slice's end stays negative too
    info = zipfile.ZipInfo("x.xml")
    info.header_offset, info.compress_type, info.compress_size, info.file_size, info.CRC = (
        -len(member) - 1, zipfile.ZIP_STORED, 4, 4, zlib.crc32(b"<x/>"))
    assert data[info.header_offset:].startswith(b"PK\x03\x04")  # what a negative slice would find
    assert fastread._plain_part(data, info, len(data)) is None


def _with_member(data: bytes, name: str, raw: bytes, size: int, crc: int) -> bytes:
    """``data`` with one more deflated member whose compressed bytes are ``raw``, declaring ``size`` and ``crc``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        zout.writestr(name, b"x" * 8)
    data = out.getvalue()
    local, cd = _local(data, name), _central(data, name)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        old = zf.getinfo(name).compress_size
    begin = local + 30 + len(name)
    shift = len(raw) - old
    data = data[:begin] + raw + data[begin + old:]
    cd += shift
    data = _patch(data, cd + 16, "<L", crc)
    data = _patch(data, cd + 20, "<L", len(raw))
    data = _patch(data, cd + 24, "<L", size)
    end = data.rindex(b"PK\x05\x06")
    start_dir = struct.unpack("<L", data[end + 16:end + 20])[0]
    return _patch(data, end + 16, "<L", start_dir + shift)


def test_a_part_declaring_no_bytes_is_never_inflated_past_one():
    """A deflated part declaring size 0 (the ratio rule skips it) holding 20 MB of zeros: zlib is asked for one byte at most."""
    import tracemalloc

    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    raw = compressor.compress(bytes(20 << 20)) + compressor.flush()
    data = _with_member(stress_workbook(), "xl/media/x.bin", raw, 0, 0)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo("xl/media/x.bin")
        starts = sorted({i.header_offset for i in zf.infolist()} | {zf.start_dir})
    tracemalloc.start()
    try:
        assert fastread._plain_part(data, info, fastread._following(starts, info.header_offset)) is None
        assert tracemalloc.get_traced_memory()[1] < 1 << 20
    finally:
        tracemalloc.stop()


def test_a_stream_that_goes_on_past_its_size_is_left_to_zipfile(monkeypatch):
    """The declared bytes, then a sync flush and a byte no deflate stream holds: zipfile finds it damaged, and so
    does the fast read (not a crash)."""
    body = b"<x>" + b"1" * 500 + b"</x>"
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    raw = compressor.compress(body) + compressor.flush(zlib.Z_SYNC_FLUSH) + b"\xff"
    data = _with_member(stress_workbook(), "xl/media/y.xml", raw, len(body), zlib.crc32(body))
    assert _plain_parts(data)["xl/media/y.xml"] is None
    assert _outcome(data) == _as_before(data, monkeypatch)
    assert _outcome(data)[0] == "FormError"
