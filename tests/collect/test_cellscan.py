"""A worksheet part scanned row by row, each row taken as scanned where its bytes came before,
reads exactly as the part scanned whole: the same cells, extent and samples outside the bounds,
the same refusals; and a row read under other styles or other shared strings is read anew."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from tests.collect.test_fast_values import _fill_by_openpyxl, stress_workbook
from wjexcel.collect import cellscan as C
from wjexcel.collect import fastread
from wjexcel.collect.xlsxvalues import NotFast
from wjexcel.errors import FormError

BOUNDS = (20, 10)
_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/'
         'spreadsheetml/2006/main"><sheetData>')
_TAIL = "</sheetData></worksheet>"


def _outcome(read):
    """What one scan gives, as plain data (or the refusal it raises)."""
    try:
        scan = read()
    except (NotFast, FormError) as exc:
        return type(exc).__name__, str(exc)
    return ({key: (cell, type(cell.value)) for key, cell in scan.cells.items()}, scan.max_row, scan.max_col,
            tuple(scan.beyond), scan.beyond_count)


def _both_ways(body: bytes, book, formats=()):
    """(whole, row by row cold, row by row after the same bytes were scanned twice before)."""
    def whole():
        return C.scan(body, "表.xlsx", BOUNDS, C.check_grid(body), book, formats, {})

    def by_rows():
        return C.scan_sheet(body, "表.xlsx", BOUNDS, book, formats, {})

    C._forget()
    cold = _outcome(by_rows)
    _outcome(by_rows)
    return _outcome(whole), cold, _outcome(by_rows)


def _sheet(rows: str) -> bytes:
    return (_HEAD + rows + _TAIL).encode("utf-8")


def _book(strings=("甲", "乙")):
    from wjexcel.collect.xlsxvalues import Workbook

    return Workbook(list(strings), (), False)


@pytest.mark.parametrize("rows, why", [
    ('<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A1"><v>2</v></c></row>', "a cell twice, in two rows"),
    ('<row r="1"><c r="A1"><v>1</v></row><row r="2"></c></row>', "a cell written across </row>"),
    ('<row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1" foo="1"><v>3</v></c></row>', "an unusual cell"),
    ("".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="Z{r}"><v>9</v></c></row>' for r in range(1, 40)),
     "cells outside the bounds in many rows: the first twenty named, in order"),
    ('<row r="1"><c r="A1"><f t="shared" ref="A1:A3" si="0">B1*2</f><v>2</v></c></row><row r="2"></row>'
     '<row r="3"><c r="A3"><f t="shared" si="0"/><v>4</v></c></row>', "a shared formula used two rows on"),
    ('<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576" s="1"/></row>',
     "an empty cell making the span too large"),
    ('<row r="1"><c r="A1"><v>1</v></c></row><row r="30"><c r="A30" s="1"/></row>', "an empty cell outside"),
    ('<row r="2000000"><c r="A2000000"><v>1</v></c></row>', "a cell beyond any sheet"),
    ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>内</t></is></c></row>'
     '<row r="2"><c r="A2" t="s"><v>1</v></c></row>', "shared and inline strings"),
    # found by a review: a prefixed formula is a formula too, and what is refused is refused in the same order
    ('<row r="1"><c r="A1" t="str"><v k="<x:f t=\'shared\' si=\'0\'">B1*2</v></c></row>'
     '<row r="2"><c r="A2"><f t="shared" si="0"/><v>4</v></c></row>', "a prefixed shared formula's first cell"),
    ('<row r="1"><c r="A1"><v>1</v></c></row><row r="2000"><c r="ALM2000"><v>1</v></c></row>',
     "a far cell making the span too large"),
    ('<row r="1"><c r="ALM1"><v>1</v></c></row><row r="2"><c><v>1</v></c></row>', "a far cell, then no address"),
    ('<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A1"><v>1</v></c><c r="ALM2"><v>1</v></c></row>',
     "a cell twice, then a far cell"),
])
def test_a_part_read_row_by_row_is_read_as_the_whole_part_is(rows, why):
    whole, cold, warm = _both_ways(_sheet(rows), _book())
    assert cold == whole and warm == whole, why


@pytest.mark.parametrize("rows, bounds", [
    ('<row r="0"><c r="A0"><v>1</v></c></row><row r="2000"><c r="ALL2000"><v>1</v></c></row>', (2000, 1000)),
    ('<row r="1"></row>', (100_000, 1000)),
])
def test_bounds_as_large_as_the_largest_span_are_read_as_the_whole_part_is(rows, bounds):
    body = _sheet(rows)
    C._forget()
    whole = _outcome(lambda: C.scan(body, "表.xlsx", bounds, C.check_grid(body), _book(), (), {}))
    for _ in range(3):
        assert _outcome(lambda: C.scan_sheet(body, "表.xlsx", bounds, _book(), (), {})) == whole


def test_a_far_cell_on_one_sheet_waits_for_the_check_of_the_sheets_after_it():
    import re as _re

    data = stress_workbook()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        first, second = zf.read("xl/worksheets/sheet1.xml").decode(), zf.read("xl/worksheets/sheet2.xml").decode()
    far = first.replace('<c r="A1" t="s">', '<c r="ALM1"><v>1</v></c><c r="A1" t="s">', 1)
    odd = _re.sub(r'<c r="C2"', "<c", second, count=1)  # a cell without its address on the sheet after
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = {"xl/worksheets/sheet1.xml": far, "xl/worksheets/sheet2.xml": odd}.get(info.filename)
            zout.writestr(info.filename, body.encode() if body else zin.read(info))
    with pytest.raises(NotFast):  # as before: the sheet after is unusual, so the careful path reads the file
        fastread.read(out.getvalue(), "表.xlsx", BOUNDS, time.monotonic() + 60)


def test_crafted_cases_are_refused_or_named_as_the_whole_part_is():
    body = _sheet("".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="Z{r}"><v>9</v></c></row>'
                          for r in range(1, 40)))
    _, _, warm = _both_ways(body, _book())
    assert warm[3] == tuple(f"Z{r}" for r in range(1, 21)) and warm[4] == 39 + 19  # A21:A39 below the bounds
    twice = _sheet('<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A1"><v>2</v></c></row>')
    assert _both_ways(twice, _book())[2] == ("NotFast", "a cell twice")
    huge = _sheet('<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576" s="1"/></row>')
    assert _both_ways(huge, _book())[2] == ("NotFast", "a large grid")


def test_every_sheet_of_filled_forms_reads_as_the_whole_part_does(make_workspace, forms_of, tmp_path):
    ws = make_workspace("2022Q3")
    parts = []
    for path in _fill_by_openpyxl(ws, forms_of, tmp_path)[:4]:
        data = path.read_bytes()
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            inflated = {name: zf.read(name) for name in zf.namelist()}
        book = fastread._values_of(inflated)
        formats = fastread._number_formats(inflated.get("xl/styles.xml", b""))
        parts += [(body, book, formats) for name, body in inflated.items() if name.startswith("xl/worksheets/")]
    assert len(parts) >= 15
    for body, book, formats in parts:
        whole, cold, warm = _both_ways(body, book, formats)
        assert isinstance(whole, tuple) and len(whole) == 5  # read, not refused
        assert cold == whole and warm == whole


def _with(data: bytes, **parts: str) -> bytes:
    """``data`` with some parts replaced (``styles=`` xl/styles.xml, ``strings=`` xl/sharedStrings.xml)."""
    names = {"styles": "xl/styles.xml", "strings": "xl/sharedStrings.xml"}
    replace = {names[k]: v.encode("utf-8") for k, v in parts.items()}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info)))
    return out.getvalue()


def _read(data: bytes):
    return fastread.read(data, "表.xlsx", BOUNDS, time.monotonic() + 60).sheet("填报")


def test_the_same_rows_under_other_styles_or_other_strings_are_read_anew():
    import datetime as dt

    dated = stress_workbook()
    with zipfile.ZipFile(io.BytesIO(dated)) as zf:
        styles, strings = zf.read("xl/styles.xml").decode(), zf.read("xl/sharedStrings.xml").decode()
    plain = _with(dated, styles=styles.replace('formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"',
                                               'formatCode="0.00"'))
    other_strings = _with(dated, strings=strings.replace("<t>指标</t>", "<t>别的指标</t>"))
    C._forget()
    for _ in range(3):  # the rows are kept once met twice
        assert _read(dated).get("D1").value == dt.datetime(2023, 3, 15)
        assert _read(dated).get("A1").value == "指标"
    assert C._PIECES
    assert _read(plain).get("D1").value == 45000 and _read(plain).get("D1").number_format == "0.00"
    assert _read(other_strings).get("A1").value == "别的指标"
    assert _read(other_strings).get("F1").value == "内联"  # an inline string needs no table
    assert _read(dated).get("D1").value == dt.datetime(2023, 3, 15) and _read(dated).get("A1").value == "指标"


def test_a_read_changed_by_its_caller_leaves_the_next_read_whole():
    data = stress_workbook()
    C._forget()
    first = _read(data)
    expected = dict(first.cells)
    for _ in range(3):
        _read(data).cells.clear()
    assert _read(data).cells == expected


def test_the_rows_kept_are_bounded(monkeypatch):
    monkeypatch.setattr(C, "PIECES_KEPT", 5)
    C._forget()
    book = _book()
    for n in range(3):
        for r in range(1, 30):
            body = _sheet("".join(f'<row r="{i}"><c r="A{i}"><v>{r * 100 + i}</v></c></row>' for i in range(1, 4)))
            scanned = C.scan_sheet(body, "表.xlsx", BOUNDS, book, (), {})
            assert scanned.cells[(1, 1)].value == r * 100 + 1
            assert len(C._PIECES) <= 5


def test_long_rows_many_strings_and_a_full_budget_are_read_but_not_kept(monkeypatch):
    monkeypatch.setattr(C, "BYTES_KEPT", 4000)
    C._forget()
    long_text = "很长的说明" * 20000
    body = _sheet(f'<row r="1"><c r="A1" t="inlineStr"><is><t>{long_text}</t></is></c></row>')
    for _ in range(3):
        assert C.scan_sheet(body, "表.xlsx", BOUNDS, _book(), (), {}).cells[(1, 1)].value == long_text
    assert not any(len(key[0]) > C.LONGEST_KEPT for key in C._PIECES)  # longer than a row kept
    many = _book(strings=[f"串{i}" for i in range(C.STRINGS_KEPT + 1)])
    shared = _sheet('<row r="1"><c r="A1" t="s"><v>4096</v></c></row>')
    for _ in range(3):
        assert C.scan_sheet(shared, "表.xlsx", BOUNDS, many, (), {}).cells[(1, 1)].value == "串4096"
    assert not any(b't="s"' in key[0] for key in C._PIECES)  # its strings are too many to key it by
    for r in range(1, 200):
        row = _sheet(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{"字" * 50}{r}</t></is></c></row>')
        for _ in range(2):
            C.scan_sheet(row, "表.xlsx", BOUNDS, _book(), (), {})
        assert C._KEPT[0] <= 4000
    assert C._PIECES


def test_a_worksheet_without_sheet_data_reads_as_a_sheet_without_cells():
    data = stress_workbook()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        second = zf.read("xl/worksheets/sheet2.xml").decode()
    bare = second[:second.index("<sheetData>")] + "</worksheet>"  # a sheet a program wrote with no cells at all
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, bare.encode() if info.filename == "xl/worksheets/sheet2.xml"
                          else zin.read(info))
    book = fastread.read(out.getvalue(), "表.xlsx", BOUNDS, time.monotonic() + 60)
    assert book.sheet("说明").cells == {} and book.sheet("填报").get("A1").value == "指标"


# --- rows met before, taken as one block --------------------------------------------------------------
FORM_BOUNDS = (100, 10)


def _by_rows_and_whole(body: bytes, book, formats=()):
    """(row by row, with whatever earlier scans kept, whole), within :data:`FORM_BOUNDS`."""
    by_rows = _outcome(lambda: C.scan_sheet(body, "表.xlsx", FORM_BOUNDS, book, formats, {}))
    return by_rows, _outcome(lambda: C.scan(body, "表.xlsx", FORM_BOUNDS, C.check_grid(body), book, formats, {}))


def _blocks_kept() -> list[bytes]:
    return [key[0] for key in C._PIECES if b"</row>" in key[0]]


_MIDDLE = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}" s="1"/><c r="C{r}" t="s"><v>{r % 2}</v></c>'
                  f'</row>' for r in range(2, 30))


def _form_sheet(n: int, middle: str = _MIDDLE, head: str = "", tail: str = "") -> bytes:
    """A sheet as one generate writes it for its n-th reporter: its own title and footer, the rows between alike
    (``head``, ``tail``: more cells in the title row, in a row after the last)."""
    title = f'<row r="1"><c r="A1" t="inlineStr"><is><t>单位{n}</t></is></c>{head}</row>'
    after = f'<row r="45">{tail}</row>' if tail else ""
    return (_HEAD + title + middle + after + "</sheetData><headerFooter><oddFooter>单位" + str(n)
            + "　第 &amp;P 页</oddFooter></headerFooter></worksheet>").encode("utf-8")


def test_the_rows_many_forms_share_are_kept_as_one_block_and_read_as_the_whole_part(monkeypatch):
    C._forget()
    book = _book()
    for n in range(6):
        by_rows, whole = _by_rows_and_whole(_form_sheet(n), book)
        assert by_rows == whole and by_rows[0][(1, 1)][0].value == f"单位{n}"
    assert len(_blocks_kept()) == 1 and _blocks_kept()[0].count(b"</row>") == 27  # rows 2-29: 28 pieces
    assert by_rows[0][(29, 3)][0].value == "乙" and by_rows[1:3] == (29, 3)
    taken = []
    monkeypatch.setattr(C._Pieces, "take", lambda self, piece, take=C._Pieces.take: taken.append(piece) or take(self, piece))
    assert _by_rows_and_whole(_form_sheet(6), book)[0][0][(1, 1)][0].value == "单位6"
    assert len(taken) == 2  # the title and the footer; the 28 rows between as one block
    monkeypatch.undo()

    # with the block kept, whatever differs is read as the whole part reads it
    other_strings = _book(strings=("丙", "丁"))
    cases = {
        "other strings": (_form_sheet(7), other_strings),
        "a row of the block changed": (_form_sheet(8, _MIDDLE.replace("<v>17</v>", "<v>71</v>")), book),
        "the title holds a cell of the block": (_form_sheet(9, head='<c r="A5"><v>1</v></c>'), book),
        "a row after the block holds a cell of it": (_form_sheet(10, tail='<c r="A7"><v>1</v></c>'), book),
        "a row after the block": (_form_sheet(14, tail='<c r="A45"><v>1</v></c>'), book),
        "cells outside the bounds before, in and after the block":
            (_form_sheet(11, _MIDDLE.replace('<c r="B9" s="1"/>', '<c r="Z9"><v>9</v></c>'),
                         head='<c r="Y1"><v>1</v></c>', tail='<c r="Z45"><v>3</v></c>'), book),
        "a far cell after the block": (_form_sheet(12, tail='<c r="ALM45"><v>1</v></c>'), book),
        "a cell without an address in the title": (_form_sheet(13, head="<c><v>1</v></c>"), book),
    }
    for why, (body, with_book) in cases.items():
        for _ in range(3):
            by_rows, whole = _by_rows_and_whole(body, with_book)
            assert by_rows == whole, why
    assert _by_rows_and_whole(_form_sheet(7), other_strings)[0][0][(3, 3)][0].value == "丁"
    assert _by_rows_and_whole(_form_sheet(9, head='<c r="A5"><v>1</v></c>'), book)[0] == ("NotFast", "a cell twice")


def test_cells_outside_the_bounds_in_a_block_are_named_in_their_order():
    C._forget()
    middle = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="Z{r}"><v>9</v></c></row>' for r in range(2, 40))
    for n in range(5):
        by_rows, whole = _by_rows_and_whole(_form_sheet(n, middle, head='<c r="Y1"><v>1</v></c>'), _book())
        assert by_rows == whole
    assert _blocks_kept()
    assert by_rows[3][:3] == ("Y1", "Z2", "Z3") and len(by_rows[3]) == 20 and by_rows[4] == 1 + 38


def test_rows_with_a_shared_formula_are_never_kept_in_a_block():
    C._forget()
    middle = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(2, 20)) + \
        '<row r="20"><c r="B20"><f t="shared" si="0"/><v>4</v></c></row>' + \
        "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(21, 29))
    for n in range(5):
        head = f'<c r="B1"><f t="shared" ref="B1:B20" si="0">A{n + 1}*2</f><v>2</v></c>'
        by_rows, whole = _by_rows_and_whole(_form_sheet(n, middle, head=head), _book())
        assert by_rows == whole and by_rows[0][(20, 2)][0].formula == f"=A{n + 20}*2"
    assert not any(b"<f" in block for block in _blocks_kept())


def test_random_forms_that_share_most_rows_read_as_their_whole_parts():
    """Three hundred sheets in a row, made like returned forms: the same rows, each now and then
    filled, moved out of the bounds, doubled, given a string, a formula or a far cell."""
    import random

    rng = random.Random(20261202)
    books = [_book(), _book(strings=("丙", "丁"))]
    base = [f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}" s="1"/></row>' for r in range(2, 40)]

    def changed(r: int, row: str) -> str:
        return rng.choice([
            row.replace(f'<c r="B{r}" s="1"/>', f'<c r="B{r}"><v>{rng.randint(1, 99)}</v></c>'),
            row.replace(f'<c r="B{r}" s="1"/>', f'<c r="Z{r}"><v>1</v></c>'),
            row.replace(f'<c r="B{r}" s="1"/>', f'<c r="A{rng.randint(1, 39)}"><v>1</v></c>'),
            row.replace(f'<c r="B{r}" s="1"/>', f'<c r="B{r}" t="s"><v>{rng.randint(0, 1)}</v></c>'),
            row.replace(f'<c r="B{r}" s="1"/>', f'<c r="B{r}"><f>A{r}+1</f><v>{r + 1}</v></c>'),
            row.replace(f'<c r="B{r}" s="1"/>', '<c r="ALM5"><v>1</v></c>'),
            row.replace(f'<c r="B{r}" s="1"/>', f'<c r="B{r}" foo="1"><v>1</v></c>'),
        ])

    C._forget()
    seen_blocks = 0
    for n in range(300):
        rows = [changed(r, row) if rng.random() < 0.03 else row for r, row in enumerate(base, start=2)]
        body = _form_sheet(n % 7, "".join(rows), tail=rng.choice(["", "", '<c r="Z45"><v>1</v></c>']))
        by_rows, whole = _by_rows_and_whole(body, rng.choice(books))
        assert by_rows == whole, n
        seen_blocks = max(seen_blocks, len(_blocks_kept()))
    assert seen_blocks >= 2  # blocks were kept, and taken, along the way


def test_the_span_of_a_block_counts_as_the_span_of_its_rows():
    """Empty cells far out in the rows of a block, below the title: too large a grid, whether the
    block is taken at once or row by row."""
    C._forget()
    middle = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="XFD{r}" s="1"/></row>' for r in range(2, 150))
    outcomes = [_by_rows_and_whole(_form_sheet(n, middle), _book()) for n in range(5)]
    assert _blocks_kept()
    assert all(by_rows == whole == ("NotFast", "a large grid") for by_rows, whole in outcomes)


def test_string_tables_that_differ_only_where_a_string_ends_are_told_apart():
    """``_x0000_`` is a NUL in a string: ["a\\0", "b"] and ["a", "\\0b"] join to the same text, yet are other tables."""
    body = _sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')
    first, second = _book(strings=("a\0", "b")), _book(strings=("a", "\0b"))
    C._forget()
    for _ in range(3):
        assert C.scan_sheet(body, "表.xlsx", BOUNDS, first, (), {}).cells[(1, 1)].value == "a\0"
    assert C.scan_sheet(body, "表.xlsx", BOUNDS, second, (), {}).cells[(1, 1)].value == "a"
