"""Reporting periods: a year (``2022``), a quarter (``2022Q3``) or a month (``2022-09``).

A period knows its Chinese label and its 序时进度 (the share of the year elapsed at its
end), which is what government progress reports judge indicators against.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from functools import total_ordering

from wjexcel.errors import PeriodError

_YEAR = re.compile(r"^(\d{4})(?:\s*年度?)?$")
_QUARTER = re.compile(r"^(\d{4})\s*[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
# The tool's own wording, as labels print it and a clerk copies it: 2022年第三季度, 2022年三季度, 2022年9月.
_QUARTER_WORDS = re.compile(r"^(\d{4})\s*年\s*(?:第\s*)?([一二三四1-4])\s*季度?$")
_MONTH_WORDS = re.compile(r"^(\d{4})\s*年\s*(\d{1,2}|十[一二]?|[一二三四五六七八九])\s*月份?$")

QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}
_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "十一": 11,
             "十二": 12}


_GRAIN = {"month": 0, "quarter": 1, "year": 2}


@total_ordering
@dataclass(frozen=True)
class Period:
    """One reporting period; ``kind`` is ``"year"``, ``"quarter"`` or ``"month"``.

    Periods sort by when they end, and a shorter one first where two end together
    (2022-09 < 2022Q3 < 2022-12 < 2022Q4 < 2022).
    """

    year: int
    kind: str = "year"
    number: int = 0  # quarter 1-4, month 1-12, 0 for a year

    @classmethod
    def parse(cls, text: str) -> "Period":
        """Parse ``2022``, ``2022Q3`` or ``2022-09``, or the Chinese wording of :attr:`label`
        (``2022年度``, ``2022年第三季度``/``2022年三季度``, ``2022年9月``); full-width digits too.
        Raise PeriodError in Chinese otherwise."""
        raw = str(text).strip()
        typed = unicodedata.normalize("NFKC", raw)
        if m := _YEAR.match(typed):
            return cls(int(m.group(1)))
        if m := _QUARTER.match(typed) or _QUARTER_WORDS.match(typed):
            return cls(int(m.group(1)), "quarter", _number(m.group(2)))
        if m := _MONTH.match(typed) or _MONTH_WORDS.match(typed):
            month = _number(m.group(2))
            if 1 <= month <= 12:
                return cls(int(m.group(1)), "month", month)
        raise PeriodError(
            f"期间“{raw}”无法识别：请写成年度 2022、季度 2022Q3 或月份 2022-09（也可写 2022年第三季度、2022年9月）。"
        )

    @property
    def code(self) -> str:
        """The canonical string: ``2022``, ``2022Q3``, ``2022-09``."""
        if self.kind == "quarter":
            return f"{self.year}Q{self.number}"
        if self.kind == "month":
            return f"{self.year}-{self.number:02d}"
        return str(self.year)

    def __str__(self) -> str:
        return self.code

    @property
    def label(self) -> str:
        """Chinese label: 2022年度, 2022年第三季度, 2022年9月."""
        if self.kind == "quarter":
            return f"{self.year}年第{QUARTER_NAMES[self.number]}季度"
        if self.kind == "month":
            return f"{self.year}年{self.number}月"
        return f"{self.year}年度"

    @property
    def end_label(self) -> str:
        """截至 wording: 2022年底, 2022年三季度末, 2022年9月底."""
        if self.kind == "quarter":
            return f"{self.year}年{QUARTER_NAMES[self.number]}季度末" if self.number < 4 else f"{self.year}年底"
        if self.kind == "month":
            return f"{self.year}年{self.number}月底" if self.number < 12 else f"{self.year}年底"
        return f"{self.year}年底"

    @property
    def elapsed_fraction(self) -> Fraction:
        """Exact share of the year elapsed at the period's end."""
        if self.kind == "quarter":
            return Fraction(self.number, 4)
        if self.kind == "month":
            return Fraction(self.number, 12)
        return Fraction(1)

    @property
    def elapsed(self) -> float:
        """序时进度 as a float: 1 for a year, 0.75 for Q3, 9/12 for September."""
        return float(self.elapsed_fraction)

    @property
    def start_date(self) -> date:
        month = {"year": 1, "quarter": self.number * 3 - 2, "month": self.number}[self.kind]
        return date(self.year, month, 1)

    @property
    def end_date(self) -> date:
        month = {"year": 12, "quarter": self.number * 3, "month": self.number}[self.kind]
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def is_year_end(self) -> bool:
        """The period ends on 31 December (the year itself, its Q4, its December)."""
        return self.elapsed_fraction == 1

    def previous(self) -> "Period":
        """The period just before, at the same granularity: 2022Q1 → 2021Q4, 2022-01 → 2021-12."""
        if self.kind == "year":
            return Period(self.year - 1)
        last = 4 if self.kind == "quarter" else 12
        if self.number == 1:
            return Period(self.year - 1, self.kind, last)
        return Period(self.year, self.kind, self.number - 1)

    def a_year_earlier(self) -> "Period":
        """The same period a year earlier (同比)."""
        return Period(self.year - 1, self.kind, self.number)

    def _key(self) -> tuple:
        return (self.end_date, _GRAIN[self.kind])

    def __lt__(self, other: "Period") -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._key() < other._key()


def _number(text: str) -> int:
    return _NUMERALS[text] if text in _NUMERALS else int(text)


def chinese_date(day: date) -> str:
    """``2022年10月8日``, built from the numbers (some Windows C runtimes refuse Chinese in strftime)."""
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_time(moment: datetime) -> str:
    """``2022年10月8日 10:32``: a moment as a clerk writes it (see :func:`chinese_date`)."""
    return f"{chinese_date(moment)} {moment:%H:%M}"


def year_ends(year: int) -> tuple[Period, Period, Period]:
    """Where a year's closing figure is found, first choice first: the year, its Q4, its December."""
    return Period(year), Period(year, "quarter", 4), Period(year, "month", 12)
