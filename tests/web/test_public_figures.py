"""Public figures: the latest quarter in the store, its trend, and never a small count."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from safeplan.measures.catalogue import catalogue
from safeplan.measures.data import Source
from safeplan.measures.engine import compute
from safeplan.measures.periods import parse
from safeplan.measures.public import Release
from safeplan.measures.scorecard import plan_measures
from safeplan.plans import library
from safeplan.web.public import figures as figures_module
from safeplan.web.public.figures import Point, movement, plan_figures
from safeplan.web.storecache import NOT_YET, UNAVAILABLE, latest_period
from tests.web.conftest import figures_shown, text_of

PLAN = "durham-lscb-2017-2020"


def test_the_latest_quarter_comes_from_the_latest_collection_year(fixture_store: Path) -> None:
    source = Source.connect(str(fixture_store))
    try:
        state = latest_period(source)
    finally:
        source.con.disconnect()
    assert state is not None
    period, last_load = state
    assert period.label == "2024-Q1" and last_load == 1  # the 2024 return: Jan to Mar 2024


def test_public_pages_never_show_a_small_count(client: Client, fixture_store: Path) -> None:
    """Every count behind the fixture's figures is 0 to a handful of children: each figure
    resting on a count of 1 to 5 must show as "c", never as its number."""
    plan = library.get(PLAN)
    response = client.get(f"/plans/{PLAN}/")
    assert response.status_code == 200
    words = text_of(response.content)
    assert "Figures are for Jan–Mar 2024" in words
    shown = figures_shown(response.content)
    periods = parse("2024-Q1").series(4)
    assert {p for _, p in shown} == {p.label for p in periods}
    source = Source.connect(str(fixture_store))
    try:
        raw = compute(source, plan_measures(plan), periods)
    finally:
        source.con.disconnect()
    small = 0
    for r in raw:
        counts = [round(c) for c in (r.numerator, r.denominator) if c is not None]
        if catalogue()[r.measure].unit == "days":
            counts = [r.records]
        texts = shown[(r.measure, r.period)]
        if any(1 <= c <= 5 for c in counts):
            small += 1
            assert texts == {"c"}, (r, texts)
    assert small > 0, "the fixture should have small counts to withhold"
    assert "withheld to protect children's privacy" in words


def test_figures_are_computed_once_per_plan_and_load(
    fixture_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = library.get(PLAN)
    calls = []
    real = figures_module.public_release  # type: ignore[attr-defined]

    def counting(*args: object, **kwargs: object) -> Release:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(figures_module, "public_release", counting)
    first = plan_figures(plan)
    again = plan_figures(plan)
    assert first == again and len(calls) == len(plan_measures(plan))  # each measure once
    assert first.period is not None and first.period.label == "2024-Q1"


def test_without_a_store_the_page_says_figures_are_not_available_yet() -> None:
    result = plan_figures(library.get(PLAN))
    assert result.period is None and result.note == NOT_YET


def test_an_unreadable_store_is_a_note_not_an_error(
    safeplan_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    safeplan_home.mkdir(parents=True, exist_ok=True)
    (safeplan_home / "store.duckdb").write_bytes(b"not a database")
    result = plan_figures(library.get(PLAN))
    assert result.period is None and result.note == UNAVAILABLE
    assert "cannot open the store" in caplog.text


def test_movement_and_units_in_words() -> None:
    period = parse("2024-Q1")
    ten = Point(period, "10", 10.0, withheld=False)
    twelve = Point(period, "12", 12.0, withheld=False)
    withheld = Point(period, "c", None, withheld=True)
    assert movement(ten, twelve) == "Up" and movement(twelve, ten) == "Down"
    assert movement(ten, ten) == "Same" and movement(ten, withheld) == ""
    assert ten.name == "Jan to Mar 2024"
    by_unit = {str(m.unit): m for m in catalogue().values()}
    assert by_unit["count"].display(1234.0) == "1,234"
    assert by_unit["percent"].display(45.26) == "45.3%"
    assert by_unit["days"].display(12.54) == "12.5 days"
