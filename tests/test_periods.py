"""Periods: parsing, order, 序时进度, and dates that any Windows C runtime can format."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from wjexcel.errors import PeriodError
from wjexcel.periods import Period, chinese_date


def test_periods_sort_by_when_they_end():
    codes = ["2022", "2022Q3", "2022-09", "2021", "2022-01", "2022Q1", "2021Q4", "2022-12", "2022Q4"]
    ordered = [p.code for p in sorted(Period.parse(c) for c in codes)]
    assert ordered == ["2021Q4", "2021", "2022-01", "2022Q1", "2022-09", "2022Q3", "2022-12", "2022Q4", "2022"]
    assert Period.parse("2022-09") < Period.parse("2022Q3") < Period.parse("2022")
    assert max(Period.parse(c) for c in ("2022Q2", "2022-05")) == Period.parse("2022Q2")


@pytest.mark.parametrize("text, code, elapsed", [("2022", "2022", 1.0), ("2022Q3", "2022Q3", 0.75),
                                                 ("2022-9", "2022-09", 0.75), ("2022年", "2022", 1.0)])
def test_parse_and_elapsed(text, code, elapsed):
    period = Period.parse(text)
    assert period.code == code and period.elapsed == elapsed


def test_a_bad_period_is_said_in_chinese():
    with pytest.raises(PeriodError, match="期间“2022Q5”无法识别"):
        Period.parse("2022Q5")


def test_chinese_dates_are_built_from_numbers():
    assert chinese_date(date(2022, 10, 8)) == "2022年10月8日"


def test_no_date_pattern_holds_chinese():
    """``strftime`` with Chinese characters fails on some Windows C runtimes ('Invalid format
    string'): no pattern in the package may hold any non-ASCII character."""
    package = Path(__file__).resolve().parents[1] / "wjexcel"
    patterns = re.compile(r"strftime\(\s*[\"']([^\"']*)[\"']|\{[^{}:]+:(%[^{}]*)\}")
    offending = []
    for path in package.rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in patterns.finditer(line):
                pattern = match.group(1) or match.group(2) or ""
                if any(ord(ch) > 127 for ch in pattern):
                    offending.append(f"{path.relative_to(package)}:{number}: {pattern}")
    assert not offending, offending


ALL_PERIODS = [Period(2022)] + [Period(2022, "quarter", q) for q in range(1, 5)] + \
    [Period(2022, "month", m) for m in range(1, 13)]


@pytest.mark.parametrize("period", ALL_PERIODS, ids=lambda p: p.code)
def test_the_tools_own_wording_of_a_period_is_accepted(period):
    """What the tool prints (``label``) is what a clerk copies back into -p or a cell."""
    assert Period.parse(period.label) == period
    assert Period.parse(period.code) == period


@pytest.mark.parametrize("text, code", [
    ("2022年第三季度", "2022Q3"), ("2022年三季度", "2022Q3"), ("2022年3季度", "2022Q3"), ("2022年第4季度", "2022Q4"),
    ("2022年一季", "2022Q1"), ("2022年9月", "2022-09"), ("2022年09月", "2022-09"), ("2022年十二月", "2022-12"),
    ("2022年十一月份", "2022-11"), ("2022年度", "2022"), ("2022年", "2022"), ("２０２２Ｑ３", "2022Q3"),
    (" 2022 年 第三季度 ", "2022Q3"),
])
def test_chinese_wordings_of_a_period(text, code):
    assert Period.parse(text).code == code


@pytest.mark.parametrize("text", ["2022年第五季度", "2022年13月", "2022年第三", "三季度", "2022年0月", "2022年度Q3"])
def test_a_wrong_chinese_period_is_refused_in_chinese(text):
    with pytest.raises(PeriodError, match=f"期间“{re.escape(text)}”无法识别"):
        Period.parse(text)
