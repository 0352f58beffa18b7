"""The baseline an analyst would write: three measures in plain pandas.

Re-referrals within 12 months (%), children on a CP plan for neglect at the period end, and
children missing more than once in the period, for each period and every breakdown. Tables
are read from the store into DataFrames (`duckdb ... .df()`); the periods are a Python loop
of filters, merges and group-bys. It follows the catalogue's definitions exactly, including
`Source.latest` (each record once, from the latest collection year holding it) and the
children's characteristics of `Source.persons`, so that its figures can be checked against
the engine's.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd  # type: ignore[import-untyped]  # no stubs in the lock file

from safeplan.measures.data import AGE_BANDS, BREAKDOWNS, ETHNIC_GROUPS
from safeplan.measures.periods import Period

Figures = dict[tuple[str, str, str, str], tuple[float, float | None]]
"""(measure, period, breakdown, group) → (numerator, denominator or None)."""


def _latest(con: duckdb.DuckDBPyConnection, table: str, key: list[str]) -> pd.DataFrame:
    df = con.sql(f"SELECT * FROM {table}").df()
    loads = con.sql("SELECT load_id, period AS _year FROM sp_loads WHERE status = 'loaded'").df()
    df = df.merge(loads, on="load_id")
    df = df.sort_values(["_year", "load_id"], ascending=False, kind="stable")
    return df.drop_duplicates(key).drop(columns="_year")


def _persons(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    p = _latest(con, "ssd_person", ["person_id"])
    h = _latest(con, "ssd_cla_header", ["person_id"])
    both = pd.concat(
        [
            pd.DataFrame(
                {
                    "person_id": p.person_id,
                    "dob": p.personbirthdate,
                    "gender_code": p.gendercurrent,
                    "ethnic_code": p.ethnicity,
                    "pref": 1,
                }
            ),
            pd.DataFrame(
                {
                    "person_id": h.person_id,
                    "dob": h.dob,
                    "gender_code": h.sex,
                    "ethnic_code": h.ethnic,
                    "pref": 2,
                }
            ),
        ]
    )
    people = both.sort_values("pref", kind="stable").drop_duplicates("person_id")
    people["gender"] = people.gender_code.map({"1": "Male", "2": "Female"}).fillna(
        "Other or unknown"
    )
    groups = {code: group for group, codes in ETHNIC_GROUPS.items() for code in codes}
    people["ethnicity"] = people.ethnic_code.map(groups).fillna("Not known")
    d = _latest(con, "ssd_disability", ["person_id", "disability"])
    disabled = set(d.person_id[d.disability.notna() & (d.disability.str.upper() != "NONE")])
    people["disability"] = people.person_id.isin(disabled).map({True: "Yes", False: "No"})
    teams = pd.concat(
        [
            con.sql(f"SELECT person_id, allocated_team AS team, load_id FROM {t}").df()
            for t in (f"sp_annex_a_list_{n}" for n in range(3, 9))
        ]
    )
    teams = teams[teams.team.notna() & (teams.team != "")]
    teams = teams.sort_values("load_id", ascending=False, kind="stable")
    teams = teams.drop_duplicates("person_id")[["person_id", "team"]]
    people = people.merge(teams, on="person_id", how="left")
    people["locality"] = people.team.fillna("Not recorded")
    return people[["person_id", "dob", "gender", "ethnicity", "disability", "locality"]]


def _age_band(dob: pd.Series, on: pd.Series) -> pd.Series:
    dob, on = pd.to_datetime(dob), pd.to_datetime(on)
    later = (on.dt.month * 100 + on.dt.day) < (dob.dt.month * 100 + dob.dt.day)
    age = on.dt.year - dob.dt.year - later.astype(int)
    bands = pd.cut(age, [-1000, -1, 0, 4, 9, 15, 1000], labels=list(AGE_BANDS)).astype(object)
    return bands.where(dob.notna(), "Not known")


def _breakdowns(
    units: pd.DataFrame, people: pd.DataFrame, measure: str, out: Figures, has_den: bool
) -> None:
    """Add the total and every breakdown of one period's units (person_id, ref_date, num,
    den) to `out`."""
    j = units.merge(people, on="person_id", how="left")
    j["age_band"] = _age_band(j.dob, j.ref_date)
    j["gender"] = j.gender.fillna("Not known")
    j["ethnicity"] = j.ethnicity.fillna("Not known")
    j["disability"] = j.disability.fillna("No")
    j["locality"] = j.locality.fillna("Not recorded")
    j["agency"] = "council"
    period = str(units.period.iloc[0])
    out[(measure, period, "total", "All")] = (
        float(j.num.sum()),
        float(j.den.sum()) if has_den else None,
    )
    for key in BREAKDOWNS:
        sums = j.groupby(key, dropna=False)[["num", "den"]].sum()
        for group, row in sums.iterrows():
            out[(measure, period, key, str(group))] = (
                float(row.num),
                float(row.den) if has_den else None,
            )


def baseline(path: Path, periods: Sequence[Period]) -> Figures:
    """The three measures for every period and breakdown, from the store at `path`."""
    out: Figures = {}
    con = duckdb.connect(str(path), read_only=True)
    try:
        people = _persons(con)
        episodes = _latest(con, "ssd_cin_episodes", ["person_id", "cinreferraldate"])
        plans = _latest(con, "ssd_cp_plans", ["person_id", "cppstartdate"])
        m903 = _latest(con, "ssd_missing", ["person_id", "mis_start", "missing"])
        mpartner = _latest(con, "sp_missing_episodes", ["episode_id"])
    finally:
        con.close()

    # re-referrals: referrals in the period with an earlier referral of the same child in
    # the 12 months before (on or after the date 12 months earlier)
    refs = episodes[["person_id", "cinreferraldate"]].copy()
    refs["cinreferraldate"] = pd.to_datetime(refs.cinreferraldate)
    prev = refs.rename(columns={"cinreferraldate": "prev_date"})
    for p in periods:
        start, end = pd.Timestamp(p.start), pd.Timestamp(p.end)
        cur = refs[(refs.cinreferraldate >= start) & (refs.cinreferraldate <= end)]
        j = cur.merge(prev, on="person_id")
        window = j.cinreferraldate - pd.DateOffset(months=12)
        j = j[(j.prev_date < j.cinreferraldate) & (j.prev_date >= window)]
        repeats = j[["person_id", "cinreferraldate"]].drop_duplicates()
        repeats["num"] = 1.0
        units = cur.merge(repeats, on=["person_id", "cinreferraldate"], how="left")
        units = units.assign(
            period=p.label, ref_date=units.cinreferraldate, num=units.num.fillna(0.0), den=1.0
        )
        _breakdowns(units, people, "rereferrals_12m", out, has_den=True)

    # children on a CP plan for neglect at the period end
    neglect = plans[plans.initialcategoryofabuse == "NEG"].copy()
    neglect["cppstartdate"] = pd.to_datetime(neglect.cppstartdate)
    neglect["cppenddate"] = pd.to_datetime(neglect.cppenddate)
    for p in periods:
        end = pd.Timestamp(p.end)
        open_ = neglect[
            (neglect.cppstartdate <= end) & (neglect.cppenddate.isna() | (neglect.cppenddate > end))
        ]
        units = pd.DataFrame({"person_id": open_.person_id.drop_duplicates()})
        units = units.assign(period=p.label, ref_date=end, num=1.0, den=0.0)
        if len(units):
            _breakdowns(units, people, "cpp_neglect", out, has_den=False)

    # children with two or more missing episodes (not 'away') starting in the period; an
    # episode in both files is counted once: a child's episodes on a day are the larger of
    # the two files' counts for that day
    episodes_903 = m903.loc[m903.missing == "M", ["person_id", "mis_start"]]
    episodes_903 = episodes_903.assign(day=pd.to_datetime(episodes_903.mis_start))
    partner = mpartner.loc[mpartner.missing_type == "missing", ["person_id", "start_datetime"]]
    partner = partner.assign(day=pd.to_datetime(partner.start_datetime).dt.normalize())
    daily = pd.concat(
        [
            f.groupby(["person_id", "day"], dropna=False).size().rename("n").reset_index()
            for f in (episodes_903, partner)
        ]
    )
    daily = daily.groupby(["person_id", "day"], dropna=False).n.max().reset_index()
    for p in periods:
        start, end = pd.Timestamp(p.start), pd.Timestamp(p.end)
        d = daily[(daily.day >= start) & (daily.day <= end)]
        per_child = d.groupby("person_id", dropna=False).n.sum().reset_index(name="episodes")
        units = per_child.assign(
            period=p.label,
            ref_date=end,
            num=(per_child.episodes >= 2).astype(float),
            den=1.0,
        )
        if len(units):
            _breakdowns(units, people, "missing_more_than_once", out, has_den=True)
    return out
