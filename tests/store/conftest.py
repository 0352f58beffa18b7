"""Store tests run on DuckDB, and on PostgreSQL too when SAFEPLAN_TEST_POSTGRES is set."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import postgres_database


@pytest.fixture(params=["duckdb", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "duckdb":
        yield str(tmp_path_factory.mktemp("store") / "store.duckdb")
        return
    with postgres_database("safeplan_test") as url:
        yield url
