"""The CIN census measures on hand-built children, with every figure worked out by hand.

The financial year 2024-25 runs from 1 April 2024 to 31 March 2025; "open at the period
end" means open on 31 March 2025, so a plan ending that day is not open. CIN census rows
come from the 2024-25 census (load CIN_2025) unless a case says otherwise.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.measures.builders import (
    ANNEX_A_LATER,
    CIN_2024,
    CIN_2025,
    CIN_2025_REPLACED,
    Case,
    child,
    d,
    observed,
)
from tests.measures.conftest import MakeSource

FY = "2024-25"
T = (FY, "total", "All")


def plan(
    pid: str, start: str, end: str | None = None, cat: str = "NEG", prev: int = 0
) -> dict[str, Any]:
    return {
        "person_id": pid,
        "cppstartdate": d(start),
        "cppenddate": d(end) if end else None,
        "initialcategoryofabuse": cat,
        "latestcategoryofabuse": cat,
        "numberofpreviouscpp": prev,
    }


def episode(
    pid: str, referred: str, closed: str | None = None, nfa: bool = False, **extra: object
) -> dict[str, Any]:
    return {
        "person_id": pid,
        "cinreferraldate": d(referred),
        "cinclosuredate": d(closed) if closed else None,
        "referralnfa": nfa,
        **extra,
    }


def assessment(pid: str, start: str, authorised: str | None, **extra: object) -> dict[str, Any]:
    return {
        "person_id": pid,
        "assessmentactualstartdate": d(start),
        "assessmentauthorisationdate": d(authorised) if authorised else None,
        **extra,
    }


def factor(assessment_record: int, code: str, **extra: object) -> dict[str, Any]:
    return {"parent_id": assessment_record, "assessmentfactors": code, **extra}


CASES = [
    # --- cpp_neglect: children on a plan for neglect on the last day (a count) -------------
    Case(
        "cpp_neglect",
        "open-across-end-and-ending-on-end",
        {
            "ssd_person": [
                child("A", "2015-01-01", "1", "WBRI"),  # 10 on 31/3/25: "10 to 15"
                child("B", "2012-05-05"),
                child("C", "2016-02-02"),
                child("D", "2020-07-07"),
                child("E", "2022-06-01", "2", "BAFR"),  # 2 on 31/3/25: "1 to 4"
                child("F", "2007-03-31", "9", "AIND"),  # 18 on 31/3/25 itself: "16 and over"
            ],
            "ssd_disability": [
                {"person_id": "A", "disability": "AUTI"},
                {"person_id": "A", "disability": "HAND"},  # two codes: still one child
                {"person_id": "E", "disability": "NONE"},  # NONE is not a disability
            ],
            "ssd_cp_plans": [
                plan("A", "2024-06-01"),  # open across the period end: counted
                plan("B", "2024-05-01", "2025-03-31"),  # ends on the last day: not open
                plan("C", "2024-06-01", cat="PHY"),  # open but physical abuse: not neglect
                plan("D", "2025-04-01"),  # starts after the end: not yet
                plan("E", "2024-11-11", "2025-04-10"),  # ends after the end: counted
                plan("F", "2024-09-09"),  # 18 on the last day: still counted (no age limit)
            ],
        },
        {
            # A, E and F for 2024-25. In April 2025 (end 30/4/25): A, D (started 1/4/25)
            # and F; E's plan ended on 10/4/25.
            T: (3.0, None),
            ("2025-04", "total", "All"): (3.0, None),
            (FY, "age_band", "10 to 15"): (1.0, None),  # A
            (FY, "age_band", "1 to 4"): (1.0, None),  # E
            (FY, "age_band", "16 and over"): (1.0, None),  # F, 18 on the day
            (FY, "gender", "Male"): (1.0, None),  # A
            (FY, "gender", "Female"): (1.0, None),  # E
            (FY, "gender", "Other or unknown"): (1.0, None),  # F, gender 9
            (FY, "ethnicity", "White"): (1.0, None),  # A, WBRI
            (FY, "ethnicity", "Black"): (1.0, None),  # E, BAFR
            (FY, "ethnicity", "Asian"): (1.0, None),  # F, AIND
            (FY, "disability", "Yes"): (1.0, None),  # A
            (FY, "disability", "No"): (2.0, None),  # E (NONE) and F (no row)
        },
    ),
    # --- cpp_18m_plus: of plans open at the end, those open 18 months or more ---------------
    Case(
        "cpp_18m_plus",
        "eighteen-months-boundary",
        {
            "ssd_cp_plans": [
                # 18 months before 31/3/25 is 30/9/23.
                plan("A", "2023-09-30"),  # exactly 18 months: counted (on or before 30/9/23)
                plan("B", "2023-10-01"),  # a day short: open, not long
                plan("C", "2022-01-01", "2025-03-31"),  # ends on the last day: not open at all
                plan("D", "2021-05-01", "2025-06-30"),  # open at the end, nearly 4 years: long
            ]
        },
        {T: (2.0, 3.0)},  # A and D of A, B, D
    ),
    # --- cpp_second_subsequent: plans starting in the period for a child with an earlier one
    Case(
        "cpp_second_subsequent",
        "previous-plans",
        {
            "ssd_cp_plans": [
                plan("A", "2024-04-01", prev=0),  # first day, first plan
                plan("B", "2025-03-31", prev=2),  # last day, third plan: counted
                plan("C", "2024-03-31", prev=1),  # started the day before the period
                {**plan("D", "2024-10-10"), "numberofpreviouscpp": None},  # not given: first
            ]
        },
        {T: (1.0, 3.0)},  # B of A, B, D
    ),
    # --- rereferrals_12m ------------------------------------------------------------------
    Case(
        "rereferrals_12m",
        "exactly-twelve-months-counts-as-within",
        {
            "ssd_cin_episodes": [
                # A: referred 15/6/23 and again on 15/6/24, exactly 12 months later. The
                # catalogue counts that as within 12 months (the window starts 12 months
                # before the referral, inclusive: 15/6/23 >= 15/6/24 - 12 months).
                episode("A", "2023-06-15", "2023-09-01", load_id=CIN_2024.load_id),
                episode("A", "2024-06-15"),
                # B: 14/6/23 then 15/6/24: 12 months and a day, not a re-referral.
                episode("B", "2023-06-14", "2023-08-01", load_id=CIN_2024.load_id),
                episode("B", "2024-06-15"),
                episode("C", "2024-09-01"),  # a single referral
                # D: 20/4/24 (no earlier referral) and 1/11/24 (within 12 months of it).
                episode("D", "2024-04-20", "2024-05-20"),
                episode("D", "2024-11-01"),
            ]
        },
        # Referrals in 2024-25: A 15/6 yes, B 15/6 no, C no, D 20/4 no, D 1/11 yes.
        {T: (2.0, 5.0)},
    ),
    Case(
        "rereferrals_after_assessment",
        "previous-referral-assessed",
        {
            "ssd_cin_episodes": [
                {**episode("A", "2023-06-15", "2023-09-01"), "record_id": 11, "load_id": 1},
                episode("A", "2024-06-15"),  # the previous referral was assessed: counted
                {**episode("D", "2024-04-20", "2024-05-20"), "record_id": 21},
                episode("D", "2024-11-01"),  # previous referral closed unassessed: not counted
                # E's first episode was open on 31/3/24, so it is in both censuses; its
                # assessment finished in 2023-24, so only the 2024 census holds it (its
                # parent is the 2024 version of the episode). Still assessed: counted.
                {**episode("E", "2024-01-10"), "record_id": 31, "load_id": 1},
                {**episode("E", "2024-01-10", "2024-04-30"), "record_id": 32},
                episode("E", "2024-12-01"),
            ],
            "ssd_cin_assessments": [
                {**assessment("A", "2023-06-16", "2023-07-20"), "parent_id": 11, "load_id": 1},
                {**assessment("E", "2024-01-11", "2024-02-20"), "parent_id": 31, "load_id": 1},
            ],
        },
        # Referrals in 2024-25: A 15/6/24 yes, D 20/4/24 no (none before), D 1/11/24 no
        # (the previous one was not assessed), E 1/12/24 yes (10/1/24 was assessed).
        {T: (2.0, 4.0)},
    ),
    # --- quality_referrals and dedup across collection years --------------------------------
    Case(
        "quality_referrals",
        "nfa-and-two-censuses",
        {
            "ssd_cin_episodes": [
                # Z was referred on 20/3/24 and still open on 1/4/24: in both censuses,
                # the 2025 one with its closure. One referral in 2023-24, not two.
                episode("Z", "2024-03-20", load_id=CIN_2024.load_id),
                episode("Z", "2024-03-20", "2024-06-01", load_id=CIN_2025.load_id),
                episode("A", "2024-04-02"),
                episode("B", "2024-05-02", "2024-05-03", nfa=True),  # no further action
                episode("C", "2025-03-31"),
                # A return that was replaced by a resubmission is not read at all.
                episode("X", "2024-07-01", nfa=True, load_id=CIN_2025_REPLACED.load_id),
            ]
        },
        {
            ("2023-24", "total", "All"): (1.0, 1.0),  # Z once
            T: (2.0, 3.0),  # A and C of A, B, C
        },
    ),
    Case(
        "cin_rate",
        "open-at-end-latest-return",
        {
            "ssd_person": [
                child("A", "2014-01-01", "2", "MWBC"),
                child("B", "2019-01-01", "1", "WBRI"),
                child("E", "2010-01-01", "2", "CHNE"),
            ],
            "sp_annex_a_list_6": [
                {"person_id": "B", "allocated_team": "North"},
                {"person_id": "E", "allocated_team": ""},  # blank: not recorded
            ],
            "ssd_cin_episodes": [
                # A: open on 31/3/24 in the 2024 census; the 2025 census closes it on
                # 31/8/24. A child in need at 31/3/24, not at 31/3/25 (the 2024 version
                # alone would wrongly count A at 31/3/25).
                episode("A", "2023-11-01", load_id=CIN_2024.load_id),
                episode("A", "2023-11-01", "2024-08-31", load_id=CIN_2025.load_id),
                episode("B", "2024-05-01"),  # open: counted
                episode("C", "2024-06-01", nfa=True),  # no further action: never counted
                episode("D", "2024-07-01", "2025-03-31"),  # closed on the last day
                episode("E", "2024-08-01"),  # two open episodes: one child
                episode("E", "2024-10-01"),
            ],
        },
        {
            ("2023-24", "total", "All"): (1.0, None),  # A
            T: (2.0, None),  # B and E
            (FY, "locality", "North"): (1.0, None),  # B
            (FY, "locality", "Not recorded"): (1.0, None),  # E
            (FY, "ethnicity", "White"): (1.0, None),  # B
            (FY, "ethnicity", "Other"): (1.0, None),  # E, CHNE
            ("2023-24", "ethnicity", "Mixed"): (1.0, None),  # A, MWBC
        },
    ),
    Case(
        "cin_rate",
        "unborn-children",
        {
            "ssd_person": [
                # U1 is recorded before birth: no date of birth, an expected one (N00098).
                {"person_id": "U1", "expectedpersonbirthdate": d("2025-05-01")},
                # U2 was born on 10/4/25 (a later return says so): unborn on 31/3/25.
                child("U2", "2025-04-10"),
                child("U3", "2024-06-01"),  # 0 on 31/3/25: "Under 1"
                {"person_id": "U4"},  # neither date: "Not known"
            ],
            "ssd_cin_episodes": [
                episode("U1", "2025-01-10"),
                episode("U2", "2025-02-01"),
                episode("U3", "2024-07-01"),
                episode("U4", "2024-07-01"),
            ],
        },
        {
            T: (4.0, None),
            (FY, "age_band", "Unborn"): (2.0, None),  # U1 and U2
            (FY, "age_band", "Under 1"): (1.0, None),  # U3
            (FY, "age_band", "Not known"): (1.0, None),  # U4
        },
    ),
    Case(
        "cin_rate",
        "locality-one-team-by-rule",
        {
            # Every child has a CIN episode open on 31/3/25; their Annex A rows disagree on
            # the team, and the rule in docs/measures.md ("Locality") picks one.
            "ssd_person": [child(f"T{n}", "2015-01-01") for n in range(1, 8)],
            "ssd_cin_episodes": [episode(f"T{n}", "2024-04-10") for n in range(1, 8)],
            "sp_annex_a_list_3": [
                # T1: a referral (an event) later than T1's open CIN episode: the open wins.
                {"person_id": "T1", "date_of_referral": d("2024-09-01"), "allocated_team": "North"},
            ],
            "sp_annex_a_list_6": [
                {"person_id": "T1", "cin_start_date": d("2024-05-01"), "allocated_team": "South"},
                # T2: a closed CIN episode loses to an open CP plan (list 7 below): West.
                {
                    "person_id": "T2",
                    "cin_start_date": d("2024-08-01"),
                    "cin_closure_date": d("2024-09-01"),
                    "allocated_team": "East",
                },
                # T3: two open involvements: the later start (list 8, 1/8/24) wins: South.
                {"person_id": "T3", "cin_start_date": d("2024-05-01"), "allocated_team": "North"},
                # T4: two open, started the same day: list 7 (CP plan) before list 6: East.
                {"person_id": "T4", "cin_start_date": d("2024-05-01"), "allocated_team": "North"},
                # T5: one list, one start, two teams: alphabetically, North before West.
                {"person_id": "T5", "cin_start_date": d("2024-05-01"), "allocated_team": "West"},
                {"person_id": "T5", "cin_start_date": d("2024-05-01"), "allocated_team": "North"},
                # T6: the latest Annex A load wins, whatever the dates: East (below).
                {"person_id": "T6", "cin_start_date": d("2024-11-01"), "allocated_team": "North"},
                # T7: only a replaced load lists T7: not recorded.
                {
                    "person_id": "T7",
                    "cin_start_date": d("2024-05-01"),
                    "allocated_team": "West",
                    "load_id": CIN_2025_REPLACED.load_id,
                },
            ],
            "sp_annex_a_list_7": [
                {
                    "person_id": "T2",
                    "child_protection_plan_start_date": d("2024-06-01"),
                    "allocated_team": "West",
                },
                {
                    "person_id": "T4",
                    "child_protection_plan_start_date": d("2024-05-01"),
                    "allocated_team": "East",
                },
            ],
            "sp_annex_a_list_8": [
                {
                    "person_id": "T3",
                    "date_started_to_be_looked_after": d("2024-08-01"),
                    "allocated_team": "South",
                },
                {
                    "person_id": "T6",
                    "date_started_to_be_looked_after": d("2024-04-01"),
                    "allocated_team": "East",
                    "load_id": ANNEX_A_LATER.load_id,
                },
            ],
        },
        {
            T: (7.0, None),
            (FY, "locality", "South"): (2.0, None),  # T1, T3
            (FY, "locality", "West"): (1.0, None),  # T2
            (FY, "locality", "East"): (2.0, None),  # T4, T6
            (FY, "locality", "North"): (1.0, None),  # T5
            (FY, "locality", "Not recorded"): (1.0, None),  # T7
        },
    ),
    # --- timeliness in working days ----------------------------------------------------------
    Case(
        "assessments_45wd",
        "bank-holidays",
        {
            "ssd_person": [child(c, "2012-01-01") for c in "ABCDEF"],
            "ssd_disability": [
                {"person_id": "A", "disability": "AUTI"},
                {"person_id": "C", "disability": "NONE"},
            ],
            "ssd_cin_assessments": [
                # Christmas 2024: from Mon 25/11/24, working days run Nov 26-29 (4), Dec 2-6
                # (9), 9-13 (14), 16-20 (19), 23, 24, 27 (22; 25 and 26 are bank holidays),
                # 30, 31 (24), Jan 2, 3 (26; 1 Jan is one), 6-10 (31), 13-17 (36), 20-24
                # (41), 27 (42), 28 (43), 29 (44), Thu 30 (45), Fri 31 (46).
                assessment("A", "2024-11-25", "2025-01-30"),  # 45: in time (48 weekdays)
                assessment("B", "2024-11-25", "2025-01-31"),  # 46: late
                # Easter 2024: from Mon 26/2/24: Feb 27-Mar 1 (4), Mar 4-8 (9), 11-15 (14),
                # 18-22 (19), 25-28 (23; Good Friday 29/3 and Easter Monday 1/4 are bank
                # holidays), Apr 2-5 (27), 8-12 (32), 15-19 (37), 22-26 (42), 29 (43), 30
                # (44), Wed 1 May (45), Thu 2 May (46).
                assessment("C", "2024-02-26", "2024-05-01"),  # 45: in time (47 weekdays)
                assessment("D", "2024-02-26", "2024-05-02"),  # 46: late
                assessment("E", "2024-01-02", "2024-03-28"),  # authorised in 2023-24
                assessment("F", "2025-02-03", None),  # not finished: not counted yet
            ],
        },
        {
            T: (2.0, 4.0),  # A and C of A, B, C, D
            (FY, "disability", "Yes"): (1.0, 1.0),  # A
            (FY, "disability", "No"): (1.0, 3.0),  # B, C (NONE), D
        },
    ),
    Case(
        "icpc_15wd",
        "christmas",
        {
            "ssd_s47_enquiry": [
                # From Wed 11/12/24: Dec 12, 13 (2), 16-20 (7), 23, 24 (9), 27 (10), 30, 31
                # (12), Jan 2, 3 (14), Mon 6 Jan (15), Tue 7 Jan (16).
                {
                    "person_id": "A",
                    "s47actualstartdate": d("2024-12-11"),
                    "dateofinitialcpc": d("2025-01-06"),
                },  # 15: in time
                {
                    "person_id": "B",
                    "s47actualstartdate": d("2024-12-11"),
                    "dateofinitialcpc": d("2025-01-07"),
                },  # 16: late
                {
                    "person_id": "C",
                    "s47actualstartdate": d("2025-01-06"),
                    "dateofinitialcpc": None,
                    "icpcnotrequired": True,
                },  # no conference
            ]
        },
        {T: (1.0, 2.0), ("2025-01", "total", "All"): (1.0, 2.0)},
    ),
    # --- factors at assessment -----------------------------------------------------------------
    Case(
        "domestic_abuse_at_assessment",
        "factors",
        {
            "ssd_person": [
                child("A", "2015-01-01", "1"),
                child("B", "2015-01-01", "2"),
                child("C", "2015-01-01", "2"),
                child("D", "2015-01-01", "1"),
            ],
            "ssd_cin_assessments": [
                {**assessment("A", "2024-05-01", "2024-06-01"), "record_id": 1},
                {**assessment("B", "2024-05-01", "2024-06-01"), "record_id": 2},
                {**assessment("C", "2024-05-01", "2024-06-01"), "record_id": 3},
                {**assessment("D", "2024-05-01", "2024-06-01"), "record_id": 4},
                {**assessment("E", "2024-01-01", "2024-03-01"), "record_id": 5},
            ],
            "ssd_assessment_factors": [
                factor(1, "3A"),
                factor(1, "16A"),  # A: domestic abuse and neglect
                factor(2, "3B"),
                factor(2, "3C"),  # B: two domestic abuse factors, one assessment
                factor(3, "21"),  # C: no factors identified
                factor(5, "3A"),  # E: authorised in 2023-24
            ],
        },
        {
            T: (2.0, 4.0),  # A and B of A, B, C, D (D has no factor rows)
            (FY, "gender", "Male"): (1.0, 2.0),  # A of A, D
            (FY, "gender", "Female"): (1.0, 2.0),  # B of B, C
        },
    ),
    Case(
        "children_exploitation",
        "factors-and-screening",
        {
            "ssd_cin_assessments": [
                {**assessment("K1", "2024-05-01", "2024-06-01"), "record_id": 1},
                {**assessment("K2", "2025-03-20", None), "record_id": 2},  # not finished
                {**assessment("K3", "2024-09-01", "2024-10-01"), "record_id": 3},
                {**assessment("K6", "2024-02-01", "2024-03-31"), "record_id": 6},
            ],
            "ssd_assessment_factors": [
                factor(1, "11A"),  # CSE at an assessment authorised 1/6/24
                factor(2, "24A"),  # CCE, dated by the assessment's start, 20/3/25
                factor(3, "24A"),  # K3 is also screened below: one child
                factor(6, "11A"),  # authorised 31/3/24: 2023-24
            ],
            "sp_exploitation_screening": [
                {
                    "person_id": "K3",
                    "screening_id": "s3",
                    "screening_date": d("2024-09-01"),
                    "risk_level": "medium",
                    "exploitation_type": "CSE",
                },
                {
                    "person_id": "K4",
                    "screening_id": "s4",
                    "screening_date": d("2024-09-01"),
                    "risk_level": "high",
                    "exploitation_type": "other",
                },  # not CSE or CCE
                {
                    "person_id": "K5",
                    "screening_id": "s5",
                    "screening_date": d("2024-09-01"),
                    "risk_level": "low",
                    "exploitation_type": "CSE",
                },  # low risk
            ],
        },
        {T: (3.0, None)},  # K1, K2, K3
    ),
    Case(
        "referrals_cse_risk",
        "screening-at-referral",
        {
            "sp_exploitation_screening": [
                {
                    "person_id": "S1",
                    "screening_id": "1",
                    "screening_date": d("2024-04-01"),
                    "risk_level": "medium",
                    "exploitation_type": "CSE",
                    "at_referral": True,
                    "agency": "police",
                },  # counted
                {
                    "person_id": "S2",
                    "screening_id": "2",
                    "screening_date": d("2025-03-31"),
                    "risk_level": "high",
                    "exploitation_type": "both",
                    "at_referral": True,
                    "agency": "health",
                },  # counted
                {
                    "person_id": "S3",
                    "screening_id": "3",
                    "screening_date": d("2024-06-01"),
                    "risk_level": "high",
                    "exploitation_type": "CSE",
                    "at_referral": False,
                    "agency": "police",
                },  # not at referral
                {
                    "person_id": "S4",
                    "screening_id": "4",
                    "screening_date": d("2024-06-01"),
                    "risk_level": "low",
                    "exploitation_type": "CSE",
                    "at_referral": True,
                    "agency": "police",
                },  # low
                {
                    "person_id": "S5",
                    "screening_id": "5",
                    "screening_date": d("2024-06-01"),
                    "risk_level": "high",
                    "exploitation_type": "CCE",
                    "at_referral": True,
                    "agency": "police",
                },  # criminal, not sexual
                {
                    "person_id": "S6",
                    "screening_id": "6",
                    "screening_date": d("2025-04-01"),
                    "risk_level": "high",
                    "exploitation_type": "CSE",
                    "at_referral": True,
                    "agency": "police",
                },  # after the period
            ]
        },
        {
            T: (2.0, None),
            (FY, "agency", "police"): (1.0, None),
            (FY, "agency", "health"): (1.0, None),
        },
    ),
]

# --- neglect cases: one fixture, two measures ----------------------------------------------
NEGLECT = {
    "ssd_cin_episodes": [
        # N1: referral 1/4/24, closed 30/6/24, CP plan for neglect: 90 days (30 + 31 + 29).
        {**episode("N1", "2024-04-01", "2024-06-30"), "record_id": 1},
        # N2: referral 1/10/24, no closure (open), neglect (16A) at assessment: 181 days
        # to 31/3/25 (31 + 30 + 31 + 31 + 28 + 30).
        {**episode("N2", "2024-10-01"), "record_id": 2},
        # N3: primary need N1 (abuse or neglect) but no neglect plan or factor: not neglect.
        {**episode("N3", "2024-05-01", primaryneedcode="N1"), "record_id": 3},
        # N4: referral 1/6/23, in both censuses. The 2024 census has it open with a CP plan
        # for neglect that ended on 1/2/24 and an assessment finding 3C; the 2025 census
        # closes it on 31/5/24 and (the plan and assessment being over) holds neither.
        # Closed in 2024-25 after 365 days; open at 31/3/24 after 304 days.
        {**episode("N4", "2023-06-01"), "record_id": 41, "load_id": CIN_2024.load_id},
        {**episode("N4", "2023-06-01", "2024-05-31"), "record_id": 42},
        # N5: referral 1/1/25, closed 31/3/25 (closed in the period, so not open at its
        # end: counted once), 16A at assessment: 89 days (30 + 28 + 31).
        {**episode("N5", "2025-01-01", "2025-03-31"), "record_id": 5},
        # N6: a neglect episode closed before the period: not in 2024-25.
        {**episode("N6", "2023-04-01", "2024-03-31"), "record_id": 6, "load_id": 1},
    ],
    "ssd_cp_plans": [
        {**plan("N1", "2024-04-20", "2024-06-30"), "parent_id": 1},
        {**plan("N4", "2023-07-01", "2024-02-01"), "parent_id": 41, "load_id": 1},
        {**plan("N6", "2023-05-01", "2024-03-01"), "parent_id": 6, "load_id": 1},
    ],
    "ssd_cin_assessments": [
        {**assessment("N1", "2024-04-02", "2024-04-15"), "record_id": 101, "parent_id": 1},
        {**assessment("N2", "2024-10-02", "2024-11-01"), "record_id": 102, "parent_id": 2},
        {
            **assessment("N4", "2023-06-02", "2023-07-01"),
            "record_id": 104,
            "parent_id": 41,
            "load_id": 1,
        },
        {**assessment("N5", "2025-01-02", "2025-02-01"), "record_id": 105, "parent_id": 5},
    ],
    "ssd_assessment_factors": [
        factor(101, "3A"),  # N1: domestic abuse
        factor(102, "16A"),  # N2: neglect only
        factor(104, "3C", load_id=1),  # N4: domestic abuse (2024 census)
        factor(105, "16A"),  # N5: neglect
        factor(105, "3B"),  # N5: and domestic abuse
    ],
}
CASES += [
    Case(
        "neglect_case_duration",
        "closed-and-open-across-censuses",
        NEGLECT,
        {
            # 2024-25: N1 90 (closed) + N2 181 (open) + N4 365 (closed) + N5 89 (closed):
            # 725 days over 4 episodes, a mean of 181.25.
            T: (725.0, 4.0),
            # 2023-24: N4 open at 31/3/24 (304 days); N6 closed on 31/3/24 after 365 days
            # (1/4/23 to 31/3/24).
            ("2023-24", "total", "All"): (669.0, 2.0),
        },
    ),
    Case(
        "neglect_with_domestic_abuse",
        "open-in-period-across-censuses",
        NEGLECT,
        # Neglect episodes open at some time in 2024-25: N1 (3A), N2 (no), N4 (3C in the
        # 2024 census), N5 (3B). N6 closed on 31/3/24.
        {T: (3.0, 4.0)},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_measure(case: Case, duckdb_source: MakeSource) -> None:
    assert observed(duckdb_source(case.rows), case) == dict(case.expected)


def test_neglect_mean_is_days_over_episodes(duckdb_source: MakeSource) -> None:
    """The engine's value for a days measure is the mean: 725 / 4."""
    from safeplan.measures.catalogue import catalogue
    from safeplan.measures.engine import compute
    from safeplan.measures.periods import parse

    src = duckdb_source(NEGLECT)
    (r,) = compute(src, [catalogue()["neglect_case_duration"]], [parse(FY)])
    assert r.value == 181.25
    assert r.records == 4
