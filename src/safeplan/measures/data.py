"""The canonical store as the measures see it, through Ibis.

Returns overlap: a CIN episode open across 31 March is in two years' censuses, and a
resubmitted return replaces its predecessor. `Source.latest` therefore gives each record
once, as the most recent collection year that holds it. The store keeps that view of each
table, and the children's characteristics, as tables rebuilt at load time
(`safeplan.store.current`); `Source` reads them when the store has them and computes them
otherwise, with the same expressions (`latest_of`, `persons_of`). The same code runs on
DuckDB, PostgreSQL and PySpark, because everything here is an Ibis expression.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from datetime import date

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from safeplan.measures.calendar import working_day_index
from safeplan.store.schema import (
    ANNEX_A_TEAM_LISTS,
    CURRENT_PREFIX,
    LATEST_DROPPED,
    LATEST_KEYS,
    PERSONS_TABLE,
    current_name,
)

ETHNIC_GROUPS: dict[str, tuple[str, ...]] = {
    # DfE major ethnic groups, from the CIN census / SSDA903 ethnicity codes
    "White": ("WBRI", "WIRI", "WIRT", "WOTH", "WROM"),
    "Mixed": ("MWBC", "MWBA", "MWAS", "MOTH"),
    "Asian": ("AIND", "APKN", "ABAN", "AOTH"),
    "Black": ("BCRB", "BAFR", "BOTH"),
    "Other": ("CHNE", "OOTH"),
}
UNBORN = "Unborn"
AGE_BANDS = (UNBORN, "Under 1", "1 to 4", "5 to 9", "10 to 15", "16 and over")
"""The DfE's age groups (CIN census and SSDA903 publications), which show unborn children
on their own."""
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
BREAKDOWNS = ("age_band", "gender", "ethnicity", "disability", "locality", "agency")


class Source:
    """An Ibis connection to the store, with the views every measure shares."""

    def __init__(self, con: ibis.BaseBackend, current: bool = True) -> None:
        """`current` False ignores the store's current tables (computing what they hold)."""
        self.con = con
        self._tables = set(con.list_tables())
        if not current:
            self._tables = {
                t for t in self._tables if not t.startswith(CURRENT_PREFIX) and t != PERSONS_TABLE
            }
        self._cache: dict[str, ir.Table] = {}
        self._read: dict[str, ir.Table] = {}

    def _materialise(self, name: str, build: Callable[[], ir.Table]) -> ir.Table:
        """Compute a shared view once, as a temporary table, so that every measure's query
        reads it instead of recomputing it (and Ibis compiles small queries). The expression
        is built only on the first call. The table gets a fresh short name (PostgreSQL cuts
        names at 63 characters) and is created without `overwrite`, whose DROP statement
        Ibis 12 miscompiles with this sqlglot (so every table was computed, then dropped)."""
        if name not in self._cache:
            expr = build()
            temp = f"_sp_{len(self._cache)}_{uuid.uuid4().hex[:12]}"
            try:
                self._cache[name] = self.con.create_table(temp, expr, temp=True)
            except Exception:  # a backend without temporary tables (PySpark): Ibis's cache
                self._cache[name] = _cached(expr)
        return self._cache[name]

    @classmethod
    def connect(cls, url: str, current: bool = True) -> Source:
        if url.startswith(("postgresql://", "postgres://")):
            return cls(ibis.connect(url), current)
        return cls(ibis.duckdb.connect(url.removeprefix("duckdb:///"), read_only=True), current)

    def has(self, *names: str) -> bool:
        return all(n in self._tables for n in names)

    def collection_years(self) -> list[int]:
        """The collection years of the files loaded (a 2025 return covers 2024-25), oldest
        first: the span of the data every figure rests on."""
        if not self.has("sp_loads"):
            return []
        loads = self.table("sp_loads")
        loads = loads.filter(loads.status == "loaded")
        periods = loads.select("period").distinct().to_pyarrow().column("period").to_pylist()
        return sorted({int(p) for p in periods if re.fullmatch(r"\d{4}", str(p))})

    def table(self, name: str) -> ir.Table:
        """The table, its schema read once per connection (Ibis asks the backend each time)."""
        if name not in self._read:
            self._read[name] = self.con.table(name)
        return self._read[name]

    def latest(self, name: str, key: tuple[str, ...] | None = None) -> ir.Table:
        """Each record once: from the latest collection year (then the latest load) holding it.
        A record is its natural key (`LATEST_KEYS`, unless `key` says otherwise). The store's
        current table when it has one for that key (a plain read: the store keeps it up to
        date at load time), else computed here, once per connection."""
        key = LATEST_KEYS[name] if key is None else key
        current = self._current(name, key)
        if current is not None:
            return current
        return self._materialise(
            f"_latest_{name}__{'__'.join(key)}", lambda: self._latest(name, key)
        )

    def _current(self, name: str, key: tuple[str, ...]) -> ir.Table | None:
        if LATEST_KEYS.get(name) == key and self.has(current_name(name)):
            return self.table(current_name(name))
        return None

    def _latest_once(self, name: str, key: tuple[str, ...]) -> ir.Table:
        """`latest` for a table read once (into another shared view): the current or temporary
        table if there is one already, else the expression, so that it is not written out on
        its own."""
        current = self._current(name, key)
        if current is not None:
            return current
        cached = self._cache.get(f"_latest_{name}__{'__'.join(key)}")
        return cached if cached is not None else self._latest(name, key)

    def _latest(self, name: str, key: tuple[str, ...]) -> ir.Table:
        return latest_of(self.table(name), self.table("sp_loads"), key)

    @property
    def persons(self) -> ir.Table:
        """One row per child: date of birth, gender, ethnicity, disability, locality (the
        store's `sp_persons` when it has one)."""
        if self.has(PERSONS_TABLE) and set(PERSONS_COLUMNS) <= set(
            self.table(PERSONS_TABLE).columns
        ):
            return self.table(PERSONS_TABLE)
        return self._materialise("_persons", self._persons)

    def _persons(self) -> ir.Table:
        def latest(name: str) -> ir.Table | None:
            return self._latest_once(name, LATEST_KEYS[name]) if self.has(name) else None

        return persons_of(
            latest("ssd_person"),
            latest("ssd_cla_header"),
            latest("ssd_disability"),
            [self.table(n) for n in ANNEX_A_TEAM_LISTS if self.has(n)],
            self.table("sp_loads") if self.has("sp_loads") else None,
        )

    def working_days(self, first: date, last: date) -> ir.Table:
        """A calendar of days with a running count of working days, for timeliness joins."""
        rows = working_day_index(first, last)
        return ibis.memtable(
            {"day": [d for d, _ in rows], "wd": [n for _, n in rows]},
            schema={"day": "date", "wd": "int64"},
        )


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


def _cached(expr: ir.Table) -> ir.Table:
    """The expression computed once where the backend can cache it (PySpark persists it as a
    temporary view), else the expression itself."""
    try:
        return expr.cache()
    except Exception:  # nor a cache: every query recomputes it
        return expr


def _ethnic_group(code: ir.StringValue) -> ir.StringValue:
    cases = [(code.isin(list(codes)), group) for group, codes in ETHNIC_GROUPS.items()]
    return ibis.cases(*cases, else_="Not known")


def age_band(dob: ir.DateValue, on: ir.DateValue, expected: ir.DateValue) -> ir.StringValue:
    """DfE age groups (as the CIN census and SSDA903 publications use), from age in whole
    years on a date. A child not yet born on it is "Unborn": one recorded with an expected
    date of birth and no date of birth (CIN census N00098 and N00066), or born after it."""
    born_later = (on.month() * 100 + on.day()) < (dob.month() * 100 + dob.day())
    age = on.year() - dob.year() - born_later.ifelse(1, 0)
    return ibis.cases(
        (dob.isnull() & expected.notnull(), UNBORN),
        (dob.isnull(), "Not known"),
        (dob > on, UNBORN),
        (age < 1, AGE_BANDS[1]),
        (age < 5, AGE_BANDS[2]),
        (age < 10, AGE_BANDS[3]),
        (age < 16, AGE_BANDS[4]),
        else_=AGE_BANDS[5],
    )
