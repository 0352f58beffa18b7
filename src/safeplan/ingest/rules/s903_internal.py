"""The DfE portal's internal (INT) SSDA903 checks between the Header and the Episodes and
UASC files, as data-to-insight numbers them. INT32 (child twice in the Header) is in
``ssda903``; the INT checks of the other files are with those files' rules.
"""

# The SQL here is composed only from constants of this module and s903_common, never from
# a file or a user, so the string-built-query check does not apply.

from __future__ import annotations

from safeplan.ingest.rules.base import Rule
from safeplan.ingest.rules.s903_common import W, rule

IN_HEADER = "SELECT trim(h.child) FROM s903_header AS h WHERE h.child IS NOT NULL"


def _matches_header(code: str, column: str) -> Rule:
    return rule(
        code,
        "s903_uasc",
        column.upper(),
        f"Internal Check: {column.upper()} in UASC is different to {column.upper()} in Header.",
        f"SELECT u._seq FROM s903_uasc AS u JOIN s903_header AS h ON trim(h.child) = "
        f"trim(u.child) WHERE trim(u.{column}) <> trim(h.{column})"
        if column == "sex"
        else f"SELECT u._seq FROM s903_uasc AS u JOIN s903_header AS h ON trim(h.child) = "
        f"trim(u.child) WHERE u.{column} <> h.{column}",
    )


def build() -> tuple[Rule, ...]:
    """The internal checks."""
    return (
        rule(
            "INT03",
            "s903_episodes",
            "CHILD",
            "Internal Check: Child in Episodes does not exist in Header.",
            f"SELECT _seq FROM s903_episodes WHERE trim(child) NOT IN ({IN_HEADER}) "
            "OR child IS NULL",
        ),
        rule(
            "INT09",
            "s903_uasc",
            "CHILD",
            "Internal Check: Child in UASC does not exist in Header.",
            f"SELECT _seq FROM s903_uasc WHERE trim(child) NOT IN ({IN_HEADER}) OR child IS NULL",
            severity=W,
        ),
        _matches_header("INT18", "dob"),
        _matches_header("INT21", "sex"),
        rule(
            "INT36",
            "s903_uasc",
            "CHILD",
            "Internal Check: Child should only exist once in UASC.",
            "SELECT _seq FROM (SELECT _seq, count(*) OVER (PARTITION BY trim(child)) AS n "
            "FROM s903_uasc WHERE child IS NOT NULL) WHERE n > 1",
        ),
    )


RULES: tuple[Rule, ...] = build()
