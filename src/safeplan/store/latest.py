"""The records that stand, once each, and one row per child: the Ibis expressions the store
builds its current tables from (`safeplan.store.current`) and `measures.data.Source` computes
when a store has no current tables. Here, in `store`, because the store builds from them and
the flow runs one way (ingest → store → measures): the measures read them from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from safeplan.store.schema import ANNEX_A_TEAM_LISTS, LATEST_DROPPED

ETHNIC_GROUPS: dict[str, tuple[str, ...]] = {
    # DfE major ethnic groups, from the CIN census / SSDA903 ethnicity codes
    "White": ("WBRI", "WIRI", "WIRT", "WOTH", "WROM"),
    "Mixed": ("MWBC", "MWBA", "MWAS", "MOTH"),
    "Asian": ("AIND", "APKN", "ABAN", "AOTH"),
    "Black": ("BCRB", "BAFR", "BOTH"),
    "Other": ("CHNE", "OOTH"),
}
PERSONS_COLUMNS = (
    "person_id",
    "dob",
    "expected_dob",
    "gender",
    "ethnicity",
    "disability",
    "locality",
)
"""`sp_persons` as this version builds it: an older store's table without a column is
recomputed rather than read."""


def latest_of(t: ir.Table, loads: ir.Table, key: Sequence[str]) -> ir.Table:
    """`t`'s records once each (a record is its `key`): from the latest collection year, then
    the latest load, holding it; without the lineage no measure reads. One definition for
    `Source.latest` and the store's current tables (`safeplan.store.current`)."""
    loads = loads.filter(loads.status == "loaded").select(_load=loads.load_id, _year=loads.period)
    j = t.join(loads, t.load_id == loads._load)
    ranked = j.mutate(
        _rank=ibis.row_number().over(
            group_by=[j[k] for k in key], order_by=[ibis.desc(j._year), ibis.desc(j.load_id)]
        )
    )
    dropped = [c for c in LATEST_DROPPED if c in t.columns]
    return ranked.filter(ranked._rank == 0).drop("_load", "_rank", "_year", *dropped)


def persons_of(
    person: ir.Table | None,
    header: ir.Table | None,
    disability: ir.Table | None,
    lists: Sequence[ir.Table],
    loads: ir.Table | None,
) -> ir.Table:
    """One row per child, from the latest `ssd_person`, `ssd_cla_header` and `ssd_disability`
    records and the Annex A lists that record a team (`loads` says which loads stand). One
    definition for `Source.persons` and the store's `sp_persons`."""
    parts = []
    if person is not None:
        p = person
        parts.append(
            p.select(
                person_id=p.person_id,
                dob=p.personbirthdate,
                expected_dob=p.expectedpersonbirthdate,
                gender_code=p.gendercurrent.cast("string"),
                ethnic_code=p.ethnicity,
                _pref=ibis.literal(1),
            )
        )
    if header is not None:
        h = header
        parts.append(
            h.select(
                person_id=h.person_id,
                dob=h.dob,
                expected_dob=ibis.null().cast("date"),
                gender_code=h.sex.cast("string"),
                ethnic_code=h.ethnic,
                _pref=ibis.literal(2),
            )
        )
    if not parts:  # no child records (a store with only survey answers): typed by Arrow,
        # since an empty pandas column is float and cannot become a date
        schema = pa.schema(
            [(n, pa.date32() if n.endswith("dob") else pa.string()) for n in PERSONS_COLUMNS]
        )
        return ibis.memtable(schema.empty_table())
    allp = parts[0] if len(parts) == 1 else parts[0].union(parts[1])
    allp = allp.mutate(_r=ibis.row_number().over(group_by=allp.person_id, order_by=allp._pref))
    base = allp.filter(allp._r == 0)
    out = base.select(
        person_id=base.person_id,
        dob=base.dob,
        expected_dob=base.expected_dob,
        gender=base.gender_code.cases(("1", "Male"), ("2", "Female"), else_="Other or unknown"),
        ethnicity=_ethnic_group(base.ethnic_code),
    )
    out = out.left_join(_disabled(disability), "person_id").drop("person_id_right")
    out = out.mutate(disability=out.disabled.fill_null("No")).drop("disabled")
    out = out.left_join(_locality(lists, loads), "person_id").drop("person_id_right")
    return out.mutate(locality=out.team.fill_null("Not recorded")).drop("team")


def _disabled(d: ir.Table | None) -> ir.Table:
    if d is None:
        return ibis.memtable(
            {"person_id": [], "disabled": []},
            schema={"person_id": "string", "disabled": "string"},
        )
    d = d.filter(d.disability.upper() != "NONE")
    return d.select("person_id").distinct().mutate(disabled=ibis.literal("Yes"))


def _locality(lists: Sequence[ir.Table], loads: ir.Table | None) -> ir.Table:
    """A child's locality: the allocated team of one Annex A row, chosen by a stated rule
    so that every engine chooses the same one (docs/measures.md, "Locality"):

    1. from the child's latest Annex A load that records a team for them;
    2. an open involvement (a list that records an end, with none yet) before an event
       (a referral or section 47 enquiry, whose lists record no end) before an ended one;
    3. the involvement that started last;
    4. the more intensive list (8 looked after, 7 CP plan, 6 CIN ... 3 referral);
    5. the team's name, alphabetically."""
    parts = [_involvements(t) for t in lists]
    if not parts or loads is None:
        return ibis.memtable(
            {"person_id": [], "team": []}, schema={"person_id": "string", "team": "string"}
        )
    u = parts[0]
    for p in parts[1:]:
        u = u.union(p)
    standing = loads.filter(loads.status == "loaded").select(_standing=loads.load_id)
    u = u.join(standing, u._load == standing._standing).drop("_standing")
    u = u.filter(u.team.notnull() & (u.team != ""))
    order = [
        ibis.desc(u._load),
        u._openness,
        ibis.desc(u._started.fill_null(date(1900, 1, 1))),
        ibis.desc(u._list),
        u.team,
    ]
    ranked = u.mutate(_r=ibis.row_number().over(group_by=u.person_id, order_by=order))
    return ranked.filter(ranked._r == 0).select("person_id", "team")


def _involvements(t: ir.Table) -> ir.Table:
    """One Annex A list's rows as involvements: child, team, load, list number, start, and
    0 open / 1 an event / 2 ended."""
    start, end = ANNEX_A_TEAM_LISTS[t.get_name()]
    started = t[start].cast("date")
    openness = (ibis.literal(1) if end is None else t[end].isnull().ifelse(0, 2)).cast("int64")
    return t.select(
        person_id=t.person_id,
        team=t.allocated_team,
        _load=t.load_id,
        _list=ibis.literal(int(t.get_name().rsplit("_", 1)[-1])),
        _started=started,
        _openness=openness,
    )


def _ethnic_group(code: ir.StringValue) -> ir.StringValue:
    cases = [(code.isin(list(codes)), group) for group, codes in ETHNIC_GROUPS.items()]
    return ibis.cases(*cases, else_="Not known")
