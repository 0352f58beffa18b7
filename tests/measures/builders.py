"""Hand-built stores for the measure tests: a few children written out as canonical rows.

A test describes its children as rows of the canonical tables (only the columns it needs;
the rest are null), names the loads they came from, and the builder writes them into a
DuckDB or PostgreSQL store through `Store.insert` (or into Spark views) with lineage filled
in, so the measures read them exactly as they read a loaded return.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

import pyarrow as pa

from safeplan.ingest.partner import partner_tables
from safeplan.measures.data import BREAKDOWNS, Source
from safeplan.measures.engine import Result, compute
from safeplan.measures.periods import parse
from safeplan.store.db import connect
from safeplan.store.schema import LINEAGE, canonical_tables

Row = Mapping[str, Any]
Rows = Mapping[str, Sequence[Row]]
Key = tuple[str, str, str]  # (period, breakdown, group)
Figure = tuple[float | None, float | None]  # (numerator, denominator)


@dataclass(frozen=True)
class Load:
    """An `sp_loads` row: which return (kind) and collection year (period) a load was."""

    load_id: int
    kind: str
    period: str
    status: str = "loaded"


# The loads the fixtures use. A collection year is the year it ends: "2025" is 2024-25.
CIN_2024 = Load(1, "cin_census", "2024")
CIN_2025 = Load(2, "cin_census", "2025")
S903_2025 = Load(3, "ssda903", "2025")
PARTNER_2025 = Load(4, "partner", "2025")
CIN_2025_REPLACED = Load(5, "cin_census", "2025", status="replaced")
S903_2024 = Load(6, "ssda903", "2024")
ANNEX_A_LATER = Load(7, "annex_a", "2025")  # an Annex A workbook loaded after PARTNER_2025
LOADS = {
    load.load_id: load
    for load in (
        CIN_2024,
        CIN_2025,
        S903_2025,
        PARTNER_2025,
        CIN_2025_REPLACED,
        S903_2024,
        ANNEX_A_LATER,
    )
}

SURVEY_TABLE = "sp_survey_answers"  # written by the web app, so not a canonical table
SURVEY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("person_id", "VARCHAR"),
    ("question", "VARCHAR"),
    ("answer", "VARCHAR"),
    ("answered_on", "DATE"),
    ("setting", "VARCHAR"),
    ("age_band", "VARCHAR"),  # the band the child chose (the survey asks no date of birth)
)
LOADS_COLUMNS: tuple[tuple[str, str], ...] = (
    ("load_id", "BIGINT"),
    ("kind", "VARCHAR"),
    ("source", "VARCHAR"),
    ("period", "VARCHAR"),
    ("file_name", "VARCHAR"),
    ("file_hash", "VARCHAR"),
    ("status", "VARCHAR"),
)
ARROW_TYPES: dict[str, pa.DataType] = {
    "VARCHAR": pa.string(),
    "DATE": pa.date32(),
    "BIGINT": pa.int64(),
    "DOUBLE PRECISION": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "TIMESTAMP": pa.timestamp("us"),
}
SPARK_TYPES = {
    "VARCHAR": "STRING",
    "DATE": "DATE",
    "BIGINT": "BIGINT",
    "DOUBLE PRECISION": "DOUBLE",
    "BOOLEAN": "BOOLEAN",
    "TIMESTAMP": "TIMESTAMP_NTZ",
}


@cache
def table_columns() -> dict[str, tuple[tuple[str, str], ...]]:
    """Every table a measure may read, as (column, SQL type) pairs."""
    out: dict[str, tuple[tuple[str, str], ...]] = {"sp_loads": LOADS_COLUMNS}
    for table in canonical_tables(partner_tables()).values():
        ids = (("record_id", "BIGINT"), ("parent_id", "BIGINT"), ("person_id", "VARCHAR"))
        data = tuple((n, t) for _, n, t in table.columns)
        out[table.name] = (*ids, *data, *LINEAGE)
    out[SURVEY_TABLE] = SURVEY_COLUMNS
    return out


def default_load(table: str) -> Load:
    """The load a row comes from when the test does not say: this year's return of its kind."""
    if table.startswith("ssd_cla") or table in {"ssd_missing", "ssd_cla_header"}:
        return S903_2025
    if table.startswith("ssd_"):
        return CIN_2025
    return PARTNER_2025


def arrow_tables(rows: Rows) -> dict[str, pa.Table]:
    """Every table (empty where the test gives no rows), typed as the store types it, with
    record ids and lineage filled in and an `sp_loads` row for each load the rows name."""
    used: set[int] = set()
    out: dict[str, pa.Table] = {}
    unknown = set(rows) - set(table_columns())
    if unknown:
        raise ValueError(f"no such table: {sorted(unknown)}")
    for name, columns in table_columns().items():
        if name == "sp_loads":
            continue
        filled = [_filled(name, i, row, used) for i, row in enumerate(rows.get(name, ()))]
        out[name] = _arrow(name, columns, filled)
    loads = [
        {
            "load_id": load.load_id,
            "kind": load.kind,
            "source": load.kind,
            "period": load.period,
            "file_name": f"{load.kind}_{load.period}",
            "file_hash": f"hash{load.load_id}",
            "status": load.status,
        }
        for load in sorted((LOADS[i] for i in used), key=lambda x: x.load_id)
    ]
    out["sp_loads"] = _arrow("sp_loads", LOADS_COLUMNS, loads)
    return out


def _filled(table: str, index: int, row: Row, used: set[int]) -> dict[str, Any]:
    if table == SURVEY_TABLE:
        return dict(row)
    load = row.get("load_id", default_load(table).load_id)
    used.add(load)
    return {
        "record_id": (load << 32) | (index + 1),
        "parent_id": None,
        **row,
        "load_id": load,
        "source_file": f"{LOADS[load].kind}_{LOADS[load].period}",
        "source_hash": f"hash{load}",
        "source_row": str(index + 1),
    }


def _arrow(table: str, columns: Sequence[tuple[str, str]], rows: list[dict[str, Any]]) -> pa.Table:
    names = {n for n, _ in columns}
    for row in rows:
        if extra := set(row) - names:
            raise ValueError(f"{table} has no column {sorted(extra)}")
    schema = pa.schema([(n, ARROW_TYPES[t]) for n, t in columns])
    return pa.Table.from_pylist(
        [{n: row.get(n) for n in schema.names} for row in rows], schema=schema
    )


def build_store(url: str, rows: Rows) -> None:
    """A store at `url` with the canonical schema and exactly these rows."""
    tables = arrow_tables(rows)
    with connect(url) as store:
        store.ensure_schema(list(canonical_tables(partner_tables()).values()))
        cols = ", ".join(f"{n} {t}" for n, t in SURVEY_COLUMNS)
        store.execute(f"CREATE TABLE IF NOT EXISTS {SURVEY_TABLE} ({cols})")
        with store.transaction():
            for name, data in tables.items():
                if data.num_rows:
                    store.insert(name, data.column_names, data)


def spark_views(session: Any, rows: Rows) -> None:
    """The same tables as temporary views in a Spark session (replacing earlier ones)."""
    for name, data in arrow_tables(rows).items():
        schema = ", ".join(f"{n} {SPARK_TYPES[t]}" for n, t in table_columns()[name])
        session.createDataFrame(data, schema=schema).createOrReplaceTempView(name)


# --- cases: a measure, a fixture and the figures worked out by hand -------------------------


@dataclass(frozen=True)
class Case:
    """One fixture test: `expected` maps (period, breakdown, group) to (numerator,
    denominator); every group of each (period, breakdown) named must match, and no other."""

    measure: str
    name: str
    rows: Rows = field(repr=False)
    expected: Mapping[Key, Figure]

    @property
    def id(self) -> str:
        return f"{self.measure}-{self.name}"

    @property
    def periods(self) -> list[str]:
        return sorted({p for p, _, _ in self.expected})

    @property
    def breakdowns(self) -> list[str]:
        return sorted({b for _, b, _ in self.expected} - {"total"})


def results(src: Source, case: Case, breakdowns: Sequence[str] | None = None) -> list[Result]:
    from safeplan.measures.catalogue import BUILT_IN

    measure = next(m for m in BUILT_IN if m.id == case.measure)
    periods = [parse(p) for p in case.periods]
    chosen = case.breakdowns if breakdowns is None else breakdowns
    return compute(src, [measure], periods, chosen)


def observed(src: Source, case: Case) -> dict[Key, Figure]:
    """The measure's figures for the (period, breakdown) pairs the case names."""
    wanted = {(p, b) for p, b, _ in case.expected}
    return {
        (r.period, r.breakdown, r.group): (r.numerator, r.denominator)
        for r in results(src, case)
        if (r.period, r.breakdown) in wanted
    }


def all_results(src: Source, case: Case) -> list[Result]:
    """Every figure, by every breakdown: what the parity tests compare across backends."""
    return sorted(results(src, case, BREAKDOWNS), key=lambda r: (r.period, r.breakdown, r.group))


def d(text: str) -> date:
    """A date written as in the returns: 2024-12-24."""
    return date.fromisoformat(text)


def dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def child(
    person_id: str,
    born: str,
    gender: str = "1",
    ethnicity: str = "WBRI",
    load: Load = CIN_2025,
) -> dict[str, Any]:
    """An `ssd_person` row (CIN census child: gender 1 male, 2 female, 9 not stated)."""
    return {
        "person_id": person_id,
        "personbirthdate": d(born),
        "gendercurrent": gender,
        "ethnicity": ethnicity,
        "load_id": load.load_id,
    }


def looked_after_child(
    person_id: str, born: str, sex: str = "1", ethnic: str = "WBRI"
) -> dict[str, Any]:
    """An `ssd_cla_header` row (SSDA903 header: sex 1 male, 2 female)."""
    return {"person_id": person_id, "dob": d(born), "sex": sex, "ethnic": ethnic}


# Identifier columns that tie rows together (and key `Source.latest`): namespaced per case.
ID_COLUMNS = (
    "person_id",
    "episode_id",
    "screening_id",
    "plan_id",
    "conference_id",
    "audit_id",
    "source_record_id",
    "challenge_id",
)
CASE_RECORDS = 1_000_000  # explicit record ids in a case are small; a case's block of ids


def combined(cases: Sequence[Case]) -> tuple[dict[str, list[Row]], list[str]]:
    """Every case's rows in one store, each case's children and records renamed apart, and
    the periods they use: one query per measure then covers every fixture (what makes the
    Spark parity test quick, as Spark's cost is per query, not per row)."""
    rows: dict[str, list[Row]] = {}
    for n, case in enumerate(cases, start=1):
        for table, table_rows in case.rows.items():
            for row in table_rows:
                new = dict(row)
                for col in ID_COLUMNS:
                    if new.get(col) is not None:
                        new[col] = f"{n}:{new[col]}"
                for col in ("record_id", "parent_id"):
                    if new.get(col) is not None:
                        new[col] += n * CASE_RECORDS
                rows.setdefault(table, []).append(new)
    periods = sorted({p for case in cases for p in case.periods}, key=lambda p: parse(p))
    return rows, periods
