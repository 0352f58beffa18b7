"""Shared fixtures: every test runs with its own SAFEPLAN_HOME."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from safeplan.config import settings

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True)
def safeplan_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "safeplan-home"
    monkeypatch.setenv("SAFEPLAN_HOME", str(home))
    settings.cache_clear()
    yield home
    settings.cache_clear()


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The partnership's source documents (../shared/seeds), read by the seed-fidelity tests."""
    path = SHARED / "seeds"
    if not path.is_dir():
        pytest.skip(f"the seed documents are not at {path}")
    return path


REFERENCE = SHARED / "reference"


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """Real-format sample files (../shared/reference): CIN census XML, 903 CSV, Annex A."""
    if not REFERENCE.is_dir():
        pytest.skip(f"the reference files are not at {REFERENCE}")
    return REFERENCE


@contextmanager
def postgres_database(prefix: str) -> Iterator[str]:
    """A fresh PostgreSQL database for a test (SAFEPLAN_TEST_POSTGRES), dropped afterwards;
    the test is skipped where no server is configured."""
    base = os.environ.get("SAFEPLAN_TEST_POSTGRES")
    if not base:
        pytest.skip("SAFEPLAN_TEST_POSTGRES is not set")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield base.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


SYNTH_END_YEAR = 2025


@pytest.fixture(scope="session")
def synth_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic partnership (400 children, 3 collection years to 2025, every source)
    loaded into a DuckDB store once per session. Tests only read it (SAFEPLAN_STORE)."""
    from safeplan.store.db import connect
    from safeplan.store.load import load_files
    from safeplan.synth import generate

    root = tmp_path_factory.mktemp("synth-store")
    generate(root / "data", 400, 3, seed=7, end_year=SYNTH_END_YEAR)
    files = sorted(
        p
        for p in (root / "data").rglob("*")
        if p.suffix in (".xml", ".csv", ".xlsx") and p.parent.name != "reference"
    )
    store = root / "store.duckdb"
    with connect(str(store)) as opened:
        refused = load_files(opened, files, None, b"synth-store-key", lambda _p, _o: None)
    assert refused == 0
    return store
