"""Text that a spreadsheet would take for a formula on edit keeps Excel's keep-as-text flag, in every
output; a locked cell turned into a formula fails the signature; an absurd 填报人 is an error."""

from __future__ import annotations

import re

import openpyxl
import pytest

from wjexcel.collect.collector import collect
from wjexcel.problems import Code
from wjexcel.report.workbook import write_report
from tests.collect import crafted
from tests.collect.test_collector import SIGNER, by_file, fill, good_values, ws  # noqa: F401
from tests.report.test_workbook import report_data


def needs_keep_as_text(value) -> bool:
    return isinstance(value, str) and value.lstrip(" ")[:1] in ("=", "+", "-", "@")


def formula_like_cells(path):
    book = openpyxl.load_workbook(path)
    return [(sheet.title, cell.coordinate, cell) for sheet in book.worksheets for row in sheet.iter_rows()
            for cell in row if cell.data_type == "s" and needs_keep_as_text(cell.value)]


def test_every_report_cell_that_looks_like_a_formula_is_kept_as_text(tmp_path):
    out = write_report(report_data(), tmp_path / "汇总.xlsx")
    cells = formula_like_cells(out.path)
    assert len(cells) >= 4  # the remarks typed as =HYPERLINK…, @…, +…, -… and the rows they reach
    bare = [(s, ref, c.value[:20]) for s, ref, c in cells if not c.quotePrefix]
    assert bare == []


def test_a_return_copy_keeps_formula_like_text_as_text(ws, tmp_path):
    form = fill(ws, "七都镇", tmp_path / "filled.xlsx", dict(good_values(ws, "七都镇"), **{"7-1": "约12"}))
    book = openpyxl.load_workbook(form)
    book.create_sheet("@附表")["A1"] = "说明"
    book.save(ws.inbox / "七都镇.xlsx")
    v = by_file(collect(ws))["七都镇.xlsx"]
    assert v.status == "rejected"
    copy = ws.root / v.return_copy
    listed = [c for s, _, c in formula_like_cells(copy) if s == "退回意见"]
    assert any(c.value == "@附表" for c in listed)
    assert all(c.quotePrefix for c in listed)


@pytest.mark.parametrize("careful", [False, True])
def test_a_locked_cell_turned_into_a_formula_showing_the_same_value_fails_the_signature(ws, tmp_path, careful):
    from wjexcel.collect.formread import read_form
    from wjexcel.plan.workbook import workspace_plan

    form = fill(ws, "人才办", tmp_path / "talent.xlsx", good_values(ws, "人才办"))
    sheet = openpyxl.load_workbook(form)["指标填报"]
    target = next(c.coordinate for row in sheet.iter_rows() for c in row
                  if c.protection.locked and isinstance(c.value, (int, float)) and c.value == 130)

    def edit(name, data):
        if not name.startswith("xl/worksheets/"):
            return data
        pattern = rb'(<c r="' + target.encode() + rb'"[^>]*>)<v>130</v>'
        return re.sub(pattern, rb"\1<f>100+30</f><v>130</v>", data)

    forged = crafted.repack(form, tmp_path / "formula.xlsx", edit=edit)
    reading = read_form(forged, workspace_plan(ws), key=ws.signing_key(), careful=careful)
    assert reading.signature_status == "invalid"
    assert any(p.code == Code.SIGNATURE_INVALID for p in reading.problems)
    untouched = read_form(form, workspace_plan(ws), key=ws.signing_key(), careful=careful)
    assert untouched.signature_status == "valid"


def test_a_filler_name_beyond_excels_limit_is_a_located_error(ws, tmp_path):
    form = fill(ws, "七都镇", tmp_path / "f.xlsx", good_values(ws, "七都镇"), signer=dict(SIGNER, 填报人="张" * 50))
    # openpyxl itself cuts text at Excel's limit: the absurd name is written into the XML directly
    crafted.repack(form, ws.inbox / "七都镇.xlsx",
                   edit=lambda name, data: data.replace(("张" * 50).encode(), ("张" * 40000).encode())
                   .replace(b"&#24352;" * 50, b"&#24352;" * 40000))  # openpyxl over lxml writes references
    v = by_file(collect(ws))["七都镇.xlsx"]
    assert v.status == "rejected"
    too_long = [p for p in v.errors if p.code == Code.SIGN_TOO_LONG]
    assert len(too_long) == 1 and too_long[0].sheet == "指标填报" and too_long[0].cell
    assert "40000" in too_long[0].message and "填报人" in too_long[0].message
