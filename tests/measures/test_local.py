"""Local measures: the example in docs/measures.md works as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from safeplan.ingest.pipeline import check
from safeplan.measures.catalogue import catalogue
from safeplan.measures.data import Source
from safeplan.measures.engine import compute
from safeplan.measures.local import parse
from safeplan.measures.periods import parse as period
from safeplan.store.db import connect
from safeplan.store.load import load_checked
from tests.conftest import REPO

DOC = (REPO / "docs" / "measures.md").read_text(encoding="utf-8")
EXAMPLE = re.search(r"<!-- example:local-measure -->\n```sql\n(.+?)```", DOC, re.S)


def test_the_documented_local_measure_computes(tmp_path: Path, safeplan_home: Path) -> None:
    assert EXAMPLE
    (safeplan_home / "measures").mkdir(parents=True)
    (safeplan_home / "measures" / "police.sql").write_text(EXAMPLE.group(1), encoding="utf-8")
    store_path = str(tmp_path / "store.duckdb")
    with connect(store_path) as store:
        checked = check(REPO / "tests" / "fixtures" / "cin_census_2024.xml")
        load_checked(store, checked, b"key")
        checked.close()
    measure = catalogue()["referrals_from_police"]
    (result,) = compute(Source.connect(store_path), [measure], [period("2023-24")])
    # The fixture has two referrals in 2023-24: TEST0001 from 1A, TEST0002 from 5A (police).
    assert (result.numerator, result.denominator, result.value) == (1.0, 2.0, 50.0)
    assert result.records == 2


def test_a_local_measure_without_a_header_is_refused() -> None:
    with pytest.raises(ValueError, match=r"starts with a '-- ---' header"):
        parse("SELECT 1", "bad.sql")


def test_a_local_measure_must_read_the_periods() -> None:
    assert EXAMPLE
    with pytest.raises(ValueError, match="must read the reporting periods"):
        parse(EXAMPLE.group(1).replace("{periods}", "periods"), "bad.sql")


def test_a_bad_header_names_the_problem() -> None:
    assert EXAMPLE
    with pytest.raises(ValueError, match=r"bad\.sql: the header is not valid"):
        parse(EXAMPLE.group(1).replace("unit: percent", "unit: furlongs"), "bad.sql")
