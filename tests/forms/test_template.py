"""A clerk restyles the template in Excel; every form follows it."""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest
from openpyxl import load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.colors import Color

from wjexcel.errors import WjexcelError
from wjexcel.forms import layout as L
from wjexcel.forms.build import build_form
from wjexcel.plan.builtin import builtin_plan

KEY = bytes(32)

# Excel 2007's "Office" theme palette as Excel shows it: accent 1 and its lighter/darker shades.
ACCENT1 = {0.0: "4F81BD", 0.8: "DBE5F1", 0.6: "B8CCE4", 0.4: "95B3D7", -0.25: "366092", -0.5: "244062"}


def _close(rgb: str, expected: str) -> bool:
    """Within 2 of Excel's value in each channel (Excel rounds inside its own colour model)."""
    return all(abs(int(rgb[i:i + 2], 16) - int(expected[i:i + 2], 16)) <= 2 for i in (0, 2, 4))


def _restyled(tmp_path, tint: float):
    path = tmp_path / "模板.xlsx"
    shutil.copy(L.template_path(), path)
    wb = load_workbook(path)
    main = wb[L.MAIN_SHEET]
    for col in range(1, L.LAST_COL + 1):  # the header row and its style cell: accent 1, tinted
        main.cell(L.HEADER_ROW, col).fill = PatternFill("solid", fgColor=Color(theme=4, tint=tint))
    main["C5"].font = Font(name="楷体", size=14, bold=True, color="C00000")  # wjx_name
    main.column_dimensions["C"].width = 40
    main.oddFooter.center.text = "第 &P 页　{填报单位}　{计划简称}"
    wb.save(path)
    return path


@pytest.mark.parametrize("tint", [0.0, 0.6, -0.25])
def test_a_restyled_template_is_followed(tmp_path, tint):
    plan = builtin_plan()
    form = tmp_path / "form.xlsx"
    build_form(plan, plan.reporter("七都镇"), "2022Q3", KEY, form, generated_at=datetime(2022, 10, 1),
               form_id="2022Q3-T", template=_restyled(tmp_path, tint))
    wb = load_workbook(form)
    ws = wb[L.MAIN_SHEET]
    header = ws.cell(L.HEADER_ROW, L.COL_NAME)
    assert header.value == "指标名称"
    assert _close(header.fill.fgColor.rgb[-6:], ACCENT1[tint]), header.fill.fgColor.rgb
    name = ws.cell(L.FIRST_DATA_ROW, L.COL_NAME)
    assert (name.font.name, name.font.sz, name.font.b, name.font.color.rgb[-6:]) == ("楷体", 14, True, "C00000")
    assert name.protection.locked and not ws.cell(L.FIRST_DATA_ROW, L.COL_VALUE).protection.locked
    assert ws.column_dimensions["C"].width == 40
    assert ws.oddFooter.center.text == f"第 &P 页　七都镇　{plan.short_name}"


def test_a_template_without_a_style_name_is_refused_in_chinese(tmp_path):
    path = tmp_path / "模板.xlsx"
    shutil.copy(L.template_path(), path)
    wb = load_workbook(path)
    del wb.defined_names["wjx_input"]
    wb.save(path)
    plan = builtin_plan()
    with pytest.raises(WjexcelError, match="wjx_input"):
        build_form(plan, plan.reporter("七都镇"), "2022Q3", KEY, tmp_path / "f.xlsx",
                   generated_at=datetime(2022, 10, 1), form_id="2022Q3-T", template=path)
    assert not (tmp_path / "f.xlsx").exists()
