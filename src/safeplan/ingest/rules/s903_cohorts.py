"""What the SSDA903 rules of the Reviews, Missing, OC2, OC3, AD1, PlacedAdoption and PrevPerm
files share: the rule factory (reference to the DfE rule and the validator file it was
checked against) and SQL for the cohorts and periods those rules are defined over.

Codes and messages are the DfE's (SSDA903 validation rules for the collection year), as
transcribed in data-to-insight/csc-validator-be-903 (MIT), ``lac_validator/rules/lac<year>/
rule_<code>.py``, whose per-rule logic and example data were read for each rule here. The SQL
is SafePlan's own. Where the validator's logic departs from the DfE's rule text the DfE text
is implemented and the rule's reference says so.
"""

# The SQL here is composed only from constants of these modules and the vendored specs,
# never from a file or a user, so the string-built-query check does not apply.

from __future__ import annotations

from safeplan.ingest.findings import Level, Severity
from safeplan.ingest.rules.base import Rule, not_in_codes
from safeplan.ingest.staging import all_tables

SOURCE = "ssda903"
COLLECTION = "sp_collection"
EPISODES = "s903_episodes"
HEADER = "s903_header"


LAST_SUFFIX = "_last"


def last(table: str) -> str:
    """Last year's return of a file, where it is supplied, is staged beside this year's as
    ``<table>_last`` (same columns): the DfE's continuity rules read it, and are reported
    as not run without it."""
    return f"{table}{LAST_SUFFIX}"


F, R = Level.field, Level.record
E, W = Severity.error, Severity.warning

# The validator's folder for each collection year (2023: 2022-23).
_FOLDER = {2023: "lac2022_23", 2024: "lac2023_24", 2025: "lac2024_25", 2026: "lac2025_26"}


def _year_name(year: int) -> str:
    return f"{year - 1} to {year}"


def rule(
    code: str,
    table: str,
    field: str,
    message: str,
    sql: str,
    *,
    level: Level = R,
    severity: Severity = E,
    requires: tuple[str, ...] = (),
    since: int | None = None,
    until: int | None = None,
    folder_year: int | None = None,
    note: str = "",
) -> Rule:
    """A 903 rule; ``folder_year`` is the collection year of the validator's file (the
    year the rule was added or last changed; 2022-23 unless ``since`` says otherwise)."""
    year = folder_year or since or 2023
    reference = (
        f"DfE SSDA903 {_year_name(max(year, 2023))}: validation rules, rule {code}; "
        f"wording and example data as in data-to-insight/csc-validator-be-903 "
        f"lac_validator/rules/{_FOLDER[max(year, 2023)]}/rule_{code}.py"
    )
    if until is not None:
        reference += f"; in force to {_year_name(until)}, deleted or changed after"
    if note:
        reference += f"; {note}"
    return Rule(
        code,
        SOURCE,
        table,
        field,
        message,
        level,
        severity,
        sql,
        reference,
        requires,
        since,
        until,
    )


def codes(table: str, column: str) -> tuple[str, ...]:
    """The spec's code list for a column."""
    return all_tables()[table].codes[column]


def code_rule(
    code: str,
    table: str,
    field: str,
    message: str,
    *,
    blank_ok: bool,
    allowed: tuple[str, ...] | None = None,
    note: str = "",
) -> Rule:
    """A code-list rule over one column (the spec's list unless ``allowed`` is given)."""
    column = field.lower()
    listed = allowed if allowed is not None else codes(table, column)
    condition = not_in_codes(column, listed, blank_allowed=blank_ok)
    return rule(
        code,
        table,
        field,
        message,
        f"SELECT _seq FROM {table} WHERE {condition}",
        level=F,
        note=note,
    )


def given(column: str) -> str:
    """SQL for 'a value is there' (not NULL and not only spaces)."""
    return f"NULLIF(trim(CAST({column} AS VARCHAR)), '') IS NOT NULL"


def is_blank(column: str) -> str:
    return f"NULLIF(trim(CAST({column} AS VARCHAR)), '') IS NULL"


def code(column: str) -> str:
    """A code as compared: trimmed and upper-cased, NULL when blank."""
    return f"NULLIF(upper(trim(CAST({column} AS VARCHAR))), '')"


def any_given(*columns: str) -> str:
    return "(" + " OR ".join(given(c) for c in columns) + ")"


def all_given(*columns: str) -> str:
    return "(" + " AND ".join(given(c) for c in columns) + ")"


def any_blank(*columns: str) -> str:
    return "(" + " OR ".join(is_blank(c) for c in columns) + ")"


# The children looked after continuously for at least 12 months at 31 March (the OC2
# cohort), as the DfE defines it for the return: looked after on the first day of the
# collection year and for the whole year: no episode of the year starts a period of care
# (RNE S), ends one (a DEC in the year with a REC other than X1, before 31 March) or is a
# short break (V3/V4). The validator counts a child looked after at any point of the year;
# the DfE's "12 months" needs the first day too.
CLA12 = (
    "SELECT e.child FROM s903_episodes AS e CROSS JOIN sp_collection AS c "
    "WHERE e.child IS NOT NULL AND e.decom IS NOT NULL "
    "GROUP BY e.child, c.start_date, c.end_date "
    "HAVING bool_or(e.decom <= c.start_date AND (e.dec IS NULL OR e.dec >= c.start_date)) "
    "AND NOT bool_or(coalesce("
    "(upper(trim(e.rne)) = 'S' AND e.decom > c.start_date AND e.decom <= c.end_date) "
    "OR (coalesce(upper(trim(e.rec)), '') <> 'X1' AND e.dec >= c.start_date "
    "AND e.dec < c.end_date) "
    "OR (upper(trim(e.ls)) IN ('V3', 'V4') AND e.decom <= c.end_date "
    "AND (e.dec IS NULL OR e.dec >= c.start_date)), false))"
)

CLA12_REQUIRES = (EPISODES, COLLECTION)

# Each child's periods of care: episodes in date order, a new period where an episode
# starts after the previous one ended; the period's end is its last episode's DEC (NULL
# while open).
PERIODS = (
    "SELECT child, period, min(decom) AS poc_start, last(dec ORDER BY decom, _seq) AS poc_end "
    "FROM (SELECT child, decom, dec, _seq, sum(CASE WHEN previous_dec IS NOT NULL AND "
    "decom > previous_dec THEN 1 ELSE 0 END) OVER (PARTITION BY child ORDER BY decom, _seq) "
    "AS period FROM (SELECT child, decom, dec, _seq, lag(dec) OVER (PARTITION BY child "
    "ORDER BY decom, _seq) AS previous_dec FROM s903_episodes "
    "WHERE child IS NOT NULL AND decom IS NOT NULL)) GROUP BY child, period"
)
