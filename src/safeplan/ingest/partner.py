"""Partner template reader: the CSV/XLSX files SafePlan defines for partners' own data."""

from __future__ import annotations

import csv
import io
from functools import cache
from pathlib import Path

from safeplan.ingest.annex_a import cell_text, open_workbook, sheet_rows
from safeplan.ingest.fields import (
    parse_any_date,
    parse_bool,
    parse_float,
    parse_int,
    parse_timestamp,
)
from safeplan.ingest.findings import Severity, refuse
from safeplan.ingest.staged import Parser, Staged
from safeplan.ingest.staging import Column, ColumnType, StagingTable, snake
from safeplan.ingest.tabular import (
    check_columns,
    header_of,
    read_header,
    read_rows,
    year_from_path,
)
from safeplan.ingest.templates import TEMPLATES, Template

TYPES: dict[str, ColumnType] = {
    "text": "text",
    "date": "date",
    "datetime": "timestamp",
    "int": "int",
    "decimal": "float",
    "bool": "bool",
}
PARSERS: dict[str, Parser] = {
    "date": parse_any_date,
    "timestamp": parse_timestamp,
    "int": parse_int,
    "float": parse_float,
    "bool": parse_bool,
}


@cache
def partner_tables() -> tuple[StagingTable, ...]:
    return tuple(staging_for(t) for t in TEMPLATES.values())


def staging_for(template: Template) -> StagingTable:
    columns = tuple(Column(c.name, c.name, TYPES[c.type], c.required) for c in template.columns)
    codes = {c.name: c.codes for c in template.columns if c.codes and c.type != "bool"}
    return StagingTable(
        f"partner_{template.name}", "partner", f"{template.title} row", columns, None, codes
    )


def identify(header: list[str], file_name: str) -> Template | None:
    """The template a file follows: by its name (missing_episodes_2024.csv), else its columns."""
    stem = snake(Path(file_name).stem)
    for name in sorted(TEMPLATES, key=len, reverse=True):
        if stem.startswith(name) or f"_{name}" in stem:
            return TEMPLATES[name]
    have = {snake(h) for h in header}
    for template in TEMPLATES.values():
        if {c.name for c in template.columns if c.required} <= have:
            return template
    return None


def read_partner(path: Path, year: str | None = None) -> Staged:
    if path.suffix.lower() == ".csv":
        text, header = read_header(path)
    else:
        text, header = _xlsx_as_csv(path)
    template = identify(header, path.name)
    if template is None:
        raise refuse(
            path.name,
            "SP-TEMPLATE",
            "this file does not follow any SafePlan partner template; name it after the "
            f"template (one of: {', '.join(TEMPLATES)}) and use its columns",
            1,
        )
    spec = staging_for(template)
    check_columns(path, header, spec, f"{template.title}")
    staged = Staged(path, "partner", f"partner:{template.name}", year or year_from_path(path))
    read_rows(staged, text, spec, PARSERS)
    _check_codes_and_keys(staged, spec, template)
    return staged


def _check_codes_and_keys(staged: Staged, spec: StagingTable, template: Template) -> None:
    rows = staged.tables.get(spec.name)
    if rows is None:
        return
    data = rows.data
    for column, allowed in spec.codes.items():
        for i, value in enumerate(data[column]):
            if value is not None and str(value) not in allowed:
                staged.finding(
                    data["_row"][i],
                    column,
                    "SP-CODE",
                    f"'{value}' is not one of the codes for {column}: {', '.join(allowed)}",
                    data["_line"][i],
                    table=spec.name,
                    seq=data["_seq"][i],
                )
    seen: dict[tuple[object, ...], str] = {}
    for i in range(len(rows)):
        key = tuple(data[k][i] for k in template.key)
        if any(v is None for v in key):
            continue
        if key in seen:
            staged.finding(
                data["_row"][i],
                ", ".join(template.key),
                "SP-DUPLICATE",
                f"this record repeats {seen[key]} (same {', '.join(template.key)})",
                data["_line"][i],
                table=spec.name,
                seq=data["_seq"][i],
                severity=Severity.error,
            )
        else:
            seen[key] = data["_row"][i]


def _xlsx_as_csv(path: Path) -> tuple[str, list[str]]:
    """The first sheet of a partner workbook as CSV text, so both formats share one reader."""
    with open_workbook(path) as book:
        out = io.StringIO()
        writer = csv.writer(out)
        for row in sheet_rows(book, book.sheet_names[0]):
            writer.writerow([cell_text(v) for v in row])
    text = out.getvalue()
    if not text:
        raise refuse(path.name, "SP-CSV-HEADER", "the first sheet is empty", 1)
    return text, header_of(path.name, text)
