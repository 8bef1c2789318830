"""Collecting ordinary returned forms never imports openpyxl: the fast path reads them, and the
plan comes from its cache (about a sixth of a second of every collect, and of every worker
process that starts afresh, as on Windows)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.collect.test_collector import fill, good_values, ws  # noqa: F401
from wjexcel.plan.workbook import workspace_plan

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ('openpyxl', 'pandas', 'numpy')
MAIL_AND_WEB = ('email', 'http.client', 'urllib.request')
"""What only a mail in 收回 or the careful path's SAX parser needs (about 10 ms of every start)."""
RUN = ("import json, sys\nfrom wjexcel.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
       f"print('LOADED', json.dumps(sorted(m for m in {HEAVY + MAIL_AND_WEB!r} if m in sys.modules)))")


def test_collecting_ordinary_forms_never_imports_openpyxl(ws):  # noqa: F811
    for town in ("七都镇", "平望镇", "震泽镇"):
        fill(ws, town, ws.inbox / f"{town}.xlsx", good_values(ws, town))
    workspace_plan(ws)  # as generate left it: the plan kept
    done = subprocess.run([sys.executable, "-c", RUN, "collect", "--json", "-w", str(ws.root)], cwd=ROOT,
                          capture_output=True, text=True, encoding="utf-8", env={**__import__("os").environ,
                                                                                 "WJEXCEL_WORKERS": "2"})
    out, _, loaded = done.stdout.rpartition("LOADED ")
    assert [item["status"] for item in json.loads(out)] == ["accepted"] * 3, done.stderr
    code = f"import json, sys; print(json.dumps([m for m in {MAIL_AND_WEB!r} if m in sys.modules]))"
    bare = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                     check=True).stdout)  # what this Python's own start-up brings (a .pth)
    assert [m for m in json.loads(loaded) if m not in bare] == []
