"""What the SSDA903 rule modules by file (``s903_header``, ``s903_episodes``, ``s903_uasc``,
``s903_social_worker``, ``s903_internal``) share: the ``Rule`` constructor with its DfE
reference, and the normalised and ordered views of the staging tables the rules read.

Codes and messages are the DfE's, as transcribed in data-to-insight/csc-validator-be-903
(MIT): ``lac_validator/rules/lac<year>/rule_<code>.py``, where a later year's folder holds
the rules the DfE added or changed that year and its ``__init__.py`` the ones it deleted.
The SQL is SafePlan's own. A rule the DfE changed is two ``Rule``s, with ``until`` on the
old one and ``since`` on the new (2025 means the 2024-25 collection).
"""

# The SQL here is composed only from constants of these modules, never from a file or a
# user, so the string-built-query check does not apply.

from __future__ import annotations

import re

from safeplan.ingest.findings import Level, Severity
from safeplan.ingest.rules.base import Rule

SOURCE = "ssda903"
FIRST_YEAR = 2023  # the earliest collection year SafePlan's rule sets cover (2022-23)
D2I = "data-to-insight/csc-validator-be-903 lac_validator/rules/lac{folder}/rule_{code}.py"

F, R = Level.field, Level.record
E, W, Q = Severity.error, Severity.warning, Severity.query

_TABLES = re.compile(r"\b(s903_[a-z0-9_]+|sp_collection|sp_postcode|sp_provider|sp_council)\b")


def folder(year: int) -> str:
    """The validator's folder for a collection year: 2025 → ``2024_25``."""
    return f"{year - 1}_{year % 100:02d}"


def rule(
    code: str,
    table: str,
    field: str,
    message: str,
    sql: str,
    *,
    level: Level = R,
    severity: Severity = E,
    since: int | None = None,
    until: int | None = None,
    note: str = "",
) -> Rule:
    """A 903 rule; the tables it reads besides its own (``requires``) are read off its SQL,
    so a cross-file rule cannot forget one."""
    year = since or FIRST_YEAR
    source = D2I.format(folder=folder(year), code=code)
    if code.startswith("INT"):
        reference = (
            f"Internal check {code} of the DfE-portal checks as implemented in {source} "
            "(a data-to-insight code, not a numbered DfE rule)"
        )
    else:
        reference = (
            f"DfE SSDA903 {year - 1} to {year}: validation rules, rule {code}; "
            f"wording as in {source}"
        )
    if until is not None:
        reference += f"; in force to the {until - 1} to {until} collection"
    if note:
        reference += f"; {note}"
    requires = tuple(sorted({t for t in _TABLES.findall(sql) if t != table}))
    return Rule(
        code, SOURCE, table, field, message, level, severity, sql, reference, requires,
        since, until,
    )  # fmt: skip


def text(column: str) -> str:
    """An identifier as the rules compare it: trimmed, blank as NULL."""
    return f"NULLIF(trim({column}), '')"


def code(column: str) -> str:
    """A code as the rules compare it: trimmed, upper-cased, blank as NULL (a code in the
    wrong case is the code-list rules' finding, not a reason to misread the record)."""
    return f"NULLIF(upper(trim({column})), '')"


def codes(*values: str) -> str:
    """A SQL list of codes: ``('T0', 'T1')``."""
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def postcode(column: str) -> str:
    return f"NULLIF(upper(replace({column}, ' ', '')), '')"


DATE_RULES: dict[tuple[str, str], tuple[str, str]] = {
    ("s903_header", "mc_dob"): ("171", "Date of birth of mother's child is not a valid date."),
    ("s903_episodes", "dec"): ("147", "Date episode ceased is not a valid date."),
    ("s903_uasc", "duc"): (
        "104",
        "Date for Unaccompanied Asylum-Seeking Children (UASC) status ceased is not a valid date.",
    ),
    ("s903_missing", "mis_end"): (
        "1005",
        "The end date of the missing episode or episode that the child was away from "
        "placement without authorisation is not a valid date.",
    ),
    ("s903_ad1", "date_int"): ("112", "Date should be placed for adoption is not a valid date."),
    ("s903_ad1", "date_match"): (
        "113",
        "Date matching child and adopter(s) is not a valid date.",
    ),
    ("s903_placed_adoption", "date_placed"): (
        "115",
        "Date of Local Authority's (LA) decision that a child should be placed for adoption "
        "is not a valid date.",
    ),
    ("s903_placed_adoption", "date_placed_ceased"): (
        "116",
        "Date of Local Authority's (LA) decision that a child should no longer be placed for "
        "adoption is not a valid date.",
    ),
    ("s903_social_worker", "sw_decom"): (
        "SW04STG1",
        "Date social worker episode began is not a valid date.",
    ),
    ("s903_social_worker", "sw_dec"): (
        "SW05STG1",
        "Date social worker episode ceased is not a valid date.",
    ),
    ("s903_dolo", "dolo_end"): ("701", "The end date of the DoLO is not a valid date."),
}
"""The DfE rules that an optional date is a valid date: the reader stores a date it cannot
read as blank, so no SQL rule can see it; its date check (``SP-DATE``) reports the value
under the DfE's code and message (SW05STG1's as the DfE words it: the validator's says
"began")."""


TEMPORARY = ("T0", "T1", "T2", "T3", "T4")
"""Temporary placements (PLACE T0 to T4)."""

FEMALE = "sex IN ('2', 'F')"  # 1/2 to 2023-24; M/F from the 2024-25 collection
MALE = "sex IN ('1', 'M')"

HEADER = (
    f"SELECT _seq, {text('child')} AS child, {code('sex')} AS sex, dob, "
    f"{code('upn')} AS upn, {code('mother')} AS mother, mc_dob FROM s903_header"
)
"""The Header with its codes normalised."""

EPISODES = (
    f"SELECT _seq, {text('child')} AS child, decom, dec, {code('rne')} AS rne, "
    f"{code('ls')} AS ls, {code('cin')} AS cin, {code('place')} AS place, "
    f"{code('place_provider')} AS provider, {code('rec')} AS rec, "
    f"{code('reason_place_change')} AS rpc, {postcode('home_post')} AS home_post, "
    f"{postcode('pl_post')} AS pl_post, {text('urn')} AS urn FROM s903_episodes"
)
"""The Episodes with codes normalised (PLACE_PROVIDER as ``provider``,
REASON_PLACE_CHANGE as ``rpc``, postcodes upper-cased without spaces)."""

_PREVIOUS = ("_seq", "dec", "rec", "ls", "cin", "place", "provider", "pl_post", "urn", "rpc")
ORDERED = (
    "SELECT *, row_number() OVER w AS n, "
    + ", ".join(f"lag({c}) OVER w AS prev_{c.strip('_')}" for c in _PREVIOUS)
    + ", lag(place, 2) OVER w AS prev2_place, lag(pl_post, 2) OVER w AS prev2_pl_post, "
    "lead(_seq) OVER w AS next_seq, lead(decom) OVER w AS next_decom, "
    "lead(rne) OVER w AS next_rne, lead(place) OVER w AS next_place "
    f"FROM ({EPISODES}) WHERE child IS NOT NULL AND decom IS NOT NULL "
    "WINDOW w AS (PARTITION BY child ORDER BY decom, _seq)"
)
"""Each child's episodes in order (``n`` from 1), with the previous episode's fields as
``prev_<field>`` (``prev_seq`` NULL on the first), the one before that as ``prev2_``, and
the next one's as ``next_``. Episodes without a child or a start date are left out: rules
141 and the required-field check report them."""

SOCIAL_WORKER = (
    f"SELECT _seq, {text('child')} AS child, {text('sw_id')} AS sw_id, sw_decom, sw_dec, "
    f"{text('sw_reason')} AS sw_reason FROM s903_social_worker"
)

SW_REASONS = (
    "MANAGE", "FCONTA", "LEFTRL", "ORGRST", "TSPROC", "ABSENC", "CHCHAN", "PCCHAN", "SWDIED",
    "OTHERS",
)  # fmt: skip
"""Reasons for social worker change (the vendored 2024 spec has "PCCHAN " with a space)."""
