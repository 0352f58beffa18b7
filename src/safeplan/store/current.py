"""The store's current tables: what the measures read, computed when a load changes it.

Every measure reads each record once, from the latest collection year (then the latest
load) that holds it, and every measure joins the children's characteristics. Computing those
views at query time was most of a measure's fixed cost, so the store keeps them as tables:
`sp_current_<table>` for each table with a natural key (`LATEST_KEYS`), and `sp_persons`.
A load refreshes the ones it changes inside its own transaction, so a failed or killed load
leaves them as they were. They are defined once, by the Ibis expressions `Source` would
otherwise compute (`latest_of`, `persons_of`), compiled to the store's SQL dialect.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from safeplan.store.db import Store
from safeplan.store.schema import (
    ANNEX_A_TEAM_LISTS,
    LATEST_KEYS,
    LINEAGE,
    PERSON_SOURCES,
    PERSONS_TABLE,
    CanonicalTable,
    canonical_tables,
    current_name,
)

if TYPE_CHECKING:
    import ibis
    import ibis.expr.types as ir

IBIS_TYPES = {
    "VARCHAR": "string",
    "DATE": "date",
    "BIGINT": "int64",
    "DOUBLE PRECISION": "float64",
    "BOOLEAN": "boolean",
    "TIMESTAMP": "timestamp",
}
DIALECTS = {"duckdb": "duckdb", "postgresql": "postgres"}
PERSON_HEADERS = ("ssd_person", "ssd_cla_header", "ssd_disability")  # read through latest


def store_tables(store: Store) -> set[str]:
    rows = store.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
    )
    return {str(r[0]) for r in rows}


def refresh_current(
    store: Store,
    tables: Iterable[str] | None = None,
    after: Callable[[str], None] | None = None,
) -> list[str]:
    """Rebuild the current tables of the canonical `tables` (None: every one), and
    `sp_persons` when one of them is a table it is built from (every one, the first time);
    returns the tables rebuilt.
    Run it inside the transaction that changed `tables`, after the load is recorded in
    `sp_loads`. `after` is called with each table's name once it is rebuilt (a test hook)."""
    import ibis

    from safeplan.ingest.partner import partner_tables
    from safeplan.store.latest import persons_of

    dialect = DIALECTS[store.kind]
    defs = {t.name: t for t in canonical_tables(partner_tables()).values()}
    existing = store_tables(store)
    changed = set(LATEST_KEYS if tables is None else tables)
    if PERSONS_TABLE not in existing:  # a new store, or one loaded before it kept them: all
        changed |= set(LATEST_KEYS) | set(PERSON_SOURCES)
    wanted = [n for n in LATEST_KEYS if n in changed and n in existing and n in defs]
    persons = bool(changed & set(PERSON_SOURCES))
    if persons:  # sp_persons reads these current tables: make sure that each one exists
        wanted += [
            n
            for n in PERSON_HEADERS
            if n in existing and n in defs and n not in wanted and current_name(n) not in existing
        ]
    loads = ibis.table(
        {"load_id": "int64", "period": "string", "status": "string"}, name="sp_loads"
    )
    done: list[str] = []
    current: dict[str, ir.Table] = {}
    for name in wanted:
        sql, schema = _latest_sql(defs[name], dialect)
        _replace(store, current_name(name), sql)
        current[name] = ibis.table(schema, name=current_name(name))
        done.append(current_name(name))
        if after is not None:
            after(current_name(name))
    if persons:

        def latest(name: str) -> ir.Table | None:
            if name in current:
                return current[name]
            if name not in existing or name not in defs:
                return None
            return ibis.table(_latest_sql(defs[name], dialect)[1], name=current_name(name))

        lists = [_unbound(defs[n]) for n in ANNEX_A_TEAM_LISTS if n in existing and n in defs]
        expr = persons_of(
            latest("ssd_person"), latest("ssd_cla_header"), latest("ssd_disability"), lists, loads
        )
        _replace(store, PERSONS_TABLE, ibis.to_sql(expr, dialect=dialect))
        done.append(PERSONS_TABLE)
        if after is not None:
            after(PERSONS_TABLE)
    return done


def rebuild_current(store: Store) -> list[str]:
    """Every current table and `sp_persons`, in a transaction of their own: for a store
    filled without the loader (the national benchmark's pool), or one loaded before the
    store kept them."""
    with store.transaction():
        return refresh_current(store)


_LATEST: dict[tuple[object, ...], tuple[str, ibis.Schema]] = {}


def _latest_sql(table: CanonicalTable, dialect: str) -> tuple[str, ibis.Schema]:
    """A current table's SQL and schema: compiled once per table definition and dialect
    (compiling the Ibis expression was most of a small load's time, once per file)."""
    import ibis

    from safeplan.store.latest import latest_of

    key = (table.name, table.columns, tuple(LATEST_KEYS[table.name]), dialect)
    if key not in _LATEST:
        loads = ibis.table(
            {"load_id": "int64", "period": "string", "status": "string"}, name="sp_loads"
        )
        expr = latest_of(_unbound(table), loads, LATEST_KEYS[table.name])
        _LATEST[key] = (ibis.to_sql(expr, dialect=dialect), expr.schema())
    return _LATEST[key]


def _replace(store: Store, name: str, sql: str) -> None:
    store.execute(f"DROP TABLE IF EXISTS {name}")
    store.execute(f"CREATE TABLE {name} AS {sql}")


def _unbound(table: CanonicalTable) -> ir.Table:
    import ibis

    types: Mapping[str, str] = {
        "record_id": "BIGINT",
        "parent_id": "BIGINT",
        "person_id": "VARCHAR",
        **{n: t for _, n, t in table.columns},
        **dict(LINEAGE),
    }
    return ibis.table({n: IBIS_TYPES[types[n]] for n in table.column_names}, name=table.name)
