"""From a file on disk to checked staging tables: read, validate, decide what is quarantined.

`check` is what both `safeplan validate` and `safeplan load` run; only `load` goes on to
write the store.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from safeplan.ingest import years
from safeplan.ingest.annex_a import read_annex_a
from safeplan.ingest.cin_census import read_cin_census
from safeplan.ingest.findings import Finding, Severity, refuse
from safeplan.ingest.partner import identify as identify_template
from safeplan.ingest.partner import read_partner
from safeplan.ingest.rules import run_rules
from safeplan.ingest.safety import check_size
from safeplan.ingest.ssda903 import identify, read_ssda903
from safeplan.ingest.staged import Staged
from safeplan.ingest.tabular import read_header


@dataclass
class Checked:
    """A file read and validated, its staging tables held in an in-memory DuckDB."""

    staged: Staged
    con: duckdb.DuckDBPyConnection
    file_hash: str
    file_bytes: int
    findings: list[Finding]
    quarantined: dict[str, dict[int, list[str]]] = field(default_factory=dict)

    @property
    def quarantine_count(self) -> int:
        return sum(len(rows) for rows in self.quarantined.values())

    def close(self) -> None:
        self.con.close()


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_file(path: Path, year: str | None = None) -> Staged:
    """Recognise the file by its extension and contents, and read it."""
    given = years.parse_year(year)
    year = str(given) if given is not None else None
    suffix = path.suffix.lower()
    if suffix == ".xml":
        return read_cin_census(path, given)
    if suffix in (".xlsx", ".xlsm"):
        from safeplan.ingest.annex_a import open_workbook

        with open_workbook(path) as book:
            sheets = book.sheet_names
        if any(s.startswith("List ") for s in sheets):
            return read_annex_a(path, year)
        return read_partner(path, year)
    if suffix == ".csv":
        _, header = read_header(path)
        if identify(header, path.name, exact=True) is None and identify_template(header, path.name):
            return read_partner(path, year)
        if identify(header, path.name) is not None:
            return read_ssda903(path, year)
        return read_partner(path, year)
    check_size(path)
    raise refuse(
        path.name,
        "SP-FILETYPE",
        f"SafePlan reads .xml (CIN census), .csv (SSDA903, partner templates) and .xlsx "
        f"(Annex A, partner templates) files, not '{suffix or 'no extension'}'",
    )


def check(path: Path, year: str | None = None) -> Checked:
    """Read and validate a file. Raises FileRefused if it cannot be used at all."""
    size = check_size(path)
    staged = read_file(path, year)
    con = duckdb.connect(":memory:")
    staged.to_duckdb(con)
    findings = [*staged.findings, *run_rules(con, staged.source, _year(staged.period))]
    checked = Checked(staged, con, file_hash(path), size, findings)
    checked.quarantined = _quarantine(staged, findings)
    return checked


def _year(period: str | None) -> int | None:
    """The collection year (2025 for 2024-25) of a return's period, when it is one."""
    return int(period) if period and period.isdigit() else None


def _quarantine(staged: Staged, findings: list[Finding]) -> dict[str, dict[int, list[str]]]:
    """Rows with an error go to quarantine, and so do the records nested inside them."""
    out: dict[str, dict[int, list[str]]] = {}
    for f in findings:
        if f.severity is Severity.error and f.table and f.seq is not None:
            out.setdefault(f.table, {}).setdefault(f.seq, []).append(f"[{f.rule}] {f.message}")
    for name, rows in staged.tables.items():  # parents come before children in staging order
        parent = rows.spec.parent
        if parent is None or parent not in out:
            continue
        bad = out[parent]
        for seq, parent_seq in zip(rows.data["_seq"], rows.data["_parent"], strict=True):
            if parent_seq in bad:
                reasons = out.setdefault(name, {}).setdefault(seq, [])
                if not reasons:
                    reasons.append("the record it belongs to is in quarantine")
    return out
