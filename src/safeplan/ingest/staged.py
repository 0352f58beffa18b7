"""A file as read: its staging rows, what was found wrong, and which return it is.

Readers fill a `Staged`; `to_duckdb` puts the rows into an in-memory DuckDB where the
validation rules and the canonical mapping run as SQL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from safeplan.ingest.fields import BadValue
from safeplan.ingest.findings import Finding, Level, Severity
from safeplan.ingest.staging import META_COLUMNS, StagingTable

ARROW_TYPES: dict[str, pa.DataType] = {
    "text": pa.string(),
    "date": pa.date32(),
    "partial_date": pa.date32(),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "timestamp": pa.timestamp("us"),
}
Parser = Callable[[str], Any]


class TableRows:
    """Rows of one staging table, column by column (cheap to hand to Arrow)."""

    def __init__(self, spec: StagingTable) -> None:
        self.spec = spec
        self.data: dict[str, list[Any]] = {n: [] for n, _ in META_COLUMNS}
        self.data.update({c.name: [] for c in spec.columns})

    def __len__(self) -> int:
        return len(self.data["_seq"])

    def add(
        self, meta: tuple[int | None, int | None, str, str, int | None], values: dict[str, Any]
    ) -> int:
        """Append a row; meta is (_parent, _child, _file, _row, _line). Returns its _seq."""
        seq = len(self) + 1
        for name, value in zip(
            ("_seq", "_parent", "_child", "_file", "_row", "_line"), (seq, *meta), strict=True
        ):
            self.data[name].append(value)
        for col in self.spec.columns:
            self.data[col.name].append(values.get(col.name))
        return seq

    def arrow(self) -> pa.Table:
        types = dict(META_COLUMNS) | {c.name: c.type for c in self.spec.columns}
        return pa.table({n: pa.array(v, type=ARROW_TYPES[types[n]]) for n, v in self.data.items()})


@dataclass
class Staged:
    file: Path
    source: str  # cin_census | ssda903 | annex_a | partner
    kind: str  # what a newer file replaces: "cin_census", "ssda903:episodes", "partner:..."
    period: str | None  # the collection year, as the year it ends: "2024" is 2023-24
    la: str | None = None
    tables: dict[str, TableRows] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def table(self, spec: StagingTable) -> TableRows:
        if spec.name not in self.tables:
            self.tables[spec.name] = TableRows(spec)
        return self.tables[spec.name]

    def finding(
        self,
        location: str,
        field_name: str,
        rule: str,
        message: str,
        line: int | None,
        *,
        level: Level = Level.field,
        severity: Severity = Severity.error,
        table: str = "",
        seq: int | None = None,
        child: str = "",
        value: str = "",
    ) -> None:
        self.findings.append(
            Finding(
                self.file.name,
                location,
                field_name,
                rule,
                message,
                level,
                severity,
                line,
                table,
                seq,
                child,
                value,
            )
        )

    def add_row(
        self,
        spec: StagingTable,
        raw: dict[str, str],
        parsers: dict[str, Parser],
        where: str,
        line: int,
        child: str,
    ) -> None:
        """Type one row of a tabular file (903 CSV, partner file, Annex A sheet) into its
        table; each value that cannot be read is a finding against that row and child."""
        rows = self.table(spec)
        seq = len(rows) + 1

        def report(field_name: str, rule: str, message: str, value: str) -> None:
            self.finding(
                where,
                field_name,
                rule,
                message,
                line,
                table=spec.name,
                seq=seq,
                child=child,
                value=value,
            )

        rows.add((None, None, self.file.name, where, line), convert(raw, spec, parsers, report))

    def to_duckdb(self, con: duckdb.DuckDBPyConnection, suffix: str = "") -> None:
        """Each table into ``con`` as ``<table><suffix>`` (``_last`` for last year's return,
        staged beside this year's for the continuity rules)."""
        for name, rows in self.tables.items():
            spec = replace(rows.spec, name=name + suffix) if suffix else rows.spec
            con.execute(spec.ddl())
            arrow = rows.arrow()  # noqa: F841 - read by DuckDB through the Python scope
            con.execute(f"INSERT INTO {spec.name} SELECT * FROM arrow")


def convert(
    raw: dict[str, str],
    spec: StagingTable,
    parsers: dict[str, Parser],
    report: Callable[[str, str, str, str], None],
) -> dict[str, date | datetime | bool | int | str | None]:
    """Typed values for a row; a value that cannot be read is reported and stored as NULL.

    `report(field, rule, message, value)` records a finding against the row being read.
    """
    out: dict[str, date | datetime | bool | int | str | None] = {}
    for col in spec.columns:
        text = raw.get(col.name)
        if text is None or text.strip() == "":
            if col.required:
                report(
                    col.field, "SP-REQUIRED", f"{col.field} is required but is missing or blank", ""
                )
            out[col.name] = None
            continue
        text = text.strip()
        parser = parsers.get(col.type)
        if parser is None:
            out[col.name] = text
            continue
        try:
            out[col.name] = parser(text)
        except BadValue as exc:
            kind = col.type.removeprefix("partial_")  # a partial date's fault is a date's
            report(col.field, f"SP-{kind.upper()}", f"{col.field}: {exc}", text)
            out[col.name] = None
    return out
