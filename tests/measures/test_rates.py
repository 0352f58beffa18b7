"""Rates per 10,000 children: Devon's "children looked after per 10,000 children" is a rate
in every place it is shown, never the count set beside the DfE's published rate."""

from __future__ import annotations

from safeplan.measures.catalogue import catalogue
from safeplan.measures.engine import compute
from safeplan.measures.periods import parse
from safeplan.vocabulary import Unit
from tests.measures.builders import d
from tests.measures.conftest import MakeSource

FY = parse("2024-25")


def looked_after(pid: str, ls: str = "C2") -> dict[str, object]:
    return {"person_id": pid, "decom": d("2024-06-01"), "dec": None, "rne": "S", "ls": ls}


ROWS = {
    "ssd_cla_header": [{"person_id": p, "dob": d("2012-01-01"), "sex": "1"} for p in "ABC"],
    # A and B are looked after on 31/3/25; C is on short breaks (V4): not counted.
    "ssd_cla_episodes": [looked_after("A"), looked_after("B"), looked_after("C", "V4")],
}
# Two areas' estimates for mid-2024 (the latest on or before 31/3/25): 12,000 + 8,000.
POPULATION = [
    {"area_code": "E1", "mid_year": 2024, "population_0_17": 12_000},
    {"area_code": "E2", "mid_year": 2024, "population_0_17": 8_000},
    {"area_code": "E1", "mid_year": 2025, "population_0_17": 99_999},  # after 31/3/25
]


def test_children_looked_after_is_a_rate_per_10000(duckdb_source: MakeSource) -> None:
    cla = catalogue()["cla_rate"]
    assert cla.unit == Unit.per_10k
    src = duckdb_source({**ROWS, "sp_population_estimates": POPULATION})
    results = compute(src, [cla], [FY], ["gender"])
    (total,) = [r for r in results if r.breakdown == "total"]
    # 2 children of 20,000: 2 / 20,000 x 10,000 = 1.0 per 10,000
    assert (total.numerator, total.denominator, total.value) == (2.0, 20_000.0, 1.0)
    assert cla.display(total.value) == "1.0 per 10,000 children"
    # the population is not known by group: the group has its count, and no rate
    (boys,) = [r for r in results if r.breakdown == "gender"]
    assert (boys.numerator, boys.value) == (2.0, None)


def test_without_a_population_there_is_no_rate_not_a_count(duckdb_source: MakeSource) -> None:
    cla = catalogue()["cla_rate"]
    (total,) = compute(duckdb_source(ROWS), [cla], [FY])
    assert total.numerator == 2.0 and total.value is None
    assert cla.display(total.value) == "–"
