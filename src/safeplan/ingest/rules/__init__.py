"""DfE validation rules as SQL over the staging tables: the registry and the runner.

Each rule is a real DfE rule (code and message as the DfE publishes them) written as one
query that returns the ``_seq`` of the offending rows of one staging table. Running them in
DuckDB over the staged file keeps every check next to the data and makes each one a few
lines a reviewer can compare with the DfE's rule text.
"""

from __future__ import annotations

import duckdb

from safeplan.ingest.findings import Finding
from safeplan.ingest.rules import cin_census, ssda903
from safeplan.ingest.rules.base import Rule

__all__ = ["COLLECTION", "RULES", "Rule", "not_run", "rules_for", "rules_markdown", "run_rules"]

RULES: tuple[Rule, ...] = (*cin_census.RULES, *ssda903.RULES)


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
    """The collection year's dates as ``sp_collection``, for rules that compare with them."""
    con.execute(f"DROP TABLE IF EXISTS {COLLECTION}")
    if year is not None:
        con.execute(
            f"CREATE TABLE {COLLECTION} AS SELECT ?::INTEGER AS year, "
            "make_date(? - 1, 4, 1) AS start_date, make_date(?, 3, 31) AS end_date",
            [year, year, year],
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


def rules_markdown() -> str:
    """The rule catalogue as a Markdown table, for the docs."""
    lines = [
        "| Code | Source | Field | Level | Severity | Message |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for rule in RULES:
        cells = (
            rule.label,
            rule.source,
            rule.field,
            str(rule.level),
            str(rule.severity),
            rule.message,
        )
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"
