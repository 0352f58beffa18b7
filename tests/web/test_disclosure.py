"""No public output lets anyone work out a withheld figure.

Every public cell of the synthetic store is gathered as each public output shows it — the
API's public view (every quarter, every breakdown), the public plan pages, the public
measure exports, the public board report and ``safeplan measures compute --public`` (years)
— and checked two ways: each output shows the release's cell, and an outsider who knows
every sum among the true figures (tests/attack.py) can pin no withheld count, by
differencing or by bounds, within or across tables and periods. Months and rolling 12
months are not published at all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client
from typer.testing import CliRunner

from safeplan.cli import app
from safeplan.measures.catalogue import catalogue
from safeplan.measures.data import BREAKDOWNS, Source
from safeplan.measures.engine import compute
from safeplan.measures.public import Published, Release, public_periods
from safeplan.measures.scorecard import plan_measures
from safeplan.plans import library
from safeplan.publish import report
from safeplan.web.public.figures import plan_figures, release_of
from tests.attack import Key, Shown, recovered
from tests.web.conftest import make_user

PLANS = ("durham-lscb-2017-2020", "devon-cyp-plan-2019-2023", "durham-priorities-2020")

Seen = dict[Key, tuple[float | None, bool]]  # a cell's value as shown, and withheld or not


def _note(seen: Seen, key: Key, value: float | None, withheld: bool, where: str) -> None:
    """Record what an output showed (to the 0.1 the exports round to); two outputs showing
    one cell differently is a leak."""
    value = None if value is None else round(value, 1)
    if key in seen:
        assert seen[key] == (value, withheld), (where, key, seen[key], (value, withheld))
    seen[key] = (value, withheld)


def _release(plan_id: str) -> Release:
    found = release_of(plan_measures(library.get(plan_id))).value
    assert found is not None
    return found


def test_no_public_output_gives_away_a_withheld_figure(db: None, store: Path) -> None:
    client = Client()
    seen: Seen = {}
    shown: dict[Key, Shown] = {}
    releases = {plan_id: _release(plan_id) for plan_id in PLANS}
    quarters = [p for p in next(iter(releases.values())).periods if p.kind == "quarter"]

    for plan_id, release in releases.items():
        # the API's public view: every quarter, in total and by every breakdown
        for quarter in quarters:
            for breakdown in ("total", *BREAKDOWNS):
                url = f"/api/plans/{plan_id}/results?period={quarter.label}&breakdown={breakdown}"
                body = client.get(url).json()
                assert body["view"] == "public", body
                for r in body["results"]:
                    key = (r["measure"], r["period"], r["breakdown"], r["group"])
                    _note(seen, key, r["value"], r["suppressed"], "api")
                    shown[key] = Shown(r["numerator"], r["denominator"], r["suppressed"])
        # the public plan page's figures
        figures = plan_figures(library.get(plan_id))
        for measure_id, figure in figures.figures.items():
            for point in figure.points:
                key = (measure_id, point.period.label, "total", "All")
                if release.get(*key) is not None:
                    _note(seen, key, point.value, point.withheld, "page")
        # the public board report (its latest quarter and the history on its charts)
        source = Source.connect(str(store))
        built = report.build(
            source, library.get(plan_id), quarters[-1], public=True, release=release
        )
        for row in built.rows:
            for label, value, text in row.history:
                key = (row.measure_id, label, "total", "All")
                _note(seen, key, value, text == "c", "report")

    board = Client()
    board.force_login(make_user("board"))
    plan_id = PLANS[0]
    for m in plan_measures(library.get(plan_id)):  # the public measure exports
        url = f"/dashboard/plans/{plan_id}/measures/{m.id}/export.json?version=public"
        for r in board.get(url).json():
            value = None if r["suppressed"] else r["value"]
            key = (r["measure"], r["period"], r["breakdown"], r["group"])
            _note(seen, key, value, r["suppressed"], "export")

    runner = CliRunner()  # years, from the command line
    years = [p.label for p in releases[plan_id].periods if p.kind == "fy"]
    out = runner.invoke(
        app,
        [
            "measures",
            "compute",
            "--plan",
            plan_id,
            "--period",
            years[-1],
            "--periods",
            str(len(years)),
            *(a for b in BREAKDOWNS for a in ("--by", b)),
            "--public",
            "--format",
            "json",
        ],
        env={"SAFEPLAN_STORE": str(store)},
    )
    assert out.exit_code == 0, out.output
    for r in json.loads(out.stdout):
        key = (r["measure"], r["period"], r["breakdown"], r["group"])
        withheld = bool(r["suppressed"])
        shown[key] = Shown(
            None if withheld else r["numerator"], None if withheld else r["denominator"], withheld
        )

    # every cell shown is the release's, and the outsider recovers none withheld
    def cell(key: Key) -> Published:
        found = [c for c in (rel.get(*key) for rel in releases.values()) if c is not None]
        assert found and all(c == found[0] for c in found), key  # one cell, whichever plan
        return found[0]

    for key, (_, withheld) in seen.items():
        assert cell(key).suppressed == withheld, key
    truth_source = Source.connect(str(store))
    measures = {m.id: m for p in PLANS for m in plan_measures(library.get(p))}
    periods = public_periods(truth_source.collection_years())
    truth = {
        (r.measure, r.period, r.breakdown, r.group): r
        for r in compute(truth_source, measures.values(), periods, BREAKDOWNS)
    }
    for key in truth:  # every cell of the release is in the attacker's hands
        c = cell(key)
        shown.setdefault(key, Shown(c.result.numerator, c.result.denominator, c.suppressed))
    assert sum(s.withheld for s in shown.values()) > 100, "the store should have small counts"
    units = {m.id: m.unit for m in catalogue().values()}
    assert recovered(truth, shown, units) == {}


@pytest.mark.parametrize("period", ["2025-01", "R12-2025-01"])
def test_months_and_rolling_years_are_not_published(db: None, store: Path, period: str) -> None:
    response = Client().get(f"/api/plans/{PLANS[0]}/results?period={period}")
    assert response.status_code == 422
