"""SafePlan's plausibility rules for the partner templates: each flags a broken record and
passes a sound one, as the DfE rules' tests do.

One sound file per template for the 2023-24 collection year (``BASE``) that no rule flags,
and one case per rule: SQL that breaks one thing and the rows the rule must then flag. The
rules every template shares (a date still to come, a record after its file's year, a birth
after the record, an age outside the template's, the same record twice) get their case
from the template's declaration, so a new template is tested as soon as it is declared.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import duckdb
import pytest

from safeplan.ingest.partner import partner_tables
from safeplan.ingest.rules import Rule, offending_rows, run_rules, stage_collection
from safeplan.ingest.rules.partner import RULES
from safeplan.ingest.templates import TEMPLATES

D, T = date.fromisoformat, datetime.fromisoformat
YEAR = 2024  # 1 April 2023 to 31 March 2024
Rows = dict[str, list[dict[str, Any]]]

BASE: Rows = {
    "missing_episodes": [
        {
            "episode_id": "E1",
            "child_id": "C1",
            "date_of_birth": D("2010-05-01"),
            "looked_after": True,
            "missing_type": "missing",
            "start_datetime": T("2023-06-01T20:00"),
            "end_datetime": T("2023-06-02T08:00"),
            "reported_by": "police",
            "rhi_offered_datetime": T("2023-06-02T12:00"),
            "rhi_accepted": True,
            "rhi_completed_datetime": T("2023-06-03T10:00"),
        },
        {
            "episode_id": "E2",
            "child_id": "C2",
            "date_of_birth": D("2008-01-01"),
            "looked_after": False,
            "missing_type": "away",
            "start_datetime": T("2023-09-01T10:00"),
            "end_datetime": None,
            "reported_by": "council",
        },
    ],
    "exploitation_screening": [
        {
            "screening_id": "S1",
            "child_id": "C1",
            "date_of_birth": D("2010-05-01"),
            "screening_date": D("2023-07-01"),
            "tool": "cse_screening_tool",
            "risk_level": "low",
            "exploitation_type": "CSE",
            "at_referral": True,
            "agency": "council",
        },
        {
            "screening_id": "S2",
            "child_id": "C1",
            "date_of_birth": D("2010-05-01"),
            "screening_date": D("2023-07-01"),
            "tool": "cce_risk_assessment",  # the same day, another tool: another record
            "risk_level": "medium",
            "exploitation_type": "CCE",
            "at_referral": False,
            "agency": "police",
        },
    ],
    "initial_health_assessments": [
        {
            "child_id": "C3",
            "date_of_birth": D("2015-02-01"),
            "date_entered_care": D("2023-05-01"),
            "iha_request_date": D("2023-05-02"),
            "iha_completed_date": D("2023-05-20"),
        },
        {
            "child_id": "C4",
            "date_of_birth": D("2023-04-20"),  # a baby entering care at 5 months
            "date_entered_care": D("2023-10-01"),
            "iha_request_date": D("2023-10-01"),
        },
    ],
    "family_plan_outcomes": [
        {
            "plan_id": "P1",
            "outcome_id": "O1",
            "child_id": "C5",
            "date_of_birth": D("2012-03-03"),
            "plan_start_date": D("2023-04-10"),
            "outcome_set_date": D("2023-04-10"),
            "review_date": D("2023-08-01"),
            "achieved": "Y",
        },
        {
            "plan_id": "P2",
            "outcome_id": "O1",
            "child_id": "C10",
            "date_of_birth": D("2024-02-01"),  # a plan for the family before the birth
            "plan_start_date": D("2023-11-01"),
            "outcome_set_date": D("2023-11-15"),
        },
    ],
    "cp_conference_participation": [
        {
            "conference_id": "K1",
            "child_id": "C6",
            "date_of_birth": D("2014-07-07"),
            "conference_date": D("2023-06-15"),
            "conference_type": "initial",
            "views_shared": True,
            "how_shared": "attended",
        },
        {
            "conference_id": "K2",
            "child_id": "C7",
            "date_of_birth": D("2024-01-10"),  # a pre-birth conference
            "conference_date": D("2023-11-20"),
            "conference_type": "initial",
            "views_shared": False,
            "how_shared": "not_shared",
        },
    ],
    "training_uptake": [
        {
            "record_id": "R1",
            "learner_id": "L1",
            "learner_group": "practitioner",
            "course": "neglect_toolkit",
            "agency": "police",
            "completion_date": D("2023-09-09"),
        },
        {
            "record_id": "R2",
            "learner_id": "L1",
            "learner_group": "practitioner",
            "course": "working_together",
            "agency": "police",
            "completion_date": D("2023-09-09"),
        },
    ],
    "case_audits": [
        {
            "audit_id": "A1",
            "child_id": "C1",
            "date_of_birth": D("2010-05-01"),
            "audit_date": D("2023-11-11"),
            "agency": "council",
            "lived_experience_evident": True,
            "grade": "good",
        },
        {
            "audit_id": "A2",
            "child_id": "C1",
            "date_of_birth": D("2010-05-01"),
            "audit_date": D("2023-11-11"),
            "agency": "police",  # a multi-agency audit: each agency's own record
            "lived_experience_evident": False,
            "grade": "requires_improvement",
        },
    ],
    "professional_challenges": [
        {
            "challenge_id": "CH1",
            "child_id": "C1",
            "date_of_birth": D("2010-05-01"),
            "raised_date": D("2023-05-05"),
            "raising_agency": "health",
            "receiving_agency": "council",
            "stage": "stage_1",
            "resolved_date": D("2023-05-20"),
            "outcome": "agreed",
        },
        {
            "challenge_id": "CH2",
            "raised_date": D("2023-07-07"),
            "raising_agency": "police",
            "receiving_agency": "schools",
            "stage": "stage_2",
            "outcome": "open",
        },
    ],
    "children_missing_education": [
        {
            "record_id": "M1",
            "child_id": "C8",
            "date_of_birth": D("2012-01-01"),
            "start_date": D("2023-09-10"),
            "end_date": D("2023-10-01"),
            "reason": "moved_away",
        },
        {
            "record_id": "M2",
            "child_id": "C9",
            "date_of_birth": D("2009-06-01"),
            "start_date": D("2024-01-05"),
            "reason": "excluded",
        },
    ],
    "population_estimates": [
        {"area_code": "E06000047", "mid_year": 2023, "population_0_17": 100_000},
    ],
}

Case = tuple[list[str], set[int]]


def _set(template: str, sets: str, seq: int = 1) -> str:
    return f"UPDATE partner_{template} SET {sets} WHERE _seq = {seq}"


OWN: dict[str, Case] = {
    "P101": ([_set("missing_episodes", "end_datetime = TIMESTAMP '2023-05-31 08:00'")], {1}),
    "P102": ([_set("missing_episodes", "end_datetime = TIMESTAMP '2023-09-15 08:00'")], {1}),
    "P103": (
        [_set("missing_episodes", "rhi_offered_datetime = TIMESTAMP '2023-05-30 09:00'")],
        {1},
    ),
    "P104": (
        [
            _set("missing_episodes", "rhi_completed_datetime = TIMESTAMP '2023-06-02 07:00'"),
            _set("missing_episodes", "rhi_completed_datetime = TIMESTAMP '2023-09-02 07:00'", 2),
        ],
        {1, 2},
    ),
    "P105": ([_set("missing_episodes", "rhi_accepted = false")], {1}),
    "P301": ([_set("initial_health_assessments", "iha_completed_date = DATE '2023-05-01'")], {1}),
    "P302": ([_set("initial_health_assessments", "iha_request_date = DATE '2023-04-28'")], {1}),
    "P401": ([_set("family_plan_outcomes", "outcome_set_date = DATE '2023-04-01'")], {1}),
    "P402": ([_set("family_plan_outcomes", "review_date = DATE '2023-04-01'")], {1}),
    "P403": ([_set("family_plan_outcomes", "achieved = 'N'", 2)], {2}),
    "P501": (
        [
            _set("cp_conference_participation", "how_shared = 'not_shared'"),
            _set("cp_conference_participation", "how_shared = 'advocate'", 2),
        ],
        {1, 2},
    ),
    "P801": ([_set("professional_challenges", "resolved_date = DATE '2023-05-01'")], {1}),
    "P802": ([_set("professional_challenges", "resolved_date = DATE '2023-08-01'", 2)], {2}),
    "P803": ([_set("professional_challenges", "receiving_agency = 'health'")], {1}),
    "P901": ([_set("children_missing_education", "end_date = DATE '2023-09-01'")], {1}),
    "P951": ([_set("population_estimates", "population_0_17 = 0")], {1}),
    "P952": ([_set("population_estimates", "mid_year = 1999")], {1}),
}
"""Each template's own rules: code → case."""


def _shared_case(rule: Rule) -> Case:
    """The case of a rule every template has, from the template's declaration."""
    name = rule.table.removeprefix("partner_")
    template = TEMPLATES[name]
    column = template.column(rule.field) if rule.field in template.column_names else None
    future = (
        "TIMESTAMP '2031-01-01 09:00'"
        if column and column.type == "datetime"
        else ("DATE '2031-01-01'")
    )
    if rule.code == "P001":
        return [_set(name, f"{rule.field} = {future}")], {1}
    main = template.main_date
    if rule.code == "P002":
        return [_set(name, f"{main} = {main} + INTERVAL 1 YEAR")], {1}
    if rule.code == "P003":
        return [_set(name, f"date_of_birth = CAST({main} AS DATE) + 1")], {1}
    if rule.code == "P004":
        high = template.ages[1] if template.ages else 17
        return [_set(name, f"date_of_birth = CAST({main} AS DATE) - INTERVAL {high + 1} YEAR")], {1}
    if rule.code == "P005":  # the first record again, under another reference
        table = f"partner_{name}"
        columns = [c for c in BASE[name][0] if c not in template.key]
        refs = ", ".join(f"{k} || '-again'" for k in template.key)
        copy = (
            f"INSERT INTO {table} (_seq, _file, _row, _line, {', '.join(template.key)}, "
            f"{', '.join(columns)}) SELECT 99, _file, 'row 99', 99, {refs}, {', '.join(columns)} "
            f"FROM {table} WHERE _seq = 1"
        )
        return [copy], {1, 99}
    raise AssertionError(f"no case for {rule.label} on {rule.table}")


def case(rule: Rule) -> Case:
    return OWN[rule.code] if rule.code in OWN else _shared_case(rule)


def stage(rows: Rows) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    for table in partner_tables():
        con.execute(table.ddl())
        names = [c.name for c in table.columns]
        for seq, row in enumerate(rows.get(table.name.removeprefix("partner_"), []), start=1):
            values = [seq, None, None, f"{table.name}_2024.csv", f"row {seq + 1}", seq + 1]
            marks = ", ".join("?" for _ in range(len(values) + len(names)))
            con.execute(
                f"INSERT INTO {table.name} VALUES ({marks})",
                [*values, *(row.get(n) for n in names)],
            )
    return con


@pytest.fixture(scope="module")
def staged() -> Iterator[duckdb.DuckDBPyConnection]:
    con = stage(BASE)
    stage_collection(con, YEAR)
    yield con
    con.close()


def test_every_template_has_a_sound_file() -> None:
    assert set(BASE) == set(TEMPLATES)


def test_the_sound_files_have_no_findings(staged: duckdb.DuckDBPyConnection) -> None:
    assert run_rules(staged, "partner", YEAR) == []


def test_every_own_rule_has_a_case() -> None:
    shared = {"P001", "P002", "P003", "P004", "P005"}
    assert {r.code for r in RULES} - shared == set(OWN)


@pytest.mark.parametrize("rule", RULES, ids=[f"{r.code}:{r.table}:{r.field}" for r in RULES])
def test_rule_flags_the_broken_record_and_passes_the_sound_one(
    rule: Rule, staged: duckdb.DuckDBPyConnection
) -> None:
    statements, expected = case(rule)
    assert {seq for seq, *_ in offending_rows(staged, rule)} == set()
    staged.execute("BEGIN TRANSACTION")
    try:
        for statement in statements:
            staged.execute(statement)
        assert {seq for seq, *_ in offending_rows(staged, rule)} == expected
    finally:
        staged.execute("ROLLBACK")


def test_a_partner_file_is_checked_through_the_reader(tmp_path: Any) -> None:
    """An assessment completed before it was requested, a request dated 2031 and a birth
    after entering care are errors: the records are quarantined, the sound one loads."""
    from safeplan.ingest.pipeline import check

    path = tmp_path / "initial_health_assessments_2024.csv"
    path.write_text(
        "child_id,date_of_birth,date_entered_care,iha_request_date,iha_completed_date\n"
        "C1,2015-02-01,2023-05-01,2023-05-02,2023-05-20\n"
        "C2,2015-02-01,2023-05-01,2023-05-10,2023-05-03\n"
        "C3,2015-02-01,2023-05-01,2031-05-02,\n"
        "C4,2023-06-01,2023-05-01,2023-05-02,\n",
        encoding="utf-8",
    )
    checked = check(path)
    rules = sorted((f.location, f.rule, f.field) for f in checked.findings)
    assert rules == [
        ("row 3", "SafePlan P301", "iha_completed_date"),
        ("row 4", "SafePlan P001", "iha_request_date"),
        ("row 5", "SafePlan P003", "date_of_birth"),
    ]
    assert checked.quarantine_count == 3
    checked.close()
