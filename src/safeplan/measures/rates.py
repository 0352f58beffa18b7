"""Rates per 10,000 children aged 0 to 17, from the ONS mid-year population estimates.

The population is loaded like any partner file (the `population_estimates` template). A
period uses the latest estimate on or before its last day (estimates are as at 30 June).
Only totals get a rate: the population is not known by breakdown group. A measure whose
unit is a rate per 10,000 (`Unit.per_10k`) takes the population as its denominator, so its
value is the rate; a count with `per_10k` keeps its value and shows the rate beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from safeplan.measures.data import Source
from safeplan.measures.engine import Result
from safeplan.measures.model import Measure
from safeplan.measures.periods import Period
from safeplan.vocabulary import Unit


def populations(source: Source) -> dict[int, int]:
    """Children aged 0 to 17 by mid-year (summed over the areas loaded)."""
    if not source.has("sp_population_estimates"):
        return {}
    t = source.latest("sp_population_estimates", ("area_code", "mid_year"))
    rows = t.group_by("mid_year").aggregate(children=t.population_0_17.sum()).to_pyarrow()
    return {int(r["mid_year"]): int(r["children"]) for r in rows.to_pylist()}


def population_for(period: Period, known: dict[int, int]) -> int | None:
    years = [y for y in known if date(y, 6, 30) <= period.end]
    return known[max(years)] if years else None


def with_rates(
    source: Source,
    results: Sequence[Result],
    measures: Sequence[Measure],
    periods: Sequence[Period],
) -> list[Result]:
    wanted = {m.id for m in measures if m.per_10k or m.unit == Unit.per_10k}
    rates = {m.id for m in measures if m.unit == Unit.per_10k}
    known = populations(source) if wanted else {}
    if not known:
        return list(results)
    by_label = {p.label: p for p in periods}
    out = []
    for r in results:
        population = population_for(by_label[r.period], known) if r.period in by_label else None
        if (
            r.measure in wanted
            and r.breakdown == "total"
            and population
            and r.numerator is not None
        ):
            rate = 10_000 * r.numerator / population
            r = replace(r, per_10k=rate)
            if r.measure in rates:
                r = replace(r, denominator=float(population), value=rate)
        out.append(r)
    return out
