"""The baseline a competent analyst would write: three measures in vectorised pandas.

Re-referrals within 12 months (%), children on a CP plan for neglect at the period end, and
children missing more than once in the period, for every period and breakdown. It reads the
tables the engine reads, the store's current tables (`sp_current_<table>`: each record once)
and `sp_persons` (each child's characteristics), out of DuckDB into DataFrames once
(`read`), then computes in pandas alone (`compute`), so the two costs are reported apart.
Nothing loops over children or rows: periods are an interval join (`pd.IntervalIndex`) or a
cross merge, a previous referral is a group-wise shift, and every breakdown is one group-by
over all periods. It follows the catalogue's definitions exactly, so that its figures can be
checked against the engine's, group by group.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no stubs in the lock file

from safeplan.measures.data import AGE_BANDS, BREAKDOWNS, UNBORN
from safeplan.measures.periods import Period
from safeplan.store.schema import PERSONS_TABLE, current_name

Figures = dict[tuple[str, str, str, str], tuple[float | None, float | None]]
"""(measure, period, breakdown, group) → (numerator, denominator or None)."""

COLUMNS: dict[str, tuple[str, ...]] = {
    # the columns the three measures need, as an analyst would select them (no row filters:
    # filtering is the computation, and it is pandas' to do)
    "ssd_cin_episodes": ("person_id", "cinreferraldate"),
    "ssd_cp_plans": ("person_id", "cppstartdate", "cppenddate", "initialcategoryofabuse"),
    "ssd_missing": ("person_id", "mis_start", "missing"),
    "sp_missing_episodes": ("person_id", "start_datetime", "missing_type"),
}
PERSONS = ("person_id", "dob", "expected_dob", "gender", "ethnicity", "disability", "locality")
NONE_COUNTED: dict[str, float | None] = {
    # a period with no units: a count of 0 children, but no percentage (nothing to divide)
    "rereferrals_12m": None,
    "cpp_neglect": 0.0,
    "missing_more_than_once": 0.0,
}


@dataclass(frozen=True)
class Tables:
    """What the three measures read, in memory."""

    frames: dict[str, pd.DataFrame]
    persons: pd.DataFrame

    @property
    def rows(self) -> int:
        return len(self.persons) + sum(len(f) for f in self.frames.values())


def read(path: Path) -> Tables:
    """The current tables and `sp_persons`, read out of the store once."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        frames = {
            name: con.sql(f"SELECT {', '.join(cols)} FROM {current_name(name)}").df()
            for name, cols in COLUMNS.items()
        }
        persons = con.sql(f"SELECT {', '.join(PERSONS)} FROM {PERSONS_TABLE}").df()
    finally:
        con.close()
    return Tables(frames, persons)


def compute(tables: Tables, periods: Sequence[Period]) -> Figures:
    """The three measures for every period and breakdown, from tables already in memory."""
    p = _periods(periods)
    f = tables.frames
    out: Figures = {}
    for measure, units in (
        ("rereferrals_12m", _rereferrals(f["ssd_cin_episodes"], p)),
        ("cpp_neglect", _cpp_neglect(f["ssd_cp_plans"], p)),
        ("missing_more_than_once", _missing(f["ssd_missing"], f["sp_missing_episodes"], p)),
    ):
        _breakdowns(measure, units, tables.persons, p, out)
    return out


def _periods(periods: Sequence[Period]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": [p.label for p in periods],
            "p_start": pd.to_datetime([p.start for p in periods]),
            "p_end": pd.to_datetime([p.end for p in periods]),
        }
    )


def _during(df: pd.DataFrame, day: str, periods: pd.DataFrame) -> pd.DataFrame:
    """Each row with the period whose dates contain `day` (an interval join; the benchmark's
    periods are quarters, which do not overlap), rows in no period dropped."""
    spans = pd.IntervalIndex.from_arrays(periods.p_start, periods.p_end, closed="both")
    assert spans.is_non_overlapping_monotonic, "overlapping periods need a cross join"
    at = spans.get_indexer(df[day])
    inside = at >= 0
    picked = periods.iloc[at[inside]].reset_index(drop=True)
    return pd.concat([df[inside].reset_index(drop=True), picked], axis=1)


def _rereferrals(episodes: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Referrals in the period, num 1 where the same child's previous referral is on or after
    the date 12 months before (a child's referral dates are unique: they are the key)."""
    e = episodes.sort_values(["person_id", "cinreferraldate"])
    previous = e.groupby("person_id").cinreferraldate.shift()
    repeat = previous >= e.cinreferraldate - pd.DateOffset(months=12)
    e = e.assign(ref_date=e.cinreferraldate, num=repeat.astype(float), den=1.0)
    return _during(e, "cinreferraldate", periods)


def _cpp_neglect(plans: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Children with a neglect plan open on the period's last day (started on or before it,
    not ended by it), once each."""
    neglect = plans.loc[
        plans.initialcategoryofabuse == "NEG", ["person_id", "cppstartdate", "cppenddate"]
    ]
    j = neglect.merge(periods, how="cross")
    open_ = j[(j.cppstartdate <= j.p_end) & (j.cppenddate.isna() | (j.cppenddate > j.p_end))]
    children = open_.drop_duplicates(["period", "person_id"])
    return children.assign(ref_date=children.p_end, num=1.0, den=np.nan)


def _missing(m903: pd.DataFrame, partner: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Children with missing episodes (not 'away') starting in the period, num 1 for two or
    more; an episode in both files is counted once: a child's episodes on a day are the
    larger of the two files' counts for that day."""
    days = [
        m903.loc[m903.missing == "M"].assign(day=m903.mis_start),
        partner.loc[partner.missing_type == "missing"].assign(
            day=partner.start_datetime.dt.normalize()
        ),
    ]
    daily = pd.concat(
        [d.groupby(["person_id", "day"], dropna=False).size().rename("n") for d in days]
    )
    daily = daily.groupby(level=["person_id", "day"], dropna=False).max().reset_index()
    d = _during(daily, "day", periods)
    g = d.groupby(["period", "person_id"], dropna=False).agg(
        ref_date=("p_end", "max"), episodes=("n", "sum")
    )
    g = g.reset_index()
    return g.assign(num=(g.episodes >= 2).astype(float), den=1.0)


def _age_band(dob: pd.Series, expected: pd.Series, on: pd.Series) -> np.ndarray:
    """The engine's DfE age groups (`safeplan.measures.data.age_band`), vectorised."""
    later = (on.dt.month * 100 + on.dt.day) < (dob.dt.month * 100 + dob.dt.day)
    age = on.dt.year - dob.dt.year - later.astype(int)
    conditions = [
        dob.isna() & expected.notna(),
        dob.isna(),
        dob > on,
        age < 1,
        age < 5,
        age < 10,
        age < 16,
    ]
    choices = [UNBORN, "Not known", UNBORN, *AGE_BANDS[1:5]]
    return np.select([c.to_numpy(bool) for c in conditions], choices, AGE_BANDS[5])


def _breakdowns(
    measure: str, units: pd.DataFrame, persons: pd.DataFrame, periods: pd.DataFrame, out: Figures
) -> None:
    """Add the total and every breakdown of every period's units (period, person_id,
    ref_date, num, den) to `out`: one group-by to the finest grain, then one per breakdown."""
    j = units[["period", "person_id", "ref_date", "num", "den"]].merge(
        persons, on="person_id", how="left"
    )
    j = j.assign(
        age_band=_age_band(j.dob, j.expected_dob, j.ref_date),
        gender=j.gender.fillna("Not known"),
        ethnicity=j.ethnicity.fillna("Not known"),
        disability=j.disability.fillna("No"),
        locality=j.locality.fillna("Not recorded"),
        agency="council",
        total="All",
    )
    grain = j.groupby(["period", "total", *BREAKDOWNS], observed=True).agg(
        num=("num", "sum"), den=("den", "sum"), counted=("den", "count")
    )  # the finest grain once; each breakdown is then a sum of this small table
    for key in ("total", *BREAKDOWNS):
        sums = grain.groupby(level=["period", key]).sum()
        if key == "total":  # every period has a total, counted or not
            index = pd.MultiIndex.from_product([periods.period, ["All"]], names=["period", key])
            sums = sums.reindex(index)
        breakdown = "total" if key == "total" else key
        for (period, group), num, den, counted in zip(
            sums.index, sums.num, sums.den, sums.counted, strict=True
        ):
            if pd.isna(num):  # a period with no units
                out[(measure, period, breakdown, group)] = (NONE_COUNTED[measure], None)
            else:
                den_or_none = float(den) if counted else None
                out[(measure, period, breakdown, str(group))] = (float(num), den_or_none)
