"""The canonical store as the measures see it, through Ibis.

Returns overlap: a CIN episode open across 31 March is in two years' censuses, and a
resubmitted return replaces its predecessor. `Source.latest` therefore gives each record
once, as the most recent collection year that holds it. The store keeps that view of each
table, and the children's characteristics, as tables rebuilt at load time
(`safeplan.store.current`); `Source` reads them when the store has them and computes them
otherwise, with the same expressions (`latest_of`, `persons_of`). The same code runs on
DuckDB, PostgreSQL and PySpark, because everything here is an Ibis expression.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import date

import ibis
import ibis.expr.types as ir

from safeplan.ingest.calendar import working_day_index
from safeplan.store.db import DuckStore, PostgresStore, open_read_only
from safeplan.store.latest import PERSONS_COLUMNS, latest_of, persons_of
from safeplan.store.schema import (
    ANNEX_A_TEAM_LISTS,
    CURRENT_PREFIX,
    LATEST_KEYS,
    PERSONS_TABLE,
    current_name,
)

UNBORN = "Unborn"
AGE_BANDS = (UNBORN, "Under 1", "1 to 4", "5 to 9", "10 to 15", "16 and over")
"""The DfE's age groups (CIN census and SSDA903 publications), which show unborn children
on their own."""
BREAKDOWNS = ("age_band", "gender", "ethnicity", "disability", "locality", "agency")


class Source:
    """An Ibis connection to the store, with the views every measure shares."""

    def __init__(self, con: ibis.BaseBackend, current: bool = True) -> None:
        """`current` False ignores the store's current tables (computing what they hold)."""
        self.con = con
        self._tables = set(con.list_tables())
        if not current:
            self._tables = {
                t for t in self._tables if not t.startswith(CURRENT_PREFIX) and t != PERSONS_TABLE
            }
        self._cache: dict[str, ir.Table] = {}
        self._read: dict[str, ir.Table] = {}

    def _materialise(self, name: str, build: Callable[[], ir.Table]) -> ir.Table:
        """Compute a shared view once, as a temporary table, so that every measure's query
        reads it instead of recomputing it (and Ibis compiles small queries). The expression
        is built only on the first call. The table gets a fresh short name (PostgreSQL cuts
        names at 63 characters) and is created without `overwrite`, whose DROP statement
        Ibis 12 miscompiles with this sqlglot (so every table was computed, then dropped)."""
        if name not in self._cache:
            expr = build()
            temp = f"_sp_{len(self._cache)}_{uuid.uuid4().hex[:12]}"
            try:
                self._cache[name] = self.con.create_table(temp, expr, temp=True)
            except Exception:  # a backend without temporary tables (PySpark): Ibis's cache
                self._cache[name] = _cached(expr)
        return self._cache[name]

    @classmethod
    def connect(cls, url: str, current: bool = True) -> Source:
        """The store read-only (``store.db.open_read_only``): a page or a measure never
        waits for a load nor makes one fail. Raises ``NoStore`` for an embedded store not
        made yet."""
        store = open_read_only(url)
        if isinstance(store, PostgresStore):
            return cls(ibis.postgres.from_connection(store.con), current)
        assert isinstance(store, DuckStore)
        return cls(ibis.duckdb.from_connection(store.con), current)

    def has(self, *names: str) -> bool:
        return all(n in self._tables for n in names)

    def collection_years(self) -> list[int]:
        """The collection years of the files loaded (a 2025 return covers 2024-25), oldest
        first: the span of the data every figure rests on."""
        if not self.has("sp_loads"):
            return []
        loads = self.table("sp_loads")
        loads = loads.filter(loads.status == "loaded")
        periods = loads.select("period").distinct().to_pyarrow().column("period").to_pylist()
        return sorted({int(p) for p in periods if re.fullmatch(r"\d{4}", str(p))})

    def table(self, name: str) -> ir.Table:
        """The table, its schema read once per connection (Ibis asks the backend each time)."""
        if name not in self._read:
            self._read[name] = self.con.table(name)
        return self._read[name]

    def latest(self, name: str, key: tuple[str, ...] | None = None) -> ir.Table:
        """Each record once: from the latest collection year (then the latest load) holding it.
        A record is its natural key (`LATEST_KEYS`, unless `key` says otherwise). The store's
        current table when it has one for that key (a plain read: the store keeps it up to
        date at load time), else computed here, once per connection."""
        key = LATEST_KEYS[name] if key is None else key
        current = self._current(name, key)
        if current is not None:
            return current
        return self._materialise(
            f"_latest_{name}__{'__'.join(key)}", lambda: self._latest(name, key)
        )

    def _current(self, name: str, key: tuple[str, ...]) -> ir.Table | None:
        if LATEST_KEYS.get(name) == key and self.has(current_name(name)):
            return self.table(current_name(name))
        return None

    def _latest_once(self, name: str, key: tuple[str, ...]) -> ir.Table:
        """`latest` for a table read once (into another shared view): the current or temporary
        table if there is one already, else the expression, so that it is not written out on
        its own."""
        current = self._current(name, key)
        if current is not None:
            return current
        cached = self._cache.get(f"_latest_{name}__{'__'.join(key)}")
        return cached if cached is not None else self._latest(name, key)

    def _latest(self, name: str, key: tuple[str, ...]) -> ir.Table:
        return latest_of(self.table(name), self.table("sp_loads"), key)

    @property
    def persons(self) -> ir.Table:
        """One row per child: date of birth, gender, ethnicity, disability, locality (the
        store's `sp_persons` when it has one)."""
        if self.has(PERSONS_TABLE) and set(PERSONS_COLUMNS) <= set(
            self.table(PERSONS_TABLE).columns
        ):
            return self.table(PERSONS_TABLE)
        return self._materialise("_persons", self._persons)

    def _persons(self) -> ir.Table:
        def latest(name: str) -> ir.Table | None:
            return self._latest_once(name, LATEST_KEYS[name]) if self.has(name) else None

        return persons_of(
            latest("ssd_person"),
            latest("ssd_cla_header"),
            latest("ssd_disability"),
            [self.table(n) for n in ANNEX_A_TEAM_LISTS if self.has(n)],
            self.table("sp_loads") if self.has("sp_loads") else None,
        )

    def working_days(self, first: date, last: date) -> ir.Table:
        """A calendar of days with a running count of working days, for timeliness joins."""
        rows = working_day_index(first, last)
        return ibis.memtable(
            {"day": [d for d, _ in rows], "wd": [n for _, n in rows]},
            schema={"day": "date", "wd": "int64"},
        )


def _cached(expr: ir.Table) -> ir.Table:
    """The expression computed once where the backend can cache it (PySpark persists it as a
    temporary view), else the expression itself."""
    try:
        return expr.cache()
    except Exception:  # nor a cache: every query recomputes it
        return expr


def age_band(dob: ir.DateValue, on: ir.DateValue, expected: ir.DateValue) -> ir.StringValue:
    """DfE age groups (as the CIN census and SSDA903 publications use), from age in whole
    years on a date. A child not yet born on it is "Unborn": one recorded with an expected
    date of birth and no date of birth (CIN census N00098 and N00066), or born after it."""
    born_later = (on.month() * 100 + on.day()) < (dob.month() * 100 + dob.day())
    age = on.year() - dob.year() - born_later.ifelse(1, 0)
    return ibis.cases(
        (dob.isnull() & expected.notnull(), UNBORN),
        (dob.isnull(), "Not known"),
        (dob > on, UNBORN),
        (age < 1, AGE_BANDS[1]),
        (age < 5, AGE_BANDS[2]),
        (age < 10, AGE_BANDS[3]),
        (age < 16, AGE_BANDS[4]),
        else_=AGE_BANDS[5],
    )
