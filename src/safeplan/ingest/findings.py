"""Validation findings: what is wrong, exactly where, and what happens to the record.

Three levels, as analysts think of them: ``schema`` (the file itself: XML schema, CSV
columns, encoding), ``field`` (one value: a code, a date, an identifier) and ``record``
(across records: the DfE cross-record validation rules). An ``error`` sends the record to
quarantine; a ``warning`` keeps it and reports it; a ``fatal`` refuses the whole file.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from enum import StrEnum


class Level(StrEnum):
    schema = "schema"
    field = "field"
    record = "record"


class Severity(StrEnum):
    fatal = "fatal"  # the file cannot be used at all; nothing from it is loaded
    error = "error"  # the record goes to quarantine, the rest of the file loads
    warning = "warning"  # the record loads; the finding is reported


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


def refuse(file: str, rule: str, message: str, line: int | None = None) -> FileRefused:
    return FileRefused(Finding(file, "", "", rule, message, Level.schema, Severity.fatal, line))
