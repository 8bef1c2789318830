"""The fast path decodes each cell's value itself: the same values and types python-calamine gives
for the same bytes, and the same cell facts (formula, text, error, number format) and extent as
openpyxl, for every kind of workbook a reporter sends back."""

from __future__ import annotations

import datetime as dt
import io
import time
import zipfile
from pathlib import Path

import pytest

from wjexcel.collect import fastread
from wjexcel.errors import FormError
from wjexcel.collect.reader import read_workbook

DATA = Path(__file__).resolve().parents[1] / "data"
BOUNDS = (304, 40)


def _calamine_value(value):
    """A value python-calamine gives, as the form reader holds it (what the calamine decode made)."""
    if value.__class__ is float and value.is_integer() and -1e15 < value < 1e15:
        return int(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def _calamine_cells(data: bytes, bounds) -> dict[str, dict]:
    """``{sheet: {(row, col): value}}`` of every non-empty value python-calamine reads in the bounds."""
    import python_calamine

    max_rows, max_cols = bounds
    out = {}
    with python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)) as wb:
        for index, meta in enumerate(wb.sheets_metadata):
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            sheet = wb.get_sheet_by_index(index)
            cells = out[meta.name] = {}
            if sheet.start is None:
                continue
            row0, col0 = sheet.start[0] + 1, sheet.start[1] + 1
            for r, row in enumerate(sheet.to_python(), start=row0):
                for c, value in enumerate(row, start=col0):
                    if value != "" and r <= max_rows and c <= max_cols:
                        cells[(r, c)] = _calamine_value(value)
    return out


def _facts(book):
    """What both readers tell of each cell but its value. An empty string (openpyxl keeps one,
    calamine gives none) is no cell; whether a formula whose result is empty is text is not told
    alike (the readers differed there before values were decoded here too)."""
    return {s.name: (s.visibility, s.max_row, s.max_col, s.beyond_cells,
                     {k: (c.formula, None if c.formula_without_result else c.is_text, c.is_error, c.number_format)
                      for k, c in s.cells.items() if c.value != "" or c.formula is not None})
            for s in book.sheets}


def assert_same_as_calamine(data: bytes, label: str, bounds=BOUNDS):
    """The fast read of ``data`` (it must not give up) against calamine's values and openpyxl's facts."""
    fast = fastread.read(data, label, bounds, time.monotonic() + 60)
    expected = _calamine_cells(data, bounds)
    assert [s.name for s in fast.sheets] == list(expected), label
    for sheet in fast.sheets:
        want = expected[sheet.name]
        for key, value in want.items():
            got = sheet.cells.get(key)
            assert got is not None, (label, sheet.name, key, value)
            assert got.value == value and type(got.value) is type(value), (label, sheet.name, key, got, value)
        for key, cell in sheet.cells.items():
            if key not in want:  # calamine has no value there: a formula without one, or an error
                assert cell.formula is not None or cell.is_error, (label, sheet.name, key, cell)
                assert cell.value is None or (cell.is_error and isinstance(cell.value, str)), (label, key, cell)
    careful = read_workbook(label, data=data, careful=True, max_rows=bounds[0], max_cols=bounds[1])
    assert _facts(fast) == _facts(careful), label
    assert fast.custom_properties == careful.custom_properties
    assert fast.defined_names == careful.defined_names
    return fast


# --- a workbook written by hand, with every kind of cell ----------------------------------------------
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_STRINGS = [
    "<t>指标</t>",
    '<r><rPr><b/><sz val="11"/></rPr><t>红</t></r><r><t xml:space="preserve">字 </t></r>',
    '<t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh><phoneticPr fontId="1"/>',
    "<t>行_x000D_尾 &amp; &lt;标&gt; &#x4E2D;&#20013;&quot;</t>",
    '<t xml:space="preserve">  留空格  </t>',
    "<t>  去空格\n  </t>",
    "<t>_x005F_x000D_ and _x00e9_ _x4E2D_</t>",
    "<t>a\r\nb</t>",
    "",
]
_CELLS = {
    1: ['<c r="A1" t="s"><v>0</v></c>', '<c r="B1" t="b"><v>1</v></c>', '<c r="C1" t="e"><v>#DIV/0!</v></c>',
        '<c r="D1" s="1"><v>45000</v></c>', '<c r="E1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>',
        '<c r="F1" t="inlineStr"><is><t>内联</t></is></c>', '<c r="G1"><v>-0</v></c>',
        '<c r="H1" t="d"><v>2024-03-05T10:20:30</v></c>'],
    2: ['<c r="A2" t="s"><v>1</v></c>', '<c r="B2" t="b"><v>0</v></c>',
        '<c r="C2" t="e"><f>1/0</f><v>#DIV/0!</v></c>', '<c r="D2" s="2"><v>45000.5</v></c>',
        '<c r="E2" t="str"><f>A4</f><v>x &amp; y_x000D_</v></c>',
        '<c r="F2" t="inlineStr"><is><r><t>a</t></r><r><rPr><b/></rPr><t xml:space="preserve"> b</t></r></is></c>',
        '<c r="G2"><v>1e3</v></c>', '<c r="H2" t="d"><v>2024-03-05</v></c>'],
    3: ['<c r="A3" t="s"><v>2</v></c>', '<c r="C3" t="e"><v>#N/A</v></c>', '<c r="D3" s="3"><v>0.75</v></c>',
        '<c r="E3"><f>1+1</f><v>2</v></c>', '<c r="G3" t="n"><v>12.50</v></c>'],
    4: ['<c r="A4" t="s"><v>3</v></c>', '<c r="D4" s="4"><v>1.5</v></c>', '<c r="E4"><f>SUM(D1:D2)</f></c>',
        '<c r="G4"><v>1234567890123456789</v></c>'],
    5: ['<c r="A5" t="s"><v>4</v></c>', '<c r="D5" s="1"><v>30</v></c>', '<c r="E5" t="str"><f>""</f><v></v></c>',
        '<c r="G5" s="5"><v>0.034</v></c>'],
    6: ['<c r="A6" t="s"><v>5</v></c>', '<c r="D6" s="6"><v>45001</v></c>', '<c r="G6" s="7"><v>44927.25</v></c>'],
    7: ['<c r="A7" t="s"><v>6</v></c>', '<c r="B7" s="2"/>', '<c r="C7" t="s"><v></v></c>'],
    8: ['<c r="A8" t="s"><v>7</v></c>', '<c r="B8" t="s"><v>8</v></c>'],
    90: ['<c r="Z90" t="s"><v>0</v></c>'],
}
_STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{_MAIN}"><numFmts count="4">
<numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>
<numFmt numFmtId="165" formatCode="0.0%"/>
<numFmt numFmtId="166" formatCode="[$-F800]dddd\\,\\ mmmm\\ dd\\,\\ yyyy"/>
<numFmt numFmtId="167" formatCode="m/d/yyyy\\ h:mm"/></numFmts>
<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border/></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="8"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="21" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="46" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="167" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""


def stress_workbook(date1904: bool = False, extra: str = "") -> bytes:
    """An .xlsx with every kind of cell the decode handles, written as Excel writes them (and the
    cell ``extra`` in row 9)."""
    rows = "".join(f'<row r="{r}">{"".join(cells)}</row>' for r, cells in sorted({**_CELLS, 9: [extra]}.items()))
    sheet = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}" '
             f'xmlns:r="{_REL}"><dimension ref="A1:Z90"/><sheetData>{rows}</sheetData></worksheet>')
    strings = "".join(f"<si>{s}</si>" if s else "<si/>" for s in _STRINGS)
    sst = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{_MAIN}" '
           f'count="{len(_STRINGS)}" uniqueCount="{len(_STRINGS)}">{strings}</sst>')
    pr = '<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>"
    workbook = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_MAIN}" '
                f'xmlns:r="{_REL}">{pr}<sheets><sheet name="填报" sheetId="1" r:id="rId1"/>'
                f'<sheet name="说明" sheetId="2" state="hidden" r:id="rId2"/></sheets></workbook>')
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    workbook_rels = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="{pkg}">'
                     f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
                     f'<Relationship Id="rId2" Type="{rel}/worksheet" Target="worksheets/sheet2.xml"/>'
                     f'<Relationship Id="rId3" Type="{rel}/styles" Target="styles.xml"/>'
                     f'<Relationship Id="rId4" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
                     "</Relationships>")
    root_rels = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="{pkg}">'
                 f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    types = ('<?xml version="1.0" encoding="UTF-8"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/'
             '2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
             'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
             f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
             f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.worksheet+xml"/>'
             f'<Override PartName="/xl/worksheets/sheet2.xml" ContentType="{ct}.worksheet+xml"/>'
             f'<Override PartName="/xl/styles.xml" ContentType="{ct}.styles+xml"/>'
             f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.sharedStrings+xml"/></Types>')
    second = (f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{_MAIN}"><sheetData>'
              '<row r="2"><c r="B2" t="s"><v>3</v></c><c r="C2" s="2"><v>1</v></c></row></sheetData></worksheet>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in (("[Content_Types].xml", types), ("_rels/.rels", root_rels),
                           ("xl/workbook.xml", workbook), ("xl/_rels/workbook.xml.rels", workbook_rels),
                           ("xl/styles.xml", _STYLES), ("xl/sharedStrings.xml", sst),
                           ("xl/worksheets/sheet1.xml", sheet), ("xl/worksheets/sheet2.xml", second)):
            zf.writestr(name, text.encode("utf-8"))
    return out.getvalue()


@pytest.mark.parametrize("date1904", [False, True])
def test_every_kind_of_cell_decodes_as_calamine_decodes_it(date1904):
    book = assert_same_as_calamine(stress_workbook(date1904), "各种单元格.xlsx", (20, 10))
    sheet = book.sheet("填报")
    # what the cells hold, spelled out for the commonest kinds
    assert sheet.get("A2").value == "红字 " and sheet.get("A3").value == "東京"
    assert sheet.get("A4").value == '行\r尾 & <标> 中中"' and sheet.get("A4").is_text
    assert sheet.get("A5").value == "  留空格  "
    assert sheet.get("B1").value is True and sheet.get("B2").value is False
    assert sheet.get("C1").is_error and sheet.get("C1").value == "#DIV/0!"
    assert sheet.get("C2").value == "#DIV/0!" and sheet.get("C2").formula == "=1/0"
    assert sheet.get("E1").value == "ab" and sheet.get("E1").is_text and sheet.get("E1").formula == '="a"&"b"'
    assert sheet.get("E4").formula_without_result
    assert sheet.get("E5").value is None and sheet.get("E5").formula == '=""'
    assert sheet.get("F1").value == "内联" and sheet.get("F2").value == "a b"
    assert sheet.get("G5").value == 0.034 and sheet.get("G5").number_format == "0.0%"
    if not date1904:
        assert sheet.get("D1").value == dt.datetime(2023, 3, 15)
        assert sheet.get("D2").value == dt.datetime(2023, 3, 15, 12)
        assert sheet.get("D3").value == dt.time(18) and sheet.get("D4").value == dt.timedelta(hours=36)
    assert sheet.get("C7") is None and sheet.beyond_cells == ("Z90",)
    assert book.sheet("说明").visibility == "hidden"


def test_the_files_kept_with_the_tests_decode_as_calamine_decodes_them():
    found = 0
    for archive in sorted(DATA.glob("*.zip")):
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                if name.endswith((".xlsx", ".xlsm")):
                    assert_same_as_calamine(zf.read(name), name)
                    found += 1
    for path in sorted(DATA.rglob("*.xls[xm]")):
        assert_same_as_calamine(path.read_bytes(), path.name)
        found += 1
    assert found >= 5


def _fill_by_openpyxl(ws, forms_of, tmp_path):
    from openpyxl import load_workbook

    from wjexcel.demo.fill import FORM_SHEET, fill_form
    from wjexcel.plan.workbook import workspace_plan

    names = {i.code: i.name for i in workspace_plan(ws).indicators}
    filled = []
    for n, (reporter, form) in enumerate(sorted(forms_of(ws).items())):
        values = {"1-1": n + 3, "4-1": "1,200", "7-1": "约12", "6-1": 3.6, "2-1": "=10+5", "7-2": "_x000D_ & <b>"}
        path = fill_form(form, tmp_path / f"{reporter}.xlsx", values, remarks={"7-2": "备注\n第二行"}, names=names,
                         signer={"填报人": "王芳", "填报日期": dt.date(2022, 10, 8)})
        if n == 0:  # a percentage and a date typed by hand, as Excel keeps them
            wb = load_workbook(path)
            sheet = wb[FORM_SHEET]
            free = [c for row in sheet.iter_rows() for c in row if c.protection.locked is False]
            free[0].value, free[0].number_format = 0.034, "0.0%"
            free[1].value, free[1].number_format = dt.datetime(2022, 10, 8, 9, 30), "yyyy-mm-dd hh:mm"
            wb.save(path)
        filled.append(path)
    return filled


def test_forms_filled_by_openpyxl_decode_as_calamine_decodes_them(make_workspace, forms_of, tmp_path):
    ws = make_workspace("2022Q3")
    for path in _fill_by_openpyxl(ws, forms_of, tmp_path):
        assert_same_as_calamine(path.read_bytes(), path.name)


@pytest.mark.soffice
def test_forms_saved_by_libreoffice_decode_as_calamine_decodes_them(make_workspace, forms_of, tmp_path,
                                                                     soffice_convert):
    ws = make_workspace("2022Q3")
    stress = tmp_path / "各种单元格.xlsx"
    stress.write_bytes(stress_workbook())
    filled_dir = tmp_path / "filled"
    filled_dir.mkdir()
    sources = _fill_by_openpyxl(ws, forms_of, filled_dir)[:3] + [stress]
    for path in soffice_convert(sources, "xlsx", tmp_path / "resaved"):
        assert_same_as_calamine(path.read_bytes(), path.name)


@pytest.mark.soffice
def test_forms_typed_in_libreoffice_decode_as_calamine_decodes_them(make_workspace, forms_of, tmp_path):
    from tests.collect.test_lo_fill import _uno_python, lo_fill, plan_codes, typed_cells
    from wjexcel.plan.workbook import workspace_plan

    python = _uno_python()
    if python is None:
        pytest.skip("python3-uno is not installed")
    ws = make_workspace("2022")
    plan = workspace_plan(ws)
    generated = forms_of(ws)
    signer = {"填报人": "王芳", "联系电话": "0512-63009999", "填报日期": "2023-01-10"}
    typed = {c: "7" for c in plan_codes(plan, "七都镇")}
    typed.update({"4-1": "1,200", "6-1": "3.7%", "2-1": "=10+5", "7-1": "约12"})
    jobs = [{"src": str(generated["七都镇"]), "out": str(tmp_path / "七都镇_LO"),
             "cells": typed_cells(generated["七都镇"], plan, "七都镇", typed, {"7-2": "=A1"}, signer)}]
    lo_fill(python, jobs, tmp_path)
    path = tmp_path / "七都镇_LO.xlsx"
    assert_same_as_calamine(path.read_bytes(), path.name)


@pytest.mark.parametrize("cell", [
    '<c r="A9" t="s"><v> </v></c>',  # calamine would take string 0
    '<c r="A9"><v> 5</v></c>',  # calamine keeps it as text
    '<c r="A9" t="n"><v>1_000</v></c>',  # Python would take it, calamine refuses it
    '<c r="A9" t="e"><v>#SPILL!</v></c>',  # an error calamine does not know
    '<c r="A9" t="foo"><v>1</v></c>',
    '<c r="A9" t="s"><v>99</v></c>',  # no such shared string
    '<c r="A9" t="str"><v>&nbsp;</v></c>',  # an HTML entity is no XML entity
    '<c r="A9" t="inlineStr"><is><t><![CDATA[x]]></t></is></c>',
    '<c r="A9" s="1"><v>99999999</v></c>',  # a date after 9999
    '<c r="A9" t="d"><v>2024-13-45</v></c>',
    '<c r="A9"><v>1</v><f>1</f></c>',  # the value before the formula: calamine keeps none
    '<c r="A9"><extLst/></c>',
])
def test_a_value_written_in_an_unusual_way_is_read_the_careful_way(cell):
    data = stress_workbook(extra=cell)
    with pytest.raises(fastread.NotFast):
        fastread.read(data, "不寻常.xlsx", (20, 10), time.monotonic() + 60)
    try:
        book = read_workbook("不寻常.xlsx", data=data, max_rows=20, max_cols=10)
    except FormError as exc:  # the careful reader may call it damaged: a message, never a crash
        assert "不寻常.xlsx" in str(exc)
    else:
        assert book.sheet("填报").get("A1").value == "指标"


def test_the_built_in_number_formats_are_spelled_as_openpyxl_spells_them():
    from openpyxl.styles.numbers import BUILTIN_FORMATS

    assert fastread.BUILTIN_NUMBER_FORMATS == dict(BUILTIN_FORMATS)
