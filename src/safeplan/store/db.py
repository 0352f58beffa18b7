"""One interface over the two stores: an embedded DuckDB file, or a PostgreSQL server.

SQL is written once with ``?`` placeholders and portable types; the PostgreSQL backend
translates placeholders and bulk-loads with COPY. Everything a load writes happens inside
one transaction, so a failure (or a killed process) leaves the store as it was.

Reads and writes share the store without waiting on each other:

- **Readers** (web pages, measures, ``safeplan loads``) open it read-only
  (``open_read_only``), and never take a lock.
- **Writers** (``connect``: loads, web uploads, the survey's answers) take turns, one
  transaction at a time: the store's writer lock (``store.lock``; a PostgreSQL advisory lock
  on a server), waited for up to ``SAFEPLAN_STORE_WAIT`` seconds, then ``StoreBusy``.

Why a copy for DuckDB: DuckDB lets one process open a file read-write or many open it
read-only, never both, so a writer beside readers fails (and a reader beside a writer). A
DuckDB writer therefore copies the store to a temporary file in the same folder, does its
transaction there, checkpoints and closes it, and renames it over the store (``os.replace``,
atomic). A reader that opened the old file keeps reading that snapshot to the end of its
page; the next reader opens the new file. A failed or killed write leaves only its temporary
file, which the next writer removes: the store is as it was. The cost is a copy, a reopen and
a checkpoint of the file per transaction (about 0.2 s a file for a 25 MB store: a 5,000-child
partnership's 57 files load in about 29 s against 16 s in place), which we pay for readers
that never wait and never fail; the alternative, one writer process that the web and the CLI
hand loads to, would be one more service to run and watch. PostgreSQL's MVCC already lets
readers and one writer work at once, so there a writer only takes the advisory lock (two
loads cannot take the same load number), and readers take nothing.

Files are the owner's only (0600): the store, its lock and its temporary copies.
"""

from __future__ import annotations

import logging
import os
import re
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pyarrow as pa

from safeplan.store import lock
from safeplan.store.lock import StoreBusy, Tell
from safeplan.store.schema import SYSTEM_DDL, CanonicalTable
from safeplan.store.url import parse

__all__ = ["Store", "StoreBusy", "connect", "open_read_only"]

log = logging.getLogger(__name__)

PRIVATE = 0o600
SYSTEM_TABLES = tuple(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", " ".join(SYSTEM_DDL)))
ADDED_COLUMNS = tuple(
    re.findall(r"ALTER TABLE (\w+) ADD COLUMN IF NOT EXISTS (\w+)", " ".join(SYSTEM_DDL))
)
PG_WRITER_LOCK = 7_236_461_836  # the advisory lock's number: one writer to a server's store
DEFAULT_WAIT = 60.0


class NoStore(FileNotFoundError):
    """An embedded store that has not been made yet (nothing has been loaded)."""


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
        """Create any missing table (once per connection: loads call it for every file).
        A store that has them all is not written to: a write is a new version of the store
        (a copy, for DuckDB), which would also make the web app compute its figures again."""
        if self._schema_ready and tables:
            return
        self._schema_ready = bool(tables)
        if self._has_schema(tables):
            return
        with self.transaction():
            for ddl in SYSTEM_DDL:
                self.execute(ddl)
            for table in tables:
                self.execute(table.ddl())

    def _has_schema(self, tables: Sequence[CanonicalTable]) -> bool:
        """Whether every table (and every column the system tables gained later) is there."""
        needed = {(t, "") for t in SYSTEM_TABLES} | {(t.name, "") for t in tables}
        needed |= set(ADDED_COLUMNS)
        try:
            rows = self.query(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema NOT IN ('information_schema', 'pg_catalog')"
            )
        except NoStore:
            return False
        found = {(str(t), "") for t, _ in rows} | {(str(t), str(c)) for t, c in rows}
        return needed <= found

    def count(self, table: str) -> int:
        return int(self.query(f"SELECT count(*) FROM {table}")[0][0])

    def count_where(self, table: str, where: str, params: Sequence[Any] = ()) -> int:
        return int(self.query(f"SELECT count(*) FROM {table} WHERE {where}", params)[0][0])

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class DuckStore(Store):
    """An embedded store. Read-only: one connection to the file as it was when opened.
    Writing: each transaction on a fresh copy, renamed over the store when it commits;
    outside a transaction, a statement that writes is its own transaction, and a query
    reads the store as it is now."""

    kind = "duckdb"

    def __init__(
        self,
        path: str | Path,
        read_only: bool = False,
        wait: float = DEFAULT_WAIT,
        tell: Tell | None = None,
    ) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self.wait = wait
        self.tell = tell
        self._tx: duckdb.DuckDBPyConnection | None = None
        self._read: duckdb.DuckDBPyConnection | None = None
        if read_only:
            if not self.path.is_file():
                raise NoStore(str(self.path))
            self._read = _snapshot(self.path)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The connection statements run on: the transaction's copy while one is open, else
        the read-only snapshot (opened on first use by a writer)."""
        if self._tx is not None:
            return self._tx
        if self._read is None:
            if not self.path.is_file():
                raise NoStore(str(self.path))
            self._read = _snapshot(self.path)
        return self._read

    def _fresh(self) -> None:
        """A writer's reads outside a transaction see the latest replace (its own or
        another's): the snapshot is reopened."""
        if self._read is not None and not self.read_only:
            self._read.close()
            self._read = None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        if self._tx is None and not self.read_only:
            with self.transaction():
                self.execute(sql, params)
            return
        self.con.execute(sql, list(params))

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self._tx is None:
            self._fresh()
        return self.con.execute(sql, list(params)).fetchall()

    def insert(self, table: str, columns: list[str], data: pa.Table) -> None:
        if self._tx is None and not self.read_only:
            with self.transaction():
                self.insert(table, columns, data)
            return
        con = self.con
        con.register("_incoming", data)
        try:
            cols = ", ".join(columns)
            con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _incoming")
        finally:
            con.unregister("_incoming")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One writer's transaction, on a copy renamed over the store when it commits."""
        if self.read_only:
            raise PermissionError("a read-only connection to the store cannot write")
        if self._tx is not None:  # within the open one: it commits with it
            yield
            return
        with lock.held(self.path, self.wait, self.tell):
            _remove_leftovers(self.path)
            self._fresh()
            copy = _copy_of(self.path)
            con = duckdb.connect(str(copy))
            copy.chmod(PRIVATE)  # a new store's file, made by DuckDB
            self._tx = con
            try:
                con.begin()
                yield
                con.commit()
                con.execute("CHECKPOINT")
                con.close()
                _publish(copy, self.path)
            except BaseException:
                with suppress(Exception):
                    con.close()
                _remove(copy)
                raise
            finally:
                self._tx = None

    def close(self) -> None:
        if self._read is not None:
            self._read.close()
            self._read = None


def _snapshot(path: Path) -> duckdb.DuckDBPyConnection:
    """The store's file as it is now, read-only, attached to a connection of its own.

    Why attached and not ``duckdb.connect(path, read_only=True)``: DuckDB keeps one database
    per path and process, so after a replace a reader of the same process would be handed the
    old file that another reader still holds open. Temporary tables (the measures' shared
    views) live in the connection's own in-memory database."""
    con = duckdb.connect(":memory:")
    try:
        quoted = str(path.absolute()).replace("'", "''")
        con.execute(f"ATTACH '{quoted}' AS store (READ_ONLY)")
        con.execute("USE store")
    except BaseException:
        con.close()
        raise
    return con


def _copy_of(path: Path) -> Path:
    """A private copy of the store (and of a write-ahead log an older version left beside
    it) in the store's folder, to write the next version in; a new store has none yet."""
    copy = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.next")
    if path.is_file():
        for source, target in ((path, copy), (_wal(path), _wal(copy))):
            if source.is_file():
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
                with source.open("rb") as src, os.fdopen(fd, "wb") as out:
                    _copy_bytes(src.fileno(), out.fileno(), os.fstat(src.fileno()).st_size)
    return copy


def _copy_bytes(source: int, target: int, size: int) -> None:
    """The file's bytes, copied by the kernel (no trip through Python's memory)."""
    done = 0
    while done < size:
        step = os.copy_file_range(source, target, size - done)
        if step == 0:  # the file shrank: impossible while we hold the writer lock
            raise OSError(f"the store changed while it was copied ({done} of {size} bytes)")
        done += step


def _publish(copy: Path, path: Path) -> None:
    """The copy becomes the store, durably: its bytes on disk first, then the rename."""
    fd = os.open(copy, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    copy.replace(path)  # atomic: a reader opens the old file or the new, never half of one
    _wal(path).unlink(missing_ok=True)  # an older version's log, now in the file
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _remove(copy: Path) -> None:
    copy.unlink(missing_ok=True)
    _wal(copy).unlink(missing_ok=True)


def _remove_leftovers(path: Path) -> None:
    """The copies of writers that failed or were killed (only writers make them, and the
    caller holds the writer lock, so none is in use)."""
    for left in path.parent.glob(f".{path.name}.*.next*"):
        log.warning("removing %s, left by a write that did not finish", left)
        left.unlink(missing_ok=True)


class PostgresStore(Store):
    kind = "postgresql"

    def __init__(
        self,
        url: str,
        read_only: bool = False,
        wait: float = DEFAULT_WAIT,
        tell: Tell | None = None,
    ) -> None:
        # A reader's connection autocommits: Ibis expects it, and no snapshot is held open.
        self.con = psycopg.connect(url, autocommit=read_only)
        self.read_only = read_only
        self.wait = wait
        self.tell = tell

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
        if not self._in_tx and not self.read_only:
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
        """One writer's transaction: readers go on reading (MVCC); another writer waits."""
        if self.read_only:
            raise PermissionError("a read-only connection to the store cannot write")
        if self._in_tx:
            yield
            return
        self._in_tx = True
        try:
            self._take_writer_lock()
            yield
        except BaseException:
            self.con.rollback()
            raise
        else:
            self.con.commit()
        finally:
            self._in_tx = False

    def _take_writer_lock(self) -> None:
        """The transaction's advisory lock (let go at commit or rollback), waited for as the
        embedded store's file lock is."""
        deadline = time.monotonic() + self.wait
        told = False
        while True:
            with self.con.cursor() as cur:
                row = cur.execute("SELECT pg_try_advisory_xact_lock(%s)", [PG_WRITER_LOCK])
                found = row.fetchone()
            if found and found[0]:
                return
            if time.monotonic() >= deadline:
                raise StoreBusy(lock.busy_message(self.wait))
            if not told and self.tell is not None:
                self.tell(lock.waiting_message(self.wait))
                told = True
            time.sleep(lock.POLL * 5)

    def close(self) -> None:
        self.con.close()


def connect(url: str, wait: float | None = None, tell: Tell | None = None) -> Store:
    """The store to write to (and read from), by its URL (``store.url``). A writer waits up
    to ``wait`` seconds (default ``SAFEPLAN_STORE_WAIT``) for another to finish, telling
    ``tell`` once that it waits; then ``StoreBusy``."""
    if wait is None:
        from safeplan.config import settings

        wait = settings().store_wait
    where = parse(url)
    if where.server:
        return PostgresStore(where.target, wait=wait, tell=tell)
    return DuckStore(where.path, wait=wait, tell=tell)


def open_read_only(url: str) -> Store:
    """The store to read, never to write: it takes no lock, so it never waits for a load nor
    makes one wait. Raises ``NoStore`` when an embedded store has not been made yet."""
    where = parse(url)
    if where.server:
        return PostgresStore(where.target, read_only=True)
    return DuckStore(where.path, read_only=True)
