"""Staging tables: each statutory return as read, one table per record type, field names kept.

Readers turn a file into these tables (in an in-memory DuckDB), validation rules run over
them in SQL, and the canonical store is filled from them. Keeping the returns' own field
names (lower-cased) means each DfE validation rule reads like its specification.

Every staging table also has these columns, set by the reader:

- ``_seq``    row number within the table, from 1 (the row's key)
- ``_parent`` ``_seq`` of the parent row (nested CIN census records), else NULL
- ``_child``  ``_seq`` of the child's row in ``cin_child`` (CIN census), else NULL
- ``_file``   the source file name
- ``_row``    where the record is in the file: ``Child[12]/CINdetails[1]/Assessments[2]``
              for XML, ``row 14`` for CSV and spreadsheets (the header is row 1)
- ``_line``   the line in the file (XML, CSV), or the worksheet row
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Literal

import yaml

ColumnType = Literal["text", "date", "int", "bool", "timestamp"]
SQL_TYPES: dict[str, str] = {
    "text": "VARCHAR",
    "date": "DATE",
    "int": "BIGINT",
    "bool": "BOOLEAN",
    "timestamp": "TIMESTAMP",
}
META_COLUMNS: tuple[tuple[str, ColumnType], ...] = (
    ("_seq", "int"),
    ("_parent", "int"),
    ("_child", "int"),
    ("_file", "text"),
    ("_row", "text"),
    ("_line", "int"),
)


@dataclass(frozen=True)
class Column:
    name: str  # lower-case staging column name
    field: str  # the field's name in the return, as users know it (CINreferralDate, DECOM)
    type: ColumnType = "text"
    required: bool = False


@dataclass(frozen=True)
class StagingTable:
    name: str
    source: str  # cin_census | ssda903 | annex_a | partner
    record: str  # what a row is, for messages: "Assessments", "Episodes row"
    columns: tuple[Column, ...]
    parent: str | None = None
    codes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # column → allowed codes

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def ddl(self) -> str:
        cols = [f"{n} {SQL_TYPES[t]}" for n, t in META_COLUMNS]
        cols += [f"{c.name} {SQL_TYPES[c.type]}" for c in self.columns]
        return f"CREATE TABLE {self.name} ({', '.join(cols)})"


def _cols(*specs: str) -> tuple[Column, ...]:
    """'CINreferralDate:date!' → Column('cinreferraldate', 'CINreferralDate', 'date', True)."""
    out = []
    for spec in specs:
        required = spec.endswith("!")
        name, _, kind = spec.rstrip("!").partition(":")
        out.append(Column(name.lower(), name, kind or "text", required))  # type: ignore[arg-type]
    return tuple(out)


# CIN census, following the element names and nesting of CIN_schema_2024.xsd (DfE CIN census
# 2023-24 and 2024-25 specification).
CIN_TABLES: tuple[StagingTable, ...] = (
    StagingTable(
        "cin_header",
        "cin_census",
        "Header",
        _cols(
            "Collection",
            "Year:int",
            "ReferenceDate:date",
            "SourceLevel",
            "LEA!",
            "SoftwareCode",
            "Release",
            "SerialNo",
            "DateTime:timestamp",
        ),
    ),
    StagingTable(
        "cin_child",
        "cin_census",
        "Child",
        _cols(
            "LAchildID!",
            "UPN",
            "FormerUPN",
            "UPNunknown",
            "PersonBirthDate:date",
            "ExpectedPersonBirthDate:date",
            "GenderCurrent!",
            "PersonDeathDate:date",
            "Ethnicity!",
        ),
    ),
    StagingTable("cin_disability", "cin_census", "Disability", _cols("Disability!"), "cin_child"),
    StagingTable(
        "cin_details",
        "cin_census",
        "CINdetails",
        _cols(
            "CINreferralDate:date!",
            "ReferralSource!",
            "PrimaryNeedCode",
            "CINclosureDate:date",
            "ReasonForClosure",
            "DateOfInitialCPC:date",
            "ReferralNFA:bool!",
        ),
        "cin_child",
    ),
    StagingTable(
        "cin_assessment",
        "cin_census",
        "Assessments",
        _cols(
            "AssessmentActualStartDate:date!",
            "AssessmentInternalReviewDate:date",
            "AssessmentAuthorisationDate:date",
        ),
        "cin_details",
    ),
    StagingTable(
        "cin_assessment_factor",
        "cin_census",
        "AssessmentFactors",
        _cols("AssessmentFactors!"),
        "cin_assessment",
    ),
    StagingTable(
        "cin_plan",
        "cin_census",
        "CINPlanDates",
        _cols("CINPlanStartDate:date!", "CINPlanEndDate:date"),
        "cin_details",
    ),
    StagingTable(
        "cin_s47",
        "cin_census",
        "Section47",
        _cols(
            "S47ActualStartDate:date!",
            "InitialCPCtarget:date",
            "DateOfInitialCPC:date",
            "ICPCnotRequired:bool!",
        ),
        "cin_details",
    ),
    StagingTable(
        "cin_cpp",
        "cin_census",
        "ChildProtectionPlans",
        _cols(
            "CPPstartDate:date!",
            "CPPendDate:date",
            "InitialCategoryOfAbuse!",
            "LatestCategoryOfAbuse!",
            "NumberOfPreviousCPP:int!",
        ),
        "cin_details",
    ),
    StagingTable(
        "cin_cpp_review", "cin_census", "CPPreviewDate", _cols("CPPreviewDate:date!"), "cin_cpp"
    ),
)

# SSDA903 files as named in the DfE guide; the staging table is s903_<file>.
S903_FILES = {
    "Header": "s903_header",
    "Episodes": "s903_episodes",
    "Reviews": "s903_reviews",
    "UASC": "s903_uasc",
    "OC2": "s903_oc2",
    "OC3": "s903_oc3",
    "AD1": "s903_ad1",
    "PlacedAdoption": "s903_placed_adoption",
    "PrevPerm": "s903_prev_perm",
    "Missing": "s903_missing",
    "SocialWorker": "s903_social_worker",
}


@cache
def s903_tables() -> tuple[StagingTable, ...]:
    """The SSDA903 tables, read from the vendored 2024 column map (types and codes)."""
    spec_text = (files("safeplan.ingest") / "specs" / "ssda903_2024.yml").read_text("utf-8")
    spec = yaml.safe_load(spec_text)["column_map"]
    tables = []
    for file_name, table in S903_FILES.items():
        columns, codes = [], {}
        for col, rule in spec[file_name].items():
            kind: ColumnType = "text"
            if "date" in rule:
                kind = "date"
            elif rule.get("numeric") == "integer":
                kind = "int"
            columns.append(Column(col.lower(), col, kind, rule.get("canbeblank") is False))
            if "category" in rule:
                codes[col.lower()] = tuple(str(c["code"]) for c in rule["category"])
        tables.append(
            StagingTable(table, "ssda903", f"{file_name} row", tuple(columns), None, codes)
        )
    return tuple(tables)


def snake(header: str) -> str:
    """A spreadsheet heading as a column name: 'Date of Contact' → 'date_of_contact'."""
    return re.sub(r"[^a-z0-9]+", "_", header.lower()).strip("_")


def all_tables() -> dict[str, StagingTable]:
    return {t.name: t for t in (*CIN_TABLES, *s903_tables())}
