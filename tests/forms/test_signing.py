"""The form signature: canonical values and what it catches."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from openpyxl import load_workbook

from wjexcel.forms import layout as L
from wjexcel.forms import signing
from wjexcel.forms.build import build_form
from wjexcel.plan.builtin import builtin_plan

KEY = bytes(range(32))


def test_canonical_values_agree_across_programs():
    assert signing.canonical(1400) == signing.canonical(1400.0) == signing.canonical("1400") == "1400"
    assert signing.canonical(3.68) == "3.68"
    assert signing.canonical(None) == signing.canonical("") == ""
    assert signing.canonical("a\r\nb") == signing.canonical("a\nb")
    assert signing.canonical("e\u0301") == signing.canonical("\u00e9")
    assert signing.canonical(True) == "TRUE"


@pytest.fixture(scope="module")
def form(tmp_path_factory):
    plan = builtin_plan()
    path = tmp_path_factory.mktemp("sig") / "form.xlsx"
    build_form(plan, plan.reporter("七都镇"), "2022Q3", KEY, path,
               generated_at=datetime(2022, 10, 1, 9, 0), form_id="2022Q3-TEST")
    return path


def _verify(wb, key=KEY):
    meta = {row[0].value: row[1].value for row in wb[L.META_SHEET].iter_rows(max_col=2)}
    return signing.verify(key, meta, lambda s, r, c: wb[s].cell(r, c).value)


def test_untouched_and_filled_forms_verify(form):
    wb = load_workbook(form)
    assert _verify(wb)
    ws = wb[L.MAIN_SHEET]
    ws.cell(L.FIRST_DATA_ROW, L.COL_VALUE, 12)
    ws.cell(L.FIRST_DATA_ROW, L.COL_REMARK, "=HYPERLINK(\"x\")")
    wb["人才项目名单"].cell(L.DETAIL_FIRST_ROW, 2, "项目甲")
    assert _verify(wb)
    assert not _verify(wb, key=b"another key")


def test_edits_outside_inputs_break_it(form):
    wb = load_workbook(form)
    wb[L.MAIN_SHEET].cell(L.FIRST_DATA_ROW, L.COL_TARGET, "三年目标1")
    assert not _verify(wb)

    wb = load_workbook(form)
    meta = wb[L.META_SHEET]
    row = next(r for r in meta.iter_rows(max_col=2) if r[0].value == "reporter")
    row[1].value = "桃源镇"
    assert not _verify(wb)

    wb = load_workbook(form)
    meta = {r[0].value: r[1].value for r in wb[L.META_SHEET].iter_rows(max_col=2)}
    blank_row = max(json.loads(meta["layout"])["main"]["rows"].values()) + 1
    wb[L.MAIN_SHEET].cell(blank_row, L.COL_NO, "x")  # a locked, empty cell inside the form
    assert not _verify(wb)

    wb = load_workbook(form)
    wb[L.GUIDE_SHEET]["A1"] = "改过的标题"
    assert not _verify(wb)

    wb = load_workbook(form)
    del wb["人才项目名单"]
    assert not _verify(wb)


def test_key_is_not_in_the_form(form):
    wb = load_workbook(form)
    texts = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not any(KEY.hex() in t for t in texts)
    assert KEY not in form.read_bytes()
