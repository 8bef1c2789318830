import datetime as dt
import shutil
import time
import zipfile

import openpyxl
import pytest
from openpyxl.packaging.custom import StringProperty
from openpyxl.workbook.defined_name import DefinedName

from wjexcel.errors import FormError
from wjexcel.cellref import a1, parse_a1
from wjexcel.collect.reader import read_workbook


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


# --- the fast path reads what the careful path reads ---------------------------------------------
def _same(value):
    """A value as both readers may give it: 12 or 12.0, a date as midnight."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _cells(book):
    return {
        s.name: (s.visibility, s.max_row, s.max_col, s.beyond_cells,
                 {k: (_same(c.value), c.formula, c.is_text, c.is_error, c.number_format) for k, c in s.cells.items()})
        for s in book.sheets
    }


def _assert_agree(path, **bounds):
    fast = read_workbook(path, **bounds)
    careful = read_workbook(path, careful=True, **bounds)
    assert _cells(fast) == _cells(careful), path.name
    assert fast.custom_properties == careful.custom_properties
    assert fast.defined_names == careful.defined_names


@pytest.fixture
def shared_formula(tmp_path):
    """Excel's fill-down: one formula shared by B1:B3, the later cells naming only its index."""
    plain = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook()
    for row in (1, 2, 3):
        wb.active.cell(row, 1, row)
        wb.active.cell(row, 2, 0)
    wb.save(plain)
    path = tmp_path / "下拉公式.xlsx"
    cells = [b'<c r="B1"><f t="shared" ref="B1:B3" si="0">A1*2</f><v>2</v></c>',
             b'<c r="B2"><f t="shared" si="0"/><v>4</v></c>', b'<c r="B3"><f t="shared" si="0"/><v>6</v></c>']

    def edit(name, data):
        if name.startswith("xl/worksheets/"):
            for row, cell in enumerate(cells, start=1):
                data = data.replace(f'<c r="B{row}" t="n"><v>0</v></c>'.encode(), cell)
        return data

    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, edit(info.filename, zin.read(info)))
    return path


def test_the_fast_path_reads_what_the_careful_path_reads(form, shared_formula):
    _assert_agree(form, max_rows=20, max_cols=10)
    _assert_agree(shared_formula)
    sheet = read_workbook(shared_formula).sheets[0]
    assert [sheet.get(f"B{r}").formula for r in (1, 2, 3)] == ["=A1*2", "=A2*2", "=A3*2"]
    assert [sheet.get(f"B{r}").value for r in (1, 2, 3)] == [2, 4, 6]


def test_a_filled_form_reads_the_same_both_ways(tmp_path, make_workspace, forms_of):
    """A real form filled the way reporters fill it: a % typed as a percentage, a formula, a date."""
    from wjexcel.demo.fill import fill_form

    form = forms_of(make_workspace("2022Q3"))["七都镇"]
    filled = fill_form(form, tmp_path / "七都镇.xlsx", {"1-1": "=2+3", "7-2": "1,200"},
                       remarks={"7-2": "=HYPERLINK(\"x\")"}, signer={"填报日期": dt.date(2022, 10, 8)})
    wb = openpyxl.load_workbook(filled)
    main = wb["指标填报"]
    cell = next(c for row in main.iter_rows() for c in row if c.protection.locked is False)
    cell.value, cell.number_format = 0.034, "0.0%"
    wb.save(filled)
    _assert_agree(filled, max_rows=304, max_cols=40)


@pytest.mark.soffice
def test_libreoffice_resaved_forms_read_the_same_both_ways(form, shared_formula, tmp_path, soffice_convert):
    for path in soffice_convert([form, shared_formula], "xlsx", tmp_path / "resaved"):
        _assert_agree(path, max_rows=20, max_cols=10)


# --- what sends a file the careful way, and what cannot fool the fast one ---------------------------
def _refused_by_the_fast_reader(path) -> bool:
    """The fast path gives ``path`` up, so :func:`read_workbook` reads it the careful way."""
    from wjexcel.collect import fastread

    try:
        fastread.read(path.read_bytes(), path.name, (20, 10), time.monotonic() + 60)
    except fastread.NotFast:
        return True
    return False


def _edit_sheet(src, dest, edit):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info.filename, edit(data) if info.filename == "xl/worksheets/sheet1.xml" else data)
    return dest


def test_an_address_hidden_in_another_attribute_is_not_taken(form, tmp_path):
    """calamine places a cell by its own r attribute; the scan must not read r from inside a quoted value."""
    forged = _edit_sheet(form, tmp_path / "伪地址.xlsx", lambda xml: xml.replace(
        b'<c r="Z90"', b"""<c foo=' r="A1"' r="Z90\""""))
    sheet = read_workbook(forged, max_rows=20, max_cols=10).sheet("填报")
    assert sheet.beyond_cells == ("Z90",) and (1, 1) in sheet.cells and sheet.get("A1").value == "指标"
    _assert_agree(forged, max_rows=20, max_cols=10)


@pytest.mark.parametrize("prefix", [b"x", "表".encode()])
def test_cells_with_a_namespace_prefix_read_the_same(form, tmp_path, prefix):
    """calamine finds cells by their local name whatever the prefix, any XML name (Chinese too)."""
    main = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"

    def prefixed(xml):
        xml = xml.replace(b"<c ", b"<" + prefix + b":c ").replace(b"</c>", b"</" + prefix + b":c>")
        return xml.replace(b"<worksheet ", b"<worksheet xmlns:" + prefix + b'="' + main + b'" ', 1)

    path = _edit_sheet(form, tmp_path / "前缀.xlsx", prefixed)
    assert read_workbook(path, max_rows=20, max_cols=10).sheet("填报").get("C3").value == 12
    _assert_agree(path, max_rows=20, max_cols=10)


@pytest.mark.parametrize("edit, why", [
    (lambda xml: xml.replace(b'<c r="C3"', b"<c", 1), "a cell without its address"),
    (lambda xml: xml.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" s="0"/></row></sheetData>'),
     "an empty cell that makes the grid huge"),
    (lambda xml: xml.replace(b"<worksheet ", '<worksheet xmlns:表="http://schemas.openxmlformats.org/spreadsheetml/'
                             '2006/main" '.encode(), 1).replace(b"</sheetData>", '<row r="1048576"><表:c r="XFD1048576" '
                                                                 's="0"/></row></sheetData>'.encode()),
     "the same cell behind a Chinese namespace prefix"),
])
def test_unusual_sheets_are_read_the_careful_way(form, tmp_path, edit, why):
    path = _edit_sheet(form, tmp_path / "特殊.xlsx", edit)
    book = read_workbook(path, max_rows=20, max_cols=10)
    assert _refused_by_the_fast_reader(path), why
    assert not _refused_by_the_fast_reader(form)  # the form as generated is read the fast way
    assert book.sheet("填报").get("D3").value == "1,200"


def test_a_huge_shared_string_count_is_read_the_careful_way(form, tmp_path):
    path = tmp_path / "字符串数.xlsx"
    with zipfile.ZipFile(form) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
        # calamine would reserve room for ten billion strings before reading the first
        zout.writestr("xl/sharedStrings.xml", b'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="http://'
                      b'schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="9999999999">'
                      b"<si><t>x</t></si></sst>")
    read_workbook(path, max_rows=20, max_cols=10)
    assert _refused_by_the_fast_reader(path)


# --- what calamine would allocate is bounded from every part's bytes ---------------------------------
def _with_parts(src, dest, edit=None, extra=()):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info.filename, edit(info.filename, data) if edit else data)
        for name, data in extra:
            zout.writestr(name, data)
    return dest


SST = ('<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
       ' count="1" {attrs}><si><t>x</t></si></sst>')


@pytest.mark.parametrize("attrs", [
    'uniqueCount="18446744073709551615"',                       # calamine panics on this
    'a=">" uniqueCount="4000000000"',                           # a ">" inside another attribute
    'uniqueCount="&#52;000000000"',                             # an escaped digit
])
def test_a_string_count_anywhere_in_the_tag_sends_the_file_the_careful_way(form, tmp_path, attrs):
    body = SST.format(attrs=attrs).replace("<sst ", "<!-- <sst uniqueCount=\"1\"> --><sst ")
    path = _with_parts(form, tmp_path / "串.xlsx", extra=[("xl/sharedStrings.xml", body.encode())])
    book = read_workbook(path, max_rows=20, max_cols=10)
    assert _refused_by_the_fast_reader(path)
    assert book.sheet("填报").get("C3").value == 12


def test_a_sheet_behind_an_escaped_relation_is_not_read_unchecked(form, tmp_path):
    """calamine takes a target as written: "sheet1.xm&#108;" is a part of its own, which the scan must see."""
    far = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
           b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="1048576">'
           b'<c r="XFD1048576"><v>999</v></c></row></sheetData></worksheet>')

    def edit(name, data):
        return data.replace(b"worksheets/sheet1.xml", b"worksheets/sheet1.xm&#108;") if name.endswith(".rels") else data

    path = _with_parts(form, tmp_path / "转义.xlsx", edit, [("xl/worksheets/sheet1.xm&#108;", far)])
    book = read_workbook(path, max_rows=20, max_cols=10)  # by openpyxl, which unescapes the target
    assert _refused_by_the_fast_reader(path)
    assert book.sheet("填报").get("C3").value == 12


def test_a_cell_with_two_addresses_is_not_measured_by_the_first(form, tmp_path):
    """calamine places a cell by its last r; a scan measuring the first would let the grid grow unseen."""
    path = _edit_sheet(form, tmp_path / "双地址.xlsx", lambda xml: xml.replace(b'<c r="C3"', b'<c r="C3" r="ALL9999"'))
    try:
        read_workbook(path, max_rows=20, max_cols=10)
    except FormError:
        pass  # the careful reader may call it damaged: either way calamine never sees it
    assert _refused_by_the_fast_reader(path)
