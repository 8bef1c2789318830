import time
import zipfile

import openpyxl
import pytest

from wjexcel.collect import preflight as pf
from wjexcel.errors import FormError
from wjexcel.collect.preflight import preflight


def _xlsx(path, cells=None):
    wb = openpyxl.Workbook()
    for ref, value in (cells or {"A1": "填报单位"}).items():
        wb.active[ref] = value
    wb.save(path)
    return path


def _replace_part(src, dest, part, data):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, data if info.filename == part else zin.read(info))
    return dest


def test_bomb_is_rejected_at_once(xlsx_bomb):
    assert xlsx_bomb.stat().st_size < 5 * 1024 * 1024
    started = time.monotonic()
    with pytest.raises(FormError, match="解压后有 1024 MB，超过上限 100 MB"):
        preflight(xlsx_bomb)
    assert time.monotonic() - started < 1


def test_inflate_ratio_rule(tmp_path):
    part = b" " * (pf.RATIO_GRACE_BYTES * 2)
    path = _replace_part(_xlsx(tmp_path / "a.xlsx"), tmp_path / "ratio.xlsx", "docProps/app.xml", part)
    with pytest.raises(FormError, match="压缩炸弹"):
        preflight(path)


def test_too_many_members(tmp_path):
    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(_xlsx(tmp_path / "a.xlsx")) as src, zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            out.writestr(info, src.read(info))
        for n in range(pf.MAX_ZIP_MEMBERS):
            out.writestr(f"xl/media/{n}.bin", b"")
    with pytest.raises(FormError, match="文件过多"):
        preflight(path)


def test_far_cell_is_rejected_by_name(tmp_path):
    path = _xlsx(tmp_path / "far.xlsx", {"A1": "表头", "XFD1048576": 1})
    started = time.monotonic()
    with pytest.raises(FormError, match="XFD1048576 单元格有内容"):
        preflight(path, display_name="甲镇.xlsx")
    assert time.monotonic() - started < 1


def test_empty_styled_far_cell_is_harmless(tmp_path):
    path = _xlsx(tmp_path / "styled.xlsx", {"A1": "表头"})
    wb = openpyxl.load_workbook(path)
    wb.active["XFD1048576"].number_format = "@"
    wb.save(path)
    assert preflight(path).sheets["xl/worksheets/sheet1.xml"].max_row == 1


def test_scan_reports_content_beyond_bounds(tmp_path):
    path = _xlsx(tmp_path / "a.xlsx", {"A1": "表头", "B2": 5, "H30": "多写的", "C40": "=1+1"})
    scan = preflight(path, bounds=(20, 5)).sheets["xl/worksheets/sheet1.xml"]
    assert (scan.max_row, scan.max_col) == (40, 8)
    assert scan.beyond == ("H30", "C40") and scan.beyond_count == 2


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/styles.xml"])
def test_billion_laughs_is_rejected(tmp_path, part):
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                   for i in range(1, 10))
        + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    )
    path = _replace_part(_xlsx(tmp_path / "a.xlsx"), tmp_path / "lol.xlsx", part, laughs)
    with pytest.raises(FormError, match="不安全的 XML"):
        preflight(path)


def test_traversal_name_is_rejected(tmp_path):
    path = tmp_path / "evil.xlsx"
    with zipfile.ZipFile(_xlsx(tmp_path / "a.xlsx")) as src, zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            out.writestr(info, src.read(info))
        out.writestr("../../etc/cron.d/x", b"boom")
    with pytest.raises(FormError, match="可疑的路径"):
        preflight(path)


def test_too_big_file(tmp_path):
    path = tmp_path / "big.xlsx"
    with open(path, "wb") as fh:
        fh.truncate(pf.MAX_FILE_BYTES + 1)
    with pytest.raises(FormError, match="文件太大"):
        preflight(path)


def test_unreadable_kinds_raise_with_the_file_name(tmp_path):
    path = tmp_path / "表.xlsx"
    path.write_bytes(b"")
    with pytest.raises(FormError, match="“甲镇.xlsx”：文件是空的"):
        preflight(path, display_name="甲镇.xlsx")


def _zip_with_gbk_names(path, items):
    """Write members whose names are raw GBK without the UTF-8 flag, as Chinese Windows tools do."""
    placeholders = {}
    with zipfile.ZipFile(path, "w") as out:
        for n, (name, content) in enumerate(items):
            gbk = name.encode("gbk")
            placeholder = f"@{n}@".ljust(len(gbk), "#").encode("ascii")
            placeholders[placeholder] = gbk
            out.writestr(placeholder.decode("ascii"), content)
    data = path.read_bytes()
    for placeholder, gbk in placeholders.items():
        data = data.replace(placeholder, gbk)
    path.write_bytes(data)
