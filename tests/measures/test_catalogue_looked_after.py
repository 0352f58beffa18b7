"""The SSDA903 measures (and missing episodes) on hand-built children, worked out by hand.

The financial year 2024-25 ends on 31 March 2025; a child whose episode of care ceased
(DEC) that day was not looked after on it. SSDA903 rows come from the 2025 return
(S903_2025) unless a case says otherwise.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.measures.builders import (
    S903_2024,
    Case,
    child,
    d,
    dt,
    looked_after_child,
    observed,
)
from tests.measures.conftest import MakeSource

FY = "2024-25"
T = (FY, "total", "All")


def episode(
    pid: str, start: str, ceased: str | None = None, rne: str = "S", **extra: object
) -> dict[str, Any]:
    """An SSDA903 episode: DECOM (start), DEC (ceased) and RNE (reason for new episode)."""
    return {
        "person_id": pid,
        "decom": d(start),
        "dec": d(ceased) if ceased else None,
        "rne": rne,
        **extra,
    }


def missing_903(pid: str, start: str, kind: str = "M") -> dict[str, Any]:
    """An SSDA903 missing row: M missing, A away from placement without authorisation."""
    return {"person_id": pid, "missing": kind, "mis_start": d(start)}


def missing_partner(
    pid: str, eid: str, start: str, end: str | None, kind: str = "missing"
) -> dict[str, Any]:
    return {
        "person_id": pid,
        "episode_id": eid,
        "missing_type": kind,
        "start_datetime": dt(start),
        "end_datetime": dt(end) if end else None,
        "reported_by": "police",
    }


CASES = [
    Case(
        "cla_rate",
        "looked-after-on-the-last-day",
        {
            "ssd_cla_header": [
                looked_after_child("L1", "2024-04-01", "1"),  # 0 on 31/3/25: "Under 1"
                looked_after_child("L3", "2024-03-31", "2"),  # 1 on 31/3/25: "1 to 4"
                looked_after_child("L4", "2007-03-31", "1"),  # 18 on 31/3/25
                looked_after_child("L5", "2007-04-01", "1"),  # 17 on 31/3/25: "16 and over"
                looked_after_child("L6", "2010-06-01", "2"),  # 13 on 31/3/24: "10 to 15"
            ],
            # L5 is in the CIN census too, as female: the census's record wins over the 903's.
            "ssd_person": [child("L5", "2007-04-01", "2")],
            "ssd_cla_episodes": [
                episode("L1", "2024-04-01"),  # open: counted
                episode("L2", "2024-06-01", "2025-03-31"),  # ceased on the last day: not
                # A placement move makes a second episode: still one child.
                episode("L3", "2024-04-10", "2024-09-01", "S"),
                episode("L3", "2024-09-01", None, "P"),
                # L4 leaves care on the 18th birthday, 31/3/25: not looked after at its end.
                episode("L4", "2020-01-01", "2025-03-31"),
                episode("L5", "2024-05-01"),  # 17 at the end: counted
                # L6 was open in the 2024 return; the 2025 return closes the episode on 1/12/24.
                episode("L6", "2023-01-01", None, load_id=S903_2024.load_id),
                episode("L6", "2023-01-01", "2024-12-01"),
            ],
        },
        {
            T: (3.0, None),  # L1, L3, L5
            (FY, "age_band", "Under 1"): (1.0, None),  # L1
            (FY, "age_band", "1 to 4"): (1.0, None),  # L3
            (FY, "age_band", "16 and over"): (1.0, None),  # L5
            (FY, "gender", "Male"): (1.0, None),  # L1
            (FY, "gender", "Female"): (2.0, None),  # L3, and L5 by the CIN census
            ("2023-24", "total", "All"): (2.0, None),  # L4 and L6 on 31/3/24
            ("2023-24", "age_band", "16 and over"): (1.0, None),  # L4, 17 then
            ("2023-24", "age_band", "10 to 15"): (1.0, None),  # L6
        },
    ),
    Case(
        "placement_stability",
        "three-placements-in-twelve-months",
        {
            # The year to 31/3/25 is 1/4/24 to 31/3/25; a placement in progress on 1/4/24 is
            # one of the year's placements (DfE: placements "during the year").
            "ssd_cla_episodes": [
                episode("M1", "2024-05-01", "2024-08-01", "S"),
                episode("M1", "2024-08-01", "2024-12-01", "P"),
                episode("M1", "2024-12-01", None, "T"),  # 3 placements: counted
                episode("M2", "2024-03-31", "2024-08-01", "S"),  # in progress on 1/4/24: 1
                episode("M2", "2024-08-01", "2025-01-01", "P"),  # 2
                episode("M2", "2025-01-01", None, "B"),  # 3 during the year: counted
                episode("M3", "2024-04-01", "2024-06-01", "S"),
                episode("M3", "2024-06-01", "2024-07-01", "L"),  # legal status only
                episode("M3", "2024-07-01", "2024-10-01", "P"),
                episode("M3", "2024-10-01", None, "U"),  # S, P, U: 3 placements: counted
                episode("M4", "2024-04-01", "2024-06-01", "S"),
                episode("M4", "2024-06-01", "2024-09-01", "P"),
                episode("M4", "2024-09-01", "2025-02-01", "T"),  # left care: not in either
            ]
        },
        {T: (3.0, 3.0)},  # M1, M2 and M3 of M1, M2, M3
    ),
    Case(
        "placement_stability",
        "placed-before-the-year-moves-twice",
        {
            "ssd_cla_episodes": [
                # N1 was placed in 2022; a change of legal status only (L) in 2023 does not
                # start a placement, so on 1/4/24 N1 is still in the 2022 placement: 1. Moves
                # in June and November make 3 placements during 2024-25: counted.
                episode("N1", "2022-05-01", "2023-02-01", "S"),
                episode("N1", "2023-02-01", "2024-06-10", "L"),
                episode("N1", "2024-06-10", "2024-11-20", "P"),
                episode("N1", "2024-11-20", None, "P"),
                # N2: the same, but the June change is of legal status only: 2 placements.
                episode("N2", "2022-05-01", "2024-06-10", "S"),
                episode("N2", "2024-06-10", "2024-11-20", "L"),
                episode("N2", "2024-11-20", None, "P"),
                # N3's placement ended on 1/4/24 with a move that day (an episode ending on
                # the first day is not in the year): 1/4/24 and 1/9/24 and 1/1/25 are 3.
                episode("N3", "2023-01-01", "2024-04-01", "S"),
                episode("N3", "2024-04-01", "2024-09-01", "P"),
                episode("N3", "2024-09-01", "2025-01-01", "P"),
                episode("N3", "2025-01-01", None, "P"),
            ]
        },
        # N1 and N3 of the three: 2 of 3
        {T: (2.0, 3.0)},
    ),
    Case(
        "placement_stability",
        "short-breaks-not-looked-after",
        {
            "ssd_cla_episodes": [
                # V1 is on an agreed series of short breaks (V3) on 31/3/25: not looked
                # after at the period end, so in neither count.
                episode("V1", "2024-05-01", "2024-06-01", "S", ls="V3"),
                episode("V1", "2024-07-01", "2024-08-01", "S", ls="V3"),
                episode("V1", "2025-03-01", None, "S", ls="V3"),
                # V2 had two short breaks (V4) in the year, then came into care (C2) and moved
                # once: the short breaks are not placements, so 2 placements: not counted.
                episode("V2", "2024-04-05", "2024-04-09", "S", ls="V4"),
                episode("V2", "2024-05-05", "2024-05-09", "S", ls="V4"),
                episode("V2", "2024-09-01", "2024-12-01", "S", ls="C2"),
                episode("V2", "2024-12-01", None, "P", ls="C2"),
            ]
        },
        {T: (0.0, 1.0)},  # V2 only is looked after at the end; 0 of 1
    ),
    Case(
        "cla_rate",
        "short-breaks-excluded",
        {
            "ssd_cla_episodes": [
                episode("W1", "2025-03-20", None, "S", ls="V3"),  # short break: not counted
                episode("W2", "2025-01-01", None, "S", ls="V4"),  # series of breaks: not
                episode("W3", "2025-01-01", None, "S", ls="C2"),  # counted
            ]
        },
        {T: (1.0, None)},  # W3 only
    ),
    Case(
        "missing_more_than_once",
        "missing-not-away-each-episode-once",
        {
            "ssd_missing": [
                missing_903("Q1", "2024-05-01"),
                missing_903("Q1", "2024-08-01"),  # Q1: twice: counted
                missing_903("Q2", "2024-06-01"),
                missing_903("Q2", "2024-07-01", "A"),  # away, not missing: Q2 once
                missing_903("Q4", "2024-11-01"),  # the same episode as the police's below
                missing_903("Q6", "2024-03-30"),  # before the period
                missing_903("Q6", "2024-04-02"),  # Q6: once in the period
            ],
            "sp_missing_episodes": [
                missing_partner("Q3", "p1", "2024-09-01 10:00", "2024-09-02 08:00"),
                # Q3's second episode has no end date (still missing): it still started.
                missing_partner("Q3", "p2", "2024-10-05 22:00", None),
                missing_partner("Q4", "p3", "2024-11-01 21:30", "2024-11-02 09:00"),
                missing_partner("Q5", "p4", "2024-09-01 10:00", "2024-09-01 20:00", "away"),
                missing_partner("Q5", "p5", "2024-10-01 10:00", "2024-10-01 20:00", "away"),
            ],
        },
        # Missing at least once: Q1, Q2, Q3, Q4, Q6 (Q5 only away); twice: Q1 and Q3. Q4's
        # one episode is in both files, so Q4 went missing once, not twice.
        {T: (2.0, 5.0)},
    ),
]

# Without the 903 missing file, the partner file alone still gives the measure: Q3 twice
# (one episode still open), Q4 once; Q5 only away.
CASES.append(
    Case(
        "missing_more_than_once",
        "partner-file-only",
        {"sp_missing_episodes": CASES[-1].rows["sp_missing_episodes"]},
        {T: (1.0, 2.0)},
    )
)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_measure(case: Case, duckdb_source: MakeSource) -> None:
    assert observed(duckdb_source(case.rows), case) == dict(case.expected)
