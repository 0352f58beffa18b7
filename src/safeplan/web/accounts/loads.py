"""The store's latest loads (``sp_loads``) for the dashboard and the data-quality page: counts
per file, never a record. Read-only; a store that is busy or missing gives a note instead."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import psycopg

from safeplan.config import settings

log = logging.getLogger(__name__)

COLUMNS = (
    "load_id, status, kind, source, period, file_name, records, quarantined, findings, loaded_at"
)
NOT_YET = "No data has been loaded yet."
UNAVAILABLE = "The store cannot be read at the moment. Please try again later."


@dataclass(frozen=True)
class Load:
    load_id: int
    status: str
    kind: str
    source: str
    period: str
    file_name: str
    records: int
    quarantined: int
    findings: int
    loaded_at: datetime | None


@dataclass(frozen=True)
class Loads:
    rows: list[Load] = field(default_factory=list)
    note: str = ""


def _rows(url: str, sql: str, params: list[Any]) -> list[tuple[Any, ...]] | None:
    if url.startswith(("postgresql://", "postgres://")):
        with psycopg.connect(url) as con, con.cursor() as cur:
            cur.execute("SELECT 1 FROM information_schema.tables WHERE table_name = 'sp_loads'")
            if cur.fetchone() is None:
                return None
            cur.execute(sql.replace("?", "%s"), params)
            return cur.fetchall()
    path = Path(url.removeprefix("duckdb:///").removeprefix("duckdb://"))
    if not path.is_file():
        return None
    with duckdb.connect(str(path), read_only=True) as duck:
        found = duck.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_name = 'sp_loads'"
        ).fetchone()
        if found is None:
            return None
        return duck.execute(sql, params).fetchall()


def latest(limit: int = 20, store_url: str | None = None) -> Loads:
    """The newest loads first, at most ``limit``."""
    url = store_url or settings().store_url
    sql = f"SELECT {COLUMNS} FROM sp_loads ORDER BY load_id DESC LIMIT ?"
    try:
        rows = _rows(url, sql, [limit])
    except Exception:  # a store locked by a load, or a server that is down
        log.exception("cannot read the loads from the store %s", url)
        return Loads(note=UNAVAILABLE)
    if not rows:
        return Loads(note=NOT_YET)
    return Loads(
        [
            Load(
                int(r[0]),
                str(r[1]),
                str(r[2]),
                str(r[3]),
                str(r[4] or ""),
                str(r[5]),
                int(r[6] or 0),
                int(r[7] or 0),
                int(r[8] or 0),
                r[9],
            )
            for r in rows
        ]
    )
