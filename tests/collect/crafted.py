"""Hostile and unusual files, crafted from generated forms and plain workbooks inside the tests.

Each function writes one file the way a real program (or an attacker) would have made it:
Office packages with unusual part names, metadata with missing or absurd entries, a number
with hundreds of digits in the XML, zips nested and named oddly. No third-party file is
shipped; every byte is made here.
"""

from __future__ import annotations

import hashlib
import os
import re
import zipfile
from pathlib import Path

import openpyxl

from wjexcel.forms import layout as L


def repack(src: Path, dest: Path, *, rename=None, edit=None, compression=zipfile.ZIP_DEFLATED) -> Path:
    """Copy the package ``src`` member by member: ``rename(name) -> name``, ``edit(name, bytes) -> bytes``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", compression) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if edit is not None:
                data = edit(info.filename, data)
            zout.writestr(rename(info.filename) if rename else info.filename, data)
    return dest


def forge_reporter(src: Path, dest: Path, claimed: str, forged: str) -> Path:
    """``src`` with the reporter named in its hidden metadata changed from ``claimed`` to ``forged``
    (the signature no longer matches), saved at ``dest``."""
    book = openpyxl.load_workbook(src)
    meta = next(s for s in book.worksheets if s.sheet_state != "visible")
    for row in meta.iter_rows():
        for c in row:
            if c.value == claimed:
                c.value = forged
    book.save(dest)
    return dest


def plain_xlsx(dest: Path, cells: dict | None = None) -> Path:
    wb = openpyxl.Workbook()
    for ref, value in (cells or {"A1": "填报单位"}).items():
        wb.active[ref] = value
    wb.save(dest)
    return dest


def prints_when_opened(dest: Path, scratch: Path) -> Path:
    """A workbook whose styles name a cell style that is not there: openpyxl prints
    ``0 is out of range`` to stdout while loading it (then fails). Its cell has no address,
    as some programs write them, so the careful reader (openpyxl) is the one that reads it."""
    plain = plain_xlsx(scratch / "plain_for_print.xlsx", {"A1": 1})

    def edit(name, data):
        if name == "xl/styles.xml":
            return re.sub(rb"<cellStyleXfs.*?</cellStyleXfs>", b"", data, flags=re.S)
        if name.startswith("xl/worksheets/"):
            return data.replace(b'<c r="A1"', b"<c")
        return data

    return repack(plain, dest, edit=edit)


def with_meta(form: Path, dest: Path, key: str, value=None, *, delete: bool = False) -> Path:
    """The form with one row of its hidden metadata changed (or removed), as a person with
    openpyxl could do it."""
    wb = openpyxl.load_workbook(form)
    for row in wb[L.META_SHEET].iter_rows(max_col=2):
        if row[0].value == key:
            if delete:
                row[0].value = row[1].value = None
            else:
                row[1].value = value
            break
    else:
        raise KeyError(key)
    wb.save(dest)
    return dest


def with_raw_number(form: Path, dest: Path, sentinel: int, digits: str) -> Path:
    """Replace the number ``sentinel`` (typed into the form beforehand) by ``digits`` in the
    sheet XML itself: a value no program that writes doubles would write."""
    needle = f"<v>{sentinel}</v>".encode()

    def edit(name, data):
        return data.replace(needle, f"<v>{digits}</v>".encode()) if name.startswith("xl/worksheets/") else data

    out = repack(form, dest, edit=edit)
    with zipfile.ZipFile(out) as z:
        assert any(f"<v>{digits}</v>".encode() in z.read(n) for n in z.namelist()), "sentinel not found"
    return out


def with_backslash_names(form: Path, dest: Path) -> Path:
    """The form with every part named ``xl\\worksheets\\sheet1.xml``, as some tools write them."""
    return repack(form, dest, rename=lambda n: n.replace("/", "\\"))


def with_moved_workbook_part(form: Path, dest: Path) -> Path:
    """The form with its workbook part at ``xl/book.xml``: found through the package
    relationship and the content types, as Excel finds it."""
    def rename(name):
        return {"xl/workbook.xml": "xl/book.xml", "xl/_rels/workbook.xml.rels": "xl/_rels/book.xml.rels"}.get(name, name)

    def edit(name, data):
        if name in ("[Content_Types].xml", "_rels/.rels"):
            return data.replace(b"xl/workbook.xml", b"xl/book.xml")
        return data

    return repack(form, dest, rename=rename, edit=edit)


def xlsb(dest: Path) -> Path:
    """An Excel binary workbook's package (what Excel's 另存为 .xlsb writes), parts included."""
    binary = "application/vnd.ms-excel.sheet.binary.macroEnabled.main"
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
             'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
             'relationships+xml"/><Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.'
             f'macroEnabled.main"/><Override PartName="/xl/workbook.bin" ContentType="{binary}"/>'
             '<Override PartName="/xl/worksheets/sheet1.bin" ContentType="application/vnd.ms-excel.worksheet"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>')
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", rels)
        z.writestr("xl/workbook.bin", b"\x83\x01\x00" + bytes(64))
        z.writestr("xl/_rels/workbook.bin.rels", rels.replace("officeDocument", "worksheet"))
        z.writestr("xl/worksheets/sheet1.bin", b"\x81\x01\x00" + bytes(64))
        z.writestr("xl/styles.bin", bytes(32))
        z.writestr("docProps/app.xml", "<Properties/>")
    return dest


def spreadsheetml_2003(dest: Path) -> Path:
    """An Excel 2003 XML spreadsheet (另存为 “XML 电子表格 2003”)."""
    dest.write_text(
        '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">\n'
        ' <Worksheet ss:Name="指标填报"><Table><Row><Cell><Data ss:Type="String">七都镇</Data></Cell>'
        '<Cell><Data ss:Type="Number">12</Data></Cell></Row></Table></Worksheet>\n</Workbook>\n', encoding="utf-8")
    return dest


def encrypted_ods(dest: Path) -> Path:
    """An OpenDocument spreadsheet saved with a password: its content is ciphertext and the
    manifest says how it was encrypted."""
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:'
        'xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" '
        'manifest:media-type="text/xml" manifest:size="4242"><manifest:encryption-data manifest:checksum-type='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#sha256-1k" manifest:checksum="AAAA"><manifest:algorithm '
        'manifest:algorithm-name="http://www.w3.org/2001/04/xmlenc#aes256-cbc" manifest:initialisation-vector="AAAA"/>'
        '<manifest:key-derivation manifest:key-derivation-name="PBKDF2" manifest:key-size="32" manifest:iteration-count='
        '"100000" manifest:salt="AAAA"/></manifest:encryption-data></manifest:file-entry></manifest:manifest>')
    noise = b"".join(hashlib.sha256(bytes([i % 256, i // 256])).digest() for i in range(140))
    with zipfile.ZipFile(dest, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", noise, zipfile.ZIP_DEFLATED)
    return dest


def well_compressed_parts(dest: Path, scratch: Path, size: int = 3 * 1024 * 1024) -> Path:
    """A genuine-looking workbook whose shared strings and a ``settings.xml`` part inflate
    more than 100 times (long runs of the same text, as real files have), each a few MB."""
    plain = plain_xlsx(scratch / "plain_for_ratio.xlsx")
    row = "<si><t>吴江区科技创新载体建设项目（续建），由区科技局牵头，各区镇配合实施</t></si>"
    strings = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
               f'2006/main">{row * (size // len(row.encode()))}</sst>').encode()
    settings = b'<?xml version="1.0"?><settings>' + b'<item name="zoom">100</item>' * (size // 28) + b"</settings>"

    out = repack(plain, dest)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", strings)
        z.writestr("settings.xml", settings)
    return out


def zip_of(dest: Path, members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(dest, "w", compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return dest


def nested_attachment(dest: Path, scratch: Path, inner_zips: int = 6, per_zip: int = 2,
                      member_bytes: int = 1536 * 1024) -> tuple[Path, int]:
    """The 17 MB / six inner zips case, scaled down: an attachment of ``inner_zips`` zips,
    each of ``per_zip`` workbooks (not forms) saved uncompressed, which the zips shrink about
    40 times (below any bomb ratio). Returns the attachment and how many bytes it inflates to."""
    import random

    rnd, rows = random.Random(43), []
    while sum(map(len, rows)) < member_bytes:
        rows.append(f'<row r="{len(rows) + 1}"><c><v>{rnd.randrange(100)}</v></c>{" " * 180}</row>\n'.encode())
    filler = b"".join(rows)
    book = plain_xlsx(scratch / "inner_book.xlsx")
    stored = repack(book, scratch / "inner_stored.xlsx", compression=zipfile.ZIP_STORED)
    with zipfile.ZipFile(stored, "a", zipfile.ZIP_STORED) as z:
        z.writestr("xl/media/notes.bin", filler)
    workbook = stored.read_bytes()
    inflated = 0
    inner = {}
    for n in range(inner_zips):
        members = {f"附表{n + 1}-{k + 1}.xlsx": _unique(workbook, f"{n}-{k}") for k in range(per_zip)}
        inflated += sum(len(d) for d in members.values())
        inner[f"第{n + 1}批.zip"] = zip_of(scratch / f"inner{n}.zip", members).read_bytes()
        inflated += len(inner[f"第{n + 1}批.zip"])
    return zip_of(dest, inner, zipfile.ZIP_STORED), inflated


def _unique(workbook: bytes, tag: str) -> bytes:
    """The same stored workbook made distinct (a custom part named after ``tag``)."""
    import io

    buf = io.BytesIO(workbook)
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_STORED) as z:
        z.writestr(f"docProps/tag-{tag}.txt", tag)
    return buf.getvalue()


def nested_too_deep(dest: Path, form: Path, scratch: Path, levels: int = 3) -> Path:
    """A form zipped ``levels`` times over."""
    current = form
    for level in range(levels):
        archive = scratch / f"level{level}.zip"
        with zipfile.ZipFile(archive, "w") as z:
            z.write(current, current.name)
        current = archive
    dest.write_bytes(current.read_bytes())
    return dest


def damaged_member_zip(dest: Path, form: Path) -> Path:
    """A zip whose member's bytes were damaged in transit (its CRC no longer matches)."""
    zip_of(dest, {"七都镇.xlsx": form.read_bytes(), "说明.txt": "见附件".encode()}, zipfile.ZIP_STORED)
    data = bytearray(dest.read_bytes())
    start = data.index(b"PK\x03\x04", 0) + 30 + len("七都镇.xlsx".encode())
    data[start + 200] ^= 0xFF
    dest.write_bytes(bytes(data))
    return dest


def encrypted_member_zip(dest: Path, form: Path) -> Path:
    """A zip whose member is marked as password-protected (zip's own encryption)."""
    zip_of(dest, {"加密/桃源镇.xlsx": form.read_bytes()}, zipfile.ZIP_STORED)
    data = bytearray(dest.read_bytes())
    local = data.index(b"PK\x03\x04")
    central = data.rindex(b"PK\x01\x02")  # the outer directory: the stored workbook holds its own
    data[local + 6] |= 0x01
    data[central + 8] |= 0x01
    dest.write_bytes(bytes(data))
    return dest


def gbk_named(folder: Path, name: str, data: bytes) -> bytes:
    """A file whose name is GBK bytes (saved from a zip made on Chinese Windows) in a folder
    whose name is UTF-8; returns the raw path."""
    path = os.path.join(os.fsencode(folder), name.encode("gbk"))
    with open(path, "wb") as fh:
        fh.write(data)
    return path


def owner_file(dest: Path, user: str = "王晓明") -> Path:
    """Excel's ``~$`` owner file: 165 bytes, the user's name padded with spaces (not a spreadsheet)."""
    name = user.encode("utf-16-le")
    dest.write_bytes(bytes([len(user)]) + name.ljust(53, b" ") + b"\x00" * (165 - 54))
    return dest
