"""Building blocks the catalogue's measures share: period joins and unit rows."""

from __future__ import annotations

from datetime import date, timedelta

import ibis
import ibis.expr.types as ir

from safeplan.measures.data import Source

DOMESTIC_ABUSE = ("3A", "3B", "3C")  # CIN census assessment factors: domestic violence/abuse
NEGLECT_FACTOR = "16A"
CSE_FACTOR, CCE_FACTOR = "11A", "24A"

CIN_PUBLICATION = "DfE, Children in need"
CLA_PUBLICATION = "DfE, Children looked after in England including adoptions"


def during(t: ir.Table, day: ir.DateValue, periods: ir.Table) -> ir.Table:
    """Each record once for every period whose dates contain `day`."""
    return t.join(periods, [day >= periods.p_start, day <= periods.p_end])


def open_at_end(t: ir.Table, start: ir.DateValue, end: ir.DateValue, periods: ir.Table) -> ir.Table:
    """Each record once for every period at whose last day it was open (started on or
    before it, not ended by it: a plan ending on the last day is no longer open)."""
    return t.join(periods, [start <= periods.p_end, end.isnull() | (end > periods.p_end)])


def units(
    t: ir.Table,
    *,
    person: ir.Value,
    ref_date: ir.Value,
    num: ir.Value,
    den: ir.Value | None = None,
    agency: ir.Value | None = None,
    age_band: ir.Value | None = None,
) -> ir.Table:
    """The engine's unit rows: period, person_id, ref_date, num, den (and agency; and the
    age band, for anonymous units whose child the engine cannot look up)."""
    cols: dict[str, ir.Value] = {
        "period": t.period,
        "person_id": person,
        "ref_date": ref_date.cast("date"),
        "num": num.cast("float64"),
        "den": (den if den is not None else ibis.null()).cast("float64"),
    }
    if agency is not None:
        cols["agency"] = agency
    if age_band is not None:
        cols["age_band"] = age_band
    return t.select(**cols)


def flag(condition: ir.BooleanValue) -> ir.IntegerValue:
    return condition.ifelse(1, 0)


def per_child(t: ir.Table) -> ir.Table:
    """One row per child per period (children, not records, are counted), with num = 1 and
    the period end as the date ages are taken at."""
    return t.group_by(["period", "person_id"]).aggregate(
        ref_date=t.p_end.max(), num=t.count() * 0 + 1
    )


def with_working_days(
    src: Source, t: ir.Table, start: str, end: str, periods: ir.Table, how: str = "inner"
) -> ir.Table:
    """`t` with `working_days` from its `start` date to its `end` date (weekends and bank
    holidays excluded), through a calendar of running working-day counts."""
    rows = periods.to_pyarrow()
    first = min(rows.column("p_start").to_pylist()) - timedelta(days=3 * 366)
    last = max(rows.column("p_end").to_pylist()) + timedelta(days=400)
    cal = src.working_days(date(first.year, 1, 1), last)
    c1 = cal.select(_d1=cal.day, _w1=cal.wd)
    cal2 = cal.view()
    c2 = cal2.select(_d2=cal2.day, _w2=cal2.wd)
    j1 = t.join(c1, t[start] == c1._d1)
    j = j1.join(c2, j1[end] == c2._d2, how=how)
    return j.mutate(working_days=j._w2 - j._w1)
