"""The board report as an Excel workbook: a summary sheet, one sheet per priority with each
measure's quarters as real numbers (a withheld figure is an empty cell marked in its own
column, never the text "c" in a number column), the commentary as the version prints it
(``Report.notes``: the public one never holds text that failed the small-number check), and
the definitions.

Every text cell is formula-safe (``safe_cell``), headers are frozen and filtered."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import xlsxwriter

from safeplan.ingest.findings import safe_cell

if TYPE_CHECKING:
    from safeplan.publish.report import Report

SUMMARY = [
    "Priority",
    "Measure",
    "Value",
    "Unit",
    "Target",
    "Rating",
    "Variation",
    "Assurance",
    "Change on quarter",
    "Change on year",
    "Withheld",
]
QUARTERS = [
    "Measure",
    "Quarter",
    "Value",
    "Unit",
    "Numerator",
    "Denominator",
    "Records",
    "Withheld",
]
COMMENTARY = ["Measure id", "Measure", "Agency", "Commentary"]
DEFINITIONS = [
    "Measure id",
    "Measure",
    "What it counts",
    "Numerator",
    "Denominator",
    "Unit",
    "Better when",
    "Follows",
]
BETTER = {"increase": "higher", "reduce": "lower", "track": "tracked"}


def sheet_name(title: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, and unique in the book."""
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:28] or "Priority"
    name, n = base, 2
    while name.lower() in taken:
        name, n = f"{base[:26]} {n}", n + 1
    taken.add(name.lower())
    return name


def write_report(report: Report, out: Path) -> None:
    book = xlsxwriter.Workbook(str(out), {"strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    taken: set[str] = set()

    summary = book.add_worksheet(sheet_name("Summary", taken))
    summary.write_string(0, 0, str(safe_cell(f"{report.plan.title}: {report.period.title}")), bold)
    summary.write_string(1, 0, report.kind)
    rows: list[list[Any]] = []
    for row in report.ordered:
        line, m = row.line, row.line.measure
        rows.append(
            [
                line.priority.title,
                row.title,
                None if row.withheld or m is None else line.value,
                m.unit_label if m else "",
                line.target,
                row.rating,
                row.variation,
                row.assurance,
                line.change.previous,
                line.change.year_earlier,
                "yes" if row.withheld else "",
            ]
        )
    _table(summary, 3, SUMMARY, rows, bold, wrap)

    for priority, section in report.sections:
        ws = book.add_worksheet(sheet_name(priority.title, taken))
        rows = []
        for row in section:
            m = row.line.measure
            if m is None:
                rows.append([row.title, "", None, "", None, None, None, "not yet measured"])
                continue
            for r in row.line.history:
                withheld = report.public and r.value is None
                rows.append(
                    [
                        row.title,
                        r.period,
                        r.value,
                        m.unit_label,
                        r.numerator,
                        r.denominator,
                        None if report.public else r.records,
                        "yes" if withheld else "",
                    ]
                )
        _table(ws, 0, QUARTERS, rows, bold, wrap)

    notes = book.add_worksheet(sheet_name("Commentary", taken))
    _table(
        notes,
        0,
        COMMENTARY,
        [
            [row.measure_id, row.title, note.agency, note.text]
            for row in report.rows
            for note in report.notes(row.measure_id)
        ],
        bold,
        wrap,
    )

    definitions = book.add_worksheet(sheet_name("Definitions", taken))
    _table(
        definitions,
        0,
        DEFINITIONS,
        [
            [
                m.id,
                m.title,
                m.definition,
                m.numerator,
                m.denominator or "",
                m.unit,
                BETTER[m.direction],
                m.official,
            ]
            for m in report.definitions
        ],
        bold,
        wrap,
    )
    book.close()


def _table(
    ws: Any, top: int, headers: list[str], rows: list[list[Any]], bold: Any, wrap: Any
) -> None:
    ws.write_row(top, 0, headers, bold)
    for i, row in enumerate(rows, top + 1):
        for j, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                ws.write_number(i, j, value)
            else:
                ws.write_string(i, j, str(safe_cell(value)), wrap)
    ws.freeze_panes(top + 1, 0)
    ws.autofilter(top, 0, top + max(len(rows), 1), len(headers) - 1)
    ws.set_column(0, 1, 38)
    ws.set_column(2, len(headers) - 1, 14)
