"""The DfE portal's internal (INT) SSDA903 checks of the Reviews, Missing, OC2, OC3, AD1,
PlacedAdoption and PrevPerm files against the Header, as data-to-insight numbers them
(``lac_validator/rules/lac2022_23/rule_INT<nn>.py``): each file's child is in the Header,
its date of birth is the Header's, and a child is in a one-row-per-child file once. The
Episodes, UASC, Missing and Reviews "not in Header" checks (INT03, INT09, INT04, INT08) are
with those files' rules. See ``s903_common`` for the sources.
"""

# The SQL here is composed only from constants of this module, never from a file or a
# user, so the string-built-query check does not apply.

from __future__ import annotations

from typing import NamedTuple

from safeplan.ingest.rules.base import Rule
from safeplan.ingest.rules.s903_common import rule


class Checks(NamedTuple):
    """A file's INT codes: child not in the Header, DOB unlike the Header's, child twice."""

    label: str
    not_in_header: str | None
    other_dob: str | None
    twice: str | None


FILES: dict[str, Checks] = {
    "s903_ad1": Checks("AD1", "INT01", "INT11", "INT31"),
    "s903_placed_adoption": Checks("PlacedAdoption", "INT02", "INT12", None),
    "s903_missing": Checks("Missing", None, "INT13", None),
    "s903_oc2": Checks("OC2", "INT05", "INT14", "INT33"),
    "s903_oc3": Checks("OC3", "INT06", "INT15", "INT34"),
    "s903_prev_perm": Checks("PrevPerm", "INT07", "INT16", "INT35"),
    "s903_reviews": Checks("Reviews", None, "INT17", None),
}
_HEADER_CHILD = "trim(h.child) = trim(t.child)"


def _checks(table: str, checks: Checks) -> list[Rule]:
    out = []
    if checks.not_in_header:
        kind = "Data Integrity" if checks.not_in_header == "INT01" else "Internal"
        out.append(
            rule(
                checks.not_in_header,
                table,
                "CHILD",
                f"{kind} Check: Child in {checks.label} does not exist in Header.",
                f"SELECT t._seq FROM {table} AS t WHERE t.child IS NOT NULL AND NOT EXISTS "
                f"(SELECT 1 FROM s903_header AS h WHERE {_HEADER_CHILD})",
            )
        )
    if checks.other_dob:
        out.append(
            rule(
                checks.other_dob,
                table,
                "DOB",
                f"Internal Check: DOB in {checks.label} is different to DOB in Header.",
                f"SELECT t._seq FROM {table} AS t JOIN s903_header AS h ON {_HEADER_CHILD} "
                "WHERE t.dob <> h.dob",
            )
        )
    if checks.twice:
        out.append(
            rule(
                checks.twice,
                table,
                "CHILD",
                f"Internal Check: Child should only exist once in {checks.label}.",
                "SELECT _seq FROM (SELECT _seq, count(*) OVER (PARTITION BY trim(child)) AS n "
                f"FROM {table} WHERE child IS NOT NULL) WHERE n > 1",
            )
        )
    return out


RULES: tuple[Rule, ...] = tuple(r for table, c in FILES.items() for r in _checks(table, c))
