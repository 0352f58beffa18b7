"""Public figures protected together: worked by hand, and attacked by an outsider who knows
every sum (tests/attack.py, written apart from the protector)."""

from __future__ import annotations

from safeplan.measures.catalogue import catalogue
from safeplan.measures.engine import Result
from safeplan.measures.public import Published, publishable
from safeplan.measures.suppression import SUPPRESSED
from tests.attack import Key, Shown, recovered


def _cells(published: list[Published]) -> dict[Key, Published]:
    return {
        (p.result.measure, p.result.period, p.result.breakdown, p.result.group): p
        for p in published
    }


def _attack(truth: list[Result], published: list[Published]) -> dict[Key, str]:
    known = {(r.measure, r.period, r.breakdown, r.group): r for r in truth}
    shown = {
        key: Shown(p.result.numerator, p.result.denominator, p.suppressed)
        for key, p in _cells(published).items()
    }
    units = {m.id: m.unit for m in catalogue().values()}
    return recovered(known, shown, units)


def test_one_case_of_49_days_publishes_no_sum_of_days() -> None:
    """Neglect cases' average length in days: the numerator is a sum of days, the
    denominator the cases. In 2025-Q1, 10 cases lasted 400 days in all; of them, girls: 1
    case of 49 days (average 49.0), boys: 9 cases of 351 days (39.0).

    By hand: the girls' cell rests on one case, so it is withheld, and with it its 49 days
    (the sum of days is one child's case length). Shown beside the total, the boys' cell
    would give it away (10 − 9 = 1 case, 400 − 351 = 49 days), so it is withheld too. The
    total (10 cases) may be shown."""
    truth = [
        Result("neglect_case_duration", "2025-Q1", "total", "All", 400.0, 10.0, 40.0, 10),
        Result("neglect_case_duration", "2025-Q1", "gender", "Female", 49.0, 1.0, 49.0, 1),
        Result("neglect_case_duration", "2025-Q1", "gender", "Male", 351.0, 9.0, 39.0, 9),
    ]
    published = publishable(truth)
    cells = _cells(published)
    girls = cells[("neglect_case_duration", "2025-Q1", "gender", "Female")]
    boys = cells[("neglect_case_duration", "2025-Q1", "gender", "Male")]
    for cell in (girls, boys):
        r = cell.result
        assert cell.suppressed and cell.symbol == SUPPRESSED
        assert (r.numerator, r.denominator, r.value, r.per_10k, r.records) == (None,) * 4 + (0,)
    assert (girls.reason, boys.reason) == ("small", "secondary")
    total = cells[("neglect_case_duration", "2025-Q1", "total", "All")]
    assert not total.suppressed and total.result.value == 40.0
    assert _attack(truth, published) == {}


def _year_and_quarters(yes: dict[str, int], all_: dict[str, int]) -> list[Result]:
    """Assessments in 45 working days, disability = Yes and every child, in each quarter of
    2024-25 and the year (a year's assessments are its quarters' assessments)."""
    out = []
    for period in [*yes]:
        for group, counts in (("Yes", yes), ("No", {k: all_[k] - v for k, v in yes.items()})):
            num = counts[period]
            out.append(
                Result("assessments_45wd", period, "disability", group, num, 20.0 * num, 5.0, 0)
            )
        total = all_[period]
        out.append(Result("assessments_45wd", period, "total", "All", total, 20.0 * total, 5.0, 0))
    return out


def test_a_year_minus_its_shown_quarters_does_not_give_the_fourth() -> None:
    """The issue's example: disabled children's assessments in 45 working days, 2024-25: 27
    in the year; 9 in Q2 (Apr–Jun 2024), 5 in Q3, 7 in Q4, 6 in 2025-Q1. The 5 is withheld;
    shown alone, 27 − 9 − 7 − 6 = 5 gives it back. So a second quarter must be withheld with
    it, and then the year, the total and the other groups are checked again (each quarter's
    total − its disabled = its non-disabled, so the non-disabled cells of those quarters
    must not be all shown either).

    Every denominator is 20 times its numerator (so only the 5 is small); each cell's
    value is 5%."""
    yes = {"2024-Q2": 9, "2024-Q3": 5, "2024-Q4": 7, "2025-Q1": 6, "2024-25": 27}
    all_ = {"2024-Q2": 40, "2024-Q3": 44, "2024-Q4": 38, "2025-Q1": 41, "2024-25": 163}
    truth = _year_and_quarters(yes, all_)
    published = publishable(truth)
    cells = _cells(published)
    q3 = cells[("assessments_45wd", "2024-Q3", "disability", "Yes")]
    assert q3.suppressed and q3.reason == "small"
    withheld = [k for k, p in cells.items() if p.suppressed]
    assert len(withheld) >= 2  # never the 5 alone
    assert _attack(truth, published) == {}
    # and the attacker does find it when only the 5 is withheld (the test can fail)
    naive = [
        Published(r, True, SUPPRESSED, "small")
        if (r.period, r.group) == ("2024-Q3", "Yes")
        else Published(r, False, "", "")
        for r in truth
    ]
    assert _attack(truth, naive) == {
        ("assessments_45wd", "2024-Q3", "disability", "Yes"): "numerator by differencing"
    }


def test_two_withheld_groups_that_add_to_two_are_not_left_alone() -> None:
    """Children exploited (a count): 12 in 2025-Q1; by locality North 1, South 1, East 10.
    North and South are withheld (1 each). Differencing gives only North + South = 2; but a
    withheld count is at least 1 child, so both are 1: the bounds give them away. A third
    cell must be withheld: East (the smallest shown), after which North + South + East = 12
    with each at least 1 leaves North anywhere from 1 to 10."""
    truth = [
        Result("children_exploitation", "2025-Q1", "total", "All", 12.0, None, 12.0, 12),
        Result("children_exploitation", "2025-Q1", "locality", "North", 1.0, None, 1.0, 1),
        Result("children_exploitation", "2025-Q1", "locality", "South", 1.0, None, 1.0, 1),
        Result("children_exploitation", "2025-Q1", "locality", "East", 10.0, None, 10.0, 10),
    ]
    published = publishable(truth)
    reasons = {k[3]: p.reason for k, p in _cells(published).items()}
    assert reasons == {"All": "", "North": "small", "South": "small", "East": "secondary"}
    assert _attack(truth, published) == {}
    naive = [Published(r, r.numerator == 1.0, "", "") for r in truth]
    assert set(_attack(truth, naive).values()) == {"numerator by bounds"}
