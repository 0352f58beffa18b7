"""The small-number check on free text, by hand: what could give back a count of 1 to 5 is
found (with its span and why), and years, quarters, dates, labels, durations and large
numbers are not."""

from __future__ import annotations

import pytest

from safeplan.measures.suppression import DEFAULT_THRESHOLD
from safeplan.publish.smallnumbers import COUNT, PART, PERCENT, findings, passes


def found(text: str) -> list[tuple[str, str]]:
    return [(f.text, f.why) for f in findings(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2.4% (2 of 85 plans)", [("2.4% (2 of 85 plans)", PERCENT)]),
        ("2 children", [("2 children", COUNT)]),
        ("three families", [("three families", COUNT)]),
        ("Five young people went missing.", [("Five young", COUNT)]),
        ("The figure rose to 4 this quarter.", [("4", COUNT)]),
        ("It fell from 5 to 3.", [("5", COUNT), ("3", COUNT)]),
        ("only 1 plan", [("1 plan", COUNT)]),
        ("one child moved", [("one child", COUNT)]),
        ("2 of 85 plans", [("2 of 85 plans", PART)]),
        ("80 of 85 plans lasted", [("80 of 85 plans", PART)]),  # the rest, 5, is small
        ("4 out of 10 children", [("4 out of 10 children", PART)]),
        ("two of seven families", [("two of seven families", PART)]),
        ("3 of the 40 plans", [("3 of the 40 plans", PART)]),
        ("one of 4 children", [("one of 4 children", PART)]),
        ("0 of 4 were seen", [("0 of 4", PART)]),  # 0 shown, but the rest is 4
        ("twenty-one of twenty-three", [("twenty-one of twenty-three", PART)]),
        ("50% of 4 children", [("50% of 4 children", PERCENT)]),  # a small base
        ("60% of 10 children", [("60% of 10 children", PERCENT)]),  # 6 and a rest of 4
        ("12.5% of 40 plans", [("12.5% of 40 plans", PERCENT)]),  # implies 5
        ("40% (4 children)", [("40% (4 children)", PERCENT)]),
        ("Rates (n=3) are unstable.", [("3", COUNT)]),
        ("last quarter 2 children", [("2 children", COUNT)]),
        ("In the last year 4 children waited.", [("4 children", COUNT)]),
        (
            "Of 85 plans, 2.4% (2 of 85 plans) lasted 2 years; 3 families moved.",
            [("2.4% (2 of 85 plans)", PERCENT), ("3 families", COUNT)],
        ),
    ],
)
def test_small_numbers_are_found_with_their_span_and_why(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert found(text) == expected
    assert not passes(text)


@pytest.mark.parametrize(
    "text",
    [
        "2024-25",
        "2024/25",
        "2024 to 2025",
        "the 2019-2023 plan",
        "Q3",
        "In Q1 2025-26 the rate fell.",
        "quarter 2",
        "quarter 2 of 2024-25",
        "3 March 2025",
        "March 3, 2025",
        "31/03/2025",
        "on the 1st of April",
        "the 3rd review",
        "priority 2",
        "Priorities 1, 2 and 3",
        "section 4",
        "section 47 enquiries rose to 120",
        "paragraph 3.2",
        "version 2.0",
        "Tier 4 services",
        "Year 6 pupils",
        "47 working days",
        "within 3 working days",
        "a 30-day window",
        "Working Together 2023",
        "at 2:30pm",
        "by 3pm",
        "14:30",
        "children aged 4",
        "5-year-olds",
        "under 5s",
        "1 in 4 children",
        "£3 million",
        "S47 enquiries and KS2 results",
        "Seed 003: the plan",
        "1. Improve\n2. Reduce",
        "one of our priorities",
        "no one was missed",
        "one-to-one support",
        "one another",
        "one team approach",
        "two-thirds of families",
        "3 times more likely",
        "2.4%",
        "The rate fell 3.5%.",
        "a rate of 4.2 per 10,000",
        "3 per 10,000 children",
        "34 of 85 plans",
        "6 of 20",
        "12% of 200 children",
        "1,234 contacts",
        "22 children",
        "twice as many",
        "The rate is steady; the new review meetings start in Q3 2025-26.",
    ],
)
def test_dates_labels_durations_and_large_numbers_pass(text: str) -> None:
    assert found(text) == []
    assert passes(text)


def test_the_threshold_is_the_dfes() -> None:
    """Counts up to the suppression threshold are small, the next one is not."""
    assert found(f"{DEFAULT_THRESHOLD} children") == [(f"{DEFAULT_THRESHOLD} children", COUNT)]
    assert passes(f"{DEFAULT_THRESHOLD + 1} children")
    assert f"1 to {DEFAULT_THRESHOLD}" in COUNT


def test_a_finding_points_at_its_place_in_the_text() -> None:
    text = "Steady overall. 2.4% (2 of 85 plans) lasted two years or more."
    (only,) = findings(text)
    assert text[only.start : only.end] == only.text == "2.4% (2 of 85 plans)"
