"""SSDA903 reader: one CSV of the looked-after children return, recognised by its columns."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from safeplan.ingest import years
from safeplan.ingest.fields import parse_int, parse_partial_uk_date, parse_uk_date
from safeplan.ingest.findings import Finding, refuse
from safeplan.ingest.rules.s903_common import DATE_RULES
from safeplan.ingest.staged import Parser, Staged
from safeplan.ingest.staging import S903_FILES, StagingTable, s903_tables
from safeplan.ingest.tabular import check_columns, read_header, read_rows, year_from_path

PARSERS: dict[str, Parser] = {
    "date": parse_uk_date,
    "partial_date": parse_partial_uk_date,
    "int": parse_int,
}


def identify(header: list[str], file_name: str, *, exact: bool = False) -> StagingTable | None:
    """Which 903 file this is: exact columns first, then the file name, then the best overlap."""
    have = {h.lower() for h in header}
    tables = s903_tables()
    for table in tables:
        if have == {c.name for c in table.columns}:
            return table
    if exact:
        return None
    stem = file_name.lower()
    for label, name in sorted(S903_FILES.items(), key=lambda kv: -len(kv[0])):
        if label.lower() in stem.replace("_", "").replace("-", ""):
            return next(t for t in tables if t.name == name)
    best = max(tables, key=lambda t: len(have & {c.name for c in t.columns}) / len(t.columns))
    share = len(have & {c.name for c in best.columns}) / len(best.columns)
    return best if share >= 0.6 and "child" in have else None


def read_ssda903(path: Path, year: str | None = None) -> Staged:
    """Read one 903 CSV of the collection year ``year`` (``--year`` or the upload's), else
    the year in its name or folder; refuse a file in another year's layout."""
    text, header = read_header(path)
    spec = identify(header, path.name)
    if spec is None:
        raise refuse(
            path.name,
            "SP-903-UNKNOWN",
            "the columns do not match any SSDA903 file (Header, Episodes, Missing, "
            "Reviews, OC2, ...); check the first row",
            1,
        )
    label = next(k for k, v in S903_FILES.items() if v == spec.name)
    check_columns(path, header, spec, f"SSDA903 {label}")
    period = year or year_from_path(path)
    lay = years.layout("ssda903", int(period)) if period and period.isdigit() else None
    if lay is not None and label not in lay.files:
        first = min(y for y, la in years.layouts()["ssda903"].items() if label in la.files)
        raise refuse(
            path.name,
            "SP-LAYOUT",
            f"this is an SSDA903 {label} file, which is part of the return from "
            f"{years.label(first)}, not of the {lay.label} return it is given as; check the "
            "year (in its name or folder, or --year)",
            1,
        )
    staged = Staged(path, "ssda903", f"ssda903:{label.lower()}", period)
    read_rows(staged, text, spec, PARSERS)
    staged.findings = [_as_dfe_rule(f) for f in staged.findings]
    if lay is not None and spec.name == "s903_header":
        _check_sex_layout(staged, lay, year is not None)
    return staged


def _as_dfe_rule(finding: Finding) -> Finding:
    """A date the reader could not read, reported under the DfE's own rule for that field
    where it has one (147 for DEC): the code a council's case-management team knows."""
    dfe = DATE_RULES.get((finding.table, finding.field.lower()))
    if finding.rule != "SP-DATE" or dfe is None:
        return finding
    code, message = dfe
    return replace(finding, rule=f"903 {code}", message=f"{message} ({finding.message})")


def _check_sex_layout(staged: Staged, lay: years.Layout, override: bool) -> None:
    """Refuse a Header whose SEX codes are all another year's (1/2 in a 2024-25 return):
    every row would fail rule 101 for a file that is only in the wrong year's layout."""
    rows = staged.tables["s903_header"].data
    codes = {str(v).strip().upper() for v in rows["sex"] if v is not None and str(v).strip()}
    if not codes or codes & set(lay.sex_codes):
        return
    fits = years.sex_years("ssda903", "SEX", codes)
    if not fits:
        return  # not any year's codes: rule 101 reports each row
    first = next(i for i, v in enumerate(rows["sex"]) if v is not None and str(v).strip())
    how = "--year" if override else "its name or folder"
    raise refuse(
        staged.file.name,
        "SP-LAYOUT",
        f"the return is for {lay.label} by {how}, whose Header codes SEX as "
        f"{', '.join(lay.sex_codes)}, but this file codes it {', '.join(sorted(codes))}: this "
        f"looks like {years.looks_like(fits)}. Export it again in the {lay.label} layout, "
        "or check the year",
        rows["_line"][first],
        location=rows["_row"][first],
        field="SEX",
    )
