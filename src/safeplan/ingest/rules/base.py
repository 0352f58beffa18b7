"""The shape of a validation rule and the SQL helpers the rule modules share.

Kept apart from the registry so that the per-return modules can import it without a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass

from safeplan.ingest.findings import Level, Severity


@dataclass(frozen=True)
class Rule:
    """One DfE validation rule, expressed as a query over one staging table.

    ``sql`` returns the ``_seq`` of every offending row of ``table``. ``requires`` names the
    other staging tables the query reads, so a return sent without them (a 903 upload with
    no reviews.csv) skips the rule instead of failing; the collection year's dates are the
    one-row table ``sp_collection`` (``year``, ``start_date``, ``end_date``: 1 April to 31
    March), present when the return's year is known. ``since`` and ``until`` are the
    collection years the rule is in force, as the DfE adds, changes and deletes rules.
    """

    code: str
    source: str
    table: str
    field: str
    message: str
    level: Level
    severity: Severity
    sql: str
    reference: str
    requires: tuple[str, ...] = ()
    since: int | None = None  # first collection year it applies to (2025: 2024-25)
    until: int | None = None  # last collection year it applies to; None while in force

    def applies(self, year: int | None) -> bool:
        """In force for the collection year; a return of unknown year gets the rules that
        every year shares (those with no ``since`` or ``until``)."""
        if year is None:
            return self.since is None and self.until is None
        return (self.since is None or year >= self.since) and (
            self.until is None or year <= self.until
        )

    @property
    def label(self) -> str:
        """The rule as findings name it: ``CIN 8500``, ``903 103``, ``SafePlan P101``."""
        prefix = {"cin_census": "CIN", "ssda903": "903", "partner": "SafePlan"}.get(
            self.source, self.source
        )
        return f"{prefix} {self.code}"

    @property
    def tables(self) -> tuple[str, ...]:
        """Every staging table the rule reads."""
        return (self.table, *(t for t in self.requires if t != self.table))


def blank(column: str) -> str:
    """SQL for 'no value': NULL or only spaces, since readers may keep an empty element."""
    return f"NULLIF(trim({column}), '') IS NULL"


def not_in_codes(column: str, codes: tuple[str, ...], *, blank_allowed: bool) -> str:
    """SQL condition for a value outside a code list; blank fails unless the spec allows it."""
    listed = ", ".join("'" + code.replace("'", "''") + "'" for code in codes)
    value = f"NULLIF(trim({column}), '')"
    if blank_allowed:
        return f"({value} IS NOT NULL AND {value} NOT IN ({listed}))"
    return f"({value} IS NULL OR {value} NOT IN ({listed}))"


WORKING_DAYS = "sp_working_day"
"""Every calendar day around the collection year with ``n``, the working days (England and
Wales: weekdays that are not bank holidays) counted up to it, staged with ``sp_collection``
from the project's calendar (`safeplan.ingest.calendar`)."""


def working_days_before(day: str, count: int) -> str:
    """SQL for the working day ``count`` working days before ``day`` (an SQL date), counting
    back from the day before it, as the DfE's "<ReferenceDate> minus 45 working days" does:
    one working day before a Monday is the Friday (bank holidays skipped)."""
    return (
        f"(SELECT min(w.day) FROM {WORKING_DAYS} AS w WHERE w.n = "
        f"(SELECT v.n FROM {WORKING_DAYS} AS v WHERE v.day = CAST({day} - INTERVAL 1 DAY AS DATE))"
        f" - {count} + 1)"
    )


def weekend(column: str) -> str:
    """SQL: the date falls on a Saturday or a Sunday."""
    return f"isodow({column}) IN (6, 7)"
