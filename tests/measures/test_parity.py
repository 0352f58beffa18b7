"""Backend parity: every fixture gives the same figures, by every breakdown, on DuckDB, on
PostgreSQL (when SAFEPLAN_TEST_POSTGRES is set) and on PySpark in local mode (when Java and
pyspark are present), and those figures are the ones worked out by hand."""

from __future__ import annotations

from dataclasses import astuple

import pytest

from safeplan.measures.catalogue import BUILT_IN
from safeplan.measures.data import BREAKDOWNS, Source
from safeplan.measures.engine import compute
from safeplan.measures.periods import parse
from tests.measures.builders import Case, all_results, combined, observed
from tests.measures.conftest import MakeSource
from tests.measures.test_catalogue_coverage import ALL_CASES

CASES = pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.id)
# What PySpark 4.0 and Ibis's PySpark backend do that warns, and nothing else: they read
# results through pandas with an option and a keyword that pandas 3 deprecates, and leave
# the sockets they read results from to the garbage collector.
SPARK_WARNINGS = (
    "ignore:The 'future.infer_string' option is deprecated:pandas.errors.Pandas4Warning",
    "ignore:The copy keyword is deprecated:pandas.errors.Pandas4Warning",
    "ignore:unclosed <socket.socket:ResourceWarning",
    "ignore:Exception ignored in. <socket.socket:pytest.PytestUnraisableExceptionWarning",
)


@pytest.mark.postgres
@CASES
def test_postgres_matches_duckdb(
    case: Case, duckdb_source: MakeSource, postgres_source: MakeSource
) -> None:
    pg = postgres_source(case.rows)
    assert observed(pg, case) == dict(case.expected)
    assert all_results(pg, case) == all_results(duckdb_source(case.rows), case)


@pytest.mark.spark
@pytest.mark.filterwarnings(*SPARK_WARNINGS)
def test_spark_matches_duckdb(duckdb_source: MakeSource, spark_source: MakeSource) -> None:
    """All the fixtures in one store (children renamed apart), every measure, period and
    breakdown: one Spark query per measure rather than one per case keeps this quick."""
    rows, labels = combined(ALL_CASES)
    periods = [parse(label) for label in labels]

    def figures(src: Source) -> list[tuple[object, ...]]:
        found = compute(src, BUILT_IN, periods, BREAKDOWNS)
        return sorted(astuple(r) for r in found)

    spark = figures(spark_source(rows))
    assert spark == figures(duckdb_source(rows))
    assert len(spark) > 200  # every measure gave figures
