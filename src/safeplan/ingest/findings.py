"""Validation findings: what is wrong, exactly where, and what happens to the record.

Three levels, as analysts think of them: ``schema`` (the file itself: XML schema, CSV
columns, encoding), ``field`` (one value: a code, a date, an identifier) and ``record``
(across records: the DfE cross-record validation rules). An ``error`` sends the record to
quarantine; a ``warning`` keeps it and reports it; a ``query`` (the DfE's "…Q" rules) keeps
it and asks the council to explain it or fix it; a ``fatal`` refuses the whole file.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from pathlib import Path


class Level(StrEnum):
    schema = "schema"
    field = "field"
    record = "record"


class Severity(StrEnum):
    fatal = "fatal"  # the file cannot be used at all; nothing from it is loaded
    error = "error"  # the record goes to quarantine, the rest of the file loads
    warning = "warning"  # the record loads; the finding is reported
    query = "query"  # a DfE query ("…Q" rules): the record loads; explain it or fix it


@dataclass(frozen=True)
class Finding:
    file: str
    location: str  # "Child[12]/CINdetails[1]/Assessments[2]", "row 14" or "" for the file
    field: str  # the field as the return names it (CINreferralDate, DECOM) or ""
    rule: str  # "CIN 8500", "903 103", or SafePlan's own "SP-..." for schema checks
    message: str  # plain English, says what is wrong and, where it helps, what to do
    level: Level
    severity: Severity
    line: int | None = None
    table: str = ""  # staging table of the record, for quarantine
    seq: int | None = None  # the record's _seq in that table

    def as_row(self) -> dict[str, object]:
        return asdict(self)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        parts = [where, self.location, self.field]
        head = ": ".join(p for p in parts if p)
        return f"{head}: [{self.rule}] {self.message}"


FINDING_COLUMNS = [f.name for f in fields(Finding)]


class FileRefused(Exception):
    """A file that cannot be read at all (hostile, broken or not what it claims to be)."""

    def __init__(self, finding: Finding) -> None:
        self.finding = finding
        super().__init__(str(finding))


def refuse(
    file: str,
    rule: str,
    message: str,
    line: int | None = None,
    *,
    location: str = "",
    field: str = "",
) -> FileRefused:
    return FileRefused(
        Finding(file, location, field, rule, message, Level.schema, Severity.fatal, line)
    )


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """Neutralise text a spreadsheet would run as a formula (CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_findings(findings: list[Finding], path: Path) -> None:
    """All findings as CSV or XLSX (by the file's extension), safe to open in Excel."""
    rows = [[safe_cell(f.as_row()[c]) for c in FINDING_COLUMNS] for f in findings]
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        import xlsxwriter

        book = xlsxwriter.Workbook(
            str(path), {"strings_to_formulas": False, "strings_to_urls": False}
        )
        sheet = book.add_worksheet("Findings")
        bold = book.add_format({"bold": True})
        sheet.write_row(0, 0, FINDING_COLUMNS, bold)
        for i, row in enumerate(rows, 1):
            sheet.write_row(i, 0, ["" if v is None else v for v in row])
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, len(rows), len(FINDING_COLUMNS) - 1)
        book.close()
        return
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(FINDING_COLUMNS)
        writer.writerows(rows)
