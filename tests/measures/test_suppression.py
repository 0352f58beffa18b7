"""Small-number suppression: hand-built tables, and a property over random partitions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safeplan.measures.suppression import LOW, SUPPRESSED, Cell, Protected, protect


def table(
    total: tuple[int | None, int | None], **breakdowns: dict[str, tuple[int | None, int | None]]
) -> list[Cell]:
    cells = [Cell("total", "all", *total)]
    for name, categories in breakdowns.items():
        cells += [Cell(name, category, *counts) for category, counts in categories.items()]
    return cells


def by_category(result: Sequence[Protected]) -> dict[str, Protected]:
    return {p.cell.category: p for p in result}


def shown_numerators(result: Iterable[Protected]) -> dict[str, int | None]:
    return {p.cell.category: p.numerator_shown for p in result}


def test_a_single_small_cell_forces_a_secondary() -> None:
    cells = table((30, 600), age_band={"0-4": (3, 100), "5-9": (12, 200), "10-15": (15, 300)})
    result = by_category(protect(cells))
    assert shown_numerators(result.values()) == {"all": 30, "0-4": None, "5-9": None, "10-15": 15}
    assert (result["0-4"].reason, result["0-4"].symbol) == ("small", "c")
    assert (result["5-9"].reason, result["5-9"].symbol) == ("secondary", "c")
    assert result["5-9"].value_suppressed and not result["10-15"].value_suppressed
    assert result["5-9"].denominator_shown == 200  # denominators are protected on their own
    assert (result["10-15"].reason, result["10-15"].symbol) == ("", "")


def test_two_small_cells_need_no_secondary() -> None:
    cells = table((30, 90), gender={"female": (2, 30), "male": (4, 30), "unknown": (24, 30)})
    result = by_category(protect(cells))
    assert shown_numerators(result.values()) == {
        "all": 30,
        "female": None,
        "male": None,
        "unknown": 24,
    }
    assert {p.reason for p in result.values()} == {"", "small"}


def test_hidden_counts_that_could_only_be_ones_get_a_secondary() -> None:
    # 30 − 28 = 2 split over two hidden counts, each at least 1: both must be 1.
    cells = table((30, 90), gender={"female": (1, 30), "male": (1, 30), "unknown": (28, 30)})
    result = by_category(protect(cells))
    assert shown_numerators(result.values()) == {
        "all": 30,
        "female": None,
        "male": None,
        "unknown": None,
    }
    assert result["unknown"].reason == "secondary"


def test_zero_is_shown_and_never_chosen_as_a_secondary() -> None:
    plain = protect(table((30, 90), area={"north": (0, 30), "south": (10, 30), "east": (20, 30)}))
    assert {p.symbol for p in plain} == {""}
    assert by_category(plain)["north"].numerator_shown == 0
    cells = table((30, 90), area={"north": (0, 30), "south": (3, 30), "east": (27, 30)})
    result = by_category(protect(cells))
    assert shown_numerators(result.values()) == {"all": 30, "north": 0, "south": None, "east": None}


def test_a_small_total_takes_its_categories_with_it() -> None:
    cells = table((4, 40), age_band={"0-4": (1, 10), "5-9": (3, 10), "10-15": (0, 20)})
    result = by_category(protect(cells))
    assert shown_numerators(result.values()) == {
        "all": None,
        "0-4": None,
        "5-9": None,
        "10-15": 0,
    }
    assert result["all"].value_suppressed and result["all"].reason == "small"
    assert not result["10-15"].value_suppressed  # 0 of 20 is shown


def test_small_denominators_suppress_the_value() -> None:
    cells = table((0, 40), team={"a": (0, 4), "b": (0, 36)})
    result = by_category(protect(cells))
    assert (result["a"].numerator_shown, result["a"].denominator_shown) == (0, None)
    assert result["a"].value_suppressed and result["a"].reason == "small"
    assert (result["b"].denominator_shown, result["b"].reason) == (None, "secondary")
    assert result["b"].value_suppressed
    assert result["all"].denominator_shown == 40 and not result["all"].value_suppressed


def test_breakdowns_are_protected_independently() -> None:
    cells = table(
        (40, 400),
        gender={"female": (20, 200), "male": (20, 200)},
        age_band={"0-4": (2, 50), "5-9": (18, 150), "10-15": (20, 200)},
    )
    result = protect(cells)
    hidden = {(p.cell.breakdown, p.cell.category) for p in result if p.numerator_shown is None}
    assert hidden == {("age_band", "0-4"), ("age_band", "5-9")}


def test_ties_are_broken_by_category_name() -> None:
    cells = table((19, 90), area={"west": (8, 30), "east": (8, 30), "north": (3, 30)})
    result = by_category(protect(cells))
    assert shown_numerators(result.values()) == {"all": 19, "west": 8, "east": None, "north": None}
    assert protect(list(reversed(cells))) == list(reversed(protect(cells)))


def test_rounding_for_england_and_regional_outputs() -> None:
    cells = table((55, 1004), region={"a": (25, 500), "b": (24, 500), "c": (6, 4)})
    result = by_category(protect(cells, round_totals_to=10))
    assert {k: (p.numerator_shown, p.denominator_shown) for k, p in result.items()} == {
        "all": (60, 1000),
        "a": (30, None),  # the secondary for c's denominator of 4: a tie with b, broken by name
        "b": (20, 500),
        "c": (10, None),
    }
    assert result["c"].value_suppressed and result["a"].value_suppressed


def test_a_non_zero_count_that_rounds_to_zero_is_low() -> None:
    cells = table((103, 1000), region={"a": (100, 500), "b": (3, 500)})
    result = by_category(protect(cells, threshold=0, round_totals_to=10))
    assert (result["b"].numerator_shown, result["b"].symbol, result["b"].reason) == (None, LOW, "")
    assert not result["b"].value_suppressed
    assert SUPPRESSED == "c"


def test_missing_counts_pass_through() -> None:
    cells = table((3, None), age_band={"0-4": (3, None), "5-9": (0, None)})
    result = by_category(protect(cells))
    assert all(p.denominator_shown is None for p in result.values())
    assert result["all"].reason == "small" and result["5-9"].reason == ""


@pytest.mark.parametrize(
    ("cells", "kwargs", "message"),
    [
        (table((1, 1)), {"threshold": -1}, "threshold"),
        (table((1, 1)), {"round_totals_to": 0}, "round_totals_to"),
        ([*table((1, 1), a={"x": (1, 1)}), Cell("a", "x", 0, 0)], {}, "duplicate"),
        (table((-1, 1)), {}, "negative"),
        ([*table((1, 1)), Cell("total", "again", 1, 1)], {}, "one total"),
    ],
)
def test_bad_input(cells: list[Cell], kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        protect(cells, **kwargs)


@st.composite
def partitions(draw: st.DrawFn) -> tuple[list[Cell], int]:
    """Random children, each in one category of every breakdown and in the numerator or not.

    Counting them gives breakdowns that each partition the same total, with numerator ≤
    denominator everywhere and plenty of zeros and small counts.
    """
    sizes = draw(st.lists(st.integers(2, 5), min_size=1, max_size=3))
    child = st.tuples(st.booleans(), st.tuples(*(st.integers(0, n - 1) for n in sizes)))
    children = draw(st.lists(child, max_size=60))
    threshold = draw(st.sampled_from([5, 5, 0, 1, 3, 10]))
    cells = [Cell("total", "all", sum(flag for flag, _ in children), len(children))]
    for b, n in enumerate(sizes):
        for c in range(n):
            members = [flag for flag, groups in children if groups[b] == c]
            cells.append(Cell(f"breakdown_{b}", f"group_{c}", sum(members), len(members)))
    return cells, threshold


@settings(deadline=None, max_examples=300)
@given(partitions())
def test_no_suppressed_count_can_be_worked_out(case: tuple[list[Cell], int]) -> None:
    cells, threshold = case
    result = protect(cells, threshold=threshold)
    assert [p.cell for p in result] == cells
    total = result[0]
    breakdowns = {p.cell.breakdown for p in result[1:]}
    for attribute in ("numerator", "denominator"):

        def true(p: Protected, attribute: str = attribute) -> int:
            count = getattr(p.cell, attribute)
            assert isinstance(count, int)
            return count

        def hidden(p: Protected, attribute: str = attribute) -> bool:
            return getattr(p, f"{attribute}_shown") is None

        for p in result:
            # Every count from 1 to the threshold is hidden; zero is always shown; whatever is
            # shown is the true count, so a shown count is 0 or above the threshold.
            if 1 <= true(p) <= threshold:
                assert hidden(p)
            if true(p) == 0:
                assert not hidden(p)
            if not hidden(p):
                assert getattr(p, f"{attribute}_shown") == true(p)
                assert true(p) == 0 or true(p) > threshold
        for name in breakdowns:
            group = [p for p in result if p.cell.breakdown == name]
            secret = [true(p) for p in group if hidden(p)]
            if hidden(total):
                assert all(hidden(p) for p in group if true(p))
            else:
                # The total minus the shown counts gives only the sum of the hidden ones: it
                # must cover at least two, and not be a sum that forces each to be 1.
                assert len(secret) != 1
                assert not secret or sum(secret) > len(secret)
    for p in result:
        either = p.numerator_shown is None or p.denominator_shown is None
        assert p.value_suppressed == either
        assert (p.symbol == SUPPRESSED) == either
        assert (p.reason != "") == either


def test_without_a_total_cell_the_total_is_assumed_published() -> None:
    cells = [Cell("age_band", "0-4", 3, 30), Cell("age_band", "5-9", 9, 30)]
    assert [p.numerator_shown for p in protect(cells)] == [None, None]
