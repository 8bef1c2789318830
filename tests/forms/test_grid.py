"""A form's sheets as data, and writing them: nothing Excel would refuse is dropped silently."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from wjexcel.forms.grid import DEFAULT_COLUMN_WIDTH, DEFAULT_ROW_HEIGHT, PLAIN, Sheet
from wjexcel.forms.template import _rotation
from wjexcel.forms.xlsxout import Properties, to_xlsx
from wjexcel.textmeasure import column_points, row_height


def _written(sheet: Sheet):
    return load_workbook(io.BytesIO(to_xlsx([sheet], Properties(), active=sheet.name)))[sheet.name]


def test_a_header_excel_would_refuse_raises_instead_of_vanishing():
    sheet = Sheet("表")
    sheet.put(1, 1, "x")
    sheet.setup.header = "&C" + "很长的页眉" * 60  # over Excel's 255 characters: XlsxWriter only warns
    with pytest.raises(ValueError, match="255"):
        to_xlsx([sheet], Properties(), active="表")


def test_a_single_cell_merge_is_not_merged_and_its_cell_is_written():
    sheet = Sheet("表")
    sheet.put(2, 2, "单独")
    sheet.merge(2, 2, 2, 2)
    ws = _written(sheet)
    assert ws["B2"].value == "单独" and not ws.merged_cells.ranges


@pytest.mark.parametrize("stored, xlsxwriter, back", [(0, 0, 0), (45, 45, 45), (90, 90, 90), (135, -45, 135),
                                                     (180, -90, 180), (255, 270, 255)])
def test_text_rotation_goes_from_openpyxl_to_xlsxwriter_and_back(stored, xlsxwriter, back):
    assert _rotation(stored) == xlsxwriter
    sheet = Sheet("表")
    sheet.put(1, 1, "竖排", PLAIN.but(rotation=_rotation(stored)))
    assert _written(sheet)["A1"].alignment.text_rotation == back


def test_clearing_data_rows_drops_a_template_merge_reaching_into_them():
    sheet = Sheet("表")
    sheet.merge(2, 1, 3, 2)  # above the data rows: kept
    sheet.merge(4, 1, 6, 2)  # from the template's last row into the data rows: gone
    sheet.clear_rows(5)
    sheet.put(5, 1, "填入")
    sheet.settle()
    assert sheet.merges == [(2, 1, 3, 2)]
    assert sheet.value(5, 1) == "填入"


def test_a_text_merged_down_empty_rows_gets_room_for_every_line():
    sheet = Sheet("表")
    sheet.put(2, 1, "第一行\n第二行\n第三行", PLAIN.but(wrap=True))
    sheet.merge(2, 1, 4, 3)
    sheet.fit_rows(1, 5)
    # rows 3 and 4 hold nothing: Excel shows them at its default height unless told otherwise
    assert sum(sheet.heights.get(r, DEFAULT_ROW_HEIGHT) for r in (2, 3, 4)) >= row_height(3)
    assert 1 not in sheet.heights and 5 not in sheet.heights


def test_column_points_are_the_pixels_each_writer_stores():
    sheet = Sheet("表")
    sheet.widths = {1: 10.0, 2: 40.0}
    sheet.put(1, 1, "x")
    ws = _written(sheet)
    assert ws.column_dimensions["A"].width == 10 and ws.column_dimensions["B"].width == 40  # as the template's
    assert column_points(10) == 70 * 0.75 and column_points(40) == 280 * 0.75
    assert column_points(10, padded=True) == (70 + 5) * 0.75  # XlsxWriter's set_column stores 5 pixels more
    assert column_points(DEFAULT_COLUMN_WIDTH, padded=True) == 64 * 0.75  # Excel's default column


def test_the_quick_worksheet_writes_exactly_what_xlsxwriters_own_does():
    """FormWorksheet stores blank ranges at once and writes blank cells by a short path: every
    part of the workbook must be byte for byte what XlsxWriter's own worksheet writes."""
    from datetime import date

    from xlsxwriter.worksheet import Worksheet

    from wjexcel.forms import sheets, xlsxout
    from wjexcel.forms.template import load_template
    from wjexcel.plan.builtin import builtin_plan

    template, choices = load_template(), sheets.Choices()
    book = [sheets.detail_sheet(template, dl, {}, choices)[0] for dl in builtin_plan().detail_lists]
    mixed = Sheet("混合")
    mixed.blank((2, 2, 40, 6), PLAIN.but(locked=False, num_format="@"))
    mixed.blank((5, 1, 9, 3), PLAIN.but(bold=True))  # overlapping ranges: the later style wins
    mixed.put(3, 3, "文字 <&> =1+1")
    mixed.put(4, 4, 12.5, PLAIN.but(num_format="0.00"))
    mixed.put(4, 5, 1 / 3)
    mixed.put(4, 6, -1e21, PLAIN.but(num_format="0.00"))
    mixed.put(6, 2, date(2022, 10, 8), PLAIN.but(num_format="yyyy-mm-dd"))
    mixed.put(7, 2, True)
    mixed.put(8, 8, "")
    mixed.put_formula(41, 2, "SUM(B2:B40)", PLAIN, 0)
    mixed.number_rows((10, 1, 30, 1), PLAIN.but(bold=True), first=5)
    mixed.number_rows((12, 2, 14, 3), PLAIN.but(num_format="0.0"))  # over the blank range: it wins there
    mixed.put(20, 1, "第20行")  # a cell in a counted range wins
    mixed.heights[25] = 30.0  # a row of a fill with a height of its own
    mixed.blank((50, 8, 52, 9), PLAIN.but(italic=True))  # a fill alone in its rows, past every cell
    mixed.blank((60, 1, 59, 3), PLAIN)  # an empty range: nothing, as the cell-by-cell loop writes nothing
    mixed.number_rows((45, 2, 46, 2), PLAIN, first=7)
    mixed.merge(46, 2, 46, 2)  # a one-cell merge is no merge: the number is written
    mixed.merge(1, 1, 1, 6)
    mixed.put(1, 1, "标题", PLAIN.but(bold=True, font_size=16))
    book += [mixed, choices.sheet]
    for sheet in book:
        sheet.settle()
    properties = Properties(title="表", author="wjexcel", custom={"wjexcel_form_id": "x"})

    def parts(worksheet_class):
        return _parts(io.BytesIO(xlsxout._workbook(book, properties, book[0].name, worksheet_class)))

    assert (mixed.value(10, 1), mixed.value(11, 1), mixed.value(20, 1), mixed.value(13, 3)) == (5, 6, "第20行", 2)
    assert mixed.value(15, 3) is None and mixed.value(51, 9) is None and mixed.value(46, 2) == 8
    quick, stock = parts(xlsxout.FormWorksheet), parts(Worksheet)
    assert sorted(quick) == sorted(stock)
    assert sum(part.count(b"<c ") for name, part in quick.items() if name.startswith("xl/worksheets/")) > 3000
    for name in stock:
        assert quick[name] == stock[name], name


def _parts(source) -> dict[str, bytes]:
    """Every part of a workbook (a path or a file object) but core.xml, which holds the time written."""
    import zipfile

    with zipfile.ZipFile(source) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n != "docProps/core.xml"}  # core: the time written


@pytest.mark.parametrize("which", ["builtin", "caps"])
def test_whole_forms_are_byte_for_byte_what_xlsxwriters_own_worksheet_writes(which, tmp_path, monkeypatch):
    """Every reporter's form, 明细 sheets, formulas (of 填报检查, 完成率 and the conditional formats)
    and all, written with the quick worksheet and with XlsxWriter's own."""
    from xlsxwriter.worksheet import Worksheet

    from tests.forms.capplan import PERIOD, cap_plan
    from wjexcel.forms import build, xlsxout
    from wjexcel.periods import Period
    from wjexcel.plan.builtin import builtin_plan

    plan, periods = (builtin_plan(), ["2021", "2022Q3"]) if which == "builtin" else (cap_plan(), [PERIOD])
    written = 0
    for code in periods:
        period = Period.parse(code)
        for reporter in (r for r in plan.reporters if plan.indicators_for(r, period)):
            paths = {}
            for kind, worksheet in (("quick", xlsxout.FormWorksheet), ("stock", Worksheet)):
                monkeypatch.setattr(build, "to_xlsx", lambda book, properties, active, worksheet=worksheet:
                                    xlsxout._workbook(book, properties, active, worksheet))
                paths[kind] = tmp_path / f"{kind}.xlsx"
                build.build_form(plan, reporter, period, b"k" * 32, paths[kind], generated_at="2022-10-01T09:00:00",
                                 form_id=f"{code}-0123456789")
            quick, stock = _parts(paths["quick"]), _parts(paths["stock"])
            assert sorted(quick) == sorted(stock)
            for name in stock:
                assert quick[name] == stock[name], (reporter.name, code, name)
            written += 1
    assert written >= (18 if which == "builtin" else 4)


def test_no_function_xlsxwriter_rewrites_as_newer_is_taken_for_a_classic_one():
    """The quick worksheet skips XlsxWriter's ``_xlfn.`` substitutions for formulas of classic
    functions only. Each substitution is ``\\bNAME\\(`` with ``.`` matching any character: none may
    match where the name before the parenthesis is a classic function."""
    import inspect
    import re

    from xlsxwriter.worksheet import Worksheet

    from wjexcel.forms.xlsxout import CLASSIC_FUNCTIONS, FormWorksheet

    patterns = re.findall(r're\.sub\(\s*r"([^"]+)\\\(",', inspect.getsource(Worksheet._prepare_formula))
    assert len(patterns) > 150  # XlsxWriter's list as this test knows it
    for pattern in patterns:
        name = pattern.removeprefix(r"\b")
        # the classic name would be what follows the last character the pattern's wildcards or
        # its start may take for a separator: every tail of the pattern after a "." or the start
        tails = [name] + [name[i + 1:] for i, ch in enumerate(name) if ch in ".S" and i + 1 < len(name)]
        for tail in tails:
            for classic in CLASSIC_FUNCTIONS:
                assert not re.fullmatch(tail, classic), (pattern, classic)
    stock, quick = Worksheet(), FormWorksheet()
    for formula in ['=IF(ISNUMBER(F5),F5/12,"")', '{=SUM(A1:A3)}', '=SUMPRODUCT(--(LEN(TRIM(B4:B9))>0))',
                    '=IFS(A1>0,1)', '=T.TEST(A1:A3,B1:B3,2,1)', '="IFS(" & A1', '=中IF(1)', '=_xlfn.IFS(A1>0,1)',
                    '=A1+ISO.CEILING(2)', '=X.IF(1)']:
        for expand in (False, True):
            assert quick._prepare_formula(formula, expand) == stock._prepare_formula(formula, expand), formula
