"""Who has reported (wjexcel.report.status) from a real ledger: the standing of each reporter and
the words status --json prints."""

from __future__ import annotations

import hashlib
import re

from tests.test_docs import section, spec_text
from wjexcel.periods import Period
from wjexcel.plan.builtin import builtin_plan
from wjexcel.records import Verdict
from wjexcel.report.status import Reporting, reporting_status, status_summary
from wjexcel.workspace import create_workspace
from wjexcel.workspace.ledger import Ledger

PERIOD = Period.parse("2022Q3")


def test_the_standings_are_the_words_status_json_prints():
    body = section(spec_text(), "5.6 `status --json`")
    line = next(row for row in body.splitlines() if row.startswith("| `status`"))
    assert re.findall(r'"([^"]+)"', line) == ["已报送", "未报送", "已退回"]
    assert {r.value for r in Reporting} == {"已报送", "未报送", "已退回"}


def test_each_reporter_stands_by_its_latest_file(tmp_path):
    ws = create_workspace(tmp_path / "工作区")
    plan = builtin_plan()
    towns = [r.name for r in plan.reporters if plan.indicators_for(r, PERIOD)][:4]
    sent = {towns[0]: [Verdict.ACCEPTED],  # reported
            towns[1]: [Verdict.SUPERSEDED, Verdict.ACCEPTED, Verdict.REJECTED],  # latest returned, one counts
            towns[2]: [Verdict.DUPLICATE, Verdict.IGNORED]}  # nothing that is a version
    with Ledger.open(ws) as ledger, ledger.transaction():
        for town, verdicts in sent.items():
            for n, verdict in enumerate(verdicts):
                data = f"{town}{n}".encode()
                sha = hashlib.sha256(data).hexdigest()
                ledger.archive_bytes(sha, data)
                ledger.add_submission(sha256=sha, file=f"收回/{town}{n}.xlsx", original_name=f"{town}{n}.xlsx",
                                      file_mtime=None, verdict=verdict, reporter=town, reporter_kind="district",
                                      period=PERIOD.code)
    st = {s.reporter: s for s in reporting_status(ws, PERIOD, plan)}
    assert [st[t].status for t in towns] == [Reporting.REPORTED, Reporting.RETURNED, Reporting.NOT_REPORTED,
                                             Reporting.NOT_REPORTED]
    assert [st[t].versions for t in towns] == [1, 3, 0, 0]
    assert "之前接收的版本仍计入汇总" in st[towns[1]].note
    assert st[towns[1]].as_json()["status"] == "已退回" and type(st[towns[1]].as_json()["status"]) is str
    assert f"已退回待改 1 家（{towns[1]}）" in status_summary(list(st.values()))
