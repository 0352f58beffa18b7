"""Store tests run on DuckDB, and on PostgreSQL too when SAFEPLAN_TEST_POSTGRES is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest


@pytest.fixture(params=["duckdb", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "duckdb":
        yield str(tmp_path_factory.mktemp("store") / "store.duckdb")
        return
    base = os.environ.get("SAFEPLAN_TEST_POSTGRES")
    if not base:
        pytest.skip("SAFEPLAN_TEST_POSTGRES is not set")
    name = f"safeplan_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield base.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
