"""The board report: every bundled plan to PDF (pages drawn by pdftoppm, the text layer holding
every measure's title and value, tagged for screen readers), the same report as HTML, and a
golden structure for the workbook."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from safeplan.measures.data import Source
from safeplan.measures.periods import parse
from safeplan.plans import library
from safeplan.publish import report
from safeplan.publish.workbook import COMMENTARY, DEFINITIONS, QUARTERS, SUMMARY

PERIOD = parse("2025-Q1")  # the synthetic store's latest quarter
PLAN_IDS = [e.plan.id for e in library.entries() if e.bundled]


def words(text: str) -> str:
    """Text with every run of whitespace (line breaks in the PDF) made one space."""
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def source(synth_store: Path) -> Source:
    return Source.connect(str(synth_store))


@pytest.fixture(scope="module")
def reports(source: Source) -> Callable[..., report.Report]:
    """Each plan's report, built once per module (building computes the scorecard)."""
    made: dict[tuple[str, bool], report.Report] = {}

    def get(plan_id: str = "durham-lscb-2017-2020", public: bool = False) -> report.Report:
        if (plan_id, public) not in made:
            made[(plan_id, public)] = report.build(
                source, library.get(plan_id), PERIOD, public=public
            )
        return made[(plan_id, public)]

    return get


@pytest.fixture(scope="module")
def durham_pdf(
    reports: Callable[..., report.Report], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    return report.write(reports(), "pdf", tmp_path_factory.mktemp("pdf") / "report.pdf")


def structure(node: Any) -> list[tuple[str, str]]:
    """(tag, alternative text) of every element in the PDF's structure tree."""
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, list):
        return [found for kid in node for found in structure(kid)]
    if not isinstance(node, dict):
        return []  # a marked-content reference
    here = [(str(node["/S"]), str(node.get("/Alt", "")))] if "/S" in node else []
    return here + structure(node.get("/K", []))


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_each_bundled_plan_renders_to_pdf_with_every_measure_and_value(
    reports: Callable[..., report.Report], plan_id: str, tmp_path: Path
) -> None:
    built = reports(plan_id)
    assert built.rows, "the plan has key measures"
    pdf = report.write(built, "pdf", tmp_path / "report.pdf")
    reader = PdfReader(pdf)
    text = words(" ".join(page.extract_text() for page in reader.pages))
    for row in built.rows:
        assert words(row.title) in text, row.title
        assert f"{words(row.title)} {row.value}" in text, f"{row.title}: {row.value}"
    assert f"{built.plan.title}: board report" in text
    assert "Partner version: not for publication" in text

    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.fail("pdftoppm is missing: run `make browser` (installs poppler-utils)")
    subprocess.run([pdftoppm, "-r", "30", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == len(reader.pages) >= 2 + len(built.sections)
    assert all(p.stat().st_size > 1000 for p in pngs)


def test_the_pdf_is_tagged_a4_with_alternative_text_for_charts(
    reports: Callable[..., report.Report], durham_pdf: Path
) -> None:
    built = reports()
    reader = PdfReader(durham_pdf)
    root: Any = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root
    assert root["/Lang"] == "en"
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    found = structure(root["/StructTreeRoot"])
    assert {"/H1", "/H2", "/H3", "/Table", "/TH", "/TD", "/Figure"} <= {s for s, _ in found}
    assert all(alt for s, alt in found if s == "/Figure"), "every figure has alternative text"
    charted = [r for r in built.rows if r.chart]
    assert charted and all(r.chart_alt.startswith(r.title) for r in charted)


def test_the_html_report_holds_the_same_content(
    reports: Callable[..., report.Report], tmp_path: Path
) -> None:
    built = reports()
    page = report.write(built, "html", tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page
    for row in built.rows:
        assert row.value in page
    assert page.count('<img src="data:image/svg+xml;base64,') == sum(
        1 for r in built.rows if r.chart
    )
    assert "<script" not in page


def test_the_public_report_withholds_small_numbers(
    reports: Callable[..., report.Report],
) -> None:
    partner, public = reports(), reports(public=True)
    assert public.kind == "Public version: small numbers withheld"
    small = [
        r
        for r in partner.rows
        if r.line.result is not None
        and r.line.measure is not None
        and r.line.measure.unit == "count"
        and r.line.result.numerator is not None
        and 1 <= r.line.result.numerator <= 5
    ]
    assert small, "the synthetic store has a count of 1 to 5 to withhold"
    shown = {r.measure_id: r for r in public.rows}
    for row in small:
        withheld = shown[row.measure_id]
        assert withheld.value == "c" and withheld.withheld
        assert all(text == "c" for _, value, text in withheld.history if value is None)
    text = report.html(public)
    for row in small:
        assert f'<td class="num">{row.value}</td>' not in text or row.value in ("0",)


def test_the_workbook_has_a_sheet_per_priority_with_real_numbers(
    reports: Callable[..., report.Report], tmp_path: Path
) -> None:
    built = reports()
    book = load_workbook(report.write(built, "xlsx", tmp_path / "report.xlsx"))
    assert book.sheetnames[0] == "Summary" and book.sheetnames[-1] == "Definitions"
    assert book.sheetnames[-2] == "Commentary"
    assert [c.value for c in book["Commentary"][1]] == COMMENTARY
    assert len(book.sheetnames) == 3 + len(built.sections)
    summary = book["Summary"]
    assert [c.value for c in summary[4]] == SUMMARY
    assert summary.freeze_panes == "A5"
    values = {row[1].value: row[2] for row in summary.iter_rows(min_row=5)}
    for row in built.rows:
        cell = values[row.title]
        if row.line.value is None:
            assert cell.value is None
        else:
            assert cell.data_type == "n" and cell.value == pytest.approx(row.line.value)
    for priority, rows in built.sections:
        sheet = book[book.sheetnames[1 + built.sections.index((priority, rows))]]
        assert [c.value for c in sheet[1]] == QUARTERS and sheet.freeze_panes == "A2"
        numbers = [r[2] for r in sheet.iter_rows(min_row=2) if r[2].value is not None]
        assert numbers and all(c.data_type == "n" for c in numbers)
        assert sheet.max_row - 1 == sum(max(len(r.line.history), 1) for r in rows)
    definitions = book["Definitions"]
    assert [c.value for c in definitions[1]] == DEFINITIONS
    assert {r[0].value for r in definitions.iter_rows(min_row=2)} == {
        m.id for m in built.definitions
    }


def test_sheet_names_follow_excels_rules() -> None:
    from safeplan.publish.workbook import sheet_name

    taken: set[str] = set()
    first = sheet_name("Children: [exploitation]/missing? and more words than fit", taken)
    again = sheet_name("Children: [exploitation]/missing? and more words than fit", taken)
    assert len(first) <= 31 and not set("[]:*?/\\") & set(first)
    assert again != first and len(again) <= 31


def workbook_text(path: Path) -> str:
    """Every cell of every sheet, as one text."""
    book = load_workbook(path)
    return "\n".join(
        str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None
    )


def test_the_public_report_never_prints_commentary_that_fails_the_small_number_check(
    reports: Callable[..., report.Report], tmp_path: Path
) -> None:
    """Issue 11.8 by hand: "2.4% (2 of 85 plans)" beside a withheld "c" gives the count back.
    Even confirmed for the public by mistake, it is checked as it is printed: the public HTML
    and workbook print a neutral line, the partner ones the note. A passing note prints only
    when confirmed; a tracker milestone with a small count is withheld the same way."""
    leak = "Plans lasting 2 years or more: 2.4% (2 of 85 plans)."
    cleared = "The rate is steady; the new review meetings start in Q3 2025-26."
    unconfirmed = "Reviews are now held within 47 working days of the conference."
    milestone = "Audit 3 child protection plans (due 3 March 2025)"
    measure_id = next(r.measure_id for r in reports().rows if r.line.measure is not None)
    extras = report.Extras(
        commentary={
            measure_id: [
                report.Note("Test County Council", leak, public=True),
                report.Note("Test ICB", cleared, public=True),
                report.Note("Test Police", unconfirmed),
            ]
        },
        actions=[
            report.Action("p1", "Review plans", "Test County Council", "At risk", (milestone,))
        ],
    )
    partner = replace(reports(), extras=extras)
    public = replace(reports(public=True), extras=extras)

    for built, name in ((partner, "partner"), (public, "public")):
        page = report.write(built, "html", tmp_path / f"{name}.html").read_text(encoding="utf-8")
        book = workbook_text(report.write(built, "xlsx", tmp_path / f"{name}.xlsx"))
        for text in (page, book):
            if built.public:
                assert leak not in text and "(2 of 85 plans)" not in text
                assert unconfirmed not in text
                assert cleared in text
                assert text.count(report.PARTNERS_ONLY) == 2
            else:
                assert leak in text and cleared in text and unconfirmed in text
                assert report.PARTNERS_ONLY not in text
        assert (milestone in page) is not built.public
        assert (report.ACTION_FOR_PARTNERS in page) is built.public
    assert "Test County Council: Commentary for partners only." in report.html(public)
