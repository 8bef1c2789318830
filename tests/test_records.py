"""The outcome enumerations (wjexcel.records): the words the ledger stores and --json prints are the
specification's, each with its Chinese label, and a real ledger keeps them as plain words."""

from __future__ import annotations

import hashlib
import re
import sqlite3

import pytest

from tests.test_docs import section, spec_text
from wjexcel.problems import Code, Problem
from wjexcel.records import STORED_VERDICTS, Signature, Verdict
from wjexcel.workspace import create_workspace
from wjexcel.workspace.ledger import Ledger

ROW = re.compile(r"^\|\s*([^|`]+?)\s*\|\s*`([a-z]+)`\s*\|", re.M)


def test_each_stored_verdict_is_the_specs_word_with_its_label():
    """docs/规格说明.md §8: | 已接收 | `accepted` | … — one row per verdict a recorded file can have."""
    body = section(spec_text(), "收集：接收、退回、存档")
    assert body is not None
    rows = {word: label for label, word in ROW.findall(body) if word != "status"}  # not the header
    assert rows == {v.value: v.label for v in STORED_VERDICTS}


def test_a_deferred_file_is_its_own_outcome_but_ignored_in_the_json():
    assert Verdict.DEFERRED not in STORED_VERDICTS
    assert Verdict.DEFERRED.json_value == "ignored" and Verdict.DEFERRED.label == "留待下次"
    assert [v.json_value for v in STORED_VERDICTS] == [v.value for v in STORED_VERDICTS]
    collect_json = section(spec_text(), "5.5 `collect --json`")
    assert all(f'"{v.json_value}"' in collect_json for v in Verdict)


def test_signature_states_are_the_words_check_json_prints():
    body = section(spec_text(), "5.4 `check --json`")
    line = next(row for row in body.splitlines() if row.startswith("| `signature`"))
    assert set(re.findall(r'"([a-z]+)"', line)) == {s.value for s in Signature}
    assert Signature("missing") is Signature.UNSIGNED and "没有签名" in Signature.UNSIGNED.label


def record(ledger: Ledger, n: int, verdict) -> int:
    data = f"file {n}".encode()
    sha = hashlib.sha256(data).hexdigest()
    ledger.archive_bytes(sha, data)
    return ledger.add_submission(sha256=sha, file=f"收回/{n}.xlsx", original_name=f"{n}.xlsx", file_mtime=None,
                                 verdict=verdict, reporter="七都镇", period="2022Q3",
                                 problems=[Problem("“约12”不是数字", "指标填报", "D9", code=Code.VALUE_NOT_NUMBER)])


def test_the_ledger_stores_plain_words_and_reads_back_the_enumeration(tmp_path):
    ws = create_workspace(tmp_path / "工作区")
    with Ledger.open(ws) as ledger, ledger.transaction():
        ids = {v: record(ledger, i, v) for i, v in enumerate(STORED_VERDICTS)}
        with pytest.raises(ValueError):  # a file left for the next run is never recorded
            record(ledger, 99, Verdict.DEFERRED)
    raw = sqlite3.connect(ws.ledger_path)
    stored = dict(raw.execute("SELECT id, verdict FROM submissions"))
    codes = {c for (c,) in raw.execute("SELECT code FROM problems")}
    types = {t for (t,) in raw.execute("SELECT typeof(verdict) FROM submissions")}
    raw.close()
    assert stored == {sid: v.value for v, sid in ids.items()} and types == {"text"}
    assert codes == {"value.not_number"}
    with Ledger.open(ws) as ledger:
        subs = {s.id: s.verdict for s in ledger.submissions()}
        assert all(type(v) is Verdict for v in subs.values()) and subs == {sid: v for v, sid in ids.items()}
        assert ledger.verdict_of(ids[Verdict.REJECTED]) is Verdict.REJECTED
        problem = ledger.problems_of(ids[Verdict.REJECTED])[0]
        assert problem.code is Code.VALUE_NOT_NUMBER and problem.as_json()["code"] == "value.not_number"


def test_a_problem_needs_a_code_and_an_unknown_recorded_code_reads_as_unrecorded():
    with pytest.raises(TypeError):
        Problem("没有代码的问题")  # type: ignore[call-arg]
    assert Code.recorded("form.no_values") is Code.FORM_NO_VALUES
    assert Code.recorded(None) is Code.UNRECORDED and Code.recorded("") is Code.UNRECORDED  # wjexcel 0.1
    assert Code.recorded("form.added_by_a_newer_version") is Code.UNRECORDED
    assert len(Code.__members__) == len(Code)  # no two kinds of problem share a code (an alias would)
