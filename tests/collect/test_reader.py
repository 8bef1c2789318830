import datetime as dt
import shutil
import time
import zipfile

import openpyxl
import pytest
from openpyxl.packaging.custom import StringProperty
from openpyxl.workbook.defined_name import DefinedName

from wjexcel.errors import FormError
from wjexcel.collect.reader import a1, parse_a1, read_workbook


@pytest.fixture
def form(tmp_path):
    """A filled form the way openpyxl writes it (formulas without cached results)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "填报"
    ws["A1"] = "指标"
    ws["C3"] = 12
    ws["D3"] = "1,200"
    ws["E3"] = "=C3*2"
    ws["F3"] = dt.date(2024, 3, 5)
    ws["G3"] = "#N/A"
    ws["Z90"] = "表外多写的"
    hidden = wb.create_sheet("说明")
    hidden.sheet_state = "hidden"
    hidden["A1"] = "x"
    meta = wb.create_sheet("_meta")
    meta.sheet_state = "veryHidden"
    meta["B2"] = "form-id"
    wb.custom_doc_props.append(StringProperty(name="wjexcel_form", value="F-2024Q1"))
    wb.defined_names["填报区"] = DefinedName("填报区", attr_text="'填报'!$C$3:$G$3")
    path = tmp_path / "甲镇.xlsx"
    wb.save(path)
    return path


def test_a1_helpers():
    assert a1(3, 5) == "E3" and parse_a1("$E$3") == (3, 5) and parse_a1("xfd1") == (1, 16384)


def test_reads_cells_sheets_properties_and_names(form):
    book = read_workbook(form, max_rows=20, max_cols=10)
    assert book.kind == "xlsx" and book.display_name == "甲镇.xlsx"
    assert book.sheet_names == ["填报", "说明", "_meta"]
    assert [s.visibility for s in book.sheets] == ["visible", "hidden", "veryHidden"]
    sheet = book.sheet("填报")
    assert sheet.get("C3").value == 12 and not sheet.get("C3").is_text
    assert sheet.get("D3").value == "1,200" and sheet.get("D3").is_text
    assert sheet.get("F3").value == dt.datetime(2024, 3, 5)
    assert sheet.get("G3").is_error
    assert book.custom_properties == {"wjexcel_form": "F-2024Q1"}
    assert book.defined_names == {"填报区": "'填报'!$C$3:$G$3"}
    assert book.sheet("_meta").get("B2").value == "form-id"


def test_formula_without_cached_result(form):
    cell = read_workbook(form).sheet("填报").get("E3")
    assert cell.formula == "=C3*2" and cell.value is None and cell.formula_without_result


def test_content_beyond_bounds(form):
    sheet = read_workbook(form, max_rows=20, max_cols=10).sheet("填报")
    assert (sheet.max_row, sheet.max_col) == (90, 26)
    assert sheet.beyond_bounds and sheet.beyond_cells == ("Z90",)
    assert (90, 26) not in sheet.cells


def test_wrong_extension_does_not_matter(form, tmp_path):
    renamed = tmp_path / "甲镇.et"
    shutil.copy(form, renamed)
    assert read_workbook(renamed, display_name="甲镇.et").sheet("填报").get("C3").value == 12


def test_bomb_is_refused_quickly(xlsx_bomb):
    started = time.monotonic()
    with pytest.raises(FormError, match="bomb.xlsx"):
        read_workbook(xlsx_bomb)
    assert time.monotonic() - started < 1


def test_far_cell_is_refused(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"], wb.active["XFD1048576"] = 1, 2
    wb.save(tmp_path / "far.xlsx")
    with pytest.raises(FormError, match="XFD1048576"):
        read_workbook(tmp_path / "far.xlsx")


def test_encrypted_file(encrypted_xlsx):
    with pytest.raises(FormError, match="文件已加密，请取消密码后另存为 .xlsx 再发送"):
        read_workbook(encrypted_xlsx)


@pytest.mark.parametrize(
    "content, fragment",
    [(b"", "空的"), (b"<html><table><tr><td>1</td></tr></table></html>", "网页"), (b"a,b\n1,2\n", "文本文件")],
)
def test_not_a_workbook(tmp_path, content, fragment):
    path = tmp_path / "x.xls"
    path.write_bytes(content)
    with pytest.raises(FormError, match=f"“x.xls”：.*{fragment}"):
        read_workbook(path)


def test_damaged_part_gives_a_message_not_a_traceback(form, tmp_path):
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(form) as src, zipfile.ZipFile(broken, "w") as out:
        for info in src.infolist():
            if info.filename != "xl/styles.xml":
                out.writestr(info, src.read(info))
        out.writestr("xl/styles.xml", b"<styleSheet><oops")
    with pytest.raises(FormError, match="“broken.xlsx”：文件内容有错误"):
        read_workbook(broken)


MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def test_calamine_allocation_cannot_kill_us(tmp_path):
    """An .ods whose repeat counts make calamine allocate ~3 GB: the child dies, we do not."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="S">'
        '<table:table-row table:number-rows-repeated="9900">'
        '<table:table-cell table:number-columns-repeated="10000" office:value-type="float" office:value="1">'
        "<text:p>1</text:p></table:table-cell></table:table-row></table:table>"
        "</office:spreadsheet></office:body></office:document-content>"
    )
    path = tmp_path / "bomb.ods"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", MANIFEST)
    with pytest.raises(FormError, match="“bomb.ods”：文件内容异常，读取时占用内存过多"):
        read_workbook(path)


@pytest.mark.soffice
def test_libreoffice_xls_ods_and_resaved_xlsx(form, tmp_path, soffice_convert):
    far = tmp_path / "far.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"], wb.active["IV65536"] = 1, 2
    wb.save(far)
    out = tmp_path / "out"
    xls, far_xls = soffice_convert([form, far], "xls", out)
    (ods,) = soffice_convert([form], "ods", out)
    (resaved,) = soffice_convert([form], "xlsx", tmp_path / "resaved")

    for path in (xls, ods):
        book = read_workbook(path, max_rows=20, max_cols=10)
        sheet = book.sheet("填报")
        assert book.sheet_names == ["填报", "说明", "_meta"]
        assert [s.visibility for s in book.sheets] == ["visible", "hidden", "hidden"]
        assert sheet.get("C3").value == 12 and not sheet.get("C3").is_text
        assert sheet.get("D3").value == "1,200" and sheet.get("D3").is_text
        assert sheet.get("E3").value == 24 and sheet.get("E3").formula is None
        assert not sheet.formulas_known
        assert sheet.beyond_cells == ("Z90",) and (sheet.max_row, sheet.max_col) == (90, 26)
    assert read_workbook(xls).custom_properties is None

    # The densest legal .xls (A1 and IV65536) is read inside the memory cap.
    far_sheet = read_workbook(far_xls, max_rows=10, max_cols=10).sheets[0]
    assert far_sheet.beyond_cells == ("IV65536",) and far_sheet.get("A1").value == 1

    # LibreOffice calculates: the re-saved formula has its cached result.
    cell = read_workbook(resaved).sheet("填报").get("E3")
    assert cell.formula == "=C3*2" and cell.value == 24 and not cell.formula_without_result
