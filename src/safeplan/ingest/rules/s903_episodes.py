"""DfE SSDA903 rules whose finding lands on the Episodes file, 2022-23 to 2026-27.

See ``s903_common`` for the sources. 502, 503A-F, 562 and NoE compare with last year's Episodes,
staged as ``s903_episodes_last`` when last year's return is given; the rules of the
placement's distance, LA, location and Ofsted URN, which need the ONS postcode and Ofsted
provider lists (503G-J, 452 and 453 with last year's too), are in ``s903_places``.
"""

# The SQL here is composed only from constants of this module and s903_common, never from
# a file or a user, so the string-built-query check does not apply.

from __future__ import annotations

from safeplan.ingest.rules.base import Rule, not_in_codes
from safeplan.ingest.rules.s903_common import (
    EPISODES,
    FEMALE,
    HEADER,
    ORDERED,
    SOCIAL_WORKER,
    TEMPORARY,
    F,
    W,
    code,
    codes,
    rule,
    text,
)
from safeplan.ingest.staging import all_tables

T = "s903_episodes"
TEMP = codes(*TEMPORARY)
ALL = f"SELECT _seq FROM ({EPISODES}) AS e"
SEQ = f"SELECT _seq FROM ({ORDERED}) AS e"
WITH_HEADER = f"SELECT e._seq FROM ({EPISODES}) AS e JOIN ({HEADER}) AS h ON h.child = e.child"
YEAR = "CROSS JOIN sp_collection AS c"

# Runs of consecutive episodes under one legal status (each starting the day the last
# ended), with the run's start and its end (the collection year's end while open).
RUNS = (
    "SELECT _seq, ls, min(decom) OVER r AS run_start, "
    "max(coalesce(dec, c.end_date)) OVER r AS run_end FROM (SELECT *, sum(CASE WHEN "
    "prev_ls IS NOT DISTINCT FROM ls AND prev_dec = decom THEN 0 ELSE 1 END) OVER (PARTITION "
    f"BY child ORDER BY decom, _seq) AS run FROM ({ORDERED})) {YEAR} "
    "WINDOW r AS (PARTITION BY child, run)"
)


def _run_longer(code: str, ls: str, days: int, message: str) -> Rule:
    return rule(
        code,
        T,
        "DEC",
        message,
        f"SELECT _seq FROM ({RUNS}) WHERE ls = '{ls}' AND "
        f"datediff('day', run_start, run_end) > {days}",
        note="consecutive episodes under the legal status count as one stay, an open one "
        "to the end of the collection year",
    )


def _temporary_longer(code: str, place: str, days: int, message: str) -> Rule:
    return rule(
        code,
        T,
        "DEC",
        message,
        f"{ALL} WHERE place = '{place}' AND dec > decom + INTERVAL {days} DAY",
    )


def _age_at_start(
    code: str,
    place: str,
    years: int,
    message: str,
    since: int | None = None,
    until: int | None = None,
) -> Rule:
    return rule(
        code,
        T,
        "DECOM",
        message,
        f"{WITH_HEADER} WHERE e.place = '{place}' AND e.decom < h.dob + INTERVAL {years} YEAR",
        since=since,
        until=until,
        note="open episodes count too (the validator's decom_before_dob drops episodes "
        "without DEC, so it never flags a child still in the placement)",
    )


def _age_at_end(code: str, recs: tuple[str, ...], condition: str, message: str) -> Rule:
    return rule(
        code,
        T,
        "REC",
        message,
        f"{WITH_HEADER} WHERE e.rec IN {codes(*recs)} AND e.dec IS NOT NULL AND {condition}",
    )


def _provider_with(code: str, provider: str, places: tuple[str, ...], message: str) -> Rule:
    return rule(
        code,
        T,
        "PLACE_PROVIDER",
        message,
        f"{ALL} WHERE provider = '{provider}' AND place IN {codes(*places)}",
    )


def _urn_not_needed(places: tuple[str, ...], since: int | None, until: int | None) -> Rule:
    return rule(
        "222",
        T,
        "URN",
        "Ofsted Unique reference number (URN) should not be recorded for this placement type.",
        f"{ALL} WHERE urn IS NOT NULL AND urn <> 'XXXXXXX' AND place IN {codes(*places)}",
        since=since,
        until=until,
    )


ADOPTION = ("A3", "A4", "A5", "A6")
FOSTER = ("U1", "U2", "U3", "U4", "U5", "U6")
NO_URN = ("P1", "P3", "R1", "R2", "R5", *TEMPORARY)
NO_PROVIDER_2026 = ("Z11", "Z12", "Z13", "Z14")
CEASED_LOOKED_AFTER = "rec IS NOT NULL AND rec <> 'X1'"
PROVIDERS = codes("PR0", "PR1", "PR2", "PR3", "PR4", "PR5")
PROVIDED = (
    f"SELECT _seq FROM {T} WHERE NULLIF(trim(place_provider), '') IS NOT NULL AND "
    f"(trim(place_provider) NOT IN {PROVIDERS} OR upper(trim(place)) IN "
)
"""PLACE_PROVIDER given, and not a code as written (178 flags a code in the wrong case) or
given for a placement that has no provider: the list follows."""


PLACES_2024 = all_tables()[T].codes["place"]
"""Placement types to 2023-24, from the vendored spec."""
PLACES_2025 = (*PLACES_2024, "K3")
"""2024-25 adds K3 (supported accommodation); the validator lists it as "k3", so its 146
flags every K3 placement that year."""
PLACES_2026 = (
    *(p for p in PLACES_2025 if p not in ("H5", "P2", "Z1")),
    "Z11", "Z12", "Z13", "Z14",
)  # fmt: skip
"""2025-26 drops H5, P2 and Z1 and splits Z1 into Z11 to Z14."""


def _place_codes(places: tuple[str, ...], since: int | None, until: int | None) -> Rule:
    return rule(
        "146",
        T,
        "PLACE",
        "Placement type code is not a valid code.",
        f"SELECT _seq FROM {T} WHERE {not_in_codes('place', places, blank_allowed=False)}",
        level=F,
        since=since,
        until=until,
    )


def build() -> tuple[Rule, ...]:
    """The Episodes rules."""
    return (
        _place_codes(PLACES_2024, None, 2024),
        _place_codes(PLACES_2025, 2025, 2025),
        _place_codes(PLACES_2026, 2026, None),
        rule(
            "148",
            T,
            "DEC",
            "Date episode ceased and reason episode ceased must both be coded, or both left blank.",
            f"{ALL} WHERE (dec IS NULL) <> (rec IS NULL)",
        ),
        rule(
            "353",
            T,
            "DECOM",
            "No episode submitted can start before 14 October 1991.",
            f"{ALL} WHERE decom < DATE '1991-10-14'",
            level=F,
        ),
        rule(
            "354",
            T,
            "DECOM",
            "Date episode ceased must be on or before the end of the current collection year.",
            f"SELECT e._seq FROM s903_episodes AS e {YEAR} WHERE e.decom > c.end_date",
            level=F,
            note="checks DECOM (the date the episode began), with the DfE's message",
        ),
        rule(
            "385",
            T,
            "DEC",
            "Date episode ceased must be on or before the end of the current collection year.",
            f"SELECT e._seq FROM s903_episodes AS e {YEAR} WHERE e.dec > c.end_date",
            level=F,
        ),
        rule(
            "355",
            T,
            "DEC",
            "Episode appears to have lasted for less than 24 hours",
            f"{ALL} WHERE dec = decom",
            severity=W,
        ),
        rule(
            "357",
            T,
            "RNE",
            "If this is the first episode ever for this child, reason for new episode must be "
            "S. Check whether there is an episode immediately preceding this one, which has "
            "been left out. If not the reason for new episode code must be amended to S.",
            f"SELECT e._seq FROM ({ORDERED}) AS e {YEAR} "
            "WHERE e.n = 1 AND e.decom >= c.start_date AND e.rne IS DISTINCT FROM 'S'",
        ),
        _run_longer(
            "361",
            "L1",
            3,
            "Police protection legal status lasted longer than maximum 72 hours allowed in "
            "the Children Act 1989.",
        ),
        _run_longer("362", "L2", 21, "Emergency protection order (EPO) lasted longer than 21 days"),
        _run_longer(
            "363",
            "L3",
            7,
            "Child assessment order (CAO) lasted longer than 7 days allowed in the Children "
            "Act 1989.",
        ),
        _run_longer(
            "364",
            "J2",
            21,
            "Sections 41-46 of Police and Criminal Evidence (PACE; 1984) severely limits the "
            "time a child can be detained in custody in Local Authority (LA) accommodation.",
        ),
        rule(
            "365",
            T,
            "DEC",
            "Any individual short- term respite placement must not exceed 17 days.",
            f"SELECT e._seq FROM ({EPISODES}) AS e {YEAR} WHERE e.ls = 'V3' AND "
            "coalesce(e.dec, c.end_date) > e.decom + INTERVAL 17 DAY",
        ),
        rule(
            "366",
            T,
            "RNE",
            "A child cannot change placement during the course of an individual short-term "
            "respite break.",
            f"{ALL} WHERE ls = 'V3' AND rne IS DISTINCT FROM 'S'",
        ),
        rule(
            "367",
            T,
            "DEC",
            "The maximum amount of respite care allowable is 75 days in any 12-month period.",
            "SELECT _seq FROM (SELECT _seq, days, sum(days) FILTER (WHERE days > 0) OVER "
            "(PARTITION BY child) AS total FROM (SELECT e._seq, e.child, datediff('day', "
            "greatest(e.decom, c.start_date), least(coalesce(e.dec, c.end_date), c.end_date)) "
            f"AS days FROM ({EPISODES}) AS e {YEAR} WHERE e.ls = 'V3' AND e.decom IS NOT NULL)) "
            "WHERE days > 0 AND total > 75",
            note="days of respite within the collection year",
        ),
        _temporary_longer(
            "375", "T1", 42, "Hospitalisation coded as a temporary placement exceeds six weeks."
        ),
        _temporary_longer(
            "376",
            "T3",
            21,
            "Temporary placements coded as being due to holiday of usual foster carer(s) "
            "cannot exceed three weeks.",
        ),
        rule(
            "377",
            T,
            "PLACE",
            "Only two temporary placements coded as being due to holiday of usual foster "
            "carer(s) are allowed in any 12- month period.",
            "SELECT _seq FROM (SELECT _seq, place, count(*) FILTER (WHERE place = 'T3') OVER "
            f"(PARTITION BY child) AS holidays FROM ({EPISODES})) "
            "WHERE place = 'T3' AND holidays > 2",
            note="counted over the return's episodes",
        ),
        rule(
            "378",
            T,
            "PLACE",
            "A child who is placed with parent(s) cannot be looked after under a single "
            "period of accommodation under Section 20 of the Children Act 1989.",
            f"{ALL} WHERE place = 'P1' AND ls = 'V2'",
        ),
        _temporary_longer(
            "379",
            "T4",
            7,
            "Temporary placements for unspecified reason (placement code T4) cannot exceed "
            "seven days.",
        ),
        rule(
            "380",
            T,
            "PLACE",
            "A period of care cannot start with a temporary placement.",
            f"{ALL} WHERE place IN {TEMP} AND rne IS DISTINCT FROM 'P' "
            "AND rne IS DISTINCT FROM 'B'",
        ),
        rule(
            "381",
            T,
            "PLACE",
            "A period of care cannot end with a temporary placement.",
            f"{ALL} WHERE place IN {TEMP} AND {CEASED_LOOKED_AFTER}",
        ),
        rule(
            "382",
            T,
            "PLACE",
            "A child receiving respite care cannot be in a temporary placement.",
            f"{ALL} WHERE ls IN ('V3', 'V4') AND place IN {TEMP}",
        ),
        rule(
            "383",
            T,
            "PLACE",
            "A child in a temporary placement must subsequently return to his/her normal "
            "placement.",
            f"{SEQ} WHERE prev_place IN {TEMP} AND n > 2 AND "
            "(rne IS DISTINCT FROM 'P' OR place IS DISTINCT FROM prev2_place)",
            until=2025,
        ),
        rule(
            "383",
            T,
            "PLACE",
            "A child in a temporary placement must subsequently return to his/her normal "
            "placement.",
            f"{SEQ} WHERE prev_place IN {TEMP} AND n > 2 AND (rne IS DISTINCT FROM 'P' OR "
            "place IS DISTINCT FROM prev2_place OR pl_post IS DISTINCT FROM prev2_pl_post)",
            since=2026,
            note="from 2025-26 the placement postcode must match too",
        ),
        rule(
            "384",
            T,
            "PLACE",
            "A child receiving respite care cannot be in a long-term foster placement ",
            f"{ALL} WHERE ls IN ('V3', 'V4') AND place IN ('U1', 'U4')",
        ),
        _age_at_end(
            "386",
            ("E11", "E12"),
            "e.dec >= h.dob + INTERVAL 18 YEAR",
            "Reason episode ceased is adopted but child has reached age 18.",
        ),
        _age_at_end(
            "387",
            ("E5", "E6"),
            "e.dec < h.dob + INTERVAL 14 YEAR",
            "Reason episode ceased is child moved into independent living arrangement, but "
            "the child is aged under 14.",
        ),
        _age_at_end(
            "389",
            ("E7",),
            "e.dec < h.dob + INTERVAL 16 YEAR",
            "Reason episode ceased is that child transferred to care of adult social care "
            "services, but child is aged under 16.",
        ),
        _age_at_end(
            "407",
            ("E45", "E46", "E47", "E48"),
            "e.dec >= h.dob + INTERVAL 18 YEAR",
            "Reason episode ceased is Special Guardianship Order, but child has reached age 18.",
        ),
        _age_at_end(
            "460",
            ("E17",),
            "e.dec < h.dob + INTERVAL 18 YEAR",
            "Reason episode ceased is that child stayed with current carers at age 18 (or "
            "above), but child is aged under 18.",
        ),
        rule(
            "358",
            T,
            "LS",
            "Child with this legal status should not be under 10.",
            f"{WITH_HEADER} WHERE e.ls IN ('J1', 'J2', 'J3') "
            "AND e.decom < h.dob + INTERVAL 10 YEAR",
            note="a child is 10 on the 10th birthday (the validator flags that day too)",
        ),
        rule(
            "359",
            T,
            "LS",
            "Child being looked after following 18th birthday must be accommodated under "
            "section 20(5) of the Children Act 1989 in a community home.",
            f"{WITH_HEADER} {YEAR} WHERE e.dec IS NULL AND h.dob + INTERVAL 18 YEAR < "
            "c.end_date AND NOT (e.ls = 'V2' AND e.place = 'K2')",
        ),
        _age_at_start(
            "370", "P2", 15, "Child in independent living should be at least 15.", until=2023
        ),
        _age_at_start(
            "370",
            "P2",
            16,
            "Child in independent living should be at least 16.",
            since=2024,
            until=2024,
        ),
        _age_at_start(
            "371",
            "H5",
            14,
            "Child in semi-independent living accommodation not subject to children's homes "
            "regulations should be at least 14.",
            until=2023,
        ),
        _age_at_start(
            "371",
            "H5",
            16,
            "Child in semi-independent living accommodation not subject to children's homes "
            "regulations should be at least 16.",
            since=2024,
            until=2024,
        ),
        _age_at_start(
            "371",
            "K3",
            16,
            "Child in supported accommodation not subject to children's homes regulations "
            "should be at least 16.",
            since=2025,
        ),
        _age_at_start("372", "R5", 10, "Child in youth custody or prison should be at least 10."),
        _age_at_start("373", "S1", 4, "Child placed in a school should be at least 4 years old."),
        _age_at_start(
            "374", "P3", 14, "Child in residential employment should be at least 14 years old."
        ),
        rule(
            "388",
            T,
            "REC",
            "Reason episode ceased is coded new episode begins, but there is no continuation "
            "episode.",
            f"{SEQ} WHERE dec IS NOT NULL AND ("
            "(rec = 'X1' AND next_seq IS NOT NULL AND next_decom <> dec) "
            f"OR ({CEASED_LOOKED_AFTER} AND next_decom = dec) "
            "OR (rec = 'X1' AND next_seq IS NULL))",
        ),
        rule(
            "431",
            T,
            "RNE",
            "The reason for new episode is started to be looked after, but the previous "
            "episode ended on the same day.",
            f"{SEQ} WHERE rne = 'S' AND prev_dec = decom",
        ),
        rule(
            "432",
            T,
            "RNE",
            "The child ceased to be looked after at the end of the previous episode but the "
            "reason for the new episode is not started to be looked after.",
            f"{SEQ} WHERE prev_rec IS NOT NULL AND prev_rec <> 'X1' AND rne IS DISTINCT FROM 'S'",
        ),
        rule(
            "433",
            T,
            "RNE",
            "The reason for new episode suggests that this is a continuation episode, but the "
            "episode does not start on the same day as the last episode finished.",
            f"{SEQ} WHERE rne IN ('P', 'L', 'T', 'U', 'B') AND prev_seq IS NOT NULL "
            "AND prev_dec IS DISTINCT FROM decom",
        ),
        rule(
            "434",
            T,
            "RNE",
            "Reason for new episode is that child's legal status has changed but not the "
            "placement, but this is not reflected in the episode data.",
            f"{SEQ} WHERE rne = 'L' AND prev_seq IS NOT NULL AND (ls IS NOT DISTINCT FROM "
            "prev_ls OR place IS DISTINCT FROM prev_place OR pl_post IS DISTINCT FROM "
            "prev_pl_post OR urn IS DISTINCT FROM prev_urn OR provider IS DISTINCT FROM "
            "prev_provider)",
        ),
        rule(
            "435",
            T,
            "RNE",
            "Reason for new episode is that child's placement has changed but not the legal "
            "status, but this is not reflected in the episode data recorded.",
            f"{SEQ} WHERE rne IN ('P', 'T') AND prev_seq IS NOT NULL AND (ls IS DISTINCT FROM "
            "prev_ls OR (place IS NOT DISTINCT FROM prev_place AND pl_post IS NOT DISTINCT "
            "FROM prev_pl_post AND urn IS NOT DISTINCT FROM prev_urn AND provider IS NOT "
            "DISTINCT FROM prev_provider))",
            note="blank fields compare equal; the validator's == treats two blanks as "
            "different and compares with the row before in file order rather than date order",
        ),
        rule(
            "436",
            T,
            "RNE",
            "Reason for new episode is that both child's placement and legal status have "
            "changed, but this is not reflected in the episode data.",
            f"{SEQ} WHERE rne IN ('U', 'B') AND prev_seq IS NOT NULL AND (ls IS NOT DISTINCT "
            "FROM prev_ls OR (place IS NOT DISTINCT FROM prev_place AND pl_post IS NOT "
            "DISTINCT FROM prev_pl_post AND urn IS NOT DISTINCT FROM prev_urn AND provider "
            "IS NOT DISTINCT FROM prev_provider))",
        ),
        rule(
            "437",
            T,
            "REC",
            "Reason episode ceased is child has died or is aged 18 or over but there are "
            "further episodes.",
            f"{SEQ} WHERE rec IN ('E2', 'E15') AND next_seq IS NOT NULL",
        ),
        rule(
            "445",
            T,
            "LS",
            "D1 is not a valid code for episodes starting after December 2005.",
            f"{ALL} WHERE ls = 'D1' AND decom > DATE '2005-12-31'",
            until=2024,
        ),
        rule(
            "446",
            T,
            "LS",
            "E1 is not a valid code for episodes starting before December 2005.",
            f"{ALL} WHERE ls = 'E1' AND decom < DATE '2005-12-01'",
        ),
        rule(
            "451",
            T,
            "LS",
            "Child is still freed for adoption, but freeing orders could not be applied for "
            "since 30 December 2005.",
            f"{ALL} WHERE ls = 'D1' AND dec IS NULL AND rec IS NULL",
            until=2024,
        ),
        rule(
            "504",
            T,
            "CIN",
            "The category of need code differs from that reported at start of current period "
            "of being looked after",
            f"{SEQ} WHERE prev_rec = 'X1' AND prev_dec = decom AND cin IS DISTINCT FROM prev_cin",
        ),
        rule(
            "526",
            T,
            "PLACE_PROVIDER",
            "Child is missing a placement provider code for at least one episode.",
            f"{ALL} WHERE provider IS NULL AND place NOT IN {codes(*TEMPORARY, 'Z1')}",
            until=2025,
        ),
        rule(
            "526",
            T,
            "PLACE_PROVIDER",
            "Child is missing a placement provider code for at least one episode.",
            f"{ALL} WHERE provider IS NULL AND place NOT IN {codes(*TEMPORARY, *NO_PROVIDER_2026)}",
            since=2026,
        ),
        _provider_with(
            "527",
            "PR1",
            ("P1", "R2", "R5"),
            "A placement provider code of PR1 cannot be associated with placements P1, R2 or R5.",
        ),
        _provider_with(
            "528",
            "PR2",
            ("P1", "R2", "R5"),
            "A placement provider code of PR2 cannot be associated with placements P1, R2 or R5.",
        ),
        _provider_with(
            "529",
            "PR3",
            ("A3", "A4", "A5", "A6", "K1", "K2", "P1", "U1", "U2", "U3", "U4", "U5", "U6"),
            "Placement provider code of PR3 cannot be associated with placements P1, A3 to A6, "
            "K1, K2 and U1 to U6 as these placements cannot be provided by other public "
            "organisations.",
        ),
        _provider_with(
            "530",
            "PR4",
            ("P1",),
            "A placement provider code of PR4 cannot be associated with placement P1.",
        ),
        _provider_with(
            "531",
            "PR5",
            ("P1",),
            "A placement provider code of PR5 cannot be associated with placements P1.",
        ),
        rule(
            "550",
            T,
            "PLACE_PROVIDER",
            "A placement provider code of PR0 can only be associated with placement P1.",
            f"{ALL} WHERE provider = 'PR0' AND place IS DISTINCT FROM 'P1'",
        ),
        rule(
            "178",
            T,
            "PLACE_PROVIDER",
            "Placement provider code is not a valid code.",
            f"{PROVIDED}{codes(*TEMPORARY, 'Z1')})",
            level=F,
            until=2025,
        ),
        rule(
            "178",
            T,
            "PLACE_PROVIDER",
            "Placement provider code is not a valid code.",
            f"{PROVIDED}{codes('T0', 'T1', 'T2', 'T3', *NO_PROVIDER_2026)})",
            level=F,
            since=2026,
        ),
        rule(
            "213",
            T,
            "PLACE_PROVIDER",
            "Placement provider information not required.",
            f"{ALL} WHERE provider IS NOT NULL AND place IN {TEMP}",
            until=2025,
        ),
        rule(
            "213",
            T,
            "PLACE_PROVIDER",
            "Placement provider information not required.",
            f"{ALL} WHERE provider IS NOT NULL AND place IN {codes(*TEMPORARY, *NO_PROVIDER_2026)}",
            since=2026,
        ),
        rule(
            "217",
            T,
            "RNE",
            "Children who are placed for adoption with current foster carers (placement types "
            "A3 or A5) must have a reason for new episode of S, T or U.",
            f"{ALL} WHERE place IN ('A3', 'A5') AND decom >= DATE '2015-04-01' "
            "AND coalesce(rne, '') NOT IN ('S', 'T', 'U')",
        ),
        rule(
            "217t",
            T,
            "PLACE",
            "Placement type 'P2' is not a valid placement type from 28 October 2023.",
            f"{ALL} WHERE place = 'P2' AND (dec IS NULL OR dec > DATE '2023-10-28')",
            note="a P2 placement open after 28 October 2023",
            since=2024,
            until=2024,
        ),
        _urn_not_needed(("H5", "P2", *NO_URN, "Z1"), None, 2023),
        _urn_not_needed(("P2", *NO_URN, "Z1"), 2024, 2024),
        _urn_not_needed((*NO_URN, "Z1"), 2025, 2025),
        _urn_not_needed((*NO_URN, *NO_PROVIDER_2026), 2026, None),
        rule(
            "225",
            T,
            "REASON_PLACE_CHANGE",
            "Reason for placement change must be recorded.",
            f"{SEQ} WHERE rec = 'X1' AND rpc IS NULL AND coalesce(place, '') NOT IN {TEMP} "
            f"AND next_rne IN ('P', 'B', 'T', 'U') AND coalesce(next_place, '') NOT IN {TEMP}",
        ),
        rule(
            "226",
            T,
            "REASON_PLACE_CHANGE",
            "Reason for placement change is not required.",
            f"{SEQ} WHERE place IN {TEMP} AND (rpc IS NOT NULL OR prev_rpc IS NOT NULL)",
            until=2025,
        ),
        rule(
            "226",
            T,
            "REASON_PLACE_CHANGE",
            "Reason for placement change is not required for temporary placements.",
            f"{SEQ} WHERE place IN {TEMP} AND (rpc IS NOT NULL OR prev_rpc IS NOT NULL)",
            since=2026,
        ),
        rule(
            "242",
            T,
            "URN",
            "URN = 'XXXXXXX' can only be used for regional adoption agencies",
            f"{ALL} WHERE upper(urn) = 'XXXXXXX' AND coalesce(place NOT IN "
            f"{codes('A3', 'A4', 'A5', 'A6', 'U1', 'U2', 'U3', 'U4', 'U5', 'U6')}, true)",
            since=2026,
            note="added in 2025-26 (the validator's release 0.1.17): XXXXXXX with an adoption "
            "or foster placement only",
        ),
        rule(
            "233",
            T,
            "REASON_PLACE_CHANGE",
            "Reason for placement change is not required when the episode has not ceased.",
            f"{ALL} WHERE dec IS NULL AND rpc IS NOT NULL",
            since=2026,
            note="the validator's version reads a column DATE_EPISODE_CEASED that the "
            "Episodes file does not have (DEC), so it cannot run",
        ),
        rule(
            "234",
            T,
            "REASON_PLACE_CHANGE",
            "A child aged under 10 can not change placement due to being admitted to custody",
            f"{WITH_HEADER} WHERE e.rpc = 'CUSTOD' AND e.decom < h.dob + INTERVAL 10 YEAR",
            since=2026,
        ),
        rule(
            "392b",
            T,
            "HOME_POST",
            "Child is looked after but no postcodes are recorded. [NOTE: This check may result "
            "in false positives for children formerly UASC, particularly if current & prior "
            "year UASC data not loaded]",
            f"{ALL} WHERE coalesce(ls, '') NOT IN ('V3', 'V4') AND (home_post IS NULL OR "
            "pl_post IS NULL) AND child NOT IN (SELECT trim(u.child) FROM s903_uasc AS u "
            "WHERE u.child IS NOT NULL)",
            severity=W,
            note="children in the UASC file are exempt",
        ),
        rule(
            "392c",
            T,
            "HOME_POST",
            "Postcode(s) provided are invalid.",
            f"{ALL} WHERE NOT regexp_full_match(coalesce(home_post, 'A11AA'), "
            "'[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}') OR NOT regexp_full_match("
            "coalesce(pl_post, 'A11AA'), '[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}')",
            level=F,
            severity=W,
            note="the postcodes' form only; whether they exist needs the ONS postcode list "
            "the validator ships",
        ),
        rule(
            "392d",
            T,
            "PL_POST",
            "Home and placement postcodes should not be same unless the placement type is P1.",
            f"{ALL} WHERE home_post = pl_post AND place IS DISTINCT FROM 'P1'",
            severity=W,
        ),
        rule(
            "210",
            T,
            "DECOM",
            "Children looked after for more than a week at 31 March should not have an unknown "
            "Unique Pupil Number (UPN) code of UN4.",
            f"{WITH_HEADER} {YEAR} WHERE h.upn = 'UN4' AND (e.dec IS NULL OR e.dec > "
            "c.end_date) AND e.decom <= c.end_date AND EXISTS (SELECT 1 FROM s903_episodes AS f "
            "WHERE trim(f.child) = e.child AND f.decom < c.end_date - INTERVAL 7 DAY)",
            note="the DfE's rule; the validator's flags UN4 on episodes that began in the "
            "last week (on or after 24 March), the children the rule exempts",
        ),
        rule(
            "607",
            T,
            "REC",
            "Child ceased to be looked after in the year, but mother field has not been completed.",
            f"{WITH_HEADER} {YEAR} WHERE e.dec BETWEEN c.start_date AND c.end_date AND "
            "e.rec IS NOT NULL AND e.rec <> 'X1' AND coalesce(e.ls, '') NOT IN "
            f"('V3', 'V4') AND h.{FEMALE} AND h.mother IS NULL",
        ),
        rule(
            "426",
            T,
            "LS",
            "A child receiving respite care cannot be recorded under a legal status of V3 and "
            "V4 in the same year.",
            "SELECT _seq FROM (SELECT _seq, ls, count(*) FILTER (WHERE ls = 'V3') OVER c AS v3, "
            f"count(*) FILTER (WHERE ls = 'V4') OVER c AS v4 FROM ({EPISODES}) "
            "WINDOW c AS (PARTITION BY child)) WHERE ls IN ('V3', 'V4') AND v3 > 0 AND v4 > 0",
        ),
        rule(
            "336",
            T,
            "PLACE",
            "Child does not have a foster placement immediately prior to being placed for "
            "adoption.",
            f"{SEQ} WHERE place IN ('A3', 'A4') AND prev_seq IS NOT NULL AND "
            f"coalesce(prev_place, '') NOT IN {codes(*ADOPTION, *FOSTER)}",
        ),
        rule(
            "390",
            T,
            "REC",
            "Reason episode ceased is adopted but child has not been previously placed for "
            "adoption.",
            f"{ALL} WHERE rec IN ('E11', 'E12') AND coalesce(place, '') NOT IN {codes(*ADOPTION)}",
        ),
        rule(
            "408",
            T,
            "LS",
            "Child is placed for adoption with a placement order, but no placement order has "
            "been recorded.",
            f"{ALL} WHERE place IN ('A5', 'A6') AND ls IS DISTINCT FROM 'E1'",
        ),
        rule(
            "516",
            T,
            "REC",
            "The episode data submitted for this child does not show that he/she was with "
            "their former foster carer(s) during the year.If the code in the reason episode "
            "ceased is E45 or E46 the child must have a placement code of U1 to U6.",
            f"{ALL} WHERE rec IN ('E45', 'E46') AND coalesce(place, '') NOT IN {codes(*FOSTER)}",
        ),
        rule(
            "551",
            T,
            "PLACE",
            "Child has been placed for adoption but there is no date of the decision that the "
            "child should be placed for adoption.",
            f"{ALL} WHERE place IN {codes(*ADOPTION)} AND NOT EXISTS (SELECT 1 FROM "
            "s903_placed_adoption AS p WHERE trim(p.child) = e.child AND p.date_placed IS NOT "
            "NULL)",
        ),
        rule(
            "558",
            T,
            "REC",
            "If a child has been adopted, then the decision to place them for adoption has not "
            "been disrupted and the date of the decision that a child should no longer be "
            "placed for adoption should be left blank.",
            f"{ALL} WHERE rec IN ('E11', 'E12') AND (SELECT count(p.date_placed_ceased) FROM "
            "s903_placed_adoption AS p WHERE trim(p.child) = e.child) > 1 AND NOT EXISTS "
            "(SELECT 1 FROM s903_placed_adoption AS p WHERE trim(p.child) = e.child AND "
            "p.date_placed_ceased IS NULL)",
            note="as the DfE words it: more than one decision that the adopted child should "
            "no longer be placed, and none left open",
        ),
        rule(
            "580",
            T,
            "REC",
            "Child is missing when cease being looked after but reason episode ceased not 'E8'.",
            f"{ALL} WHERE dec IS NOT NULL AND rec IS DISTINCT FROM 'E8' AND EXISTS (SELECT 1 "
            "FROM s903_missing AS m WHERE trim(m.child) = e.child AND m.mis_end = e.dec AND "
            "m.mis_end = m.dob + INTERVAL 18 YEAR)",
            note="missing until the care episode ended on the 18th birthday",
        ),
        rule(
            "582",
            T,
            "DEC",
            "Child is showing as ceasing to be looked after due to adoption, but the date of "
            "adoption is the same as the date reported for being matched with adopters. In "
            "most circumstances we expect the date the child is matched with adopters to be "
            "before the date of adoption.",
            f"{ALL} WHERE rec IN ('E11', 'E12') AND EXISTS (SELECT 1 FROM s903_ad1 AS a WHERE "
            "trim(a.child) = e.child AND a.date_match = e.dec)",
            severity=W,
        ),
        rule(
            "630",
            T,
            "RNE",
            "Information on previous permanence option should be returned.",
            f"SELECT e._seq FROM ({EPISODES}) AS e {YEAR} WHERE e.rne = 'S' AND e.decom >= "
            "c.start_date AND NOT EXISTS (SELECT 1 FROM s903_prev_perm AS p WHERE "
            "trim(p.child) = e.child AND NULLIF(trim(p.prev_perm), '') IS NOT NULL AND "
            "(upper(trim(p.prev_perm)) = 'Z1' OR (NULLIF(trim(p.la_perm), '') IS NOT NULL "
            "AND p.date_perm IS NOT NULL)))",
            note="a child who started to be looked after in the year needs a PrevPerm row: "
            "PREV_PERM, and LA_PERM and DATE_PERM unless it is Z1",
        ),
        rule(
            "199",
            T,
            "REC",
            "Episode information shows child has been previously adopted from care. [NOTE: "
            "This only tests the current and previous year data loaded into the tool]",
            "SELECT _seq FROM (SELECT _seq, rec, count(*) FILTER (WHERE rec IN ('E11', 'E12')) "
            f"OVER (PARTITION BY child ORDER BY decom, _seq) AS adoptions FROM ({ORDERED})) "
            "WHERE adoptions > 1 OR (adoptions = 1 AND coalesce(rec, '') NOT IN ('E11', 'E12'))",
            note="within this return (last year's episodes are not read)",
        ),
        rule(
            "SW01STG1",
            T,
            "CHILD",
            "Child looked after on 31 March, but no social worker episode information is reported",
            f"{ALL} WHERE dec IS NULL AND coalesce(ls, '') NOT IN ('V3', 'V4') AND child NOT IN "
            f"(SELECT s.child FROM ({SOCIAL_WORKER}) AS s WHERE s.child IS NOT NULL AND "
            "s.sw_id IS NOT NULL AND s.sw_decom IS NOT NULL AND s.sw_reason IS NOT NULL)",
            since=2024,
            until=2024,
            note="the finding is on the Episodes row (the validator returns that row's "
            "index as if it were a SocialWorker row)",
        ),
        rule(
            "SW12STG2",
            T,
            "CHILD",
            "If a child is looked after on 31 March then all social worker episodes for the "
            "full previous year should be reported, even those whilst they were not looked "
            "after",
            f"{WITH_HEADER} {YEAR} WHERE e.dec IS NULL AND coalesce(e.ls, '') NOT IN ('V3', "
            f"'V4') AND e.child IN (SELECT s.child FROM ({SOCIAL_WORKER}) AS s WHERE "
            "s.sw_decom IS NOT NULL) AND NOT EXISTS (SELECT 1 FROM "
            f"({SOCIAL_WORKER}) AS s WHERE s.child = e.child AND s.sw_decom <= "
            "greatest(c.start_date, h.dob))",
            severity=W,
            since=2024,
            note="the DfE's text: a child looked after on 31 March (an open episode other "
            "than a short break) whose social worker episodes do not reach back to 1 April "
            "(or the child's birth, if later), the open episode flagged; a child with none "
            "is SW01STG1's. The validator instead asks each episode that starts or ends care "
            "for a social worker episode starting before its end or after its start",
        ),
        rule(
            "556",
            T,
            "DECOM",
            "Date of decision that the child should be placed for adoption should be on or "
            "prior to the date that the freeing order was granted.",
            f"{ALL} WHERE ls = 'D1' AND EXISTS (SELECT 1 FROM s903_placed_adoption AS p "
            f"WHERE {text('p.child')} = e.child AND p.date_placed > e.decom)",
            until=2024,
            note="an episode under a freeing order (LS D1) that starts before a decision to "
            "place the child for adoption (PlacedAdoption DATE_PLACED)",
        ),
        rule(
            "502",
            T,
            "DECOM",
            "Last year's record ended with an open episode. The date on which that episode "
            "started does not match the start date of the first episode on this year's record.",
            f"SELECT e._seq FROM ({ORDERED}) AS e WHERE e.n = 1 AND EXISTS (SELECT 1 FROM "
            f"s903_episodes_last AS l WHERE {text('l.child')} = e.child AND l.dec IS NULL "
            "AND l.decom IS NOT NULL AND l.decom <> e.decom)",
            note="last year's Episodes (s903_episodes_last): each of last year's open "
            "episodes of the child, as the validator",
        ),
        *(
            rule(
                f"503{letter}",
                T,
                field,
                f"The {what} in the first episode does not match open episode at end of last year.",
                _first_against_open_last(column, last_column),
                note="this year's first episode against the last episode of last year's "
                "Episodes (s903_episodes_last), when that one is open"
                + (
                    "; K3 for H5 and Z11-Z14 for Z1 are the DfE's new codes for the old, not "
                    "a change (as the validator)"
                    if letter == "D"
                    else ""
                ),
            )
            for letter, field, what, column, last_column in _CARRIED_ON
        ),
        rule(
            "562",
            T,
            "DECOM",
            "Episode commenced before the start of the current collection year but there is a "
            "missing continuous episode in the previous year.",
            f"SELECT e._seq FROM ({ORDERED}) AS e CROSS JOIN sp_collection AS c WHERE e.n = 1 "
            "AND e.decom < c.start_date AND NOT EXISTS (SELECT 1 FROM (SELECT "
            f"{text('child')} AS child, decom, row_number() OVER (PARTITION BY {text('child')} "
            "ORDER BY decom DESC, _seq DESC) AS n FROM s903_episodes_last WHERE decom IS NOT "
            "NULL) AS l WHERE l.child = e.child AND l.n = 1 AND l.decom = e.decom)",
            note="this year's first episode, started before the year, against the last "
            "episode of last year's Episodes (s903_episodes_last)",
        ),
        rule(
            "NoE",
            T,
            "DECOM",
            "This child has no episodes loaded for previous year even though child started to "
            "be looked after before this current year.",
            f"SELECT e._seq FROM ({EPISODES}) AS e CROSS JOIN sp_collection AS c WHERE "
            "e.child IS NOT NULL AND e.decom < c.start_date AND e.child NOT IN (SELECT "
            f"{text('child')} FROM s903_episodes_last WHERE {text('child')} IS NOT NULL)",
            note="every episode started before the year of a child not in last year's "
            "Episodes (s903_episodes_last), as the validator",
        ),
    )


_CARRIED_ON = (
    ("A", "RNE", "reason for new episode", "rne", code("rne")),
    ("B", "LS", "legal status", "ls", code("ls")),
    ("C", "CIN", "category of need", "cin", code("cin")),
    ("D", "PLACE", "placement type", "place", code("place")),
    ("E", "PLACE_PROVIDER", "placement provider", "provider", code("place_provider")),
    ("F", "URN", "Ofsted URN", "urn", text("urn")),
)
"""503A-F: the fields of an episode open at the end of last year that this year's first
episode carries on (503G, H and J compare distance, LA and location, derived from the
postcodes)."""

_RECODED = (
    "(e.place = 'K3' AND l.v = 'H5') OR (e.place IN ('Z11', 'Z12', 'Z13', 'Z14') AND l.v = 'Z1')"
)


def _first_against_open_last(column: str, last_column: str) -> str:
    """This year's first episode of each child whose last episode of last year is open and
    has another ``column`` (``last_column``, the SQL of it over last year's row)."""
    recoded = f" AND NOT ({_RECODED})" if column == "place" else ""
    return (
        f"SELECT e._seq FROM ({ORDERED}) AS e JOIN (SELECT {text('child')} AS child, dec, "
        f"{last_column} AS v, row_number() OVER (PARTITION BY {text('child')} ORDER BY "
        "decom DESC, _seq DESC) AS n FROM s903_episodes_last WHERE NULLIF(trim(child), '') "
        "IS NOT NULL AND decom IS NOT NULL) AS l ON l.child = e.child AND l.n = 1 "
        f"WHERE e.n = 1 AND l.dec IS NULL AND e.{column} IS DISTINCT FROM l.v{recoded}"
    )


RULES: tuple[Rule, ...] = build()
