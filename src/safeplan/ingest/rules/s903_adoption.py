"""SSDA903 rules whose findings are on the AD1 (adoptions) and PlacedAdoption (decisions
that a child should be placed for adoption) files. See ``s903_cohorts`` for the sources.

Several DfE rules compare these files with the child's episodes; the validator flags the
episode too. Here the finding is on the AD1 or PlacedAdoption row, and the reference says so.
"""

from __future__ import annotations

from safeplan.ingest.rules.base import Rule
from safeplan.ingest.rules.s903_cohorts import (
    COLLECTION,
    EPISODES,
    W,
    any_blank,
    any_given,
    code,
    code_rule,
    given,
    is_blank,
    last,
    rule,
)

AD1 = "s903_ad1"
PA = "s903_placed_adoption"
WITH_EPISODES = (EPISODES,)
AD1_ITEMS = ("date_int", "date_match", "foster_care", "nb_adoptr", "sex_adoptr", "ls_adoptr")
ADOPTED = "('E11', 'E12')"
PLACED = "('A3', 'A4', 'A5', 'A6')"
PART = "the {table} part (the validator flags the child's episode too)"


def _a(*columns: str) -> tuple[str, ...]:
    return tuple(f"a.{c}" for c in columns)


def _sex_rule(code_: str, legal: str, allowed: tuple[str, ...], message: str) -> Rule:
    listed = ", ".join(f"'{c}'" for c in allowed)
    return rule(
        code_,
        AD1,
        "SEX_ADOPTR",
        message,
        f"SELECT _seq FROM s903_ad1 WHERE {code('ls_adoptr')} = '{legal}' "
        f"AND coalesce({code('sex_adoptr')}, '') NOT IN ({listed})",
    )


def _adopted_in_year(alias: str) -> str:
    return (
        f"SELECT e.child FROM s903_episodes AS e CROSS JOIN sp_collection AS {alias} "
        f"WHERE e.child IS NOT NULL AND {code('e.rec')} IN {ADOPTED} "
        f"AND e.dec BETWEEN {alias}.start_date AND {alias}.end_date"
    )


AD1_RULES: tuple[Rule, ...] = (
    code_rule(
        "114",
        AD1,
        "FOSTER_CARE",
        "Data entry to record the status of former carer(s) of an adopted child is invalid.",
        blank_ok=True,
    ),
    rule(
        "134",
        AD1,
        "DATE_INT",
        "Data on adoption should not be entered for the OC3 cohort.",
        "SELECT a._seq FROM s903_ad1 AS a WHERE "
        + any_given(*_a(*AD1_ITEMS))
        + " AND EXISTS (SELECT 1 FROM s903_oc3 AS o WHERE o.child = a.child AND "
        + any_given("o.in_touch", "o.activ", "o.accom")
        + ")",
        requires=("s903_oc3",),
    ),
    rule(
        "151",
        AD1,
        "DATE_INT",
        "All data items relating to a childs adoption must be coded or left blank.",
        f"SELECT _seq FROM s903_ad1 WHERE {any_given(*AD1_ITEMS)} AND {any_blank(*AD1_ITEMS)}",
    ),
    rule(
        "175",
        AD1,
        "NB_ADOPTR",
        "The number of adopter(s) code is not a valid code.",
        "SELECT _seq FROM s903_ad1 WHERE nb_adoptr NOT IN (1, 2)",
        note="a number that is not a whole number is reported by the reader",
    ),
    code_rule(
        "176",
        AD1,
        "SEX_ADOPTR",
        "The gender of adopter(s) at the date of adoption code is not a valid code.",
        blank_ok=True,
    ),
    code_rule(
        "177",
        AD1,
        "LS_ADOPTR",
        "The legal status of adopter(s) code is not a valid code.",
        blank_ok=True,
    ),
    rule(
        "331",
        AD1,
        "DATE_MATCH",
        "Date of matching child and adopter(s) should be the same as, or prior to, the date of "
        "placement of adoption.",
        "SELECT a._seq FROM s903_ad1 AS a WHERE EXISTS (SELECT 1 FROM s903_episodes AS e "
        f"WHERE e.child = a.child AND {code('e.rec')} IN {ADOPTED} "
        "AND a.date_match > e.decom)",
        requires=WITH_EPISODES,
        note=PART.format(table="AD1"),
    ),
    rule(
        "333",
        AD1,
        "DATE_INT",
        "Date should be placed for adoption must be on or prior to the date of matching child "
        "with adopter(s).",
        "SELECT _seq FROM s903_ad1 WHERE date_match IS NOT NULL AND "
        "(date_int IS NULL OR date_int > date_match)",
    ),
    rule(
        "334",
        AD1,
        "DATE_INT",
        "Date child started to be looked after in latest period of care must be on or prior to "
        "the date should be placed for adoption.",
        "SELECT a._seq FROM s903_ad1 AS a JOIN (SELECT child, max(decom) AS entered FROM "
        f"s903_episodes WHERE {code('rne')} = 'S' GROUP BY child) AS s ON s.child = a.child "
        "WHERE a.date_int < s.entered",
        requires=WITH_EPISODES,
        note=PART.format(table="AD1"),
    ),
    rule(
        "335",
        AD1,
        "FOSTER_CARE",
        "The current foster value (0) suggests that child is not adopted by current foster "
        "carer, but last placement is A2, A3, or A5. Or the current foster value (1) suggests "
        "that child is adopted by current foster carer, but last placement is A1, A4 or A6.",
        "SELECT a._seq FROM s903_ad1 AS a WHERE EXISTS (SELECT 1 FROM s903_episodes AS e "
        f"WHERE e.child = a.child AND {code('e.rec')} IN {ADOPTED} AND ("
        f"({code('e.place')} IN ('A3', 'A5') AND {code('a.foster_care')} = '0') OR "
        f"({code('e.place')} IN ('A4', 'A6') AND {code('a.foster_care')} = '1')))",
        requires=WITH_EPISODES,
        note=PART.format(table="AD1")
        + "; A1, A2 and REC E1 in the message are codes of past years, no longer valid",
    ),
    rule(
        "511",
        AD1,
        "SEX_ADOPTR",
        "If reporting that the number of person(s) adopting the looked after child is two "
        "adopters then the code should only be MM, FF or MF. MM = the adopting couple are both "
        "males; FF = the adopting couple are both females; MF = The adopting couple are male "
        "and female.",
        f"SELECT _seq FROM s903_ad1 WHERE nb_adoptr = 2 AND {code('sex_adoptr')} IN ('M1', 'F1')",
    ),
    _sex_rule(
        "514",
        "L0",
        ("M1", "F1"),
        "Data entry on the legal status of adopters shows a single adopter but data entry for "
        "the numbers of adopters shows it as a couple.",
    ),
    _sex_rule(
        "517",
        "L3",
        ("MF",),
        "If reporting legal status of adopters is L3 then the genders of adopters should be "
        "coded as MF. MF = the adopting couple are male and female.",
    ),
    _sex_rule(
        "518",
        "L4",
        ("MM", "FF"),
        "If reporting legal status of adopters is L4 then the genders of adopters should be "
        "coded as MM or FF. MM = the adopting couple are both males. FF = the adopting couple "
        "are both females.",
    ),
    _sex_rule(
        "519",
        "L2",
        ("MM", "FF", "MF"),
        "Data entered on the legal status of adopters shows civil partnership couple, but data "
        "entered on genders of adopters does not show it as a couple.",
    ),
    _sex_rule(
        "520",
        "L11",
        ("MF",),
        "Data entry on the legal status of adopters shows different gender married couple but "
        "data entry on genders of adopters shows it as a same gender couple.",
    ),
    rule(
        "521",
        AD1,
        "DATE_INT",
        "Date of local authority's decision (LA) that adoption is in the best interests of the "
        "child (date should be placed) must be on or prior to the date the child is placed for "
        "adoption.",
        "SELECT a._seq FROM s903_ad1 AS a WHERE EXISTS (SELECT 1 FROM s903_episodes AS e "
        f"WHERE e.child = a.child AND {code('e.place')} IN {PLACED} AND a.date_int > e.decom)",
        requires=WITH_EPISODES,
        note=PART.format(table="AD1"),
    ),
    _sex_rule(
        "524",
        "L12",
        ("MM", "FF"),
        "If reporting legal status of adopters is L12 then the genders of adopters should be "
        "coded as MM or FF. MM = the adopting couple are both males. FF = the adopting couple "
        "are both females",
    ),
    rule(
        "601",
        AD1,
        "DATE_INT",
        "The additional fields relating to adoption have not been completed although the "
        "episode data shows that the child was adopted during the year.",
        f"SELECT a._seq FROM s903_ad1 AS a WHERE a.child IN ({_adopted_in_year('c')}) "
        f"AND {any_blank(*_a(*AD1_ITEMS))}",
        requires=(EPISODES, COLLECTION),
        note=PART.format(table="AD1"),
    ),
    rule(
        "602",
        AD1,
        "CHILD",
        "The episode data submitted for this child does not show that he/she was adopted "
        "during the year.",
        f"SELECT a._seq FROM s903_ad1 AS a WHERE {any_given(*_a(*AD1_ITEMS))} "
        f"AND a.child NOT IN ({_adopted_in_year('c')})",
        requires=(EPISODES, COLLECTION),
    ),
)

_CEASED_GIVEN = any_given("p.date_placed_ceased", "p.reason_placed_ceased")


def _open_episode_with(legal_status: str) -> str:
    return (
        "EXISTS (SELECT 1 FROM s903_episodes AS e WHERE e.child = p.child "
        f"AND {code('e.ls')} = '{legal_status}' AND e.dec IS NULL)"
    )


def _left_not_adopted(condition: str) -> str:
    """PlacedAdoption rows, left incomplete, of a child with an episode meeting ``condition``
    that ended other than in adoption (557)."""
    return (
        "SELECT p._seq FROM s903_placed_adoption AS p WHERE "
        f"{any_blank('p.date_placed_ceased', 'p.reason_placed_ceased')} AND EXISTS (SELECT 1 "
        f"FROM s903_episodes AS e WHERE e.child = p.child AND ({condition}) AND "
        f"{code('e.rec')} IS NOT NULL AND {code('e.rec')} NOT IN ('E11', 'E12', 'X1'))"
    )


_557 = (
    "Child for whom the decision was made that they should be placed for adoption has left "
    "care but was not adopted and information on the decision that they should no longer be "
    "placed for adoption items has not been completed."
)

PA_RULES: tuple[Rule, ...] = (
    rule(
        "117",
        PA,
        "DATE_PLACED",
        "Date of decision that a child should/should no longer be placed for adoption is "
        "beyond the current collection year or after the child ceased to be looked after.",
        "WITH latest AS (SELECT child, dec FROM (SELECT child, dec, row_number() OVER "
        "(PARTITION BY child ORDER BY decom DESC, _seq DESC) AS n FROM s903_episodes WHERE "
        f"child IS NOT NULL AND decom IS NOT NULL AND coalesce({code('rec')}, '') <> 'X1') "
        "WHERE n = 1) SELECT p._seq FROM s903_placed_adoption AS p CROSS JOIN sp_collection "
        "AS c LEFT JOIN latest AS l ON l.child = p.child WHERE p.date_placed > c.end_date "
        "OR p.date_placed_ceased > c.end_date OR p.date_placed > l.dec "
        "OR p.date_placed_ceased > l.dec",
        requires=(EPISODES, COLLECTION),
        note=PART.format(table="PlacedAdoption"),
    ),
    rule(
        "118",
        PA,
        "DATE_PLACED_CEASED",
        "Date of decision that a child should no longer be placed for adoption is before the "
        "current collection year or before the date the child started to be looked after.",
        "SELECT p._seq FROM s903_placed_adoption AS p CROSS JOIN sp_collection AS c JOIN "
        "(SELECT child, min(decom) AS first_decom FROM s903_episodes WHERE "
        f"coalesce({code('ls')}, '') NOT IN ('V3', 'V4') GROUP BY child) AS f "
        "ON f.child = p.child WHERE p.date_placed_ceased < c.start_date "
        "OR p.date_placed_ceased < f.first_decom",
        requires=(EPISODES, COLLECTION),
        note=PART.format(table="PlacedAdoption"),
    ),
    rule(
        "119",
        PA,
        "REASON_PLACED_CEASED",
        "If the decision is made that a child should no longer be placed for adoption, then "
        "the date of this decision and the reason why this decision was made must be "
        "completed.",
        "SELECT _seq FROM s903_placed_adoption WHERE (date_placed_ceased IS NULL) <> "
        f"({is_blank('reason_placed_ceased')})",
    ),
    code_rule(
        "120",
        PA,
        "REASON_PLACED_CEASED",
        "The reason for the reversal of the decision that the child should be placed for "
        "adoption code is not valid.",
        blank_ok=True,
    ),
    rule(
        "184",
        PA,
        "DATE_PLACED",
        "Date of decision that a child should be placed for adoption is before the child was born.",
        "SELECT _seq FROM s903_placed_adoption WHERE date_placed < dob",
        note="the file's own DOB (INT checks compare it with the Header's)",
    ),
    rule(
        "522",
        PA,
        "DATE_PLACED_CEASED",
        "Date of decision that the child should be placed for adoption must be on or before "
        "the date that a child should no longer be placed for adoption.",
        "SELECT _seq FROM s903_placed_adoption WHERE date_placed_ceased < date_placed",
    ),
    rule(
        "523",
        PA,
        "DATE_PLACED",
        "Date of decision that the child should be placed for adoption should be the same date "
        "as the decision that adoption is in the best interest (date should be placed).",
        "SELECT p._seq FROM s903_placed_adoption AS p JOIN s903_ad1 AS a ON a.child = p.child "
        "WHERE p.date_placed <> a.date_int",
        requires=(AD1,),
        note="the finding is on the PlacedAdoption row (the validator flags the AD1 row too)",
    ),
    rule(
        "525",
        PA,
        "DATE_PLACED_CEASED",
        "A child for whom the decision to be placed for adoption has been reversed cannot be "
        "adopted during the year.",
        "SELECT p._seq FROM s903_placed_adoption AS p WHERE p.date_placed_ceased IS NOT NULL "
        "AND EXISTS (SELECT 1 FROM s903_ad1 AS a WHERE a.child = p.child AND "
        + any_given(*_a(*AD1_ITEMS))
        + ")",
        requires=(AD1,),
        note="the finding is on the PlacedAdoption row (the validator flags the AD1 row too)",
    ),
    rule(
        "552",
        PA,
        "DATE_PLACED",
        "Date of Decision to place a child for adoption should be on or prior to the date that "
        "the child was placed for adoption.",
        "SELECT p._seq FROM (SELECT _seq, child, date_placed, row_number() OVER (PARTITION BY "
        "child ORDER BY date_placed DESC, _seq DESC) AS n FROM s903_placed_adoption WHERE "
        "date_placed IS NOT NULL) AS p JOIN (SELECT child, min(decom) AS placed FROM "
        f"s903_episodes WHERE {code('place')} IN {PLACED} GROUP BY child) AS e "
        "ON e.child = p.child WHERE p.n = 1 AND e.placed < p.date_placed",
        requires=WITH_EPISODES,
        note="the latest decision against the first adoption placement; "
        + PART.format(table="PlacedAdoption"),
    ),
    rule(
        "553",
        PA,
        "DATE_PLACED_CEASED",
        "Placement order has been granted but there is no date of decision that the child "
        "should be placed for adoption.",
        f"SELECT p._seq FROM s903_placed_adoption AS p WHERE {_CEASED_GIVEN} "
        f"AND {_open_episode_with('E1')}",
        requires=WITH_EPISODES,
        note="the PlacedAdoption part (a decision recorded as ceased while the placement "
        "order is open); an E1 episode with no PlacedAdoption row is an Episodes finding",
    ),
    rule(
        "554",
        PA,
        "DATE_PLACED",
        "Date of decision that the child should be placed for adoption should be on or prior "
        "to the date that the placement order was granted. [NOTE: This rule may result in "
        "false positives or false negatives if relevant episodes are in previous years; please "
        "check carefully!]",
        "SELECT p._seq FROM s903_placed_adoption AS p JOIN (SELECT child, min(decom) AS "
        f"ordered FROM s903_episodes WHERE {code('ls')} = 'E1' GROUP BY child) AS e "
        "ON e.child = p.child WHERE p.date_placed > e.ordered",
        severity=W,
        requires=WITH_EPISODES,
        note=PART.format(table="PlacedAdoption"),
    ),
    rule(
        "555",
        PA,
        "DATE_PLACED_CEASED",
        "Freeing order has been granted but there is no date of decision that the child should "
        "be placed for adoption.",
        f"SELECT p._seq FROM s903_placed_adoption AS p WHERE {_CEASED_GIVEN} "
        f"AND {_open_episode_with('D1')}",
        requires=WITH_EPISODES,
        until=2024,
        note="the PlacedAdoption part, as 553; deleted from 2024-25 (lac2024_25/__init__.py)",
    ),
    rule(
        "557",
        PA,
        "DATE_PLACED_CEASED",
        _557,
        _left_not_adopted(f"{code('e.place')} IN {PLACED} OR {code('e.ls')} IN ('D1', 'E1')"),
        requires=WITH_EPISODES,
        until=2024,
        note=PART.format(table="PlacedAdoption"),
    ),
    rule(
        "557",
        PA,
        "DATE_PLACED_CEASED",
        _557,
        _left_not_adopted(f"{code('e.place')} IN {PLACED} OR {code('e.ls')} = 'E1'"),
        requires=WITH_EPISODES,
        since=2025,
        note="2024-25 onwards: freeing orders (D1) no longer count; "
        + PART.format(table="PlacedAdoption"),
    ),
    rule(
        "563",
        PA,
        "DATE_PLACED",
        "The child should no longer be placed for adoption but the date of the decision that "
        "the child should be placed for adoption is blank",
        "SELECT _seq FROM s903_placed_adoption WHERE date_placed IS NULL AND "
        f"date_placed_ceased IS NOT NULL AND {given('reason_placed_ceased')}",
    ),
    rule(
        "579",
        PA,
        "DATE_PLACED",
        "A new decision that the child should be placed for adoption this year cannot start "
        "when the previous decision is still open. Decisions to place the child for adoption "
        "should also not overlap. The date of any new decision to place the child for adoption "
        "must not be before the date placed ceased of previous decisions.",
        "SELECT _seq FROM (SELECT _seq, date_placed, row_number() OVER w AS n, "
        "lag(date_placed_ceased) OVER w AS previous_ceased FROM s903_placed_adoption "
        "WHERE child IS NOT NULL WINDOW w AS (PARTITION BY child ORDER BY date_placed, _seq)) "
        "WHERE n > 1 AND (previous_ceased IS NULL OR date_placed < previous_ceased)",
    ),
    rule(
        "583",
        PA,
        "DATE_PLACED_CEASED",
        "More than one date the child should be placed for adoption has been reported, but an "
        "earlier decision has not been revoked. Check that both dates are required and add in "
        "the date the earlier decision was revoked. Note this may be in a previous year.",
        "SELECT _seq FROM (SELECT _seq, date_placed_ceased, row_number() OVER (PARTITION BY "
        "child ORDER BY date_placed DESC NULLS LAST, _seq DESC) AS n FROM "
        "s903_placed_adoption WHERE child IS NOT NULL) WHERE n > 1 "
        "AND date_placed_ceased IS NULL",
    ),
    rule(
        "1003",
        PA,
        "DATE_PLACED",
        "Date of LA's decision that a child should be placed for adoption is before the child "
        "started to be looked after.",
        "SELECT p._seq FROM s903_placed_adoption AS p JOIN (SELECT child, min(decom) AS "
        f"entered FROM s903_episodes WHERE {code('rne')} = 'S' GROUP BY child) AS e "
        "ON e.child = p.child WHERE p.date_placed < e.entered",
        requires=WITH_EPISODES,
        note=PART.format(table="PlacedAdoption"),
    ),
)

PA_LAST = (last(PA),)
_LAST_CEASED = any_given("l.date_placed_ceased", "l.reason_placed_ceased")


def _against_last(where: str) -> str:
    """PlacedAdoption rows with a row of last year's for the child meeting ``where``."""
    return (
        "SELECT p._seq FROM s903_placed_adoption AS p WHERE EXISTS (SELECT 1 FROM "
        f"s903_placed_adoption_last AS l WHERE l.child = p.child AND {where})"
    )


# The continuity rules: this year's decisions against last year's return.
PA_LAST_RULES: tuple[Rule, ...] = (
    rule(
        "559",
        PA,
        "DATE_PLACED",
        "Date of decision that a child should be placed for adoption was not in the current "
        "year but the date of the decision that the child should be placed for adoption was "
        "not completed in a previous return.",
        "SELECT p._seq FROM s903_placed_adoption AS p CROSS JOIN sp_collection AS c "
        "WHERE p.date_placed < c.start_date AND NOT EXISTS (SELECT 1 FROM "
        "s903_placed_adoption_last AS l WHERE l.child = p.child AND l.date_placed IS NOT NULL)",
        requires=(*PA_LAST, COLLECTION),
    ),
    rule(
        "560",
        PA,
        "DATE_PLACED",
        "Date of decision that the child should be placed for adoption this year is different "
        "from that recorded last year but the decision to place the child for adoption did not "
        "change.",
        _against_last(
            "l.date_placed IS NOT NULL AND l.date_placed_ceased IS NULL "
            "AND p.date_placed IS DISTINCT FROM l.date_placed"
        ),
        requires=PA_LAST,
    ),
    rule(
        "561",
        PA,
        "DATE_PLACED",
        "Date of the decision that the child should be placed for adoption this year is the "
        "same as that recorded last year but records show that the decision changed, and the "
        "child should no longer be placed for adoption last year.",
        _against_last(f"p.date_placed = l.date_placed AND {_LAST_CEASED}"),
        requires=PA_LAST,
    ),
    rule(
        "584",
        PA,
        "DATE_PLACED",
        "Date of decision that the child should be placed for adoption this year is different "
        "from that recorded last year, but the decision to placed the child for adoption "
        "changed and the child should no longer be placed for adoption.",
        _against_last(
            f"l.date_placed IS NOT NULL AND {_LAST_CEASED} "
            "AND (p.date_placed IS NULL OR p.date_placed <= l.date_placed)"
        ),
        requires=PA_LAST,
        note="the validator picks the rows of its joined table by position, so it can flag "
        "another row than the one that breaks the rule",
    ),
)

RULES: tuple[Rule, ...] = (*AD1_RULES, *PA_RULES, *PA_LAST_RULES)
