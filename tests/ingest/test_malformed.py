"""Ordinary mistakes and malformed files: a reader never crashes, a bad file is refused on
its own with a message naming file and line, and the good files beside it still load."""

from __future__ import annotations

import zipfile
from pathlib import Path

import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safeplan.ingest.findings import FileRefused
from safeplan.ingest.pipeline import check, check_batch
from safeplan.ingest.safety import MAX_COLUMNS, MAX_FIELD_CHARS
from tests.ingest.test_hostile import refused
from tests.test_cli import run

FIXTURES = Path(__file__).parents[1] / "fixtures"
MISSING_HEADER = "CHILD,DOB,MISSING,MIS_START,MIS_END"
ROWS = ["A1,01/02/2010,M,03/04/2023,04/04/2023", "A2,05/06/2011,A,07/08/2023,08/08/2023"]


def test_a_csv_with_lone_cr_line_endings_is_read_row_by_row(tmp_path: Path) -> None:
    """Old Mac and some case-management exports end lines with CR alone."""
    path = tmp_path / "missing_2024.csv"
    path.write_bytes("\r".join([MISSING_HEADER, *ROWS]).encode() + b"\r")
    checked = check(path)
    rows = checked.staged.tables["s903_missing"].data
    assert rows["child"] == ["A1", "A2"]
    assert rows["_line"] == [2, 3]
    assert not [f for f in checked.findings if f.rule.startswith("SP-CSV")]


def test_a_file_of_nul_bytes_is_not_text_not_a_truncated_file(tmp_path: Path) -> None:
    for name in ("cin_census_2024.xml", "missing_2024.csv"):
        path = tmp_path / name
        path.write_bytes(b"\0" * 4096)
        err = refused(path)
        assert err.finding.rule == "SP-BINARY", name
        assert "not a text file" in err.finding.message


def test_a_macro_enabled_workbook_is_refused_whatever_its_name(tmp_path: Path) -> None:
    path = tmp_path / "missing_episodes_2024.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet().write_row(0, 0, ["episode_id", "child_id"])
    book.add_vba_project(_vba_project(tmp_path))
    book.close()
    err = refused(path)
    assert err.finding.rule == "SP-XLSX-MACRO"
    assert "macro" in err.finding.message


def _vba_project(tmp_path: Path) -> str:
    """A stand-in vbaProject.bin: SafePlan refuses by the part's presence, not its code."""
    part = tmp_path / "vbaProject.bin"
    part.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 508)
    return str(part)


def test_a_zip_that_is_not_a_workbook_is_refused_by_its_contents(tmp_path: Path) -> None:
    path = tmp_path / "missing_episodes_2024.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")  # no [Content_Types].xml: not OOXML
    assert refused(path).finding.rule == "SP-XLSX"


def test_an_overlong_value_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "missing_2024.csv"
    long_row = f"A3,01/02/2010,{'M' * 900_000},03/04/2023,"
    path.write_text("\n".join([MISSING_HEADER, *ROWS, long_row]) + "\n")
    err = refused(path)
    assert (err.finding.rule, err.finding.line) == ("SP-CSV", 4)
    assert f"longer than {MAX_FIELD_CHARS:,} characters" in err.finding.message


def test_an_overlong_xml_element_is_refused_with_its_line(tmp_path: Path) -> None:
    text = (FIXTURES / "cin_census_2024.xml").read_text(encoding="utf-8")
    start = text.index("<LAchildID>") + len("<LAchildID>")
    path = tmp_path / "cin_census_2024.xml"
    path.write_text(text[:start] + "X" * 900_000 + text[start:], encoding="utf-8")
    err = refused(path)
    assert (err.finding.rule, err.finding.field) == ("SP-XML", "LAchildID")
    assert err.finding.line == text[:start].count("\n") + 1


def test_a_file_of_thousands_of_columns_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "missing_episodes_2024.csv"
    wide = MISSING_HEADER.split(",") + [f"extra{i}" for i in range(20_000)]
    path.write_text(",".join(wide) + "\n" + ",".join("1" for _ in wide) + "\n")
    err = refused(path)
    assert err.finding.rule == "SP-CSV-COLUMNS"
    assert "20,005 columns" in err.finding.message and str(MAX_COLUMNS) in err.finding.message


def test_xml_that_declares_another_encoding_is_refused(tmp_path: Path) -> None:
    """One encoding rule: UTF-8, though the file is well-formed in the encoding it names."""
    text = (FIXTURES / "cin_census_2024.xml").read_text(encoding="utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    path = tmp_path / "cin_census_2024.xml"
    latin = text.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
    path.write_bytes(latin.replace("<LAchildID>", "<LAchildID>\xe9", 1).encode("latin-1"))
    err = refused(path)
    assert err.finding.rule == "SP-ENCODING"
    assert "ISO-8859-1" in err.finding.message and "UTF-8" in err.finding.message


def test_a_bad_file_never_stops_the_good_ones_beside_it(tmp_path: Path) -> None:
    folder = tmp_path / "returns"
    folder.mkdir()
    (folder / "cin_census_2024.xml").write_bytes((FIXTURES / "cin_census_2024.xml").read_bytes())
    (folder / "missing_2024.csv").write_bytes("\r".join([MISSING_HEADER, *ROWS]).encode())
    (folder / "oc2_2024.csv").write_bytes(b"\0" * 100)
    code, text, _ = run("load", str(folder))
    assert "oc2_2024.csv: REFUSED" in text and "SP-BINARY" in text
    assert "cin_census_2024.xml: load 1: 12 records stored" in text
    assert "missing_2024.csv: load 2: 2 records stored" in text
    assert code == 1  # a refused file is a failed load of that file, said in the exit status


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(
        ["cin_census_2024.xml", "episodes_2024.csv", "missing_episodes_2024.csv", "a_2024.xlsx"]
    ),
    body=st.one_of(
        st.binary(max_size=400),
        st.text(max_size=300).map(str.encode),
        st.lists(st.text(st.characters(codec="utf-8"), max_size=8), max_size=12).map(
            lambda cells: (",".join(cells) + "\r\n" + '"' + ",".join(cells)).encode()
        ),
    ),
)
def test_no_file_makes_a_reader_crash(tmp_path_factory: object, name: str, body: bytes) -> None:
    path = Path(str(tmp_path_factory.mktemp("any"))) / name  # type: ignore[attr-defined]
    path.write_bytes(body)
    [(_, checked)] = check_batch([path])
    if isinstance(checked, FileRefused):
        assert checked.finding.file == name and checked.finding.rule != "SP-READ"
    else:
        checked.close()
