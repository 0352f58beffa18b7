"""CSV files against a staging table: columns checked, every value read, every row located."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from safeplan.ingest.findings import Severity, refuse
from safeplan.ingest.safety import read_text
from safeplan.ingest.staged import Parser, Staged
from safeplan.ingest.staging import StagingTable

csv.field_size_limit(1_000_000)


def read_header(path: Path) -> tuple[str, list[str]]:
    """The file's text and its header row (stripped), refusing files that have none."""
    text = read_text(path)
    first = next(csv.reader(io.StringIO(text)), None)
    if not first or not any(h.strip() for h in first):
        raise refuse(
            path.name, "SP-CSV-HEADER", "the first row should name the columns, but it is empty"
        )
    return text, [h.strip() for h in first]


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
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader)]
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
    for n, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        where = f"row {n}"
        if len(cells) != len(header):
            staged.finding(
                where,
                "",
                "SP-CSV-SHAPE",
                f"this row has {len(cells)} values but the header has {len(header)} columns",
                reader.line_num,
                table=spec.name,
                seq=len(rows) + 1,
            )
        raw = dict(zip(header, cells, strict=False))
        child = (raw.get("child") or "").strip()
        staged.add_row(spec, raw, parsers, where, reader.line_num, child)


def year_from_path(path: Path) -> str | None:
    """The collection year a file is for, from its name or folder: 'episodes_2024.csv' → '2024'."""
    for part in (path.name, *(p.name for p in path.parents)):
        found = re.findall(r"(?<!\d)(20\d\d)(?!\d)", part)
        if found:
            return str(found[-1])
    return None
