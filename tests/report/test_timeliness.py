"""The timeliness rules on ledger records: what counts as sent, what a 退回 does to the date,
duplicates, nothing sent yet, and the on-time rate."""

from __future__ import annotations

from datetime import date, datetime

from wjexcel.report.timeliness import Timeliness, judge, on_time_rate, on_time_text
from wjexcel.plan.builtin import builtin_plan
from wjexcel.records import Verdict
from wjexcel.workspace.ledger import Submission

PLAN = builtin_plan()  # 报送期限 10 天
DUE = date(2022, 10, 10)
TODAY = date(2022, 10, 30)


def sub(n: int, verdict: str, received: datetime, sent: datetime | None = None, duplicate_of=None) -> Submission:
    return Submission(n, f"收回/{n}.xlsx", f"{n}.xlsx", f"{n:064x}", "七都镇", "district", "2022Q3", "F", verdict,
                      received, None, None, "", "", "", duplicate_of, sent_at=sent)


def test_the_mail_date_counts_not_the_day_it_was_collected():
    late_collect = sub(1, Verdict.ACCEPTED, datetime(2022, 10, 14, 9), sent=datetime(2022, 10, 10, 23, 50))
    assert judge(PLAN, DUE, [late_collect], TODAY) == Timeliness(DUE, True, 0)
    no_mail = sub(1, Verdict.ACCEPTED, datetime(2022, 10, 13, 9))
    assert judge(PLAN, DUE, [no_mail], TODAY) == Timeliness(DUE, False, 3)
    assert judge(PLAN, DUE, [no_mail], TODAY).label == "逾期3天"


def test_the_first_form_that_passed_decides_and_a_later_correction_does_not_make_it_late():
    first = sub(1, Verdict.SUPERSEDED, datetime(2022, 10, 9, 9))
    correction = sub(2, Verdict.ACCEPTED, datetime(2022, 10, 20, 9))
    assert judge(PLAN, DUE, [first, correction], TODAY).label == "按时"


def test_a_return_gives_a_new_date():
    returned = sub(1, Verdict.REJECTED, datetime(2022, 10, 9, 9))  # returned on 10-09: due again 10-19
    corrected = sub(2, Verdict.ACCEPTED, datetime(2022, 10, 18, 9))
    assert judge(PLAN, DUE, [returned, corrected], TODAY) == Timeliness(date(2022, 10, 19), True, 0)
    late = sub(2, Verdict.ACCEPTED, datetime(2022, 10, 22, 9))
    assert judge(PLAN, DUE, [returned, late], TODAY) == Timeliness(date(2022, 10, 19), False, 3)
    waiting = judge(PLAN, DUE, [returned], date(2022, 10, 15))
    assert waiting == Timeliness(date(2022, 10, 19), None, None) and waiting.label == "" and not waiting.decided


def test_a_duplicate_of_a_counted_form_sent_earlier_by_mail_counts():
    counted = sub(1, Verdict.ACCEPTED, datetime(2022, 10, 12, 9))
    by_mail = sub(2, Verdict.DUPLICATE, datetime(2022, 10, 12, 10), sent=datetime(2022, 10, 8, 9), duplicate_of=1)
    assert judge(PLAN, DUE, [counted, by_mail], TODAY).on_time is True


def test_nothing_sent():
    assert judge(PLAN, DUE, [], date(2022, 10, 10)) == Timeliness(DUE, None, None)
    overdue = judge(PLAN, DUE, [], TODAY)
    assert overdue == Timeliness(DUE, None, 20) and overdue.label == "已逾期20天" and overdue.decided
    assert judge(PLAN, None, [], TODAY) == Timeliness(None, None, None)


def test_the_on_time_rate_counts_only_what_is_decided():
    ts = [Timeliness(DUE, True, 0), Timeliness(DUE, True, 0), Timeliness(DUE, False, 2), Timeliness(DUE, None, 5),
          Timeliness(DUE, None, None)]
    assert on_time_rate(ts) == 0.5
    assert on_time_text(ts) == "按时报送 2 家、逾期 2 家（其中尚未报送 1 家），按时报送率 50.0%"
    assert on_time_text([Timeliness(DUE, None, None)]) == "" and on_time_rate([]) is None


def test_a_correction_sent_before_the_return_was_collected_keeps_the_first_date():
    """The town mailed a bad form on 10-08 and, of its own accord, a correction on 10-14; the clerk
    collected both on 10-15. The 退回 came after the correction was sent: it gives it no new date."""
    bad = sub(1, Verdict.REJECTED, datetime(2022, 10, 15, 9), sent=datetime(2022, 10, 8, 9))
    own = sub(2, Verdict.ACCEPTED, datetime(2022, 10, 15, 9, 5), sent=datetime(2022, 10, 14, 9))
    assert judge(PLAN, DUE, [bad, own], TODAY) == Timeliness(DUE, False, 4)
