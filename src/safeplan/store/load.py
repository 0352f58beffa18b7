"""Loading a checked file into the canonical store: atomic, idempotent, replacing older returns.

One file is one transaction. Inside it: a file already loaded (same SHA-256) changes
nothing; an older load of the same return (same kind, collection year and council) is
removed and marked replaced; the file's canonical rows, findings and quarantined records
are written; the load is recorded. Any failure, or a killed process, rolls all of it back.
"""

from __future__ import annotations

import json
import os
import signal
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pyarrow as pa

from safeplan.ingest.findings import FINDING_COLUMNS, refuse
from safeplan.ingest.pipeline import Checked
from safeplan.ingest.pseudonym import normalise, pseudonymise
from safeplan.store.db import Store
from safeplan.store.schema import ROW_ID_BITS, CanonicalTable, canonical_tables

FAULT_ENV = "SAFEPLAN_FAULT_KILL_AFTER"
"""Test hook: the name of a canonical table after whose insert the process kills itself."""


@dataclass(frozen=True)
class LoadResult:
    file: str
    load_id: int | None
    status: str  # loaded | unchanged
    records: int
    quarantined: int
    findings: int
    replaced: tuple[int, ...] = ()
    seconds: float = 0.0

    def describe(self) -> str:
        if self.status == "unchanged":
            return f"{self.file}: already loaded as load {self.load_id}; nothing changed"
        replaced = f"; replaced load {', '.join(map(str, self.replaced))}" if self.replaced else ""
        return (
            f"{self.file}: load {self.load_id}: {self.records:,} records stored, "
            f"{self.quarantined:,} quarantined, {self.findings:,} findings{replaced}"
        )


def load_checked(store: Store, checked: Checked, key: bytes) -> LoadResult:
    started = time.perf_counter()
    staged = checked.staged
    if staged.period is None:
        raise refuse(
            staged.file.name,
            "SP-PERIOD",
            "SafePlan cannot tell which collection year this file is for; put the year "
            "in its name or folder (e.g. episodes_2024.csv) or pass --year 2024",
        )
    tables = canonical_tables(_extra_specs(checked))
    store.ensure_schema(list(tables.values()))
    with store.transaction():
        done = store.query(
            "SELECT load_id FROM sp_loads WHERE file_hash = ? AND status = 'loaded'",
            [checked.file_hash],
        )
        if done:
            return LoadResult(staged.file.name, int(done[0][0]), "unchanged", 0, 0, 0)
        load_id = int(store.query("SELECT coalesce(max(load_id), 0) + 1 FROM sp_loads")[0][0])
        replaced = _replace_older(store, checked, load_id, tables)
        frames = canonical_frames(checked, key, load_id, tables)
        records = 0
        for table, frame in frames:
            store.insert(table.name, table.column_names, frame)
            records += frame.num_rows
            if os.environ.get(FAULT_ENV) == table.name:
                os.kill(os.getpid(), signal.SIGKILL)
        _write_findings(store, checked, load_id)
        _write_quarantine(store, checked, load_id, key)
        seconds = time.perf_counter() - started
        store.execute(
            "INSERT INTO sp_loads VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'loaded', NULL, ?, ?, ?, ?, ?)",
            [
                load_id,
                staged.kind,
                staged.source,
                staged.period,
                staged.la,
                staged.file.name,
                checked.file_hash,
                checked.file_bytes,
                datetime.now(UTC).replace(tzinfo=None),
                records,
                checked.quarantine_count,
                len(checked.findings),
                seconds,
            ],
        )
    return LoadResult(
        staged.file.name,
        load_id,
        "loaded",
        records,
        checked.quarantine_count,
        len(checked.findings),
        tuple(replaced),
        seconds,
    )


def _extra_specs(checked: Checked) -> tuple[Any, ...]:
    from safeplan.ingest.partner import partner_tables

    return partner_tables()


def _replace_older(
    store: Store, checked: Checked, load_id: int, tables: dict[str, CanonicalTable]
) -> list[int]:
    s = checked.staged
    older = [
        int(r[0])
        for r in store.query(
            "SELECT load_id FROM sp_loads WHERE kind = ? AND period = ? AND coalesce(la, '') = ? "
            "AND status = 'loaded'",
            [s.kind, s.period, s.la or ""],
        )
    ]
    for old in older:
        for table in {t.name for t in tables.values()}:
            store.execute(f"DELETE FROM {table} WHERE load_id = ?", [old])
        store.execute(
            "UPDATE sp_loads SET status = 'replaced', replaced_by = ? WHERE load_id = ?",
            [load_id, old],
        )
    return older


def _pseudonyms(checked: Checked, key: bytes) -> pa.Table:
    """Raw identifier (normalised) → pseudonym, for every identifier in the file."""
    raw: set[str] = set()
    for rows in checked.staged.tables.values():
        for col in ("lachildid", "child", "child_unique_id", "child_id"):
            if col in rows.data:
                raw.update(normalise(str(v)) for v in rows.data[col] if v is not None)
    ids = sorted(raw)
    return pa.table({"raw": ids, "pid": [pseudonymise(i, key) for i in ids]})


def canonical_frames(
    checked: Checked, key: bytes, load_id: int, tables: dict[str, CanonicalTable]
) -> list[tuple[CanonicalTable, pa.Table]]:
    con = checked.con
    con.register("_pseudonyms", _pseudonyms(checked, key))
    base = load_id << ROW_ID_BITS
    out = []
    for name, rows in checked.staged.tables.items():
        table = tables.get(name)
        if table is None or len(rows) == 0:
            continue
        bad = sorted(checked.quarantined.get(name, {}))
        con.register("_bad", pa.table({"seq": pa.array(bad, type=pa.int64())}))
        if table.identifier:
            ident, join = f"s.{table.identifier}", ""
        elif rows.spec.source == "cin_census":
            ident, join = "c.lachildid", "LEFT JOIN cin_child c ON c._seq = s._child"
        else:
            ident, join = "NULL", ""
        data_cols = ", ".join(f"s.{c} AS {n}" for c, n, _ in table.columns)
        sql = f"""
            SELECT ? + s._seq AS record_id,
                   CASE WHEN s._parent IS NULL THEN NULL ELSE ? + s._parent END AS parent_id,
                   p.pid AS person_id{", " + data_cols if data_cols else ""},
                   ?::BIGINT AS load_id, s._file AS source_file, ? AS source_hash,
                   s._row AS source_row
            FROM {name} s {join}
            LEFT JOIN _pseudonyms p ON p.raw = upper(trim(CAST({ident} AS VARCHAR)))
            WHERE s._seq NOT IN (SELECT seq FROM _bad)
            ORDER BY s._seq"""
        frame = con.execute(sql, [base, base, load_id, checked.file_hash]).to_arrow_table()
        out.append((table, frame))
        con.unregister("_bad")
    con.unregister("_pseudonyms")
    return out


def _write_findings(store: Store, checked: Checked, load_id: int) -> None:
    if not checked.findings:
        return
    cols = [c for c in FINDING_COLUMNS if c != "seq"]
    data: dict[str, list[Any]] = {"load_id": [load_id] * len(checked.findings)}
    for c in cols:
        data["staging_table" if c == "table" else c] = [
            str(v) if c in ("level", "severity") else v
            for v in (getattr(f, c) for f in checked.findings)
        ]
    store.insert("sp_findings", list(data), pa.table(data))


def _write_quarantine(store: Store, checked: Checked, load_id: int, key: bytes) -> None:
    rows: dict[str, list[Any]] = {
        k: [] for k in ("load_id", "staging_table", "location", "line", "reasons", "record")
    }
    for table, bad in checked.quarantined.items():
        data = checked.staged.tables[table].data
        spec_cols = [c.name for c in checked.staged.tables[table].spec.columns]
        for seq, reasons in sorted(bad.items()):
            i = seq - 1
            record = {c: _jsonable(data[c][i]) for c in spec_cols}
            for ident in ("lachildid", "child", "child_unique_id", "child_id"):
                if record.get(ident) is not None:
                    record[ident] = pseudonymise(str(record[ident]), key)
            rows["load_id"].append(load_id)
            rows["staging_table"].append(table)
            rows["location"].append(data["_row"][i])
            rows["line"].append(data["_line"][i])
            rows["reasons"].append("; ".join(reasons))
            rows["record"].append(json.dumps(record, sort_keys=True))
    if rows["load_id"]:
        store.insert("sp_quarantine", list(rows), pa.table(rows))


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value
