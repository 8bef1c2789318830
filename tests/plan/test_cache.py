"""The plan read from 计划.xlsx is kept for the next command, and never trusted beyond the bytes it
was read from: a changed plan, a forged or damaged cache, another workspace's cache are read anew."""

from __future__ import annotations

import pickle
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from wjexcel.errors import PlanError
from wjexcel.plan import cache
from wjexcel.plan import layout as PL
from wjexcel.plan.workbook import workspace_plan

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


def _retarget(ws, code: str, year: str, value) -> None:
    """Type another target for indicator ``code`` into 计划.xlsx, as a clerk does in Excel."""
    wb = load_workbook(ws.plan_file)
    sheet = wb[PL.INDICATORS]
    headers = [c.value for c in sheet[1]]
    column = headers.index(f"{year}年目标") + 1
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == code)
    sheet.cell(row, column, value)
    wb.save(ws.plan_file)


def _target(plan, code: str, year: int):
    return next(i for i in plan.indicators if i.code == code).targets[year]


def test_a_command_after_the_first_takes_the_plan_without_opening_the_workbook(make_workspace):
    ws = make_workspace()
    first = workspace_plan(ws)
    assert (ws.state / cache.CACHE_FILE).is_file()
    code = ("import sys\nfrom pathlib import Path\nfrom wjexcel.workspace import Workspace\n"
            "from wjexcel.plan.workbook import workspace_plan\n"
            f"plan = workspace_plan(Workspace(Path({str(ws.root)!r})))\n"
            "print(len(plan.reporters), len(plan.indicators), 'openpyxl' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.split() == [str(len(first.reporters)), str(len(first.indicators)), "False"]


def test_a_changed_plan_is_read_anew(make_workspace):
    ws = make_workspace()
    before = workspace_plan(ws)
    code, year = before.indicators[0].code, 2022
    _retarget(ws, code, str(year), 987)
    after = workspace_plan(ws)
    assert _target(after, code, year) != _target(before, code, year)
    assert "987" in repr(_target(after, code, year))
    assert workspace_plan(ws) == after


def test_a_forged_damaged_or_foreign_cache_is_not_trusted(make_workspace):
    ws = make_workspace()
    plan = workspace_plan(ws)
    kept = ws.state / cache.CACHE_FILE
    head, _, body = kept.read_bytes().partition(b"\n")
    forged = pickle.loads(body)
    forged.reporters = forged.reporters[:1]
    for bad in (head + b"\n" + pickle.dumps(forged),          # another plan under the old signature
                head + b"\n" + body[:-10],                    # cut short
                b"0" * len(head) + b"\n" + body,              # another key's signature
                b"not a cache at all"):
        kept.write_bytes(bad)
        assert workspace_plan(ws) == plan
    foreign = pickle.dumps(forged)  # signed right, but with another workspace's key
    kept.write_bytes(cache._mac(b"another workspace", cache._label(ws.plan_file.read_bytes()), foreign)
                     + b"\n" + foreign)
    assert workspace_plan(ws) == plan
    signed = cache._mac(ws.signing_key(), cache._label(ws.plan_file.read_bytes()), foreign)
    kept.write_bytes(signed + b"\n" + foreign)  # the check itself: with this workspace's key it is taken
    assert workspace_plan(ws).reporters == forged.reporters


def test_a_plan_with_errors_is_never_kept(make_workspace):
    ws = make_workspace()
    (ws.state / cache.CACHE_FILE).unlink(missing_ok=True)
    wb = load_workbook(ws.plan_file)
    sheet = wb[PL.INDICATORS]
    headers = [c.value for c in sheet[1]]
    sheet.cell(2, headers.index("类型") + 1, "乱写")  # no such kind of indicator
    wb.save(ws.plan_file)
    for _ in range(2):
        with pytest.raises(PlanError):
            workspace_plan(ws)
        assert not (ws.state / cache.CACHE_FILE).exists()


def test_a_cache_that_cannot_be_written_leaves_the_plan_read(make_workspace):
    ws = make_workspace()
    (ws.state / cache.CACHE_FILE).unlink(missing_ok=True)
    (ws.state / cache.CACHE_FILE).mkdir()  # nothing can be written there
    plan = workspace_plan(ws)
    assert plan.reporters and workspace_plan(ws) == plan


@pytest.mark.parametrize("missing", ["key", "cache"])
def test_without_a_key_or_a_cache_the_workbook_is_read(make_workspace, missing):
    ws = make_workspace()
    plan = workspace_plan(ws)
    if missing == "cache":
        (ws.state / cache.CACHE_FILE).unlink()
        assert workspace_plan(ws) == plan
    else:
        from wjexcel.workspace import KEY_FILE

        (ws.state / KEY_FILE).unlink()
        assert cache.lookup(ws, ws.plan_file.read_bytes()) is None


class _Planted:
    """What someone able to write the state folder and read its key might plant instead of a plan."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        import os

        return os.system, (f"echo planted > {self.marker}",)


def test_even_a_rightly_signed_cache_cannot_run_anything(make_workspace, tmp_path):
    ws = make_workspace()
    plan = workspace_plan(ws)
    marker = tmp_path / "planted.txt"
    body = pickle.dumps(_Planted(marker))
    label = cache._label(ws.plan_file.read_bytes())
    (ws.state / cache.CACHE_FILE).write_bytes(cache._mac(ws.signing_key(), label, body) + b"\n" + body)
    assert cache.lookup(ws, ws.plan_file.read_bytes()) is None
    assert workspace_plan(ws) == plan and not marker.exists()


def test_the_fingerprint_follows_the_code_and_the_reader():
    assert len(cache._code()) == 64 and b"__version__" in cache._reader()
