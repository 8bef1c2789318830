"""A third client: a form saved as .ods by a program whose file calamine refuses is read by
the second reader (:mod:`wjexcel.collect.odsread`), under the same bounds, and collected
like any other.

Gnumeric is not installed here (no ``ssconvert``), so the .ods is written with odfpy in the
shape Gnumeric's ODF writer gives (``plugins/openoffice/openoffice-write.c``): every sheet
as wide as the program allows (``table:table-column`` repeated to 16384), each value a
``table:table-cell`` with ``office:value-type`` and its shown text in ``text:p``, runs of
empty cells as ``number-columns-repeated``, merged areas as ``number-columns-spanned`` with
``table:covered-table-cell`` after them, the empty rest of the sheet as one row repeated to
row 1048576, hidden sheets through a table style with ``table:display="false"``.

calamine (python-calamine 0.9) gives up on the whole file at one cell, found by experiment:
a float cell whose ``office:value`` is not a plain decimal — here ``office:value="1,200"``
beside the shown ``1,200`` (an empty value, a leading space or a negative
``number-columns-repeated`` do the same) — and says only "Cannot detect file format". The
clerk would read "文件内容有错误，无法读取" for a form any spreadsheet program opens.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import python_calamine
from odf.opendocument import OpenDocumentSpreadsheet
from odf.style import Style, TableProperties
from odf.table import CoveredTableCell, Table, TableCell, TableColumn, TableRow
from odf.text import LineBreak, P

from wjexcel.collect.collector import collect
from wjexcel.collect.odsread import read_ods
from wjexcel.collect.reader import _read_calamine, read_workbook
from wjexcel.demo.fill import fill_form
from wjexcel.errors import FormError
from wjexcel.periods import Period
from wjexcel.plan.workbook import workspace_plan
from wjexcel.workspace.ledger import Ledger

WIDEST, LONGEST = 16384, 1048576
PERIOD = "2022"
REFUSED = "1,200"  # the float cell calamine cannot parse


def _paragraph(text: str) -> P:
    p = P()
    for i, line in enumerate(text.split("\n")):
        if i:
            p.addElement(LineBreak())
        p.addText(line)
    return p


def _value_cell(value, refuse: bool = False) -> TableCell:
    if isinstance(value, bool):
        cell = TableCell(valuetype="boolean", booleanvalue="true" if value else "false")
        shown = "TRUE" if value else "FALSE"
    elif isinstance(value, (int, float)):
        cell = TableCell(valuetype="float", value=REFUSED if refuse else repr(float(value)).removesuffix(".0"))
        shown = REFUSED if refuse else f"{value:g}"
    elif isinstance(value, (dt.date, dt.datetime)):
        day = value.date() if isinstance(value, dt.datetime) else value
        cell = TableCell(valuetype="date", datevalue=day.isoformat())
        shown = f"{day.year}/{day.month}/{day.day}"
    else:
        cell = TableCell(valuetype="string", stringvalue=str(value))
        shown = str(value)
    cell.addElement(_paragraph(shown))
    return cell


def gnumeric_shaped_ods(xlsx: Path, dest: Path, refuse_at: tuple[str, str] | None = None) -> Path:
    """The workbook ``xlsx`` written as .ods in Gnumeric's shape (see the module docstring);
    ``refuse_at`` = (sheet, cell) gets the float value calamine refuses."""
    source = openpyxl.load_workbook(xlsx)
    doc = OpenDocumentSpreadsheet()
    hidden = Style(name="ta-hidden", family="table")
    hidden.addElement(TableProperties(display="false"))
    doc.automaticstyles.addElement(hidden)
    for sheet in source.worksheets:
        table = Table(name=sheet.title, **({"stylename": hidden} if sheet.sheet_state != "visible" else {}))
        table.addElement(TableColumn(numbercolumnsrepeated=WIDEST))
        anchors = {(m.min_row, m.min_col): m for m in sheet.merged_cells.ranges}
        covered = {(r, c) for m in sheet.merged_cells.ranges for r in range(m.min_row, m.max_row + 1)
                   for c in range(m.min_col, m.max_col + 1)} - set(anchors)
        rows, cols = sheet.max_row, sheet.max_column
        for r in range(1, rows + 1):
            row = TableRow()
            empty = covered_run = 0
            for c in range(1, cols + 1):
                value = sheet.cell(r, c).value
                if (r, c) in covered:
                    if empty:
                        row.addElement(TableCell(numbercolumnsrepeated=empty))
                        empty = 0
                    covered_run += 1
                    continue
                if covered_run:
                    row.addElement(CoveredTableCell(numbercolumnsrepeated=covered_run))
                    covered_run = 0
                if value is None and (r, c) not in anchors:
                    empty += 1
                    continue
                if empty:
                    row.addElement(TableCell(numbercolumnsrepeated=empty))
                    empty = 0
                refuse = refuse_at == (sheet.title, sheet.cell(r, c).coordinate)
                cell = _value_cell(value, refuse) if value is not None else TableCell()
                if (r, c) in anchors:
                    m = anchors[(r, c)]
                    cell.setAttribute("numbercolumnsspanned", m.max_col - m.min_col + 1)
                    cell.setAttribute("numberrowsspanned", m.max_row - m.min_row + 1)
                row.addElement(cell)
            if covered_run:
                row.addElement(CoveredTableCell(numbercolumnsrepeated=covered_run))
            row.addElement(TableCell(numbercolumnsrepeated=WIDEST - cols + empty))
            table.addElement(row)
        rest = TableRow(numberrowsrepeated=LONGEST - rows)
        rest.addElement(TableCell(numbercolumnsrepeated=WIDEST))
        table.addElement(rest)
        doc.spreadsheet.addElement(table)
    doc.save(str(dest))
    return dest


@pytest.fixture(scope="module")
def filled(tmp_path_factory, workspace_templates):
    """七都镇's 2022 form filled as a person would (one figure typed 1200)."""
    folder = tmp_path_factory.mktemp("ods")
    ws = workspace_templates.copy(folder / "ws", PERIOD)
    plan = workspace_plan(ws)
    form = workspace_templates.forms(ws)["七都镇"]
    codes = [i.code for i in plan.indicators_for(plan.reporter("七都镇"), Period.parse(PERIOD))]
    values = {c: 7 for c in codes} | {"4-1": 1200, "6-1": 3.6}
    signer = {"填报人": "王芳", "联系电话": "0512-63009999", "填报日期": dt.date(2023, 1, 10), "审核人": "李强"}
    xlsx = fill_form(form, folder / "七都镇.xlsx", values, names={i.code: i.name for i in plan.indicators},
                     remarks={"1-1": "二期已封顶\n预计12月交付"}, signer=signer)
    sheet = openpyxl.load_workbook(xlsx)["指标填报"]
    where = next(c.coordinate for row in sheet.iter_rows() for c in row if c.value == 1200)
    return ws, xlsx, ("指标填报", where)


def test_calamine_refuses_the_file_and_the_second_reader_reads_it(filled, tmp_path):
    ws, xlsx, where = filled
    ods = gnumeric_shaped_ods(xlsx, tmp_path / "七都镇.ods", refuse_at=where)
    with pytest.raises(python_calamine.CalamineError):
        python_calamine.CalamineWorkbook.from_path(str(ods))
    book = read_workbook(ods, max_rows=80, max_cols=20)
    assert book.kind == "ods"
    cell = book.sheet(where[0]).get(where[1])
    assert cell.value == REFUSED and cell.is_text  # the cell's shown text stands for the value
    assert [s.visibility for s in book.sheets] == [
        "visible" if s.sheet_state == "visible" else "hidden" for s in openpyxl.load_workbook(xlsx).worksheets]


def test_both_readers_agree_where_calamine_can_read(filled, tmp_path):
    """The same shape without the refused cell: the second reader gives what calamine gives."""
    ws, xlsx, _ = filled
    ods = gnumeric_shaped_ods(xlsx, tmp_path / "clean.ods")
    first, second = _read_calamine(str(ods), 80, 20), read_ods(ods, 80, 20)

    def cells(book):
        return [(s.name, s.visibility, s.max_row, {k: (c.value, c.is_text) for k, c in s.cells.items()})
                for s in book.sheets]

    assert cells(second) == cells(first)
    remark = [c.value for s in second.sheets for c in s.cells.values() if c.value == "二期已封顶\n预计12月交付"]
    assert remark, "the two-line remark keeps its line break"


def test_the_form_is_collected_with_its_figures(filled, tmp_path):
    ws, xlsx, where = filled
    ods = gnumeric_shaped_ods(xlsx, tmp_path / "七都镇_gnumeric.ods", refuse_at=where)
    verdict = collect(ws, [ods]).verdicts[0]
    assert verdict.status == "accepted", [p.located() for p in verdict.problems]
    assert verdict.reporter == "七都镇" and not verdict.errors
    with Ledger.open(ws) as ledger:
        got = {v.indicator: v.value for v in ledger.accepted_values(PERIOD) if v.reporter == "七都镇"}
    assert got["4-1"] == 1200 and got["6-1"] == 3.6


def test_a_damaged_ods_is_still_refused_in_chinese(tmp_path):
    """Neither reader can read a content.xml that is not XML: the clerk reads why, as before."""
    import zipfile

    path = tmp_path / "坏.ods"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        z.writestr("content.xml", "<office:document-content 这不是")
        z.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest '
                   'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')
    with pytest.raises(FormError, match="“坏.ods”：(文件内容有错误，无法读取|.*损坏)"):
        read_workbook(path)


def test_the_careful_way_reads_the_bytes_collect_holds(filled, tmp_path, monkeypatch):
    """No temporary copy: with the temporary folder gone (a locked-down PC), an .ods (read in the
    calamine child, fed on its standard input) and an .xlsx with odd part names (openpyxl, from
    memory) are collected as before."""
    import tempfile

    from tests.collect import crafted

    ws, xlsx, _ = filled
    inbox = tmp_path / "收到"
    inbox.mkdir()
    gnumeric_shaped_ods(xlsx, inbox / "七都镇.ods")
    crafted.with_backslash_names(xlsx, inbox / "七都镇_另存.xlsx")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "没有这个文件夹"))
    verdicts = collect(ws, [inbox]).verdicts
    assert sorted(v.file.rpartition("/")[2] for v in verdicts) == ["七都镇.ods", "七都镇_另存.xlsx"]
    for verdict in verdicts:
        assert verdict.status in ("accepted", "superseded"), [p.located() for p in verdict.problems]
        assert verdict.reporter == "七都镇" and not verdict.errors
