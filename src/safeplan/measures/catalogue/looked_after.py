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
from safeplan.measures.model import Follows, Measure
from safeplan.vocabulary import AgencyKind, Direction, Unit

LEGAL_STATUS_ONLY = "L"
"""SSDA903 RNE L, a change of legal status only: the child stays in the same placement.
Every other RNE (S, P, T, B, U) starts a placement (SSDA903 guide 2024 to 2025, RNE)."""
SHORT_BREAKS = ("V3", "V4")
"""SSDA903 legal status V3 (single short-term placements under an agreed series) and V4
(an agreed series of short-term placements): the DfE excludes these children from the
children looked after at 31 March and from its placement stability indicator."""


def _episodes(src: Source) -> ir.Table | None:
    """SSDA903 episodes of care, without short breaks (legal status V3 or V4)."""
    if not src.has("ssd_cla_episodes"):
        return None
    e = src.latest("ssd_cla_episodes")
    return e.filter(e.ls.isnull() | ~e.ls.upper().isin(list(SHORT_BREAKS)))


def _looked_after_at_end(e: ir.Table, periods: ir.Table) -> ir.Table:
    """One row per child looked after on a period's last day (an episode open then)."""
    return per_child(open_at_end(e, e.decom, e.dec, periods))


def cla_units(src: Source, periods: ir.Table) -> ir.Table | None:
    e = _episodes(src)
    if e is None:
        return None
    g = _looked_after_at_end(e, periods)
    return units(g, person=g.person_id, ref_date=g.ref_date, num=g.num)


def placement_stability_units(src: Source, periods: ir.Table) -> ir.Table | None:
    """Children looked after at the period end; numerator those with 3 or more placements
    during the 12 months to it. A child's placements in the year are the episodes that start
    a placement (RNE other than L) and overlap the year, plus the placement already in
    progress on its first day when the child's earliest episode overlapping the year is a
    change of legal status only (its placement started before the year)."""
    e = _episodes(src)
    if e is None:
        return None
    at_end = _looked_after_at_end(e, periods)
    ep = e.select(
        _child=e.person_id,
        _start=e.decom,
        _end=e.dec,
        _moves=(e.rne.upper() != LEGAL_STATUS_ONLY).fill_null(True),
    )
    first_day = at_end.ref_date - ibis.interval(months=12) + ibis.interval(days=1)
    j = at_end.join(
        ep,
        [
            at_end.person_id == ep._child,
            ep._start <= at_end.ref_date,
            ep._end.isnull() | (ep._end > first_day),
        ],
    )
    g = j.group_by(["period", "person_id", "ref_date"]).aggregate(
        starts=j._moves.ifelse(1, 0).sum(),
        first_start=j._moves.ifelse(j._start, ibis.null().cast("date")).min(),
        first_other=j._moves.ifelse(ibis.null().cast("date"), j._start).min(),
    )
    carried = g.first_other.notnull() & (g.first_start.isnull() | (g.first_other < g.first_start))
    placements = g.starts + carried.ifelse(1, 0)
    return units(
        g, person=g.person_id, ref_date=g.ref_date, num=flag(placements >= 3), den=ibis.literal(1)
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
        id="cla_rate",
        title="Children looked after per 10,000 children",
        definition=(
            "Children looked after on the last day of the period (an SSDA903 episode open then, "
            "short breaks excluded) per 10,000 children aged 0 to 17 in the area."
        ),
        numerator="Children looked after at the period end",
        denominator="Children aged 0 to 17 (ONS mid-year population estimate)",
        unit=Unit.per_10k,
        direction=Direction.track,
        timing="as_at_end",
        sources=("ssd_cla_episodes",),
        population=(
            "Children with an SSDA903 episode open on the period's last day (DECOM on or before "
            "it; DEC after it or blank), per 10,000 children aged 0 to 17 (ONS mid-year estimate)"
        ),
        exclusions=(
            (
                "Children looked after under an agreed series of short-term placements (legal "
                "status V3 or V4)"
            ),
        ),
        official=Follows(
            CLA_PUBLICATION,
            "children looked after at 31 March, rate per 10,000 children aged under 18",
            "reporting year 2025 (2024 to 2025)",
        ),
        units=cla_units,
    ),
    Measure(
        id="placement_stability",
        title="Looked-after children with three or more placements in the year",
        definition=(
            "Of the children looked after at the period end, the share with three or more "
            "placements in the 12 months to it."
        ),
        numerator=(
            "Children looked after at the period end with 3 or more placements in the 12 months"
        ),
        denominator="Children looked after at the period end",
        unit=Unit.percent,
        direction=Direction.reduce,
        timing="as_at_end",
        sources=("ssd_cla_episodes",),
        population=(
            "Children looked after on the period's last day (as for cla_rate); their placements "
            "during the 12 months to it, the one in progress on the first day included"
        ),
        exclusions=(
            (
                "Children on short breaks (legal status V3 or V4), and short-break episodes in the"
                " count of placements"
            ),
            "A change of legal status only (RNE L) is not a new placement",
        ),
        official=Follows(
            CLA_PUBLICATION,
            (
                "placement stability: children looked after at 31 March with 3 or more placements "
                "during the year"
            ),
            "reporting year 2025 (2024 to 2025)",
        ),
        units=placement_stability_units,
    ),
    Measure(
        id="missing_more_than_once",
        title="Children who go missing more than once",
        definition=(
            "Children with two or more missing episodes (missing, not away without authorisation) "
            "starting in the period: looked-after children from the SSDA903 missing file and other"
            " children from the partner missing-episodes file. The denominator is the children who"
            " went missing at least once."
        ),
        numerator="Children with 2 or more missing episodes starting in the period",
        denominator="Children with at least one missing episode starting in the period",
        unit=Unit.number,
        direction=Direction.reduce,
        timing="during",
        sources=("ssd_missing", "sp_missing_episodes"),
        population=(
            "Children with a missing episode (not away) starting in the period: looked after "
            "(SSDA903 missing file) or not (partner missing-episodes file)"
        ),
        official=Follows(
            CLA_PUBLICATION,
            (
                "missing incidents: looked-after children who went missing during the year "
                "(SSDA903 missing file)"
            ),
            "reporting year 2025 (2024 to 2025)",
        ),
        differences=(
            "The DfE publishes looked-after children who went missing and their incidents; "
            "children missing more than once, and children not looked after (the partner file), "
            "are SafePlan's extension"
        ),
        units=missing_more_than_once_units,
        owner=AgencyKind.police,
    ),
)
