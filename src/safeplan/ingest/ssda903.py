"""SSDA903 reader: one CSV of the looked-after children return, recognised by its columns."""

from __future__ import annotations

from pathlib import Path

from safeplan.ingest.fields import parse_int, parse_uk_date
from safeplan.ingest.findings import refuse
from safeplan.ingest.staged import Parser, Staged
from safeplan.ingest.staging import S903_FILES, StagingTable, s903_tables
from safeplan.ingest.tabular import check_columns, read_header, read_rows, year_from_path

PARSERS: dict[str, Parser] = {"date": parse_uk_date, "int": parse_int}


def identify(header: list[str], file_name: str, *, exact: bool = False) -> StagingTable | None:
    """Which 903 file this is: exact columns first, then the file name, then the best overlap."""
    have = {h.lower() for h in header}
    tables = s903_tables()
    for table in tables:
        if have == {c.name for c in table.columns}:
            return table
    if exact:
        return None
    stem = file_name.lower()
    for label, name in sorted(S903_FILES.items(), key=lambda kv: -len(kv[0])):
        if label.lower() in stem.replace("_", "").replace("-", ""):
            return next(t for t in tables if t.name == name)
    best = max(tables, key=lambda t: len(have & {c.name for c in t.columns}) / len(t.columns))
    share = len(have & {c.name for c in best.columns}) / len(best.columns)
    return best if share >= 0.6 and "child" in have else None


def read_ssda903(path: Path, year: str | None = None) -> Staged:
    text, header = read_header(path)
    spec = identify(header, path.name)
    if spec is None:
        raise refuse(
            path.name,
            "SP-903-UNKNOWN",
            "the columns do not match any SSDA903 file (Header, Episodes, Missing, "
            "Reviews, OC2, ...); check the first row",
            1,
        )
    label = next(k for k, v in S903_FILES.items() if v == spec.name)
    check_columns(path, header, spec, f"SSDA903 {label}")
    staged = Staged(path, "ssda903", f"ssda903:{label.lower()}", year or year_from_path(path))
    read_rows(staged, text, spec, PARSERS)
    return staged
