"""Forms filled by typing in real LibreOffice (not openpyxl), saved as .xlsx and .xls, then collected."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from wjexcel.collect.collector import collect
from wjexcel.collect.formread import read_form
from wjexcel.workspace.ledger import Ledger
from wjexcel.demo.fill import FORM_SHEET, find_inputs, find_signature_cells
from wjexcel.plan.workbook import workspace_plan

HERE = Path(__file__).resolve().parent
SYSTEM_PYTHON = "/usr/bin/python3"
PERIOD = "2022"


def _uno_python() -> str | None:
    if not Path(SYSTEM_PYTHON).exists() or shutil.which("soffice") is None:
        return None
    ok = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True).returncode == 0
    return SYSTEM_PYTHON if ok else None


@pytest.fixture(scope="module")
def uno_python(soffice):
    exe = _uno_python()
    if exe is None:
        if os.environ.get("WJEXCEL_REQUIRE_SOFFICE") == "1":
            pytest.fail("WJEXCEL_REQUIRE_SOFFICE=1 but LibreOffice's Python-UNO (python3-uno) is missing")
        pytest.skip("python3-uno is not installed")
    return exe


def lo_fill(python, jobs, tmp_path):
    spec = tmp_path / "jobs.json"
    spec.write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
    subprocess.run([python, str(HERE / "lo_fill.py"), str(spec)], check=True, timeout=300,
                   capture_output=True)


def typed_cells(form: Path, plan, reporter: str, typed: dict, remarks: dict, signer: dict) -> list:
    """Where a person would type, found from what they see (unlocked cells by the names)."""
    wb = load_workbook(form)
    ws = wb[FORM_SHEET]
    names = {i.code: i.name for i in plan.indicators}
    inputs = find_inputs(ws, [names[c] for c in plan_codes(plan, reporter)])
    cells = []
    for code, text in typed.items():
        cells.append([FORM_SHEET, inputs[names[code]].value, text])
    for code, text in remarks.items():
        cells.append([FORM_SHEET, inputs[names[code]].remark, text])
    sig = find_signature_cells(ws)
    for label, text in signer.items():
        cells.append([FORM_SHEET, sig[label], text])
    return cells


def plan_codes(plan, reporter):
    return [i.code for i in plan.indicators_for(plan.reporter(reporter))]


@pytest.mark.soffice
def test_forms_typed_in_libreoffice_are_collected(uno_python, tmp_path, make_workspace, forms_of):
    ws = make_workspace(PERIOD)
    plan = workspace_plan(ws)
    generated = forms_of(ws)
    signer = {"填报人": "王芳", "联系电话": "0512-63009999", "填报日期": "2023-01-10"}
    good = {c: "7" for c in plan_codes(plan, "七都镇")}
    good.update({"4-1": "1,200", "6-1": "3.6"})
    bad = {c: "5" for c in plan_codes(plan, "桃源镇")}
    bad["7-1"] = "约12"
    formulas = {c: "7" for c in plan_codes(plan, "震泽镇")}
    formulas["2-1"] = "=10+5"
    jobs = [
        {"src": str(generated["七都镇"]), "out": str(tmp_path / "七都镇_LO"),
         "cells": typed_cells(generated["七都镇"], plan, "七都镇", good,
                              {"7-2": "'=HYPERLINK(\"http://x.invalid\";\"点\")"}, signer)},
        {"src": str(generated["桃源镇"]), "out": str(tmp_path / "桃源镇_LO"),
         "cells": typed_cells(generated["桃源镇"], plan, "桃源镇", bad, {}, signer)},
        {"src": str(generated["统计局"]), "out": str(tmp_path / "统计局_LO"),
         "cells": typed_cells(generated["统计局"], plan, "统计局", {"6-1": "3.7%"}, {"6-1": "=A1"}, signer)},
        {"src": str(generated["震泽镇"]), "out": str(tmp_path / "震泽镇_LO"),
         "cells": typed_cells(generated["震泽镇"], plan, "震泽镇", formulas,
                              {"7-2": "=HYPERLINK(\"http://x.invalid\";\"点击\")"}, signer)},
    ]
    lo_fill(uno_python, jobs, tmp_path)
    inbox = ws.inbox
    shutil.copyfile(tmp_path / "七都镇_LO.xlsx", inbox / "七都镇.xlsx")
    shutil.copyfile(tmp_path / "桃源镇_LO.xls", inbox / "桃源镇.xls")
    shutil.copyfile(tmp_path / "统计局_LO.xlsx", inbox / "统计局.xlsx")
    shutil.copyfile(tmp_path / "震泽镇_LO.xlsx", inbox / "震泽镇.xlsx")

    result = collect(ws)
    verdicts = {Path(v.file).name: v for v in result.verdicts}
    for name in ("七都镇.xlsx", "统计局.xlsx", "震泽镇.xlsx"):
        assert verdicts[name].status == "accepted", verdicts[name].problems
    assert verdicts["桃源镇.xls"].status == "rejected"
    assert any("约12" in p.message and p.sheet == FORM_SHEET and p.cell for p in verdicts["桃源镇.xls"].errors)
    with Ledger.open(ws) as ledger:
        accepted = ledger.accepted_values(PERIOD)
        sub = next(s for s in ledger.latest_accepted(PERIOD) if s.reporter == "七都镇")
    values = {v.indicator: v for v in accepted if v.reporter == "七都镇"}
    assert values["4-1"].value == 1200
    assert values["6-1"].value == 3.6
    assert values["2-1"].value == 7
    # Typed with a leading ' it is text, not a formula (LibreOffice keeps the ' in the text).
    assert values["7-2"].remark.lstrip("'").startswith("=HYPERLINK")
    assert sub.filled_by == "王芳"
    assert str(sub.filled_on) == "2023-01-10"

    # 3.7% typed into a % indicator: LibreOffice stores 0.037 with a percent format.
    stats = next(v for v in accepted if v.reporter == "统计局" and v.indicator == "6-1")
    assert stats.value == 3.7 and "百分比格式" in stats.raw
    # A formula typed as a remark is taken as typed, not as its result (the form's title).
    assert stats.remark == "=A1"
    assert any(p.cell and "情况说明" in p.message and "=A1" in p.message for p in verdicts["统计局.xlsx"].warnings)
    # From the .xls (no number formats) the fraction is pointed out at its cell.
    xls = read_form(tmp_path / "统计局_LO.xls", plan, key=ws.signing_key)
    if xls.value("6-1").value != 3.7:
        assert any(p.cell == stats.cell and "3.7%" in p.message and "小数" in p.message
                   for p in xls.problems.warnings)

    # A formula typed into a value cell: its result is taken, with a located 提示.
    typed = {v.indicator: v for v in accepted if v.reporter == "震泽镇"}
    assert typed["2-1"].value == 15 and "=10+5" in typed["2-1"].raw
    assert any(p.cell == typed["2-1"].cell and "=10+5" in p.message and "15" in p.message
               for p in verdicts["震泽镇.xlsx"].warnings)
    assert typed["7-2"].remark.startswith('=HYPERLINK("http://x.invalid"')
