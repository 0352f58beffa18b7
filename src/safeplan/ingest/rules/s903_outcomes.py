"""SSDA903 rules whose findings are on the OC2 (children looked after for 12 months) and OC3
(care leavers) files. See ``s903_cohorts`` for the sources; ``CLA12`` is the OC2 cohort."""

from __future__ import annotations

from safeplan.ingest.rules.base import Rule
from safeplan.ingest.rules.s903_cohorts import (
    CLA12,
    CLA12_REQUIRES,
    COLLECTION,
    EPISODES,
    HEADER,
    R,
    all_given,
    any_blank,
    any_given,
    code,
    code_rule,
    codes,
    given,
    is_blank,
    last,
    rule,
)

OC2 = "s903_oc2"
OC3 = "s903_oc3"
YEAR = (COLLECTION,)

# The OC2 items for children looked after for 12 months, and the four every such child has.
OC2_ITEMS = (
    "convicted",
    "health_check",
    "immunisations",
    "teeth_check",
    "health_assessment",
    "substance_misuse",
    "intervention_received",
    "intervention_offered",
)
OC2_CORE = ("immunisations", "teeth_check", "health_assessment", "substance_misuse")
OC2_OTHERS = ("convicted", "health_check", "intervention_received", "intervention_offered")
OC3_ITEMS = ("in_touch", "activ", "accom")


def _oc2(where: str) -> str:
    """OC2 rows meeting ``where`` (``o`` the OC2 row, ``c`` the collection year)."""
    return f"SELECT o._seq FROM s903_oc2 AS o CROSS JOIN sp_collection AS c WHERE {where}"


def _o(*columns: str) -> tuple[str, ...]:
    return tuple(f"o.{c}" for c in columns)


IN_CLA12 = f"o.child IN ({CLA12})"
NOT_CLA12 = f"o.child NOT IN ({CLA12})"
OC3_GIVEN = any_given(*_o(*OC3_ITEMS))

# OC3 accommodation codes the DfE's rule 133 accepts: the spec's list without S1 and X1 (no
# fixed abode and in custody are never suitable, so only S2 and X2), as the validator has it.
ACCOM_CODES = tuple(c for c in codes(OC3, "accom") if c not in ("S1", "X1"))

OC2_RULES: tuple[Rule, ...] = (
    rule(
        "157",
        OC2,
        "SDQ_REASON",
        "Child is aged 4 years or over at the beginning of the year or 16 years or under at "
        "the end of the year and Strengths and Difficulties Questionnaire (SDQ) 1 has been "
        "recorded as the reason for no Strengths and Difficulties Questionnaire (SDQ) score.",
        _oc2(
            f"{IN_CLA12} AND o.dob + INTERVAL 4 YEAR <= c.start_date "
            "AND o.dob + INTERVAL 16 YEAR >= c.end_date AND o.sdq_score IS NULL "
            f"AND {code('o.sdq_reason')} = 'SDQ1'"
        ),
        requires=CLA12_REQUIRES,
    ),
    rule(
        "158",
        OC2,
        "INTERVENTION_OFFERED",
        "If a child has been recorded as receiving an intervention for their substance misuse "
        "problem, then the additional item on whether an intervention was offered should be "
        "left blank.",
        f"SELECT _seq FROM s903_oc2 WHERE {code('intervention_received')} = '1' "
        f"AND {given('intervention_offered')}",
    ),
    rule(
        "159",
        OC2,
        "INTERVENTION_OFFERED",
        "If a child has been recorded as not receiving an intervention for their substance "
        "misuse problem, then the additional item on whether an intervention was offered "
        "should be completed as well.",
        f"SELECT _seq FROM s903_oc2 WHERE {code('substance_misuse')} = '1' "
        f"AND {code('intervention_received')} = '0' AND {is_blank('intervention_offered')}",
    ),
    rule(
        "180",
        OC2,
        "SDQ_SCORE",
        "Data entry for the strengths and difficulties questionnaire (SDQ) score is invalid.",
        "SELECT _seq FROM s903_oc2 WHERE sdq_score NOT BETWEEN 0 AND 40",
        note="a score that is not a whole number is reported by the reader",
    ),
    rule(
        "181",
        OC2,
        "CONVICTED",
        "Data items relating to children looked after continuously for 12 months should be "
        "completed with a 0 or 1.",
        "SELECT _seq FROM s903_oc2 WHERE "
        + " OR ".join(f"coalesce({code(c)} NOT IN ('0', '1'), false)" for c in OC2_ITEMS),
        level=R,
        note="any of the eight items; the finding names the first, CONVICTED",
    ),
    rule(
        "182",
        OC2,
        "IMMUNISATIONS",
        "Data entries on immunisations, teeth checks, health assessments and substance misuse "
        "problem identified should be completed or all OC2 fields should be left blank.",
        f"SELECT _seq FROM s903_oc2 WHERE {any_blank(*OC2_CORE)} AND {any_given(*OC2_OTHERS)}",
    ),
    rule(
        "185",
        OC2,
        "SDQ_SCORE",
        "Child has not been looked after continuously for at least 12 months at 31 March but "
        "a Strengths and Difficulties (SDQ) score has been completed.",
        _oc2(f"o.sdq_score IS NOT NULL AND {NOT_CLA12}"),
        requires=CLA12_REQUIRES,
    ),
    rule(
        "186",
        OC2,
        "SDQ_SCORE",
        "Children aged 4 or over at the start of the year and children aged under 17 at the "
        "end of the year and who have been looked after for at least 12 months continuously "
        "should have a Strengths and Difficulties (SDQ) score completed.",
        _oc2(
            "o.dob + INTERVAL 4 YEAR <= c.start_date AND o.dob + INTERVAL 17 YEAR > c.end_date "
            f"AND {IN_CLA12} AND o.sdq_score IS NULL AND {is_blank('o.sdq_reason')}"
        ),
        requires=CLA12_REQUIRES,
    ),
    rule(
        "188",
        OC2,
        "SDQ_SCORE",
        "Child is aged under 4 years at the end of the year, but a Strengths and Difficulties "
        "(SDQ) score or a reason for no SDQ score has been completed.",
        _oc2(
            "o.dob + INTERVAL 4 YEAR > c.end_date AND " + any_given("o.sdq_score", "o.sdq_reason")
        ),
        requires=YEAR,
    ),
    rule(
        "189",
        OC2,
        "SDQ_SCORE",
        "Child is aged 17 years or over at the beginning of the year, but an Strengths and "
        "Difficulties (SDQ) score or a reason for no Strengths and Difficulties (SDQ) score "
        "has been completed.",
        _oc2(
            "o.dob + INTERVAL 17 YEAR < c.start_date AND "
            + any_given("o.sdq_score", "o.sdq_reason")
        ),
        requires=YEAR,
    ),
    rule(
        "190",
        OC2,
        "CONVICTED",
        "Child has not been looked after continuously for at least 12 months at 31 March but "
        "one or more data items relating to children looked after for 12 months have been "
        "completed.",
        _oc2(f"{NOT_CLA12} AND {any_given(*_o(*OC2_ITEMS))}"),
        requires=CLA12_REQUIRES,
    ),
    rule(
        "191",
        OC2,
        "IMMUNISATIONS",
        "Child has been looked after continuously for at least 12 months at 31 March but one "
        "or more data items relating to children looked after for 12 months have been left "
        "blank.",
        _oc2(f"{IN_CLA12} AND {any_blank(*_o(*OC2_CORE))}"),
        requires=CLA12_REQUIRES,
        note="the OC2 part; a child of the cohort with no OC2 row at all is an Episodes finding",
    ),
    rule(
        "192",
        OC2,
        "INTERVENTION_RECEIVED",
        "Child has been identified as having a substance misuse problem but the additional "
        "item on whether an intervention was received has been left blank.",
        f"SELECT _seq FROM s903_oc2 WHERE {code('substance_misuse')} = '1' "
        f"AND {is_blank('intervention_received')}",
    ),
    rule(
        "193",
        OC2,
        "SUBSTANCE_MISUSE",
        "Child not identified as having a substance misuse problem but at least one of the two "
        "additional items on whether an intervention were offered and received have been "
        "completed.",
        f"SELECT _seq FROM s903_oc2 WHERE coalesce({code('substance_misuse')}, '0') = '0' "
        f"AND {any_given('intervention_received', 'intervention_offered')}",
    ),
    code_rule(
        "196",
        OC2,
        "SDQ_REASON",
        "Strengths and Difficulties (SDQ) reason is not a valid code.",
        blank_ok=True,
    ),
    rule(
        "197B",
        OC2,
        "SDQ_REASON",
        "SDQ score or reason for no SDQ should be reported for 4- or 17-year-olds.",
        _oc2(
            "(o.dob + INTERVAL 4 YEAR BETWEEN c.start_date AND c.end_date OR "
            "o.dob + INTERVAL 17 YEAR BETWEEN c.start_date AND c.end_date) "
            f"AND {IN_CLA12} AND o.sdq_score IS NULL AND {is_blank('o.sdq_reason')}"
        ),
        requires=CLA12_REQUIRES,
    ),
    rule(
        "197a",
        OC2,
        "SDQ_REASON",
        "Reason for no Strengths and Difficulties (SDQ) score is not required if Strengths and "
        "Difficulties Questionnaire score is filled in.",
        f"SELECT _seq FROM s903_oc2 WHERE {all_given('sdq_score', 'sdq_reason')}",
    ),
    rule(
        "198",
        OC2,
        "SDQ_REASON",
        "Child has not been looked after continuously for at least 12 months at 31 March but "
        "a reason for no Strengths and Difficulties (SDQ) score has been completed.",
        _oc2(f"{given('o.sdq_reason')} AND {NOT_CLA12}"),
        requires=CLA12_REQUIRES,
    ),
    rule(
        "215",
        OC2,
        "CONVICTED",
        "Child has care leaver information but one or more data items relating to children "
        "looked after for 12 months have been completed.",
        "SELECT o._seq FROM s903_oc2 AS o WHERE "
        + any_given(*_o(*OC2_ITEMS))
        + " AND EXISTS (SELECT 1 FROM s903_oc3 AS l WHERE l.child = o.child AND "
        + any_given("l.in_touch", "l.activ", "l.accom")
        + ")",
        requires=(OC3,),
        note="the finding is on the OC2 row (the validator flags the OC3 row too)",
    ),
    rule(
        "542",
        OC2,
        "CONVICTED",
        "A child aged under 10 at 31 March should not have conviction information completed.",
        _oc2(f"o.dob + INTERVAL 10 YEAR > c.end_date AND {given('o.convicted')}"),
        requires=YEAR,
    ),
    rule(
        "543",
        OC2,
        "CONVICTED",
        "Child is aged 10 or over at 31 March and has been looked after continuously for 12 "
        "months yet conviction information has not been completed.",
        _oc2(f"c.end_date > o.dob + INTERVAL 10 YEAR AND {IN_CLA12} AND {is_blank('o.convicted')}"),
        requires=CLA12_REQUIRES,
    ),
    rule(
        "544",
        OC2,
        "CONVICTED",
        "Any child who has conviction information completed must also have immunisation, "
        "teeth check, health assessment and substance misuse problem identified fields "
        "completed.",
        f"SELECT _seq FROM s903_oc2 WHERE {code('convicted')} = '1' AND {any_blank(*OC2_CORE)}",
    ),
    rule(
        "545",
        OC2,
        "HEALTH_CHECK",
        "Child is aged under 5 at 31 March and has been looked after continuously for 12 "
        "months yet health promotion information has not been completed.",
        _oc2(
            f"c.end_date < o.dob + INTERVAL 5 YEAR AND {IN_CLA12} AND {is_blank('o.health_check')}"
        ),
        requires=CLA12_REQUIRES,
    ),
    rule(
        "546",
        OC2,
        "HEALTH_CHECK",
        "Children aged 5 or over at 31 March should not have health promotion information "
        "completed.",
        _oc2(f"c.end_date >= o.dob + INTERVAL 5 YEAR AND {IN_CLA12} AND {given('o.health_check')}"),
        requires=CLA12_REQUIRES,
    ),
    rule(
        "547",
        OC2,
        "HEALTH_CHECK",
        "Any child who has health promotion information completed must also have "
        "immunisation, teeth check, health assessment and substance misuse problem identified "
        "fields completed.",
        f"SELECT _seq FROM s903_oc2 WHERE {code('health_check')} = '1' AND {any_blank(*OC2_CORE)}",
    ),
)


def _oc3(where: str) -> str:
    """OC3 rows meeting ``where`` (``o`` the OC3 row, ``c`` the collection year)."""
    return f"SELECT o._seq FROM s903_oc3 AS o CROSS JOIN sp_collection AS c WHERE {where}"


# The latest 17th or 18th birthday on or before 31 March, for a care leaver aged 17 or 18.
_BIRTHDAY = (
    "CASE WHEN o.dob + INTERVAL 18 YEAR <= c.end_date THEN o.dob + INTERVAL 18 YEAR "
    "ELSE o.dob + INTERVAL 17 YEAR END"
)
_AGED_17_OR_18 = "o.dob + INTERVAL 17 YEAR <= c.end_date AND o.dob + INTERVAL 19 YEAR > c.end_date"

OC3_RULES: tuple[Rule, ...] = (
    code_rule(
        "131",
        OC3,
        "IN_TOUCH",
        "Data entry for being in touch after leaving care is invalid.",
        blank_ok=False,
    ),
    code_rule(
        "132",
        OC3,
        "ACTIV",
        "Data entry for activity after leaving care is invalid.",
        blank_ok=False,
    ),
    code_rule(
        "133",
        OC3,
        "ACCOM",
        "Data entry for accommodation after leaving care is invalid. If reporting on a childs "
        "accommodation after leaving care the data entry must be valid",
        blank_ok=False,
        allowed=ACCOM_CODES,
        note="the rule's list has no S1 or X1 (never suitable), though the column map's does",
    ),
    rule(
        "153",
        OC3,
        "IN_TOUCH",
        "All data items relating to a child's activity or accommodation after leaving care "
        "must be coded or left blank.",
        f"SELECT _seq FROM s903_oc3 WHERE {any_given(*OC3_ITEMS)} AND {any_blank(*OC3_ITEMS)}",
    ),
    rule(
        "344",
        OC3,
        "IN_TOUCH",
        "The record shows the young person has died or returned home to live with parent(s) or "
        "someone with parental responsibility for a continuous period of 6 months or more, but "
        "activity and/or accommodation on leaving care have been completed.",
        f"SELECT _seq FROM s903_oc3 WHERE {code('in_touch')} IN ('DIED', 'RHOM') AND "
        f"(coalesce({code('activ')}, '') <> '0' OR coalesce({code('accom')}, '') <> '0')",
    ),
    rule(
        "345",
        OC3,
        "IN_TOUCH",
        "The data collection record shows the local authority is in touch with this young "
        "person, but activity and/or accommodation data items are zero.",
        f"SELECT _seq FROM s903_oc3 WHERE {code('in_touch')} = 'YES' AND "
        f"({code('activ')} = '0' OR {code('accom')} = '0')",
    ),
    rule(
        "391",
        OC3,
        "DOB",
        "Young person was not 17, 18, 19, 20 or 21 during the current collection year.",
        _oc3(f"o.dob + INTERVAL 17 YEAR > c.end_date AND {OC3_GIVEN}"),
        requires=YEAR,
    ),
    rule(
        "3001",
        OC3,
        "ACCOM",
        "Where care leavers information is being returned for a young person around their 17th "
        "birthday, the accommodation cannot be with their former foster carer(s).",
        _oc3(
            f"{code('o.accom')} IN ('Z1', 'Z2') AND "
            "o.dob + INTERVAL 17 YEAR BETWEEN c.start_date AND c.end_date"
        ),
        requires=YEAR,
    ),
    rule(
        "1000",
        OC3,
        "IN_TOUCH",
        "This child is recorded as having died in care and therefore should not have the care "
        "leaver information completed.",
        "SELECT o._seq FROM s903_oc3 AS o WHERE "
        + OC3_GIVEN
        + f" AND o.child IN (SELECT child FROM s903_episodes WHERE {code('rec')} = 'E2')",
        requires=(EPISODES,),
        note="this year's episodes only (the validator also reads last year's when loaded)",
    ),
    rule(
        "1007",
        OC3,
        "IN_TOUCH",
        "Care leaver information is not required for 17- or 18-year olds who are still looked "
        "after [on their 17th or 18th birthday.]",
        _oc3(
            f"{_AGED_17_OR_18} AND {OC3_GIVEN} AND EXISTS (SELECT 1 FROM s903_episodes AS e "
            f"WHERE e.child = o.child AND e.decom <= {_BIRTHDAY} "
            f"AND (e.dec IS NULL OR e.dec > {_BIRTHDAY}))"
        ),
        requires=(EPISODES, COLLECTION),
        note="the DfE's rule counts a young person still looked after (no DEC) too; the "
        "validator's test DEC > birthday passes an open episode",
    ),
    rule(
        "1011",
        OC3,
        "IN_TOUCH",
        "This child is recorded as having his/her care transferred to another local authority "
        "for the final episode and therefore should not have the care leaver information "
        "completed.",
        "SELECT o._seq FROM s903_oc3 AS o WHERE "
        + OC3_GIVEN
        + " AND o.child IN (SELECT child FROM (SELECT child, rec, row_number() OVER "
        "(PARTITION BY child ORDER BY decom DESC, _seq DESC) AS latest FROM s903_episodes "
        f"WHERE child IS NOT NULL AND decom IS NOT NULL) WHERE latest = 1 "
        f"AND {code('rec')} = 'E3')",
        requires=(EPISODES,),
    ),
    rule(
        "1014",
        OC3,
        "IN_TOUCH",
        "UASC information is not required for care leavers",
        _oc3(
            f"{OC3_GIVEN} AND o.child IN (SELECT child FROM s903_uasc) "
            "AND o.child IN (SELECT child FROM s903_episodes) AND NOT EXISTS (SELECT 1 FROM "
            "s903_episodes AS e WHERE e.child = o.child AND e.decom <= c.end_date "
            "AND (e.dec IS NULL OR e.dec >= c.start_date))"
        ),
        requires=(EPISODES, "s903_uasc", COLLECTION),
        note="the OC3 part (the validator flags the UASC row too): a care leaver, not looked "
        "after this year, with a UASC record",
    ),
    rule(
        "187",
        OC3,
        "IN_TOUCH",
        "Child cannot be looked after continuously for 12 months at 31 March (OC2) and have "
        "any of adoption or care leavers returns completed.",
        f"SELECT o._seq FROM s903_oc3 AS o WHERE {OC3_GIVEN} AND o.child IN ({CLA12})",
        requires=CLA12_REQUIRES,
        note="the OC3 part; the validator flags the AD1 row of such a child too",
    ),
    rule(
        "1016",
        OC3,
        "IN_TOUCH",
        "Care leaver information is not required for 17- or 18-year olds who cease to be "
        "looked after, after their birthday.",
        _oc3(
            f"{_AGED_17_OR_18} AND {OC3_GIVEN} AND EXISTS (SELECT 1 FROM s903_episodes AS e "
            f"WHERE e.child = o.child AND e.dec >= {_BIRTHDAY})"
        ),
        requires=(EPISODES, COLLECTION),
        since=2024,
        note="ceasing on the birthday counts, as in the validator's example data (a young "
        "person leaving care on the 18th birthday was looked after until it)",
    ),
    rule(
        "347",
        OC3,
        "ACCOM",
        "Care leavers aged under 18 years, can not be accommodated in a Foyer.",
        _oc3(f"{code('o.accom')} LIKE 'T%' AND o.dob + INTERVAL 18 YEAR > c.start_date"),
        requires=YEAR,
        since=2024,
        note="Foyer is accommodation T (T1, T2); the validator tests ACCOM = 'T', a code "
        "the return never has, so it never fires",
    ),
)

EPISODES_LAST = last(EPISODES)

# This year's and last year's episodes, one row per child and start (this year's where both
# have it), the open last episode of a child ended at 31 March, short breaks left out: the
# care a young person had after their 14th and 16th birthdays (1001).
_CARE_AFTER = (
    "WITH both_years AS (SELECT child, decom, dec, ls, rec FROM (SELECT child, decom, dec, "
    "ls, rec, row_number() OVER (PARTITION BY child, decom ORDER BY dec NULLS LAST, "
    "this_year DESC) AS n FROM (SELECT child, decom, dec, ls, rec, 1 AS this_year FROM "
    "s903_episodes UNION ALL SELECT child, decom, dec, ls, rec, 0 FROM s903_episodes_last) "
    "WHERE child IS NOT NULL AND decom IS NOT NULL) WHERE n = 1), "
    "ended AS (SELECT b.child, b.decom, b.ls, b.rec, CASE WHEN b.dec IS NULL AND b.decom = "
    "max(b.decom) OVER (PARTITION BY b.child) THEN c.end_date ELSE b.dec END AS dec "
    "FROM both_years AS b CROSS JOIN sp_collection AS c), "
    "care AS (SELECT e.child, "
    "sum(greatest(date_diff('day', greatest(e.decom, h.dob + INTERVAL 14 YEAR), e.dec), 0)) "
    "AS after_14, "
    "sum(greatest(date_diff('day', greatest(e.decom, h.dob + INTERVAL 16 YEAR), e.dec), 0)) "
    "AS after_16 FROM ended AS e JOIN s903_header AS h ON h.child = e.child "
    f"WHERE coalesce({code('e.ls')}, '') NOT IN ('V3', 'V4') GROUP BY e.child), "
    "adopted AS (SELECT child FROM (SELECT child, rec, row_number() OVER (PARTITION BY child "
    "ORDER BY decom DESC) AS n FROM both_years) "
    f"WHERE n = 1 AND {code('rec')} IN ('E11', 'E12')) "
)

# The continuity rules: care leavers against last year's return.
OC3_LAST_RULES: tuple[Rule, ...] = (
    rule(
        "1001",
        OC3,
        "IN_TOUCH",
        "The episodes recorded for this young person suggest they are not a relevant or a "
        "former relevant child and therefore should not have care leaver information "
        "completed.",
        _CARE_AFTER + "SELECT o._seq FROM s903_oc3 AS o CROSS JOIN sp_collection AS c "
        "JOIN s903_header AS h ON h.child = o.child LEFT JOIN care AS a ON a.child = o.child "
        "WHERE h.dob + INTERVAL 20 YEAR > c.end_date AND (o.child IN (SELECT child FROM "
        "adopted) OR coalesce(a.after_14, 0) < 91 OR coalesce(a.after_16, 0) < 1)",
        requires=(EPISODES, EPISODES_LAST, HEADER, COLLECTION),
        note="this and last year's episodes (s903_episodes_last): 13 weeks looked after "
        "after the 14th birthday and some of it after the 16th, not adopted; young people "
        "20 or over are left out, their care being before last year (the validator means to "
        "leave them out but, dropping them from its totals, flags every one)",
    ),
    rule(
        "1002",
        OC3,
        "IN_TOUCH",
        "This child has no previous episodes of care, therefore should not have care leaver "
        "information recorded.",
        f"SELECT o._seq FROM s903_oc3 AS o CROSS JOIN sp_collection AS c WHERE {OC3_GIVEN} "
        "AND o.child NOT IN (SELECT child FROM s903_episodes WHERE child IS NOT NULL) "
        "AND o.child NOT IN (SELECT child FROM s903_episodes_last WHERE child IS NOT NULL) "
        "AND (o.dob IS NULL OR o.dob + INTERVAL 18 YEAR >= c.start_date - INTERVAL 1 YEAR)",
        requires=(EPISODES, EPISODES_LAST, COLLECTION),
        note="this and last year's episodes, as in the validator; but a young person who was "
        "18 before last year began may have left care before it, in a return only the DfE "
        "holds, so is not flagged (the validator flags every such care leaver)",
    ),
    rule(
        "1010",
        OC3,
        "IN_TOUCH",
        "This child has no episodes loaded for current year even though there was an open "
        "episode of care at the end of the previous year, and care leaver data has been "
        "entered.",
        f"SELECT o._seq FROM s903_oc3 AS o WHERE {OC3_GIVEN} "
        "AND o.child NOT IN (SELECT child FROM s903_episodes WHERE child IS NOT NULL) "
        "AND o.child IN (SELECT child FROM (SELECT child, dec, row_number() OVER (PARTITION "
        "BY child ORDER BY decom DESC, _seq DESC) AS n FROM s903_episodes_last WHERE child IS "
        "NOT NULL AND decom IS NOT NULL) WHERE n = 1 AND dec IS NULL)",
        requires=(EPISODES, EPISODES_LAST),
    ),
    rule(
        "348",
        OC3,
        "IN_TOUCH",
        "Care leaver has previously been reported as having died.",
        "SELECT o._seq FROM s903_oc3 AS o WHERE coalesce("
        + code("o.in_touch")
        + ", '') <> 'DIED' AND EXISTS (SELECT 1 FROM s903_oc3_last AS l WHERE l.child = "
        f"o.child AND {code('l.in_touch')} = 'DIED')",
        requires=(last(OC3),),
        since=2026,
    ),
)


def _no_episodes(table: str) -> Rule:
    """1012 on one file: the validator's rule lands on each of the six files, so it is one
    Rule per file, each flagging that file's rows."""
    return rule(
        "1012",
        table,
        "CHILD",
        "No other data should be returned for OC3 children who had no episodes in the current year",
        f"SELECT _seq FROM {table} WHERE NULLIF(trim(child), '') NOT IN (SELECT "
        "NULLIF(trim(e.child), '') FROM s903_episodes AS e WHERE NULLIF(trim(e.child), '') "
        "IS NOT NULL)",
        requires=(EPISODES,),
        note="a row of a child with no episode in this year's Episodes file; the Header, "
        "OC3 and UASC files are not read (1014 is the UASC file's rule)",
    )


NO_EPISODE_FILES = (
    "s903_placed_adoption", "s903_missing", "s903_reviews", "s903_ad1", "s903_prev_perm", OC2,
)  # fmt: skip
"""The files 1012 reads, as the validator lists them."""
NO_EPISODE_RULES: tuple[Rule, ...] = tuple(_no_episodes(t) for t in NO_EPISODE_FILES)

RULES: tuple[Rule, ...] = (*OC2_RULES, *OC3_RULES, *OC3_LAST_RULES, *NO_EPISODE_RULES)
