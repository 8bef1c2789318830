"""Which version of a reporter's form counts (wjexcel.collect.versions), on a real ledger.

The rule (docs/规格说明.md §8): of a reporter's accepted versions for a period the newest counts —
latest 填报日期, then latest file time, then latest arrival; when any version has no (believable)
填报日期, dates are not compared. The others become superseded and stay recorded. Returned files
and duplicates never take part.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime

import pytest

from wjexcel.collect.versions import resolve_versions
from wjexcel.records import Verdict
from wjexcel.workspace import create_workspace
from wjexcel.workspace.ledger import Ledger

QIDU, PINGWANG, PERIOD = "七都镇", "平望镇", "2022Q3"


@pytest.fixture
def ledger(tmp_path):
    with Ledger.open(create_workspace(tmp_path / "工作区")) as opened:
        yield opened


def arrive(ledger: Ledger, name: str, verdict=Verdict.ACCEPTED, *, filled_on: date | None = None,
           mtime: datetime | None = None, reporter: str = QIDU, period: str = PERIOD, data: bytes | None = None,
           duplicate_of: int | None = None) -> int:
    """Record one file as collect does, then apply the rule when it was accepted; its id."""
    data = data if data is not None else name.encode()
    sha = hashlib.sha256(data).hexdigest()
    with ledger.transaction():
        ledger.archive_bytes(sha, data)
        sid = ledger.add_submission(sha256=sha, file=f"收回/{name}", original_name=name, file_mtime=mtime,
                                    verdict=verdict, reporter=reporter, reporter_kind="district", period=period,
                                    filled_on=filled_on, duplicate_of=duplicate_of)
        if verdict is Verdict.ACCEPTED:
            resolve_versions(ledger, reporter, period)
    return sid


def verdicts(ledger: Ledger) -> dict[str, Verdict]:
    return {s.original_name: s.verdict for s in ledger.submissions()}


def test_a_reporter_that_sends_twice_counts_with_the_later_filled_date(ledger):
    arrive(ledger, "第一版.xlsx", filled_on=date(2022, 10, 8))
    arrive(ledger, "第二版.xlsx", filled_on=date(2022, 10, 12))
    assert verdicts(ledger) == {"第一版.xlsx": Verdict.SUPERSEDED, "第二版.xlsx": Verdict.ACCEPTED}


def test_an_older_version_arriving_late_does_not_replace_the_newer_one(ledger):
    newer = arrive(ledger, "更正.xlsx", filled_on=date(2022, 10, 12))
    arrive(ledger, "原表.xlsx", filled_on=date(2022, 10, 8))  # sent again from an old mail
    assert verdicts(ledger) == {"更正.xlsx": Verdict.ACCEPTED, "原表.xlsx": Verdict.SUPERSEDED}
    assert ledger.accepted_submission(QIDU, PERIOD).id == newer


def test_without_a_filled_date_on_every_version_file_time_decides(ledger):
    """A 填报日期 on one version only (the other's was blank or not believable) is not compared."""
    arrive(ledger, "有日期.xlsx", filled_on=date(2022, 10, 20), mtime=datetime(2022, 10, 9, 9))
    arrive(ledger, "无日期.xlsx", mtime=datetime(2022, 10, 10, 9))
    assert verdicts(ledger) == {"有日期.xlsx": Verdict.SUPERSEDED, "无日期.xlsx": Verdict.ACCEPTED}


def test_on_the_same_filled_date_file_time_then_arrival_decide(ledger):
    day = date(2022, 10, 10)
    arrive(ledger, "晚存.xlsx", filled_on=day, mtime=datetime(2022, 10, 10, 18))
    arrive(ledger, "早存.xlsx", filled_on=day, mtime=datetime(2022, 10, 10, 9))
    assert verdicts(ledger)["晚存.xlsx"] is Verdict.ACCEPTED
    arrive(ledger, "无时间1.xlsx", reporter=PINGWANG, filled_on=day)
    last = arrive(ledger, "无时间2.xlsx", reporter=PINGWANG, filled_on=day)
    assert ledger.accepted_submission(PINGWANG, PERIOD).id == last
    assert verdicts(ledger)["无时间1.xlsx"] is Verdict.SUPERSEDED


def test_a_returned_form_then_its_correction(ledger):
    """The 退回 stays returned (it never counted); the correction counts, whatever its date."""
    returned = arrive(ledger, "初稿.xlsx", Verdict.REJECTED, filled_on=date(2022, 10, 15))
    assert ledger.accepted_submission(QIDU, PERIOD) is None and resolve_versions(ledger, QIDU, PERIOD) is None
    fixed = arrive(ledger, "修改后.xlsx", filled_on=date(2022, 10, 12))
    assert verdicts(ledger) == {"初稿.xlsx": Verdict.REJECTED, "修改后.xlsx": Verdict.ACCEPTED}
    assert ledger.verdict_of(returned) is Verdict.REJECTED and ledger.accepted_submission(QIDU, PERIOD).id == fixed


def test_a_duplicate_takes_no_part_and_a_superseded_version_can_count_again(ledger):
    first = arrive(ledger, "七都镇.xlsx", filled_on=date(2022, 10, 12), data=b"same bytes")
    arrive(ledger, "七都镇（1）.xlsx", Verdict.DUPLICATE, data=b"same bytes", duplicate_of=first)
    older = arrive(ledger, "旧版.xlsx", filled_on=date(2022, 10, 8))
    assert [s.id for s in ledger.candidates(QIDU, PERIOD)] == [first, older]
    assert ledger.first_with_hash(hashlib.sha256(b"same bytes").hexdigest()).id == first
    assert verdicts(ledger) == {"七都镇.xlsx": Verdict.ACCEPTED, "七都镇（1）.xlsx": Verdict.DUPLICATE,
                                "旧版.xlsx": Verdict.SUPERSEDED}
    # whatever the verdicts said before, the rule puts them right: the newest counts again
    with ledger.transaction():
        ledger.set_verdict(first, Verdict.SUPERSEDED)
        ledger.set_verdict(older, Verdict.ACCEPTED)
        assert resolve_versions(ledger, QIDU, PERIOD) == first  # the rule, not the last write, decides
    assert verdicts(ledger)["旧版.xlsx"] is Verdict.SUPERSEDED


def test_other_reporters_and_periods_are_left_alone(ledger):
    arrive(ledger, "七都三季度.xlsx", filled_on=date(2022, 10, 8))
    arrive(ledger, "平望三季度.xlsx", reporter=PINGWANG, filled_on=date(2022, 10, 1))
    arrive(ledger, "七都二季度.xlsx", period="2022Q2", filled_on=date(2022, 7, 1))
    arrive(ledger, "七都三季度更正.xlsx", filled_on=date(2022, 10, 9))
    assert verdicts(ledger) == {"七都三季度.xlsx": Verdict.SUPERSEDED, "平望三季度.xlsx": Verdict.ACCEPTED,
                                "七都二季度.xlsx": Verdict.ACCEPTED, "七都三季度更正.xlsx": Verdict.ACCEPTED}


def test_a_correction_after_a_final_counts_and_the_final_keeps_what_it_used(ledger):
    """A 定稿 changes nothing in the rule: the correction counts from now on, and the 定稿 still names
    the version it was made from (the next consolidation lists the change in 更正说明)."""
    used = arrive(ledger, "定稿所用.xlsx", filled_on=date(2022, 10, 8))
    final = ledger.record_final(PERIOD, "汇总/定稿.xlsx", "0" * 64, "archive/final", datetime(2022, 10, 20, 9),
                                [("1-1", "indicator", None, 5.0)], ledger.latest_accepted(PERIOD))
    fixed = arrive(ledger, "定稿后更正.xlsx", filled_on=date(2022, 10, 25))
    assert ledger.verdict_of(used) is Verdict.SUPERSEDED and ledger.verdict_of(fixed) is Verdict.ACCEPTED
    assert [s.id for s in ledger.final_submissions(final.id)] == [used]
    assert [s.id for s in ledger.latest_accepted(PERIOD)] == [fixed]
