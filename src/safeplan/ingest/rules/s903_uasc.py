"""DfE SSDA903 rules whose finding lands on the UASC file, 2022-23 to 2026-27.

See ``s903_common`` for the sources. 104 (DUC not a valid date) is the reader's date check;
205A-D need last year's return and 303 the UASC status that only the XML Header carries:
docs/data.md lists them.
"""

# The SQL here is composed only from constants of this module and s903_common, never from
# a file or a user, so the string-built-query check does not apply.

from __future__ import annotations

from safeplan.ingest.rules.base import Rule
from safeplan.ingest.rules.s903_common import rule

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
    )


RULES: tuple[Rule, ...] = build()
