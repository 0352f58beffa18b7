"""Public figures for a plan's key measures: the latest quarter the store has data for and
the quarters before it, every one suppressed by the DfE small-number rules.

Which quarter: the store's latest collection year Y (the highest ``sp_loads.period`` among
loaded files) gives January to March of Y, the last quarter of the financial year that the
year-Y returns cover (a 2025 return covers April 2024 to March 2025, so 2025-Q1). Figures
never run past the data the returns hold.

Figures take seconds to compute, so each plan × quarter is kept in memory for the life of
the process; a new load into the store starts a new entry.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from safeplan.config import settings
from safeplan.measures.data import Source
from safeplan.measures.engine import compute
from safeplan.measures.model import Measure
from safeplan.measures.periods import Period
from safeplan.measures.periods import parse as parse_period
from safeplan.measures.public import Published, publishable
from safeplan.measures.scorecard import plan_measures
from safeplan.measures.suppression import SUPPRESSED
from safeplan.plans.model import Plan

log = logging.getLogger(__name__)

TREND_QUARTERS = 4
CACHE_SIZE = 64
NOT_YET = "Figures are not available yet: no data has been loaded."
UNAVAILABLE = "Figures are not available at the moment. Please try again later."


@dataclass(frozen=True)
class Point:
    """One quarter's public figure: ``text`` is what the page shows."""

    period: Period
    text: str
    value: float | None  # None when withheld or when there is no figure
    withheld: bool

    @property
    def name(self) -> str:
        """The quarter in words, e.g. "Jan to Mar 2024"."""
        return f"{self.period.start:%b} to {self.period.end:%b %Y}"


@dataclass(frozen=True)
class Figure:
    """A key measure's public figures, oldest quarter first; the last is the latest."""

    measure: Measure
    points: tuple[Point, ...]

    @property
    def latest(self) -> Point:
        return self.points[-1]

    @property
    def trend(self) -> list[tuple[Point, str]]:
        """Each quarter with its movement from the one before, in words."""
        out = [(self.points[0], "")]
        for before, now in zip(self.points, self.points[1:], strict=False):
            out.append((now, movement(before, now)))
        return out

    @property
    def change(self) -> str:
        """The latest movement as a sentence, e.g. "Down from 12 in Oct to Dec 2023"."""
        if len(self.points) < 2:
            return ""
        before, now = self.points[-2], self.points[-1]
        word = movement(before, now)
        if word in ("Up", "Down"):
            return f"{word} from {before.text} in {before.name}"
        if word == "Same":
            return f"The same as in {before.name}"
        return ""


def movement(before: Point, now: Point) -> str:
    """Up, Down or Same; empty when either figure is withheld or missing."""
    if before.value is None or now.value is None:
        return ""
    a, b = round(before.value, 1), round(now.value, 1)
    return "Same" if a == b else "Up" if b > a else "Down"


@dataclass(frozen=True)
class PlanFigures:
    """The public figures of one plan, or the reason there are none."""

    period: Period | None
    figures: Mapping[str, Figure] = field(default_factory=dict)
    note: str = ""

    def get(self, measure_id: str | None) -> Figure | None:
        return self.figures.get(measure_id or "")


def show(measure: Measure, value: float) -> str:
    """A figure in the measure's unit, as a reader expects it."""
    if measure.unit == "percent":
        return f"{value:.1f}%"
    if measure.unit == "days":
        return f"{value:,.1f} days"
    return f"{value:,.0f}"


def _point(measure: Measure, period: Period, published: Published | None) -> Point:
    if published is None:
        return Point(period, "No figure", None, withheld=False)
    if published.suppressed:
        return Point(period, published.symbol or SUPPRESSED, None, withheld=True)
    value = published.result.value
    if value is None:
        return Point(period, "No figure", None, withheld=False)
    return Point(period, show(measure, value), value, withheld=False)


def latest_period(source: Source) -> tuple[Period, int] | None:
    """The quarter to publish and the store's latest load id, or None with nothing loaded."""
    if not source.has("sp_loads"):
        return None
    loads = source.table("sp_loads")
    loads = loads.filter(loads.status == "loaded")
    rows = loads.group_by("period").aggregate(last=loads.load_id.max()).to_pyarrow().to_pylist()
    years = [str(r["period"]) for r in rows if re.fullmatch(r"\d{4}", str(r["period"]))]
    if not years:
        return None
    last_load = max(int(r["last"]) for r in rows)
    return parse_period(f"{max(years)}-Q1"), last_load


def compute_figures(source: Source, measures: Sequence[Measure], period: Period) -> PlanFigures:
    """Every measure's total for the last TREND_QUARTERS quarters, suppressed for publication."""
    periods = period.series(TREND_QUARTERS)
    totals = [r for r in compute(source, measures, periods) if r.breakdown == "total"]
    published = {(p.result.measure, p.result.period): p for p in publishable(totals)}
    figures = {
        m.id: Figure(m, tuple(_point(m, p, published.get((m.id, p.label))) for p in periods))
        for m in measures
    }
    return PlanFigures(period, figures)


_cache: dict[tuple[object, ...], PlanFigures] = {}
_lock = threading.Lock()


def _open(url: str) -> Source | None:
    server = url.startswith(("postgresql://", "postgres://"))
    if not server and not Path(url.removeprefix("duckdb:///")).is_file():
        return None
    return Source.connect(url)


def plan_figures(plan: Plan, store_url: str | None = None) -> PlanFigures:
    """The plan's public figures from the store (SAFEPLAN_STORE), computed once per load."""
    url = store_url or settings().store_url
    try:
        source = _open(url)
    except Exception:  # a store locked by a load, or a server that is down
        log.exception("cannot open the store %s for public figures", url)
        return PlanFigures(None, note=UNAVAILABLE)
    if source is None:
        return PlanFigures(None, note=NOT_YET)
    try:
        state = latest_period(source)
        if state is None:
            return PlanFigures(None, note=NOT_YET)
        period, last_load = state
        measures = plan_measures(plan)
        key = (url, plan.id, tuple(m.id for m in measures), period.label, last_load)
        with _lock:  # one computation at a time bounds the load on the store and memory
            found = _cache.get(key)
            if found is None:
                found = compute_figures(source, measures, period)
                if len(_cache) >= CACHE_SIZE:
                    _cache.clear()
                _cache[key] = found
        return found
    except Exception:
        log.exception("cannot compute public figures for %s", plan.id)
        return PlanFigures(None, note=UNAVAILABLE)
    finally:
        source.con.disconnect()


def clear_cache() -> None:
    with _lock:
        _cache.clear()
