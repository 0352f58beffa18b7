"""Reporting periods and working days, against dates counted by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from safeplan.ingest.calendar import (
    is_working_day,
    working_day_index,
    working_days_between,
)
from safeplan.measures.periods import make, parse


@pytest.mark.parametrize(
    ("label", "start", "end", "kind"),
    [
        ("2024-09", date(2024, 9, 1), date(2024, 9, 30), "month"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "month"),  # a leap year
        ("2023-02", date(2023, 2, 1), date(2023, 2, 28), "month"),
        ("2024-Q3", date(2024, 7, 1), date(2024, 9, 30), "quarter"),
        ("2025-q1", date(2025, 1, 1), date(2025, 3, 31), "quarter"),
        ("2024-25", date(2024, 4, 1), date(2025, 3, 31), "fy"),
        ("2012-13", date(2012, 4, 1), date(2013, 3, 31), "fy"),  # the first that cannot be a month
        ("R12-2024-09", date(2023, 10, 1), date(2024, 9, 30), "r12"),
        ("r12-2025-03", date(2024, 4, 1), date(2025, 3, 31), "r12"),
        (" 2024-12 ", date(2024, 12, 1), date(2024, 12, 31), "month"),
    ],
)
def test_parse(label: str, start: date, end: date, kind: str) -> None:
    p = parse(label)
    assert (p.start, p.end, p.kind) == (start, end, kind)


def test_labels_round_trip() -> None:
    for label in ("2024-09", "2024-Q3", "2024-25", "R12-2024-09"):
        assert parse(label).label == label == str(parse(label))


@pytest.mark.parametrize("label", ["2024-13", "2024-00", "2024-27", "2024-Q5", "24-25", "FY24"])
def test_parse_rejects(label: str) -> None:
    with pytest.raises(ValueError, match="is not a period"):
        parse(label)


def test_make_rejects_misaligned_ends() -> None:
    with pytest.raises(ValueError, match="quarter"):
        make("quarter", date(2024, 8, 1))
    with pytest.raises(ValueError, match="financial year"):
        make("fy", date(2024, 12, 1))


def test_titles() -> None:
    assert parse("2024-Q3").title == "Jul–Sep 2024 (Q2 2024-25)"  # calendar Q3 is FY Q2
    assert parse("2025-Q1").title == "Jan–Mar 2025 (Q4 2024-25)"
    assert parse("2024-25").title == "April 2024 to March 2025"
    assert parse("R12-2024-09").title == "12 months to September 2024"
    assert parse("2024-09").title == "September 2024"


def test_previous_and_series() -> None:
    assert parse("2024-01").previous().label == "2023-12"
    assert parse("2024-Q1").previous().label == "2023-Q4"
    assert parse("2024-25").previous().label == "2023-24"
    assert parse("R12-2024-09").previous().label == "R12-2024-08"  # rolls on a month
    assert parse("2024-Q3").year_earlier().label == "2023-Q3"
    assert [p.label for p in parse("2024-Q3").series(4)] == [
        "2023-Q4",
        "2024-Q1",
        "2024-Q2",
        "2024-Q3",
    ]
    assert parse("2025-03").shifted(-14).label == "2024-01"


def test_periods_sort_by_end_then_start() -> None:
    labels = ["2024-25", "2024-09", "2024-Q3", "2024-04"]
    assert [p.label for p in sorted(parse(x) for x in labels)] == [
        "2024-04",
        "2024-Q3",  # ends with September, starting earlier
        "2024-09",
        "2024-25",
    ]


# --- working days (England and Wales bank holidays) ------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2024, 12, 25), False),  # Christmas Day
        (date(2024, 12, 26), False),  # Boxing Day
        (date(2024, 12, 24), True),  # Christmas Eve is not a bank holiday
        (date(2025, 1, 1), False),
        (date(2024, 3, 29), False),  # Good Friday 2024
        (date(2024, 4, 1), False),  # Easter Monday 2024
        (date(2024, 5, 6), False),  # early May bank holiday
        (date(2024, 8, 26), False),  # summer bank holiday (England, not Scotland's 5 Aug)
        (date(2024, 8, 5), True),
        (date(2023, 5, 8), False),  # the King's coronation
        (date(2020, 5, 8), False),  # VE Day: the early May holiday moved to a Friday
        (date(2020, 5, 4), True),
        (date(2024, 3, 17), False),  # a Sunday (St Patrick's Day is Northern Ireland's)
        (date(2024, 11, 30), False),  # a Saturday (St Andrew's Day is Scotland's)
        (date(2024, 11, 29), True),
    ],
)
def test_is_working_day(day: date, working: bool) -> None:
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2024, 6, 3), date(2024, 6, 3), 0),  # the same day
        (date(2024, 6, 7), date(2024, 6, 10), 1),  # Friday to Monday
        (date(2024, 6, 8), date(2024, 6, 9), 0),  # Saturday to Sunday
        (date(2024, 6, 3), date(2024, 6, 14), 9),  # two weeks less the start day
        (date(2024, 12, 24), date(2024, 12, 27), 1),  # Christmas and Boxing Day skipped
        (date(2024, 12, 20), date(2025, 1, 2), 6),  # Dec 23, 24, 27, 30, 31, Jan 2
        (date(2024, 3, 28), date(2024, 4, 2), 1),  # Easter: only Tue 2 April
        # The assessments in test_catalogue_cin: 45 working days (48 and 47 weekdays).
        (date(2024, 11, 25), date(2025, 1, 30), 45),
        (date(2024, 2, 26), date(2024, 5, 1), 45),
        (date(2024, 12, 11), date(2025, 1, 6), 15),
        (date(2024, 12, 11), date(2025, 1, 13), 20),
        (date(2025, 1, 6), date(2024, 12, 11), -15),  # backwards
    ],
)
def test_working_days_between(start: date, end: date, days: int) -> None:
    assert working_days_between(start, end) == days


def test_working_days_without_bank_holidays_would_differ() -> None:
    """The Christmas assessment has 48 weekdays but 45 working days: the bank holidays decide
    whether it is in time."""
    start, end = date(2024, 11, 25), date(2025, 1, 30)
    weekdays = sum(
        (start + timedelta(days=n)).weekday() < 5 for n in range(1, (end - start).days + 1)
    )
    assert (weekdays, working_days_between(start, end)) == (48, 45)


def test_index_agrees_with_between() -> None:
    """The SQL calendar's running count gives the same answer as counting directly."""
    first, last = date(2023, 12, 1), date(2025, 2, 1)
    index = dict(working_day_index(first, last))
    assert index[first] == 0
    for a, b in [
        (date(2023, 12, 22), date(2024, 1, 2)),
        (date(2024, 2, 26), date(2024, 5, 1)),
        (date(2024, 11, 25), date(2025, 1, 30)),
        (date(2024, 12, 25), date(2024, 12, 26)),
    ]:
        assert index[b] - index[a] == working_days_between(a, b)
