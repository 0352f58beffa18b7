"""Readers on real-format files: what they read, where they say it was, what they refuse."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from safeplan.ingest.annex_a import read_annex_a
from safeplan.ingest.cin_census import read_cin_census
from safeplan.ingest.fields import parse_uk_date
from safeplan.ingest.partner import read_partner
from safeplan.ingest.pipeline import check
from safeplan.ingest.ssda903 import read_ssda903
from safeplan.ingest.templates import TEMPLATES

FIXTURES = Path(__file__).parents[1] / "fixtures"
XSD = Path(__file__).parents[2] / "src" / "safeplan" / "ingest" / "specs" / "CIN_schema_2024.xsd"


def test_the_cin_fixture_is_a_valid_cin_census_message() -> None:
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    schema.assertValid(etree.parse(str(FIXTURES / "cin_census_2024.xml")))


def test_cin_census_is_read_into_typed_located_rows() -> None:
    staged = read_cin_census(FIXTURES / "cin_census_2024.xml")
    assert (staged.period, staged.la, staged.kind) == ("2024", "999", "cin_census")
    counts = {name: len(rows) for name, rows in staged.tables.items()}
    assert counts == {
        "cin_header": 1,
        "cin_child": 2,
        "cin_disability": 2,
        "cin_details": 2,
        "cin_assessment": 1,
        "cin_assessment_factor": 2,
        "cin_s47": 1,
        "cin_cpp": 1,
        "cin_cpp_review": 1,
    }
    cpp = staged.tables["cin_cpp"].data
    assert cpp["cppstartdate"] == [date(2023, 5, 30)]
    assert cpp["numberofpreviouscpp"] == [1]
    assert cpp["_row"] == ["Child[1]/CINdetails[1]/ChildProtectionPlans[1]"]
    assert cpp["_line"] == [53]
    factors = staged.tables["cin_assessment_factor"].data
    assert factors["assessmentfactors"] == ["16A", "3B"]
    assert factors["_child"] == [1, 1]
    details = staged.tables["cin_details"].data
    assert details["referralnfa"] == [False, True]
    assert staged.findings == []


def test_unknown_elements_are_reported_not_silently_dropped(tmp_path: Path) -> None:
    text = (FIXTURES / "cin_census_2024.xml").read_text()
    path = tmp_path / "extra.xml"
    path.write_text(text.replace("<PrimaryNeedCode>N1", "<Colour>red</Colour><PrimaryNeedCode>N1"))
    (finding,) = read_cin_census(path).findings
    assert (finding.field, finding.location, finding.rule) == (
        "Colour",
        "Child[1]/CINdetails[1]",
        "SP-XML-ELEMENT",
    )


def test_impossible_dates_and_missing_required_values_are_findings(tmp_path: Path) -> None:
    text = (FIXTURES / "cin_census_2024.xml").read_text()
    path = tmp_path / "bad.xml"
    path.write_text(
        text.replace("<CINreferralDate>2023-09-01", "<CINreferralDate>2023-13-01").replace(
            "<ReferralSource>5A</ReferralSource>", ""
        )
    )
    found = {(f.location, f.field, f.rule): f for f in read_cin_census(path).findings}
    bad_date = found[("Child[2]/CINdetails[1]", "CINreferralDate", "SP-DATE")]
    assert "'2023-13-01' is not a real date" in bad_date.message
    assert bad_date.line == 75 and bad_date.table == "cin_details" and bad_date.seq == 2
    assert ("Child[2]/CINdetails[1]", "ReferralSource", "SP-REQUIRED") in found


@settings(max_examples=60, deadline=None)
@given(
    st.text(
        alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"]),
        min_size=1,
        max_size=30,
    )
)
def test_any_identifier_text_is_read_back_exactly(
    tmp_path_factory: object, identifier: str
) -> None:
    identifier = identifier.strip()
    if not identifier:
        return
    text = (FIXTURES / "cin_census_2024.xml").read_text()
    path = Path(str(tmp_path_factory.mktemp("xml"))) / "id.xml"  # type: ignore[attr-defined]
    path.write_text(text.replace("TEST0001", escape(identifier)), encoding="utf-8")
    assert read_cin_census(path).tables["cin_child"].data["lachildid"][0] == identifier


def test_ssda903_episodes_sample(reference_dir: Path) -> None:
    staged = read_ssda903(reference_dir / "ssda903" / "sample-SSDA903_2020_episodes.csv")
    assert (staged.kind, staged.period) == ("ssda903:episodes", "2020")
    rows = staged.tables["s903_episodes"].data
    assert rows["decom"][0] == date(2018, 12, 11)
    assert rows["_row"][0] == "row 2" and rows["_line"][0] == 2
    assert rows["child"][0] == "689661"


def test_a_previous_permanence_date_may_be_given_in_part(tmp_path: Path) -> None:
    """The DfE lets DATE_PERM replace an unknown day or month by ZZ: read as the latest date it
    can be, so rule 632 (the order came before care) never flags one that may be earlier."""
    path = tmp_path / "prevperm_2024.csv"
    values = ["ZZ/05/2015", "ZZ/ZZ/2015", "12/ZZ/2015", "01/02/2016", "ZZ/13/2015", ""]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"])
        for i, value in enumerate(values):
            writer.writerow([f"C{i}", "01/02/2010", "P1", "", value])
    staged = read_ssda903(path)
    read = staged.tables["s903_prev_perm"].data["date_perm"]
    latest = [date(2015, 5, 31), date(2015, 12, 31), date(2015, 12, 12), date(2016, 2, 1)]
    assert read == [*latest, None, None]
    faults = [(f.rule, f.field, f.value) for f in staged.findings]
    assert faults == [("SP-DATE", "DATE_PERM", "ZZ/13/2015")]


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_uk_dates_round_trip(day: date) -> None:
    assert parse_uk_date(day.strftime("%d/%m/%Y")) == day


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r\n\x00"), max_size=12),
        min_size=1,
        max_size=8,
    )
)
def test_903_missing_file_never_crashes_on_odd_values(
    tmp_path_factory: object, values: list[str]
) -> None:
    path = Path(str(tmp_path_factory.mktemp("csv"))) / "missing_2024.csv"  # type: ignore[attr-defined]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"])
        for i, value in enumerate(values):
            writer.writerow([f"C{i}", "01/02/2010", value, "03/04/2023", ""])
    staged = read_ssda903(path)
    rows = staged.tables["s903_missing"].data
    kept = [v for v in values]
    assert len(rows["_seq"]) == sum(1 for _ in kept)
    assert rows["missing"] == [v.strip() or None for v in values]


def test_annex_a_sample(reference_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "annex_a_2021.xlsx"
    path.write_bytes((reference_dir / "annex_a" / "sample-Annex_A.xlsx").read_bytes())
    staged = read_annex_a(path)
    assert staged.period == "2021"
    assert len(staged.tables) == 11
    contacts = staged.tables["annex_a_list_1"].data
    assert isinstance(contacts["date_of_contact"][0], date)
    assert contacts["_row"][0] == "List 1 row 2"


def _partner_rows() -> list[dict[str, str]]:
    base = {
        "episode_id": "E1",
        "child_id": "TEST0001",
        "date_of_birth": "2010-02-03",
        "looked_after": "N",
        "missing_type": "missing",
        "start_datetime": "2024-01-05T21:00:00",
        "end_datetime": "2024-01-06T09:30:00",
        "reported_by": "police",
        "rhi_offered_datetime": "2024-01-07T10:00:00",
        "rhi_accepted": "Y",
        "rhi_completed_datetime": "2024-01-08T16:00:00",
    }
    return [
        base,
        {**base, "episode_id": "E2", "missing_type": "lost"},
        {**base, "start_datetime": "2024-02-30T10:00:00"},
    ]


def test_partner_template_csv(tmp_path: Path) -> None:
    template = TEMPLATES["missing_episodes"]
    path = tmp_path / "missing_episodes_2024.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(template.column_names))
        writer.writeheader()
        writer.writerows(_partner_rows())
    staged = read_partner(path)
    assert (staged.kind, staged.period) == ("partner:missing_episodes", "2024")
    data = staged.tables["partner_missing_episodes"].data
    assert data["start_datetime"][0] == datetime(2024, 1, 5, 21, 0)
    assert data["rhi_accepted"][0] is True
    found = {(f.location, f.rule) for f in staged.findings}
    assert ("row 3", "SP-CODE") in found  # 'lost' is not a missing_type
    assert ("row 4", "SP-TIMESTAMP") in found  # 30 February
    assert ("row 4", "SP-DUPLICATE") in found  # E1 again


def test_partner_template_xlsx(tmp_path: Path) -> None:
    template = TEMPLATES["missing_episodes"]
    path = tmp_path / "missing_episodes_2024.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, template.column_names)
    sheet.write_row(1, 0, [_partner_rows()[0][c] for c in template.column_names])
    book.close()
    checked = check(path)
    assert checked.staged.kind == "partner:missing_episodes"
    assert len(checked.staged.tables["partner_missing_episodes"]) == 1
    assert checked.findings == []
    checked.close()
