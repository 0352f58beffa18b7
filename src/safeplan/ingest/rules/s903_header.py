"""DfE SSDA903 rules whose finding lands on the Header file, 2022-23 to 2026-27.

See ``s903_common`` for the sources. The SEX code rule 101 belongs with the reader of each
year's Header layout (1/2 to 2023-24, M/F/U from 2024-25); 232 flags the U it lets through;
the rules here that read SEX accept both codings. 202, 203, 204, 207, 208, 624 and 626
compare with last year's Header, staged as ``s903_header_last`` when last year's return is
given, and 205A with last year's UASC file (``s903_uasc_last``); the UASC rules left (105,
205B, 205C, 303) are listed in docs/data.md.
"""

# The SQL here is composed only from constants of this module and s903_common, never from
# a file or a user, so the string-built-query check does not apply.

from __future__ import annotations

from safeplan.ingest.rules.base import Rule
from safeplan.ingest.rules.s903_common import FEMALE, HEADER, MALE, F, W, code, rule, text

T = "s903_header"
ALL = f"SELECT _seq FROM ({HEADER}) AS h"
YEAR = "CROSS JOIN sp_collection AS c"
LOOKED_AFTER = (
    "SELECT trim(child) FROM s903_episodes WHERE child IS NOT NULL "
    "AND coalesce(upper(trim(ls)), '') NOT IN ('V3', 'V4')"
)
"""Children with an episode other than short breaks (V3, V4)."""

IN_YEAR = (
    "SELECT trim(e.child) FROM s903_episodes AS e, sp_collection AS y WHERE e.child IS NOT "
    "NULL AND coalesce(upper(trim(e.ls)), '') NOT IN ('V3', 'V4') AND e.decom <= y.end_date "
    "AND (e.dec IS NULL OR e.dec >= y.start_date)"
)
"""Children looked after (other than short breaks) at some time in the collection year."""


def build() -> tuple[Rule, ...]:
    """The Header rules."""
    return (
        rule(
            "165",
            T,
            "MOTHER",
            "Data entry for mother status is invalid.",
            f"{ALL} WHERE (mother IS NOT NULL AND mother NOT IN ('0', '1')) "
            f"OR ({MALE} AND mother IS NOT NULL) "
            f"OR ({FEMALE} AND mother IS NULL AND child IN ({IN_YEAR}))",
            note="the part for care leavers with no episode in the year (OC3 only) is rule 628's",
        ),
        rule(
            "168",
            T,
            "UPN",
            "Unique Pupil Number (UPN) is not valid. If unknown, default codes should be UN1, "
            "UN2, UN3, UN4 or UN5.",
            f"{ALL} WHERE upn IS NOT NULL AND NOT regexp_full_match(upn, "
            "'[A-HJ-NP-RT-Z]([0-9]{12}|[0-9]{11}[A-Z])|UN[1-5]')",
            level=F,
            note="the form only (a letter other than I, O or S, then 12 digits or 11 and a "
            "letter), as the validator checks; the DfE's check letter is not computed",
        ),
        rule(
            "174",
            T,
            "MC_DOB",
            "Mother's child date of birth is recorded but gender shows that the child is a male.",
            f"{ALL} WHERE mc_dob IS NOT NULL AND {MALE}",
            until=2024,
        ),
        rule(
            "174",
            T,
            "MC_DOB",
            "Mother's child date of birth is recorded but sex shows that the child is a male.",
            f"{ALL} WHERE mc_dob IS NOT NULL AND {MALE}",
            since=2025,
        ),
        rule(
            "209",
            T,
            "UPN",
            "Child looked after is of school age and should not have an unknown Unique Pupil "
            "Number (UPN) code of UN1.",
            f"SELECT h._seq FROM ({HEADER}) AS h {YEAR} WHERE h.upn = 'UN1' "
            "AND h.dob + INTERVAL 4 YEAR <= make_date(c.year - 2, 8, 31)",
            note="aged 4 by 31 August of the school year before the collection year, as the "
            "validator reads it",
        ),
        rule(
            "301",
            T,
            "DOB",
            "Date of birth falls after the year ended.",
            f"SELECT h._seq FROM s903_header AS h {YEAR} WHERE h.dob > c.end_date",
            level=F,
        ),
        rule(
            "351",
            T,
            "DOB",
            "Child was over 25 at the start of the current collection year.",
            f"SELECT h._seq FROM s903_header AS h {YEAR} "
            "WHERE h.dob + INTERVAL 25 YEAR < c.start_date",
            level=F,
        ),
        rule(
            "393",
            T,
            "MOTHER",
            "Child is looked after but mother field is not completed.",
            f"{ALL} WHERE {FEMALE} AND mother IS NULL AND child IN ({LOOKED_AFTER})",
        ),
        rule(
            "442",
            T,
            "UPN",
            "Unique Pupil Number (UPN) field is not completed.",
            f"{ALL} WHERE upn IS NULL AND child IN ({LOOKED_AFTER})",
        ),
        rule(
            "444",
            T,
            "UPN",
            "Duplicate UPN has been reported",
            "SELECT _seq FROM (SELECT _seq, upn, count(*) OVER (PARTITION BY upn) AS n "
            f"FROM ({HEADER}) WHERE upn IS NOT NULL) "
            "WHERE n > 1 AND upn NOT IN ('UN1', 'UN2', 'UN3', 'UN4', 'UN5')",
            since=2026,
        ),
        rule(
            "611",
            T,
            "MC_DOB",
            "Date of birth field is blank, but child is a mother.",
            f"{ALL} WHERE mother = '1' AND mc_dob IS NULL",
        ),
        rule(
            "612",
            T,
            "MC_DOB",
            "Date of birth field has been completed but mother field indicates child is not a "
            "mother.",
            f"{ALL} WHERE {FEMALE} AND coalesce(mother, '0') = '0' AND mc_dob IS NOT NULL",
        ),
        rule(
            "620",
            T,
            "MOTHER",
            "Child has been recorded as a mother, but date of birth shows that the mother is "
            "under 11 years of age.",
            f"SELECT h._seq FROM ({HEADER}) AS h {YEAR} WHERE h.mother = '1' "
            "AND h.dob + INTERVAL 11 YEAR > c.start_date",
        ),
        rule(
            "621",
            T,
            "MC_DOB",
            "Mother's field has been completed but date of birth shows that the mother is "
            "younger than her child.",
            f"{ALL} WHERE mc_dob <= dob",
        ),
        rule(
            "625",
            T,
            "MC_DOB",
            "Date of birth of the first child is beyond the end of this reporting year or the "
            "date the child ceased to be looked after.",
            f"SELECT h._seq FROM ({HEADER}) AS h {YEAR} WHERE h.mc_dob > c.end_date OR "
            "h.mc_dob > (SELECT max(e.dec) FROM s903_episodes AS e WHERE trim(e.child) = "
            "h.child HAVING count(*) = count(e.dec))",
            note="against the date the child ceased to be looked after, when every episode "
            "has ended (the validator takes the last ended episode even when a later one is "
            "open)",
        ),
        rule(
            "628",
            T,
            "MOTHER",
            "Motherhood details are not required for care leavers who have not been looked "
            "after during the year.",
            f"{ALL} WHERE mother IS NOT NULL AND child NOT IN (SELECT trim(e.child) FROM "
            "s903_episodes AS e WHERE e.child IS NOT NULL) AND child IN (SELECT trim(o.child) "
            "FROM s903_oc3 AS o WHERE coalesce(o.in_touch, o.activ, o.accom) IS NOT NULL)",
        ),
        rule(
            "EPI",
            T,
            "CHILD",
            "WARNING: Episodes need to be loaded for this child before further validation is "
            "possible [NOTE: This refers to the DfE portal - here, all checks that can be "
            "performed with only the available data will be.]",
            f"{ALL} WHERE child IS NOT NULL AND child NOT IN (SELECT trim(e.child) FROM "
            "s903_episodes AS e WHERE e.child IS NOT NULL) AND child NOT IN (SELECT "
            "trim(o.child) FROM s903_oc3 AS o WHERE o.child IS NOT NULL)",
            severity=W,
        ),
        rule(
            "232",
            T,
            "SEX",
            "Sex of the child/young person has been reported as unknown.",
            f"{ALL} WHERE sex = 'U'",
            level=F,
            severity=W,
            since=2025,
            note="U is a valid code from 2024-25 (rule 101 accepts it), so this is a query on "
            "it, not the reader's code check",
        ),
        *_against_last(),
    )


def _sex(column: str) -> str:
    """The child's sex as recorded whatever the year's coding: 1 or M, 2 or F."""
    value = code(column)
    return (
        f"CASE WHEN {value} IN ('1', 'M') THEN 'M' WHEN {value} IN ('2', 'F') THEN 'F' "
        f"ELSE {value} END"
    )


def _differs(expression: str) -> str:
    """Header rows of a child whose row in last year's Header (``s903_header_last``) has
    another value of ``expression`` (over ``{t}``, the table's alias)."""
    return (
        "SELECT h._seq FROM s903_header AS h WHERE EXISTS (SELECT 1 FROM s903_header_last "
        f"AS l WHERE {text('l.child')} = {text('h.child')} AND "
        f"{expression.format(t='l')} IS DISTINCT FROM {expression.format(t='h')})"
    )


def _against_last() -> tuple[Rule, ...]:
    """The continuity rules of the Header: this year's against last year's Header."""
    return (
        rule(
            "202",
            T,
            "SEX",
            "The gender code conflicts with the gender already recorded for this child.",
            _differs(_sex("{t}.sex")),
            note="last year's Header (s903_header_last); SEX compared as the child's sex "
            "whatever each year's coding (1/2 to 2023-24, M/F from 2024-25), where the "
            "validator compares the codes and so flags every child of a 2024-25 return "
            "against 2023-24's",
        ),
        rule(
            "203",
            T,
            "DOB",
            "Date of birth disagrees with the date of birth already recorded for this child.",
            _differs("{t}.dob"),
            note="last year's Header (s903_header_last)",
        ),
        rule(
            "204",
            T,
            "ETHNIC",
            "Ethnic origin code disagrees with the ethnic origin already recorded for this child.",
            _differs(code("{t}.ethnic")),
            note="last year's Header (s903_header_last)",
        ),
        rule(
            "624",
            T,
            "MC_DOB",
            "Date of birth of the first child contradicts the date of birth of the first child "
            "previously recorded.",
            "SELECT h._seq FROM s903_header AS h WHERE EXISTS (SELECT 1 FROM s903_header_last "
            f"AS l WHERE {text('l.child')} = {text('h.child')} AND l.mc_dob IS NOT NULL AND "
            "h.mc_dob IS DISTINCT FROM l.mc_dob)",
            note="last year's Header (s903_header_last), where it has the date",
        ),
        rule(
            "626",
            T,
            "MOTHER",
            "Child was reported as a mother but the date of birth of the first child is before "
            "the current year which contradicts with the mother status recorded last year.",
            "SELECT h._seq FROM s903_header AS h CROSS JOIN sp_collection AS c WHERE "
            f"{code('h.mother')} = '1' AND h.mc_dob < c.start_date AND EXISTS (SELECT 1 FROM "
            f"s903_header_last AS l WHERE {text('l.child')} = {text('h.child')} AND "
            f"{code('l.mother')} = '0')",
            note="last year's Header (s903_header_last)",
        ),
        rule(
            "207",
            T,
            "MOTHER",
            "Mother status for the current year disagrees with the mother status already "
            "recorded for this child.",
            "SELECT h._seq FROM s903_header AS h WHERE coalesce("
            + code("h.mother")
            + ", '') <> '1' AND trim(h.child) IN (SELECT trim(e.child) FROM s903_episodes AS e "
            "WHERE e.child IS NOT NULL) AND EXISTS (SELECT 1 FROM s903_header_last AS l WHERE "
            f"{text('l.child')} = {text('h.child')} AND {code('l.mother')} = '1')",
            note="last year's Header (s903_header_last): a mother last year, with episodes "
            "this year",
        ),
        rule(
            "208",
            T,
            "UPN",
            "Unique Pupil Number (UPN) for the current year disagrees with the Unique Pupil "
            "Number (UPN) already recorded for this child.",
            "SELECT h._seq FROM s903_header AS h WHERE EXISTS (SELECT 1 FROM s903_header_last "
            f"AS l WHERE {text('l.child')} = {text('h.child')} AND {_UPN_CHANGED})",
            note="last year's Header (s903_header_last); a UPN first known, or unknown coded "
            "UN2-UN5 where it was UN1 or blank, or UN1 where it was blank, is not a "
            "disagreement (the validator means the last but tests a blank UN1, so it never "
            "holds)",
        ),
        rule(
            "205A",
            T,
            "CHILD",
            "Child identified as UASC last year is no longer UASC this year, but date UASC "
            "ceased in both years does not support this.",
            "SELECT h._seq FROM s903_header AS h CROSS JOIN sp_collection AS c WHERE "
            f"{text('h.child')} NOT IN (SELECT {text('u.child')} FROM s903_uasc AS u WHERE "
            f"{text('u.child')} IS NOT NULL) AND EXISTS (SELECT 1 FROM s903_uasc_last AS l "
            f"WHERE {text('l.child')} = {text('h.child')} AND (l.duc IS NULL OR l.duc < "
            "c.start_date - INTERVAL 1 YEAR OR l.duc >= c.start_date)) AND "
            f"{text('h.child')} IN (SELECT {text('e.child')} FROM s903_episodes AS e WHERE "
            "e.decom <= c.end_date AND (e.dec IS NULL OR e.dec >= c.start_date))",
            note="last year's UASC file (s903_uasc_last); UASC as the child's being in the "
            "year's UASC file, as the validator's CSV reader makes it: a child looked after "
            "this year in last year's UASC file but not this year's, whose DUC last year is "
            "blank or outside last year's collection year (a care leaver with no episode "
            "this year needs no UASC row: 1014). The validator checks only children in this "
            "year's UASC file, so for a CSV return its 205A cannot fire",
        ),
    )


_NOW, _BEFORE = code("h.upn"), code("l.upn")
_UNKNOWN = "('UN1', 'UN2', 'UN3', 'UN4', 'UN5')"
_UPN_CHANGED = (
    f"{_NOW} IS DISTINCT FROM {_BEFORE} "
    f"AND NOT (coalesce({_BEFORE}, 'UN1') = 'UN1' "
    f"AND coalesce({_NOW}, '') IN ('UN2', 'UN3', 'UN4', 'UN5')) "
    f"AND NOT ({_BEFORE} IS NULL AND coalesce({_NOW}, '') = 'UN1') "
    f"AND NOT (coalesce({_BEFORE}, 'UN1') IN {_UNKNOWN} "
    f"AND coalesce({_NOW}, 'UN1') NOT IN {_UNKNOWN})"
)
"""A UPN that disagrees with last year's (``l``), other than a known UPN where it was
unknown or blank and an unknown UPN better coded (UN1 or blank to UN2-UN5, blank to UN1)."""


RULES: tuple[Rule, ...] = build()
