"""The SSDA903 rules of the Reviews, Missing, OC2, OC3, AD1, PlacedAdoption and PrevPerm files:
each flags a broken record and passes a sound one, in every collection year it is in force.

As in test_rules.py, one sound return (``BASE``, the 2023-24 collection, moved a whole number
of years for the other collection years) that no 903 rule may flag, and one case per rule:
SQL that breaks one thing and the rows the rule must then flag. Cases follow the example
data of the rule's test in data-to-insight/csc-validator-be-903 (MIT) where it applies
(``lac_validator/rules/<year>/rule_<code>.py``, ``test_validate``), moved onto this return.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from datetime import date

import duckdb
import pytest

from safeplan.ingest.rules import S903_OTHER_FILES, Rule, run_rules, stage_collection
from safeplan.ingest.staging import all_tables
from tests.ingest.test_rules import S903_BASE, Rows, flagged, stage

D = date.fromisoformat
BASE_YEAR = 2024  # the collection year of BASE: 1 April 2023 to 31 March 2024
YEARS = (2023, 2024, 2025, 2026, 2027)


def _child(child: str, dob: str, sex: str = "1", ethnic: str = "WBRI") -> dict[str, object]:
    return {"child": child, "sex": sex, "dob": D(dob), "ethnic": ethnic}


def _episode(
    child: str, decom: str, rne: str, ls: str, place: str, **rest: str
) -> dict[str, object]:
    row: dict[str, object] = {
        "child": child,
        "decom": D(decom),
        "rne": rne,
        "ls": ls,
        "cin": "N1",
        "place": place,
    }
    for key, value in rest.items():
        row[key] = D(value) if key == "dec" else value
    return row


# The first return's children (A1, A2) and, for these files:
# B1, B2 looked after continuously for 12 months (OC2; B2 under 5), C1 a care leaver (OC3),
# D1 adopted in the year (AD1, PlacedAdoption), F1 with a reversed decision to place for
# adoption and a second decision (PlacedAdoption).
BASE: Rows = copy.deepcopy(S903_BASE)
BASE["s903_header"] += [
    _child("B1", "2012-06-15"),
    _child("B2", "2020-09-01", "2", "AIND"),
    _child("C1", "2005-07-01", "2", "BAFR"),
    _child("D1", "2019-02-10"),
    _child("F1", "2016-03-03", "2"),
    _child("G1", "2009-05-05"),
]
BASE["s903_episodes"] += [
    _episode("B1", "2020-01-10", "S", "C2", "U1"),  # 4
    _episode("B2", "2021-02-01", "S", "C2", "U1"),  # 5
    _episode("D1", "2021-05-01", "S", "C2", "U1", dec="2022-11-01", rec="X1"),  # 6
    _episode("D1", "2022-11-01", "B", "E1", "A4", dec="2023-10-15", rec="E11"),  # 7
    _episode("F1", "2023-04-20", "S", "C2", "U1"),  # 8
    _episode("G1", "2023-05-01", "S", "C2", "K2"),  # 9
]
BASE["s903_reviews"] += [
    {"child": "B1", "dob": D("2012-06-15"), "review": D("2023-09-01"), "review_code": "PN3"},
    {"child": "B2", "dob": D("2020-09-01"), "review": D("2023-10-01"), "review_code": "PN0"},
]
BASE["s903_missing"] += [
    {
        "child": "B1",
        "dob": D("2012-06-15"),
        "missing": "M",
        "mis_start": D("2023-07-01"),
        "mis_end": D("2023-07-02"),
    },
]
BASE["s903_oc2"] = [
    {
        "child": "B1",
        "dob": D("2012-06-15"),
        "sdq_score": 12,
        "convicted": "0",
        "immunisations": "1",
        "teeth_check": "1",
        "health_assessment": "1",
        "substance_misuse": "0",
    },
    {
        "child": "B2",
        "dob": D("2020-09-01"),
        "health_check": "1",
        "immunisations": "1",
        "teeth_check": "1",
        "health_assessment": "0",
        "substance_misuse": "0",
    },
]
BASE["s903_oc3"] = [
    {"child": "C1", "dob": D("2005-07-01"), "in_touch": "YES", "activ": "F2", "accom": "E1"},
]
BASE["s903_ad1"] = [
    {
        "child": "D1",
        "dob": D("2019-02-10"),
        "date_int": D("2022-08-01"),
        "date_match": D("2022-10-01"),
        "foster_care": "0",
        "nb_adoptr": 2,
        "sex_adoptr": "MF",
        "ls_adoptr": "L11",
    },
]
BASE["s903_placed_adoption"] = [
    {"child": "D1", "dob": D("2019-02-10"), "date_placed": D("2022-08-01")},
    {
        "child": "F1",
        "dob": D("2016-03-03"),
        "date_placed": D("2023-05-01"),
        "date_placed_ceased": D("2023-07-01"),
        "reason_placed_ceased": "RD1",
    },
    {"child": "F1", "dob": D("2016-03-03"), "date_placed": D("2023-09-01")},
]
BASE["s903_dolo"] = [  # read from the 2026-27 collection
    {
        "child": "G1",
        "dob": D("2009-05-05"),
        "dolo_start": D("2023-06-01"),
        "dolo_end": D("2023-09-01"),
    },
]
BASE["s903_prev_perm"] = [
    {
        "child": "B1",
        "dob": D("2012-06-15"),
        "prev_perm": "P2",
        "la_perm": "201",
        "date_perm": D("2018-03-01"),
    },
]


# Last year's return (2022-23), as far as the continuity rules read it: staged as
# s903_<file>_last.
LAST: Rows = {
    "s903_episodes": [
        _episode("B1", "2020-01-10", "S", "C2", "U1"),
        _episode("B2", "2021-02-01", "S", "C2", "U1"),
        _episode("C1", "2019-01-01", "S", "C2", "U1", dec="2022-12-01", rec="E8"),
        _episode("D1", "2021-05-01", "S", "C2", "U1", dec="2022-11-01", rec="X1"),
        _episode("D1", "2022-11-01", "B", "E1", "A4"),
    ],
    "s903_missing": [
        {
            "child": "B1",
            "dob": D("2012-06-15"),
            "missing": "M",
            "mis_start": D("2022-06-01"),
            "mis_end": D("2022-06-02"),
        },
    ],
    "s903_oc3": [
        {"child": "C1", "dob": D("2005-07-01"), "in_touch": "YES", "activ": "F2", "accom": "E1"},
    ],
    "s903_placed_adoption": [
        {"child": "D1", "dob": D("2019-02-10"), "date_placed": D("2022-08-01")},
    ],
    "s903_dolo": [
        {
            "child": "G1",
            "dob": D("2009-05-05"),
            "dolo_start": D("2022-06-01"),
            "dolo_end": D("2022-07-01"),
        },
    ],
}


def stage_last(con: duckdb.DuckDBPyConnection, rows: Rows) -> None:
    """Last year's files beside this year's, as ``<table>_last``."""
    tables = all_tables()
    for name, records in rows.items():
        table = tables[name]
        con.execute(table.ddl().replace(f"CREATE TABLE {name} ", f"CREATE TABLE {name}_last ", 1))
        names = [c.name for c in table.columns]
        for seq, row in enumerate(records, start=1):
            values = [seq, None, None, "903_last.csv", f"{table.record}[{seq}]", seq * 10]
            values += [row.get(n) for n in names]
            marks = ", ".join("?" for _ in values)
            con.execute(f"INSERT INTO {name}_last VALUES ({marks})", values)


def moved(rows: Rows, years: int) -> Rows:
    """The return with every date a whole number of years later (no date is 29 February),
    and the Header's SEX in the layout of the year it lands in (M/F from 2024-25)."""
    recoded = BASE_YEAR + years >= 2025

    def value(k: str, v: object) -> object:
        if isinstance(v, date):
            return v.replace(year=v.year + years)
        if k == "sex" and recoded:
            return {"1": "M", "2": "F"}.get(str(v), v)
        return v

    return {
        table: [{k: value(k, v) for k, v in row.items()} for row in records]
        for table, records in rows.items()
    }


def staged_for(year: int) -> duckdb.DuckDBPyConnection:
    con = stage(moved(BASE, year - BASE_YEAR), "ssda903")
    stage_last(con, moved(LAST, year - BASE_YEAR))
    stage_collection(con, year)
    return con


def case_year(rule: Rule) -> int:
    """A collection year the rule is in force in, BASE's own where it can be."""
    if rule.applies(BASE_YEAR):
        return BASE_YEAR
    return rule.since if rule.since is not None else (rule.until or BASE_YEAR)


def key(rule: Rule) -> str:
    """A rule the DfE changed is two Rules: the later one is ``code@since``; a rule landing
    on several files (1012) is one Rule per file: ``code:file``."""
    others = [r for r in S903_OTHER_FILES if r.code == rule.code and r is not rule]
    if rule.since and rule.until is None and others:
        return f"{rule.code}@{rule.since}"
    years = (rule.since, rule.until)
    if any(r.table != rule.table and (r.since, r.until) == years for r in others):
        return f"{rule.code}:{rule.table.removeprefix('s903_')}"
    return rule.code


def _c1(table: str, **values: object) -> str:
    """A row for C1, the care leaver with no episode this year (``_seq`` 50)."""
    row = {"child": "C1", "dob": "2005-07-01", **values}
    columns = ", ".join(("_seq", "_file", "_row", "_line", *row))
    literals = ", ".join(str(v) if isinstance(v, int) else f"'{v}'" for v in row.values())
    return f"INSERT INTO {table} ({columns}) VALUES (50, '903.csv', 'row[50]', 500, {literals})"


U = "UPDATE "
Case = tuple[list[str], set[int]]
CASES: dict[str, Case] = {
    # Reviews
    "399": ([U + "s903_episodes SET ls = 'V3' WHERE child = 'B1'"], {2}),
    "440": ([U + "s903_reviews SET review_code = 'PN0' WHERE _seq = 2"], {2}),
    "441": (
        [U + "s903_reviews SET review = '2024-08-31', review_code = 'PN1' WHERE _seq = 3"],
        {3},
    ),
    # Missing (rule_564 … rule_586 test rows: a blank date, a blank type, dates outside the
    # year, an open period after the placement or care ended)
    "564": ([U + "s903_missing SET mis_start = NULL WHERE _seq = 3"], {3}),
    "565": ([U + "s903_missing SET missing = NULL WHERE _seq = 1"], {1}),
    "566": ([U + "s903_missing SET missing = ' ' WHERE _seq = 2"], {2}),
    "570": ([U + "s903_missing SET mis_start = '2024-04-01', mis_end = NULL WHERE _seq = 3"], {3}),
    "571": ([U + "s903_missing SET mis_end = '2024-04-02' WHERE _seq = 3"], {3}),
    # rule_575: missing from the placement that ended on 1 August 2023, still open
    "575": ([U + "s903_missing SET mis_end = NULL WHERE _seq = 2"], {2}),
    # rule_577: a missing period still open after the child's period of care ended
    "577": (
        [
            "INSERT INTO s903_missing (_seq, _file, _row, _line, child, dob, missing, "
            "mis_start) VALUES (4, '903.csv', 'Missing row[4]', 40, 'D1', '2019-02-10', 'M', "
            "'2023-09-01')"
        ],
        {4},
    ),
    "578": (
        [
            "INSERT INTO s903_missing (_seq, _file, _row, _line, child, dob, missing, "
            "mis_start, mis_end) VALUES (4, '903.csv', 'Missing row[4]', 40, 'D1', "
            "'2019-02-10', 'M', '2023-11-01', '2023-11-02')"
        ],
        {4},
    ),
    "581": ([U + "s903_missing SET mis_start = '2023-04-05' WHERE _seq = 1"], {1}),
    "586": ([U + "s903_missing SET dob = '2023-07-01' WHERE _seq = 3"], {3}),
    # OC2
    "157": (
        [
            U + "s903_oc2 SET sdq_score = NULL, sdq_reason = 'SDQ1', dob = '2008-04-01' "
            "WHERE _seq = 1"
        ],
        {1},
    ),
    "158": (
        [
            U + "s903_oc2 SET substance_misuse = '1', intervention_received = '1', "
            "intervention_offered = '0' WHERE _seq = 1"
        ],
        {1},
    ),
    "159": (
        [U + "s903_oc2 SET substance_misuse = '1', intervention_received = '0' WHERE _seq = 1"],
        {1},
    ),
    "180": ([U + "s903_oc2 SET sdq_score = 41 WHERE _seq = 1"], {1}),
    "181": ([U + "s903_oc2 SET teeth_check = '2' WHERE _seq = 2"], {2}),
    "182": ([U + "s903_oc2 SET teeth_check = NULL WHERE _seq = 2"], {2}),
    "185": ([U + "s903_episodes SET decom = '2023-05-01' WHERE child = 'B1'"], {1}),
    "186": ([U + "s903_oc2 SET sdq_score = NULL WHERE _seq = 1"], {1}),
    "188": ([U + "s903_oc2 SET sdq_reason = 'SDQ2' WHERE _seq = 2"], {2}),
    "189": ([U + "s903_oc2 SET dob = '2006-03-01' WHERE _seq = 1"], {1}),
    "190": ([U + "s903_episodes SET ls = 'V4' WHERE child = 'B2'"], {2}),
    "191": ([U + "s903_oc2 SET immunisations = NULL WHERE _seq = 1"], {1}),
    "192": ([U + "s903_oc2 SET substance_misuse = '1' WHERE _seq = 2"], {2}),
    "193": ([U + "s903_oc2 SET intervention_offered = '1' WHERE _seq = 1"], {1}),
    "196": ([U + "s903_oc2 SET sdq_reason = 'SDQ9', sdq_score = NULL WHERE _seq = 1"], {1}),
    "197B": ([U + "s903_oc2 SET dob = '2019-06-01' WHERE _seq = 2"], {2}),
    "197a": ([U + "s903_oc2 SET sdq_reason = 'SDQ2' WHERE _seq = 1"], {1}),
    "198": (
        [
            U + "s903_oc2 SET sdq_score = NULL, sdq_reason = 'SDQ5' WHERE _seq = 1",
            U + "s903_episodes SET rne = 'S', decom = '2023-06-01' WHERE child = 'B1'",
        ],
        {1},
    ),
    "215": (
        [
            "INSERT INTO s903_oc3 (_seq, _file, _row, _line, child, dob, in_touch, activ, "
            "accom) VALUES (2, '903.csv', 'OC3 row[2]', 20, 'B1', '2012-06-15', 'YES', 'F2', "
            "'E1')"
        ],
        {1},
    ),
    "542": ([U + "s903_oc2 SET convicted = '0' WHERE _seq = 2"], {2}),
    "543": ([U + "s903_oc2 SET convicted = NULL WHERE _seq = 1"], {1}),
    "544": ([U + "s903_oc2 SET convicted = '1', substance_misuse = NULL WHERE _seq = 1"], {1}),
    "545": ([U + "s903_oc2 SET health_check = NULL WHERE _seq = 2"], {2}),
    "546": ([U + "s903_oc2 SET health_check = '0' WHERE _seq = 1"], {1}),
    "547": ([U + "s903_oc2 SET immunisations = NULL WHERE _seq = 2"], {2}),
    # OC3
    "131": ([U + "s903_oc3 SET in_touch = 'MAYBE' WHERE _seq = 1"], {1}),
    "132": ([U + "s903_oc3 SET activ = 'F3' WHERE _seq = 1"], {1}),
    "133": ([U + "s903_oc3 SET accom = 'S1' WHERE _seq = 1"], {1}),
    "153": ([U + "s903_oc3 SET accom = NULL WHERE _seq = 1"], {1}),
    "344": ([U + "s903_oc3 SET in_touch = 'DIED', activ = '0' WHERE _seq = 1"], {1}),
    "345": ([U + "s903_oc3 SET accom = '0' WHERE _seq = 1"], {1}),
    "391": ([U + "s903_oc3 SET dob = '2007-04-01' WHERE _seq = 1"], {1}),
    "3001": (
        [U + "s903_oc3 SET dob = '2006-06-01', accom = 'Z1' WHERE _seq = 1"],
        {1},
    ),
    "1000": (
        [
            U + "s903_oc3 SET child = 'A2' WHERE _seq = 1",
            U + "s903_episodes SET rec = 'E2' WHERE child = 'A2'",
        ],
        {1},
    ),
    # rule_1007: looked after (an open episode) on the 18th birthday
    "1007": (
        [
            "INSERT INTO s903_episodes (_seq, _file, _row, _line, child, decom, rne, ls, cin, "
            "place) VALUES (9, '903.csv', 'Episodes row[9]', 90, 'C1', '2021-01-01', 'S', 'C2', "
            "'N1', 'U1')"
        ],
        {1},
    ),
    "1011": (
        [
            "INSERT INTO s903_episodes (_seq, _file, _row, _line, child, decom, rne, ls, cin, "
            "place, dec, rec) VALUES (9, '903.csv', 'Episodes row[9]', 90, 'C1', '2021-01-01', "
            "'S', 'C2', 'N1', 'U1', '2022-12-01', 'E3')"
        ],
        {1},
    ),
    "1014": (
        [
            "INSERT INTO s903_episodes (_seq, _file, _row, _line, child, decom, rne, ls, cin, "
            "place, dec, rec) VALUES (9, '903.csv', 'Episodes row[9]', 90, 'C1', '2021-01-01', "
            "'S', 'C2', 'N1', 'U1', '2022-12-01', 'E8')",
            "INSERT INTO s903_uasc (_seq, _file, _row, _line, child, dob, sex, duc) VALUES "
            "(1, '903.csv', 'UASC row[1]', 10, 'C1', '2005-07-01', '2', '2022-07-01')",
        ],
        {1},
    ),
    "187": ([U + "s903_oc3 SET child = 'B1' WHERE _seq = 1"], {1}),
    # rule_1016 (2023-24): ceased to be looked after after the 18th birthday
    "1016": (
        [
            "INSERT INTO s903_episodes (_seq, _file, _row, _line, child, decom, rne, ls, cin, "
            "place, dec, rec) VALUES (9, '903.csv', 'Episodes row[9]', 90, 'C1', '2021-01-01', "
            "'S', 'C2', 'N1', 'U1', '2023-07-01', 'E8')"
        ],
        {1},
    ),
    "347": ([U + "s903_oc3 SET dob = '2005-05-01', accom = 'T1' WHERE _seq = 1"], {1}),
    # AD1
    "114": ([U + "s903_ad1 SET foster_care = '2' WHERE _seq = 1"], {1}),
    "134": ([U + "s903_oc3 SET child = 'D1' WHERE _seq = 1"], {1}),
    "151": ([U + "s903_ad1 SET ls_adoptr = NULL WHERE _seq = 1"], {1}),
    "175": ([U + "s903_ad1 SET nb_adoptr = 3 WHERE _seq = 1"], {1}),
    "176": ([U + "s903_ad1 SET sex_adoptr = 'XY' WHERE _seq = 1"], {1}),
    "177": ([U + "s903_ad1 SET ls_adoptr = 'L5' WHERE _seq = 1"], {1}),
    "331": ([U + "s903_ad1 SET date_match = '2022-11-02' WHERE _seq = 1"], {1}),
    "333": ([U + "s903_ad1 SET date_int = '2022-10-02' WHERE _seq = 1"], {1}),
    "334": ([U + "s903_ad1 SET date_int = '2021-04-30' WHERE _seq = 1"], {1}),
    "335": ([U + "s903_ad1 SET foster_care = '1' WHERE _seq = 1"], {1}),
    "511": ([U + "s903_ad1 SET sex_adoptr = 'F1', ls_adoptr = 'L0' WHERE _seq = 1"], {1}),
    "514": ([U + "s903_ad1 SET ls_adoptr = 'L0' WHERE _seq = 1"], {1}),
    "517": ([U + "s903_ad1 SET ls_adoptr = 'L3', sex_adoptr = 'FF' WHERE _seq = 1"], {1}),
    "518": ([U + "s903_ad1 SET ls_adoptr = 'L4' WHERE _seq = 1"], {1}),
    "519": ([U + "s903_ad1 SET ls_adoptr = 'L2', sex_adoptr = 'M1' WHERE _seq = 1"], {1}),
    "520": ([U + "s903_ad1 SET sex_adoptr = 'MM' WHERE _seq = 1"], {1}),
    "521": (
        [
            U + "s903_episodes SET decom = '2022-07-01' WHERE _seq = 7",
            U + "s903_episodes SET dec = '2022-07-01' WHERE _seq = 6",
        ],
        {1},
    ),
    "524": ([U + "s903_ad1 SET ls_adoptr = 'L12' WHERE _seq = 1"], {1}),
    "601": ([U + "s903_ad1 SET foster_care = NULL WHERE _seq = 1"], {1}),
    "602": ([U + "s903_episodes SET rec = 'E13' WHERE _seq = 7"], {1}),
    # PlacedAdoption
    "117": (
        [
            U + "s903_placed_adoption SET date_placed_ceased = '2024-04-01', "
            "reason_placed_ceased = 'RD1' WHERE _seq = 3"
        ],
        {3},
    ),
    "118": ([U + "s903_placed_adoption SET date_placed_ceased = '2023-03-31' WHERE _seq = 2"], {2}),
    "119": ([U + "s903_placed_adoption SET reason_placed_ceased = NULL WHERE _seq = 2"], {2}),
    "120": ([U + "s903_placed_adoption SET reason_placed_ceased = 'RD9' WHERE _seq = 2"], {2}),
    "184": ([U + "s903_placed_adoption SET date_placed = '2019-02-09' WHERE _seq = 1"], {1}),
    "522": ([U + "s903_placed_adoption SET date_placed_ceased = '2023-04-30' WHERE _seq = 2"], {2}),
    "523": ([U + "s903_ad1 SET date_int = '2022-08-02' WHERE _seq = 1"], {1}),
    "525": (
        [
            U + "s903_placed_adoption SET date_placed_ceased = '2023-10-01', "
            "reason_placed_ceased = 'RD2' WHERE _seq = 1"
        ],
        {1},
    ),
    "552": ([U + "s903_placed_adoption SET date_placed = '2022-11-02' WHERE _seq = 1"], {1}),
    "553": (
        [
            U + "s903_episodes SET dec = NULL, rec = NULL WHERE _seq = 7",
            U + "s903_placed_adoption SET date_placed_ceased = '2023-06-01', "
            "reason_placed_ceased = 'RD1' WHERE _seq = 1",
        ],
        {1},
    ),
    "554": ([U + "s903_placed_adoption SET date_placed = '2022-11-02' WHERE _seq = 1"], {1}),
    "555": (
        [
            U + "s903_episodes SET ls = 'D1', dec = NULL, rec = NULL WHERE _seq = 7",
            U + "s903_placed_adoption SET date_placed_ceased = '2023-06-01', "
            "reason_placed_ceased = 'RD1' WHERE _seq = 1",
        ],
        {1},
    ),
    # rule_557 (2022-23 and 2024-25): left care from a freeing order (D1), not adopted,
    # the decision not marked as ceased; from 2024-25 only an adoption placement or E1 counts
    "557": ([U + "s903_episodes SET rec = 'E13', ls = 'D1', place = 'U1' WHERE _seq = 7"], {1}),
    "557@2025": ([U + "s903_episodes SET rec = 'E13' WHERE _seq = 7"], {1}),
    "563": ([U + "s903_placed_adoption SET date_placed = NULL WHERE _seq = 2"], {2}),
    "579": (
        [
            U + "s903_placed_adoption SET date_placed_ceased = NULL, "
            "reason_placed_ceased = NULL WHERE _seq = 2"
        ],
        {3},
    ),
    "583": (
        [
            U + "s903_placed_adoption SET date_placed_ceased = NULL, "
            "reason_placed_ceased = NULL WHERE _seq = 2"
        ],
        {2},
    ),
    "1003": (
        [
            U + "s903_placed_adoption SET date_placed = '2023-04-19', "
            "date_placed_ceased = '2023-04-30' WHERE _seq = 2"
        ],
        {2},
    ),
    # PlacedAdoption against last year's return
    "559": (["DELETE FROM s903_placed_adoption_last WHERE child = 'D1'"], {1}),
    "560": ([U + "s903_placed_adoption SET date_placed = '2022-08-02' WHERE _seq = 1"], {1}),
    "561": (
        [
            U + "s903_placed_adoption_last SET date_placed_ceased = '2022-12-01', "
            "reason_placed_ceased = 'RD1' WHERE child = 'D1'"
        ],
        {1},
    ),
    # rule_584: last year's decision ceased, this year's no later than it
    "584": (
        [
            U + "s903_placed_adoption_last SET date_placed_ceased = '2022-12-01', "
            "reason_placed_ceased = 'RD1', date_placed = '2022-09-01' WHERE child = 'D1'"
        ],
        {1},
    ),
    # Missing against last year's return (rule_576: last year's open period not carried on)
    "576": ([U + "s903_missing_last SET mis_end = NULL WHERE child = 'B1'"], {3}),
    # OC3 against last year's return
    "1001": ([U + "s903_episodes_last SET dec = '2019-08-01' WHERE child = 'C1'"], {1}),
    "1002": (["DELETE FROM s903_episodes_last WHERE child = 'C1'"], {1}),
    "1010": ([U + "s903_episodes_last SET dec = NULL, rec = NULL WHERE child = 'C1'"], {1}),
    "348": ([U + "s903_oc3_last SET in_touch = 'DIED', activ = '0', accom = '0'"], {1}),
    # PrevPerm
    "631": ([U + "s903_prev_perm SET prev_perm = 'P9' WHERE _seq = 1"], {1}),
    "632": ([U + "s903_prev_perm SET date_perm = '2020-01-10' WHERE _seq = 1"], {1}),
    "633": ([U + "s903_prev_perm SET la_perm = '123' WHERE _seq = 1"], {1}),
    # rule_634 test child 101: a previous permanence option, looked after only before 2016
    "634": ([U + "s903_episodes SET decom = '2015-06-01' WHERE child = 'B1'"], {1}),
    "635": ([U + "s903_prev_perm SET prev_perm = 'Z1' WHERE _seq = 1"], {1}),
    # the internal checks against the Header (rule_INT01 … rule_INT35)
    "INT01": ([U + "s903_ad1 SET child = 'ZZ' WHERE _seq = 1"], {1}),
    "INT02": ([U + "s903_placed_adoption SET child = 'ZZ' WHERE _seq = 1"], {1}),
    "INT05": ([U + "s903_oc2 SET child = 'ZZ' WHERE _seq = 1"], {1}),
    "INT06": ([U + "s903_oc3 SET child = 'ZZ' WHERE _seq = 1"], {1}),
    "INT07": ([U + "s903_prev_perm SET child = 'ZZ' WHERE _seq = 1"], {1}),
    "INT11": ([U + "s903_ad1 SET dob = '2019-02-11' WHERE _seq = 1"], {1}),
    "INT12": ([U + "s903_placed_adoption SET dob = '2019-02-11' WHERE _seq = 1"], {1}),
    "INT13": ([U + "s903_missing SET dob = '2010-05-02' WHERE _seq = 1"], {1}),
    "INT14": ([U + "s903_oc2 SET dob = '2012-06-16' WHERE _seq = 1"], {1}),
    "INT15": ([U + "s903_oc3 SET dob = '2005-07-02' WHERE _seq = 1"], {1}),
    "INT16": ([U + "s903_prev_perm SET dob = '2012-06-16' WHERE _seq = 1"], {1}),
    "INT17": ([U + "s903_reviews SET dob = '2010-05-02' WHERE _seq = 1"], {1}),
    "INT31": (["INSERT INTO s903_ad1 SELECT * REPLACE (2 AS _seq) FROM s903_ad1"], {1, 2}),
    "INT33": (
        ["INSERT INTO s903_oc2 SELECT * REPLACE (3 AS _seq) FROM s903_oc2 WHERE _seq = 1"],
        {1, 3},
    ),
    "INT34": (["INSERT INTO s903_oc3 SELECT * REPLACE (2 AS _seq) FROM s903_oc3"], {1, 2}),
    "INT35": (
        ["INSERT INTO s903_prev_perm SELECT * REPLACE (2 AS _seq) FROM s903_prev_perm"],
        {1, 2},
    ),
    # DoLo (2026-27 on; rule_700 … rule_710 test rows): G1's order while in a children's home
    "700": ([U + "s903_dolo SET dolo_start = NULL WHERE _seq = 1"], {1}),
    "702": ([U + "s903_dolo SET dolo_end = '2023-05-15' WHERE _seq = 1"], {1}),
    "703": (
        [
            "INSERT INTO s903_dolo (_seq, _file, _row, _line, child, dob, dolo_start) VALUES "
            "(2, '903.csv', 'DoLo row[2]', 20, 'G1', '2009-05-05', '2024-04-02')"
        ],
        {2},
    ),
    "704": ([U + "s903_dolo SET dolo_end = '2024-04-02' WHERE _seq = 1"], {1}),
    # rule_705: a second order inside the first; ordered by their ends, the first is flagged
    "705": (
        [
            "INSERT INTO s903_dolo (_seq, _file, _row, _line, child, dob, dolo_start, "
            "dolo_end) VALUES (2, '903.csv', 'DoLo row[2]', 20, 'G1', '2009-05-05', "
            "'2023-07-01', '2023-08-01')"
        ],
        {1},
    ),
    "706": ([U + "s903_dolo_last SET dolo_end = NULL WHERE child = 'G1'"], {1}),
    "707": (
        [
            U + "s903_dolo SET dolo_end = NULL WHERE _seq = 1",
            U + "s903_episodes SET dec = '2023-12-01', rec = 'E4A' WHERE child = 'G1'",
        ],
        {1},
    ),
    "708": ([U + "s903_dolo SET dob = '2023-06-01' WHERE _seq = 1"], {1}),
    "709": ([U + "s903_episodes SET place = 'U1' WHERE child = 'G1'"], {1}),
    "710": ([U + "s903_episodes SET place = 'K1' WHERE child = 'G1'"], {1}),
    # rule_1012: a row in another file for C1, a care leaver with no episode this year
    "1012:reviews": ([_c1("s903_reviews", review="2023-09-01", review_code="PN1")], {50}),
    "1012:missing": (
        [_c1("s903_missing", missing="M", mis_start="2023-07-01", mis_end="2023-07-02")],
        {50},
    ),
    "1012:ad1": (
        [
            _c1(
                "s903_ad1",
                date_int="2022-08-01",
                date_match="2022-10-01",
                foster_care="0",
                nb_adoptr=2,
                sex_adoptr="MF",
                ls_adoptr="L11",
            )
        ],
        {50},
    ),
    "1012:placed_adoption": ([_c1("s903_placed_adoption", date_placed="2022-08-01")], {50}),
    "1012:prev_perm": ([_c1("s903_prev_perm", prev_perm="Z1")], {50}),
    "1012:oc2": (
        [
            _c1(
                "s903_oc2",
                sdq_score=12,
                convicted="0",
                immunisations="1",
                teeth_check="1",
                health_assessment="1",
                substance_misuse="0",
            )
        ],
        {50},
    ),
}


@pytest.fixture(scope="module")
def staged() -> Iterator[dict[int, duckdb.DuckDBPyConnection]]:
    cons = {year: staged_for(year) for year in YEARS}
    yield cons
    for con in cons.values():
        con.close()


def test_every_rule_has_a_case() -> None:
    assert set(CASES) == {key(rule) for rule in S903_OTHER_FILES}


@pytest.mark.parametrize("year", YEARS)
def test_sound_return_has_no_findings(
    year: int, staged: dict[int, duckdb.DuckDBPyConnection]
) -> None:
    # these files' rules; the Header and Episodes rules have their own sound return
    mine = {rule.label for rule in S903_OTHER_FILES}
    assert [f for f in run_rules(staged[year], "ssda903", year) if f.rule in mine] == []


@pytest.mark.parametrize(
    "rule", [pytest.param(rule, id=f"903 {key(rule)}") for rule in S903_OTHER_FILES]
)
def test_rule_flags_the_broken_record_and_passes_the_sound_one(
    rule: Rule, staged: dict[int, duckdb.DuckDBPyConnection]
) -> None:
    year = case_year(rule)
    statements, expected = CASES[key(rule)]
    con = staged[year]
    assert flagged(con, rule) == set(), "the sound record must pass"
    con.execute("BEGIN TRANSACTION")
    try:
        shift = year - BASE_YEAR
        for statement in statements:
            con.execute(_moved_sql(statement, shift))
        assert flagged(con, rule) == expected, "the broken record must be flagged"
    finally:
        con.execute("ROLLBACK")


@pytest.mark.parametrize(
    ("rule", "year"),
    [
        pytest.param(r, y, id=f"903 {key(r)}@{y}")
        for r in S903_OTHER_FILES
        if r.code == "1012"
        for y in YEARS
    ],
)
def test_1012_flags_the_broken_record_in_every_year(
    rule: Rule, year: int, staged: dict[int, duckdb.DuckDBPyConnection]
) -> None:
    """1012 is in force every year: its case (a row in the file for the care leaver with no
    episode) in each."""
    statements, expected = CASES[key(rule)]
    con = staged[year]
    assert flagged(con, rule) == set()
    con.execute("BEGIN TRANSACTION")
    try:
        for statement in statements:
            con.execute(_moved_sql(statement, year - BASE_YEAR))
        assert flagged(con, rule) == expected
    finally:
        con.execute("ROLLBACK")


def _moved_sql(statement: str, years: int) -> str:
    """A case's SQL with its date literals moved as the return was."""
    if not years:
        return statement
    return re.sub(
        r"'(\d{4})-(\d{2})-(\d{2})'",
        lambda m: f"'{int(m[1]) + years}-{m[2]}-{m[3]}'",
        statement,
    )


def test_rules_apply_by_year() -> None:
    changes = {(r.code, r.since, r.until) for r in S903_OTHER_FILES if r.since or r.until}
    assert changes == {
        ("1016", 2024, None),  # added in 2023-24
        ("347", 2024, None),
        ("555", None, 2024),  # deleted from 2024-25
        ("557", None, 2024),  # changed in 2024-25
        ("557", 2025, None),
        ("348", 2026, None),  # added in 2025-26
        *((code, 2027, None) for code in ("700", "702", "703", "704", "705", "706", "707")),
        *((code, 2027, None) for code in ("708", "709", "710")),  # the DoLo file, 2026-27
    }
    for year in YEARS:  # one Rule per code and file (1012 lands on six files)
        codes = [(r.code, r.table) for r in S903_OTHER_FILES if r.applies(year)]
        assert len(codes) == len(set(codes)), year
