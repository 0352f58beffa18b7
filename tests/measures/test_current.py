"""The store's current tables change no figure: every measure, period and breakdown over
every fixture gives the same results read from them as computed without them."""

from __future__ import annotations

from dataclasses import astuple
from pathlib import Path

import psycopg
import pytest

from safeplan.measures.catalogue import BUILT_IN
from safeplan.measures.data import BREAKDOWNS, Source
from safeplan.measures.engine import compute
from safeplan.measures.periods import parse
from safeplan.store.current import rebuild_current
from safeplan.store.db import connect
from safeplan.store.schema import LATEST_KEYS, PERSONS_TABLE, current_name
from tests.measures.builders import build_store, combined
from tests.measures.test_catalogue_coverage import ALL_CASES


def figures(url: str, current: bool) -> list[tuple[object, ...]]:
    src = Source.connect(url, current=current)
    try:
        assert src.has(PERSONS_TABLE) == current
        periods = [parse(label) for label in combined(ALL_CASES)[1]]
        return sorted(astuple(r) for r in compute(src, BUILT_IN, periods, BREAKDOWNS))
    finally:
        src.con.disconnect()


def check(url: str) -> None:
    rows, _ = combined(ALL_CASES)
    build_store(url, rows)
    with connect(url) as store:
        built = rebuild_current(store)
    assert set(built) == {current_name(n) for n in LATEST_KEYS} | {PERSONS_TABLE}
    with_current = figures(url, current=True)
    assert with_current == figures(url, current=False)
    assert len(with_current) > 200  # every measure gave figures


def test_duckdb_current_tables_give_the_same_figures(tmp_path: Path) -> None:
    check(str(tmp_path / "store.duckdb"))


@pytest.mark.postgres
def test_postgres_current_tables_give_the_same_figures(postgres_url: str) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute("DROP SCHEMA public CASCADE")
        con.execute("CREATE SCHEMA public")
    check(postgres_url)
