"""Stores for the measure fixtures: DuckDB always; PostgreSQL when SAFEPLAN_TEST_POSTGRES is
set; PySpark in local mode when Java and pyspark are both present."""

from __future__ import annotations

import gc
import importlib.util
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from safeplan.measures.data import Source
from tests.conftest import postgres_database
from tests.measures.builders import Rows, build_store, spark_views

MakeSource = Callable[[Rows], Source]


@pytest.fixture
def duckdb_source(tmp_path: Path) -> Iterator[MakeSource]:
    """A fresh DuckDB store holding the given rows, read as the measures read it."""
    opened: list[Source] = []

    def make(rows: Rows) -> Source:
        path = str(tmp_path / f"store{len(opened)}.duckdb")
        build_store(path, rows)
        opened.append(Source.connect(path))
        return opened[-1]

    yield make
    for src in opened:
        src.con.disconnect()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of its own for this test session, dropped at its end."""
    with postgres_database("safeplan_measures") as url:
        yield url


@pytest.fixture
def postgres_source(postgres_url: str) -> Iterator[MakeSource]:
    """The session's PostgreSQL database emptied and filled with the given rows."""
    opened: list[Source] = []

    def make(rows: Rows) -> Source:
        for src in opened:
            src.con.disconnect()
        with psycopg.connect(postgres_url, autocommit=True) as con:
            con.execute("DROP SCHEMA public CASCADE")
            con.execute("CREATE SCHEMA public")
        build_store(postgres_url, rows)
        opened.append(Source.connect(postgres_url))
        return opened[-1]

    yield make
    for src in opened:
        src.con.disconnect()


def spark_available() -> str | None:
    """Why Spark tests cannot run here, or None when they can."""
    if shutil.which("java") is None:
        return "Java is not installed"
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed"
    return None


@pytest.fixture
def spark_session(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    """A small local Spark (two shuffle partitions, no UI, loopback only) for the one test
    that uses it, so that it starts and stops under that test's warning filters."""
    if reason := spark_available():
        pytest.skip(reason)
    monkeypatch.setenv("SPARK_LOCAL_IP", "127.0.0.1")
    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)  # workers run this venv's Python
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("safeplan-measure-parity")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", str(tmp_path / "spark-warehouse"))  # not the cwd
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")  # no Python workers
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    gc.collect()  # PySpark leaves result sockets to the collector: close them here


@pytest.fixture
def spark_source(spark_session: Any) -> MakeSource:
    """The given rows as temporary views in the session, through Ibis's PySpark backend."""
    import ibis

    def make(rows: Rows) -> Source:
        spark_views(spark_session, rows)
        return Source(ibis.pyspark.connect(spark_session))

    return make
