"""DfE SSDA903 rules of the placement's place, 2022-23 to 2026-27: its distance from home,
its local authority and location (PL_DISTANCE, PL_LA, PL_LOCATION, which the DfE derives
from HOME_POST and PL_POST with the ONS postcode list), and its Ofsted URN against Ofsted's
list of social care providers.

See ``s903_common`` for the sources. The derived fields are SafePlan's SQL of what the
validator's ``lac_validator/datastore.py`` (``_add_postcode_derived_fields``) does: PL_LA is
the upper-tier LA of the placement's postcode (SCO, NIR, WAL outside England), PL_LOCATION
IN when that is the council's own (``sp_council``, from SAFEPLAN_LA_CODE), else OUT, and
PL_DISTANCE the straight line between the two postcodes' grid references in miles (metres
/ 1000 / 1.6093, to 0.1). The lists are `safeplan.ingest.reference`'s ``sp_postcode`` and
``sp_provider``; a rule whose list is not given is listed as not run. 452, 453 and 503G-J
compare with last year's open episode, its fields derived the same way from
``s903_episodes_last``. A child in the UASC file is "UASC or formerly UASC" (164, 392a, 406).
A finding on a derived field is on the field it is derived from (the staging table has no
derived column): PL_LA and PL_LOCATION on PL_POST, PL_DISTANCE on HOME_POST.
"""

# The SQL here is composed only from constants of this module and s903_common, never from
# a file or a user, so the string-built-query check does not apply.

from __future__ import annotations

from safeplan.ingest.rules.base import Rule
from safeplan.ingest.rules.s903_common import EPISODES, TEMPORARY, W, codes, rule

T = "s903_episodes"
DISTANCE = "HOME_POST"  # PL_DISTANCE, from HOME_POST to PL_POST
PLACED_IN = "PL_POST"  # PL_LA and PL_LOCATION, from PL_POST
SHORT = "coalesce(e.ls, '') IN ('V3', 'V4')"  # short breaks: no place details are returned
NOT_SHORT = f"NOT {SHORT}"
URN = "e.urn IS NOT NULL AND upper(e.urn) <> 'XXXXXXX'"  # a URN, not 'not applicable'
UASC = "EXISTS (SELECT 1 FROM s903_uasc AS u WHERE NULLIF(trim(u.child), '') = e.child)"
ABROAD = ("SCO", "NIR", "WAL")  # PL_LA outside England as the DfE codes it
ABROAD_2026 = ("CON", "NIR", "SCO", "WAL", "NUK")  # the 2025-26 rules' list


def places(table: str = T) -> str:
    """The episodes of ``table`` with ``pl_la`` and ``pl_distance`` derived from their
    postcodes (``pl_district`` the postcode's district, NULL when it is not in the list)."""
    episodes = EPISODES.replace(f"FROM {T}", f"FROM {table}")
    return (
        "SELECT e.*, p.la AS pl_district, CASE WHEN p.la LIKE 'S%' THEN 'SCO' "
        "WHEN p.la LIKE 'N%' THEN 'NIR' WHEN p.la LIKE 'W%' THEN 'WAL' "
        "WHEN p.la LIKE 'E%' THEN p.utla END AS pl_la, "
        "round(sqrt(pow(h.east - p.east, 2) + pow(h.north - p.north, 2)) / 1000 / 1.6093, 1) "
        f"AS pl_distance FROM ({episodes}) AS e "
        "LEFT JOIN sp_postcode AS h ON h.pcd = e.home_post "
        "LEFT JOIN sp_postcode AS p ON p.pcd = e.pl_post"
    )


def located(table: str = T) -> str:
    """``places`` with ``pl_location``: IN the council's own area, OUT of it (and outside
    England), NULL when the placement's postcode is not in the list."""
    return (
        "SELECT x.*, c.la AS council, CASE WHEN x.pl_district IS NULL THEN NULL "
        f"WHEN x.pl_la IN {codes(*ABROAD)} THEN 'OUT' WHEN x.pl_la = c.la THEN 'IN' "
        f"ELSE 'OUT' END AS pl_location FROM ({places(table)}) AS x CROSS JOIN sp_council AS c"
    )


PLACED = f"SELECT e._seq FROM ({places()}) AS e"
LOCATED = f"SELECT e._seq FROM ({located()}) AS e"


def _first_against_last(condition: str, *, location: bool = False) -> str:
    """This year's first episode of each child whose last episode of last year (by start)
    is open, where ``condition`` holds of the two (``e`` this year's, ``l`` last year's)."""
    derive = located if location else places

    def ordered(table: str, order: str) -> str:
        return (
            f"SELECT *, row_number() OVER (PARTITION BY child ORDER BY {order}) AS n "
            f"FROM ({derive(table)}) WHERE child IS NOT NULL AND decom IS NOT NULL"
        )

    return (
        f"SELECT e._seq FROM ({ordered(T, 'decom, _seq')}) AS e JOIN "
        f"({ordered(T + '_last', 'decom DESC, _seq DESC')}) AS l ON l.child = e.child "
        f"AND l.n = 1 WHERE e.n = 1 AND l.dec IS NULL AND {condition}"
    )


DISTANCE_DIFFERS = (
    "(abs(e.pl_distance - l.pl_distance) >= 0.2 OR (e.pl_distance IS NULL) <> "
    "(l.pl_distance IS NULL))"
)


def _provider(condition: str) -> str:
    """SQL: a row of the provider list for the episode's URN where ``condition`` holds (of
    ``p``, the provider's row)."""
    return f"EXISTS (SELECT 1 FROM sp_provider AS p WHERE p.urn = upper(e.urn) AND {condition})"


LISTED = _provider("TRUE")
PROVIDER_LA = (
    "coalesce(p.la_code, (SELECT pc.utla FROM sp_postcode AS pc WHERE pc.pcd = p.postcode LIMIT 1))"
)
"""The provider's upper-tier LA: the list's LA code, else its postcode's (as the validator
infers it: "may differ from the LA named in the files")."""


def _exempt_218(places_exempt: tuple[str, ...], abroad: str) -> str:
    return (
        f"{PLACED} CROSS JOIN sp_collection AS c WHERE (e.dec IS NULL OR e.dec >= "
        f"c.start_date) AND e.urn IS NULL AND coalesce(e.place, '') NOT IN "
        f"{codes(*places_exempt)} AND NOT coalesce({abroad}, FALSE)"
    )


def _postcode_rules() -> tuple[Rule, ...]:
    no_uasc = f"NOT {UASC}"
    return (
        rule(
            "164",
            T,
            DISTANCE,
            "Distance is not valid. Please check a valid postcode has been entered. [NOTE: "
            "This check will result in false positives for children formerly UASC not "
            "identified as such in loaded data]",
            f"{PLACED} WHERE {no_uasc} AND (e.pl_distance < 0 OR e.pl_distance > 999.9)",
            note="PL_DISTANCE derived from the ONS postcode list; children in the UASC file "
            "are exempt",
        ),
        rule(
            "169",
            T,
            PLACED_IN,
            "Local Authority (LA) of placement is not valid or is missing. Please check a "
            "valid postcode has been entered.",
            f"{PLACED} WHERE {NOT_SHORT} AND e.pl_la IS NULL",
            note="PL_LA derived from PL_POST with the ONS postcode list",
        ),
        rule(
            "179",
            T,
            PLACED_IN,
            "Placement location code is not a valid code.",
            f"{LOCATED} WHERE {NOT_SHORT} AND e.pl_location IS NULL",
            note="PL_LOCATION derived from PL_POST with the ONS postcode list and the "
            "council's area code",
        ),
        rule(
            "214",
            T,
            "PL_POST",
            "Placement location information not required.",
            f"SELECT e._seq FROM ({EPISODES}) AS e WHERE {SHORT} AND (e.pl_post IS NOT NULL "
            "OR e.urn IS NOT NULL)",
            note="reads PL_POST and URN as returned, so needs no reference list",
        ),
        rule(
            "392a",
            T,
            DISTANCE,
            "Child is looked after but no distance is recorded. [NOTE: This check may result "
            "in false positives for children formerly UASC]",
            f"{PLACED} WHERE {NOT_SHORT} AND {no_uasc} AND e.pl_distance IS NULL",
            severity=W,
            note="PL_DISTANCE derived from the ONS postcode list; children in the UASC file "
            "are exempt",
        ),
        rule(
            "398",
            T,
            "LS",
            "Distance field completed but child looked after under legal status V3 or V4.",
            f"SELECT e._seq FROM ({EPISODES}) AS e WHERE {SHORT} AND (e.home_post IS NOT "
            "NULL OR e.pl_post IS NOT NULL)",
            note="the distance is derived from HOME_POST and PL_POST, so either given is "
            "the distance completed, as the validator reads it (no reference list needed)",
        ),
        rule(
            "406",
            T,
            DISTANCE,
            "Child is Unaccompanied Asylum-Seeking Child (UASC) or was formerly UASC. "
            "Distance should be blank. [NOTE: This check will result in false negatives for "
            "children formerly UASC not identified as such in loaded data]",
            f"{PLACED} WHERE {UASC} AND e.pl_distance IS NOT NULL",
            note="children in the UASC file are UASC or formerly UASC",
        ),
        rule(
            "411",
            T,
            PLACED_IN,
            "Placement location code disagrees with LA of placement.",
            f"{LOCATED} WHERE (e.pl_location = 'IN' AND e.pl_la IS DISTINCT FROM e.council) "
            "OR (e.pl_location = 'OUT' AND e.pl_la = e.council)",
            note="as the DfE words it (IN with another LA, or OUT with the council's own); "
            "with PL_LOCATION and PL_LA both derived from PL_POST, as the DfE and the "
            "validator derive them, it cannot fire: it guards returns that enter them",
        ),
        rule(
            "420",
            T,
            PLACED_IN,
            "LA of placement completed but child is looked after under legal status V3 or V4.",
            f"{PLACED} WHERE {SHORT} AND e.pl_la IS NOT NULL",
            note="PL_LA derived from PL_POST with the ONS postcode list",
        ),
        rule(
            "454",
            T,
            DISTANCE,
            "Placement distance from home is over 350 miles. [NOTE: This check will result in "
            "false positives for children formerly UASC not identified as such in loaded "
            "data]",
            f"{PLACED} WHERE e.pl_distance > 350 AND e.pl_distance <> 999.9",
            severity=W,
            since=2026,
        ),
        *(
            rule(
                "1015",
                T,
                PLACED_IN,
                "Placement provider is own provision but child not placed in own LA.",
                f"{LOCATED} WHERE e.provider = 'PR1' AND e.ls IS NOT NULL AND e.place IS NOT "
                f"NULL AND {NOT_SHORT} AND e.place NOT IN {codes(*exempt)} AND e.pl_la IS "
                "NOT NULL AND e.pl_la <> e.council",
                since=since,
                until=until,
                note="a placement whose LA is not known is 169's finding, not this one's",
            )
            for exempt, since, until in (
                (("A3", "A4", "A5", "A6", "U1", "U2", "U3", "U4", "U5", "U6"), None, 2025),
                (("A3", "A4", "A5", "A6", "U1", "U2", "U3", "U4", "U5", "U6", "K3"), 2026, None),
            )
        ),
        rule(
            "452",
            T,
            PLACED_IN,
            "Contradiction between local authority of placement code in the last episode of "
            "the previous year and in the first episode of the current year.",
            _first_against_last(
                "e.rne IS NOT DISTINCT FROM l.rne AND e.pl_la IS DISTINCT FROM l.pl_la"
            ),
            note="this year's first episode against last year's last (s903_episodes_last), "
            "open, with the same RNE",
        ),
        rule(
            "453",
            T,
            DISTANCE,
            "Contradiction between placement distance in the last episode of the previous "
            "year and in the first episode of the current year.",
            _first_against_last(f"e.rne IS NOT DISTINCT FROM l.rne AND {DISTANCE_DIFFERS}"),
            note="0.2 miles or more apart, or one of the two not known (the validator flags "
            "only last year's not known), with the same RNE",
        ),
        rule(
            "503G",
            T,
            DISTANCE,
            "The distance in first episode does not match open episode at end of last year.",
            _first_against_last(DISTANCE_DIFFERS),
            note="0.2 miles or more apart, or one of the two not known (the validator flags "
            "only last year's not known)",
        ),
        rule(
            "503H",
            T,
            PLACED_IN,
            "The placement LA in first episode does not match open episode at end of last year.",
            _first_against_last("e.pl_la IS DISTINCT FROM l.pl_la"),
        ),
        rule(
            "503J",
            T,
            PLACED_IN,
            "The placement location in first episode does not match open episode at end of "
            "last year.",
            _first_against_last("e.pl_location IS DISTINCT FROM l.pl_location", location=True),
        ),
        *(
            rule(
                "218",
                T,
                "URN",
                "Ofsted Unique reference number (URN) is required.",
                _exempt_218(exempt, abroad),
                since=since,
                until=until,
                note="placements outside England (by PL_LA, from the ONS postcode list) are exempt",
            )
            for exempt, abroad, since, until in (
                (
                    ("H5", "P1", "P2", "P3", "R1", "R2", "R5", *TEMPORARY, "Z1"),
                    "left(e.pl_la, 1) IN ('N', 'W', 'S', 'C')",
                    None,
                    2024,
                ),
                (
                    ("P1", "P3", "R1", "R2", "R5", *TEMPORARY, "Z1"),
                    "left(e.pl_la, 1) IN ('N', 'W', 'S', 'C')",
                    2025,
                    2025,
                ),
                (
                    ("P1", "P3", "R1", "R2", "R5", *TEMPORARY, "Z11", "Z12", "Z13", "Z14"),
                    f"e.pl_la IN {codes(*ABROAD_2026)}",
                    2026,
                    None,
                ),
            )
        ),
        rule(
            "230",
            T,
            "URN",
            "Ofsted Unique reference number (URN) is required for any English H5 placements "
            "from 28 October 2023.",
            f"{PLACED} WHERE e.place = 'H5' AND (e.dec IS NULL OR e.dec >= DATE '2023-10-29') "
            "AND (e.urn IS NULL OR upper(e.urn) = 'XXXXXXX') AND NOT "
            "coalesce(left(e.pl_la, 1) IN ('N', 'W', 'S'), FALSE)",
            since=2024,
            until=2024,
            note="an H5 placement open after 28 October 2023, in England (by PL_LA, from the "
            "ONS postcode list)",
        ),
        rule(
            "243",
            T,
            "URN",
            "Only placements with providers registered with Ofsted should have a URN reported.",
            f"{PLACED} WHERE e.pl_la IN {codes(*ABROAD_2026)} AND e.urn IS NOT NULL",
            since=2026,
            note="PL_LA derived from PL_POST with the ONS postcode list",
        ),
    )


_NO_PROVIDER_LA = ("K3", "P1", "P3", "R1", "R2", "R5", *TEMPORARY, "Z11", "Z12", "Z13", "Z14")
"""The placements 229 leaves out from 2025-26."""


def _provider_rules() -> tuple[Rule, ...]:
    return (
        rule(
            "1008",
            T,
            "URN",
            "Ofsted Unique Reference Number (URN) is not valid.",
            f"SELECT e._seq FROM ({EPISODES}) AS e WHERE {URN} AND NOT {LISTED}",
            note="the URN against Ofsted's social care providers list",
        ),
        rule(
            "219",
            T,
            "PLACE",
            "The Ofsted Unique reference number (URN) provided for the child's placement does "
            "not match the placement type recorded.",
            f"SELECT e._seq FROM ({EPISODES}) AS e WHERE {URN} AND {LISTED} AND NOT "
            f"{_provider('list_contains(p.place_codes, e.place)')}",
            note="a URN not in the list is 1008's finding (the validator flags it here too)",
        ),
        *(
            rule(
                "221",
                T,
                "PL_POST",
                "The Ofsted Unique reference number (URN) provided for the child's placement "
                "does not match the placement postcode provided.",
                f"SELECT e._seq FROM ({EPISODES}) AS e WHERE {URN} AND {NOT_SHORT} AND "
                f"e.place IN {codes(*kinds)} AND e.pl_post IS NOT NULL AND {LISTED} AND NOT "
                f"{_provider('p.postcode = e.pl_post')}",
                since=since,
                until=until,
                note="a URN not in the list is 1008's finding (the validator flags it here too)",
            )
            for kinds, since, until in (
                (("K1", "K2", "R3", "S1"), None, 2023),
                (("H5", "K1", "K2", "R3", "S1"), 2024, 2024),
                (("K1", "K2", "K3", "R3", "S1"), 2025, None),
            )
        ),
        rule(
            "224",
            T,
            "PLACE_PROVIDER",
            "The Ofsted Unique reference number (URN) provided for the child's placement does "
            "not match the placement provider recorded.",
            f"SELECT e._seq FROM ({EPISODES}) AS e WHERE {URN} AND {LISTED} AND NOT "
            f"{_provider('list_contains(p.provider_codes, e.provider)')}",
            note="a URN not in the list is 1008's finding (the validator flags it here too)",
        ),
        rule(
            "227",
            T,
            "DECOM",
            "Ofsted Unique reference number (URN) is not valid for the episode start date.",
            f"SELECT e._seq FROM ({EPISODES}) AS e WHERE {URN} AND "
            f"{_provider('p.reg_end IS NOT NULL AND e.decom >= p.reg_end')}",
            note="the provider's deregistration date from Ofsted's list",
        ),
        rule(
            "228",
            T,
            "DEC",
            "Ofsted Unique reference number (URN) is not valid for the episode end date [NOTE: "
            "may give false positives on open episodes at providers who close during the "
            "year]",
            f"SELECT e._seq FROM ({EPISODES}) AS e CROSS JOIN sp_collection AS c WHERE {URN} "
            "AND "
            + _provider(
                "p.reg_end IS NOT NULL AND ((e.dec IS NOT NULL AND e.dec > p.reg_end) OR "
                "(e.dec IS NULL AND c.end_date > p.reg_end))"
            ),
            note="an open episode against the collection year's end",
        ),
        *(
            rule(
                "229",
                T,
                "PLACE_PROVIDER",
                "Placement provider does not match between the placing authority and the "
                "local authority code of the provider. [NOTE: The provider's LA code is "
                "inferred from the its postcode, and may be inaccurate in some cases.]",
                f"{LOCATED} WHERE {URN} AND {exempt} AND (("
                f"e.provider = 'PR1' AND {_provider(f'{PROVIDER_LA} IS NOT NULL')} AND NOT "
                f"{_provider(f'{PROVIDER_LA} = e.council')}) OR (e.provider = 'PR2' AND "
                f"{_provider(f'{PROVIDER_LA} = e.council')}))",
                since=since,
                until=until,
                note="the provider's LA code from the list, else from its postcode; a URN "
                "not in the list, or of no known LA, is not this rule's finding",
            )
            for exempt, since, until in (
                ("TRUE", None, 2025),
                (f"coalesce(e.place, '') NOT IN {codes(*_NO_PROVIDER_LA)}", 2026, None),
            )
        ),
        rule(
            "241",
            T,
            "URN",
            "LA of placement is not an LA the provider has premises.",
            f"{PLACED} WHERE {URN} AND e.place = 'K3' AND e.pl_la IS NOT NULL AND {LISTED} "
            f"AND NOT {_provider(f'{PROVIDER_LA} = e.pl_la')}",
            since=2026,
            note="PL_LA against the LA of each of the provider's premises in the list, as the "
            "DfE words it (the validator compares it with the council's own LA instead)",
        ),
    )


RULES: tuple[Rule, ...] = (*_postcode_rules(), *_provider_rules())
