"""The SSDA903 rules of the Header, Episodes, UASC and SocialWorker files and the internal
checks between them (``safeplan.ingest.rules.s903_*``), every collection year 2022-23 to
2026-27.

As in test_rules.py: one sound return that no rule flags, and per rule one case that breaks
it and the rows the rule must then flag. The return is written for 2023-24 and moved whole
to each other year (every date by the same number of years, SEX coded M/F from 2024-25), so
one set of cases serves every year; a case's dates are written for 2023-24 too, through
``at``. The cases follow the example data of data-to-insight/csc-validator-be-903 (MIT),
``lac_validator/rules/lac<year>/rule_<code>.py``, each rule's ``test_validate``: the
breaking record of each is one of theirs, adapted to this return.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import duckdb
import pytest

from safeplan.ingest.rules import S903_BY_FILE, Rule, offending_rows, run_rules, stage_collection
from safeplan.ingest.staging import all_tables

Rows = dict[str, list[dict[str, Any]]]
D = date.fromisoformat
YEARS = (2023, 2024, 2025, 2026, 2027)

# 2023-24 (1 April 2023 to 31 March 2024). A1: a boy of 12 who moves foster placement and is
# still looked after; A2: a girl of 15 looked after June to December under section 20; A3: a
# formerly unaccompanied asylum-seeking girl of 16, a mother, still looked after.
BASE: Rows = {
    "s903_header": [
        {"child": "A1", "sex": "1", "dob": D("2010-05-01"), "ethnic": "WBRI",
         "upn": "A123456789012"},
        {"child": "A2", "sex": "2", "dob": D("2008-01-01"), "ethnic": "BAFR",
         "upn": "B123456789012", "mother": "0"},
        {"child": "A3", "sex": "2", "dob": D("2006-06-01"), "ethnic": "BAFR",
         "upn": "C12345678901D", "mother": "1", "mc_dob": D("2023-02-01")},
    ],
    "s903_episodes": [
        {"child": "A1", "decom": D("2023-04-10"), "rne": "S", "ls": "C2", "cin": "N1",
         "place": "U1", "place_provider": "PR1", "dec": D("2023-08-01"), "rec": "X1",
         "reason_place_change": "CARPL", "home_post": "DH1 1AA", "pl_post": "DH2 2BB",
         "urn": "SC123456"},
        {"child": "A1", "decom": D("2023-08-01"), "rne": "P", "ls": "C2", "cin": "N1",
         "place": "U3", "place_provider": "PR1", "home_post": "DH1 1AA",
         "pl_post": "DH3 3CC", "urn": "SC654321"},
        {"child": "A2", "decom": D("2023-06-01"), "rne": "S", "ls": "V2", "cin": "N4",
         "place": "K2", "place_provider": "PR2", "dec": D("2023-12-01"), "rec": "E4A",
         "home_post": "DH4 4DD", "pl_post": "DH5 5EE", "urn": "SC111111"},
        {"child": "A3", "decom": D("2023-05-01"), "rne": "S", "ls": "C1", "cin": "N1",
         "place": "U1", "place_provider": "PR1", "pl_post": "DH6 6FF", "urn": "SC222222"},
    ],
    "s903_uasc": [
        {"child": "A3", "dob": D("2006-06-01"), "sex": "2", "duc": D("2023-09-01")},
    ],
    "s903_prev_perm": [
        {"child": "A1", "dob": D("2010-05-01"), "prev_perm": "Z1"},
        {"child": "A2", "dob": D("2008-01-01"), "prev_perm": "Z1"},
        {"child": "A3", "dob": D("2006-06-01"), "prev_perm": "P1", "la_perm": "840",
         "date_perm": D("2015-01-01")},
    ],
    "s903_social_worker": [
        {"child": "A1", "dob": D("2010-05-01"), "sw_id": "SW100", "sw_decom": D("2022-11-01"),
         "sw_dec": D("2023-04-09"), "sw_reason": "MANAGE"},
        {"child": "A1", "dob": D("2010-05-01"), "sw_id": "SW101", "sw_decom": D("2023-04-10"),
         "sw_reason": "LEFTRL"},
        {"child": "A3", "dob": D("2006-06-01"), "sw_id": "XX200", "sw_decom": D("2023-03-01"),
         "sw_reason": "OTHERS"},
    ],
}  # fmt: skip


# Last year's return (2022-23) as far as the Header, Episodes and UASC continuity rules read
# it, staged as s903_<file>_last: the same children (A3 in the UASC file too), and A1's last
# episode of that year ended.
LAST: Rows = {
    "s903_header": [dict(row) for row in BASE["s903_header"]],
    "s903_episodes": [
        {"child": "A1", "decom": D("2022-06-01"), "rne": "S", "ls": "C2", "cin": "N1",
         "place": "U1", "place_provider": "PR1", "dec": D("2023-01-01"), "rec": "E4A"},
    ],
    "s903_uasc": [dict(row) for row in BASE["s903_uasc"]],
}  # fmt: skip


def at(iso: str) -> str:
    """A 2023-24 date in a case, moved to the staged collection year."""
    return f"(DATE '{iso}' + to_years((SELECT year FROM sp_collection) - 2024))"


def upd(table: str, seq: int, **values: str) -> str:
    sets = ", ".join(f"{column} = {value}" for column, value in values.items())
    return f"UPDATE {table} SET {sets} WHERE _seq = {seq}"


def ins(table: str, seq: int, **values: str) -> str:
    columns = ", ".join(("_seq", "_file", "_row", "_line", *values))
    row = ", ".join((str(seq), "'903.csv'", f"'row {seq}'", str(seq * 10), *values.values()))
    return f"INSERT INTO {table} ({columns}) VALUES ({row})"


def ep(seq: int, **values: str) -> str:
    return upd("s903_episodes", seq, **values)


def hd(seq: int, **values: str) -> str:
    return upd("s903_header", seq, **values)


def sw(seq: int, **values: str) -> str:
    return upd("s903_social_worker", seq, **values)


def uasc(seq: int, **values: str) -> str:
    return upd("s903_uasc", seq, **values)


def open_last(seq: int, **values: str) -> str:
    """Last year's last episode of this year's episode ``seq``'s child open, started on the
    date this one starts (carried on into this year), with ``values``."""
    sets = ", ".join(f"{c} = {v}" for c, v in values.items())
    return (
        f"UPDATE s903_episodes_last AS l SET dec = NULL, rec = NULL, decom = e.decom, {sets} "
        f"FROM s903_episodes AS e WHERE e._seq = {seq} AND l.child = e.child"
    )


NEW_CHILD = ins("s903_header", 4, child="'A4'", sex="'2'", dob=at("2005-05-01"), mother="'1'")
A4_LEAVER = ins("s903_oc3", 1, child="'A4'", dob=at("2005-05-01"), in_touch="'YES'")

# rule code, or code@since for the DfE's later versions → (statements, _seq flagged)
Case = tuple[list[str], set[int]]
CASES: dict[str, Case] = {
    # Episodes
    "146": ([ep(2, place="'A1'")], {2}),
    "146@2025": ([ep(2, place="'K4'")], {2}),
    "146@2026": ([ep(2, place="'Z1'")], {2}),
    "148": ([ep(3, rec="NULL")], {3}),
    "353": ([ep(3, decom="DATE '1991-10-13'")], {3}),
    "354": ([ep(4, decom=at("2024-04-01"))], {4}),
    "385": ([ep(3, dec=at("2024-04-05"))], {3}),
    "355": ([ep(3, dec="decom")], {3}),
    "357": ([ep(3, rne="'P'")], {3}),
    "361": ([ep(3, ls="'L1'", dec="decom + INTERVAL 4 DAY")], {3}),
    "362": (["UPDATE s903_episodes SET ls = 'L2' WHERE child = 'A1'"], {1, 2}),
    "363": ([ep(3, ls="'L3'", dec="decom + INTERVAL 8 DAY")], {3}),
    "364": ([ep(3, ls="'J2'")], {3}),
    "365": ([ep(3, ls="'V3'")], {3}),
    "366": ([ep(3, ls="'V3'", rne="'P'")], {3}),
    "367": ([ep(3, ls="'V3'")], {3}),
    "375": ([ep(3, place="'T1'", dec="decom + INTERVAL 43 DAY")], {3}),
    "376": ([ep(3, place="'T3'", dec="decom + INTERVAL 22 DAY")], {3}),
    "377": (
        [
            ins(
                "s903_episodes",
                4 + n,
                child="'A2'",
                decom=at(f"2024-0{n}-01"),
                dec=at(f"2024-0{n}-05"),
                rne="'P'",
                ls="'V2'",
                place="'T3'",
                rec="'X1'",
            )
            for n in (1, 2, 3)
        ],
        {5, 6, 7},
    ),
    "378": ([ep(3, place="'P1'")], {3}),
    "379": ([ep(3, place="'T4'", dec="decom + INTERVAL 8 DAY")], {3}),
    "380": ([ep(3, place="'T0'")], {3}),
    "381": ([ep(3, place="'T0'")], {3}),
    "382": ([ep(3, ls="'V3'", place="'T0'")], {3}),
    "383": (
        [
            ep(2, place="'T1'", dec=at("2023-09-01"), rec="'X1'"),
            ins(
                "s903_episodes",
                5,
                child="'A1'",
                decom=at("2023-09-01"),
                rne="'P'",
                ls="'C2'",
                cin="'N1'",
                place="'U4'",
                place_provider="'PR1'",
            ),
        ],
        {5},
    ),
    "383@2026": (
        [
            ep(2, place="'T1'", dec=at("2023-09-01"), rec="'X1'"),
            ins(
                "s903_episodes",
                5,
                child="'A1'",
                decom=at("2023-09-01"),
                rne="'P'",
                ls="'C2'",
                cin="'N1'",
                place="'U1'",
                pl_post="'DH9 9ZZ'",
            ),
        ],
        {5},
    ),
    "384": ([ep(3, ls="'V3'", place="'U1'")], {3}),
    "386": ([ep(3, rec="'E11'"), hd(2, dob=at("2005-01-01"))], {3}),
    "387": ([ep(3, rec="'E5'"), hd(2, dob=at("2010-01-01"))], {3}),
    "389": ([ep(3, rec="'E7'")], {3}),
    "407": ([ep(3, rec="'E45'"), hd(2, dob=at("2005-01-01"))], {3}),
    "460": ([ep(3, rec="'E17'")], {3}),
    "358": ([ep(1, ls="'J1'"), hd(1, dob=at("2014-01-01"))], {1}),
    "359": ([hd(3, dob=at("2005-06-01"))], {4}),
    "370": ([ep(1, place="'P2'")], {1}),
    "370@2024": ([ep(3, place="'P2'")], {3}),
    "371": ([ep(1, place="'H5'")], {1}),
    "371@2024": ([ep(3, place="'H5'")], {3}),
    "371@2025": ([ep(3, place="'K3'")], {3}),
    "372": ([ep(1, place="'R5'"), hd(1, dob=at("2015-01-01"))], {1}),
    "373": ([ep(1, place="'S1'"), hd(1, dob=at("2020-01-01"))], {1}),
    "374": ([ep(1, place="'P3'")], {1}),
    "388": ([ep(1, dec=at("2023-07-31"))], {1}),
    "431": ([ep(2, rne="'S'")], {2}),
    "432": ([ep(1, rec="'E4A'")], {2}),
    "433": ([ep(2, decom=at("2023-08-02"))], {2}),
    "434": ([ep(2, rne="'L'")], {2}),
    "435": ([ep(2, ls="'C1'")], {2}),
    "436": ([ep(2, rne="'B'")], {2}),
    "437": ([ep(1, rec="'E2'")], {1}),
    "445": ([ep(3, ls="'D1'")], {3}),
    "446": ([ep(3, ls="'E1'", decom="DATE '2005-01-01'")], {3}),
    "451": ([ep(4, ls="'D1'")], {4}),
    "504": ([ep(2, cin="'N2'")], {2}),
    "526": ([ep(3, place_provider="NULL")], {3}),
    "526@2026": ([ep(3, place_provider="NULL")], {3}),
    "527": ([ep(1, place_provider="'PR1'", place="'R2'")], {1}),
    "528": ([ep(3, place="'R2'")], {3}),
    "529": ([ep(1, place_provider="'PR3'")], {1}),
    "530": ([ep(3, place_provider="'PR4'", place="'P1'")], {3}),
    "531": ([ep(3, place_provider="'PR5'", place="'P1'")], {3}),
    "550": ([ep(1, place_provider="'PR0'")], {1}),
    "178": ([ep(1, place_provider="'PR9'")], {1}),
    "178@2026": ([ep(1, place_provider="'PR9'")], {1}),
    "213": ([ep(3, place="'T0'")], {3}),
    "213@2026": ([ep(3, place="'Z11'")], {3}),
    "217": ([ep(2, place="'A3'")], {2}),
    "217t@2024": ([ep(3, place="'P2'")], {3}),
    "222": ([ep(1, place="'H5'")], {1}),
    "222@2024": ([ep(1, place="'P2'")], {1}),
    "222@2025": ([ep(1, place="'R1'")], {1}),
    "222@2026": ([ep(1, place="'Z11'")], {1}),
    "225": ([ep(1, reason_place_change="NULL")], {1}),
    "226": ([ep(2, place="'T1'")], {2}),
    "226@2026": ([ep(2, place="'T1'")], {2}),
    "233@2026": ([ep(2, reason_place_change="'CARPL'")], {2}),
    "234@2026": ([ep(1, reason_place_change="'CUSTOD'"), hd(1, dob=at("2015-01-01"))], {1}),
    "392b": ([ep(3, home_post="NULL")], {3}),
    "392c": ([ep(3, pl_post="'XYZ'")], {3}),
    "392d": ([ep(3, pl_post="'DH4 4DD'")], {3}),
    "210": ([hd(1, upn="'UN4'")], {2}),
    "607": ([hd(2, mother="NULL")], {3}),
    "426": (
        [
            "UPDATE s903_episodes SET ls = CASE _seq WHEN 1 THEN 'V3' ELSE 'V4' END "
            "WHERE child = 'A1'"
        ],
        {1, 2},
    ),
    "336": ([ep(1, place="'R1'"), ep(2, place="'A4'")], {2}),
    "390": ([ep(3, rec="'E11'")], {3}),
    "408": ([ep(3, place="'A5'")], {3}),
    "516": ([ep(3, rec="'E45'")], {3}),
    "551": ([ep(2, place="'A3'")], {2}),
    "558": (
        [
            ep(3, place="'A4'", rec="'E11'"),
            *(
                ins(
                    "s903_placed_adoption",
                    n,
                    child="'A2'",
                    date_placed=at(f"2023-0{n}-01"),
                    date_placed_ceased=at(f"2023-0{n}-15"),
                    reason_placed_ceased="'RD1'",
                )
                for n in (6, 7)
            ),
        ],
        {3},
    ),
    "580": (
        [
            hd(2, dob=at("2005-12-01")),
            ins(
                "s903_missing",
                1,
                child="'A2'",
                dob=at("2005-12-01"),
                missing="'M'",
                mis_start=at("2023-11-20"),
                mis_end=at("2023-12-01"),
            ),
        ],
        {3},
    ),
    "582": (
        [
            ep(3, place="'A4'", rec="'E11'"),
            ins(
                "s903_ad1", 1, child="'A2'", date_int=at("2023-06-01"), date_match=at("2023-12-01")
            ),
        ],
        {3},
    ),
    "630": (["UPDATE s903_prev_perm SET date_perm = NULL WHERE _seq = 3"], {4}),
    "199": ([ep(1, rec="'E11'")], {2}),
    "SW01STG1@2024": (["DELETE FROM s903_social_worker WHERE _seq = 3"], {4}),
    # A1's social worker episodes begin only on the day care began, after 1 April
    "SW12STG2@2024": (["DELETE FROM s903_social_worker WHERE _seq = 1"], {2}),
    # rule_556: a freeing order (D1) begun before the decision to place for adoption
    "556": (
        [
            ep(4, ls="'D1'"),
            ins(
                "s903_placed_adoption",
                1,
                child="'A3'",
                dob=at("2006-06-01"),
                date_placed=at("2023-06-01"),
            ),
        ],
        {4},
    ),
    # Header
    "165": ([hd(1, mother="'0'")], {1}),
    "168": ([hd(1, upn="'I123456789012'")], {1}),
    "174": ([hd(1, mc_dob=at("2023-01-01"))], {1}),
    "174@2025": ([hd(1, mc_dob=at("2023-01-01"))], {1}),
    "209": ([hd(1, upn="'UN1'")], {1}),
    "301": ([hd(2, dob=at("2024-04-02"))], {2}),
    "351": ([hd(2, dob=at("1997-01-01"))], {2}),
    "393": ([hd(2, mother="NULL")], {2}),
    "442": ([hd(2, upn="NULL")], {2}),
    "444@2026": ([hd(2, upn="'A123456789012'")], {1, 2}),
    "611": ([hd(2, mother="'1'")], {2}),
    "612": ([hd(2, mc_dob=at("2023-01-01"))], {2}),
    "620": ([hd(3, dob=at("2013-01-01"))], {3}),
    "621": ([hd(3, mc_dob=at("2005-01-01"))], {3}),
    "625": ([hd(3, mc_dob=at("2024-04-02"))], {3}),
    "628": ([NEW_CHILD, A4_LEAVER], {4}),
    "232@2025": ([hd(1, sex="'U'")], {1}),
    "EPI": ([NEW_CHILD], {4}),
    # UASC
    "304": ([uasc(1, duc=at("2024-06-02"))], {1}),
    "1014": (
        [NEW_CHILD, A4_LEAVER, ins("s903_uasc", 2, child="'A4'", dob=at("2005-05-01"))],
        {2},
    ),
    # rule_231: a child in the UASC file under 11 at 31 March
    "231@2025": ([uasc(1, dob=at("2014-01-01"))], {1}),
    # Internal checks
    "INT03": ([ep(3, child="'ZZ'")], {3}),
    "INT09": ([uasc(1, child="'ZZ'")], {1}),
    "INT18": ([uasc(1, dob=at("2006-06-02"))], {1}),
    "INT21": (["UPDATE s903_uasc SET sex = CASE WHEN sex = '2' THEN '1' ELSE 'M' END"], {1}),
    "INT36": ([ins("s903_uasc", 2, child="'A3'", dob=at("2006-06-01"))], {1, 2}),
    # SocialWorker
    "SW02STG1@2024": ([sw(1, sw_id="'AB100'")], {1}),
    "SW03STG1@2024": ([sw(1, sw_reason="NULL")], {1}),
    "SW01aSTG1@2025": ([sw(1, sw_decom=at("2022-01-01"), sw_id="NULL")], {1}),
    "SW01bSTG1@2025": ([sw(2, sw_reason="NULL")], {2}),
    "SW06STG2@2024": ([sw(3, sw_decom=at("2024-04-02"))], {3}),
    "SW07STG2@2024": ([sw(1, sw_dec=at("2023-03-01"))], {1}),
    "SW07STG2@2025": ([sw(1, sw_decom=at("2022-01-01"), sw_dec=at("2022-03-01"))], {1}),
    "SW08STG2@2024": ([sw(1, sw_dec="NULL")], {1}),
    "SW09STG2@2024": ([sw(3, sw_dec="sw_decom")], {3}),
    "SW10STG2@2024": ([sw(2, sw_decom=at("2023-04-20"))], {2}),
    "SW10STG2@2025": ([sw(2, sw_decom=at("2023-04-20"))], {2}),
    "SW11aSTG2@2024": ([sw(2, sw_decom=at("2023-04-20"))], {1}),
    "SW11bSTG2@2024": ([sw(3, sw_dec=at("2024-03-29"))], {3}),
    "SW13STG1@2024": ([sw(1, sw_reason="'XXX'")], {1}),
    "SW13STG1@2025": ([sw(1, sw_reason="'XXX'")], {1}),
    "SW14STG2@2024": ([sw(1, sw_dec="NULL")], {1}),
    "SW17STG2@2026": ([sw(3, sw_dec=at("2024-03-01"))], {3}),
    # the 2025-26 changes (the validator's release 0.1.17)
    "SW02STG1@2026": ([sw(1, sw_id="'SW1'")], {1}),
    "SW09STG2@2026": ([sw(1, sw_dec=at("2022-11-02"))], {1}),
    "SW10aSTG2@2026": ([sw(2, sw_decom=at("2023-04-20"))], {2}),
    "SW10bSTG2@2026": ([sw(2, sw_reason="'FCONTA'", sw_decom=at("2023-04-05"))], {2}),
    "SW18STG2@2026": ([sw(1, sw_dec=at("2022-10-01"))], {1}),
    "SW19STG2@2026": (
        [
            ins(
                "s903_social_worker",
                4,
                child="'A3'",
                dob=at("2006-06-01"),
                sw_id="'XX201'",
                sw_decom=at("2023-03-01"),
                sw_reason="'OTHERS'",
            )
        ],
        {4},
    ),
    "242@2026": ([ep(3, urn="'XXXXXXX'")], {3}),
    # against last year's return (rule_202 … rule_502 test rows: a value changed since
    # last year; last year's open episode not the first of this year)
    "202": (["UPDATE s903_header_last SET sex = '2' WHERE child = 'A1'"], {1}),
    "203": (["UPDATE s903_header_last SET dob = dob - INTERVAL 1 DAY WHERE child = 'A2'"], {2}),
    "204": (["UPDATE s903_header_last SET ethnic = 'WBRI' WHERE child = 'A2'"], {2}),
    "502": (["UPDATE s903_episodes_last SET dec = NULL, rec = NULL WHERE child = 'A1'"], {1}),
    # rule_503A … rule_503F: last year's last episode of A1 open, started on this year's first
    # episode's date, and one of its fields not as this year's
    "503A": ([open_last(1, rne="'P'")], {1}),
    "503B": ([open_last(1, ls="'C1'")], {1}),
    "503C": ([open_last(1, cin="'N2'")], {1}),
    "503D": ([open_last(1, place="'U3'")], {1}),
    "503E": ([open_last(1, place_provider="'PR2'")], {1}),
    "503F": ([open_last(1, urn="'SC999999'")], {1}),
    "624": (["UPDATE s903_header_last SET mc_dob = mc_dob - INTERVAL 1 DAY WHERE _seq = 3"], {3}),
    "626": (["UPDATE s903_header_last SET mother = '0' WHERE _seq = 3"], {3}),
    "207": ([hd(3, mother="'0'", mc_dob="NULL")], {3}),
    # rule_208: a known UPN changed (a UPN first known, or better coded unknown, is not)
    "208": (["UPDATE s903_header_last SET upn = 'A999999999999' WHERE _seq = 1"], {1}),
    # rule_562, rule_NoE: A1's first episode started before the year, last year's last
    # episode another (562) or none at all (NoE)
    "562": ([ep(1, decom=at("2023-03-01"))], {1}),
    "NoE": ([ep(1, decom=at("2023-03-01")), "DELETE FROM s903_episodes_last"], {1}),
    # rule_205A, rule_205D (UASC as being in the year's UASC file): A3 UASC last year and not
    # this year, her DUC of last year not in last year (205A); UASC this year, in last
    # year's Header but not its UASC file (205D)
    "205A": (["DELETE FROM s903_uasc"], {3}),
    "205D": (["DELETE FROM s903_uasc_last"], {1}),
}


def key(rule: Rule) -> str:
    return rule.code if rule.since is None else f"{rule.code}@{rule.since}"


def year_of(rule: Rule) -> int:
    """The collection year a rule's case runs in: its first, or 2023-24 for rules of every
    year, or its last when that is earlier."""
    if rule.since is not None:
        return rule.since
    return min(rule.until or 2024, 2024)


def moved(rows: Rows, year: int) -> Rows:
    """The 2023-24 return moved to another collection year."""
    shift = year - 2024

    def value(column: str, v: Any) -> Any:
        if isinstance(v, date):
            return v.replace(year=v.year + shift)
        if column == "sex" and year >= 2025:
            return {"1": "M", "2": "F"}.get(v, v)
        return v

    return {t: [{c: value(c, v) for c, v in row.items()} for row in rs] for t, rs in rows.items()}


def stage(year: int) -> duckdb.DuckDBPyConnection:
    """The return of ``year``, last year's beside it (``_last``, in last year's SEX coding)."""
    con = duckdb.connect(":memory:")
    last = {
        t: [{**r, "sex": o["sex"]} if "sex" in o else r for r, o in zip(rs, orig, strict=True)]
        for (t, rs), orig in zip(
            moved(LAST, year).items(), moved(LAST, year - 1).values(), strict=True
        )
    }
    for rows, suffix in ((moved(BASE, year), ""), (last, "_last")):
        for table in all_tables().values():
            if table.source != "ssda903" or (suffix and table.name not in rows):
                continue
            name = table.name + suffix
            con.execute(table.ddl().replace(f"TABLE {table.name} ", f"TABLE {name} ", 1))
            names = [c.name for c in table.columns]
            records = [
                [seq, None, None, "903.csv", f"row {seq + 1}", seq * 10] + [r.get(n) for n in names]
                for seq, r in enumerate(rows.get(table.name, []), start=1)
            ]
            if records:
                marks = ", ".join("?" for _ in records[0])
                con.executemany(f"INSERT INTO {name} VALUES ({marks})", records)
    stage_collection(con, year)
    return con


@pytest.fixture(scope="module")
def staged() -> Iterator[dict[int, duckdb.DuckDBPyConnection]]:
    cons = {year: stage(year) for year in YEARS}
    yield cons
    for con in cons.values():
        con.close()


def test_every_rule_has_a_case() -> None:
    assert set(CASES) == {key(rule) for rule in S903_BY_FILE}


@pytest.mark.parametrize(("year", "old", "new"), [(2025, "H5", "K3"), (2026, "Z1", "Z12")])
def test_503d_takes_the_dfe_new_placement_codes_for_the_old(
    year: int, old: str, new: str, staged: dict[int, duckdb.DuckDBPyConnection]
) -> None:
    [rule] = [r for r in S903_BY_FILE if r.code == "503D"]
    con = staged[year]
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(open_last(1, place=f"'{old}'"))
        con.execute(ep(1, place=f"'{new}'"))
        assert {seq for seq, *_ in offending_rows(con, rule)} == set()
        con.execute(ep(1, place="'U3'"))
        assert {seq for seq, *_ in offending_rows(con, rule)} == {1}
    finally:
        con.execute("ROLLBACK")


@pytest.mark.parametrize(
    ("before", "now", "flagged"),
    [
        ("NULL", "'A123456789012'", set()),  # first known
        ("'UN1'", "'A123456789012'", set()),
        ("'UN1'", "'UN3'", set()),  # unknown, better coded
        ("NULL", "'UN1'", set()),
        ("'UN3'", "'UN1'", {1}),
        ("'A123456789012'", "'UN1'", {1}),  # known, now unknown
        ("'A123456789012'", "NULL", {1}),
        ("'UN1'", "NULL", {1}),  # unknown, now blank
        ("'a123456789012'", "'A123456789012'", set()),  # the case is the code-list rules'
    ],
)
def test_208_takes_a_upn_first_known_or_better_coded(
    before: str, now: str, flagged: set[int], staged: dict[int, duckdb.DuckDBPyConnection]
) -> None:
    [rule] = [r for r in S903_BY_FILE if r.code == "208"]
    con = staged[2024]
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"UPDATE s903_header_last SET upn = {before} WHERE _seq = 1")
        con.execute(hd(1, upn=now))
        assert {seq for seq, *_ in offending_rows(con, rule)} == flagged
    finally:
        con.execute("ROLLBACK")


def test_changed_rules_do_not_overlap() -> None:
    for year in YEARS:
        codes = [r.code for r in S903_BY_FILE if r.applies(year)]
        assert len(codes) == len(set(codes)), year


@pytest.mark.parametrize("year", YEARS)
def test_sound_return_has_no_findings(
    year: int, staged: dict[int, duckdb.DuckDBPyConnection]
) -> None:
    own = {rule.label for rule in S903_BY_FILE}
    findings = [f for f in run_rules(staged[year], "ssda903", year) if f.rule in own]
    assert findings == []


@pytest.mark.parametrize(
    "rule", [pytest.param(r, id=f"{r.label}@{year_of(r)}") for r in S903_BY_FILE]
)
def test_rule_flags_the_broken_record_and_passes_the_sound_one(
    rule: Rule, staged: dict[int, duckdb.DuckDBPyConnection]
) -> None:
    year = year_of(rule)
    assert rule.applies(year)
    statements, expected = CASES[key(rule)]
    con = staged[year]
    assert {seq for seq, *_ in offending_rows(con, rule)} == set(), "the sound return must pass"
    con.execute("BEGIN TRANSACTION")
    try:
        for statement in statements:
            con.execute(statement)
        flagged = {seq for seq, *_ in offending_rows(con, rule)}
        assert flagged == expected, "the broken record must be flagged"
    finally:
        con.execute("ROLLBACK")


# The UASC, SEX U, freeing-order and social-worker-year rules, and 205A/D against last
# year's: their cases run in every year they are in force, not only the first.
EVERY_YEAR = {"205A", "205D", "231", "232", "556", "SW12STG2"}


@pytest.mark.parametrize(
    ("rule", "year"),
    [
        pytest.param(r, y, id=f"{r.label}@{y}")
        for r in S903_BY_FILE
        if r.code in EVERY_YEAR
        for y in YEARS
        if r.applies(y)
    ],
)
def test_rule_flags_the_broken_record_in_every_year_in_force(
    rule: Rule, year: int, staged: dict[int, duckdb.DuckDBPyConnection]
) -> None:
    statements, expected = CASES[key(rule)]
    con = staged[year]
    assert {seq for seq, *_ in offending_rows(con, rule)} == set()
    con.execute("BEGIN TRANSACTION")
    try:
        for statement in statements:
            con.execute(statement)
        assert {seq for seq, *_ in offending_rows(con, rule)} == expected
    finally:
        con.execute("ROLLBACK")


def test_rules_reading_the_year_need_it_and_name_their_tables() -> None:
    for rule in S903_BY_FILE:
        for table in ("sp_collection", "s903_header", "s903_oc3", "s903_uasc"):
            if re.search(rf"\b{table}\b", rule.sql) and table != rule.table:
                assert table in rule.requires, (rule.label, table)
        assert rule.reference.startswith(("DfE SSDA903 20", "Internal check INT"))
