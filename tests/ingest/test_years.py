"""Collection years as data: each year's layout, the year taken from the file (or --year),
and a file in another year's layout refused with a message naming the year it looks like."""

from __future__ import annotations

from pathlib import Path

import pytest

from safeplan.ingest import years
from safeplan.ingest.findings import FileRefused
from safeplan.ingest.pipeline import check

FIXTURES = Path(__file__).parents[1] / "fixtures"


def test_every_year_of_both_returns_is_declared_with_its_sources() -> None:
    for source in ("cin_census", "ssda903"):
        known = years.layouts()[source]
        assert list(known) == [2023, 2024, 2025, 2026, 2027]
        for lay in known.values():
            assert lay.citations, (source, lay.year)
            assert all(c.citation for c in lay.changes)
    assert years.layout("cin_census", 2024).sex_field == "GenderCurrent"  # type: ignore[union-attr]
    assert years.layout("cin_census", 2025).sex_codes == ("M", "F", "U")  # type: ignore[union-attr]
    assert years.layout("ssda903", 2024).sex_codes == ("1", "2")  # type: ignore[union-attr]
    assert years.layout("ssda903", 2025).sex_codes == ("M", "F", "U")  # type: ignore[union-attr]
    place = years.layout("ssda903", 2026).code_list("s903_episodes", "place")  # type: ignore[union-attr]
    assert place is not None and "Z14" in place and "H5" not in place
    assert "SocialWorker" not in years.layout("ssda903", 2023).files  # type: ignore[union-attr]
    assert "| 2024-25 | Sex | M, F, U |" in years.markdown()


def test_year_labels_and_parsing() -> None:
    assert years.label(2025) == "2024-25"
    assert years.parse_year("2024-25") == 2025
    assert years.parse_year("2025") == 2025
    assert years.parse_year(None) is None
    with pytest.raises(FileRefused) as refused:
        years.parse_year("25")
    assert refused.value.finding.rule == "SP-YEAR"


def _cin(tmp_path: Path, name: str, year: str, ref: str, sex: str) -> Path:
    text = (FIXTURES / "cin_census_2024.xml").read_text()
    text = text.replace("<Year>2024</Year>", f"<Year>{year}</Year>")
    text = text.replace("<ReferenceDate>2024-03-31", f"<ReferenceDate>{ref}")
    if sex:
        for old, new in (("1", "M"), ("2", "F"), ("9", "U"), ("0", "U")):
            text = text.replace(f"<GenderCurrent>{old}</GenderCurrent>", f"<Sex>{new}</Sex>")
    path = tmp_path / name
    path.write_text(text)
    return path


def test_the_year_comes_from_the_header(tmp_path: Path) -> None:
    checked = check(_cin(tmp_path, "census.xml", "2025", "2025-03-31", sex="new"))
    assert checked.staged.period == "2025"
    assert [f.rule for f in checked.findings if f.severity == "error"] == []
    checked.close()


def test_a_2025_census_in_the_2023_24_layout_is_refused(tmp_path: Path) -> None:
    path = _cin(tmp_path, "census.xml", "2025", "2025-03-31", sex="")
    with pytest.raises(FileRefused) as refused:
        check(path)
    finding = refused.value.finding
    assert finding.rule == "SP-LAYOUT" and finding.file == "census.xml"
    assert finding.field == "GenderCurrent" and finding.line
    assert finding.location.startswith("Child[1]/ChildIdentifiers")
    assert "looks like a 2022-23 to 2023-24 layout" in finding.message
    assert "<Sex>" in finding.message


def test_a_2024_census_with_sex_is_refused_and_year_overrides(tmp_path: Path) -> None:
    path = _cin(tmp_path, "census.xml", "2024", "2024-03-31", sex="new")
    with pytest.raises(FileRefused) as refused:
        check(path)
    assert "looks like a 2024-25 to 2026-27 layout" in refused.value.finding.message
    checked = check(path, "2025")  # --year: read as 2024-25, whose layout it has
    assert checked.staged.period == "2025"
    checked.close()
    with pytest.raises(FileRefused):
        check(FIXTURES / "cin_census_2024.xml", "2025")


HEADER = (
    "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
    "C1,{a},01/05/2010,WBRI,UN2,,\nC2,{b},01/01/2008,WBRI,UN2,,\n"
)


def test_a_903_header_in_another_years_codes_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "2025"
    folder.mkdir()
    path = folder / "header.csv"
    path.write_text(HEADER.format(a="1", b="2"))
    with pytest.raises(FileRefused) as refused:
        check(path)
    finding = refused.value.finding
    assert (finding.rule, finding.field, finding.line, finding.location) == (
        "SP-LAYOUT",
        "SEX",
        2,
        "row 2",
    )
    assert "looks like a 2022-23 to 2023-24 layout" in finding.message
    path.write_text(HEADER.format(a="M", b="F"))
    checked = check(path)
    assert checked.findings == []
    checked.close()
    path.write_text(HEADER.format(a="M", b="2"))  # one wrong code: rule 101 on that row
    checked = check(path)
    assert [(f.rule, f.location) for f in checked.findings] == [("903 101", "row 3")]
    checked.close()


def test_a_file_not_in_its_years_return_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "social_worker_2023.csv"
    path.write_text("CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON\nC1,01/05/2010,W1,01/04/2022,,\n")
    with pytest.raises(FileRefused) as refused:
        check(path)
    assert "part of the return from 2023-24" in refused.value.finding.message


PRE_PROCEEDINGS = (
    "<PreProceedingsandFGDM><PPStartDate>2026-09-09</PPStartDate>"
    "<FGDMMeetingOffer>1</FGDMMeetingOffer><ReviewMeetingsCount>3</ReviewMeetingsCount>"
    "<PPOutcome>A</PPOutcome></PreProceedingsandFGDM>"
)


def test_a_2026_27_census_keeps_its_pre_proceedings(tmp_path: Path) -> None:
    from safeplan.store.db import connect
    from safeplan.store.load import load_checked

    path = _cin(tmp_path, "census.xml", "2027", "2027-03-31", sex="new")
    path.write_text(path.read_text().replace("</CINdetails>", PRE_PROCEEDINGS + "</CINdetails>", 1))
    checked = check(path)
    assert not [f for f in checked.findings if f.rule.startswith("SP-")]
    assert len(checked.staged.tables["cin_pre_proceedings"]) == 1
    with connect(str(tmp_path / "store.duckdb")) as store:
        load_checked(store, checked, b"key")
        [(count, outcome)] = store.query(
            "SELECT reviewmeetingscount, ppoutcome FROM sp_cin_pre_proceedings"
        )
    checked.close()
    assert (count, outcome) == (3, "A")
    # the block is not part of an earlier year's census: reported, not read
    path.write_text(path.read_text().replace("<Year>2027", "<Year>2026"))
    checked = check(path, "2026")
    assert "SP-XML-ELEMENT" in {f.rule for f in checked.findings}
    checked.close()
