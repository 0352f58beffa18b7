"""The DfE validation rules: every rule flags a broken record and passes a sound one.

Each source has one small, internally consistent return (``BASE``) that no rule may flag,
and each rule has a case: SQL that breaks one thing in that return and the rows the rule
must then flag. A rule added to the registry without a case fails ``test_every_rule_has_a_case``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import duckdb
import pytest

from safeplan.ingest.findings import Level, Severity
from safeplan.ingest.rules import (
    RULES,
    S903_OTHER_FILES,
    Rule,
    offending_rows,
    rules_for,
    rules_markdown,
    run_rules,
)
from safeplan.ingest.rules.base import not_in_codes
from safeplan.ingest.staging import all_tables

Rows = dict[str, list[dict[str, Any]]]
D = date.fromisoformat

FILES = {"cin_census": "cin_2024.xml", "ssda903": "903.csv"}

# A CIN census return for 2023-24 (census year 1 April 2023 to 31 March 2024): two children,
# three episodes, assessments with factors, a Section 47 leading to a CP plan, reviews.
CIN_BASE: Rows = {
    "cin_header": [{"referencedate": D("2024-03-31"), "lea": "201"}],
    "cin_child": [
        {
            "lachildid": "C1",
            "personbirthdate": D("2015-06-01"),
            "gendercurrent": "1",
            "ethnicity": "WBRI",
        },
        {
            "lachildid": "C2",
            "personbirthdate": D("2010-01-10"),
            "gendercurrent": "2",
            "ethnicity": "AIND",
        },
    ],
    "cin_disability": [
        {"_parent": 1, "_child": 1, "disability": "NONE"},
        {"_parent": 2, "_child": 2, "disability": "AUT"},
    ],
    "cin_details": [
        {
            "_parent": 1,
            "_child": 1,
            "cinreferraldate": D("2023-05-01"),
            "referralsource": "2A",
            "primaryneedcode": "N1",
            "cinclosuredate": D("2024-01-15"),
            "reasonforclosure": "RC1",
            "referralnfa": False,
        },
        {
            "_parent": 1,
            "_child": 1,
            "cinreferraldate": D("2024-02-01"),
            "referralsource": "6",
            "primaryneedcode": "N1",
            "referralnfa": False,
        },
        {
            "_parent": 2,
            "_child": 2,
            "cinreferraldate": D("2023-09-01"),
            "referralsource": "3A",
            "primaryneedcode": "N4",
            "referralnfa": False,
        },
    ],
    "cin_assessment": [
        {
            "_parent": 1,
            "_child": 1,
            "assessmentactualstartdate": D("2023-05-02"),
            "assessmentauthorisationdate": D("2023-06-20"),
        },
        {
            "_parent": 3,
            "_child": 2,
            "assessmentactualstartdate": D("2023-09-02"),
            "assessmentauthorisationdate": D("2023-10-10"),
        },
    ],
    "cin_assessment_factor": [
        {"_parent": 1, "_child": 1, "assessmentfactors": "16A"},
        {"_parent": 1, "_child": 1, "assessmentfactors": "3A"},
        {"_parent": 2, "_child": 2, "assessmentfactors": "11A"},
    ],
    "cin_plan": [{"_parent": 3, "_child": 2, "cinplanstartdate": D("2023-10-11")}],
    "cin_s47": [
        {
            "_parent": 2,
            "_child": 1,
            "s47actualstartdate": D("2024-02-05"),
            "initialcpctarget": D("2024-02-26"),
            "dateofinitialcpc": D("2024-02-20"),
            "icpcnotrequired": False,
        },
    ],
    "cin_cpp": [
        {
            "_parent": 2,
            "_child": 1,
            "cppstartdate": D("2024-02-20"),
            "initialcategoryofabuse": "NEG",
            "latestcategoryofabuse": "NEG",
            "numberofpreviouscpp": 0,
        },
        {
            "_parent": 1,
            "_child": 1,
            "cppstartdate": D("2023-06-21"),
            "cppenddate": D("2023-12-01"),
            "initialcategoryofabuse": "EMO",
            "latestcategoryofabuse": "MUL",
            "numberofpreviouscpp": 0,
        },
    ],
    "cin_cpp_review": [
        {"_parent": 1, "_child": 1, "cppreviewdate": D("2024-03-10")},
        {"_parent": 2, "_child": 1, "cppreviewdate": D("2023-09-01")},
    ],
}

# An SSDA903 return: two children, three episodes, a review and two missing episodes.
S903_BASE: Rows = {
    "s903_header": [
        {"child": "A1", "sex": "1", "dob": D("2010-05-01"), "ethnic": "WBRI"},
        {"child": "A2", "sex": "2", "dob": D("2008-01-01"), "ethnic": "BAFR"},
    ],
    "s903_episodes": [
        {
            "child": "A1",
            "decom": D("2023-04-10"),
            "rne": "S",
            "ls": "C2",
            "cin": "N1",
            "place": "U1",
            "dec": D("2023-08-01"),
            "rec": "X1",
            "reason_place_change": "CARPL",
        },
        {
            "child": "A1",
            "decom": D("2023-08-01"),
            "rne": "P",
            "ls": "C2",
            "cin": "N1",
            "place": "U3",
        },
        {
            "child": "A2",
            "decom": D("2023-06-01"),
            "rne": "S",
            "ls": "V2",
            "cin": "N4",
            "place": "K2",
            "dec": D("2023-12-01"),
            "rec": "E11",
        },
    ],
    "s903_reviews": [
        {"child": "A1", "dob": D("2010-05-01"), "review": D("2023-05-05"), "review_code": "PN1"},
    ],
    "s903_missing": [
        {
            "child": "A1",
            "dob": D("2010-05-01"),
            "missing": "M",
            "mis_start": D("2023-05-01"),
            "mis_end": D("2023-05-02"),
        },
        {
            "child": "A1",
            "dob": D("2010-05-01"),
            "missing": "A",
            "mis_start": D("2023-06-01"),
            "mis_end": D("2023-06-03"),
        },
    ],
}

BASE = {"cin_census": CIN_BASE, "ssda903": S903_BASE}

# rule code → (SQL that breaks the base return, the _seq values the rule must then flag)
Case = tuple[list[str], set[int]]
CIN_CASES: dict[str, Case] = {
    "8500": (["UPDATE cin_child SET lachildid = ' ' WHERE _seq = 2"], {2}),
    "8510": (["UPDATE cin_child SET lachildid = 'C1' WHERE _seq = 2"], {1, 2}),
    "8520": (["UPDATE cin_child SET personbirthdate = '2024-04-02' WHERE _seq = 2"], {2}),
    "8525": (["UPDATE cin_child SET expectedpersonbirthdate = '2015-06-01' WHERE _seq = 1"], {1}),
    "4180": (["UPDATE cin_child SET gendercurrent = '3' WHERE _seq = 1"], {1}),
    "8750": (
        [
            "UPDATE cin_child SET personbirthdate = NULL, expectedpersonbirthdate = '2024-06-01' "
            "WHERE _seq = 1"
        ],
        {1},
    ),
    "4220": (["UPDATE cin_child SET ethnicity = NULL WHERE _seq = 2"], {2}),
    "8540": (["UPDATE cin_disability SET disability = 'XYZ' WHERE _seq = 2"], {2}),
    "8590": (["DELETE FROM cin_details WHERE _parent = 2"], {2}),
    "8600": (["UPDATE cin_details SET cinreferraldate = NULL WHERE _seq = 3"], {3}),
    "8606": (["UPDATE cin_child SET personbirthdate = '2024-07-01' WHERE _seq = 2"], {3}),
    "8866": (["UPDATE cin_details SET referralsource = '11' WHERE _seq = 1"], {1}),
    "8610": (["UPDATE cin_details SET primaryneedcode = NULL WHERE _seq = 3"], {3}),
    "8650": (["UPDATE cin_details SET primaryneedcode = 'N10' WHERE _seq = 3"], {3}),
    "8620": (["UPDATE cin_details SET cinclosuredate = '2024-04-10' WHERE _seq = 1"], {1}),
    "8630": (["UPDATE cin_details SET cinclosuredate = '2023-04-20' WHERE _seq = 1"], {1}),
    "8640": (["UPDATE cin_details SET reasonforclosure = 'RC0' WHERE _seq = 1"], {1}),
    "8805": (["UPDATE cin_details SET reasonforclosure = NULL WHERE _seq = 1"], {1}),
    "8810": (["UPDATE cin_details SET reasonforclosure = 'RC7' WHERE _seq = 3"], {3}),
    "8815": (
        ["UPDATE cin_details SET cinclosuredate = NULL, reasonforclosure = NULL WHERE _seq = 1"],
        {1, 2},
    ),
    "8820": (["UPDATE cin_details SET cinreferraldate = '2023-12-01' WHERE _seq = 2"], {2}),
    "8608": (
        ["UPDATE cin_assessment SET assessmentauthorisationdate = '2023-05-01' WHERE _seq = 1"],
        {1},
    ),
    "1103": (
        ["UPDATE cin_assessment SET assessmentactualstartdate = '2023-08-01' WHERE _seq = 2"],
        {2},
    ),
    "8696": (
        ["UPDATE cin_assessment SET assessmentauthorisationdate = '2024-04-05' WHERE _seq = 2"],
        {2},
    ),
    "8736": (
        [
            "UPDATE cin_assessment SET assessmentauthorisationdate = NULL, "
            "assessmentactualstartdate = '2023-03-02' WHERE _seq = 2"
        ],
        {2},
    ),
    "8614": (
        ["UPDATE cin_assessment SET assessmentauthorisationdate = NULL WHERE _seq = 1"],
        {1, 2},
    ),
    "8617": (["UPDATE cin_assessment_factor SET assessmentfactors = '8A' WHERE _seq = 3"], {3}),
    "8898": (["UPDATE cin_assessment_factor SET assessmentfactors = '16A' WHERE _seq = 2"], {1, 2}),
    "8615": (["UPDATE cin_s47 SET s47actualstartdate = '2024-02-21' WHERE _seq = 1"], {1}),
    "2889": (["UPDATE cin_s47 SET s47actualstartdate = '2024-01-20' WHERE _seq = 1"], {1}),
    "1104": (["UPDATE cin_s47 SET dateofinitialcpc = '2024-01-25' WHERE _seq = 1"], {1}),
    "8715": (["UPDATE cin_s47 SET dateofinitialcpc = '2024-04-02' WHERE _seq = 1"], {1}),
    "8740": (
        [
            "UPDATE cin_s47 SET dateofinitialcpc = NULL, s47actualstartdate = '2023-03-01' "
            "WHERE _seq = 1"
        ],
        {1},
    ),
    "8720": (["UPDATE cin_cpp SET cppstartdate = NULL WHERE _seq = 1"], {1}),
    "8925": (["UPDATE cin_cpp SET cppenddate = '2023-06-01' WHERE _seq = 2"], {2}),
    "8840": (["UPDATE cin_cpp SET cppenddate = '2023-06-21' WHERE _seq = 2"], {2}),
    "8930": (["UPDATE cin_cpp SET cppenddate = '2024-04-15' WHERE _seq = 2"], {2}),
    "1105": (["UPDATE cin_cpp SET cppstartdate = '2023-04-20' WHERE _seq = 2"], {2}),
    "8905": (["UPDATE cin_cpp SET initialcategoryofabuse = 'XXX' WHERE _seq = 1"], {1}),
    "8910": (["UPDATE cin_cpp SET latestcategoryofabuse = NULL WHERE _seq = 1"], {1}),
    "8730": (["UPDATE cin_cpp SET numberofpreviouscpp = -1 WHERE _seq = 1"], {1}),
    "8935": (
        [
            "INSERT INTO cin_cpp (_seq, _parent, _child, _file, _row, _line, cppstartdate, "
            "initialcategoryofabuse, latestcategoryofabuse, numberofpreviouscpp) VALUES "
            "(3, 2, 1, 'cin_2024.xml', 'cin_cpp[3]', 999, '2024-03-01', 'NEG', 'NEG', 1)"
        ],
        {1, 3},
    ),
    "8940": (["UPDATE cin_cpp SET cppenddate = NULL WHERE _seq = 2"], {1}),
    "8832": (["UPDATE cin_details SET referralnfa = true WHERE _seq = 2"], {1}),
    "8841": (["UPDATE cin_cpp_review SET cppreviewdate = '2024-02-20' WHERE _seq = 1"], {1}),
    "4011": (["UPDATE cin_plan SET cinplanenddate = '2023-10-01' WHERE _seq = 1"], {1}),
}

S903_CASES: dict[str, Case] = {
    "101": (["UPDATE s903_header SET sex = '3' WHERE _seq = 1"], {1}),
    "102": (["UPDATE s903_header SET dob = NULL WHERE _seq = 2"], {2}),
    "103": (["UPDATE s903_header SET ethnic = 'bafr' WHERE _seq = 2"], {2}),
    "INT32": (["UPDATE s903_header SET child = 'A1' WHERE _seq = 2"], {1, 2}),
    "141": (["UPDATE s903_episodes SET decom = NULL WHERE _seq = 3"], {3}),
    "143": (["UPDATE s903_episodes SET rne = 'X' WHERE _seq = 1"], {1}),
    "144": (["UPDATE s903_episodes SET ls = NULL WHERE _seq = 1"], {1}),
    "145": (["UPDATE s903_episodes SET cin = 'N9' WHERE _seq = 3"], {3}),
    "146": (["UPDATE s903_episodes SET place = 'A1' WHERE _seq = 2"], {2}),
    "149": (["UPDATE s903_episodes SET rec = 'E99' WHERE _seq = 1"], {1}),
    "1009": (["UPDATE s903_episodes SET reason_place_change = 'XXXXX' WHERE _seq = 1"], {1}),
    "356": (["UPDATE s903_episodes SET dec = '2023-05-01' WHERE _seq = 3"], {3}),
    "142": (["UPDATE s903_episodes SET dec = NULL WHERE _seq = 1"], {1}),
    "501": (["UPDATE s903_episodes SET decom = '2023-07-01' WHERE _seq = 2"], {2}),
    "302": (["UPDATE s903_header SET dob = '2023-05-01' WHERE _seq = 1"], {1}),
    "352": (["UPDATE s903_header SET dob = '2005-05-01' WHERE _seq = 2"], {3}),
    "166": (["UPDATE s903_reviews SET review = NULL WHERE _seq = 1"], {1}),
    "167": (["UPDATE s903_reviews SET review_code = 'PN9' WHERE _seq = 1"], {1}),
    "INT08": (["UPDATE s903_reviews SET child = 'ZZ' WHERE _seq = 1"], {1}),
    "1006": (["UPDATE s903_missing SET missing = 'X' WHERE _seq = 1"], {1}),
    "1004": (["UPDATE s903_missing SET mis_start = NULL WHERE _seq = 2"], {2}),
    "567": (["UPDATE s903_missing SET mis_end = '2023-04-30' WHERE _seq = 1"], {1}),
    "574": (["UPDATE s903_missing SET mis_end = NULL WHERE _seq = 1"], {2}),
    "INT04": (["UPDATE s903_missing SET child = 'ZZ' WHERE _seq = 2"], {2}),
}

CASES = {"cin_census": CIN_CASES, "ssda903": S903_CASES}


def stage(rows: Rows, source: str, skip: tuple[str, ...] = ()) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB holding the source's staging tables, filled with ``rows``."""
    con = duckdb.connect(":memory:")
    for table in all_tables().values():
        if table.source != source or table.name in skip:
            continue
        con.execute(table.ddl())
        names = [c.name for c in table.columns]
        records = [
            [
                seq,
                row.get("_parent"),
                row.get("_child"),
                FILES[source],
                f"{table.record}[{seq}]",
                seq * 10,
                *(row.get(n) for n in names),
            ]
            for seq, row in enumerate(rows.get(table.name, []), start=1)
        ]
        if records:
            marks = ", ".join("?" for _ in records[0])
            con.executemany(f"INSERT INTO {table.name} VALUES ({marks})", records)
    return con


def flagged(con: duckdb.DuckDBPyConnection, rule: Rule) -> set[int]:
    return {seq for seq, *_ in offending_rows(con, rule)}


# The rules of the other 903 files have their cases, over a fuller return, in
# test_rules_s903_files.py.
OWN_CASES = [rule for rule in RULES if rule not in S903_OTHER_FILES]


def cases() -> list[Any]:
    return [pytest.param(rule, id=rule.label) for rule in OWN_CASES]


@pytest.fixture(scope="module")
def staged() -> Iterator[dict[str, duckdb.DuckDBPyConnection]]:
    """One staged sound return per source; each test breaks it inside a rolled-back transaction."""
    cons = {source: stage(rows, source) for source, rows in BASE.items()}
    yield cons
    for con in cons.values():
        con.close()


def test_every_rule_has_a_case() -> None:
    for source, source_cases in CASES.items():
        assert set(source_cases) == {
            r.code for r in rules_for(source) if r not in S903_OTHER_FILES
        }, source


@pytest.mark.parametrize("source", sorted(BASE))
def test_sound_return_has_no_findings(
    source: str, staged: dict[str, duckdb.DuckDBPyConnection]
) -> None:
    assert run_rules(staged[source], source) == []


@pytest.mark.parametrize("rule", cases())
def test_rule_flags_the_broken_record_and_passes_the_sound_one(
    rule: Rule, staged: dict[str, duckdb.DuckDBPyConnection]
) -> None:
    statements, expected = CASES[rule.source][rule.code]
    con = staged[rule.source]
    assert flagged(con, rule) == set(), "the sound record must pass"
    con.execute("BEGIN TRANSACTION")
    try:
        for statement in statements:
            con.execute(statement)
        assert flagged(con, rule) == expected, "the broken record must be flagged"
    finally:
        con.execute("ROLLBACK")


def test_findings_carry_location_line_field_and_rule() -> None:
    con = stage(CIN_BASE, "cin_census")
    con.execute("UPDATE cin_child SET lachildid = NULL WHERE _seq = 2")
    [finding] = [f for f in run_rules(con, "cin_census") if f.rule == "CIN 8500"]
    assert finding.file == "cin_2024.xml"
    assert finding.location == "Child[2]"
    assert finding.line == 20
    assert finding.field == "LAchildID"
    assert finding.message == "LA Child ID missing"
    assert finding.level is Level.field
    assert finding.severity is Severity.error
    assert (finding.table, finding.seq) == ("cin_child", 2)


def test_absent_tables_skip_their_rules() -> None:
    broken = {**S903_BASE, "s903_reviews": [{"child": "ZZ", "review_code": "PN9"}]}
    con = stage(broken, "ssda903", skip=("s903_reviews",))
    assert run_rules(con, "ssda903") == []
    con = stage(broken, "ssda903")
    assert {"903 166", "903 INT08"} <= {f.rule for f in run_rules(con, "ssda903")}
    # a rule reading a second table is skipped when that table is absent, the rest still run
    con = stage(S903_BASE, "ssda903", skip=("s903_header",))
    con.execute("UPDATE s903_missing SET child = 'ZZ', missing = 'X' WHERE _seq = 2")
    assert {f.rule for f in run_rules(con, "ssda903")} == {"903 1006"}


def test_rules_of_another_source_do_not_run() -> None:
    con = stage(CIN_BASE, "cin_census")
    assert rules_for("annex_a") == ()
    assert run_rules(con, "annex_a") == []


def test_codes_unique_per_source_and_rules_described() -> None:
    tables = all_tables()
    for source in ("cin_census", "ssda903"):
        codes = [r.code for r in rules_for(source)]
        assert len(codes) == len(set(codes)), source
    assert len(rules_for("cin_census")) >= 20
    assert len(rules_for("ssda903")) >= 15
    for rule in RULES:
        table = tables[rule.table]
        assert table.source == rule.source
        assert rule.field.lower() in {c.name for c in table.columns}, rule.label
        assert rule.message and rule.reference and "_seq" in rule.sql
        assert rule.level in (Level.field, Level.record)
        assert rule.severity in (Severity.error, Severity.warning, Severity.query)


def test_code_lists_are_null_safe() -> None:
    con = duckdb.connect(":memory:")
    con.execute("CREATE TABLE t (v VARCHAR)")
    con.execute("INSERT INTO t VALUES ('A'), ('B'), (NULL), (' ')")
    required = not_in_codes("v", ("A",), blank_allowed=False)
    optional = not_in_codes("v", ("A",), blank_allowed=True)
    assert con.execute(f"SELECT count(*) FROM t WHERE {required}").fetchone() == (3,)
    assert con.execute(f"SELECT count(*) FROM t WHERE {optional}").fetchone() == (1,)


def test_rules_markdown_lists_every_rule() -> None:
    text = rules_markdown()
    assert text.startswith("| Code | Source | Field | Level | Severity | Message |")
    for rule in RULES:
        assert f"| {rule.label} | {rule.source} | {rule.field} |" in text
