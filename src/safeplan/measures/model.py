"""What a measure is: its definition for people, and its logic for the engine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from safeplan.vocabulary import UNITS, AgencyKind, Direction, Unit

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from safeplan.measures.data import Source

Timing = Literal["as_at_end", "during"]
"""A measure's period semantics: "as_at_end" a snapshot on the period's last day (DfE's
"at 31 March"); "during" the events (or children with an event) dated in the period."""
TIMINGS = {
    "as_at_end": "a snapshot on the last day of the period",
    "during": "events in the period",
}
UnitsFn = Callable[["Source", "ir.Table"], "ir.Table | None"]
"""Given the store and a table of periods (period, start, end), the measure's units:
one row per counted thing per period with columns period, person_id, ref_date (the date
ages are taken at), num and den (numbers to sum), and optionally agency. None when the
store has none of the data the measure needs."""


@dataclass(frozen=True)
class Follows:
    """The official definition a measure follows: the publication, the part of it (table,
    section or data item) and the year; or, where there is none, SafePlan's own (`local`)."""

    publication: str
    part: str = ""
    year: str = ""
    local: bool = False

    def __str__(self) -> str:
        return ", ".join(x for x in (self.publication, self.part, self.year) if x)


@dataclass(frozen=True, kw_only=True)
class Measure:
    """One measure, declared with names: what it counts, for whom, over which days, what it
    leaves out and whose definition it follows, beside the logic that computes it."""

    id: str
    title: str
    definition: str  # plain English: what is counted, for whom, when
    numerator: str
    denominator: str | None
    unit: Unit
    direction: Direction
    timing: Timing
    population: str  # who or what is counted, before the exclusions
    exclusions: tuple[str, ...] = ()  # what the official definition (or SafePlan's) leaves out
    sources: tuple[str, ...]  # canonical tables it reads
    official: Follows
    differences: str = ""  # where and why SafePlan departs from `official`; "" if it does not
    units: UnitsFn = field(repr=False, compare=False)
    settings: dict[str, Any] = field(default_factory=dict)  # local settings, e.g. timescales
    per_10k: bool = False  # a count also shown per 10,000 children when the population is known
    owner: AgencyKind = (
        AgencyKind.council
    )  # the agency that answers for the figure and writes its commentary
    notes: str = ""

    @property
    def unit_label(self) -> str:
        return UNITS[self.unit].short

    @property
    def decimals(self) -> int:
        """Places the measure's figures are shown to, and so judged at against a limit or a
        target (`measures.precision`): what the board reads is what was judged."""
        return 0 if self.unit == Unit.number else 1

    def display(self, value: float | None) -> str:
        """A figure in the measure's unit as a reader expects it; a dash for none."""
        if value is None:
            return "–"
        places = self.decimals
        if self.unit == "percent":
            return f"{value:.{places}f}%"
        if self.unit == "days":
            return f"{value:,.{places}f} days"
        if self.unit == "per_10k":
            return f"{value:,.{places}f} per 10,000 children"
        return f"{value:,.{places}f}"

    def display_change(self, delta: float | None) -> str:
        """A change in the measure's unit, signed: "+3", "−1.5 points"; a dash for none."""
        if delta is None:
            return "–"
        size = f"{abs(delta):,.1f}".removesuffix(".0")
        sign = "+" if delta > 0 else "−" if delta < 0 else ""
        unit = {"percent": " points", "days": " days", "per_10k": " per 10,000"}.get(self.unit, "")
        return f"{sign}{size}{unit}"

    def value(self, num: float | None, den: float | None) -> float | None:
        """The measure's value from its numerator and denominator."""
        if num is None:
            return None
        if self.unit == "count":
            return float(num)
        if not den:
            return None
        scale = {"percent": 100.0, "per_10k": 10_000.0}.get(self.unit, 1.0)
        return scale * num / den
