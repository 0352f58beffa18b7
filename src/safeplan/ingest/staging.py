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

ColumnType = Literal["text", "date", "partial_date", "int", "float", "bool", "timestamp"]
"""``partial_date``: a DfE date whose unknown day or month may be ``ZZ`` (PrevPerm DATE_PERM)."""
SQL_TYPES: dict[str, str] = {
    "text": "VARCHAR",
    "date": "DATE",
    "partial_date": "DATE",
    "int": "BIGINT",
    "float": "DOUBLE PRECISION",
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
# 2023-24 specification), with the elements later years added or changed (`years`).
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
            "GenderCurrent",  # to 2023-24; rule 4180 says when it is missing
            "Sex",  # from 2024-25 (N00783), in place of GenderCurrent: `years`
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
    # from 2026-27: pre-proceedings and family group decision making, per CINdetails
    # (`years`; element names as data-to-insight/csc-validator-be-cin ingress.py reads them)
    StagingTable(
        "cin_pre_proceedings",
        "cin_census",
        "PreProceedingsandFGDM",
        _cols(
            "PPStartDate:date",
            "LBPSentDate:date",
            "FGDMMeetingOffer",
            "FGDMMeetingFac",
            "InitialPPMeetingDate:date",
            "ReviewMeetingsCount:int",
            "StepDecisionDate:date",
            "PPOutcome",
            "CourtAppDate:date",
            "LetterInitCPDate:date",
        ),
        "cin_details",
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
    "DoLo": "s903_dolo",
}


PARTIAL_DATES = {("PrevPerm", "DATE_PERM")}
"""SSDA903 dates the DfE lets a council give in part ('ZZ/05/2015': the day is not known),
which the vendored column map types as plain dates (the 2023-24 return specification)."""


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
            if (file_name, col) in PARTIAL_DATES:
                kind = "partial_date"
            elif "date" in rule:
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
    return {t.name: t for t in (*CIN_TABLES, *s903_tables(), *annex_a_tables())}


# Annex A (Ofsted inspection lists), headings as in the Annex A template workbook.
# fmt: off
ANNEX_A_LISTS: dict[str, tuple[str, ...]] = {
    "List 1": (
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age",
        "Date of Contact",
        "Contact Source",
    ),
    "List 2": (
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age",
        "Assessment start date",
        "Assessment completion date",
        "Organisation completing assessment",
    ),
    "List 3": (
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age",
        "Date of Referral",
        "Referral Source",
        "Referral NFA?",
        "Number of Referrals in Last 12 Months",
        "Allocated Team",
        "Allocated Worker",
    ),
    "List 4": (
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age",
        "Does the Child have a Disability",
        "Continuous Assessment Start Date",
        "Child Seen During Continuous Assessment",
        "Continuous Assessment Date of Authorisation",
        "Was the child assessed as requiring LA children's social care support?",
        "Allocated Team",
        "Allocated Worker",
    ),
    "List 5": (
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age",
        "Does the Child have a Disability",
        "Strategy discussion initiating Section 47 Enquiry Start Date",
        "Was an Initial Child Protection Conference deemed unnecessary?",
        "Date of Initial Child Protection Conference",
        "Did the Initial Child Protection Conference Result in a Child Protection Plan",
        "Number of Section 47 Enquiries in the last 12 months",
        "Number of ICPCs in the last 12 months",
        "Allocated Team",
        "Allocated Worker",
    ),
    "List 6": (
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age",
        "Does the Child have a Disability",
        "CIN Start Date",
        "Primary Need Code",
        "Date Child Was Last Seen",
        "CIN Closure Date",
        "Reason for Closure",
        "Case Status",
        "Allocated Team",
        "Allocated Worker",
    ),
    "List 7": (
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age",
        "Does the Child have a Disability",
        "Child Protection Plan Start Date",
        "Initial Category of Abuse",
        "Latest Category of Abuse",
        "Date of the Last Statutory Visit",
        "Was the Child Seen Alone?",
        "Date of latest review conference",
        "Child Protection Plan End Date",
        "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
        "Number of Previous Child Protection Plans",
        "Allocated Team",
        "Allocated Worker",
    ),
    "List 8": (
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age",
        "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N))",
        "Does the Child have a Disability",
        "Date Started to be Looked After",
        "Child's Category of Need",
        "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)",
        "Start date of current legal status",
        "Child's Legal Status",
        "Date of Latest Statutory Review",
        "Date of Last Social Work Visit",
        "What is the permanence plan for this child?",
        "Date of Last IRO Visit / Contact to the Child",
        "Date of Last Health Assessment",
        "Date of Last Dental Check",
        "Number of Placements in the Last 12 months",
        "Date Ceased to be Looked After",
        "Reason Ceased to be Looked After",
        "Start Date of Most Recent Placement",
        "Placement Type",
        "Placement Provider",
        "Placement postcode",
        "URN of Placement",
        "Placement Location",
        "LA of Placement",
        "Number of Episodes the Child has been ‘Missing’ from their Placement in the last 12 months",
        "Number of Episodes the Child has been ‘Absent’ from their Placement in the last 12 months",
        "Was the child offered a Return Interview after their last missing episode (Y/N)?",
        "Did the child accept a Return Interview after their last missing episode (Y/N)?",
        "Allocated Team",
        "Allocated Worker",
    ),
    "List 9": (
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age",
        "Does the Child have a Disability",
        "Allocated Team",
        "Allocated Worker",
        "Eligibility Category",
        "LA in Touch",
        "Type of Accommodation",
        "Suitability of Accommodation",
        "Activity Status",
    ),
    "List 10": (
        "Child Unique ID",
        "Family identifier",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age of Child (Years)",
        "Does the Child have a Disability",
        "Date the Child Entered Care",
        "Date of Decision that Child Should be Placed for Adoption",
        "Date of Placement Order",
        "Date of Matching Child and Prospective Adopters",
        "Date Placed for Adoption",
        "Date of Adoption Order ",  # sic: the template has the space
        "Date of Decision that Child Should No Longer be Placed for Adoption",
        "Reason Why Child No Longer Placed for Adoption",
        "Date the child was placed for fostering in FFA or concurrent planning placement",
    ),
    "List 11": (
        "Individual adopter identifier",
        "Family identifier",
        "Gender",
        "Ethnicity",
        "Disability",
        "Is the (prospective) adopter fostering for adoption?",
        "Date enquiry received",
        "Date Stage 1 started",
        "Date Stage 1 ended",
        "Date Stage 2 started",
        "Date Stage 2 ended",
        "Date application submitted",
        "Date application approved",
        "Date adopter matched with child(ren)",
        "Date child/children placed with adopter(s)",
        "No. of children placed",
        "Date of Adoption Order",
        "Date of leaving adoption process",
        "Reason for leaving adoption process",
    ),
}
# fmt: on


@cache
def annex_a_tables() -> tuple[StagingTable, ...]:
    """One table per list; columns are the headings in snake case, dates typed as dates."""
    tables = []
    for sheet, headings in ANNEX_A_LISTS.items():
        columns = tuple(
            Column(
                snake(h),
                h,
                "date" if h.lower().startswith("date") or " date" in h.lower() else "text",
                h in ("Child Unique ID", "Individual adopter identifier"),
            )
            for h in headings
        )
        tables.append(StagingTable(f"annex_a_{snake(sheet)}", "annex_a", f"{sheet} row", columns))
    return tuple(tables)
