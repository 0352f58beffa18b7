"""Targets and RAG ratings from the plan, and change over time.

A target belongs to a financial year; a period is judged against the target of the
financial year its last day falls in. Green when the target is met, amber when the value is
within a tolerance of it (5% of the target by default), red otherwise; measures to track, or
without a target, are not rated. A value on the target, or on the edge of amber, is on it: both
are judged at the precision the measure is shown to (`measures.precision.compare`).
"""

from __future__ import annotations

from dataclasses import dataclass

from safeplan.measures.periods import Period
from safeplan.measures.precision import DEFAULT_DECIMALS, compare, exact
from safeplan.plans.model import MeasureRef
from safeplan.vocabulary import Direction

AMBER_TOLERANCE = 0.05


def financial_year(period: Period) -> str:
    start = period.end.year if period.end.month > 3 else period.end.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def target_for(ref: MeasureRef, period: Period) -> float | None:
    year = financial_year(period)
    return next((t.value for t in ref.targets if t.year == year), None)


def rag(
    value: float | None,
    target: float | None,
    direction: Direction,
    tolerance: float = AMBER_TOLERANCE,
    decimals: int = DEFAULT_DECIMALS,
) -> str:
    """'green', 'amber', 'red', or '' when there is nothing to judge; ``decimals`` is the
    places the measure is shown to (`Measure.decimals`), at which the value meets a line."""
    if value is None or target is None or direction is Direction.track:
        return ""
    better = 1 if direction is Direction.increase else -1  # the side of a line that passes
    amber_edge = exact(target) - better * abs(exact(target)) * exact(tolerance)
    if better * compare(value, target, decimals) >= 0:
        return "green"
    return "amber" if better * compare(value, amber_edge, decimals) >= 0 else "red"


@dataclass(frozen=True)
class Change:
    previous: float | None
    year_earlier: float | None

    @staticmethod
    def between(now: float | None, previous: float | None, year_earlier: float | None) -> Change:
        def diff(other: float | None) -> float | None:
            return None if now is None or other is None else now - other

        return Change(diff(previous), diff(year_earlier))
