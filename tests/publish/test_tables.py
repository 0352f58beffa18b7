"""Exported tables never carry a live formula, whatever the data holds."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from safeplan.measures.engine import Result
from safeplan.measures.public import Published
from safeplan.publish.tables import public_table, results_table, to_csv, write_xlsx

HOSTILE = ['=HYPERLINK("http://example.com","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"]


def hostile_results() -> list[Result]:
    return [
        Result("cla_rate", "2025-Q1", "locality", group, 12.0, None, 12.0, 12) for group in HOSTILE
    ]


@pytest.mark.parametrize("public", [False, True])
def test_csv_cells_never_start_a_formula(public: bool) -> None:
    results = hostile_results()
    table = (
        public_table(Published(r, False, "", "") for r in results)
        if public
        else results_table(results)
    )
    rows = list(csv.reader(io.StringIO(to_csv(table))))
    groups = [row[3] for row in rows[1:]]
    assert groups == ["'" + g for g in HOSTILE]


def test_xlsx_cells_are_text_not_formulas(tmp_path: Path) -> None:
    path = tmp_path / "table.xlsx"
    write_xlsx(results_table(hostile_results()), path)
    sheet = load_workbook(path).active
    assert sheet is not None
    cells = [row[3] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == ["'" + g for g in HOSTILE]
    assert all(c.data_type == "s" for c in cells)
    numbers = [row[4] for row in sheet.iter_rows(min_row=2)]
    assert all(c.data_type == "n" and c.value == 12 for c in numbers)
