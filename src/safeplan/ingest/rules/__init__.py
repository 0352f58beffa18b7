"""DfE validation rules as SQL over the staging tables: the registry and the runner.

Each rule is a real DfE rule (code and message as the DfE publishes them) written as one
query that returns the ``_seq`` of the offending rows of one staging table. Running them in
DuckDB over the staged file keeps every check next to the data and makes each one a few
lines a reviewer can compare with the DfE's rule text.
"""

from __future__ import annotations

from datetime import date

import duckdb

from safeplan.ingest.calendar import bank_holidays
from safeplan.ingest.findings import Finding
from safeplan.ingest.rules import (
    cin_assessments,
    cin_census,
    cin_children,
    cin_protection,
    cin_referrals,
    partner,
    s903_adoption,
    s903_dolo,
    s903_integrity,
    s903_missing,
    s903_outcomes,
    s903_permanence,
    s903_reviews,
    ssda903,
)
from safeplan.ingest.rules.base import WORKING_DAYS, Rule
from safeplan.ingest.rules.s903_episodes import RULES as S903_EPISODES
from safeplan.ingest.rules.s903_header import RULES as S903_HEADER
from safeplan.ingest.rules.s903_internal import RULES as S903_INTERNAL
from safeplan.ingest.rules.s903_places import RULES as S903_PLACES
from safeplan.ingest.rules.s903_social_worker import RULES as S903_SOCIAL_WORKER
from safeplan.ingest.rules.s903_uasc import RULES as S903_UASC

__all__ = [
    "COLLECTION", "RULES", "S903_PLACES", "Rule", "not_run", "rules_for", "rules_markdown",
    "run_rules",
]  # fmt: skip

CIN_BY_DOMAIN: tuple[Rule, ...] = (
    *cin_census.RULES,
    *cin_children.RULES,
    *cin_referrals.RULES,
    *cin_assessments.RULES,
    *cin_protection.RULES,
)
# SSDA903 rules of the Header, Episodes, UASC and SocialWorker files and the internal
# checks between them, one module per file.
S903_BY_FILE: tuple[Rule, ...] = (
    *S903_HEADER,
    *S903_EPISODES,
    *S903_UASC,
    *S903_SOCIAL_WORKER,
    *S903_INTERNAL,
)
# SSDA903 rules of the Reviews, Missing, OC2, OC3, AD1, PlacedAdoption and PrevPerm files
S903_OTHER_FILES: tuple[Rule, ...] = (
    *s903_reviews.RULES,
    *s903_missing.RULES,
    *s903_outcomes.RULES,
    *s903_adoption.RULES,
    *s903_permanence.RULES,
    *s903_dolo.RULES,
    *s903_integrity.RULES,
)
# SSDA903 rules of the placement's place and provider, which need the reference lists
# (`safeplan.ingest.reference`): the ONS postcode list and Ofsted's provider list.
RULES: tuple[Rule, ...] = (
    *CIN_BY_DOMAIN,
    *ssda903.RULES,
    *S903_BY_FILE,
    *S903_OTHER_FILES,
    *S903_PLACES,
    *partner.RULES,
)


COLLECTION = "sp_collection"
"""The one-row table of the return's collection year that rules may read."""


def rules_for(source: str, year: int | None = None) -> tuple[Rule, ...]:
    """The rules of one return (``cin_census`` or ``ssda903``) in force for the collection
    year (all years' shared rules when it is not known); none for other sources."""
    return tuple(rule for rule in RULES if rule.source == source and rule.applies(year))


def _present_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("SELECT lower(table_name) FROM information_schema.tables").fetchall()
    return {str(row[0]) for row in rows}


def _child_and_value(con: duckdb.DuckDBPyConnection, rule: Rule) -> tuple[str, str, str]:
    """SQL for the flagged row's child identifier and value, and the join the child needs:
    a 903 row has its CHILD; a nested CIN record is joined to its child by ``_child``."""
    columns = {
        str(r[0]).lower()
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE lower(table_name) = ?",
            [rule.table],
        ).fetchall()
    }
    column = rule.field.lower()
    value = f"CAST(t.{column} AS VARCHAR)" if column and column in columns else "NULL"
    if "child" in columns:
        return "t.child", value, ""
    if "lachildid" in columns:
        return "t.lachildid", value, ""
    if "_child" in columns and "cin_child" in _present_tables(con):
        return "c.lachildid", value, "LEFT JOIN cin_child AS c ON c._seq = t._child"
    return "NULL", value, ""


def offending_rows(
    con: duckdb.DuckDBPyConnection, rule: Rule
) -> list[tuple[int, str | None, str | None, int | None, str | None, str | None]]:
    """The (``_seq``, ``_file``, ``_row``, ``_line``, child, value) of each row the rule
    flags: the child's LA identifier and the value of the rule's field, for the finding."""
    # Table names and SQL come from the registry above, never from a file or a user.
    child, value, join = _child_and_value(con, rule)
    query = (
        f"SELECT t._seq, t._file, t._row, t._line, CAST({child} AS VARCHAR), {value} "
        f"FROM {rule.table} AS t {join} "
        f"WHERE t._seq IN (SELECT offending._seq FROM ({rule.sql}) AS offending) "
        "ORDER BY t._seq"
    )
    return [(int(r[0]), r[1], r[2], r[3], r[4], r[5]) for r in con.execute(query).fetchall()]


def stage_collection(con: duckdb.DuckDBPyConnection, year: int | None) -> None:
    """The collection year's dates as ``sp_collection``, for rules that compare with them,
    and the working days around it as ``sp_working_day`` (two years before it to one after),
    for the DfE's "minus 45 working days" rules."""
    con.execute(f"DROP TABLE IF EXISTS {COLLECTION}")
    con.execute(f"DROP TABLE IF EXISTS {WORKING_DAYS}")
    if year is not None:
        con.execute(
            f"CREATE TABLE {COLLECTION} AS SELECT ?::INTEGER AS year, "
            "make_date(? - 1, 4, 1) AS start_date, make_date(?, 3, 31) AS end_date",
            [year, year, year],
        )
        first, last = date(year - 3, 1, 1), date(year + 1, 12, 31)
        # The bank holidays from the project's calendar; the days and counts in SQL (fast).
        holidays = sorted(bank_holidays(first.year, last.year))
        con.execute(
            f"CREATE TABLE {WORKING_DAYS} AS SELECT day, CAST(sum(CASE WHEN isodow(day) < 6 "
            "AND NOT list_contains(?, day) THEN 1 ELSE 0 END) OVER (ORDER BY day) AS INTEGER) "
            "AS n FROM (SELECT CAST(unnest(generate_series(?::DATE, ?::DATE, INTERVAL 1 DAY)) "
            "AS DATE) AS day)",
            [holidays, first, last],
        )


def not_run(con: duckdb.DuckDBPyConnection, source: str, year: int | None) -> list[Rule]:
    """Rules of the return that cannot run on these tables (a file of the set, or the
    collection year, missing): a summary names them rather than skipping them silently."""
    present = _present_tables(con)
    return [r for r in rules_for(source, year) if not all(t in present for t in r.tables)]


def run_rules(
    con: duckdb.DuckDBPyConnection, source: str, year: int | None = None
) -> list[Finding]:
    """Run every rule of ``source`` in force for ``year`` over the staging tables in
    ``con``; a Finding per row. Rules whose tables are not all present are left to
    ``not_run`` to report."""
    stage_collection(con, year)
    present = _present_tables(con)
    findings: list[Finding] = []
    for rule in rules_for(source, year):
        if not all(table in present for table in rule.tables):
            continue
        for seq, file, row, line, child, value in offending_rows(con, rule):
            findings.append(
                Finding(
                    file=file or "",
                    location=row or "",
                    field=rule.field,
                    rule=rule.label,
                    message=rule.message,
                    level=rule.level,
                    severity=rule.severity,
                    line=line,
                    table=rule.table,
                    seq=seq,
                    child=(child or "").strip(),
                    value=_shown(value),
                )
            )
    return findings


def _shown(value: str | None) -> str:
    """A flagged value as the file had it: dates as the DfE writes them in the CIN census."""
    return "" if value is None else value.strip()


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _season(year: int) -> str:
    return f"{year - 1}-{year % 100:02d}"


def _years(rule: Rule) -> str:
    """The collection years a rule is in force: ``all``, ``2024-25 on``, ``to 2023-24``."""
    if rule.since is None and rule.until is None:
        return "all"
    if rule.until is None:
        return f"{_season(rule.since or 0)} on"
    if rule.since is None:
        return f"to {_season(rule.until)}"
    if rule.since == rule.until:
        return _season(rule.since)
    return f"{_season(rule.since)} to {_season(rule.until)}"


def rules_markdown() -> str:
    """The rule catalogue as a Markdown table, for the docs."""
    lines = [
        "| Code | Source | Field | Level | Severity | Message | Years |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for rule in RULES:
        cells = (
            rule.label,
            rule.source,
            rule.field,
            str(rule.level),
            str(rule.severity),
            rule.message,
            _years(rule),
        )
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"
