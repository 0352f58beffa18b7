"""The DfE validation rules: every rule flags a broken record and passes a sound one.

Each source has one small, internally consistent return (``BASE``) that no rule may flag,
and each rule has a case: SQL that breaks one thing in that return and the rows the rule
must then flag. A rule added to the registry without a case fails ``test_every_rule_has_a_case``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any, cast

import duckdb
import pytest

from safeplan.ingest.calendar import working_days_between
from safeplan.ingest.findings import Finding, Level, Severity
from safeplan.ingest.partner import partner_tables
from safeplan.ingest.rules import (
    COLLECTION,
    RULES,
    S903_BY_FILE,
    S903_OTHER_FILES,
    S903_PLACES,
    Rule,
    offending_rows,
    rules_for,
    rules_markdown,
    run_rules,
    stage_collection,
)
from safeplan.ingest.rules.base import not_in_codes, working_days_before
from safeplan.ingest.rules.partner import RULES as PARTNER_RULES
from safeplan.ingest.staging import all_tables

Rows = dict[str, list[dict[str, Any]]]
D = date.fromisoformat

FILES = {"cin_census": "cin_2024.xml", "ssda903": "903.csv"}

# A CIN census return for 2023-24 (census year 1 April 2023 to 31 March 2024): two children,
# three episodes, assessments with factors, a Section 47 leading to a CP plan, a CP plan from
# an episode's own initial conference, reviews, and enough disability codes for 2887Q.
DISABILITIES = ("MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR")
YEAR = 2024
CIN_BASE: Rows = {
    "cin_header": [{"referencedate": D("2024-03-31"), "lea": "201"}],
    "cin_child": [
        {
            "lachildid": "C1",
            "upn": "P201123456789",
            "personbirthdate": D("2015-06-01"),
            "gendercurrent": "1",
            "ethnicity": "WBRI",
        },
        {
            "lachildid": "C2",
            "upn": "J201987654321",
            "personbirthdate": D("2010-01-10"),
            "gendercurrent": "2",
            "ethnicity": "AIND",
        },
    ],
    "cin_disability": [
        {"_parent": 1, "_child": 1, "disability": "NONE"},
        {"_parent": 2, "_child": 2, "disability": "AUT"},
        # eight codes in the return and a child with more than one (2887Q, 2888Q)
        *({"_parent": 2, "_child": 2, "disability": code} for code in DISABILITIES),
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
            "dateofinitialcpc": D("2023-06-21"),
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
        {
            "_parent": 2,
            "_child": 1,
            "assessmentactualstartdate": D("2024-02-02"),
            "assessmentauthorisationdate": D("2024-02-16"),
        },
    ],
    "cin_assessment_factor": [
        {"_parent": 1, "_child": 1, "assessmentfactors": "16A"},
        {"_parent": 1, "_child": 1, "assessmentfactors": "3A"},
        {"_parent": 2, "_child": 2, "assessmentfactors": "11A"},
        {"_parent": 3, "_child": 1, "assessmentfactors": "4B"},
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

# The 903 rules of each file have a return and cases of their own, for every collection
# year: test_rules_903_files.py and test_rules_s903_files.py (test_rules_903_places.py for
# those reading the reference lists); the partner rules in test_rules_partner.py.
ELSEWHERE = frozenset((*S903_BY_FILE, *S903_OTHER_FILES, *S903_PLACES, *PARTNER_RULES))
ELSEWHERE_LABELS = frozenset(rule.label for rule in ELSEWHERE)


def here(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.rule not in ELSEWHERE_LABELS]


# rule code → (SQL that breaks the base return, the _seq values the rule must then flag)
Case = tuple[list[str], set[int]]
S47_INSERT = (
    "INSERT INTO cin_s47 (_seq, _parent, _child, _file, _row, _line, s47actualstartdate, "
    "dateofinitialcpc, icpcnotrequired) VALUES "
)
PLAN_INSERT = (
    "INSERT INTO cin_plan (_seq, _parent, _child, _file, _row, _line, cinplanstartdate) VALUES "
)
CIN_CASES: dict[str, Case] = {
    "8500": (["UPDATE cin_child SET lachildid = ' ' WHERE _seq = 2"], {2}),
    "8510": (["UPDATE cin_child SET lachildid = 'C1' WHERE _seq = 2"], {1, 2}),
    "8520": (["UPDATE cin_child SET personbirthdate = '2024-04-02' WHERE _seq = 2"], {2}),
    "8525": (["UPDATE cin_child SET expectedpersonbirthdate = '2015-06-01' WHERE _seq = 1"], {1}),
    "4180:-2024": (["UPDATE cin_child SET gendercurrent = '3' WHERE _seq = 1"], {1}),
    "8750:-2024": (
        [
            "UPDATE cin_child SET personbirthdate = NULL, expectedpersonbirthdate = '2024-06-01' "
            "WHERE _seq = 1"
        ],
        {1},
    ),
    # 2024-25 on: <Sex> (M, F, U) in place of <GenderCurrent> (safeplan.ingest.years)
    "4180:2025-": (["UPDATE cin_child SET sex = '1' WHERE _seq = 1"], {1}),
    "8750:2025-": (
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
    # The rules below adapt the example data of data-to-insight/csc-validator-be-cin
    # (cin_validator/rules/<year>/rule_<code>.py, test_validate; MIT) to this return.
    # Keys: the code, or "code:since-until" for a rule the DfE changed in a year.
    "100": (["UPDATE cin_header SET referencedate = '2023-03-31'"], {1}),
    "1510": (["UPDATE cin_child SET upn = 'A201123456789' WHERE _seq = 1"], {1}),
    "1520": (["UPDATE cin_child SET upn = 'P201123456789' WHERE _seq = 2"], {1, 2}),
    "1530:-2023": (["UPDATE cin_child SET upn = 'A942123456789' WHERE _seq = 1"], {1}),
    "1530:2024-": (["UPDATE cin_child SET upn = 'A999123456789' WHERE _seq = 1"], {1}),
    "1540": (["UPDATE cin_child SET upn = 'P201A23456789' WHERE _seq = 1"], {1}),
    "1550": (["UPDATE cin_child SET upn = 'P20112345678I' WHERE _seq = 1"], {1}),
    "1560Q": (["UPDATE cin_child SET formerupn = 'X12345' WHERE _seq = 1"], {1}),
    "1570:2025-": (["UPDATE cin_child SET lachildid = repeat('C', 21) WHERE _seq = 1"], {1}),
    "1580:2025-": (["UPDATE cin_child SET lachildid = 'C-1' WHERE _seq = 1"], {1}),
    "8530Q": (
        [
            "UPDATE cin_child SET personbirthdate = NULL, expectedpersonbirthdate = '2025-01-02' "
            "WHERE _seq = 1"
        ],
        {1},
    ),
    "8535Q": (["UPDATE cin_child SET persondeathdate = '2014-01-01' WHERE _seq = 1"], {1}),
    "8545Q": (["UPDATE cin_child SET persondeathdate = '2023-03-01' WHERE _seq = 1"], {1}),
    "8770Q:-2024": (["UPDATE cin_child SET upn = NULL WHERE _seq = 2"], {2}),
    "8770Q:2025-": (["UPDATE cin_child SET upn = NULL, upnunknown = 'UN1' WHERE _seq = 2"], {2}),
    "8772": (["UPDATE cin_child SET upnunknown = 'UN7' WHERE _seq = 1"], {1}),
    "8775Q": (["UPDATE cin_child SET personbirthdate = '1998-01-01' WHERE _seq = 2"], {2}),
    "8790": (["UPDATE cin_disability SET _parent = 1 WHERE _seq = 3"], {1, 3}),
    "8794": (["UPDATE cin_disability SET disability = 'AUT' WHERE _seq = 3"], {2, 3}),
    "2883": (["UPDATE cin_details SET dateofinitialcpc = NULL WHERE _seq = 1"], {1}),
    "2886Q:-2024": (["UPDATE cin_child SET gendercurrent = '0' WHERE _seq = 1"], {1}),
    "2886Q:2025-": (["UPDATE cin_child SET sex = 'U' WHERE _seq = 1"], {1}),
    "2887Q": (["DELETE FROM cin_disability WHERE _seq = 9"], {1}),
    "2888Q": (["DELETE FROM cin_disability WHERE _seq >= 3"], {1}),
    "8555Q": (["UPDATE cin_child SET persondeathdate = '2024-01-20' WHERE _seq = 1"], {2}),
    "8565": (["UPDATE cin_cpp SET cppenddate = '2024-01-20' WHERE _seq = 2"], {1}),
    "8568": (["UPDATE cin_details SET referralnfa = NULL WHERE _seq = 3"], {3}),
    "8569Q": (
        [
            "UPDATE cin_details SET cinreferraldate = '2023-03-30', referralnfa = true "
            "WHERE _seq = 1"
        ],
        {1},
    ),
    "8585Q": (["UPDATE cin_details SET reasonforclosure = 'RC2' WHERE _seq = 1"], {1}),
    "8816": (
        ["UPDATE cin_details SET cinclosuredate = NULL, reasonforclosure = NULL WHERE _seq = 1"],
        {1},
    ),
    "8825Q": (
        [
            "UPDATE cin_details SET reasonforclosure = 'RC8' WHERE _seq = 1",
            "DELETE FROM cin_assessment WHERE _parent = 1",
        ],
        {1},
    ),
    "8831": (["UPDATE cin_details SET referralnfa = true WHERE _seq = 3"], {3}),
    "8867": (
        ["UPDATE cin_assessment SET assessmentauthorisationdate = NULL WHERE _seq = 1"],
        {1},
    ),
    "8868": (
        [
            "UPDATE cin_details SET cinclosuredate = '2024-03-01', reasonforclosure = 'RC1' "
            "WHERE _seq = 2",
            "UPDATE cin_s47 SET dateofinitialcpc = NULL WHERE _seq = 1",
        ],
        {2},
    ),
    "2990": (["UPDATE cin_details SET reasonforclosure = 'RC8' WHERE _seq = 1"], {1}),
    "8670Q": (
        ["UPDATE cin_assessment SET assessmentauthorisationdate = NULL WHERE _seq = 2"],
        {2},
    ),
    "8863Q": (
        [
            "UPDATE cin_assessment SET _parent = 1, assessmentactualstartdate = '2023-06-01' "
            "WHERE _seq = 3"
        ],
        {3},
    ),
    "8896": (
        [
            "UPDATE cin_assessment SET assessmentauthorisationdate = NULL WHERE _seq IN (1, 3)",
            "UPDATE cin_assessment SET _parent = 1 WHERE _seq = 3",
        ],
        {1, 3},
    ),
    "8897Q": (["DELETE FROM cin_assessment_factor WHERE _seq = 3"], {2}),
    "8869": (["UPDATE cin_assessment_factor SET assessmentfactors = '21' WHERE _seq = 1"], {1, 2}),
    "8873Q": (
        [
            "DELETE FROM cin_assessment_factor WHERE _seq = 2",
            "UPDATE cin_assessment_factor SET assessmentfactors = '21' WHERE _seq = 1",
        ],
        {1},
    ),
    "8945Q:2025-": (
        ["UPDATE cin_assessment_factor SET assessmentfactors = '18A' WHERE _seq = 4"],
        {4},
    ),
    "8950Q:2025-": (
        ["UPDATE cin_assessment_factor SET assessmentfactors = '19A' WHERE _seq = 4"],
        {4},
    ),
    "2991Q": (["DELETE FROM cin_assessment WHERE _seq = 3"], {1}),
    "8675Q": (["UPDATE cin_s47 SET dateofinitialcpc = NULL WHERE _seq = 1"], {1}),
    "8839": (
        [
            "UPDATE cin_s47 SET dateofinitialcpc = NULL WHERE _seq = 1",
            S47_INSERT
            + "(2, 2, 1, 'cin_2024.xml', 'Section47[2]', 999, '2024-03-01', NULL, false)",
        ],
        {1, 2},
    ),
    "8870Q": (["UPDATE cin_s47 SET initialcpctarget = '2024-02-24' WHERE _seq = 1"], {1}),
    "8875": (["UPDATE cin_s47 SET dateofinitialcpc = '2022-10-09' WHERE _seq = 1"], {1}),
    "8890": (
        [
            S47_INSERT + "(2, 2, 1, 'cin_2024.xml', 'Section47[2]', 999, '2024-02-10', "
            "'2024-02-22', false)"
        ],
        {2},
    ),
    "2884": (["UPDATE cin_details SET dateofinitialcpc = '2024-02-20' WHERE _seq = 2"], {1}),
    "2885": (["UPDATE cin_s47 SET dateofinitialcpc = '2024-02-19' WHERE _seq = 1"], {1}),
    "8915": (["UPDATE cin_child SET persondeathdate = '2024-02-10' WHERE _seq = 1"], {1}),
    "8920": (["UPDATE cin_child SET persondeathdate = '2023-11-01' WHERE _seq = 1"], {2}),
    "4017": (
        ["UPDATE cin_plan SET _parent = 2, _child = 1, cinplanstartdate = '2024-02-01'"],
        {1},
    ),
    "8842Q": (["UPDATE cin_cpp_review SET cppreviewdate = NULL WHERE _seq = 2"], {2}),
    "4003": (
        ["UPDATE cin_plan SET _parent = 2, _child = 1, cinplanstartdate = '2024-03-01'"],
        {1},
    ),
    "4000": (["UPDATE cin_details SET referralnfa = true WHERE _seq = 3"], {1}),
    "4001": (["UPDATE cin_plan SET _parent = 2, _child = 1"], {1}),
    "4004": (
        [PLAN_INSERT + "(2, 3, 2, 'cin_2024.xml', 'CINPlanDates[2]', 999, '2024-01-01')"],
        {1, 2},
    ),
    "4008": (["UPDATE cin_child SET persondeathdate = '2023-10-01' WHERE _seq = 2"], {1}),
    "4009Q": (
        [
            "UPDATE cin_plan SET cinplanenddate = '2024-01-10'",
            "UPDATE cin_child SET persondeathdate = '2024-01-01' WHERE _seq = 2",
        ],
        {1},
    ),
    "4010": (["UPDATE cin_plan SET cinplanstartdate = NULL"], {1}),
    "4012Q": (["UPDATE cin_plan SET cinplanenddate = '2023-10-11'"], {1}),
    "4013": (["UPDATE cin_plan SET cinplanenddate = '2024-04-02'"], {1}),
    "4014": (
        [PLAN_INSERT + "(2, 3, 2, 'cin_2024.xml', 'CINPlanDates[2]', 999, '2023-12-01')"],
        {2},
    ),
    "4015": (["UPDATE cin_plan SET cinplanstartdate = '2023-08-01'"], {1}),
    "4016": (
        ["UPDATE cin_plan SET _parent = 1, _child = 1, cinplanstartdate = '2023-07-01'"],
        {1},
    ),
}

S903_CASES: dict[str, Case] = {
    "101:-2024": (["UPDATE s903_header SET sex = '3' WHERE _seq = 1"], {1}),
    "101:2025-": (["UPDATE s903_header SET sex = '1' WHERE _seq = 1"], {1}),
    "102": (["UPDATE s903_header SET dob = NULL WHERE _seq = 2"], {2}),
    "103": (["UPDATE s903_header SET ethnic = 'bafr' WHERE _seq = 2"], {2}),
    "INT32": (["UPDATE s903_header SET child = 'A1' WHERE _seq = 2"], {1, 2}),
    "141": (["UPDATE s903_episodes SET decom = NULL WHERE _seq = 3"], {3}),
    "143": (["UPDATE s903_episodes SET rne = 'X' WHERE _seq = 1"], {1}),
    "144": (["UPDATE s903_episodes SET ls = NULL WHERE _seq = 1"], {1}),
    "145": (["UPDATE s903_episodes SET cin = 'N9' WHERE _seq = 3"], {3}),
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

# The sound return in a later year's layout: run first, in the same transaction, by the
# cases of rules in force from that year (``Rule.since``).
YEAR_LAYOUT: dict[tuple[str, int], list[str]] = {
    ("cin_census", 2025): [
        "UPDATE cin_child SET sex = CASE gendercurrent WHEN '1' THEN 'M' WHEN '2' THEN 'F' "
        "ELSE 'U' END, gendercurrent = NULL"
    ],
    ("ssda903", 2025): ["UPDATE s903_header SET sex = CASE sex WHEN '1' THEN 'M' ELSE 'F' END"],
}


def layout_for(source: str, year: int | None) -> list[str]:
    """The statements that put the sound return in ``year``'s layout."""
    steps = [k for k in YEAR_LAYOUT if k[0] == source and year is not None and k[1] <= year]
    return [sql for k in sorted(steps) for sql in YEAR_LAYOUT[k]]


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


def case_key(rule: Rule) -> str:
    """A rule's case: its code, or ``code:since-until`` for a rule of some years only."""
    if rule.since is None and rule.until is None:
        return rule.code
    return f"{rule.code}:{rule.since or ''}-{rule.until or ''}"


def cases() -> list[Any]:
    return [
        pytest.param(rule, id=f"{rule.label}:{case_key(rule)}")
        for rule in RULES
        if rule not in ELSEWHERE
    ]


@pytest.fixture(scope="module")
def staged() -> Iterator[dict[str, duckdb.DuckDBPyConnection]]:
    """One staged sound return per source; each test breaks it inside a rolled-back transaction."""
    cons = {source: stage(rows, source) for source, rows in BASE.items()}
    yield cons
    for con in cons.values():
        con.close()


def test_every_rule_has_a_case() -> None:
    for source, source_cases in CASES.items():
        expected = {case_key(r) for r in RULES if r.source == source and r not in ELSEWHERE}
        assert set(source_cases) == expected, source


@pytest.mark.parametrize("year", [None, YEAR])
@pytest.mark.parametrize("source", sorted(BASE))
def test_sound_return_has_no_findings(
    source: str, year: int | None, staged: dict[str, duckdb.DuckDBPyConnection]
) -> None:
    assert here(run_rules(staged[source], source, year)) == []


@pytest.mark.parametrize("year", range(2023, 2028))
@pytest.mark.parametrize("source", sorted(BASE))
def test_sound_return_in_each_years_layout_has_no_findings(
    source: str, year: int, staged: dict[str, duckdb.DuckDBPyConnection]
) -> None:
    con = staged[source]
    con.execute("BEGIN TRANSACTION")
    try:
        for statement in layout_for(source, year):
            con.execute(statement)
        # The sound return's records are dated in 2023-24: in another year the rules that
        # compare them with the collection year flag them, rightly; the layout is what is
        # tested here.
        dated = {r.label for r in RULES if COLLECTION in r.tables or r.code == "100"}
        found = run_rules(con, source, year)
        assert [f for f in here(found) if year == YEAR or f.rule not in dated] == []
    finally:
        con.execute("ROLLBACK")


@pytest.mark.parametrize("rule", cases())
def test_rule_flags_the_broken_record_and_passes_the_sound_one(
    rule: Rule, staged: dict[str, duckdb.DuckDBPyConnection]
) -> None:
    statements, expected = CASES[rule.source][case_key(rule)]
    con = staged[rule.source]
    stage_collection(con, YEAR)  # the base return's year, 2023-24
    con.execute("BEGIN TRANSACTION")
    try:
        for statement in layout_for(rule.source, rule.since):
            con.execute(statement)
        assert flagged(con, rule) == set(), "the sound record must pass"
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
    assert here(run_rules(con, "ssda903")) == []
    con = stage(broken, "ssda903")
    assert {"903 166", "903 INT08"} <= {f.rule for f in run_rules(con, "ssda903")}
    # a rule reading a second table is skipped when that table is absent, the rest still run
    con = stage(S903_BASE, "ssda903", skip=("s903_header",))
    con.execute("UPDATE s903_missing SET child = 'ZZ', missing = 'X' WHERE _seq = 2")
    assert {f.rule for f in here(run_rules(con, "ssda903"))} == {"903 1006"}


def test_rules_of_another_source_do_not_run() -> None:
    con = stage(CIN_BASE, "cin_census")
    assert rules_for("annex_a") == ()
    assert run_rules(con, "annex_a") == []


def test_codes_unique_per_source_and_rules_described() -> None:
    tables = all_tables() | {t.name: t for t in partner_tables()}
    for source in ("cin_census", "ssda903"):
        for year in (None, 2023, 2024, 2025, 2026):
            # a rule may flag rows of two files (903 1014: the UASC and OC3 rows), once each
            codes = [(r.code, r.table) for r in rules_for(source, year)]
            assert len(codes) == len(set(codes)), (source, year)
    assert len(rules_for("cin_census", 2026)) >= 100
    assert len(rules_for("ssda903")) >= 15
    for rule in RULES:
        table = tables[rule.table]
        assert table.source == rule.source
        assert rule.field.lower() in {c.name for c in table.columns}, rule.label
        assert rule.message and rule.reference and "_seq" in rule.sql
        assert rule.level in (Level.field, Level.record)
        assert rule.severity in (Severity.error, Severity.warning, Severity.query)
        assert (rule.severity is Severity.query) == rule.code.endswith("Q"), rule.label
        assert ("sp_collection" in rule.tables) == ("sp_collection" in rule.sql), rule.label


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


def test_working_days_before_skips_weekends_and_bank_holidays() -> None:
    """The DfE's "<ReferenceDate> minus N working days" (8569Q, 8670Q, 8675Q): counted back
    from the day before, Good Friday and Easter Monday 2024 skipped."""
    con = duckdb.connect(":memory:")
    stage_collection(con, 2024)

    def before(day: str, n: int) -> date:
        row = con.execute(f"SELECT {working_days_before(f'DATE {day!r}', n)}").fetchone()
        assert row is not None
        return cast(date, row[0])

    assert before("2024-03-31", 1) == D("2024-03-28")  # Sunday; Good Friday 29 March
    assert before("2023-04-01", 1) == D("2023-03-31")  # Saturday: the Friday before
    assert before("2024-04-02", 1) == D("2024-03-28")  # Tuesday after Easter Monday
    assert before("2024-03-31", 15) == D("2024-03-08")
    assert working_days_between(before("2024-03-31", 45), D("2024-03-28")) == 44
