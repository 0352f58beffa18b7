"""SSDA903 rules whose findings are on the Missing file (beyond 1004, 1006, 567 and 574,
which are with the first 903 rules in ``ssda903``). See ``s903_cohorts`` for the sources."""

from __future__ import annotations

from safeplan.ingest.rules.base import Rule
from safeplan.ingest.rules.s903_cohorts import (
    COLLECTION,
    EPISODES,
    PERIODS,
    code,
    is_blank,
    last,
    rule,
)

MISSING = "s903_missing"
WITH_EPISODES = (EPISODES,)

RULES: tuple[Rule, ...] = (
    rule(
        "564",
        MISSING,
        "MIS_START",
        "Child was missing or away from placement without authorisation and the date started "
        "is blank.",
        f"SELECT _seq FROM s903_missing WHERE {code('missing')} IN ('M', 'A') "
        "AND mis_start IS NULL",
        note="an unreadable date is also NULL here, as the reader stores it",
    ),
    rule(
        "565",
        MISSING,
        "MISSING",
        "The date that the child started to be missing or away from placement without "
        "authorisation has been completed but whether the child was missing or away from "
        "placement without authorisation has not been completed.",
        f"SELECT _seq FROM s903_missing WHERE mis_start IS NOT NULL AND {is_blank('missing')}",
    ),
    rule(
        "566",
        MISSING,
        "MISSING",
        "The date that the child's episode of being missing or away from placement without "
        "authorisation ended has been completed but whether the child was missing or away "
        "without authorisation has not been completed.",
        f"SELECT _seq FROM s903_missing WHERE mis_end IS NOT NULL AND {is_blank('missing')}",
    ),
    rule(
        "570",
        MISSING,
        "MIS_START",
        "The date that the child started to be missing or away from placement without "
        "authorisation is after the end of the collection year.",
        "SELECT m._seq FROM s903_missing AS m CROSS JOIN sp_collection AS c "
        "WHERE m.mis_start > c.end_date",
        requires=(COLLECTION,),
    ),
    rule(
        "571",
        MISSING,
        "MIS_END",
        "The date that the child ceased to be missing or away from placement without "
        "authorisation is before the start or after the end of the collection year.",
        "SELECT m._seq FROM s903_missing AS m CROSS JOIN sp_collection AS c "
        "WHERE m.mis_end < c.start_date OR m.mis_end > c.end_date",
        requires=(COLLECTION,),
    ),
    rule(
        "575",
        MISSING,
        "MIS_END",
        "If the placement from which the child goes missing/away from placement without "
        "authorisation ends, the missing/away from placement without authorisation period in "
        "the missing module must also have an end date.",
        "SELECT m._seq FROM s903_missing AS m WHERE m.mis_end IS NULL AND EXISTS "
        "(SELECT 1 FROM s903_episodes AS e WHERE e.child = m.child AND e.dec IS NOT NULL "
        "AND m.mis_start BETWEEN e.decom AND e.dec)",
        requires=WITH_EPISODES,
    ),
    rule(
        "577",
        MISSING,
        "MIS_END",
        "Child ceased to be looked after but there is a missing/away from placement without "
        "authorisation period without an end date.",
        f"WITH periods AS ({PERIODS}) "
        "SELECT m._seq FROM s903_missing AS m JOIN periods AS p ON p.child = m.child "
        "WHERE m.mis_start IS NOT NULL GROUP BY m._seq HAVING bool_and(coalesce("
        "(m.mis_end IS NULL AND p.poc_end IS NOT NULL) "
        "OR (m.mis_end IS NULL AND m.mis_start < p.poc_start) "
        "OR m.mis_end > p.poc_end OR m.mis_end < p.poc_start, false))",
        requires=WITH_EPISODES,
        note="a missing period that lies in none of the child's periods of care: open after "
        "its period ended, or ending outside it",
    ),
    rule(
        "578",
        MISSING,
        "MIS_START",
        "The date that the child started to be missing is after the child ceased to be looked "
        "after.",
        f"WITH periods AS ({PERIODS}) "
        "SELECT m._seq FROM s903_missing AS m JOIN periods AS p ON p.child = m.child "
        "WHERE m.mis_start IS NOT NULL GROUP BY m._seq HAVING bool_and("
        "m.mis_start < p.poc_start OR (p.poc_end IS NOT NULL AND m.mis_start > p.poc_end))",
        requires=WITH_EPISODES,
    ),
    rule(
        "581",
        MISSING,
        "MIS_START",
        "Child is missing but has not yet started to be looked after.",
        "SELECT m._seq FROM s903_missing AS m WHERE m.mis_start IS NOT NULL "
        "AND EXISTS (SELECT 1 FROM s903_episodes AS e WHERE e.child = m.child) "
        "AND NOT EXISTS (SELECT 1 FROM s903_episodes AS e WHERE e.child = m.child "
        "AND m.mis_start >= e.decom AND (e.dec IS NULL OR m.mis_start <= e.dec))",
        requires=WITH_EPISODES,
        note="a blank start is left to 1004 (the validator flags it here too)",
    ),
    rule(
        "576",
        MISSING,
        "CHILD",
        "There is an open missing/away from placement without authorisation period in last "
        "year's return and there is no corresponding period recorded at the start of this "
        "year.",
        "SELECT m._seq FROM (SELECT _seq, child, mis_start, row_number() OVER (PARTITION BY "
        "child ORDER BY coalesce(mis_start, DATE '2099-01-01'), _seq) AS n FROM s903_missing "
        "WHERE child IS NOT NULL) AS m JOIN s903_missing_last AS l ON l.child = m.child "
        "AND l.mis_end IS NULL AND l.mis_start IS NOT NULL "
        "WHERE m.n = 1 AND m.mis_start IS DISTINCT FROM l.mis_start",
        requires=(last(MISSING),),
        note="reads last year's Missing file (s903_missing_last); the child's first period "
        "this year must be the one left open",
    ),
    rule(
        "586",
        MISSING,
        "MIS_START",
        "Dates of missing periods are before child's date of birth.",
        "SELECT _seq FROM s903_missing WHERE mis_start <= dob",
        note="as the validator, a start on the date of birth is flagged too",
    ),
)
