"""One interface over the two stores: an embedded DuckDB file, or a PostgreSQL server.

SQL is written once with ``?`` placeholders and portable types; the PostgreSQL backend
translates placeholders and bulk-loads with COPY. Everything a load writes happens inside
one transaction, so a failure (or a killed process) leaves the store as it was.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pyarrow as pa

from safeplan.store.schema import SYSTEM_DDL, CanonicalTable

log = logging.getLogger(__name__)


class Store:
    """A connection to the canonical store."""

    kind: str

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        raise NotImplementedError

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def insert(self, table: str, columns: list[str], data: pa.Table) -> None:
        raise NotImplementedError

    @contextmanager
    def transaction(self) -> Iterator[None]:
        raise NotImplementedError
        yield

    def close(self) -> None:
        raise NotImplementedError

    _schema_ready = False

    def ensure_schema(self, tables: Sequence[CanonicalTable]) -> None:
        """Create any missing table (once per connection: loads call it for every file)."""
        if self._schema_ready and tables:
            return
        self._schema_ready = bool(tables)
        with self.transaction():
            for ddl in SYSTEM_DDL:
                self.execute(ddl)
            for table in tables:
                self.execute(table.ddl())

    def count(self, table: str) -> int:
        return int(self.query(f"SELECT count(*) FROM {table}")[0][0])

    def count_where(self, table: str, where: str, params: Sequence[Any] = ()) -> int:
        return int(self.query(f"SELECT count(*) FROM {table} WHERE {where}", params)[0][0])

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class DuckStore(Store):
    kind = "duckdb"

    def __init__(self, path: str) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.con = duckdb.connect(path)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.con.execute(sql, list(params))

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, list(params)).fetchall()

    def insert(self, table: str, columns: list[str], data: pa.Table) -> None:
        self.con.register("_incoming", data)
        try:
            cols = ", ".join(columns)
            self.con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _incoming")
        finally:
            self.con.unregister("_incoming")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.con.begin()
        try:
            yield
        except BaseException:
            self.con.rollback()
            raise
        self.con.commit()

    def close(self) -> None:
        self.con.close()


class PostgresStore(Store):
    kind = "postgresql"

    def __init__(self, url: str) -> None:
        self.con = psycopg.connect(url, autocommit=False)

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("%", "%%").replace("?", "%s")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        with self.con.cursor() as cur:
            cur.execute(self._sql(sql), list(params))
        if (
            self.con.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
            and not self._in_tx
        ):
            self.con.commit()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.con.cursor() as cur:
            cur.execute(self._sql(sql), list(params))
            rows = cur.fetchall()
        if not self._in_tx:
            self.con.commit()
        return rows

    _in_tx = False

    def insert(self, table: str, columns: list[str], data: pa.Table) -> None:
        cols = [data.column(c).to_pylist() for c in columns]
        with (
            self.con.cursor() as cur,
            cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in zip(*cols, strict=True):
                copy.write_row(row)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self._in_tx = True
        try:
            yield
        except BaseException:
            self.con.rollback()
            raise
        else:
            self.con.commit()
        finally:
            self._in_tx = False

    def close(self) -> None:
        self.con.close()


def connect(url: str) -> Store:
    """A DuckDB file path (or duckdb:///path), or a postgresql:// URL."""
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresStore(url)
    return DuckStore(url.removeprefix("duckdb:///").removeprefix("duckdb://"))


BUSY = (  # another writer holds the store: an embedded store has one writer at a time
    duckdb.IOException,
    duckdb.ConnectionException,
    psycopg.errors.UniqueViolation,  # two first writers creating the same table at once
)


def write_when_free(url: str, work: Callable[[Store], None], tries: int, wait: float) -> bool:
    """``work(store)`` on a fresh connection, tried again while another writer holds the
    store; False if it stayed busy. ``work`` must be safe to repeat (one transaction)."""
    for attempt in range(tries):
        try:
            with connect(url) as store:
                work(store)
            return True
        except BUSY:
            log.warning("the store %s is busy; attempt %d of %d", url, attempt + 1, tries)
            time.sleep(wait)
    return False
