"""Computing measures: every measure × period × breakdown group in one pass per measure.

A measure's logic yields its *units* (one row per thing counted per period, with numbers to
sum); the engine attaches each unit's child (age band on the reference date, gender,
ethnicity, disability, locality) and aggregates once to the finest grain. Every breakdown
and the total are then sums of that small table, so adding breakdowns costs almost nothing.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from safeplan.measures.data import BREAKDOWNS, Source, age_band
from safeplan.measures.model import Measure
from safeplan.measures.periods import Period
from safeplan.vocabulary import LEGACY_AGENCY_KINDS, Unit

GRAIN = ("period", *BREAKDOWNS)


@dataclass(frozen=True)
class Result:
    measure: str
    period: str
    breakdown: str  # "total" or one of BREAKDOWNS
    group: str  # "All" for the total
    numerator: float | None
    denominator: float | None
    value: float | None
    records: int  # the child-level records behind the figure
    per_10k: float | None = None  # per 10,000 children aged 0-17, where the measure has one


def periods_table(periods: Sequence[Period]) -> ir.Table:
    return ibis.memtable(
        {
            "period": [p.label for p in periods],
            "p_start": [p.start for p in periods],
            "p_end": [p.end for p in periods],
        },
        schema={"period": "string", "p_start": "date", "p_end": "date"},
    )


def cube(
    source: Source,
    measure: Measure,
    periods: Sequence[Period],
    table: ir.Table | None = None,
) -> pa.Table | None:
    """The measure at its finest grain: period × every breakdown, with sums and counts.
    `table` is `periods_table(periods)`, when the caller has one already."""
    units = measure.units(source, periods_table(periods) if table is None else table)
    if units is None:
        return None
    if "agency" not in units.columns:
        units = units.mutate(agency=ibis.literal("council"))
    people = source.persons
    j = units.left_join(people, units.person_id == people.person_id)
    band = age_band(j.dob, j.ref_date, j.expected_dob)
    if "age_band" in units.columns:  # anonymous units (the survey) carry the band they gave
        band = j.dob.isnull().ifelse(j.age_band.fill_null("Not known"), band)
    grain = j.select(
        period=j.period,
        age_band=band,
        gender=j.gender.fill_null("Not known"),
        ethnicity=j.ethnicity.fill_null("Not known"),
        disability=j.disability.fill_null("No"),
        locality=j.locality.fill_null("Not recorded"),
        agency=j.agency.fill_null("Not recorded").substitute(LEGACY_AGENCY_KINDS),
        num=j.num.cast("float64"),
        den=j.den.cast("float64"),
    )
    agg = grain.group_by(list(GRAIN)).aggregate(
        num=grain.num.sum(), den=grain.den.sum(), records=grain.count()
    )
    return agg.to_pyarrow()


def roll_up(
    measure: Measure,
    table: pa.Table | None,
    periods: Sequence[Period],
    breakdowns: Iterable[str] = (),
) -> list[Result]:
    """Results for the total and each breakdown, from the finest-grain cube."""
    out: list[Result] = []
    keys = ["total", *breakdowns]
    labels = [p.label for p in periods]
    if table is None or table.num_rows == 0:
        return [Result(measure.id, label, "total", "All", None, None, None, 0) for label in labels]
    for key in keys:
        by = ["period"] if key == "total" else ["period", key]
        grouped = table.group_by(by).aggregate(
            [("num", "sum"), ("den", "sum"), ("den", "count"), ("records", "sum")]
        )
        rows = grouped.to_pylist()
        seen = set()
        for row in rows:
            group = "All" if key == "total" else str(row[key])
            num = row["num_sum"]
            den = row["den_sum"] if row["den_count"] else None
            seen.add((row["period"], group))
            out.append(
                Result(
                    measure.id,
                    row["period"],
                    key,
                    group,
                    num,
                    den,
                    measure.value(num, den),
                    int(row["records_sum"]),
                )
            )
        if key == "total":
            for label in labels:
                if (label, "All") not in seen:
                    out.append(
                        Result(
                            measure.id,
                            label,
                            "total",
                            "All",
                            _none_counted(measure),
                            None,
                            measure.value(_none_counted(measure), None),
                            0,
                        )
                    )
    order = {label: i for i, label in enumerate(labels)}
    out.sort(key=lambda r: (order.get(r.period, 0), keys.index(r.breakdown), r.group))
    return out


def _none_counted(measure: Measure) -> float | None:
    """A period with no units: a count of 0 children (the numerator of a count or of a rate
    per 10,000 children), but no percentage or average (nothing to divide)."""
    return 0.0 if measure.unit in (Unit.number, Unit.per_10k) else None


def compute(
    source: Source,
    measures: Iterable[Measure],
    periods: Sequence[Period],
    breakdowns: Iterable[str] = (),
    timings: dict[str, float] | None = None,
) -> list[Result]:
    """Every measure for every period, in total and by each breakdown. `timings`, when
    given, receives each measure's seconds."""
    breakdowns = list(breakdowns)
    unknown = set(breakdowns) - set(BREAKDOWNS)
    if unknown:
        raise ValueError(f"unknown breakdown {sorted(unknown)[0]!r}; use {', '.join(BREAKDOWNS)}")
    from safeplan.measures.rates import with_rates

    measures = list(measures)
    table = periods_table(periods)  # one periods table for every measure's query
    out: list[Result] = []
    for measure in measures:
        started = time.perf_counter()
        out += roll_up(measure, cube(source, measure, periods, table), periods, breakdowns)
        if timings is not None:
            timings[measure.id] = time.perf_counter() - started
    return with_rates(source, out, measures, periods)


def total(results: Iterable[Result], measure: str, period: str) -> Result | None:
    return next(
        (
            r
            for r in results
            if r.measure == measure and r.period == period and r.breakdown == "total"
        ),
        None,
    )
