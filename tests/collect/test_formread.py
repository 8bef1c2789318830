"""Reading returned forms filled the way people fill them, and re-saved by LibreOffice."""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from wjexcel.forms import layout as L
from wjexcel.collect.detailread import parse_date
from wjexcel.collect.formread import read_form
from wjexcel.records import Signature
from wjexcel.forms.build import build_form
from wjexcel.uscc import make_uscc
from wjexcel.plan.builtin import builtin_plan

KEY = bytes(range(32, 64))
PLAN = builtin_plan()


@pytest.fixture(scope="module")
def blank(tmp_path_factory):
    """A fresh 七都镇 2022Q4 form and its layout."""
    path = tmp_path_factory.mktemp("blank") / "2022Q4_七都镇_科技创新指标填报表.xlsx"
    build_form(PLAN, PLAN.reporter("七都镇"), "2022Q4", KEY, path,
               generated_at=datetime(2022, 10, 1, 9, 0), form_id="2022Q4-READ")
    wb = load_workbook(path)
    meta = {r[0].value: r[1].value for r in wb[L.META_SHEET].iter_rows(max_col=2)}
    return path, json.loads(meta["layout"])


def _fill(src, dest, values=None, *, details=None, sign=True, edit=None):
    """Fill like a person: values by indicator code, 明细 rows by list code."""
    path, layout = src
    shutil.copy(path, dest)
    wb = load_workbook(dest)
    ws = wb[L.MAIN_SHEET]
    rows = layout["main"]["rows"]
    for code, value in (values or {}).items():
        ws.cell(rows[code], L.COL_VALUE).value = value
    ws.cell(rows["1-1"], L.COL_REMARK).value = "=HYPERLINK(\"http://x\",\"点击\")"
    if sign:
        cells = layout["signature"]
        for key, value in {"unit": "七都镇人民政府", "filled_by": "张三", "phone": "0512-63000000",
                           "filled_on": "2022年10月8日", "reviewer": "李四"}.items():
            ws[cells[key]] = value
    for code, table in (details or {}).items():
        info = layout["details"][code]
        sheet = wb[info["sheet"]]
        for i, entry in enumerate(table):
            for name, value in entry.items():
                sheet.cell(info["first_row"] + i, info["first_col"] + info["columns"].index(name), value)
    if edit:
        edit(wb)
    wb.save(dest)
    return dest


GOOD = {"1-1": 1.5, "2-1": "1,200", "3-1": "１２", "3-2": 3, "3-3": 0, "4-1": 40, "4-2": 30,
        "5-1": 2, "5-2": 1, "5-3": 1, "5-4": 1, "5-5": 1, "6-1": "3.6%", "7-1": 5, "7-2": 6}


def _talent(n):
    return [{"项目名称": f"项目{i}", "负责人": f"人{i}", "层级": "区级", "产业链": "新材料"} for i in range(n)]


def test_properly_filled_form_passes(blank, tmp_path):
    path = _fill(blank, tmp_path / "ok.xlsx", GOOD,
                 details={"talent": _talent(12), "carrier": [{"载体名称": "飞地", "新建/改建": "新建", "面积（万平方米）": 1.5}],
                          "hitech": [{"企业名称": "甲公司", "统一社会信用代码": make_uscc(1)}]})
    reading = read_form(path, PLAN, key=KEY)
    assert reading.signature_status is Signature.VALID
    assert reading.identity.reporter == "七都镇" and reading.identity.period == "2022Q4"
    assert reading.identity.form_id == "2022Q4-READ"
    assert not reading.problems.errors, [p.located() for p in reading.problems]
    values = {v.indicator: v for v in reading.values}
    assert values["2-1"].value == 1200 and values["2-1"].raw == "1,200"
    assert values["3-1"].value == 12
    assert values["6-1"].value == 3.6 and values["6-1"].raw == "3.6%"
    assert values["1-1"].remark.startswith("=HYPERLINK") and values["1-1"].cell.startswith("F")
    assert reading.signature_block.filled_on == date(2022, 10, 8)
    assert reading.signature_block.filled_by == "张三"
    assert len([d for d in reading.details if d.list_code == "talent"]) == 12
    assert read_form(path, PLAN, key=None).signature_status is Signature.UNCHECKED


def _scribble(wb):
    wb[L.MAIN_SHEET].cell(40, 12, "备注写在外面")
    wb.create_sheet("我的草稿")["A1"] = 1


def test_bad_entries_are_located(blank, tmp_path):
    values = dict(GOOD, **{"3-1": "约12", "4-1": None, "5-1": -1, "3-2": 20, "4-2": "12万",
                           "7-1": datetime(2022, 3, 5), "7-2": "=1+1"})
    rows = blank[1]["main"]["rows"]
    path = _fill(blank, tmp_path / "bad.xlsx", values, details={
        "talent": _talent(2),
        "hitech": [{"企业名称": "甲", "统一社会信用代码": make_uscc(2)},
                   {"企业名称": "乙", "统一社会信用代码": make_uscc(2)},
                   {"企业名称": "丙", "统一社会信用代码": "91320509MA1234567X"},
                   {"统一社会信用代码": make_uscc(3)}]},
        edit=_scribble)
    reading = read_form(path, PLAN, key=KEY)
    assert reading.signature_status is Signature.VALID
    errors = {(p.sheet, p.cell): p.message for p in reading.problems.errors}
    warnings = {(p.sheet, p.cell): p.message for p in reading.problems.warnings}
    cell = lambda code: (L.MAIN_SHEET, f"F{rows[code]}")  # noqa: E731
    assert "约12" in errors[cell("3-1")] and "准确数字" in errors[cell("3-1")]
    assert cell("4-1") in warnings and "未填写" in warnings[cell("4-1")]
    assert "负数" in errors[cell("5-1")]
    assert "万" in errors[cell("4-2")]
    assert "日期" in errors[cell("7-1")]
    assert "公式" in errors[cell("7-2")]
    hitech = blank[1]["details"]["hitech"]
    uscc_col = "ABCDEFGH"[hitech["first_col"] + hitech["columns"].index("统一社会信用代码") - 1]
    name_col = "ABCDEFGH"[hitech["first_col"] - 1]
    assert "重复" in errors[("新认定高新技术企业名单", f"{uscc_col}{hitech['first_row'] + 1}")]
    assert "校验位" in errors[("新认定高新技术企业名单", f"{uscc_col}{hitech['first_row'] + 2}")]
    assert "必填" in errors[("新认定高新技术企业名单", f"{name_col}{hitech['first_row'] + 3}")]
    assert (L.MAIN_SHEET, "L40") in warnings
    assert any("我的草稿" in m for m in warnings.values())
    for p in reading.problems:
        assert p.sheet and any("\u4e00" <= ch <= "\u9fff" for ch in p.message)


def test_sub_item_count_and_plausibility(blank, tmp_path):
    values = dict(GOOD, **{"3-1": 5, "3-2": 9, "4-1": 4000})
    path = _fill(blank, tmp_path / "sub.xlsx", values, details={"talent": _talent(3)})
    reading = read_form(path, PLAN, key=KEY)
    rows = blank[1]["main"]["rows"]
    errors = {p.cell: p.message for p in reading.problems.errors}
    assert "其中项不能大于总数" in errors[f"F{rows['3-2']}"]
    messages = [p.message for p in reading.problems.warnings]
    assert any("明细共 3 行" in m for m in messages)
    assert any("10 倍" in m for m in messages)


def test_percent_typed_into_a_percent_indicator(blank, tmp_path):
    """Excel and LibreOffice store a typed 3.7% as 0.037 with a percent format; 6-1 is in points."""
    rows = blank[1]["main"]["rows"]
    ref = f"F{rows['6-1']}"

    def read(name, value, number_format="General"):
        def edit(wb):
            wb[L.MAIN_SHEET][ref].number_format = number_format
        return read_form(_fill(blank, tmp_path / name, dict(GOOD, **{"6-1": value}), edit=edit), PLAN, key=KEY)

    typed = read("percent.xlsx", 0.037, "0.0%")
    record = typed.value("6-1")
    assert record.value == 3.7
    assert record.raw.startswith("0.037") and "百分比格式" in record.raw and "3.7%" in record.raw
    assert not [p for p in typed.problems if p.cell == ref]
    for name, number_format in (("fraction.xlsx", "General"), ("literal.xlsx", '0.000"%"')):
        reading = read(name, 0.037, number_format)  # a literal "%" does not scale the number
        assert reading.value("6-1").value == 0.037
        [warning] = [p for p in reading.problems if p.cell == ref]
        assert not warning.is_error and warning.sheet == L.MAIN_SHEET
        assert "填报 0.037" in warning.message and "3.7%" in warning.message and "小数" in warning.message
    assert not [p for p in read("points.xlsx", 3.7).problems if p.cell == ref]


def test_formula_in_a_remark_is_taken_as_typed(blank, tmp_path):
    rows = blank[1]["main"]["rows"]
    reading = read_form(_fill(blank, tmp_path / "remark.xlsx", GOOD), PLAN, key=KEY)
    assert reading.value("1-1").remark == '=HYPERLINK("http://x","点击")'
    [warning] = [p for p in reading.problems if p.cell == f"H{rows['1-1']}"]
    assert not warning.is_error and "公式" in warning.message and "=HYPERLINK" in warning.message


def _replace_in_zip(path, old: str, new: str) -> None:
    """Edit a saved xlsx's XML directly: openpyxl itself cuts strings at 32,767 characters."""
    with zipfile.ZipFile(path) as src:
        parts = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dest:
        for info, data in parts:
            dest.writestr(info, data.replace(old.encode(), new.encode()))


def test_a_remark_longer_than_excel_allows_is_cut_with_a_warning(blank, tmp_path):
    rows = blank[1]["main"]["rows"]
    long = "".join(chr(0x4E00 + i % 5000) for i in range(40000))

    def edit(wb):
        wb[L.MAIN_SHEET].cell(rows["2-1"], L.COL_REMARK).value = "LONG_REMARK_HERE"

    path = _fill(blank, tmp_path / "long.xlsx", GOOD, edit=edit)
    _replace_in_zip(path, "LONG_REMARK_HERE", long)
    reading = read_form(path, PLAN, key=KEY)
    assert reading.value("2-1").remark == long[:32767]
    [warning] = [p for p in reading.problems if p.cell == f"H{rows['2-1']}"]
    assert not warning.is_error and "40000" in warning.message and "32767" in warning.message


def test_inserted_row_is_relocated_and_tampering_caught(blank, tmp_path):
    rows = blank[1]["main"]["rows"]

    def insert(wb):
        wb[L.MAIN_SHEET].insert_rows(rows["2-1"])

    path = _fill(blank, tmp_path / "ins.xlsx", GOOD, edit=insert)
    reading = read_form(path, PLAN, key=KEY)
    assert reading.signature_status is Signature.INVALID
    moved = [p for p in reading.problems.warnings if "已按指标名称定位" in p.message]
    assert moved and moved[0].cell == f"C{rows['2-1'] + 1}"
    assert {v.indicator: v.value for v in reading.values}["2-1"] == 1200


def test_not_a_form_and_other_plan(blank, tmp_path):
    other = tmp_path / "other.xlsx"
    wb = Workbook()
    wb.active["A1"] = "随便一张表"
    wb.save(other)
    reading = read_form(other, PLAN, key=KEY)
    assert reading.identity is None and reading.signature_status is Signature.UNSIGNED and reading.problems.errors

    plan = builtin_plan()
    plan.plan_id, plan.version = "another-plan", "1"
    reading = read_form(blank[0], plan, key=KEY)
    assert any("另一个计划" in p.message for p in reading.problems.errors)
    plan = builtin_plan()
    plan.version = "2"
    reading = read_form(blank[0], plan, key=KEY)
    assert any("第 1 版" in p.message for p in reading.problems.warnings)


def test_lenient_dates():
    assert parse_date("2022.3.5") == date(2022, 3, 5)
    assert parse_date("2022年3月5日") == date(2022, 3, 5)
    assert parse_date("２０２２-03-05") == date(2022, 3, 5)
    assert parse_date(44625) == date(2022, 3, 5)
    assert parse_date(datetime(2022, 3, 5, 10)) == date(2022, 3, 5)
    assert parse_date("三月五日") is None


@pytest.mark.soffice
def test_libreoffice_resaves_keep_the_signature(blank, soffice_convert, tmp_path):
    rows = blank[1]["main"]["rows"]
    filled = _fill(blank, tmp_path / "filled.xlsx", dict(GOOD, **{"3-1": "约12"}), details={"talent": _talent(12)})

    def relabel(wb):
        for row in wb[L.META_SHEET].iter_rows(max_col=2):
            if row[0].value == "reporter":
                row[1].value = "桃源镇"

    def retarget(wb):
        wb[L.MAIN_SHEET].cell(rows["1-1"], L.COL_TARGET).value = "三年目标1"

    relabelled = _fill(blank, tmp_path / "relabelled.xlsx", GOOD, edit=relabel)
    retargeted = _fill(blank, tmp_path / "retargeted.xlsx", GOOD, edit=retarget)
    sources = [filled, relabelled, retargeted]
    as_xlsx = soffice_convert(sources, "xlsx", tmp_path / "lo_xlsx")
    as_xls = soffice_convert(sources, "xls", tmp_path / "lo_xls")
    for ok, bad1, bad2 in (as_xlsx, as_xls):
        reading = read_form(ok, PLAN, key=KEY)
        assert reading.signature_status is Signature.VALID, ok
        values = {v.indicator: v for v in reading.values}
        assert values["2-1"].value == 1200 and values["6-1"].value == 3.6 and values["3-1"].value is None
        err = [p for p in reading.problems.errors if p.cell == f"F{rows['3-1']}"]
        assert err and "约12" in err[0].message
        assert reading.signature_block.filled_on == date(2022, 10, 8)
        assert len([d for d in reading.details if d.list_code == "talent"]) == 12
        assert read_form(bad1, PLAN, key=KEY).signature_status is Signature.INVALID
        assert read_form(bad2, PLAN, key=KEY).signature_status is Signature.INVALID
    # an xls saved under an .xlsx name is read by content
    renamed = tmp_path / "renamed.xlsx"
    shutil.copy(as_xls[0], renamed)
    assert read_form(renamed, PLAN, key=KEY).signature_status is Signature.VALID


# --- a layout is never trusted beyond a form's reach ------------------------------------------

def _edit_meta(wb, key, change):
    ws = wb[L.META_SHEET]
    for row in ws.iter_rows(max_col=2):
        if row[0].value == key:
            row[1].value = change(row[1].value)
            return
    raise KeyError(key)


@pytest.mark.parametrize("forge", [
    lambda d: d["main"].update(last_row=3_000_000),
    lambda d: d["details"]["talent"].update(last_row=3_000_000),
    lambda d: d["main"]["rows"].update({"2-1": 10**9}),
    lambda d: d["signature"].update(unit="XFD1048576"),
    lambda d: d.update(main="not a mapping"),
    lambda d: d["main"].pop("value_col"),
])
def test_a_forged_layout_is_a_damaged_form_not_a_long_read(blank, tmp_path, forge):
    """A form whose metadata points far outside any form (its signature then fails too) is
    returned as damaged at once: nothing is read beyond the form's own reach."""
    def edit(wb):
        def change(text):
            data = json.loads(text)
            forge(data)
            return json.dumps(data, ensure_ascii=False)
        _edit_meta(wb, "layout", change)

    path = _fill(blank, tmp_path / "forged.xlsx", GOOD, edit=edit)
    reading = read_form(path, PLAN, key=KEY)
    codes = [p.code for p in reading.problems.errors]
    assert codes == ["form.signature_invalid", "form.layout_damaged"]
    assert reading.values == [] and reading.details == []


def test_deeply_nested_metadata_is_a_damaged_form(blank, tmp_path):
    path = _fill(blank, tmp_path / "nested.xlsx", GOOD,
                 edit=lambda wb: _edit_meta(wb, "layout", lambda _: "[" * 100_000 + "]" * 100_000))
    reading = read_form(path, PLAN, key=None)
    assert [p.code for p in reading.problems.errors] == ["form.layout_damaged"]


def test_a_value_out_of_any_range_is_returned(blank, tmp_path):
    huge = "9" * 400
    path = _fill(blank, tmp_path / "huge.xlsx", dict(GOOD, **{"2-1": huge, "4-2": 1.7976931348623157e308}))
    reading = read_form(path, PLAN, key=KEY)
    bad = {p.cell: p.code for p in reading.problems.errors}
    rows = blank[1]["main"]["rows"]
    col = chr(ord("A") + L.COL_VALUE - 1)
    assert bad[f"{col}{rows['2-1']}"] in ("value.out_of_range", "value.not_number")
    assert bad[f"{col}{rows['4-2']}"] in ("value.out_of_range", "value.not_number")
    assert reading.value("2-1").value is None and reading.value("4-2").value is None


def test_every_problem_carries_a_code(blank, tmp_path):
    path = _fill(blank, tmp_path / "messy.xlsx", dict(GOOD, **{"7-1": "约12", "7-2": -1, "6-1": 120}), sign=False)
    reading = read_form(path, PLAN, key=KEY)
    assert reading.problems and all(p.code for p in reading.problems)
