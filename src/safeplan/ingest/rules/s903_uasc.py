"""DfE SSDA903 rules whose finding lands on the UASC file, 2022-23 to 2026-27.

See ``s903_common`` for the sources. 104 (DUC not a valid date) is the reader's date check.
The CSV return has no UASC status: as the validator's CSV reader (``ingress.py``), a child
is UASC in a year when the child is in that year's UASC file. 205D compares with last year's
return (``s903_header_last``, ``s903_uasc_last``); 205A lands on the Header (``s903_header``);
205B, 205C and 303 are left, as docs/data.md says.
"""

# The SQL here is composed only from constants of this module and s903_common, never from
# a file or a user, so the string-built-query check does not apply.

from __future__ import annotations

from safeplan.ingest.rules.base import Rule
from safeplan.ingest.rules.s903_common import W, rule, text

T = "s903_uasc"


def build() -> tuple[Rule, ...]:
    """The UASC rules."""
    return (
        rule(
            "304",
            T,
            "DUC",
            "Date unaccompanied asylum-seeking child (UASC) status ceased must be on or before "
            "the 18th birthday of a child.",
            f"SELECT _seq FROM {T} WHERE duc > dob + INTERVAL 18 YEAR",
        ),
        rule(
            "1014",
            T,
            "DUC",
            "UASC information is not required for care leavers",
            f"SELECT u._seq FROM {T} AS u WHERE trim(u.child) IN (SELECT trim(o.child) FROM "
            "s903_oc3 AS o WHERE coalesce(o.in_touch, o.activ, o.accom) IS NOT NULL) AND "
            "trim(u.child) NOT IN (SELECT trim(e.child) FROM s903_episodes AS e, sp_collection "
            "AS c WHERE e.child IS NOT NULL AND e.decom <= c.end_date AND (e.dec IS NULL OR "
            "e.dec >= c.start_date))",
            note="a child with OC3 (care leaver) information and no episode in the year",
        ),
        rule(
            "231",
            T,
            "DOB",
            "We expect that unaccompanied asylum seeking children are generally older young "
            "people. Please check the date of birth is correct. If the date of birth is "
            "correct then please provide details in a bypass request.",
            f"SELECT u._seq FROM {T} AS u CROSS JOIN sp_collection AS c WHERE u.dob > "
            "c.end_date - INTERVAL 11 YEAR",
            severity=W,
            since=2025,
            note="a child in the UASC file taken as UASC, as the validator's CSV reader does "
            "(its rule reads a UASC_STATUS column that neither of its readers makes); the "
            "UASC file's DOB, which INT18 holds to the Header's",
        ),
        rule(
            "205D",
            T,
            "CHILD",
            "Child identified as UASC this year but not identified as UASC status provided for "
            "the child last year.",
            f"SELECT u._seq FROM {T} AS u WHERE {text('u.child')} IN (SELECT {text('l.child')} "
            f"FROM s903_header_last AS l) AND {text('u.child')} NOT IN (SELECT "
            f"{text('p.child')} FROM s903_uasc_last AS p WHERE {text('p.child')} IS NOT NULL)",
            note="last year's Header and UASC file (s903_header_last, s903_uasc_last): a child "
            "in this year's UASC file and last year's Header but not last year's UASC file; "
            "the finding is on the UASC row (the validator's, for a CSV return with a Header, "
            "is on the Header row)",
        ),
    )


RULES: tuple[Rule, ...] = build()
