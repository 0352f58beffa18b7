"""Reporting periods: months, quarters, financial years and rolling 12 months.

Labels are what users type: ``2024-09`` (a month), ``2024-Q3`` (calendar quarter: July to
September 2024, which is Q2 of the financial year 2024-25), ``2024-25`` (the financial year
April 2024 to March 2025, the statutory returns' year) and ``R12-2024-09`` (the 12 months
ending September 2024). Every period is a closed date range.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

Kind = Literal["month", "quarter", "fy", "r12"]


@dataclass(frozen=True, order=True)
class Period:
    end: date
    start: date
    kind: Kind
    label: str

    def __str__(self) -> str:
        return self.label

    @property
    def title(self) -> str:
        """A reader's name for the period."""
        if self.kind == "quarter":
            fy = self.end.year if self.end.month > 3 else self.end.year - 1
            q = {6: 1, 9: 2, 12: 3, 3: 4}[self.end.month]
            return f"{self.start:%b}–{self.end:%b %Y} (Q{q} {fy}-{(fy + 1) % 100:02d})"
        if self.kind == "fy":
            return f"April {self.start.year} to March {self.end.year}"
        if self.kind == "r12":
            return f"12 months to {self.end:%B %Y}"
        return f"{self.start:%B %Y}"

    def shifted(self, months: int) -> Period:
        """The period of the same kind `months` later (negative: earlier)."""
        return make(self.kind, _add_months(self.end.replace(day=1), months))

    def previous(self) -> Period:
        return self.shifted(-{"month": 1, "quarter": 3, "fy": 12, "r12": 1}[self.kind])

    def year_earlier(self) -> Period:
        return self.shifted(-12)

    def series(self, n: int) -> list[Period]:
        """The n periods of this kind ending with this one, oldest first."""
        out = [self]
        while len(out) < n:
            out.append(out[-1].previous())
        return out[::-1]


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month_end(first: date) -> date:
    return _add_months(first, 1) - timedelta(days=1)


def make(kind: Kind, end_month: date) -> Period:
    """The period of `kind` whose last month is `end_month` (any day in it)."""
    last = end_month.replace(day=1)
    end = _month_end(last)
    if kind == "month":
        return Period(end, last, kind, f"{last:%Y-%m}")
    if kind == "quarter":
        if last.month % 3:
            raise ValueError("a quarter ends in March, June, September or December")
        return Period(end, _add_months(last, -2), kind, f"{last.year}-Q{last.month // 3}")
    if kind == "fy":
        if last.month != 3:
            raise ValueError("a financial year ends in March")
        return Period(
            end, date(last.year - 1, 4, 1), kind, f"{last.year - 1}-{last.year % 100:02d}"
        )
    return Period(end, _add_months(last, -11), kind, f"R12-{last:%Y-%m}")


def parse(label: str) -> Period:
    label = label.strip()
    if m := re.fullmatch(r"(\d{4})-(\d{2})", label):
        year, second = int(m.group(1)), int(m.group(2))
        if 1 <= second <= 12:  # a month (financial years from 2012-13 on never look like one)
            return make("month", date(year, second, 1))
        if second == (year + 1) % 100:
            return make("fy", date(year + 1, 3, 1))
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", label, flags=re.I):
        return make("quarter", date(int(m.group(1)), int(m.group(2)) * 3, 1))
    if m := re.fullmatch(r"R12-(\d{4})-(\d{2})", label, flags=re.I):
        return make("r12", date(int(m.group(1)), int(m.group(2)), 1))
    raise ValueError(
        f"'{label}' is not a period: use 2024-09 (month), 2024-Q3 (quarter), "
        "2024-25 (financial year) or R12-2024-09 (12 months to September 2024)"
    )
