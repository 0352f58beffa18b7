"""Findings people can act on: each names the child (CIN LAchildID, 903 CHILD) and the value
flagged; one fault gives one finding; the XLSX counts them by rule and lists them by child."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from safeplan.ingest.findings import Finding, Level, Severity, write_findings
from safeplan.ingest.pipeline import check
from safeplan.ingest.pseudonym import pseudonymise
from safeplan.store.db import connect
from safeplan.store.load import load_checked

FIXTURES = Path(__file__).parents[1] / "fixtures"
CIN = (FIXTURES / "cin_census_2024.xml").read_text()
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_nested_cin_record_names_its_child_and_the_value(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "cin_census_2024.xml",
        CIN.replace("<Disability>HEAR</Disability>", "<Disability>ZZ9</Disability>", 1),
    )
    checked = check(path)
    [found] = [f for f in checked.findings if f.table == "cin_disability"]
    checked.close()
    assert (found.rule, found.child, found.value) == ("CIN 8540", "TEST0001", "ZZ9")
    assert "child TEST0001" in str(found) and "'ZZ9'" in str(found)


def test_a_903_rule_finding_names_the_child_and_the_value(tmp_path: Path) -> None:
    path = _write(tmp_path, "2024/header.csv", HEADER + "C1,3,01/05/2010,WBRI,UN2,,\n")
    checked = check(path)
    checked.close()
    assert [(f.rule, f.child, f.value) for f in checked.findings] == [("903 101", "C1", "3")]


def test_a_date_that_cannot_be_read_is_one_finding_not_two(tmp_path: Path) -> None:
    path = _write(tmp_path, "2024/header.csv", HEADER + "C1,1,31/02/2010,WBRI,UN2,,\n")
    checked = check(path)
    checked.close()
    assert [(f.rule, f.field, f.child, f.value) for f in checked.findings] == [
        ("SP-DATE", "DOB", "C1", "31/02/2010")
    ]  # not also 903 102, "Date of birth is not a valid date", on the same field


def test_a_missing_identifier_is_one_finding_not_two(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "cin_census_2024.xml",
        CIN.replace("<LAchildID>TEST0002</LAchildID>", "<LAchildID></LAchildID>"),
    )
    checked = check(path)
    checked.close()
    rules = [f.rule for f in checked.findings if f.location == "Child[2]"]
    assert rules == ["SP-REQUIRED"]  # not also CIN 8500 "LA Child ID missing"


def test_xlsx_counts_by_rule_and_lists_by_child_formula_safe(tmp_path: Path) -> None:
    def finding(rule: str, child: str, value: str) -> Finding:
        return Finding(
            "f.csv",
            "row 2",
            "SEX",
            rule,
            "bad",
            Level.field,
            Severity.error,
            2,
            "t",
            1,
            child,
            value,
        )

    found = [
        finding("903 101", "C1", "3"),
        finding("903 101", "=cmd()", "9"),
        finding("903 103", "C1", "X"),
    ]
    out = tmp_path / "findings.xlsx"
    write_findings(found, out)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Findings", "By rule", "By child"]
    by_rule = [row for row in book["By rule"].iter_rows(values_only=True)]
    assert by_rule[1][:4] == ("903 101", "error", "bad", 2) and by_rule[1][4] == 2
    by_child = [row for row in book["By child"].iter_rows(values_only=True)][1:]
    assert [r[:2] for r in by_child] == [
        ("'=cmd()", "903 101"),
        ("C1", "903 101"),
        ("C1", "903 103"),
    ]
    assert all(
        not str(c.value).startswith("=")
        for row in book["Findings"].iter_rows()
        for c in row
        if c.value
    )


def test_the_store_keeps_the_child_by_pseudonym(tmp_path: Path) -> None:
    path = _write(tmp_path, "2024/header.csv", HEADER + "C1,3,01/05/2010,WBRI,UN2,,\n")
    checked = check(path)
    with connect(str(tmp_path / "store.duckdb")) as store:
        load_checked(store, checked, b"key")
        [(child, value)] = store.query("SELECT child, value FROM sp_findings")
    checked.close()
    assert child == pseudonymise("C1", b"key") and value == "3"  # the child's person_id


def test_an_unreadable_optional_date_is_reported_under_the_dfe_rule(tmp_path: Path) -> None:
    """A DEC that is not a date is DfE rule 147 (the reader's date check, as no rule over
    the staged rows can see a date the reader could not read)."""
    episodes = (
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
        "PL_POST,URN\nA1,10/04/2023,S,C2,N1,U1,PR1,31/13/2023,X1,CARPL,,,\n"
    )
    checked = check(_write(tmp_path, "2024/episodes.csv", episodes))
    checked.close()
    found = [(f.rule, f.field, f.child, f.value) for f in checked.findings]
    assert found == [("903 147", "DEC", "A1", "31/13/2023")]
    assert checked.findings[0].message.startswith("Date episode ceased is not a valid date.")
