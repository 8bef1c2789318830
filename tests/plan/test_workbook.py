"""The plan workbook (计划.xlsx): export, edit it as a clerk would, load and check it."""

from __future__ import annotations

import time
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from wjexcel.errors import PlanError
from wjexcel.plan.model import DISTRICT, Reporter, Target
from wjexcel.plan.workbook import (
    INDICATORS,
    check_plan,
    check_plan_file,
    export_plan,
    load_plan,
    parse_target,
)
from wjexcel.plan.builtin import builtin_plan

SHEET_NAMES = ["说明", "设置", "任务", "指标", "填报单位", "分解目标", "产业链", "明细表", "明细列", "下拉选项"]
INDICATOR_HEADER = ["编码", "任务序号", "指标名称", "单位", "类型", "上级指标", "数据来源单位", "区镇填报",
                    "基期值", "2021年目标", "2022年目标", "2023年目标", "说明", "填报频次", "行动目标", "方向", "可为负数"]
# In the exported built-in plan, indicator n (in plan order) sits on row n + 2 of 指标:
# 3-1 row 4, 3-2 row 5, 3-3 row 6, 4-2 row 9, 5-1 row 10, 5-2 row 11, 7-1 row 16.


@pytest.fixture
def plan_file(tmp_path) -> Path:
    return export_plan(builtin_plan(), tmp_path / "计划.xlsx")


def edit(path: Path, change) -> None:
    """Open with openpyxl (not read-only), let ``change(wb)`` edit, save in place."""
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)


def row_of(ws, key: str, column: int = 1) -> int:
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, column).value == key:
            return row
    raise AssertionError(f"{key} not found in {ws.title}")


def located(problems) -> dict[tuple[str, str], str]:
    return {(p.sheet, p.cell): p.message for p in problems.errors}


# --- export -------------------------------------------------------------------------------


def test_round_trip_equals_builtin(plan_file):
    loaded = load_plan(plan_file)
    assert loaded == builtin_plan()
    assert loaded.to_json() == builtin_plan().to_json()
    assert check_plan_file(plan_file).items == []


def test_export_leaves_no_temporary_files(tmp_path):
    export_plan(builtin_plan(), tmp_path / "计划.xlsx")
    export_plan(builtin_plan(), tmp_path / "计划.xlsx")  # overwrite works too
    assert [p.name for p in tmp_path.iterdir()] == ["计划.xlsx"]


def test_export_read_back_with_openpyxl(plan_file):
    wb = openpyxl.load_workbook(plan_file)
    assert wb.sheetnames == SHEET_NAMES
    ws = wb["指标"]
    assert [c.value for c in ws[1]] == INDICATOR_HEADER
    assert [ws.cell(9, c).value for c in (1, 10, 11, 12)] == ["4-2", "超1200", 1400, 1600]
    assert [ws.cell(12, c).value for c in (1, 10, 11, 12)] == ["5-3", "超75", 88, 100]
    assert [ws.cell(6, c).value for c in (1, 5, 10, 11, 12)] == ["3-3", "计划总量", None, None, 3]
    assert ws.cell(5, 6).value == "3-1"  # 3-2 is a sub-item of 3-1
    settings = {r[0].value: r[1].value for r in wb["设置"].iter_rows(min_row=2)}
    assert settings["起始年度"] == 2021 and settings["结束年度"] == 2023
    assert settings["滞后容差"] == 0.1
    assert settings["计划编号"] == "wujiang-kjcx-2021-2023"
    assert settings["版本"] == "1"  # text, not the number 1
    splits = [[c.value for c in r] for r in wb["分解目标"].iter_rows(min_row=2)]
    assert ["1-1", "吴江开发区", "2021-2023", 10, None] in splits
    assert splits[-1][:4] == ["1-1", "四个镇", "2021-2023", 4]
    towns = {r[0].value: r for r in wb["填报单位"].iter_rows(min_row=2)}
    assert towns["七都镇"][1].value == "区镇"
    assert towns["七都镇"][3].value == "四个镇"
    assert towns["七都镇"][4].value == "光电通信、新材料、高端装备"
    assert towns["统计局"][1].value == "部门"
    columns = [[c.value for c in r] for r in wb["明细列"].iter_rows(min_row=2)]
    assert ["hitech", "所属产业链", "选项", "产业链", "否", 18] in columns


def test_export_read_back_with_calamine(plan_file):
    wb = CalamineWorkbook.from_path(str(plan_file))
    assert wb.sheet_names == SHEET_NAMES
    rows = wb.get_sheet_by_name("指标").to_python()
    assert rows[0] == INDICATOR_HEADER
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code["4-2"][9:12] == ["超1200", 1400, 1600]
    assert by_code["6-1"][9:12] == [3.6, 3.68, 3.75]
    assert by_code["3-2"][5] == "3-1"
    tasks = wb.get_sheet_by_name("任务").to_python()
    assert tasks[4][:4] == [4, "高新技术企业扩容计划", "区科技局、工信局、财政局、市场监管局、税务局", "是"]


def test_export_style_and_print_setup(plan_file):
    wb = openpyxl.load_workbook(plan_file)
    for name in SHEET_NAMES[1:]:
        ws = wb[name]
        head = ws["A1"]
        assert head.font.b and head.font.name == "宋体", name
        assert head.fill.fgColor.rgb.endswith("DDEBF7"), name
        assert ws.freeze_panes, name
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
        assert ws.print_title_rows == "$1:$1"
        assert ws.column_dimensions["A"].width >= 8
    ind = wb["指标"]
    assert ind["C2"].font.name == "仿宋"
    assert ind.freeze_panes == "D2"
    assert ind.column_dimensions["C"].width == 36
    assert wb["设置"]["B8"].number_format == "0%"  # 滞后容差
    assert "页" in ind.oddFooter.right.text


def test_dropdowns(plan_file):
    wb = openpyxl.load_workbook(plan_file)

    def validations(sheet):
        return {str(dv.sqref): dv for dv in wb[sheet].data_validations.dataValidation}

    ind = validations("指标")
    kind = ind["E2:E2000"]
    assert kind.type == "list" and kind.formula1 == '"增量,年度数,存量,比率,计划总量,节点任务"'
    assert ind["G2:G2000"].formula1 == "'填报单位'!$A$2:$A$2000"
    assert ind["B2:B2000"].formula1 == "'任务'!$A$2:$A$2000"
    assert ind["D2:D2000"].formula1 == "'下拉选项'!$A$2:$A$2000"
    assert ind["H2:H2000"].formula1 == '"是,否"'
    assert validations("填报单位")["B2:B2000"].formula1 == '"区镇,部门"'
    assert validations("明细列")["C2:C2000"].formula1 == '"文本,数值,整数,统一社会信用代码,选项,日期"'
    assert validations("明细表")["D2:D2000"].formula1 == '"行数,合计,不核对"'


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    plan = builtin_plan()
    plan.indicators[0].note = "=1+1 是备注"
    path = export_plan(plan, tmp_path / "计划.xlsx")
    cell = openpyxl.load_workbook(path)["指标"]["M2"]
    assert cell.data_type == "s" and cell.value == "=1+1 是备注"
    assert load_plan(path).indicators[0].note == "=1+1 是备注"


# --- editing as a clerk -----------------------------------------------------------------------


def test_editing_a_target_changes_the_plan(plan_file):
    edit(plan_file, lambda wb: wb["指标"].cell(8, 11, 1550))  # 4-1, 2022年目标
    plan = load_plan(plan_file)
    assert plan.indicator("4-1").targets[2022] == Target(1550)
    assert plan.indicator("4-1").targets[2021] == Target(1300)


def test_strict_target_keeps_its_operator(plan_file):
    plan = load_plan(plan_file)
    assert plan.indicator("4-2").targets[2021] == Target(1200, ">")
    assert plan.indicator("5-3").targets[2021] == Target(75, ">")
    assert plan.indicator("4-2").targets[2022] == Target(1400, ">=")

    edit(plan_file, lambda wb: wb["指标"].cell(10, 10, "＞１３５ "))  # 5-1 2021, full-width
    assert load_plan(plan_file).indicator("5-1").targets[2021] == Target(135, ">")


@pytest.mark.parametrize("typed, expected", [
    ("超1200", Target(1200, ">")),
    (">1200", Target(1200, ">")),
    ("＞１２００", Target(1200, ">")),
    ("超过1200", Target(1200, ">")),
    ("1200", Target(1200)),
    (" 1200 ", Target(1200)),
    ("１２００", Target(1200)),
    ("≥1200", Target(1200)),
    (">=1200", Target(1200)),
    ("达1200", Target(1200)),
    ("1200以上", Target(1200)),
    ("1,200", Target(1200)),
    ("1200家", Target(1200)),
    (1200, Target(1200)),
])
def test_parse_target_spellings(typed, expected):
    assert parse_target(typed, "家") == (expected, None)


def test_parse_target_percent():
    assert parse_target("3.75%以上", "%") == (Target(3.75), None)
    assert parse_target("≥3.6", "%") == (Target(3.6), None)


@pytest.mark.parametrize("typed", ["一千二百", "待定", "12万", "基本消除", "显著提升"])
def test_parse_target_rejects(typed):
    target, message = parse_target(typed, "家")
    assert target is None and message.startswith(f"目标“{typed}”无法识别")
    assert "节点任务" in message  # says what to write instead


@pytest.mark.parametrize("typed, expected", [
    ("约1200", Target(1200, ">=", "约1200")),
    ("1200-1300", Target(1200, ">=", "1200-1300")),  # a range: its lower bound for 越大越好
])
def test_parse_target_loose_words_keep_their_label(typed, expected):
    assert parse_target(typed, "家") == (expected, None)


def test_percent_formatted_ratio_target_is_read_as_percent(plan_file):
    def change(wb):
        cell = wb["指标"].cell(15, 12)  # 6-1, 2023: the clerk typed 3.8% into a General cell
        cell.value, cell.number_format = 0.038, "0.00%"
    edit(plan_file, change)
    assert load_plan(plan_file).indicator("6-1").targets[2023] == Target(3.8)


def test_target_in_words_is_a_located_error(plan_file):
    edit(plan_file, lambda wb: wb["指标"].cell(9, 11, "一千四百"))  # 4-2, 2022年目标
    problems = check_plan_file(plan_file)
    assert located(problems) == {("指标", "K9"): located(problems)[("指标", "K9")]}
    assert located(problems)[("指标", "K9")].startswith("目标“一千四百”无法识别")
    assert problems.errors[0].located() == "计划.xlsx › 指标 › K9：" + problems.errors[0].message
    with pytest.raises(PlanError) as info:
        load_plan(plan_file)
    assert "\n" not in str(info.value)
    assert "指标 › K9" in str(info.value) and "1 处错误" in str(info.value)
    assert [(p.sheet, p.cell) for p in info.value.issues] == [("指标", "K9")]


def test_adding_a_town_row(plan_file):
    def change(wb):
        ws = wb["填报单位"]
        ws.append([])  # a blank row in between is skipped
        ws.append(["八坼街道 ", "区镇", "八坼", "四个镇", "高端装备、新材料"])
        splits = wb["分解目标"]
        splits.append(["1-1", "八坼街道", "2021-2023", 2, "新增"])
    edit(plan_file, change)
    plan = load_plan(plan_file)
    town = plan.reporter("八坼街道")
    assert town == Reporter("八坼街道", DISTRICT, "八坼", ("四个镇",), ("高端装备", "新材料"))
    assert len(plan.districts) == 9
    assert [r.name for r in plan.group_members("四个镇")][-1] == "八坼街道"
    assert plan.indicator("1-1").reporter_targets["八坼街道"] == {"2021-2023": 2}
    # 10+6+6+4+4+2 = 32 > 30: allowed, but the clerk is told
    warnings = check_plan_file(plan_file).warnings
    assert [(w.sheet, w.cell) for w in warnings] == [("分解目标", "D2")]
    assert warnings[0].message == "指标“1-1”的分解目标合计 32 大于计划期目标 30"


def test_names_match_despite_width_and_spaces(plan_file):
    edit(plan_file, lambda wb: wb["分解目标"].cell(3, 2, " 汾湖高新区(黎里镇) "))
    plan = load_plan(plan_file)
    assert plan.indicator("1-1").reporter_targets["汾湖高新区（黎里镇）"] == {"2021-2023": 6}


def test_a_new_plan_2024_2026(plan_file):
    def change(wb):
        settings = wb["设置"]
        settings["B2"] = "某某三年行动计划（2024-2026年）"
        settings["B4"] = "wujiang-kjcx-2024-2026"
        settings["B6"], settings["B7"] = 2024, 2026
        settings["B8"] = "15%"
        ind = wb["指标"]
        for col, year in zip((10, 11, 12), (2024, 2025, 2026)):
            ind.cell(1, col, f"{year}年目标")
        ind.cell(9, 10, 1700)  # 4-2 2024 is no longer a 超 target
        splits = wb["分解目标"]
        for row in range(2, splits.max_row + 1):
            splits.cell(row, 3, "2024—2026")
    edit(plan_file, change)
    plan = load_plan(plan_file)
    assert plan.years == [2024, 2025, 2026]
    assert plan.plan_id == "wujiang-kjcx-2024-2026"
    assert plan.tolerance == 0.15
    assert plan.indicator("4-2").targets == {2024: Target(1700), 2025: Target(1400), 2026: Target(1600)}
    assert plan.indicator("3-3").targets == {2026: Target(3)}
    assert plan.indicator("1-1").reporter_targets["吴江开发区"] == {"2024-2026": 10}
    assert plan.indicator("1-1").group_targets[0].span == "2024-2026"


def test_years_changed_but_headers_not(plan_file):
    def change(wb):
        wb["设置"]["B6"], wb["设置"]["B7"] = 2024, 2026
    edit(plan_file, change)
    found = located(check_plan_file(plan_file))
    assert "缺少列：“2024年目标”、“2025年目标”、“2026年目标”" in found[("指标", "A1")]
    assert "“2021年目标”、“2022年目标”、“2023年目标”不在计划年度" in found[("指标", "J1")]
    assert "期间“2021-2023”" in found[("分解目标", "C2")]


@pytest.mark.parametrize("typed, number_format, expected", [
    (0.15, "0%", 0.15),  # what Excel stores when 15 or 15% is typed into the 0% cell
    ("15%", "@", 0.15),
    (15, "General", 0.15),
    (0.15, "General", 0.15),
    ("0.5%", "@", 0.005),
])
def test_tolerance_spellings(plan_file, typed, number_format, expected):
    def change(wb):
        cell = wb["设置"].cell(8, 2, typed)
        cell.number_format = number_format
    edit(plan_file, change)
    assert load_plan(plan_file).tolerance == pytest.approx(expected)


# --- problems, all at once -----------------------------------------------------------------


def test_four_problems_reported_at_once(plan_file):
    def change(wb):
        ind = wb["指标"]
        ind["A11"] = "5-1"  # 5-2 renamed to a code that exists: duplicate
        ind["G10"] = "科技局"  # 5-1's source unit: not a department of 填报单位
        ind["K5"] = 200  # 3-2 (其中) 2022: larger than 3-1's 130
        ind["L16"] = "200以内"  # 7-1 2023: a cap's wording in a 越大越好 row
    edit(plan_file, change)
    problems = check_plan_file(plan_file)
    found = located(problems)
    assert set(found) == {("指标", "A11"), ("指标", "G10"), ("指标", "K5"), ("指标", "L16")}
    assert found[("指标", "A11")] == "指标编码“5-1”重复（与第 10 行重复）"
    assert found[("指标", "G10")] == "数据来源单位“科技局”不在“填报单位”表的部门中"
    assert found[("指标", "K5")].startswith("2022年目标 200 大于上级指标“3-1”的目标 130")
    assert found[("指标", "L16")].startswith("目标“200以内”是越小越好的写法，但这一行的方向是越大越好")
    with pytest.raises(PlanError) as info:
        load_plan(plan_file)
    assert "4 处错误" in str(info.value) and len(info.value.issues) == 4


def test_more_problems_each_located(plan_file):
    def change(wb):
        wb["设置"]["B8"] = "150%"
        wb["任务"]["C3"] = "区科技局、人才局"  # task 1: unknown unit
        wb["任务"]["A9"] = 1  # task 7 renumbered: duplicate of task 1
        ind = wb["指标"]
        ind["B2"] = 9  # 1-1: unknown task
        ind["E3"] = "累计"  # 2-1: unknown type
        ind["F7"] = "3-9"  # 3-4: unknown parent
        ind["G15"] = "吴江开发区"  # 6-1: source is a town
        ind["H4"] = "可能"  # 3-1: not 是/否
        rep = wb["填报单位"]
        rep["E6"] = "光电通信、人工智能"  # 七都镇: unknown chain
        rep["A14"] = "七都镇"  # 工信局 renamed to an existing name
        splits = wb["分解目标"]
        splits["B2"] = "苏州工业园区"  # unknown reporter
        splits["A3"] = "9-9"  # unknown indicator
        splits["D4"] = "六"  # not a number
        lists = wb["明细表"]
        lists["C2"] = "4-9"  # hitech: unknown indicator
        lists["E4"] = "面积"  # carrier: 合计列 not among its columns
        cols = wb["明细列"]
        cols["C2"] = "文字"  # unknown column type
        cols["A3"] = "nolist"  # unknown list code
    edit(plan_file, change)
    found = located(check_plan_file(plan_file))
    expected = {
        ("设置", "B8"): "滞后容差“150%”应在 0 到 100% 之间",
        ("任务", "C3"): "责任单位“人才局”不在“填报单位”表的部门中",
        ("任务", "A9"): "任务序号“1”重复（与第 2 行重复）",
        ("指标", "B2"): "任务序号“9”在“任务”表中不存在",
        ("指标", "E3"): "类型“累计”应为增量、年度数、存量、比率、计划总量、节点任务之一",
        ("指标", "F7"): "上级指标“3-9”在“指标”表中不存在",
        ("指标", "G15"): "数据来源单位“吴江开发区”是区镇，不是部门",
        ("指标", "H4"): "“可能”应填“是”或“否”",
        ("填报单位", "E6"): "重点产业链“人工智能”不在“产业链”表中",
        ("填报单位", "A14"): "填报单位“七都镇”重复（与第 6 行重复）",
        ("分解目标", "B2"): "“苏州工业园区”既不是“填报单位”表中的单位，也不是“所属组”中的组名",
        ("分解目标", "A3"): "指标编码“9-9”在“指标”表中不存在",
        ("明细表", "C2"): "关联指标“4-9”在“指标”表中不存在",
        ("明细表", "E4"): "合计列“面积”不是名单“科创载体项目”的列",
        ("明细列", "C2"): "类型“文字”应为文本、数值、整数、统一社会信用代码、选项、日期之一",
        ("明细列", "A3"): "名单编码“nolist”在“明细表”中不存在",
    }
    for where, message in expected.items():
        assert found.get(where) == message, where
    assert found[("分解目标", "D4")].startswith("“六”是汉字数字")
    # 工信局 no longer exists, so every reference to it is reported where it is made
    assert found[("指标", "G10")] == "数据来源单位“工信局”不在“填报单位”表的部门中"


def test_settings_years_problems(plan_file):
    def change(wb):
        wb["设置"]["B6"], wb["设置"]["B7"] = "二〇二四", 2023
    edit(plan_file, change)
    found = located(check_plan_file(plan_file))
    assert found[("设置", "B6")].startswith("“二〇二四”是汉字数字")


def test_start_after_end(plan_file):
    def change(wb):
        wb["设置"]["B6"], wb["设置"]["B7"] = 2024, 2023
    edit(plan_file, change)
    found = located(check_plan_file(plan_file))
    assert found[("设置", "B7")] == "起始年度 2024 晚于结束年度 2023"


def test_missing_sheet_and_missing_column(plan_file, tmp_path):
    other = tmp_path / "缺表.xlsx"
    other.write_bytes(plan_file.read_bytes())
    edit(other, lambda wb: wb.remove(wb["产业链"]))
    assert [p.message for p in check_plan_file(other)] == ["缺少工作表：“产业链”（表名不要改动）"]

    edit(plan_file, lambda wb: wb["指标"].cell(1, 4, "计量单位"))
    found = located(check_plan_file(plan_file))
    assert found == {("指标", "A1"): "“指标”表缺少列：“单位”"}


def test_duplicate_header(plan_file):
    edit(plan_file, lambda wb: wb["指标"].cell(1, 14, "2022年目标"))
    assert located(check_plan_file(plan_file)) == {("指标", "N1"): "表头“2022年目标”出现了两次，请删去一列"}


def test_columns_may_be_reordered(plan_file):
    def change(wb):
        ws = wb["填报单位"]
        for row in ws.iter_rows():
            row[0].value, row[2].value = row[2].value, row[0].value  # swap 名称 and 简称
    edit(plan_file, change)
    assert load_plan(plan_file) == builtin_plan()


def test_not_a_workbook(tmp_path):
    path = tmp_path / "计划.xlsx"
    path.write_text("编码,指标名称\n1-1,载体\n", encoding="utf-8")
    with pytest.raises(PlanError) as info:
        load_plan(path)
    assert "文本文件" in str(info.value)


def test_check_plan_in_memory():
    assert check_plan(builtin_plan()).items == []
    plan = builtin_plan()
    plan.indicators[3].targets[2023] = Target(999)  # 3-2 above 3-1's 130
    problems = check_plan(plan)
    assert [(p.sheet, p.message[:16]) for p in problems] == [(INDICATORS, "2023年目标 999 大于上级")]


# --- size and other readers ----------------------------------------------------------------


def test_five_hundred_reporters_load(tmp_path):
    plan = builtin_plan()
    plan.reporters += [Reporter(f"测试镇{i:03d}", DISTRICT, f"测{i:03d}", ("新片区",), ("新材料",))
                       for i in range(500)]
    template = plan.indicators[6]  # 4-1, a stock indicator
    for i in range(300):
        ind = type(template)(**{**template.__dict__, "code": f"9-{i}", "targets": dict(template.targets),
                                "reporter_targets": {}, "group_targets": []})
        plan.indicators.append(ind)
    path = export_plan(plan, tmp_path / "大计划.xlsx")
    start = time.perf_counter()
    loaded = load_plan(path)
    elapsed = time.perf_counter() - start
    print(f"\nloaded {len(loaded.reporters)} reporters, {len(loaded.indicators)} indicators "
          f"in {elapsed:.2f} s")
    assert loaded == plan


@pytest.mark.soffice
def test_resaved_by_libreoffice_loads(plan_file, soffice_convert, tmp_path):
    out = tmp_path / "lo"
    out.mkdir()
    (resaved,) = soffice_convert([plan_file], "xlsx:Calc MS Excel 2007 XML", out)
    assert load_plan(resaved) == builtin_plan()


# --- kinds, frequencies and headline goals ------------------------------------------------------


def test_frequency_and_headline_columns_are_read_and_checked(plan_file):
    def change(wb):
        ws = wb["指标"]
        header = {c.value: c.column for c in ws[1]}
        ws.cell(row_of(ws, "5-1"), header["填报频次"], "季报")
        ws.cell(row_of(ws, "5-1"), header["行动目标"], "是")
        ws.cell(row_of(ws, "7-2"), header["类型"], "年度数")
        ws.cell(row_of(ws, "7-1"), header["填报频次"], "半年报")

    edit(plan_file, change)
    problems = check_plan_file(plan_file)
    [bad] = [p for p in problems.errors]
    assert bad.sheet == "指标" and bad.message == "填报频次“半年报”应为月报、季报、年报之一，或留空（每期都填）"
    assert bad.code == "plan.cell"

    def fix(wb):
        ws = wb["指标"]
        header = {c.value: c.column for c in ws[1]}
        ws.cell(row_of(ws, "7-1"), header["填报频次"]).value = None

    edit(plan_file, fix)
    plan = load_plan(plan_file)
    centres = plan.indicator("5-1")
    assert centres.frequency == "quarter" and centres.is_headline
    assert plan.indicator("7-2").kind == "annual" and plan.indicator("7-1").frequency is None
    shown = plan.to_json()["indicators"]
    assert {i["code"]: i["frequency"] for i in shown}["5-1"] == "quarter"
    assert {i["code"]: i["kind"] for i in shown}["7-2"] == "annual"


def test_a_plan_workbook_without_the_newer_columns_still_loads(plan_file):
    """Workbooks written by wjexcel 0.1 have no 填报频次, 行动目标 or 填报表名称: the defaults apply."""
    def strip(wb):
        ws = wb["指标"]
        header = {c.value: c.column for c in ws[1]}
        for name in ("行动目标", "填报频次"):
            ws.delete_cols(header[name])
        settings = wb["设置"]
        settings.delete_rows(row_of(settings, "填报表名称"))

    edit(plan_file, strip)
    problems = check_plan_file(plan_file)
    assert not problems.errors, [p.located() for p in problems.errors]
    plan = load_plan(plan_file)
    assert all(i.frequency is None for i in plan.indicators)
    assert {i.code for i in plan.indicators if i.is_headline} == {i.code for i in plan.indicators if not i.parent}
    assert plan.title_of_form == "指标填报表"
