"""``wjexcel check``: a town checks its own form, inside or outside the clerk's workspace,
and gets the decision ``collect`` would make."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date

import openpyxl
import pytest

from wjexcel.demo.fill import fill_form
from wjexcel.plan.workbook import workspace_plan

SIGNER = {"填报人": "张三", "联系电话": "0512-63001234", "填报日期": date(2023, 4, 8), "审核人": "李四"}


def _edit_plan(ws):
    """A clerk's own plan: a new plan id, a renamed indicator, a new target, a new form title."""
    wb = openpyxl.load_workbook(ws.plan_file)
    settings = {row[0].value: row[1] for row in wb["设置"].iter_rows(min_row=2)}
    settings["计划编号"].value = "my-own-plan-2021-2023"
    settings["填报表名称"].value = "重点工作指标填报表"
    ind = wb["指标"]
    header = {c.value: c.column for c in ind[1]}
    for row in ind.iter_rows(min_row=2):
        if row[header["编码"] - 1].value == "7-2":
            row[header["指标名称"] - 1].value = "产学研合作项目（含联合攻关）"
            row[header["2023年目标"] - 1].value = 40
    wb.save(ws.plan_file)


def _check(path, cwd):
    done = subprocess.run([sys.executable, "-m", "wjexcel", "check", str(path), "--json"], capture_output=True,
                          text=True, encoding="utf-8", cwd=cwd)
    return done.returncode, json.loads(done.stdout), done.stderr


def test_a_town_checks_a_form_of_an_edited_plan_outside_the_workspace(tmp_path, make_workspace, forms_of):
    ws = make_workspace("2023Q1", edit=_edit_plan)
    plan = workspace_plan(ws)
    form = forms_of(ws)["七都镇"]
    assert form.name == "2023Q1_七都镇_重点工作指标填报表.xlsx"
    names = {i.code: i.name for i in plan.indicators}
    values = {i.code: 2 for i in plan.indicators_for(plan.reporter("七都镇"))}
    town = tmp_path / "七都镇的电脑"
    town.mkdir()
    good = fill_form(form, town / "七都镇.xlsx", dict(values, **{"6-1": 3.1}), names=names, signer=SIGNER)
    code, data, err = _check(good, town)
    assert code == 0, err
    assert data[0]["status"] == "ok" and data[0]["signature"] == "unchecked" and not data[0]["errors"]
    # The renamed indicator is found and judged against the form's own target (40): 2000 is implausible.
    bad = fill_form(form, town / "七都镇2.xlsx", dict(values, **{"7-2": 2000, "7-1": "约12"}), names=names,
                    signer=SIGNER)
    code, data, _ = _check(bad, town)
    assert code == 1
    assert [e["code"] for e in data[0]["errors"]] == ["value.not_number"]
    assert "value.implausible" in [w["code"] for w in data[0]["warnings"]]
    # Inside the workspace the same file gets the same decision, with the signature checked.
    code, data, err = _check(good, ws.root)
    assert code == 0 and data[0]["signature"] == "valid", err
    # A form of a plan the workspace does not know is named as such there, never silently read.
    other_ws = make_workspace(name="other")
    shutil.copy(good, other_ws.inbox / "七都镇.xlsx")
    code, data, _ = _check(other_ws.inbox / "七都镇.xlsx", other_ws.root)
    assert code == 1 and {e["code"] for e in data[0]["errors"]} >= {"form.other_plan"}


@pytest.mark.soffice
def test_check_of_a_pdf_says_nothing_was_archived(tmp_path, soffice_convert, make_workspace, forms_of):
    """A town printing its form to PDF and checking that: ``check`` records nothing, so it must
    not say the file was 存档备查 (``collect`` keeps it and says so)."""
    form = forms_of(make_workspace("2022"))["七都镇"]
    pdf = soffice_convert([form], "pdf", tmp_path / "pdf")[0]
    assert pdf.read_bytes().startswith(b"%PDF")
    done = subprocess.run([sys.executable, "-m", "wjexcel", "check", str(pdf)], capture_output=True, text=True,
                          encoding="utf-8", cwd=tmp_path)
    assert "不是 Excel 填报表" in done.stdout and "没有可检查的内容" in done.stdout
    assert "存档" not in done.stdout + done.stderr
    code, data, _ = _check(pdf, tmp_path)
    assert data[0]["errors"][0]["code"] == "file.not_spreadsheet"
    assert "存档" not in json.dumps(data, ensure_ascii=False)
