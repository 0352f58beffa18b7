"""Collection years as data: each return's layout and code lists, year by year.

Each collection year is declared as the year before it plus what the DfE added, changed or
deleted, with the document that says so, as the field's own validators do
(data-to-insight/csc-validator-be-cin ``cin_validator/rules/cin<yyyy_yy>/__init__.py`` and
csc-validator-be-903 ``lac_validator/rules/lac<yyyy_yy>/__init__.py`` build each year's rule
registry from the previous year's). A year is named by the year it ends, as the DfE's
COLLECT does: 2025 is the 2024-25 collection (1 April 2024 to 31 March 2025).

Readers ask this module which layout a file's year has (which element holds the child's sex,
which 903 files belong to the return, which codes are valid), refuse a file in another
year's layout, and map each layout's sex codes to the one canonical gender code the store
keeps (CIN GenderCurrent's 1 male, 2 female, 0 not known, 9 not specified), so the
measures' gender breakdown reads every year the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache

from safeplan.ingest.findings import refuse

FIRST_YEAR, LAST_YEAR = 2023, 2027
YEARS = tuple(range(FIRST_YEAR, LAST_YEAR + 1))

GOV_UK = "https://www.gov.uk/government/publications/"
D2I_CIN = "data-to-insight/csc-validator-be-cin"
D2I_903 = "data-to-insight/csc-validator-be-903"


def label(year: int) -> str:
    """2025 → '2024-25', as the DfE names its collections."""
    return f"{year - 1}-{year % 100:02d}"


@dataclass(frozen=True)
class Change:
    """One thing the DfE added, changed or deleted in a year's return, and where it says so."""

    kind: str  # added | changed | deleted
    what: str
    citation: str


@dataclass(frozen=True)
class Layout:
    """One collection year of one return: what its files hold and which codes are valid."""

    source: str  # cin_census | ssda903
    year: int
    sex_field: str  # the element (CIN) or column (903) holding the child's sex
    sex_codes: tuple[str, ...]
    codes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "table.column" → codes
    files: tuple[str, ...] = ()  # 903: the files of the return (S903_FILES labels)
    elements: tuple[str, ...] = ()  # CIN: containers in CINdetails beyond the base schema
    changes: tuple[Change, ...] = ()  # what changed from the year before
    citations: tuple[str, ...] = ()  # the year's specification and validation rules

    @property
    def label(self) -> str:
        return label(self.year)

    def code_list(self, table: str, column: str) -> tuple[str, ...] | None:
        return self.codes.get(f"{table}.{column}")


def _next(
    prev: Layout, year: int, citations: tuple[str, ...], *changes: Change, **updates: object
) -> Layout:
    return replace(prev, year=year, changes=changes, citations=citations, **updates)  # type: ignore[arg-type]


# --- the CIN census ----------------------------------------------------------------------

CIN_GENDER = ("1", "2", "0", "9")  # N00065 GenderCurrent: male, female, not known, not specified
CIN_SEX = ("M", "F", "U")  # N00783 Sex: male, female, unknown
PRE_PROCEEDINGS = "PreProceedingsandFGDM"


def _cin_spec(year: int) -> str:
    return f"{GOV_UK}children-in-need-census-{year - 1}-to-{year}-specification"


def _cin() -> dict[int, Layout]:
    y2023 = Layout(
        "cin_census",
        2023,
        "GenderCurrent",
        CIN_GENDER,
        citations=(_cin_spec(2023), f"{D2I_CIN} cin_validator/rules/cin2022_23"),
    )
    y2024 = _next(
        y2023,
        2024,
        (_cin_spec(2024), f"{D2I_CIN} cin_validator/rules/cin2023_24"),
        Change(
            "changed",
            "rule 1530 (UPN characters 2-4 a recognised LA code) revised; no change of layout",
            f"{D2I_CIN} cin_validator/rules/cin2023_24/rule_1530.py",
        ),
    )
    y2025 = _next(
        y2024,
        2025,
        (_cin_spec(2025), f"{D2I_CIN} cin_validator/rules/cin2024_25"),
        Change(
            "changed",
            "<Sex> (N00783: M, F, U) replaces <GenderCurrent> (N00065: 1, 2, 0, 9) in "
            "ChildIdentifiers (CBDS RFC 1233); rules 4180, 8750 and 2886Q read Sex",
            f"{_cin_spec(2025)} (business and technical specification v1.2, 'changes from "
            f"last cycle'); {D2I_CIN} cin_validator/rules/cin2024_25/rule_4180.py",
        ),
        Change(
            "added",
            "LAchildID at most 20 characters, letters and digits only (rules 1570, 1580)",
            f"{D2I_CIN} cin_validator/rules/cin2024_25/rule_1570.py, rule_1580.py",
        ),
        sex_field="Sex",
        sex_codes=CIN_SEX,
    )
    y2026 = _next(
        y2025,
        2026,
        (_cin_spec(2026), f"{D2I_CIN} cin_validator/rules/cin2025_26"),
        Change(
            "changed",
            "no change of layout or codes (the validators' 2025-26 rule set is 2024-25's)",
            f"{D2I_CIN} cin_validator/rules/cin2025_26/__init__.py",
        ),
    )
    y2027 = _next(
        y2026,
        2027,
        (_cin_spec(2027), f"{D2I_CIN} cin_validator/ingress.py"),
        Change(
            "added",
            "<PreProceedingsandFGDM> blocks in CINdetails (PPStartDate, LBPSentDate, "
            "FGDMMeetingOffer, FGDMMeetingFac, InitialPPMeetingDate, ReviewMeetingsCount, "
            "StepDecisionDate, PPOutcome, CourtAppDate, LetterInitCPDate), staged as "
            "cin_pre_proceedings; no DfE rule on them is implemented yet",
            f"{_cin_spec(2027)}; {D2I_CIN} cin_validator/ingress.py create_PreProceedings "
            "and fake_data/CIN_Census_2026.xml (commit 5eb2c55)",
        ),
        elements=(PRE_PROCEEDINGS,),
    )
    return {y.year: y for y in (y2023, y2024, y2025, y2026, y2027)}


# --- the SSDA903 -------------------------------------------------------------------------

S903_SEX_OLD = ("1", "2")
S903_SEX = ("M", "F", "U")
PLACE_2023 = (
    "A3", "A4", "A5", "A6", "H5", "K1", "K2", "P1", "P2", "P3", "R1", "R2", "R3", "R5", "S1",
    "T0", "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z1",
)  # fmt: skip
BASE_FILES = (
    "Header", "Episodes", "Reviews", "UASC", "OC2", "OC3", "AD1", "PlacedAdoption", "PrevPerm",
    "Missing",
)  # fmt: skip


def _903_guide(year: int) -> str:
    return f"{GOV_UK}children-looked-after-return-{year - 1}-to-{year}-guide"


def _903_spec(year: int) -> str:
    return f"{GOV_UK}children-looked-after-return-{year - 1}-to-{year}-specification"


def _903_rules(year: int) -> str:
    return f"{D2I_903} lac_validator/rules/lac{year - 1}_{year % 100:02d}"


def _903() -> dict[int, Layout]:
    y2023 = Layout(
        "ssda903",
        2023,
        "SEX",
        S903_SEX_OLD,
        codes={"s903_episodes.place": PLACE_2023},
        files=BASE_FILES,
        citations=(_903_guide(2023), _903_rules(2023)),
    )
    y2024 = _next(
        y2023,
        2024,
        (_903_guide(2024), _903_rules(2024)),
        Change(
            "added",
            "the SocialWorker file (CHILD, DOB, SW_ID, SW_DECOM, SW_DEC, SW_REASON: social "
            "worker episodes; rules SW01-SW14)",
            f"{_903_guide(2024)}; {_903_rules(2024)}/rule_SW01STG1.py",
        ),
        files=(*BASE_FILES, "SocialWorker"),
    )
    y2025 = _next(
        y2024,
        2025,
        (_903_guide(2025), _903_rules(2025)),
        Change(
            "changed",
            "Header SEX coded M, F, U (the child's reported sex) in place of 1, 2; rules 101 "
            "and 174 read M/F",
            f"{_903_guide(2025)}; {_903_rules(2025)}/rule_101.py, rule_174.py",
        ),
        Change(
            "added",
            "placement type K3 (the validators' list has it as 'k3', which can never match)",
            f"{_903_rules(2025)}/rule_146.py",
        ),
        sex_codes=S903_SEX,
        codes={"s903_episodes.place": tuple(sorted((*PLACE_2023, "K3")))},
    )
    place_2026 = tuple(sorted({*PLACE_2023, "K3", "Z11", "Z12", "Z13", "Z14"} - {"H5", "P2", "Z1"}))
    y2026 = _next(
        y2025,
        2026,
        (_903_guide(2026), _903_spec(2026), _903_rules(2026)),
        Change(
            "changed",
            "placement types H5, P2 and Z1 deleted; Z11, Z12, Z13 and Z14 added (no placement "
            "provider for T0-T3 and Z11-Z14)",
            f"{_903_spec(2026)}; {_903_rules(2026)}/rule_146.py, rule_178.py",
        ),
        codes={"s903_episodes.place": place_2026},
    )
    y2027 = _next(
        y2026,
        2027,
        (_903_guide(2027), _903_spec(2027), _903_rules(2027)),
        Change(
            "added",
            "the DoLo file (CHILD, DOB, DOLO_START, DOLO_END: deprivation of liberty orders; "
            "rules 700-710)",
            f"{_903_spec(2027)}; {D2I_903} lac_validator/config.py, {_903_rules(2027)}",
        ),
        files=(*y2026.files, "DoLo"),
    )
    return {y.year: y for y in (y2023, y2024, y2025, y2026, y2027)}


@cache
def layouts() -> dict[str, dict[int, Layout]]:
    """Every return's layouts, by collection year."""
    return {"cin_census": _cin(), "ssda903": _903()}


def layout(source: str, year: int | None) -> Layout | None:
    """The layout of ``source`` in ``year``; a year before the first known has the first
    year's layout and one after the last the last's (until the DfE publishes the next)."""
    known = layouts().get(source)
    if known is None or year is None:
        return None
    return known[min(max(year, FIRST_YEAR), LAST_YEAR)]


def sex_years(source: str, sex_field: str, codes: set[str]) -> list[int]:
    """The collection years whose layout this sex field and these codes fit."""
    out = []
    for year, lay in layouts()[source].items():
        if lay.sex_field.lower() == sex_field.lower() and codes <= set(lay.sex_codes):
            out.append(year)
    return out


def looks_like(years: list[int]) -> str:
    """'a 2022-23 to 2023-24 layout' for the years a file fits."""
    if not years:
        return "no collection year's layout"
    first, last = label(min(years)), label(max(years))
    return f"a {first} layout" if first == last else f"a {first} to {last} layout"


def parse_year(text: str | None, where: str = "--year") -> int | None:
    """A collection year as given by a user (2025, or 2024-25); None when not given."""
    if text is None or str(text).strip() == "":
        return None
    value = str(text).strip()
    if len(value) == 7 and value[4] == "-" and value[:4].isdigit() and value[5:].isdigit():
        return int(value[:4]) + 1
    if value.isdigit() and len(value) == 4:
        return int(value)
    raise refuse(
        where,
        "SP-YEAR",
        f"{value!r} is not a collection year: give the year it ends, like 2025 for 2024-25",
    )


# Canonical gender: the store keeps CIN GenderCurrent's codes (1 male, 2 female, 0 not known,
# 9 not specified) whatever the year's layout; the measures' gender breakdown reads them.
SEX_TO_GENDER = {"M": "1", "F": "2", "U": "0"}


def canonical_gender_sql(column: str) -> str:
    """SQL mapping a sex column of any year's layout to the canonical gender code."""
    cases = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in SEX_TO_GENDER.items())
    value = f"upper(trim(CAST({column} AS VARCHAR)))"
    return f"CASE {value} {cases} ELSE NULLIF(trim(CAST({column} AS VARCHAR)), '') END"


def markdown() -> str:
    """The years and their layouts, for docs/data.md."""
    out = []
    names = {"cin_census": "CIN census", "ssda903": "SSDA903"}
    for source, years in layouts().items():
        out.append(f"### {names[source]}\n")
        out.append("| Year | Sex field | Sex codes | Changes from the year before | Source |")
        out.append("| --- | --- | --- | --- | --- |")
        for lay in years.values():
            changes = "; ".join(f"{c.kind}: {c.what}" for c in lay.changes) or "first year read"
            cites = "; ".join(dict.fromkeys([*lay.citations, *(c.citation for c in lay.changes)]))
            cells = (lay.label, lay.sex_field, ", ".join(lay.sex_codes), changes, cites)
            out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        out.append("")
    return "\n".join(out)
