"""The partner-template measures (and the survey) on hand-built rows, worked out by hand.

Partner rows come from this year's partner load (PARTNER_2025) unless a case says otherwise.
"""

from __future__ import annotations

from typing import Any

import pytest

from safeplan.measures.catalogue import catalogue
from safeplan.measures.engine import compute
from safeplan.measures.periods import parse
from tests.measures.builders import Case, d, dt, observed
from tests.measures.conftest import MakeSource

FY = "2024-25"
T = (FY, "total", "All")


def returned(
    eid: str, end: str | None, rhi: str | None, by: str = "police", kind: str = "missing"
) -> dict[str, Any]:
    """A missing episode from the partner file, ended at `end`, interview completed at `rhi`."""
    return {
        "person_id": f"P{eid}",
        "episode_id": eid,
        "missing_type": kind,
        "start_datetime": dt("2024-04-01 00:00"),
        "end_datetime": dt(end) if end else None,
        "reported_by": by,
        "rhi_completed_datetime": dt(rhi) if rhi else None,
    }


CASES = [
    Case(
        "rhi_in_time",
        "seventy-two-hours",
        {
            "sp_missing_episodes": [
                returned("R1", "2024-06-01 10:00", "2024-06-04 10:00"),  # exactly 72h: in time
                returned("R2", "2024-06-01 10:00", "2024-06-04 10:01"),  # a minute over
                returned("R3", "2024-07-01 12:00", None, "council"),  # no interview
                returned("R4", None, None),  # still missing: not returned, not counted
                returned("R5", "2025-03-31 23:30", "2025-04-01 09:00"),  # returned 31/3: in
                returned("R6", "2025-04-01 00:30", "2025-04-01 09:00"),  # returned 1/4/25
                # Away (whereabouts known), not missing: no return interview is due, so it is
                # in neither count, with an interview in time (R7) or none (R8).
                returned("R7", "2024-06-01 10:00", "2024-06-02 10:00", kind="away"),
                returned("R8", "2024-06-01 10:00", None, kind="away"),
            ]
        },
        {
            T: (2.0, 4.0),  # R1 and R5 of R1, R2, R3, R5
            (FY, "agency", "police"): (2.0, 3.0),
            (FY, "agency", "council"): (0.0, 1.0),
        },
    ),
    Case(
        "iha_in_time",
        "twenty-working-days-over-christmas",
        {
            "sp_initial_health_assessments": [
                # From Wed 11/12/24: Dec 12, 13 (2), 16-20 (7), 23, 24 (9), 27 (10), 30, 31
                # (12), Jan 2, 3 (14), 6-10 (19), Mon 13 Jan (20), Tue 14 Jan (21).
                {
                    "person_id": "H1",
                    "date_entered_care": d("2024-12-11"),
                    "iha_completed_date": d("2025-01-13"),
                },  # 20: in time
                {
                    "person_id": "H2",
                    "date_entered_care": d("2024-12-11"),
                    "iha_completed_date": d("2025-01-14"),
                },  # 21: late
                {
                    "person_id": "H3",
                    "date_entered_care": d("2024-09-01"),
                    "iha_completed_date": None,
                },  # none yet: not in time
                {
                    "person_id": "H4",
                    "date_entered_care": d("2024-03-20"),
                    "iha_completed_date": d("2024-04-02"),
                },  # entered care in 2023-24
            ]
        },
        {T: (1.0, 3.0), (FY, "agency", "health"): (1.0, 3.0)},
    ),
    Case(
        "family_plan_outcomes",
        "achieved-only",
        {
            "sp_family_plan_outcomes": [
                {
                    "person_id": "F1",
                    "plan_id": "p1",
                    "outcome_id": "1",
                    "review_date": d("2024-05-01"),
                    "achieved": "Y",
                },
                {
                    "person_id": "F1",
                    "plan_id": "p1",
                    "outcome_id": "2",
                    "review_date": d("2024-05-01"),
                    "achieved": "partly",
                },  # not achieved
                {
                    "person_id": "F2",
                    "plan_id": "p2",
                    "outcome_id": "1",
                    "review_date": d("2025-03-31"),
                    "achieved": "N",
                },
                {
                    "person_id": "F2",
                    "plan_id": "p2",
                    "outcome_id": "2",
                    "review_date": None,
                    "achieved": None,
                },  # not reviewed yet
                {
                    "person_id": "F3",
                    "plan_id": "p3",
                    "outcome_id": "1",
                    "review_date": d("2025-04-02"),
                    "achieved": "Y",
                },  # after the period
            ]
        },
        {T: (1.0, 3.0)},
    ),
    Case(
        "voice_in_cp_conference",
        "views-shared",
        {
            "sp_cp_conference_participation": [
                {
                    "person_id": "V1",
                    "conference_id": "1",
                    "conference_date": d("2024-04-01"),
                    "views_shared": True,
                },
                {
                    "person_id": "V2",
                    "conference_id": "2",
                    "conference_date": d("2024-06-01"),
                    "views_shared": False,
                },
                {
                    "person_id": "V3",
                    "conference_id": "3",
                    "conference_date": d("2025-03-31"),
                    "views_shared": True,
                },
                {
                    "person_id": "V4",
                    "conference_id": "4",
                    "conference_date": d("2024-09-01"),
                    "views_shared": None,
                },  # not recorded: not shown to have been shared
                {
                    "person_id": "V5",
                    "conference_id": "5",
                    "conference_date": d("2024-03-31"),
                    "views_shared": True,
                },  # 2023-24
            ]
        },
        {T: (2.0, 4.0), ("2023-24", "total", "All"): (1.0, 1.0)},
    ),
    Case(
        "lived_experience_recorded",
        "audits-by-agency",
        {
            "sp_case_audits": [
                {
                    "person_id": "A1",
                    "audit_id": "1",
                    "audit_date": d("2024-05-01"),
                    "agency": "council",
                    "lived_experience_evident": True,
                },
                {
                    "person_id": "A2",
                    "audit_id": "2",
                    "audit_date": d("2024-06-01"),
                    "agency": "health",
                    "lived_experience_evident": False,
                },
                {
                    "person_id": "A3",
                    "audit_id": "3",
                    "audit_date": d("2024-07-01"),
                    "agency": "health",
                    "lived_experience_evident": True,
                },
            ]
        },
        {
            T: (2.0, 3.0),
            (FY, "agency", "council"): (1.0, 1.0),
            (FY, "agency", "health"): (1.0, 2.0),
        },
    ),
    Case(
        "elearning_uptake",
        "young-people-abuse-awareness",
        {
            "sp_training_uptake": [
                {
                    "source_record_id": "1",
                    "learner_group": "young_person",
                    "agency": "education",
                    "course": "abuse_awareness_elearning",
                    "completion_date": d("2024-05-01"),
                },
                {
                    "source_record_id": "2",
                    "learner_group": "young_person",
                    "agency": "education",
                    "course": "abuse_awareness_elearning",
                    "completion_date": d("2025-03-31"),
                },
                {
                    "source_record_id": "3",
                    "learner_group": "young_person",
                    "agency": "education",
                    "course": "online_safety",
                    "completion_date": d("2024-05-01"),
                },  # other course
                {
                    "source_record_id": "4",
                    "learner_group": "practitioner",
                    "agency": "health",
                    "course": "abuse_awareness_elearning",
                    "completion_date": d("2024-05-01"),
                },
                {
                    "source_record_id": "5",
                    "learner_group": "young_person",
                    "agency": "education",
                    "course": "abuse_awareness_elearning",
                    "completion_date": d("2025-04-01"),
                },
            ]
        },
        {T: (2.0, None), (FY, "agency", "schools"): (2.0, None)},  # "education": schools
    ),
    Case(
        "recorded_challenges",
        "by-raising-agency",
        {
            "sp_professional_challenges": [
                {
                    "person_id": "C1",
                    "challenge_id": "1",
                    "raised_date": d("2024-04-01"),
                    "raising_agency": "police",
                    "receiving_agency": "council",
                },
                {
                    "person_id": "C2",
                    "challenge_id": "2",
                    "raised_date": d("2024-08-01"),
                    "raising_agency": "police",
                    "receiving_agency": "health",
                },
                {
                    "person_id": "C2",
                    "challenge_id": "3",
                    "raised_date": d("2025-01-01"),
                    "raising_agency": "health",
                    "receiving_agency": "council",
                },
                {
                    "person_id": "C3",
                    "challenge_id": "4",
                    "raised_date": d("2025-04-01"),
                    "raising_agency": "police",
                    "receiving_agency": "council",
                },  # 2025-26
            ]
        },
        {
            T: (3.0, None),
            (FY, "agency", "police"): (2.0, None),
            (FY, "agency", "health"): (1.0, None),
        },
    ),
    Case(
        "children_missing_education",
        "open-at-end",
        {
            "sp_children_missing_education": [
                {"person_id": "E1", "source_record_id": "1", "start_date": d("2024-09-01")},
                {
                    "person_id": "E2",
                    "source_record_id": "2",
                    "start_date": d("2024-09-01"),
                    "end_date": d("2025-03-31"),
                },  # back in education on the last day
                {"person_id": "E3", "source_record_id": "3", "start_date": d("2024-10-01")},
                {"person_id": "E3", "source_record_id": "4", "start_date": d("2025-01-01")},
                {"person_id": "E4", "source_record_id": "5", "start_date": d("2025-04-02")},
            ]
        },
        {T: (2.0, None)},  # E1 and E3 (two records, one child)
    ),
    Case(
        "children_confident_to_report",
        "survey-answers",
        {
            "sp_survey_answers": [
                {
                    "question": "confident_to_contact_adult",
                    "answer": "yes",
                    "answered_on": d("2024-05-01"),
                    "setting": "school",
                },
                {
                    "question": "confident_to_contact_adult",
                    "answer": "agree",
                    "answered_on": d("2024-05-01"),
                    "setting": "school",
                },
                {
                    "question": "confident_to_contact_adult",
                    "answer": "no",
                    "answered_on": d("2024-05-01"),
                    "setting": "school",
                },
                {
                    "question": "confident_to_contact_adult",
                    "answer": "strongly_agree",
                    "answered_on": d("2024-06-01"),
                    "setting": "youth_club",
                },
                {
                    "question": "confident_to_contact_adult",
                    "answer": "disagree",
                    "answered_on": d("2024-06-01"),
                    "setting": "youth_club",
                },
                {
                    "question": "feels_safe_online",
                    "answer": "yes",
                    "answered_on": d("2024-06-01"),
                    "setting": "school",
                },  # another question
                {
                    "question": "confident_to_contact_adult",
                    "answer": "yes",
                    "answered_on": d("2025-04-01"),
                    "setting": "school",
                },  # 2025-26
            ]
        },
        {
            T: (3.0, 5.0),
            (FY, "agency", "school"): (2.0, 3.0),
            (FY, "agency", "youth_club"): (1.0, 2.0),
        },
    ),
    Case(
        "children_confident_to_report",
        "survey-age-bands",
        {
            "sp_survey_answers": [
                {
                    "question": "confident_to_contact_adult",
                    "answer": answer,
                    "answered_on": d("2024-05-01"),
                    "setting": "school",
                    "age_band": band,
                }
                for answer, band in [
                    ("yes", "10 to 15"),
                    ("no", "10 to 15"),
                    ("yes", "16 and over"),
                    ("yes", None),  # the child chose not to say
                ]
            ]
        },
        {
            T: (3.0, 4.0),
            (FY, "age_band", "10 to 15"): (1.0, 2.0),
            (FY, "age_band", "16 and over"): (1.0, 1.0),
            (FY, "age_band", "Not known"): (1.0, 1.0),
        },
    ),
    # Published by OHID as an aggregate: no data source yet, so no figure at all.
    Case("self_harm_admissions", "no-data-yet", {}, {T: (None, None)}),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_measure(case: Case, duckdb_source: MakeSource) -> None:
    assert observed(duckdb_source(case.rows), case) == dict(case.expected)


def test_no_data_yet_has_no_value(duckdb_source: MakeSource) -> None:
    """A measure without its data gives no value, not a zero."""
    src = duckdb_source({})
    (r,) = compute(src, [catalogue()["self_harm_admissions"]], [parse(FY)], ["age_band"])
    assert (r.numerator, r.denominator, r.value, r.records) == (None, None, None, 0)
