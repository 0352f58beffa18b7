"""Results fit to publish: DfE small-number suppression applied to every cell."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from safeplan.measures.catalogue import catalogue
from safeplan.measures.engine import Result
from safeplan.measures.suppression import Cell, protect


@dataclass(frozen=True)
class Published:
    result: Result  # with suppressed figures set to None
    suppressed: bool  # the value is withheld
    symbol: str  # DfE symbol shown in its place ("c"), or ""
    reason: str  # "small", "secondary" or ""


def publishable(results: Iterable[Result]) -> list[Published]:
    """Suppress each measure × period table (its total and every breakdown) together, so no
    withheld cell can be worked out from the others."""
    known = catalogue()
    tables: dict[tuple[str, str], list[Result]] = defaultdict(list)
    for r in results:
        tables[(r.measure, r.period)].append(r)
    out: list[Published] = []
    for (measure_id, _), rows in tables.items():
        unit = known[measure_id].unit if measure_id in known else "count"
        cells = [_cell(r, unit) for r in rows]
        for r, p in zip(rows, protect(cells), strict=True):
            shown = replace(
                r,
                numerator=r.numerator if p.numerator_shown is not None or unit == "days" else None,
                denominator=r.denominator if p.denominator_shown is not None else None,
                value=None if p.value_suppressed else r.value,
            )
            out.append(Published(shown, p.value_suppressed, p.symbol, p.reason))
    return out


def _cell(r: Result, unit: str) -> Cell:
    category = "all" if r.breakdown == "total" else r.group
    if unit == "days":  # a sum of days is not a count of children: protect the count behind it
        return Cell(r.breakdown, category, None, r.records)
    num = None if r.numerator is None else round(r.numerator)
    den = None if r.denominator is None else round(r.denominator)
    return Cell(r.breakdown, category, num, den)
