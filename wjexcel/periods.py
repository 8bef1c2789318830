"""Reporting periods: a year (``2022``), a quarter (``2022Q3``) or a month (``2022-09``).

A period knows its Chinese label and its 序时进度 (the share of the year elapsed at its
end), which is what government progress reports judge indicators against.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from wjexcel.errors import PeriodError

_YEAR = re.compile(r"^(\d{4})(?:年)?$")
_QUARTER = re.compile(r"^(\d{4})\s*[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")

QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period; ``kind`` is ``"year"``, ``"quarter"`` or ``"month"``."""

    year: int
    kind: str = "year"
    number: int = 0  # quarter 1-4, month 1-12, 0 for a year

    @classmethod
    def parse(cls, text: str) -> "Period":
        """Parse ``2022``, ``2022Q3`` or ``2022-09``; raise PeriodError in Chinese otherwise."""
        raw = str(text).strip()
        if m := _YEAR.match(raw):
            return cls(int(m.group(1)))
        if m := _QUARTER.match(raw):
            return cls(int(m.group(1)), "quarter", int(m.group(2)))
        if m := _MONTH.match(raw):
            month = int(m.group(2))
            if 1 <= month <= 12:
                return cls(int(m.group(1)), "month", month)
        raise PeriodError(
            f"期间“{raw}”无法识别：请写成年度 2022、季度 2022Q3 或月份 2022-09。"
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
    def is_year_end(self) -> bool:
        return self.elapsed_fraction == 1

    @property
    def start_date(self) -> date:
        month = {"year": 1, "quarter": self.number * 3 - 2, "month": self.number}[self.kind]
        return date(self.year, month, 1)

    @property
    def end_date(self) -> date:
        month = {"year": 12, "quarter": self.number * 3, "month": self.number}[self.kind]
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    def earlier_in_year(self, other: "Period") -> bool:
        """True when ``other`` is in the same year and ends before this period."""
        return other.year == self.year and other.end_date < self.end_date


def plan_elapsed(period: Period, years: list[int]) -> float:
    """Share of the whole plan (all its years) elapsed at the end of ``period``."""
    if not years:
        return 0.0
    done = sum(1 for y in years if y < period.year)
    if period.year in years:
        done_f = Fraction(done) + period.elapsed_fraction
    else:
        done_f = Fraction(done)
    return float(done_f / len(years))
