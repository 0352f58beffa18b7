"""Public figures for a plan's key measures: the latest quarter the store has data for
(``storecache``) and the quarters before it, every one suppressed by the DfE small-number
rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from safeplan.measures.data import Source
from safeplan.measures.model import Measure
from safeplan.measures.periods import Period
from safeplan.measures.public import Published, Release, public_release
from safeplan.measures.scorecard import plan_measures
from safeplan.measures.suppression import SUPPRESSED
from safeplan.plans.model import Plan
from safeplan.web.storecache import Computed, from_store

TREND_QUARTERS = 4


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


def _point(measure: Measure, period: Period, published: Published | None) -> Point:
    if published is None:
        return Point(period, "No figure", None, withheld=False)
    if published.suppressed:
        return Point(period, published.symbol or SUPPRESSED, None, withheld=True)
    value = published.result.value
    if value is None:
        return Point(period, "No figure", None, withheld=False)
    return Point(period, measure.display(value), value, withheld=False)


def figures_of(release: Release, measures: Sequence[Measure], period: Period) -> PlanFigures:
    """Every measure's total for the last TREND_QUARTERS quarters, from the public release."""
    periods = period.series(TREND_QUARTERS)
    figures = {
        m.id: Figure(m, tuple(_point(m, p, release.get(m.id, p.label)) for p in periods))
        for m in measures
    }
    return PlanFigures(period, figures)


def release_of(measures: Sequence[Measure], store_url: str | None = None) -> Computed[Release]:
    """The measures' public release (``measures.public``), each measure's cells computed
    once per version of the store: a measure is protected on its own, so every plan, page,
    export and report showing it shares its cells."""

    def one(m: Measure) -> Callable[[Source, Period], Release]:
        return lambda source, _latest: public_release(source, [m])

    parts = [from_store(("release", m.id), one(m), store_url) for m in measures] or [
        from_store(("release",), lambda _source, _latest: Release(), store_url)
    ]
    failed = next((p for p in parts if p.value is None), None)
    if failed is not None:
        return Computed(None, failed.latest, failed.note)
    return Computed(Release.merged(p.value for p in parts if p.value), parts[0].latest)


def plan_figures(plan: Plan, store_url: str | None = None) -> PlanFigures:
    """The plan's public figures from the store (SAFEPLAN_STORE), computed once per load."""
    measures = plan_measures(plan)
    done = release_of(measures, store_url)
    if done.value is None or done.latest is None:
        return PlanFigures(None, note=done.note)
    return figures_of(done.value, measures, done.latest)
