"""Loading files into the canonical store: atomic, idempotent, replacing older returns.

A file is first *prepared* — read, validated, pseudonymised and mapped to canonical rows —
which needs no store, so several files are prepared at once in worker processes. Then it is
*loaded*, one file per transaction: a file already loaded (same SHA-256) changes nothing;
an older load of the same return (same kind, collection year and council) is replaced — its
rows moved aside to ``sp_replaced_<table>`` and the load marked replaced — but only once the
caller has decided to (`Replacement`: what changes, shown first; a replacement that takes
away most of the records is refused unless confirmed); the canonical rows, findings and
quarantined records are written; the load is recorded; the current tables of the tables it
changed are rebuilt (`store.current`). Any failure, or a killed process, rolls all of it
back. Any load can be undone (`undo_load`): its rows go and the rows it replaced come back.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from safeplan.ingest.findings import FINDING_COLUMNS, FileRefused, Finding, refuse
from safeplan.ingest.partner import partner_tables
from safeplan.ingest.pipeline import Checked, check_batch
from safeplan.ingest.pseudonym import normalise, pseudonymise
from safeplan.ingest.reference import References
from safeplan.ingest.tabular import year_from_path
from safeplan.ingest.years import label
from safeplan.store.current import refresh_current
from safeplan.store.db import Store
from safeplan.store.schema import (
    CANONICAL_VALUES,
    DROPPED,
    IDENTIFIERS,
    REPLACED_PREFIX,
    ROW_ID_BITS,
    CanonicalTable,
    canonical_tables,
)

FAULT_ENV = "SAFEPLAN_FAULT_KILL_AFTER"
"""Test hook: the name of a canonical table after whose insert (or of a current table after
whose refresh) the process kills itself."""


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
    not_run: tuple[str, ...] = ()  # rules of the return that could not run, and why

    def describe(self) -> str:
        if self.status == "unchanged":
            return f"{self.file}: already loaded as load {self.load_id}; nothing changed"
        replaced = f"; replaced load {', '.join(map(str, self.replaced))}" if self.replaced else ""
        return (
            f"{self.file}: load {self.load_id}: {self.records:,} records stored, "
            f"{self.quarantined:,} quarantined, {self.findings:,} findings{replaced}"
        )


SHRINK_SHARE = 0.5
"""A replacement bringing fewer than half the records of the loads it replaces (an empty or
header-only file among them) takes away most of a year's data: it is refused unless the
person loading confirms it in so many words (``--allow-fewer``, or the page's checkbox)."""


@dataclass(frozen=True)
class Replacement:
    """What loading a file would change, shown before it replaces earlier loads: records
    per canonical table before (in the loads it replaces) and after (in the file)."""

    file: str
    kind: str
    period: str
    replaces: tuple[int, ...]
    before: dict[str, int]
    after: dict[str, int]

    @property
    def records_before(self) -> int:
        return sum(self.before.values())

    @property
    def records_after(self) -> int:
        return sum(self.after.values())

    @property
    def shrinks(self) -> bool:
        """Most of the records would go: refused unless confirmed explicitly."""
        return self.records_after < SHRINK_SHARE * self.records_before

    @property
    def tables(self) -> tuple[str, ...]:
        """Every canonical table whose records change."""
        return tuple(sorted(set(self.before) | set(self.after)))

    def describe(self) -> str:
        """The change per table, in words, for the command line."""
        loads = ", ".join(map(str, self.replaces))
        lines = [
            f"{self.file} replaces load {loads} ({self.kind}, {label(int(self.period))}"
            if self.period.isdigit()
            else f"{self.file} replaces load {loads} ({self.kind}, {self.period}"
        ]
        lines[0] += f"): {self.records_before:,} records become {self.records_after:,}"
        for table in self.tables:
            was, now = self.before.get(table, 0), self.after.get(table, 0)
            lines.append(f"  {table}: {was:,} → {now:,}")
        return "\n".join(lines)


Decide = Callable[[Replacement], bool]
"""Asked before a file replaces earlier loads: True to go ahead."""


@dataclass
class Prepared:
    """A file ready to load: canonical rows keyed by staging table, findings, quarantine.

    Holds no connection, so it can come back from a worker process.
    """

    file: str
    source: str
    kind: str
    period: str | None
    la: str | None
    file_hash: str
    file_bytes: int
    findings: list[Finding]
    frames: dict[str, pa.Table] = field(default_factory=dict)  # staging name → rows
    quarantine: pa.Table | None = None
    seconds: float = 0.0
    not_run: list[str] = field(default_factory=list)  # rules that could not run, and why
    set_files: list[str] = field(default_factory=list)  # the files checked with it as a set
    last_year: str = ""  # last year's return staged beside it for the continuity rules, or why not

    @property
    def quarantined(self) -> int:
        return 0 if self.quarantine is None else self.quarantine.num_rows


def tables() -> dict[str, CanonicalTable]:
    return canonical_tables(partner_tables())


def prepare(checked: Checked, key: bytes) -> Prepared:
    """Map a checked file to canonical rows (pseudonymised, quarantined rows left out)."""
    s = checked.staged
    frames = _frames(checked, key, tables())
    return Prepared(
        s.file.name,
        s.source,
        s.kind,
        s.period,
        s.la,
        checked.file_hash,
        checked.file_bytes,
        [_stored_finding(f, key) for f in checked.findings],
        frames,
        _quarantine(checked, key),
        not_run=list(checked.not_run),
        set_files=list(checked.set_files),
        last_year=checked.last_year,
    )


def prepare_batch(
    paths: list[Path],
    year: str | None,
    key: bytes,
    last_year: list[Path] | None = None,
    references: References | None = None,
) -> list[tuple[Path, Prepared | FileRefused]]:
    """Check files as sets (`check_batch`: a folder's 903 CSVs together, ``last_year``'s
    files staged beside them for the continuity rules) and prepare each; a refusal is
    returned, not raised, to cross processes."""
    started = time.perf_counter()
    results = check_batch(paths, year, last_year or (), references)
    out: list[tuple[Path, Prepared | FileRefused]] = []
    try:
        for path, checked in results:
            out.append(
                (path, checked if isinstance(checked, FileRefused) else prepare(checked, key))
            )
    finally:
        for _, checked in results:
            if isinstance(checked, Checked):
                checked.close()
    share = (time.perf_counter() - started) / max(len(paths), 1)
    for _, prepared in out:
        if isinstance(prepared, Prepared):
            prepared.seconds = share
    return out


def prepare_file(path: Path, year: str | None, key: bytes) -> Prepared | FileRefused:
    """Check and prepare one file on its own."""
    [(_, prepared)] = prepare_batch([path], year, key)
    return prepared


def batches(paths: list[Path], together: bool = False) -> list[list[Path]]:
    """The files that are checked together: the CSVs of one folder (a 903 return is a
    folder of CSVs), or all the CSVs when ``together`` (one upload); every other file alone.
    In the order of each batch's first file."""
    groups: dict[object, list[Path]] = {}
    for path in paths:
        key: object = path
        if path.suffix.lower() == ".csv":
            key = ("csv", None if together else path.parent)
        groups.setdefault(key, []).append(path)
    return list(groups.values())


def last_years(
    work: list[list[Path]], year: str | None = None, last_year: list[Path] | None = None
) -> list[list[Path]]:
    """For each batch, last year's files for its 903 continuity rules: ``last_year`` when
    given (``--last-year DIR``), else the CSVs of the batch given beside it from the folder
    of the year before (ssda903/2024 for ssda903/2025: same parent, its name's year one
    less). None with ``year`` (``--year`` gives every folder the same year)."""
    if last_year is not None:
        return [list(last_year) for _ in work]
    folders: dict[tuple[Path, int], list[Path]] = {}
    for batch in work:
        folder = _csv_folder(batch)
        if folder is not None:
            folders.setdefault(folder, batch)
    out: list[list[Path]] = []
    for batch in work:
        folder = _csv_folder(batch)
        before = None if folder is None or year else folders.get((folder[0], folder[1] - 1))
        out.append(list(before or []))
    return out


def _csv_folder(batch: list[Path]) -> tuple[Path, int] | None:
    """The parent folder and year of a batch of one folder's CSVs named for its year."""
    parents = {p.parent for p in batch}
    if len(parents) != 1 or any(p.suffix.lower() != ".csv" for p in batch):
        return None
    [folder] = parents
    found = year_from_path(Path(folder.name))
    return (folder.parent, int(found)) if found else None


def prepare_files(
    paths: list[Path],
    year: str | None,
    key: bytes,
    workers: int | None = None,
    together: bool = False,
    last_year: list[Path] | None = None,
    references: References | None = None,
) -> Iterator[tuple[Path, Prepared | FileRefused]]:
    """Prepare files in parallel (one process per core, one batch each), yielding them in
    the given order; ``references`` are the reference lists to check against (by default
    SAFEPLAN_POSTCODES and SAFEPLAN_PROVIDERS)."""
    order = list(paths)
    work = batches(order, together)
    lasts = last_years(work, year, last_year)
    workers = workers or min(len(work), os.cpu_count() or 1)
    done: dict[Path, Prepared | FileRefused] = {}
    if workers <= 1:
        results: Iterator[list[tuple[Path, Prepared | FileRefused]]] = (
            prepare_batch(b, year, key, ls, references) for b, ls in zip(work, lasts, strict=True)
        )
        for batch in results:
            done.update(batch)
            yield from _in_order(order, done)
        return
    ctx = multiprocessing.get_context("spawn")  # no inherited database handles
    with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
        futures = [
            pool.submit(prepare_batch, b, year, key, ls, references)
            for b, ls in zip(work, lasts, strict=True)
        ]
        for future in futures:
            done.update(future.result())
            yield from _in_order(order, done)


def _in_order(
    paths: list[Path], done: dict[Path, Prepared | FileRefused]
) -> Iterator[tuple[Path, Prepared | FileRefused]]:
    """Yield (and forget) the prepared files that are next in the given order."""
    while paths and paths[0] in done:
        path = paths.pop(0)
        yield path, done.pop(path)


def load_files(
    store: Store,
    paths: list[Path],
    year: str | None,
    key: bytes,
    report: Callable[[Path, LoadResult | FileRefused], None],
    workers: int | None = None,
    together: bool = False,
    checked: Callable[[Path, Prepared], None] | None = None,
    last_year: list[Path] | None = None,
    references: References | None = None,
    decide: Decide | None = None,
) -> int:
    """Prepare in parallel (each folder's CSVs, or with ``together`` all the CSVs, checked as
    one set), load file by file in order; returns the number of files refused. ``checked``
    is told of each prepared file before it loads (for the rules it could not run).
    ``decide`` is asked before a file replaces earlier loads; without it a replacement goes
    ahead unless it would take away most of the records (`SHRINK_SHARE`)."""
    refused = 0
    in_store: dict[str, bool] = {}  # each year before asked about: is its 903 return loaded
    for path, prepared in prepare_files(
        list(paths), year, key, workers, together, last_year, references
    ):
        if isinstance(prepared, Prepared):
            _last_year_in_store(store, prepared, in_store)
        if checked is not None and isinstance(prepared, Prepared):
            checked(path, prepared)
        outcome = load_one(store, prepared, decide)
        refused += isinstance(outcome, FileRefused)
        report(path, outcome)
    return refused


def load_one(
    store: Store, prepared: Prepared | FileRefused, decide: Decide | None = None
) -> LoadResult | FileRefused:
    """Load one prepared file, asking ``decide`` first if it replaces earlier loads; a
    refusal (the file's, or the replacement's) is returned, not raised."""
    if isinstance(prepared, FileRefused):
        return prepared
    try:
        change = replacement(store, prepared)
        if change is not None:
            _decided(change, decide)
        return load_prepared(store, prepared, change.replaces if change else ())
    except FileRefused as exc:
        return exc


def replacement(store: Store, prepared: Prepared) -> Replacement | None:
    """What loading ``prepared`` would replace, or None: a file already loaded, or the first
    of its return (kind, collection year and council), replaces nothing."""
    if prepared.period is None:
        return None
    store.ensure_schema(list(tables().values()))
    if store.query(
        "SELECT 1 FROM sp_loads WHERE file_hash = ? AND status = 'loaded'", [prepared.file_hash]
    ):
        return None
    older = _older(store, prepared)
    if not older:
        return None
    before: dict[str, int] = {}
    for old, filled in older:
        for table in filter(None, (filled or "").split(",")):
            n = store.query(f"SELECT count(*) FROM {table} WHERE load_id = ?", [old])[0][0]
            before[table] = before.get(table, 0) + int(n)
    known = tables()
    after = {known[n].name: frame.num_rows for n, frame in prepared.frames.items()}
    return Replacement(
        prepared.file,
        prepared.kind,
        prepared.period,
        tuple(int(old) for old, _ in older),
        before,
        after,
    )


def _decided(change: Replacement, decide: Decide | None) -> None:
    """Go ahead with a replacement, or refuse the file saying why."""
    if decide is not None and decide(change):
        return
    if decide is None and not change.shrinks:
        return
    loads = ", ".join(map(str, change.replaces))
    if change.shrinks:
        raise refuse(
            change.file,
            "SP-REPLACE-FEWER",
            f"not loaded: it would replace load {loads} and take {change.records_before:,} "
            f"records down to {change.records_after:,} (an empty or partial file?); if that "
            "is meant, confirm it explicitly (--allow-fewer, or tick the box on the page)",
        )
    raise refuse(
        change.file,
        "SP-REPLACE",
        f"not loaded: it would replace load {loads} ({change.records_before:,} records "
        f"become {change.records_after:,}); confirm the replacement (--yes) to load it",
    )


def _last_year_in_store(store: Store, prepared: Prepared, in_store: dict[str, bool]) -> None:
    """A 903 file whose continuity rules did not run for want of last year's return, when
    that return is in the store: say that it is not read from there (docs/data.md: the
    store leaves out last year's quarantined rows and knows children only by pseudonym).
    ``in_store`` keeps the answer for each year, asked once for all the files of a set."""
    wanted = [r for r in prepared.not_run if "last year's" in r]
    if prepared.source != "ssda903" or not wanted or not (prepared.period or "").isdigit():
        return
    before = str(int(prepared.period or 0) - 1)
    if before not in in_store:
        store.ensure_schema([])
        rows = store.query(
            "SELECT count(*) FROM sp_loads WHERE source = 'ssda903' AND period = ? "
            "AND status = 'loaded'",
            [before],
        )
        in_store[before] = bool(rows and rows[0][0])
    if in_store[before]:
        note = (
            f"last year's return ({label(int(before))}) is in the store, but the continuity "
            "rules do not read it from there (the store leaves out its quarantined rows): "
            "give --last-year DIR, its folder of CSVs"
        )
        prepared.last_year = "; ".join(x for x in (prepared.last_year, note) if x)


def load_checked(store: Store, checked: Checked, key: bytes) -> LoadResult:
    return load_prepared(store, prepare(checked, key))


def load_prepared(
    store: Store, prepared: Prepared, replaces: tuple[int, ...] | None = None
) -> LoadResult:
    """Load one prepared file in one transaction. ``replaces``, when given, is the loads the
    person loading agreed to replace: a file that would now replace others is refused."""
    started = time.perf_counter()
    if prepared.period is None:
        raise refuse(
            prepared.file,
            "SP-PERIOD",
            "SafePlan cannot tell which collection year this file is for; put the year in its "
            "name or folder (e.g. episodes_2024.csv) or pass --year 2024",
        )
    known = tables()
    store.ensure_schema(list(known.values()))
    with store.transaction():
        done = store.query(
            "SELECT load_id FROM sp_loads WHERE file_hash = ? AND status = 'loaded'",
            [prepared.file_hash],
        )
        if done:
            return LoadResult(
                prepared.file,
                int(done[0][0]),
                "unchanged",
                0,
                0,
                0,
                not_run=tuple(prepared.not_run),
            )
        load_id = _next_load_id(store)
        if replaces is not None:
            now = tuple(int(old) for old, _ in _older(store, prepared))
            if now != tuple(replaces):
                raise refuse(
                    prepared.file,
                    "SP-REPLACE",
                    f"not loaded: it now replaces load {', '.join(map(str, now)) or 'none'}, "
                    f"not {', '.join(map(str, replaces)) or 'none'} as shown: check it again",
                )
        replaced, emptied = _replace_older(store, prepared, load_id)
        records = 0
        for name, frame in prepared.frames.items():
            table = known[name]
            store.insert(table.name, table.column_names, _with_ids(frame, load_id, prepared))
            records += frame.num_rows
            _fault(table.name)
        _write_findings(store, prepared, load_id)
        if prepared.quarantine is not None and prepared.quarantine.num_rows:
            q = prepared.quarantine
            store.insert(
                "sp_quarantine", ["load_id", *q.column_names], _const(q, "load_id", load_id)
            )
        seconds = prepared.seconds + time.perf_counter() - started
        store.execute(
            "INSERT INTO sp_loads VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, 'loaded', NULL, ?, ?, ?, ?, ?, ?)",
            [
                load_id,
                prepared.kind,
                prepared.source,
                prepared.period,
                prepared.la,
                prepared.file,
                prepared.file_hash,
                prepared.file_bytes,
                datetime.now(UTC).replace(tzinfo=None),
                records,
                prepared.quarantined,
                len(prepared.findings),
                seconds,
                ",".join(sorted(known[n].name for n in prepared.frames)),
            ],
        )
        # the current tables of every table this load changed (rows added or replaced)
        changed = emptied | {known[n].name for n in prepared.frames}
        refresh_current(store, changed, after=_fault)
    return LoadResult(
        prepared.file,
        load_id,
        "loaded",
        records,
        prepared.quarantined,
        len(prepared.findings),
        tuple(replaced),
        seconds,
        tuple(prepared.not_run),
    )


@dataclass(frozen=True)
class Undone:
    """A load undone: its records gone, and the loads it had replaced back in force."""

    load_id: int
    file: str
    removed: int
    restored: tuple[int, ...]
    restored_records: int

    def describe(self) -> str:
        back = (
            f"; load {', '.join(map(str, self.restored))} back in force "
            f"({self.restored_records:,} records)"
            if self.restored
            else ""
        )
        return f"load {self.load_id} ({self.file}) undone: {self.removed:,} records removed{back}"


def undo_load(store: Store, load_id: int, by: str) -> Undone:
    """Undo a load in one transaction, leaving the store as it was before it: its records,
    findings and quarantine go, the loads it replaced (and their records) come back, the
    current tables are rebuilt. Recorded in ``sp_undone`` with who undid it. Only a load in
    force can be undone: one replaced since is undone by undoing what replaced it first."""
    store.ensure_schema(list(tables().values()))
    with store.transaction():
        rows = store.query(
            "SELECT kind, period, file_name, file_hash, records, loaded_at, status, replaced_by, "
            "tables FROM sp_loads WHERE load_id = ?",
            [load_id],
        )
        if not rows:
            raise LookupError(f"there is no load {load_id} in the store (see `safeplan loads`)")
        kind, period, name, digest, records, loaded_at, status, by_load, filled = rows[0]
        if status != "loaded":
            raise ValueError(
                f"load {load_id} was replaced by load {by_load}: undo load {by_load} first"
            )
        changed: set[str] = set()
        removed = 0
        for table in filter(None, (filled or "").split(",")):
            removed += store.count_where(table, "load_id = ?", [load_id])
            store.execute(f"DELETE FROM {table} WHERE load_id = ?", [load_id])
            changed.add(table)
        for table in ("sp_findings", "sp_quarantine"):
            store.execute(f"DELETE FROM {table} WHERE load_id = ?", [load_id])
        restored: list[int] = []
        back = 0
        for old, old_tables in store.query(
            "SELECT load_id, tables FROM sp_loads WHERE replaced_by = ? ORDER BY load_id",
            [load_id],
        ):
            for table in filter(None, (old_tables or "").split(",")):
                kept = replaced_table(table)
                back += store.count_where(kept, "load_id = ?", [old])
                store.execute(f"INSERT INTO {table} SELECT * FROM {kept} WHERE load_id = ?", [old])
                store.execute(f"DELETE FROM {kept} WHERE load_id = ?", [old])
                changed.add(table)
            store.execute(
                "UPDATE sp_loads SET status = 'loaded', replaced_by = NULL WHERE load_id = ?",
                [old],
            )
            restored.append(int(old))
        store.execute("DELETE FROM sp_loads WHERE load_id = ?", [load_id])
        store.execute(
            "INSERT INTO sp_undone VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                load_id,
                kind,
                period,
                name,
                digest,
                records,
                loaded_at,
                datetime.now(UTC).replace(tzinfo=None),
                by,
                ",".join(map(str, restored)),
            ],
        )
        refresh_current(store, changed)
    return Undone(load_id, str(name), removed, tuple(restored), back)


def _const(table: pa.Table, name: str, value: Any) -> pa.Table:
    return table.add_column(0, name, pa.array([value] * table.num_rows, type=pa.int64()))


def _with_ids(frame: pa.Table, load_id: int, prepared: Prepared) -> pa.Table:
    """Row ids unique across loads (load_id << 32 | _seq), and the load's lineage."""
    base = pa.scalar(load_id << ROW_ID_BITS, pa.int64())
    n = frame.num_rows
    return (
        frame.append_column("record_id", pc.add(frame["_seq"], base))
        .append_column("parent_id", pc.add(frame["_parent"], base))
        .append_column("load_id", pa.array([load_id] * n, pa.int64()))
        .append_column("source_hash", pa.array([prepared.file_hash] * n, pa.string()))
    )


def _fault(table: str) -> None:
    if os.environ.get(FAULT_ENV) == table:
        os.kill(os.getpid(), signal.SIGKILL)


def _next_load_id(store: Store) -> int:
    """Load ids only grow, an undone load's included, so an id names one load for good."""
    return int(
        store.query(
            "SELECT coalesce(max(load_id), 0) + 1 FROM (SELECT load_id FROM sp_loads "
            "UNION ALL SELECT load_id FROM sp_undone) AS ids"
        )[0][0]
    )


def _older(store: Store, prepared: Prepared) -> list[tuple[Any, ...]]:
    """The loads of the same return (kind, collection year, council) still in force."""
    return store.query(
        "SELECT load_id, tables FROM sp_loads WHERE kind = ? AND period = ? "
        "AND coalesce(la, '') = ? AND status = 'loaded' ORDER BY load_id",
        [prepared.kind, prepared.period, prepared.la or ""],
    )


def replaced_table(table: str) -> str:
    """Where a replacing load keeps the rows it took out of ``table``."""
    return f"{REPLACED_PREFIX}{table}"


def _replace_older(store: Store, prepared: Prepared, load_id: int) -> tuple[list[int], set[str]]:
    """Move the rows of earlier loads of the same return (from the tables they filled) to
    ``sp_replaced_<table>``, where an undo finds them; returns those loads and the tables
    whose rows were moved."""
    older = _older(store, prepared)
    emptied: set[str] = set()
    for old, filled in older:
        for table in filter(None, (filled or "").split(",")):
            kept = replaced_table(table)
            store.execute(f"CREATE TABLE IF NOT EXISTS {kept} AS SELECT * FROM {table} LIMIT 0")
            store.execute(f"INSERT INTO {kept} SELECT * FROM {table} WHERE load_id = ?", [old])
            store.execute(f"DELETE FROM {table} WHERE load_id = ?", [old])
            emptied.add(table)
        store.execute(
            "UPDATE sp_loads SET status = 'replaced', replaced_by = ? WHERE load_id = ?",
            [load_id, old],
        )
    return [int(old) for old, _ in older], emptied


def _pseudonyms(checked: Checked, key: bytes) -> pa.Table:
    """Raw identifier (normalised) → pseudonym, for every identifier in the file."""
    raw: set[str] = set()
    for rows in checked.staged.tables.values():
        for col in IDENTIFIERS:
            if col in rows.data:
                raw.update(normalise(str(v)) for v in rows.data[col] if v is not None)
    ids = sorted(raw)
    return pa.table({"raw": ids, "pid": [pseudonymise(i, key) for i in ids]})


def _frames(checked: Checked, key: bytes, known: dict[str, CanonicalTable]) -> dict[str, pa.Table]:
    con = checked.con
    con.register("_pseudonyms", _pseudonyms(checked, key))
    out = {}
    for name, rows in checked.staged.tables.items():
        table = known.get(name)
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
        data_cols = "".join(
            f", {CANONICAL_VALUES.get((name, c), f's.{c}')} AS {n}" for c, n, _ in table.columns
        )
        sql = f"""
            SELECT s._seq, s._parent, p.pid AS person_id{data_cols},
                   s._file AS source_file, s._row AS source_row
            FROM {name} s {join}
            LEFT JOIN _pseudonyms p ON p.raw = upper(trim(CAST({ident} AS VARCHAR)))
            WHERE s._seq NOT IN (SELECT seq FROM _bad)
            ORDER BY s._seq"""
        out[name] = con.execute(sql).to_arrow_table()
        con.unregister("_bad")
    con.unregister("_pseudonyms")
    return out


def _stored_finding(finding: Finding, key: bytes) -> Finding:
    """A finding as the store keeps it: the child by pseudonym, as every stored record is;
    a flagged identifier pseudonymised too, and one the store does not keep (UPN,
    postcodes) left out."""
    field = finding.field.lower()
    value = finding.value
    if value and field in IDENTIFIERS:
        value = pseudonymise(value, key)
    elif value and field in DROPPED:
        value = ""
    child = pseudonymise(finding.child, key) if finding.child else ""
    return replace(finding, child=child, value=value)


def _write_findings(store: Store, prepared: Prepared, load_id: int) -> None:
    if not prepared.findings:
        return
    cols = [c for c in FINDING_COLUMNS if c != "seq"]
    data: dict[str, list[Any]] = {"load_id": [load_id] * len(prepared.findings)}
    for c in cols:
        values = (getattr(f, c) for f in prepared.findings)
        data["staging_table" if c == "table" else c] = [
            str(v) if c in ("level", "severity") else v for v in values
        ]
    store.insert("sp_findings", list(data), pa.table(data))


def _quarantine(checked: Checked, key: bytes) -> pa.Table | None:
    """Each rejected record with its place, reasons and values (identifier pseudonymised)."""
    cols: dict[str, list[Any]] = {
        k: [] for k in ("staging_table", "location", "line", "reasons", "record")
    }
    for name, bad in checked.quarantined.items():
        rows = checked.staged.tables[name]
        spec_cols = [c.name for c in rows.spec.columns]
        for seq, reasons in sorted(bad.items()):
            i = seq - 1
            record = {c: _jsonable(rows.data[c][i]) for c in spec_cols}
            for ident in IDENTIFIERS:
                if record.get(ident) is not None:
                    record[ident] = pseudonymise(str(record[ident]), key)
            cols["staging_table"].append(name)
            cols["location"].append(rows.data["_row"][i])
            cols["line"].append(rows.data["_line"][i])
            cols["reasons"].append("; ".join(reasons))
            cols["record"].append(json.dumps(record, sort_keys=True))
    return pa.table(cols) if cols["location"] else None


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value
