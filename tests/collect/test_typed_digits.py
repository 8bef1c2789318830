"""Digits that are not digits, and a cell that holds two values, on real filled forms.

Only full-width typing is folded (１２．５ is 12.5); 10³, ①12, 12⒈ and 1e3 typed as text are
returned with the cell named, and a sheet that writes one cell twice is refused whichever
reader reads it.
"""

from __future__ import annotations

import re

import pytest

from wjexcel.collect.collector import collect
from wjexcel.collect.formread import read_form
from wjexcel.plan.workbook import workspace_plan
from wjexcel.problems import Code
from wjexcel.errors import FormError
from tests.collect import crafted
from tests.collect.test_collector import by_file, fill, good_values, ws  # noqa: F401


@pytest.mark.parametrize("typed", ["10³", "①12", "12⒈", "1e3", "١٢"])
def test_digits_that_are_not_keyboard_digits_are_returned_with_the_cell(ws, typed):
    values = dict(good_values(ws, "七都镇"), **{"7-1": typed})
    fill(ws, "七都镇", ws.inbox / "七都镇.xlsx", values)
    v = by_file(collect(ws))["七都镇.xlsx"]
    assert v.status == "rejected"
    bad = [p for p in v.errors if p.code == Code.VALUE_NOT_NUMBER]
    assert len(bad) == 1 and bad[0].sheet == "指标填报" and re.fullmatch(r"[A-Z]+\d+", bad[0].cell)
    assert typed in bad[0].message


def test_full_width_typing_is_read_as_meant(ws):
    values = dict(good_values(ws, "七都镇"), **{"7-1": "１２．５", "4-1": "１，２００"})
    fill(ws, "七都镇", ws.inbox / "七都镇.xlsx", values)
    v = by_file(collect(ws))["七都镇.xlsx"]
    assert v.status == "accepted", v.problems


@pytest.mark.parametrize("careful", [False, True])
def test_a_cell_written_twice_is_refused_by_either_reader(ws, tmp_path, careful):
    form = fill(ws, "七都镇", tmp_path / "filled.xlsx", dict(good_values(ws, "七都镇"), **{"7-1": 4321}))

    def edit(name, data):
        if not name.startswith("xl/worksheets/"):
            return data
        match = re.search(rb'<c r="([A-Z]+\d+)"[^>]*><v>4321</v></c>', data)
        if match is None:
            return data
        twice = match.group(0).replace(b"<v>4321</v>", b"<v>9</v>")
        return data.replace(match.group(0), match.group(0) + twice)

    twice = crafted.repack(form, tmp_path / "twice.xlsx", edit=edit)
    with pytest.raises(FormError) as caught:
        read_form(twice, workspace_plan(ws), key=ws.signing_key(), careful=careful)
    assert caught.value.code == Code.FILE_CORRUPT
    assert "出现了两次" in str(caught.value) and re.search(r"[A-Z]+\d+ 单元格", str(caught.value))
