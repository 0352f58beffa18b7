"""SSDA903 rules of the DoLo file (deprivation of liberty orders), added to the return from
the 2026-27 collection: rules 700 to 710, as transcribed in data-to-insight's validator
(``lac_validator/rules/lac2026_27``). See ``s903_common`` for the sources.

701 (an end date that is not a valid date) is the reader's date check (``SP-DATE``).
Where the validator's rule cannot run as written SafePlan follows the DfE's text and says so
in the rule's note: its 709 and 710 read a ``PLACEMENT`` column the Episodes file does not
have (the file's column is ``PLACE``); its 706 reports rows of last year's file.
"""

from __future__ import annotations

from safeplan.ingest.rules.base import Rule
from safeplan.ingest.rules.s903_cohorts import PERIODS, last
from safeplan.ingest.rules.s903_common import EPISODES, F, codes, rule, text

DOLO = "s903_dolo"
SINCE = 2027  # the 2026-27 collection
ORDERS = f"SELECT _seq, {text('child')} AS child, dob, dolo_start, dolo_end FROM {DOLO}"
"""The DoLo rows with the child's identifier trimmed."""


def _placed_during(places: tuple[str, ...], inside: bool) -> str:
    """An order with a start and an end, overlapping an episode whose placement type is
    (``inside``) or is not in ``places`` (rules 709 and 710)."""
    test = "IN" if inside else "NOT IN"
    return (
        f"SELECT d._seq FROM ({ORDERS}) AS d JOIN ({EPISODES}) AS e ON e.child = d.child "
        "WHERE d.dolo_start IS NOT NULL AND d.dolo_end IS NOT NULL AND e.decom IS NOT NULL "
        "AND (e.dec IS NULL OR d.dolo_start <= e.dec) AND d.dolo_end >= e.decom "
        f"AND e.place {test} {codes(*places)}"
    )


RULES: tuple[Rule, ...] = (
    rule(
        "700",
        DOLO,
        "DOLO_START",
        "The start date of the DoLO is not a valid date.",
        f"SELECT _seq FROM {DOLO} WHERE dolo_start IS NULL",
        level=F,
        since=SINCE,
        note="the reader stores an unreadable date as NULL, so a NULL here is a missing or "
        "invalid date",
    ),
    rule(
        "702",
        DOLO,
        "DOLO_END",
        "The date that the DoLO ended is before the date that it started.",
        f"SELECT _seq FROM {DOLO} WHERE dolo_end <= dolo_start",
        since=SINCE,
        note="as the validator, an order ending on the day it started is flagged too",
    ),
    rule(
        "703",
        DOLO,
        "DOLO_START",
        "The date that the DoLO started is after the end of the collection year.",
        f"SELECT d._seq FROM {DOLO} AS d CROSS JOIN sp_collection AS c "
        "WHERE d.dolo_start > c.end_date",
        since=SINCE,
    ),
    rule(
        "704",
        DOLO,
        "DOLO_END",
        "The date that the DoLO ended is before the start or after the end of the collection year.",
        f"SELECT d._seq FROM {DOLO} AS d CROSS JOIN sp_collection AS c "
        "WHERE d.dolo_end < c.start_date OR d.dolo_end > c.end_date",
        since=SINCE,
    ),
    rule(
        "705",
        DOLO,
        "DOLO_START",
        "A DoLO cannot start when the previous DoLO is still open.",
        "SELECT _seq FROM (SELECT _seq, child, dolo_start, lag(dolo_end) OVER w AS prev_end, "
        "lag(_seq) OVER w AS prev_seq FROM (SELECT *, coalesce(dolo_end, dolo_start) AS fill "
        f"FROM ({ORDERS}) WHERE child IS NOT NULL) "
        "WINDOW w AS (PARTITION BY child ORDER BY fill, dolo_start, _seq)) "
        "WHERE prev_seq IS NOT NULL AND (prev_end IS NULL OR dolo_start < prev_end)",
        since=SINCE,
        note="each child's orders in order of their end (an open order at its start), as "
        "the validator orders them; an order is flagged when the one before it is open or "
        "ends after it starts",
    ),
    rule(
        "706",
        DOLO,
        "DOLO_START",
        "There is an open DoLO in last year's return and there is no corresponding DoLO "
        "recorded at the start of this year.",
        "SELECT d._seq FROM (SELECT _seq, child, dolo_start, row_number() OVER (PARTITION BY "
        "child ORDER BY coalesce(dolo_start, DATE '2099-01-01'), _seq) AS n "
        f"FROM ({ORDERS}) WHERE child IS NOT NULL) AS d JOIN {last(DOLO)} AS l "
        f"ON {text('l.child')} = d.child AND l.dolo_end IS NULL AND l.dolo_start IS NOT NULL "
        "WHERE d.n = 1 AND d.dolo_start IS DISTINCT FROM l.dolo_start",
        since=SINCE,
        note="reads last year's DoLo file (s903_dolo_last): the child's first order this year "
        "must be the one left open (the validator reports last year's row, which is not in "
        "this return)",
    ),
    rule(
        "707",
        DOLO,
        "DOLO_END",
        "Child ceased to be looked after but there is a DoLO without an end date.",
        f"WITH periods AS ({PERIODS}) "
        f"SELECT d._seq FROM ({ORDERS}) AS d JOIN periods AS p ON p.child = d.child "
        "WHERE d.dolo_start IS NOT NULL GROUP BY d._seq HAVING bool_and(coalesce("
        "(d.dolo_end IS NULL AND p.poc_end IS NOT NULL) "
        "OR (d.dolo_end IS NULL AND d.dolo_start < p.poc_start) "
        "OR d.dolo_end > p.poc_end OR d.dolo_end < p.poc_start, false))",
        since=SINCE,
        note="as 577 for missing periods: an order that lies in none of the child's periods "
        "of care",
    ),
    rule(
        "708",
        DOLO,
        "DOLO_START",
        "Dates of DoLOs are before child's date of birth.",
        f"SELECT _seq FROM {DOLO} WHERE dolo_start <= dob",
        since=SINCE,
        note="as the validator, a start on the date of birth is flagged too",
    ),
    rule(
        "709",
        DOLO,
        "DOLO_START",
        "Child with a DoLO is in an unexpected placement type.",
        _placed_during(("K2", "Z12", "Z13"), inside=False),
        since=SINCE,
        note="placements overlapping the order other than K2, Z12 and Z13 (the validator "
        "reads a PLACEMENT column, which the Episodes file does not have, so it cannot run)",
    ),
    rule(
        "710",
        DOLO,
        "DOLO_START",
        "Child with a DoLO can not be placed in secure children's homes, with parents, young "
        "offender institutions, or supported accommodation.",
        _placed_during(("K1", "P1", "R5", "K3"), inside=True),
        since=SINCE,
        note="as 709, on PLACE",
    ),
)
