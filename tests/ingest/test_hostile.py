"""Hostile and broken files: each is refused with a clear message naming the file."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from safeplan.config import settings
from safeplan.ingest.findings import FileRefused
from safeplan.ingest.pipeline import check

XXE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE Message [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Message><Children><Child><ChildIdentifiers><LAchildID>&xxe;</LAchildID></ChildIdentifiers></Child></Children></Message>
"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Message><Children><Child><ChildIdentifiers><LAchildID>&lol9;</LAchildID></ChildIdentifiers></Child></Children></Message>
"""


def refused(path: Path) -> FileRefused:
    with pytest.raises(FileRefused) as info:
        check(path)
    assert info.value.finding.file == path.name
    return info.value


def test_external_entity_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "xxe.xml"
    path.write_bytes(XXE)
    err = refused(path)
    assert err.finding.rule == "SP-XML-DOCTYPE"
    assert err.finding.line == 2
    assert "DOCTYPE" in err.finding.message


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "laughs.xml"
    path.write_bytes(LAUGHS)
    assert refused(path).finding.rule == "SP-XML-DOCTYPE"


def test_doctype_after_a_long_comment_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "hidden.xml"
    path.write_bytes(
        b'<?xml version="1.0"?>\n<!--' + b"x" * 70_000 + b"-->\n" + XXE.split(b"\n", 1)[1]
    )
    err = refused(path)
    assert err.finding.rule in ("SP-XML-DOCTYPE", "SP-XML")


def test_truncated_xml(tmp_path: Path, reference_dir: Path) -> None:
    text = (reference_dir / "cin_census" / "sample-cin-2022.xml").read_bytes()
    path = tmp_path / "truncated.xml"
    path.write_bytes(text[: len(text) // 2])
    err = refused(path)
    assert err.finding.rule == "SP-XML-TRUNCATED"
    assert err.finding.line is not None and err.finding.line > 10
    assert "truncated" in err.finding.message


def test_non_utf8_xml(tmp_path: Path, reference_dir: Path) -> None:
    text = (reference_dir / "cin_census" / "sample-cin-2022.xml").read_bytes()
    path = tmp_path / "latin1.xml"
    path.write_bytes(text.replace(b"<LAchildID>DfEX0000001", b"<LAchildID>DfE\xe90000001"))
    err = refused(path)
    assert err.finding.rule == "SP-ENCODING"
    assert "UTF-8" in err.finding.message


def test_non_utf8_csv(tmp_path: Path) -> None:
    path = tmp_path / "episodes_2024.csv"
    path.write_bytes("CHILD,DECOM\n1,01/01/2024 caf\xe9\n".encode("latin-1"))
    err = refused(path)
    assert err.finding.rule == "SP-ENCODING"
    assert "line 2" in err.finding.message


def test_csv_missing_a_required_column(tmp_path: Path, reference_dir: Path) -> None:
    lines = (
        (reference_dir / "ssda903" / "sample-SSDA903_2020_episodes.csv").read_text().splitlines()
    )
    header = lines[0].split(",")
    drop = header.index("DECOM")
    rows = [",".join(c for i, c in enumerate(line.split(",")) if i != drop) for line in lines]
    path = tmp_path / "episodes_2020.csv"
    path.write_text("\n".join(rows) + "\n")
    err = refused(path)
    assert err.finding.rule == "SP-CSV-COLUMNS"
    assert "no DECOM column" in err.finding.message


def test_xlsx_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "annex_a_2024.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    assert refused(path).finding.rule == "SP-XLSX"
    other = tmp_path / "other_2024.xlsx"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("readme.txt", "a zip, but no workbook inside")
    assert "not an Excel workbook" in refused(other).finding.message


def test_oversize_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference_dir: Path
) -> None:
    monkeypatch.setenv("SAFEPLAN_MAX_FILE_MB", "0.001")
    settings.cache_clear()
    path = tmp_path / "big.xml"
    path.write_bytes((reference_dir / "cin_census" / "sample-cin-2022.xml").read_bytes() * 2)
    err = refused(path)
    assert err.finding.rule == "SP-SIZE"
    assert "over the limit" in err.finding.message


def test_unknown_file_type(tmp_path: Path) -> None:
    path = tmp_path / "notes.docx"
    path.write_bytes(b"hello")
    assert refused(path).finding.rule == "SP-FILETYPE"
