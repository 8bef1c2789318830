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


def _message_as_documented(meta, cell_value) -> bytes:
    """The signed message as its definition reads: the compact JSON of the list of parts."""
    from wjexcel.forms.layout import SIGNATURE_ALG_KEY, SIGNATURE_KEY

    parts: list = ["wjexcel-form-signature/1"]
    parts += [["meta", key, signing.canonical(meta[key])] for key in sorted(meta)
              if key not in (SIGNATURE_KEY, SIGNATURE_ALG_KEY)]
    spec = json.loads(signing.canonical(meta.get("signed")) or "{}")
    parts += [[s, r, c, signing.canonical(cell_value(s, r, c))] for s, r, c in signing.signed_cells(spec)]
    return json.dumps(parts, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def test_the_message_is_byte_for_byte_its_definition():
    """message() writes the JSON piece by piece: for every kind of value and name it must be the
    very bytes of the list's json.dumps, or every form already sent would fail its check."""
    import json
    import random
    from datetime import date, datetime, time

    rng = random.Random(20261202)
    texts = ["", " ", "七都镇", "a\r\nb", "a\rb", "e\u0301", "\u00e9", 'q"uote', "back\\slash", "tab\tnl\n",
             "\x00\x1f\x7f", "\u2028\u2029", "😀", "１２", "=1+1", "1400", "3.5%", "ｅ", "A" * 40]
    values = texts + [None, True, False, 0, -0.0, 1400, 1400.0, 3.68, 1e15, 1e16, -2.5e-7, float("inf"),
                      float("nan"), 10 ** 20, date(2022, 10, 8), datetime(2022, 10, 8, 9, 30), time(8, 5)]
    sheets = ["指标填报", "填报说明", "科创载体项目", "A'B", "表\"1"]
    for _ in range(400):
        spec = {}
        for sheet in rng.sample(sheets, rng.randint(0, 3)):
            rows, cols = rng.randint(1, 6), rng.randint(1, 4)
            skip = [f"{chr(64 + rng.randint(1, cols))}{rng.randint(1, rows)}" for _ in range(rng.randint(0, 3))]
            spec[sheet] = {"range": f"A1:{chr(64 + cols)}{rows}", "skip": skip}
        meta = {key: rng.choice(values) for key in rng.sample(["form_id", "plan_id", "reporter", "period",
                                                               "备注", "layout", "x\"y"], rng.randint(0, 7))}
        meta["signed"] = json.dumps(spec, ensure_ascii=False, sort_keys=True)
        meta["signature"] = "ab" * 32
        if rng.random() < 0.2:
            meta[rng.choice([5, 2.5, None])] = "a key no generated form has"  # a forged form's
        cells = {}
        cell = lambda s, r, c: cells.setdefault((s, r, c), rng.choice(values))  # noqa: E731
        try:
            expected = _message_as_documented(meta, cell)
        except TypeError:  # keys that cannot be sorted together: both refuse
            with pytest.raises(TypeError):
                signing.message(meta, cell)
            continue
        assert signing.message(meta, cell) == expected, meta
