"""Working days: weekdays that are not bank holidays in England and Wales.

DfE timeliness measures (assessments within 45 working days, ICPCs within 15) count working
days. Bank holidays come from the `holidays` package (computed, no network), subdivision
England, whose bank holidays are England and Wales's.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays


@cache
def bank_holidays(first_year: int, last_year: int) -> frozenset[date]:
    days = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    return frozenset(days)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year, day.year)


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 on the same day).

    So an assessment authorised 45 working days after it started is "within 45 working days".
    """
    if end < start:
        return -working_days_between(end, start)
    holidays_ = bank_holidays(start.year, end.year)
    days, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in holidays_:
            days += 1
    return days


def working_day_index(first: date, last: date) -> list[tuple[date, int]]:
    """Each calendar day with the count of working days since `first`, for joins in SQL:
    working days between a and b = index(b) - index(a)."""
    holidays_ = bank_holidays(first.year, last.year)
    out, count, day = [], 0, first
    while day <= last:
        if day != first and day.weekday() < 5 and day not in holidays_:
            count += 1
        out.append((day, count))
        day += timedelta(days=1)
    return out
