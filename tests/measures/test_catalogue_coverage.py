"""Every built-in measure has a hand-built fixture test, so a new one cannot ship untested."""

from __future__ import annotations

from safeplan.measures.catalogue import BUILT_IN
from tests.measures import test_catalogue_cin, test_catalogue_looked_after, test_catalogue_partner
from tests.measures.builders import Case

ALL_CASES: list[Case] = [
    *test_catalogue_cin.CASES,
    *test_catalogue_looked_after.CASES,
    *test_catalogue_partner.CASES,
]


def test_every_measure_has_a_fixture_test() -> None:
    tested = {case.measure for case in ALL_CASES}
    missing = sorted(m.id for m in BUILT_IN if m.id not in tested)
    assert not missing, f"measures without a fixture test in tests/measures: {missing}"


def test_cases_name_real_measures_and_are_unique() -> None:
    ids = [case.id for case in ALL_CASES]
    assert len(ids) == len(set(ids))
    assert {case.measure for case in ALL_CASES} <= {m.id for m in BUILT_IN}
