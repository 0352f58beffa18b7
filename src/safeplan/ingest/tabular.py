"""CSV files against a staging table: columns checked, every value read, every row located."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from safeplan.ingest.findings import FileRefused, Severity, refuse
from safeplan.ingest.safety import MAX_COLUMNS, MAX_FIELD_CHARS, read_text
from safeplan.ingest.staged import Parser, Staged
from safeplan.ingest.staging import StagingTable

csv.field_size_limit(MAX_FIELD_CHARS)


def read_header(path: Path) -> tuple[str, list[str]]:
    """The file's text and its header row (stripped), refusing files that have none."""
    text = read_text(path)
    return text, header_of(path.name, text)


def header_of(name: str, text: str) -> list[str]:
    """The header row of CSV text (stripped): refused when empty or impossibly wide."""
    first = next(rows_of(name, text), (1, None))[1]
    if not first or not any(h.strip() for h in first):
        raise refuse(
            name, "SP-CSV-HEADER", "the first row should name the columns, but it is empty"
        )
    if len(first) > MAX_COLUMNS:
        raise refuse(
            name,
            "SP-CSV-COLUMNS",
            f"the first row has {len(first):,} columns; no SafePlan format has more than "
            f"{MAX_COLUMNS}, so this is not the export it should be",
            1,
        )
    return [h.strip() for h in first]


def rows_of(name: str, text: str) -> Iterator[tuple[int, list[str]]]:
    """CSV rows with the line each ends on; a row the csv module cannot read is refused with
    its line (a value over `MAX_FIELD_CHARS`, say)."""
    reader = csv.reader(io.StringIO(text))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _unreadable(name, reader.line_num, exc) from exc
        yield reader.line_num, row


def _unreadable(name: str, line: int, exc: csv.Error) -> FileRefused:
    if "field larger than field limit" in str(exc):
        why = f"a value is longer than {MAX_FIELD_CHARS:,} characters, the most any field may hold"
    else:
        why = f"the CSV cannot be read ({exc})"
    return refuse(name, "SP-CSV", f"{why}; the file was not read", line, location=f"line {line}")


def check_columns(path: Path, header: list[str], spec: StagingTable, what: str) -> None:
    """Refuse a file missing a required column: its records could not be read correctly."""
    have = {h.lower() for h in header}
    missing = [c.field for c in spec.columns if c.required and c.name not in have]
    if missing:
        raise refuse(
            path.name,
            "SP-CSV-COLUMNS",
            f"this {what} file has no {', '.join(missing)} column"
            f"{'s' if len(missing) > 1 else ''}; the columns it needs are: "
            f"{', '.join(c.field for c in spec.columns)}",
            1,
        )
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise refuse(
            path.name, "SP-CSV-COLUMNS", f"the column {dupes[0]} appears more than once", 1
        )


def read_rows(staged: Staged, text: str, spec: StagingTable, parsers: dict[str, Parser]) -> None:
    """Every data row into the staging table; unknown columns are reported once and ignored."""
    reader = rows_of(staged.file.name, text)
    header = [h.strip().lower() for h in next(reader)[1]]
    known = {c.name for c in spec.columns}
    for name in header:
        if name and name not in known:
            staged.finding(
                "row 1",
                name,
                "SP-CSV-EXTRA",
                f"the column {name!r} is not part of this file's format; it was ignored",
                1,
                severity=Severity.warning,
            )
    rows = staged.table(spec)
    for n, (line, cells) in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        where = f"row {n}"
        if len(cells) != len(header):
            staged.finding(
                where,
                "",
                "SP-CSV-SHAPE",
                f"this row has {len(cells)} values but the header has {len(header)} columns",
                line,
                table=spec.name,
                seq=len(rows) + 1,
            )
        raw = dict(zip(header, cells, strict=False))
        child = (raw.get("child") or "").strip()
        staged.add_row(spec, raw, parsers, where, line, child)


def year_from_path(path: Path) -> str | None:
    """The collection year a file is for, from its name or folder: 'episodes_2024.csv' → '2024'."""
    for part in (path.name, *(p.name for p in path.parents)):
        found = re.findall(r"(?<!\d)(20\d\d)(?!\d)", part)
        if found:
            return str(found[-1])
    return None
