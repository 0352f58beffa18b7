"""`safeplan measures` and `safeplan scorecard`, on a store loaded from the CIN fixture."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from safeplan.cli import app
from safeplan.measures.catalogue import BUILT_IN

runner = CliRunner()
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def loaded(safeplan_home: Path) -> Path:
    result = runner.invoke(app, ["load", str(FIXTURES / "cin_census_2024.xml")])
    assert result.exit_code == 0, result.output
    return safeplan_home


def test_measures_list_shows_the_catalogue() -> None:
    result = runner.invoke(app, ["measures", "list"])
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert len(lines) == len(BUILT_IN) >= 27
    assert any(line.startswith("rereferrals_12m") and "%" in line for line in lines)


def test_compute_csv_and_json(loaded: Path) -> None:
    args = ["measures", "compute", "--period", "2023-24", "--measure", "quality_referrals"]
    result = runner.invoke(app, [*args, "--format", "csv", "--by", "gender"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    # Two referrals in 2023-24: TEST0001 (boy) went further, TEST0002 (girl) was NFA.
    total = next(r for r in rows if r["breakdown"] == "total")
    assert (total["numerator"], total["denominator"], total["value"]) == ("1.0", "2.0", "50.0")
    girls = next(r for r in rows if r["group"] == "Female")
    assert (girls["numerator"], girls["denominator"]) == ("0.0", "1.0")
    result = runner.invoke(app, [*args, "--format", "json"])
    assert json.loads(result.stdout)[0]["records"] == 2


def test_public_output_withholds_small_numbers(loaded: Path, tmp_path: Path) -> None:
    out = tmp_path / "public.xlsx"
    args = ["measures", "compute", "--period", "2023-24", "--measure", "quality_referrals"]
    result = runner.invoke(
        app, [*args, "--by", "gender", "--public", "--format", "xlsx", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:8] == (
        "measure",
        "period",
        "breakdown",
        "group",
        "numerator",
        "denominator",
        "value",
        "per_10k",
    )
    assert all(row[6] == "c" for row in rows[1:])  # every count here is 1 or 2: all withheld


@pytest.mark.parametrize("period", ["2024-01", "R12-2024-01"])
def test_public_figures_are_quarters_and_years_only(loaded: Path, period: str) -> None:
    """Months and rolling 12 months overlap quarters and years: set against them, they would
    let a withheld count be worked out, so they are partners' figures only."""
    args = ["measures", "compute", "--period", period, "--measure", "quality_referrals"]
    assert runner.invoke(app, args).exit_code == 0  # partners see them
    result = runner.invoke(app, [*args, "--public"])
    assert result.exit_code == 1 and "quarters (e.g. 2025-Q1) and financial years" in result.stderr
    result = runner.invoke(app, [*args[:3], "2019-Q1", *args[4:], "--public"])
    assert result.exit_code == 1
    assert "no public figures for 2019-Q1: the loaded returns cover 2023-24" in result.stderr


def test_unknown_period_and_breakdown_are_explained(loaded: Path) -> None:
    result = runner.invoke(app, ["measures", "compute", "--period", "2024-Q5"])
    assert result.exit_code == 1 and "is not a period" in result.stderr
    result = runner.invoke(app, ["measures", "compute", "--period", "2024-Q1", "--by", "shoe_size"])
    assert result.exit_code == 1 and "unknown breakdown 'shoe_size'" in result.stderr


def test_scorecard_prints_every_priority(loaded: Path) -> None:
    result = runner.invoke(
        app,
        ["scorecard", "--plan", "durham-lscb-2017-2020", "--period", "2024-Q1",
         "--benchmarks", str(FIXTURES / "ees"), "--la", "E06000047"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for title in (
        "Child Sexual Exploitation",
        "Neglect",
        "Empowering Young People",
        "Working Together",
    ):
        assert title in result.stdout
    # none of this plan's measures has a published equivalent of the same definition (the
    # DfE's CP plan durations are in 2-year bands, not 18 months): no benchmark is shown
    assert "statistical_neighbours" not in result.stdout
    devon = runner.invoke(
        app,
        ["scorecard", "--plan", "devon-cyp-plan-2019-2023", "--period", "2024-Q1",
         "--benchmarks", str(FIXTURES / "ees"), "--la", "E06000047"],
    )  # fmt: skip
    assert devon.exit_code == 0, devon.output
    assert "statistical_neighbours" in devon.stdout  # re-referrals, CLA rate, placements
