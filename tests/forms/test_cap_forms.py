"""Forms of a plan with caps, a 可为负数 增速, a relative target and 节点任务 (tests/forms/capplan.py),
typed into 计划.xlsx, generated, and read back as a person sees them (and as LibreOffice prints them)."""

from __future__ import annotations

import subprocess

import pytest
from openpyxl import load_workbook

from wjexcel.cycle import init_workspace
from wjexcel.demo.fill import FORM_SHEET, fill_form, find_inputs
from wjexcel.forms import layout as L
from wjexcel.forms.outbox import generate_forms
from wjexcel.periods import Period
from wjexcel.plan.model import MILESTONE_STATES
from wjexcel.plan.workbook import workspace_plan
from tests.forms.capplan import BUREAU, DRC, PERIOD, TOWNS, cap_plan

WUJIANG_WORDS = ("吴江", "研发", "四个镇", "产业链", "科技", "企业名单", "人才", "载体", "七都", "飞地")


@pytest.fixture(scope="module")
def forms(tmp_path_factory):
    ws = init_workspace(tmp_path_factory.mktemp("capforms") / "ws", cap_plan())  # through 计划.xlsx
    plan = workspace_plan(ws)
    return ws, plan, {f.reporter: f for f in generate_forms(ws, PERIOD).forms}


def _row(ws, name):
    return next(row for row in ws.iter_rows() if row[L.COL_NAME - 1].value == name)


def _validation(ws, ref):
    return next(dv for dv in ws.data_validations.dataValidation if ref in dv.sqref)


def test_each_reporter_gets_the_rows_the_plan_gives_it(forms):
    _, plan, made = forms
    assert made[DRC].indicators == ["2-1", "2-2", "2-3"]
    for town in TOWNS:  # a milestone with 区镇填报: every town is asked for its state, not the bureau
        assert made[town].indicators == ["1-2", "1-3"]
    assert made[BUREAU].indicators == ["1-1", "1-2"]
    # a 节点任务 is on the forms in every period, whatever the frequency of the others
    month = Period.parse("2023-05")
    assert all(plan.indicator(c).reported_in(month) for c in ("1-3", "2-3"))
    assert "2-3" in [i.code for i in plan.indicators_for(plan.reporter(DRC), month)]


def test_caps_say_so_and_their_rate_column_is_the_share_used(forms):
    _, plan, made = forms
    wb = load_workbook(made[BUREAU].path)
    ws = wb[FORM_SHEET]
    pm = _row(ws, "细颗粒物（PM2.5）年均浓度")
    assert pm[L.COL_TARGET - 1].value == "≤32（越小越好，控制目标）"
    assert pm[L.COL_RATE - 1].value == "—"  # a level that must fall: no share of anything used
    complaints = _row(ws, "环境信访投诉件数")
    assert complaints[L.COL_TARGET - 1].value == "≤120（越小越好，控制目标）"
    rate = complaints[L.COL_RATE - 1]
    value_ref = complaints[L.COL_VALUE - 1].coordinate
    assert rate.value == f'=IF(ISNUMBER({value_ref}),{value_ref}/120,"")'
    assert rate.number_format == '"已用"0%'
    overrun = [r.formula for k, rules in ws.conditional_formatting._cf_rules.items() if str(k.sqref) == rate.coordinate
               for r in rules]
    assert overrun == [[f"AND(ISNUMBER({rate.coordinate}),{rate.coordinate}>1)"]]  # over the cap: red
    # a town holds its own split cap; the 已用 share is against it
    town = load_workbook(made[TOWNS[0]].path)[FORM_SHEET]
    own = _row(town, "环境信访投诉件数")
    assert own[L.COL_TARGET - 1].value == "≤50（越小越好，控制目标）"
    assert own[L.COL_RATE - 1].value.endswith("/50,\"\")") and '"已用"' in own[L.COL_RATE - 1].number_format

    drc = load_workbook(made[DRC].path)[FORM_SHEET]
    energy = _row(drc, "能源消费总量")  # a relative target has no number on the form: its words
    assert energy[L.COL_TARGET - 1].value == "较上年下降5%（越小越好，控制目标）"
    assert energy[L.COL_RATE - 1].value == "—"
    growth = _row(drc, "规上工业增加值增速")  # 越大越好 rows are as before: the number, a 完成率
    assert growth[L.COL_TARGET - 1].value == 6.5
    assert "已用" not in growth[L.COL_RATE - 1].number_format


def test_negatives_validate_only_where_allowed(forms):
    _, plan, made = forms
    ws = load_workbook(made[DRC].path)[FORM_SHEET]
    inputs = find_inputs(ws, [plan.indicator(c).name for c in ("2-1", "2-2")])
    growth = _validation(ws, inputs["规上工业增加值增速"].value)
    assert growth.type == "decimal" and growth.operator in (None, "between")  # between is the default
    assert float(growth.formula1) < 0 < float(growth.formula2)
    energy = _validation(ws, inputs["能源消费总量"].value)
    assert energy.type == "decimal" and energy.operator == "greaterThanOrEqual" and energy.formula1 == "0"
    # the 填报检查 counts a negative as wrong except in the 可为负数 row
    check = ws.cell(L.CHECK_ROW, L.COL_NAME).value
    assert f'-COUNTIF({inputs["规上工业增加值增速"].value},"<0")' in check


def test_a_milestone_row_is_a_state_dropdown_and_its_progress_text(forms):
    _, plan, made = forms
    ws = load_workbook(made[DRC].path)[FORM_SHEET]
    row = _row(ws, "出台节能降耗实施方案")
    assert row[L.COL_TARGET - 1].value == "2023年6月底前完成"
    assert row[L.COL_UNIT - 1].value == "节点任务"
    unlocked = [c for c in row if not c.protection.locked]
    assert [c.column for c in unlocked] == [L.COL_VALUE, L.COL_REMARK]
    state = _validation(ws, unlocked[0].coordinate)
    assert state.type == "list" and state.formula1 == '"' + ",".join(MILESTONE_STATES) + '"'
    assert state.showErrorMessage and state.errorStyle in (None, "stop")
    progress = _validation(ws, unlocked[1].coordinate)
    assert progress.type == "textLength" and progress.promptTitle == "进展情况"
    town = load_workbook(made[TOWNS[1]].path)[FORM_SHEET]
    assert _row(town, "建成镇级空气自动监测站")[L.COL_TARGET - 1].value == "2023年底前建成"


def test_the_guide_explains_milestones_and_caps_with_this_plans_rows(forms):
    _, plan, made = forms
    for reporter, form in made.items():
        guide = load_workbook(form.path)[L.GUIDE_SHEET]
        text = "\n".join(str(c.value) for row in guide.iter_rows() for c in row if c.value)
        assert not [w for w in WUJIANG_WORDS if w in text], (reporter, text)
        assert plan.name in text
        milestone = next((plan.indicator(c) for c in form.indicators if plan.indicator(c).is_milestone), None)
        if milestone is None:
            assert reporter == BUREAU and "节点任务" not in text  # said only where there is one
        else:
            assert f"节点任务（如“{milestone.name}”）" in text and "未启动" in text and "进展情况" in text
        assert "越小越好的指标（控制目标" in text
    drc = "\n".join(str(c.value) for c in load_workbook(made[DRC].path)[L.GUIDE_SHEET]["A"] if c.value)
    assert "可为负数的指标（如“规上工业增加值增速”）" in drc and "较上年下降5%" in drc


def _pdf_pages(pdf) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


@pytest.mark.soffice
def test_libreoffice_prints_filled_cap_and_milestone_forms_whole(forms, soffice_convert, tmp_path):
    _, plan, made = forms
    town = fill_form(made[TOWNS[0]].path, tmp_path / "青湖镇.xlsx",
                     {"环境信访投诉件数": 60, "建成镇级空气自动监测站": "推进中"},
                     remarks={"建成镇级空气自动监测站": "已完成选址，设备招标中"})
    bureau = fill_form(made[BUREAU].path, tmp_path / "生态环境局.xlsx",
                       {"细颗粒物（PM2.5）年均浓度": 33.5, "环境信访投诉件数": 60})
    town_pdf, bureau_pdf = soffice_convert([town, bureau], "pdf", tmp_path)
    for pdf in (town_pdf, bureau_pdf):
        pages = _pdf_pages(pdf)
        assert "###" not in "".join(pages)
        guide = "".join(p for p in pages if "填报说明" in p).replace(" ", "").replace("\n", "")
        assert "越小越好的指标（控制目标，如" in guide
    town_main = "".join(p for p in _pdf_pages(town_pdf) if "填报单位（盖章）" in p).replace(" ", "")  # 指标填报
    assert "≤50（越小越好，控制" in town_main
    assert "已用120%" in town_main  # 60 of the town's own cap of 50, worked out by LibreOffice
    assert "建成镇级空气自动监测站" in town_main and "推进中" in town_main and "已完成选址" in town_main
    assert "2023年底前建成" in town_main
    assert "签章栏还有5项未填写" in town_main and "填写有误" not in town_main  # a state is no wrong entry
    bureau_main = "".join(p for p in _pdf_pages(bureau_pdf) if "填报单位（盖章）" in p).replace(" ", "")
    assert "≤32（越小越好，控制" in bureau_main and "已用50%" in bureau_main  # 60 of 120
    town_guide = "".join(p for p in _pdf_pages(town_pdf) if "填报说明" in p).replace(" ", "").replace("\n", "")
    assert "节点任务（如“建成镇级空气自动监测站”）" in town_guide
