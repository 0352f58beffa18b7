"""DfE SSDA903 rules whose finding lands on the SocialWorker file (social worker episodes,
collected from 2023-24), to 2026-27; the 2025-26 changes as in the validator's release 0.1.17
(``lac_validator/rules/lac2025_26``: SW01a/bSTG1 deleted, SW02STG1 and SW09STG2 changed,
SW10a/bSTG2, SW18STG2 and SW19STG2 added).

See ``s903_common`` for the sources. SW04STG1 and SW05STG1 (dates not valid) are the
reader's date check; SW12STG2 (a child looked after on 31 March) lands on the Episodes file
(``s903_episodes``); SW16a-cSTG2 are listed in docs/data.md, and so is SW10STG2 from 2025-26.
"""

# The SQL here is composed only from constants of this module and s903_common, never from
# a file or a user, so the string-built-query check does not apply.

from __future__ import annotations

from safeplan.ingest.rules.base import Rule
from safeplan.ingest.rules.s903_common import SOCIAL_WORKER, SW_REASONS, F, W, codes, rule

T = "s903_social_worker"
ALL = f"SELECT _seq FROM ({SOCIAL_WORKER}) AS s"
YEAR = "CROSS JOIN sp_collection AS c"
WITH_YEAR = f"SELECT s._seq FROM ({SOCIAL_WORKER}) AS s {YEAR}"
ORDERED = (
    "SELECT *, lag(sw_dec) OVER w AS prev_dec, lag(_seq) OVER w AS prev_seq, "
    f"lead(_seq) OVER w AS next_seq FROM ({SOCIAL_WORKER}) WHERE child IS NOT NULL AND "
    "sw_decom IS NOT NULL WINDOW w AS (PARTITION BY child ORDER BY sw_decom, sw_dec, _seq)"
)
REPORTING_START = "c.start_date - INTERVAL 1 YEAR"
"""From 2024-25 the social worker episodes cover the two years to 31 March."""
REASON_OK = f"sw_reason IN {codes(*SW_REASONS)}"


def _not_ended(code: str, message: str, since: int, until: int | None) -> Rule:
    return rule(
        code,
        T,
        "SW_DEC",
        message,
        f"SELECT _seq FROM ({ORDERED}) WHERE next_seq IS NOT NULL AND sw_dec IS NULL",
        since=since,
        until=until,
    )


def _ended_without_next(code: str, window: str, since: int, until: int | None) -> Rule:
    return rule(
        code,
        T,
        "SW_DEC",
        "Social worker episode has ended before 31 March and no subsequent social worker "
        "episode has been provided.",
        f"{WITH_YEAR} WHERE s.child IS NOT NULL AND {window} AND NOT EXISTS (SELECT 1 FROM "
        f"({SOCIAL_WORKER}) AS n WHERE n.child = s.child AND n._seq <> s._seq AND n.sw_decom "
        "BETWEEN s.sw_dec - INTERVAL 5 DAY AND s.sw_dec + INTERVAL 5 DAY)",
        since=since,
        until=until,
        note="the episode that ended is flagged (the validator flags the next one, so it "
        "misses a child whose last episode ended)",
    )


def _gap(since: int, until: int | None, extra: str = "") -> Rule:
    return rule(
        "SW10STG2",
        T,
        "SW_DECOM",
        "A new social worker episode has started before the end date of the previous social "
        "worker episode.",
        f"SELECT _seq FROM ({ORDERED}) WHERE prev_seq IS NOT NULL AND NOT coalesce(sw_decom "
        f"BETWEEN prev_dec - INTERVAL 7 DAY AND prev_dec + INTERVAL 7 DAY, false){extra}",
        since=since,
        until=until,
        note="a new episode must start within 7 days of the previous one's end",
    )


def build() -> tuple[Rule, ...]:
    """The SocialWorker rules."""
    return (
        rule(
            "SW02STG1",
            T,
            "SW_ID",
            "Social worker ID does not begin with the characters 'SW' or 'XX'.",
            f"{ALL} WHERE sw_id IS NOT NULL AND left(sw_id, 2) NOT IN ('SW', 'XX')",
            level=F,
            since=2024,
            until=2025,
        ),
        rule(
            "SW02STG1",
            T,
            "SW_ID",
            "Social worker ID does not begin with the characters 'SW' or 'XX'.",
            f"{ALL} WHERE sw_id IS NOT NULL AND (left(sw_id, 2) NOT IN ('SW', 'XX') "
            "OR length(sw_id) < 4)",
            level=F,
            since=2026,
            note="from 2025-26 an ID of fewer than 4 characters is flagged too",
        ),
        rule(
            "SW03STG1",
            T,
            "SW_ID",
            "For each social worker episode, information should be complete.",
            f"{ALL} WHERE sw_id IS NULL OR sw_decom IS NULL OR sw_reason IS NULL",
            since=2024,
            until=2024,
        ),
        rule(
            "SW01aSTG1",
            T,
            "SW_ID",
            "For each social worker episode, information should be complete",
            f"{WITH_YEAR} WHERE s.sw_decom IS NULL OR "
            f"(s.sw_decom < {REPORTING_START} AND s.sw_id IS NULL)",
            since=2025,
            until=2025,
            note="episodes begun before the reporting period need SW_ID (the validator "
            "fixes that date at 1 April 2023, right for 2024-25 only)",
        ),
        rule(
            "SW01bSTG1",
            T,
            "SW_REASON",
            "For each social worker episode, information should be complete",
            f"{WITH_YEAR} WHERE s.sw_decom IS NULL OR (s.sw_decom >= {REPORTING_START} "
            "AND (s.sw_id IS NULL OR s.sw_reason IS NULL))",
            since=2025,
            until=2025,
        ),
        rule(
            "SW06STG2",
            T,
            "SW_DECOM",
            "Social worker episode data should be within the social worker data reporting year.",
            f"{WITH_YEAR} WHERE s.sw_decom > c.end_date",
            level=F,
            since=2024,
        ),
        rule(
            "SW07STG2",
            T,
            "SW_DEC",
            "Social worker episode end date should be on or after the start of the social "
            "worker reporting period, and should be on or before the collection end date.",
            f"{WITH_YEAR} WHERE s.sw_dec < c.start_date OR s.sw_dec > c.end_date",
            level=F,
            since=2024,
            until=2024,
        ),
        rule(
            "SW07STG2",
            T,
            "SW_DEC",
            "Social worker episode end date should be on or after the start of the social "
            "worker reporting period, and should be on or before the collection end date.",
            f"{WITH_YEAR} WHERE s.sw_dec < {REPORTING_START} OR s.sw_dec > c.end_date",
            level=F,
            since=2025,
        ),
        _not_ended(
            "SW08STG2",
            "A new social worker episode has started, but the previous episode has not ended.",
            2024,
            None,
        ),
        rule(
            "SW09STG2",
            T,
            "SW_DEC",
            "Social worker episode appears to have lasted for less than 24 hours.",
            f"{ALL} WHERE sw_dec = sw_decom",
            severity=W,
            since=2024,
            until=2025,
        ),
        rule(
            "SW09STG2",
            T,
            "SW_DEC",
            "Social worker episode appears to have lasted for less than 24 hours.",
            f"{ALL} WHERE sw_dec - sw_decom < 3",
            severity=W,
            since=2026,
            note="from 2025-26 an episode ending less than 3 days after it began, as the "
            "validator (0.1.17) reads the rule",
        ),
        _gap(2024, 2024),
        _gap(2025, 2025, " AND sw_reason IS DISTINCT FROM 'FCONTA'"),
        rule(
            "SW10aSTG2",
            T,
            "SW_DECOM",
            "A new social worker episode has started and it is not within +/- 7 days of a "
            "previous episode.",
            f"SELECT _seq FROM ({ORDERED}) WHERE prev_seq IS NOT NULL AND sw_reason IS "
            "DISTINCT FROM 'FCONTA' AND NOT coalesce(sw_decom BETWEEN prev_dec - INTERVAL 7 "
            "DAY AND prev_dec + INTERVAL 7 DAY, false)",
            since=2026,
            note="SW10STG2 split in two from 2025-26 (the validator keeps SW10STG2 as well, "
            "which flags the same episodes a second time)",
        ),
        rule(
            "SW10bSTG2",
            T,
            "SW_DECOM",
            "A new social worker episode has started with a reason of first contact before the "
            "previous episode has ended.",
            f"SELECT _seq FROM ({ORDERED}) WHERE prev_seq IS NOT NULL AND sw_reason = 'FCONTA' "
            "AND sw_decom <= prev_dec",
            since=2026,
        ),
        _ended_without_next("SW11aSTG2", "s.sw_dec <= c.end_date - INTERVAL 5 DAY", 2024, 2024),
        _ended_without_next(
            "SW11bSTG2",
            "s.sw_dec > c.end_date - INTERVAL 5 DAY AND s.sw_dec <= c.end_date",
            2024,
            None,
        ),
        rule(
            "SW13STG1",
            T,
            "SW_REASON",
            "The reason for social worker change is either not valid or has not been entered.",
            f"{ALL} WHERE sw_reason IS NULL OR NOT {REASON_OK}",
            level=F,
            since=2024,
            until=2024,
        ),
        rule(
            "SW13STG1",
            T,
            "SW_REASON",
            "The reason for social worker change is not valid.",
            f"{WITH_YEAR} WHERE (s.sw_reason IS NOT NULL AND NOT s.{REASON_OK}) OR "
            f"(s.sw_reason IS NULL AND s.sw_decom >= {REPORTING_START})",
            level=F,
            since=2025,
        ),
        _not_ended("SW14STG2", "Social worker episode date ceased is blank.", 2024, 2024),
        rule(
            "SW18STG2",
            T,
            "SW_DEC",
            "The end date of the social worker episode is before the start date",
            f"{ALL} WHERE sw_dec <= sw_decom",
            since=2026,
            note="as the validator, an episode ending on the day it began is flagged too",
        ),
        rule(
            "SW19STG2",
            T,
            "SW_DECOM",
            "There are 2 social worker episodes for the child starting on the same date.",
            "SELECT _seq FROM (SELECT _seq, row_number() OVER (PARTITION BY child, sw_decom "
            f"ORDER BY _seq) AS n FROM ({SOCIAL_WORKER}) WHERE child IS NOT NULL AND sw_decom "
            "IS NOT NULL) WHERE n > 1",
            since=2026,
            note="each episode after the first starting on that date",
        ),
        rule(
            "SW17STG2",
            T,
            "SW_DEC",
            "There is no social worker episode open at 31 March",
            "SELECT _seq FROM (SELECT _seq, sw_dec, row_number() OVER (PARTITION BY child "
            f"ORDER BY sw_decom DESC, _seq DESC) AS latest FROM ({SOCIAL_WORKER}) WHERE child "
            "IS NOT NULL AND sw_decom IS NOT NULL) WHERE latest = 1 AND sw_dec IS NOT NULL",
            since=2026,
        ),
    )


RULES: tuple[Rule, ...] = build()
