"""What a measure is: its definition for people, and its logic for the engine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from safeplan.measures.data import Source

Unit = Literal["count", "percent", "days"]
Direction = Literal["increase", "reduce", "track"]
Timing = Literal["as_at_end", "during"]
Owner = Literal["council", "health", "police", "schools", "voluntary"]
UNIT_LABELS = {"count": "n", "percent": "%", "days": "days"}

UnitsFn = Callable[["Source", "ir.Table"], "ir.Table | None"]
"""Given the store and a table of periods (period, start, end), the measure's units:
one row per counted thing per period with columns period, person_id, ref_date (the date
ages are taken at), num and den (numbers to sum), and optionally agency. None when the
store has none of the data the measure needs."""


@dataclass(frozen=True)
class Measure:
    id: str
    title: str
    definition: str  # plain English: what is counted, for whom, when
    numerator: str
    denominator: str | None
    unit: Unit
    direction: Direction
    timing: Timing  # "as_at_end": a snapshot at the period's last day; "during": events in it
    sources: tuple[str, ...]  # canonical tables it reads
    official: str  # the official definition it follows (publication, specification year)
    units: UnitsFn = field(repr=False, compare=False)
    settings: dict[str, Any] = field(default_factory=dict)  # local settings, e.g. timescales
    per_10k: bool = False  # also shown per 10,000 children when the population is known
    owner: Owner = "council"  # the agency that answers for the figure and writes its commentary
    notes: str = ""

    @property
    def unit_label(self) -> str:
        return UNIT_LABELS[self.unit]

    def display(self, value: float | None) -> str:
        """A figure in the measure's unit as a reader expects it; a dash for none."""
        if value is None:
            return "–"
        if self.unit == "percent":
            return f"{value:.1f}%"
        if self.unit == "days":
            return f"{value:,.1f} days"
        return f"{value:,.0f}"

    def display_change(self, delta: float | None) -> str:
        """A change in the measure's unit, signed: "+3", "−1.5 points"; a dash for none."""
        if delta is None:
            return "–"
        size = f"{abs(delta):,.1f}".removesuffix(".0")
        sign = "+" if delta > 0 else "−" if delta < 0 else ""
        unit = {"percent": " points", "days": " days"}.get(self.unit, "")
        return f"{sign}{size}{unit}"

    def value(self, num: float | None, den: float | None) -> float | None:
        """The measure's value from its numerator and denominator."""
        if num is None:
            return None
        if self.unit == "count":
            return float(num)
        if not den:
            return None
        return 100.0 * num / den if self.unit == "percent" else num / den
