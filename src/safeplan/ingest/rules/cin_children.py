"""DfE CIN census rules on the return itself and the child: the header, identifiers (UPN,
former UPN, LA child ID), dates of birth and death, disabilities, and the return-level
queries (2883, 2886Q, 2887Q, 2888Q), which are findings on the header.

Codes and messages are the DfE's (Children in need census validation rules, 2022-23 to
2025-26); the wording follows data-to-insight/csc-validator-be-cin (MIT), whose per-rule
test data the rule tests adapt. The SQL is SafePlan's own.
"""

# The SQL here is composed only from constants of this module, never from a file or a user.

from __future__ import annotations

from safeplan.ingest.rules.base import Rule, blank
from safeplan.ingest.rules.cin_census import E, F, Q, R, W, cin_rule

YEAR = "sp_collection"
Y = ("sp_collection",)
DETAILS = ("cin_details",)

# UPN characters 2-4: post-April-1998 LA codes and the DfE's pseudo-LA codes, as listed in
# rule 1530 (2022-23); 2023-24 added 942 and 943.
_LA_RANGES = (
    (1, 5),
    (201, 213),
    (301, 320),
    (330, 336),
    (340, 344),
    (350, 359),
    (370, 373),
    (380, 384),
    (390, 394),
    (420, 420),
    (660, 681),
    (701, 708),
    (800, 803),
    (805, 808),
    (810, 813),
    (815, 816),
    (820, 823),
    (825, 826),
    (830, 831),
    (835, 841),
    (845, 846),
    (850, 852),
    (855, 857),
    (860, 861),
    (865, 896),
    (908, 909),
    (916, 916),
    (919, 919),
    (921, 921),
    (925, 926),
    (928, 929),
    (931, 931),
    (933, 933),
    (935, 938),
    (940, 941),
)
LA_CODES_2023 = tuple(f"{n:03d}" for lo, hi in _LA_RANGES for n in range(lo, hi + 1))
LA_CODES_2024 = (*LA_CODES_2023, "942", "943")

UPN = "trim(upn)"
# The UPN check letter: digits 2-13 weighted 2-13, the sum modulo 23 indexes this alphabet.
_CHECK = "ABCDEFGHJKLMNPQRTUVWXYZ"
_WEIGHTED = " + ".join(f"{i} * CAST(substr({UPN}, {i}, 1) AS INTEGER)" for i in range(2, 14))
# Reasons a UPN is unknown that apply to a child of school age (UN1 is "not of school age").
SCHOOL_AGE_UPN_UNKNOWN = "('UN2', 'UN3', 'UN4', 'UN5', 'UN6', 'UN7')"


def _listed(codes: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{c}'" for c in codes) + ")"


def _upn_la(code_list: tuple[str, ...], *, since: int | None, until: int | None) -> Rule:
    return cin_rule(
        "1530",
        "cin_child",
        "UPN",
        "UPN invalid (characters 2-4 not a recognised LA code)",
        F,
        W,
        f"SELECT _seq FROM cin_child WHERE length({UPN}) = 13 "
        f"AND substr({UPN}, 2, 3) NOT IN {_listed(code_list)}",
        since=since,
        until=until,
        note="the LA and pseudo-LA codes the rule lists"
        + ("; 2023-24 added 942 and 943" if since else ""),
    )


def _uses_upn(old_enough: str, message: str, *, since: int | None, until: int | None) -> Rule:
    return cin_rule(
        "8770Q",
        "cin_child",
        "UPN",
        message,
        R,
        Q,
        f"SELECT c._seq FROM cin_child AS c CROSS JOIN {YEAR} AS y "
        f"WHERE {old_enough} AND {blank('c.upn')} "
        f"AND coalesce(upper(trim(c.upnunknown)), '') NOT IN {SCHOOL_AGE_UPN_UNKNOWN} "
        "AND EXISTS (SELECT 1 FROM cin_details AS d WHERE d._parent = c._seq "
        "AND d.referralnfa = false)",
        requires=(*DETAILS, *Y),
        since=since,
        until=until,
        note="a UPNunknown of UN1 (not of school age) does not explain a missing UPN here",
    )


def _no_sex_recorded(
    column: str,
    unknown: str,
    word: str,
    *,
    note: str,
    since: int | None = None,
    until: int | None = None,
) -> Rule:
    return cin_rule(
        "2886Q",
        "cin_header",
        "LEA",
        f"Please check and either amend or provide a reason: Percentage of children with no "
        f"{word} recorded is more than 2% (excluding unborns)",
        R,
        Q,
        "SELECT h._seq FROM cin_header AS h WHERE (SELECT count(*) FILTER (WHERE "
        f"coalesce(NULLIF(trim({column}), ''), {unknown}) = {unknown} "
        "AND expectedpersonbirthdate IS NULL) > 0.02 * count(*) FROM cin_child)",
        requires=("cin_child",),
        since=since,
        until=until,
        note="a finding on the return, over all child records; " + note,
    )


def build() -> tuple[Rule, ...]:
    return (
        # Header
        cin_rule(
            "100",
            "cin_header",
            "ReferenceDate",
            "Reference Date is incorrect",
            F,
            W,
            f"SELECT h._seq FROM cin_header AS h CROSS JOIN {YEAR} AS y "
            "WHERE h.referencedate IS DISTINCT FROM y.end_date",
            requires=Y,
            note="must be 31 March of the collection year",
        ),
        # ChildIdentifiers
        cin_rule(
            "1510",
            "cin_child",
            "UPN",
            "UPN invalid (wrong check letter at character 1)",
            F,
            W,
            f"SELECT _seq FROM cin_child WHERE length({UPN}) = 13 "
            f"AND regexp_full_match(substr({UPN}, 2), '[0-9]{{12}}') "
            f"AND substr({UPN}, 1, 1) <> substr('{_CHECK}', ({_WEIGHTED}) % 23 + 1, 1)",
            note="checked where characters 2-13 are digits (a permanent UPN), as the DfE "
            "UPN guide computes the check letter",
        ),
        cin_rule(
            "1520",
            "cin_child",
            "UPN",
            "More than one record with the same UPN.",
            R,
            W,
            f"SELECT _seq FROM (SELECT _seq, count(*) OVER (PARTITION BY {UPN}) AS n "
            f"FROM cin_child WHERE NOT {blank('upn')}) WHERE n > 1",
        ),
        _upn_la(LA_CODES_2023, since=None, until=2023),
        _upn_la(LA_CODES_2024, since=2024, until=None),
        cin_rule(
            "1540",
            "cin_child",
            "UPN",
            "UPN invalid (characters 5-12 not all numeric)",
            F,
            W,
            f"SELECT _seq FROM cin_child WHERE NOT {blank('upn')} "
            f"AND NOT regexp_full_match(substr({UPN}, 5, 8), '[0-9]{{8}}')",
        ),
        cin_rule(
            "1550",
            "cin_child",
            "UPN",
            "UPN invalid (character 13 not a recognised value)",
            F,
            W,
            f"SELECT _seq FROM cin_child WHERE length({UPN}) = 13 "
            f"AND NOT regexp_full_match(substr({UPN}, 13, 1), '[0-9A-HJ-NP-RT-Z]')",
            note="a digit or a capital letter other than I, O and S",
        ),
        cin_rule(
            "1560Q",
            "cin_child",
            "FormerUPN",
            "Please check and either amend or provide a reason: Former UPN wrongly formatted",
            F,
            Q,
            "SELECT _seq FROM cin_child WHERE NOT "
            + blank("formerupn")
            + " AND NOT regexp_full_match(trim(formerupn), '[A-Z][0-9]{11}[0-9A-Z]')",
            note="the UPN format of the DfE data table (a letter, 11 digits, then a digit or a "
            "letter); data-to-insight also flags a temporary UPN, which ends in a letter",
        ),
        cin_rule(
            "1570",
            "cin_child",
            "LAchildID",
            "LA Child ID must not be longer than 20 characters",
            F,
            E,
            "SELECT _seq FROM cin_child WHERE length(trim(lachildid)) > 20",
            since=2025,
        ),
        cin_rule(
            "1580",
            "cin_child",
            "LAchildID",
            "LA Child ID must not contain any non-alphanumeric characters",
            F,
            E,
            "SELECT _seq FROM cin_child WHERE regexp_matches(trim(lachildid), '[^A-Za-z0-9]')",
            since=2025,
            note="a missing ID is rule 8500's",
        ),
        # ChildCharacteristics: dates of birth and death
        cin_rule(
            "8530Q",
            "cin_child",
            "ExpectedPersonBirthDate",
            "Please check and either amend data or provide a reason: Expected Date of Birth is "
            "outside the expected range for this census (March to December of the Census Year "
            "end)",
            F,
            Q,
            f"SELECT c._seq FROM cin_child AS c CROSS JOIN {YEAR} AS y "
            "WHERE c.expectedpersonbirthdate NOT BETWEEN y.end_date - INTERVAL 30 DAY "
            "AND y.end_date + INTERVAL 9 MONTH",
            requires=Y,
        ),
        cin_rule(
            "8535Q",
            "cin_child",
            "PersonDeathDate",
            "Please check and either amend data or provide a reason: Child’s date of death "
            "should not be prior to the date of birth",
            R,
            Q,
            "SELECT _seq FROM cin_child WHERE persondeathdate < personbirthdate",
        ),
        cin_rule(
            "8545Q",
            "cin_child",
            "PersonDeathDate",
            "Please check and either amend data or provide a reason: Child's date of death "
            "should be within the census year",
            F,
            Q,
            f"SELECT c._seq FROM cin_child AS c CROSS JOIN {YEAR} AS y "
            "WHERE c.persondeathdate NOT BETWEEN y.start_date AND y.end_date",
            requires=Y,
        ),
        _uses_upn(
            "c.personbirthdate < y.end_date - INTERVAL 6 YEAR",
            "Please check and either amend data or provide a reason: UPN or reason UPN missing "
            "expected for a child who is more than 5 years old",
            since=None,
            until=2024,
        ),
        _uses_upn(
            "c.personbirthdate <= make_date(y.year - 6, 8, 31)",
            "Please check and either amend data or provide a reason: UPN is missing or reason "
            "UPN is missing or is UN1 for a child who is of school age.",
            since=2025,
            until=None,
        ),
        cin_rule(
            "8772",
            "cin_child",
            "UPNunknown",
            "UPN unknown reason is UN7 (Referral with no further action) but at least one CIN "
            "details is a referral going on to further action",
            R,
            E,
            "SELECT c._seq FROM cin_child AS c WHERE upper(trim(c.upnunknown)) = 'UN7' "
            "AND EXISTS (SELECT 1 FROM cin_details AS d WHERE d._parent = c._seq "
            "AND d.referralnfa = false)",
            requires=DETAILS,
        ),
        cin_rule(
            "8775Q",
            "cin_child",
            "PersonBirthDate",
            "Please check and either amend data or provide a reason: Child is over 25 years old",
            R,
            Q,
            f"SELECT c._seq FROM cin_child AS c CROSS JOIN {YEAR} AS y "
            "WHERE c.personbirthdate < y.end_date - INTERVAL 25 YEAR "
            "AND EXISTS (SELECT 1 FROM cin_details AS d WHERE d._parent = c._seq "
            "AND (d.cinclosuredate IS NULL "
            "OR d.cinclosuredate > c.personbirthdate + INTERVAL 25 YEAR))",
            requires=(*DETAILS, *Y),
        ),
        # Disabilities
        cin_rule(
            "8790",
            "cin_disability",
            "Disability",
            "Disability information includes both None and other values",
            R,
            E,
            "SELECT _seq FROM (SELECT _seq, "
            "bool_or(upper(trim(disability)) = 'NONE') OVER (PARTITION BY _parent) AS has_none, "
            "count(*) OVER (PARTITION BY _parent) AS n FROM cin_disability) "
            "WHERE has_none AND n > 1",
        ),
        cin_rule(
            "8794",
            "cin_disability",
            "Disability",
            "Child has two or more disabilities with the same code",
            R,
            W,
            "SELECT _seq FROM (SELECT _seq, count(*) OVER (PARTITION BY _parent, "
            "upper(trim(disability))) AS n FROM cin_disability) WHERE n > 1",
        ),
        # Return-level checks: findings on the header
        cin_rule(
            "2883",
            "cin_header",
            "LEA",
            "There are more child protection plans starting than initial conferences taking place",
            R,
            W,
            f"SELECT h._seq FROM cin_header AS h CROSS JOIN {YEAR} AS y WHERE "
            "(SELECT count(*) FROM cin_cpp AS p "
            "WHERE p.cppstartdate BETWEEN y.start_date AND y.end_date) > "
            "(SELECT count(*) FROM cin_details AS d "
            "WHERE d.dateofinitialcpc BETWEEN y.start_date AND y.end_date) + "
            "(SELECT count(*) FROM cin_s47 AS s "
            "WHERE s.dateofinitialcpc BETWEEN y.start_date AND y.end_date)",
            requires=("cin_cpp", "cin_details", "cin_s47", *Y),
            note="a finding on the return (its header), counted over the census year",
        ),
        _no_sex_recorded(
            "gendercurrent",
            "'0'",
            "gender",
            until=2024,
            note="GenderCurrent missing or 0. The data-to-insight 2022-23 rule writes "
            "isna() | GenderCurrent == 0, which Python groups as (isna() | GenderCurrent) == 0, "
            "and compares the text code with the number 0",
        ),
        _no_sex_recorded(
            "sex",
            "'U'",
            "sex",
            since=2025,
            note="from 2024-25 <Sex> (N00783) missing or U",
        ),
        cin_rule(
            "2887Q",
            "cin_header",
            "LEA",
            "Please check and either amend or provide a reason: Less than 8 disability codes "
            "have been used in your return",
            R,
            Q,
            "SELECT h._seq FROM cin_header AS h WHERE (SELECT count(DISTINCT upper(trim("
            "disability))) FROM cin_disability WHERE upper(trim(disability)) <> 'NONE') < 8",
            requires=("cin_disability",),
            note="a finding on the return",
        ),
        cin_rule(
            "2888Q",
            "cin_header",
            "LEA",
            "Please check and either amend or provide a reason: Only one disability code is "
            "recorded per child and multiple disabilities should be recorded where possible.",
            R,
            Q,
            "SELECT h._seq FROM cin_header AS h WHERE NOT EXISTS (SELECT _parent "
            "FROM cin_disability WHERE upper(trim(disability)) <> 'NONE' "
            "GROUP BY _parent HAVING count(*) > 1)",
            requires=("cin_disability",),
            note="a finding on the return",
        ),
    )


RULES: tuple[Rule, ...] = build()
