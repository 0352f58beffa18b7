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
    child: str = ""  # the child's LA identifier (CIN LAchildID, 903 CHILD), to find the record
    value: str = ""  # the value flagged, as the file has it ("" when blank or not one field)

    def as_row(self) -> dict[str, object]:
        return asdict(self)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        parts = [where, self.location, f"child {self.child}" if self.child else "", self.field]
        head = ": ".join(p for p in parts if p)
        value = f" (value {self.value!r})" if self.value else ""
        return f"{head}: [{self.rule}] {self.message}{value}"


_RANK = {Severity.fatal: 3, Severity.error: 2, Severity.warning: 1, Severity.query: 0}


def one_per_fault(reader: list[Finding], rules: list[Finding]) -> list[Finding]:
    """The findings with the knock-on ones left out: a value that could not be read
    (SP-DATE, SP-REQUIRED, ...) is the fault, so a rule flagging the same record's same field
    (102 on a DOB that is not a date, 8500 on a missing LAchildID) is not a second one; nor is
    a record-level rule on a field a field-level rule (a code list) already flags."""

    def key(f: Finding) -> tuple[str, int, str] | None:
        return (f.table, f.seq, f.field.lower()) if f.table and f.seq is not None else None

    best: dict[tuple[str, int, str], tuple[int, int]] = {}  # key → (tier, severity rank)
    tiers = [(f, 0) for f in reader] + [(f, 1 if f.level is Level.field else 2) for f in rules]
    for f, tier in tiers:
        k = key(f)
        if k is not None and (k not in best or tier < best[k][0]):
            best[k] = (tier, _RANK[f.severity])
        elif k is not None and tier == best[k][0]:
            best[k] = (tier, max(best[k][1], _RANK[f.severity]))
    out = list(reader)
    for f in rules:
        k = key(f)
        if k is not None:
            tier, rank = best[k]
            mine = 1 if f.level is Level.field else 2
            if mine > tier and rank >= _RANK[f.severity]:
                continue
        out.append(f)
    return out


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


def by_rule(findings: list[Finding]) -> list[list[object]]:
    """One row per rule: rule, severity, message, findings, children, files (most first)."""
    groups: dict[tuple[str, str, str], list[Finding]] = {}
    for f in findings:
        groups.setdefault((f.rule, str(f.severity), f.message), []).append(f)
    rows: list[list[object]] = [
        [rule, sev, msg, len(fs), len({f.child for f in fs if f.child}), len({f.file for f in fs})]
        for (rule, sev, msg), fs in groups.items()
    ]
    return sorted(rows, key=lambda r: (-int(str(r[3])), str(r[0])))


def by_child(findings: list[Finding]) -> list[list[object]]:
    """One row per child and rule: what to correct in each child's record, child by child."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.child:
            groups.setdefault((f.child, f.rule), []).append(f)
    rows: list[list[object]] = []
    for (child, rule), fs in sorted(groups.items()):
        places = sorted({f"{f.file} {f.location}".strip() for f in fs})
        rows.append(
            [
                child,
                rule,
                fs[0].message,
                len(fs),
                ", ".join(sorted({f.field for f in fs if f.field})),
                ", ".join(sorted({f.value for f in fs if f.value})),
                "; ".join(places),
            ]
        )
    return rows


RULE_COLUMNS = ["rule", "severity", "message", "findings", "children", "files"]
CHILD_COLUMNS = ["child", "rule", "message", "findings", "fields", "values", "where"]


def write_findings(findings: list[Finding], path: Path) -> None:
    """All findings as CSV or XLSX (by the file's extension), safe to open in Excel; the
    XLSX also counts them by rule and lists them child by child, as the DfE validators'
    reports do."""
    rows = [[safe_cell(f.as_row()[c]) for c in FINDING_COLUMNS] for f in findings]
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        import xlsxwriter

        book = xlsxwriter.Workbook(
            str(path), {"strings_to_formulas": False, "strings_to_urls": False}
        )
        bold = book.add_format({"bold": True})
        sheets = (
            ("Findings", FINDING_COLUMNS, rows),
            ("By rule", RULE_COLUMNS, by_rule(findings)),
            ("By child", CHILD_COLUMNS, by_child(findings)),
        )
        for name, columns, data in sheets:
            sheet = book.add_worksheet(name)
            sheet.write_row(0, 0, columns, bold)
            for i, row in enumerate(data, 1):
                sheet.write_row(i, 0, ["" if v is None else safe_cell(v) for v in row])
            sheet.freeze_panes(1, 0)
            sheet.autofilter(0, 0, max(len(data), 1), len(columns) - 1)
        book.close()
        return
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(FINDING_COLUMNS)
        writer.writerows(rows)
