"""Forms filled by typing in real LibreOffice (not openpyxl), saved as .xlsx and .xls, then collected."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from wjexcel.collect import collect
from wjexcel.ledger import Ledger
from wjexcel.simulate import FORM_SHEET, find_inputs, find_signature_cells

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
def test_forms_typed_in_libreoffice_are_collected(uno_python, tmp_path):
    from wjexcel.forms import generate_forms
    from wjexcel.workspace import init_workspace

    ws = init_workspace(tmp_path / "ws")
    plan = ws.load_plan()
    generated = {f.reporter: Path(f.path) for f in generate_forms(ws, PERIOD).forms}
    signer = {"填报人": "王芳", "联系电话": "0512-63009999", "填报日期": "2023-01-10"}
    good = {c: "7" for c in plan_codes(plan, "七都镇")}
    good.update({"4-1": "1,200", "6-1": "3.6"})
    bad = {c: "5" for c in plan_codes(plan, "桃源镇")}
    bad["7-1"] = "约12"
    jobs = [
        {"src": str(generated["七都镇"]), "out": str(tmp_path / "七都镇_LO"),
         "cells": typed_cells(generated["七都镇"], plan, "七都镇", good,
                              {"7-2": "'=HYPERLINK(\"http://x.invalid\";\"点\")"}, signer)},
        {"src": str(generated["桃源镇"]), "out": str(tmp_path / "桃源镇_LO"),
         "cells": typed_cells(generated["桃源镇"], plan, "桃源镇", bad, {}, signer)},
    ]
    lo_fill(uno_python, jobs, tmp_path)
    inbox = ws.inbox
    shutil.copyfile(tmp_path / "七都镇_LO.xlsx", inbox / "七都镇.xlsx")
    shutil.copyfile(tmp_path / "桃源镇_LO.xls", inbox / "桃源镇.xls")

    result = collect(ws)
    verdicts = {Path(v.file).name: v for v in result.verdicts}
    assert verdicts["七都镇.xlsx"].status == "accepted", verdicts["七都镇.xlsx"].problems
    assert verdicts["桃源镇.xls"].status == "rejected"
    assert any("约12" in p.message and p.sheet == FORM_SHEET and p.cell for p in verdicts["桃源镇.xls"].errors)
    with Ledger.open(ws) as ledger:
        values = {v.indicator: v for v in ledger.accepted_values(PERIOD) if v.reporter == "七都镇"}
        sub = next(s for s in ledger.latest_accepted(PERIOD) if s.reporter == "七都镇")
    assert values["4-1"].value == 1200
    assert values["6-1"].value == 3.6
    assert values["2-1"].value == 7
    assert values["7-2"].remark.startswith("=HYPERLINK")  # typed with a leading ' : text, not a formula
    assert sub.filled_by == "王芳"
    assert str(sub.filled_on) == "2023-01-10"
