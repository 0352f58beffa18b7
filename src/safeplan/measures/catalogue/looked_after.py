"""Measures from the SSDA903 return (children looked after), with partners' missing episodes."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from safeplan.measures.catalogue._common import (
    CLA_PUBLICATION,
    during,
    flag,
    open_at_end,
    per_child,
    units,
)
from safeplan.measures.data import Source
from safeplan.measures.model import Measure

PLACEMENT_STARTS = ("S", "P", "B", "T", "U")  # SSDA903 RNE codes that start a new placement


def _episodes(src: Source) -> ir.Table | None:
    if not src.has("ssd_cla_episodes"):
        return None
    return src.latest("ssd_cla_episodes")


def cla_units(src: Source, periods: ir.Table) -> ir.Table | None:
    e = _episodes(src)
    if e is None:
        return None
    o = open_at_end(e, e.decom, e.dec, periods)
    g = per_child(o)
    return units(g, person=g.person_id, ref_date=g.ref_date, num=g.num)


def placement_stability_units(src: Source, periods: ir.Table) -> ir.Table | None:
    """Children looked after at the period end; numerator those with 3+ placements in the 12
    months to it (placements start with RNE S, P, B, T or U, as the DfE counts them)."""
    e = _episodes(src)
    if e is None:
        return None
    at_end = per_child(open_at_end(e, e.decom, e.dec, periods))
    starts = e.filter(e.rne.isin(list(PLACEMENT_STARTS)))
    starts = starts.select(sp_person=starts.person_id, sp_day=starts.decom)
    year_start = at_end.ref_date - ibis.interval(months=12)
    j = at_end.left_join(
        starts,
        [
            at_end.person_id == starts.sp_person,
            starts.sp_day > year_start,
            starts.sp_day <= at_end.ref_date,
        ],
    )
    g = j.group_by(["period", "person_id", "ref_date"]).aggregate(placements=j.sp_day.count())
    return units(
        g, person=g.person_id, ref_date=g.ref_date, num=flag(g.placements >= 3), den=ibis.literal(1)
    )


def missing_more_than_once_units(src: Source, periods: ir.Table) -> ir.Table | None:
    """Children with 2+ missing episodes (not 'away') starting in the period, looked after
    (SSDA903) or not (the partner missing-episodes file); each episode counted once: an
    episode in both files (a looked-after child the police also reported) starts on the same
    day, so a child's episodes on a day are the larger of the two files' counts."""
    parts = []
    if src.has("ssd_missing"):
        m = src.latest("ssd_missing")
        m = m.filter(m.missing == "M")
        parts.append(m.select(person_id=m.person_id, day=m.mis_start))
    if src.has("sp_missing_episodes"):
        p = src.latest("sp_missing_episodes")
        p = p.filter(p.missing_type == "missing")
        parts.append(p.select(person_id=p.person_id, day=p.start_datetime.date()))
    if not parts:
        return None
    daily = [t.group_by(["person_id", "day"]).aggregate(n=t.count()) for t in parts]
    u = daily[0] if len(daily) == 1 else daily[0].union(daily[1])
    u = u.group_by(["person_id", "day"]).aggregate(n=u.n.max())
    d = during(u, u.day, periods)
    g = d.group_by(["period", "person_id"]).aggregate(ref_date=d.p_end.max(), episodes=d.n.sum())
    return units(
        g, person=g.person_id, ref_date=g.ref_date, num=flag(g.episodes >= 2), den=ibis.literal(1)
    )


MEASURES = (
    Measure(
        "cla_rate",
        "Children looked after",
        "Children looked after on the last day of the period (an SSDA903 episode open then).",
        "Children looked after at the period end",
        None,
        "count",
        "track",
        "as_at_end",
        ("ssd_cla_episodes",),
        f"{CLA_PUBLICATION}: children looked after at 31 March",
        cla_units,
        per_10k=True,
    ),
    Measure(
        "placement_stability",
        "Looked-after children with three or more placements in the year",
        "Of the children looked after at the period end, the share with three or more placements "
        "in the 12 months to it.",
        "Children looked after at the period end with 3 or more placements in the 12 months",
        "Children looked after at the period end",
        "percent",
        "reduce",
        "as_at_end",
        ("ssd_cla_episodes",),
        f"{CLA_PUBLICATION}: placement stability (3 or more placements during the year)",
        placement_stability_units,
    ),
    Measure(
        "missing_more_than_once",
        "Children who go missing more than once",
        "Children with two or more missing episodes (missing, not away without authorisation) "
        "starting in the period: looked-after children from the SSDA903 missing file and other "
        "children from the partner missing-episodes file. The denominator is the children who "
        "went missing at least once.",
        "Children with 2 or more missing episodes starting in the period",
        "Children with at least one missing episode starting in the period",
        "count",
        "reduce",
        "during",
        ("ssd_missing", "sp_missing_episodes"),
        f"{CLA_PUBLICATION}: missing incidents (SSDA903 missing file), extended by the partner "
        "missing-episodes template",
        missing_more_than_once_units,
        owner="police",
    ),
)
