"""The generated files are in the real formats: the XSD, the 903 spec, the Annex A template,
the partner templates."""

from __future__ import annotations

import csv
import re
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import yaml
from lxml import etree

from safeplan.ingest.templates import TEMPLATES
from safeplan.synth import SynthSummary
from safeplan.synth.annex_a import HEADERS
from safeplan.synth.ssda903 import COLUMNS, SPEC_TABLES
from tests.conftest import REPO
from tests.synth.conftest import END_YEAR, YEARS

SPECS = REPO / "src" / "safeplan" / "ingest" / "specs"
RUN_YEARS = [END_YEAR - YEARS + 1 + k for k in range(YEARS)]
UPN = re.compile(r"[A-Za-z]\d{12}|[A-Za-z]\d{11}[A-Za-z]")
POSTCODE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}")


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def test_cin_census_validates_against_the_xsd(synth_run: tuple[Path, SynthSummary]) -> None:
    out, _ = synth_run
    schema = etree.XMLSchema(etree.parse(str(SPECS / "CIN_schema_2024.xsd")))
    for year in RUN_YEARS:
        doc = etree.parse(str(out / "cin_census" / f"cin_census_{year}.xml"))
        assert schema.validate(doc), schema.error_log
        assert doc.findtext("Header/CollectionDetails/ReferenceDate") == f"{year}-03-31"
        children = doc.findall("Children/Child")
        assert len(children) > 100
        for upn in doc.iterfind("Children/Child/ChildIdentifiers/UPN"):
            assert UPN.fullmatch(upn.text or "")


def test_cin_census_holds_only_what_was_known_at_the_reference_date(
    synth_run: tuple[Path, SynthSummary],
) -> None:
    out, _ = synth_run
    for year in RUN_YEARS:
        doc = etree.parse(str(out / "cin_census" / f"cin_census_{year}.xml"))
        ref = f"{year}-03-31"
        dates = [
            el.text or ""
            for el in doc.iter()
            if el.tag.endswith("Date") and el.tag != "ReferenceDate"
        ]
        assert dates and max(d for d in dates if d) <= ref
        open_start = f"{year - 1}-04-01"
        for det in doc.iterfind("Children/Child/CINdetails"):
            closure = det.findtext("CINclosureDate")
            assert closure is None or closure >= open_start


def _spec() -> dict[str, dict[str, dict[str, object]]]:
    text = (SPECS / "ssda903_2024.yml").read_text("utf-8")
    spec: dict[str, dict[str, dict[str, object]]] = yaml.safe_load(text)["column_map"]
    return spec


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_ssda903_columns_codes_and_dates_follow_the_spec(
    synth_run: tuple[Path, SynthSummary], name: str
) -> None:
    out, _ = synth_run
    table = _spec()[SPEC_TABLES[name]]
    total = 0
    for year in RUN_YEARS:
        header, rows = _rows(out / "ssda903" / str(year) / f"{name}.csv")
        assert header == list(table)
        total += len(rows)
        for row in rows:
            for col, rule in table.items():
                value = row[col]
                if value == "":
                    assert rule.get("canbeblank") is True, (name, col, row)
                    continue
                if "category" in rule:
                    codes = {str(c["code"]) for c in rule["category"]}  # type: ignore[attr-defined]
                    assert value in codes, (name, col, value)
                if "date" in rule:
                    datetime.strptime(value, "%d/%m/%Y")
                if rule.get("numeric") == "integer":
                    int(value)
    if name in ("header", "episodes", "reviews", "missing"):
        assert total > 0, name


def test_ssda903_children_are_cin_census_children(synth_run: tuple[Path, SynthSummary]) -> None:
    out, _ = synth_run
    year = RUN_YEARS[-1]
    doc = etree.parse(str(out / "cin_census" / f"cin_census_{year}.xml"))
    cin_ids = {el.text for el in doc.iterfind("Children/Child/ChildIdentifiers/LAchildID")}
    _, header = _rows(out / "ssda903" / str(year) / "header.csv")
    _, episodes = _rows(out / "ssda903" / str(year) / "episodes.csv")
    _, oc3 = _rows(out / "ssda903" / str(year) / "oc3.csv")
    looked_after = {r["CHILD"] for r in episodes}
    assert looked_after and looked_after <= cin_ids
    # the header holds every child looked after in the year and every care leaver in OC3,
    # who may no longer be a child in need (DfE INT06)
    assert {r["CHILD"] for r in header} == looked_after | {r["CHILD"] for r in oc3}
    _, uasc = _rows(out / "ssda903" / str(year) / "uasc.csv")
    for row in episodes:
        assert POSTCODE.fullmatch(row["PL_POST"])
        # a UASC child's home postcode is left blank, so no distance is derived (DfE 406)
        if row["CHILD"] in {r["CHILD"] for r in uasc}:
            assert row["HOME_POST"] == ""
        else:
            assert POSTCODE.fullmatch(row["HOME_POST"])
    _, missing = _rows(out / "ssda903" / str(year) / "missing.csv")
    assert {r["MISSING"] for r in missing} <= {"M", "A"}


def test_annex_a_sheets_and_headers_match_the_template(
    synth_run: tuple[Path, SynthSummary], reference_dir: Path
) -> None:
    out, _ = synth_run
    sample = openpyxl.load_workbook(reference_dir / "annex_a" / "sample-Annex_A.xlsx")
    expected = {ws.title: [c.value for c in ws[1]] for ws in sample.worksheets}
    assert {k: list(v) for k, v in HEADERS.items()} == expected
    book = openpyxl.load_workbook(out / "annex_a" / f"annex_a_{RUN_YEARS[-1]}.xlsx", read_only=True)
    assert book.sheetnames == sample.sheetnames
    for ws in book.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        assert list(rows[0]) == expected[ws.title]
        if ws.title in ("List 1", "List 3", "List 4", "List 6", "List 7", "List 8"):
            assert len(rows) > 1, ws.title
            assert isinstance(rows[1][3], datetime)  # date of birth is a real date cell
    book.close()


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_partner_files_follow_their_templates(
    synth_run: tuple[Path, SynthSummary], name: str
) -> None:
    out, _ = synth_run
    template = TEMPLATES[name]
    keys: set[tuple[str, ...]] = set()
    total = 0
    for year in RUN_YEARS:
        header, rows = _rows(out / "partner" / f"{name}_{year}.csv")
        assert header == list(template.column_names)
        total += len(rows)
        for row in rows:
            key = tuple(row[k] for k in template.key)
            assert key not in keys, key
            keys.add(key)
            for col in template.columns:
                value = row[col.name]
                if value == "":
                    assert not col.required, (name, col.name)
                    continue
                if col.codes:
                    assert value in col.codes, (name, col.name, value)
                if col.type == "date":
                    date.fromisoformat(value)
                elif col.type == "datetime":
                    datetime.fromisoformat(value)
                elif col.type == "bool":
                    assert value in ("Y", "N")
    assert total > 0, name
