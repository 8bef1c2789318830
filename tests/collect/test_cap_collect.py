"""Collecting forms of a plan with caps, a 可为负数 增速, a relative target and 节点任务
(tests/forms/capplan.py): filled with openpyxl and typed in LibreOffice, collected, read back from the ledger."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from wjexcel.collect.collector import collect
from wjexcel.collect.formread import read_form
from wjexcel.report.status import Reporting, reporting_status, status_text
from wjexcel.demo.fill import FORM_SHEET, fill_form, find_inputs
from wjexcel.periods import Period
from wjexcel.plan.workbook import workspace_plan
from wjexcel.problems import Code
from wjexcel.report.rule import milestone_state
from wjexcel.workspace.ledger import Ledger
from tests.collect.test_lo_fill import lo_fill, typed_cells, uno_python  # noqa: F401 (a fixture)
from tests.forms.capplan import BUREAU, DRC, PERIOD, TOWNS, cap_plan

SIGNER = {"填报人": "陈静", "联系电话": "0512-60001111", "填报日期": "2023-07-05"}


@pytest.fixture
def cycle(make_workspace, forms_of):
    ws = make_workspace(PERIOD, plan=cap_plan())
    plan = workspace_plan(ws)
    forms = forms_of(ws)
    return ws, plan, forms


def _fill(plan, src, dest, values, remarks=None, signer=SIGNER):
    names = {i.code: i.name for i in plan.indicators}
    return fill_form(src, dest, values, remarks=remarks, signer=signer, names=names)


def _ledger(ws):
    with Ledger.open(ws) as ledger:
        return {(v.reporter, v.indicator): v for v in ledger.accepted_values(PERIOD)}


def test_states_negatives_and_relative_targets_reach_the_ledger(cycle, tmp_path):
    ws, plan, forms = cycle
    _fill(plan, forms[DRC], ws.inbox / "发改委.xlsx", {"2-1": -1.2, "2-2": 25.1, "2-3": "完成"},
          {"2-3": "方案已于5月印发"})
    _fill(plan, forms[BUREAU], ws.inbox / "生态环境局.xlsx", {"1-1": 33.5, "1-2": 55})
    _fill(plan, forms[TOWNS[0]], ws.inbox / "青湖镇.xlsx", {"1-2": 0, "1-3": "ＮＯＴ"})  # not a state
    _fill(plan, forms[TOWNS[1]], ws.inbox / "石塘镇.xlsx", {"1-2": -3, "1-3": "\u3000推进 中 "},  # a count < 0
          {"1-3": "已完成选址"})

    verdicts = {Path(v.file).name: v for v in collect(ws).verdicts}
    for name in ("发改委.xlsx", "生态环境局.xlsx"):
        assert verdicts[name].status == "accepted", [p.located() for p in verdicts[name].problems]
    values = _ledger(ws)
    growth = values[(DRC, "2-1")]
    assert growth.value == -1.2 and growth.sheet == FORM_SHEET  # 可为负数: a fall is a negative figure
    assert values[(DRC, "2-2")].value == 25.1  # a relative target's row is a plain number
    done = values[(DRC, "2-3")]
    assert (done.value, done.raw, done.remark) == (2, "已完成", "方案已于5月印发")
    assert milestone_state(done.value) == "已完成"
    assert values[(BUREAU, "1-1")].value == 33.5 and values[(BUREAU, "1-2")].value == 55

    cells = find_inputs(load_workbook(forms[TOWNS[0]])[FORM_SHEET],
                        ["建成镇级空气自动监测站", "环境信访投诉件数"])
    wrong = verdicts["青湖镇.xlsx"]
    assert wrong.status == "rejected"
    state = next(p for p in wrong.errors if p.code == Code.VALUE_NOT_STATE)
    assert state.sheet == FORM_SHEET and state.cell == cells["建成镇级空气自动监测站"].value
    assert "ＮＯＴ" in state.message and all(w in state.message for w in ("未启动", "推进中", "已完成"))
    negative = verdicts["石塘镇.xlsx"]
    assert negative.status == "rejected"
    assert [p.code for p in negative.errors] == [Code.VALUE_NEGATIVE]
    assert negative.errors[0].cell == cells["环境信访投诉件数"].value  # same layout on both towns' forms
    assert not any(key[0] in TOWNS for key in values)
    # the rest of a returned form is read all the same: a state typed with spaces is still a state
    reading = read_form(ws.inbox / "石塘镇.xlsx", plan, key=ws.signing_key())
    state = reading.value("1-3")
    assert (state.value, state.raw, state.remark) == (1, "推进中", "已完成选址")


def test_a_form_with_nothing_typed_is_returned_and_its_reporter_is_still_asked(cycle):
    ws, plan, forms = cycle
    shutil.copyfile(forms[TOWNS[1]], ws.inbox / "石塘镇.xlsx")  # sent straight back, blank and unsigned
    _fill(plan, forms[TOWNS[0]], ws.inbox / "青湖镇.xlsx", {}, {"1-2": "本期没有数据"}, signer=SIGNER)
    _fill(plan, forms[BUREAU], ws.inbox / "生态环境局.xlsx", {"1-2": 0}, signer={})  # a 0 is a figure

    verdicts = {Path(v.file).name: v for v in collect(ws).verdicts}
    first_value = find_inputs(load_workbook(forms[TOWNS[1]])[FORM_SHEET], ["环境信访投诉件数"])["环境信访投诉件数"].value
    assert verdicts["生态环境局.xlsx"].status == "accepted"
    for name in ("石塘镇.xlsx", "青湖镇.xlsx"):  # a remark or a signature alone is no submission either
        verdict = verdicts[name]
        assert verdict.status == "rejected", name
        empty = [p for p in verdict.errors if p.code == Code.FORM_NO_VALUES]
        assert len(empty) == 1 and empty[0].sheet == FORM_SHEET and empty[0].cell == first_value
        assert verdict.return_copy and (ws.root / verdict.return_copy).is_file()
        assert "没有填写任何指标数值" in verdict.note and "请填 0" in verdict.note
    assert (BUREAU, "1-2") in _ledger(ws) and not any(r in TOWNS for r, _ in _ledger(ws))
    statuses = {s.reporter: s for s in reporting_status(ws, Period.parse(PERIOD), plan)}
    assert statuses[TOWNS[0]].status == statuses[TOWNS[1]].status == Reporting.RETURNED
    reminder = status_text(plan, Period.parse(PERIOD), list(statuses.values()), "")
    assert TOWNS[0] in reminder.split("催报文字")[1] and TOWNS[1] in reminder.split("催报文字")[1]


@pytest.mark.soffice
def test_states_and_negatives_typed_in_libreoffice(cycle, uno_python, tmp_path):  # noqa: F811
    ws, plan, forms = cycle
    jobs = [
        {"src": str(forms[DRC]), "out": str(tmp_path / "发改委_LO"),
         "cells": typed_cells(forms[DRC], plan, DRC, {"2-1": "-1.2", "2-2": "25.1", "2-3": "已完成"},
                              {"2-3": "已印发"}, SIGNER)},
        {"src": str(forms[TOWNS[0]]), "out": str(tmp_path / "青湖镇_LO"),
         "cells": typed_cells(forms[TOWNS[0]], plan, TOWNS[0], {"1-2": "7", "1-3": "进行中"}, {}, SIGNER)},
    ]
    lo_fill(uno_python, jobs, tmp_path)
    shutil.copyfile(tmp_path / "发改委_LO.xlsx", ws.inbox / "发改委.xlsx")
    shutil.copyfile(tmp_path / "青湖镇_LO.xls", ws.inbox / "青湖镇.xls")

    verdicts = {Path(v.file).name: v for v in collect(ws).verdicts}
    for name in ("发改委.xlsx", "青湖镇.xls"):
        assert verdicts[name].status == "accepted", [p.located() for p in verdicts[name].problems]
    values = _ledger(ws)
    assert values[(DRC, "2-1")].value == -1.2 and values[(DRC, "2-2")].value == 25.1
    assert (values[(DRC, "2-3")].value, values[(DRC, "2-3")].raw, values[(DRC, "2-3")].remark) == (2, "已完成", "已印发")
    assert (values[(TOWNS[0], "1-3")].value, values[(TOWNS[0], "1-3")].raw) == (1, "推进中")
    assert values[(TOWNS[0], "1-2")].value == 7
