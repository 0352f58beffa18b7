"""A national-scale synthetic pool, built straight into a canonical DuckDB store.

The file-based generator (`safeplan.synth.generate`) writes returns that the loader then
validates: faithful, but about two minutes for 100,000 children. The measures benchmark needs
a million children with records, so this module builds the canonical tables directly with
vectorised SQL inside DuckDB. Every draw is a hash of (seed, entity, salt), so the store is
deterministic and independent of DuckDB's thread count.

The pool is a child population: each child has a date of birth, gender, ethnicity, disability
and locality team, and journeys through services start at the rates of
`safeplan.synth.params` (referrals ~515 per 10,000 children a year, 22% re-referred within 12
months, CP plans ~half for neglect, children looked after, missing episodes, partners'
records). Journeys may start three years before the first collection year, so open CIN
episodes, CP plans and periods of care exist at its start. Each return is stored as the loader
would store it: one load per collection year (``sp_loads``), a record in every year's return
it belongs to (an episode open across 31 March is in two censuses), and record ids of
``load_id << 32 | row``.

Most children never come to children's services: over the five years about a fifth of a
pool's children have a record. `build(path, children)` therefore grows the notional
population until `children` of them are in the CIN census (``ssd_person``): the pool is every
child up to the `children`-th with a CIN episode open in a collection year, those without
records included, so every rate per 10,000 (and the population estimates) is still that of a
real population, about five times larger (4.7 million children for a million with records).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import duckdb

from bench.timing import timed
from safeplan.ingest.partner import partner_tables
from safeplan.store.current import rebuild_current
from safeplan.store.db import DuckStore, connect
from safeplan.store.schema import PERSONS_TABLE, canonical_tables
from safeplan.synth import params as P
from safeplan.vocabulary import AgencyKind

FIRST_YEAR, LAST_YEAR = 2021, 2025  # collection years (each ends 31 March)
WINDOW_START, WINDOW_END = date(FIRST_YEAR - 1, 4, 1), date(LAST_YEAR, 3, 31)
HISTORY_START = date(FIRST_YEAR - 4, 4, 1)  # journeys may begin three years earlier
AGENCIES: P.Weights = (  # the project's agency kinds (safeplan.vocabulary)
    (AgencyKind.council, 0.4),
    (AgencyKind.police, 0.25),
    (AgencyKind.health, 0.15),
    (AgencyKind.schools, 0.15),
    (AgencyKind.voluntary, 0.05),
)
TEAMS = 12  # locality teams across the pool
RECORD_SHARE = 0.2
"""At most the share of a pool's children with a CIN episode open in a collection year (about
0.21 at `safeplan.synth.params`' rates): the first pool drawn is big enough for `children`."""
JOURNEY_TABLES = (
    "kids",
    "eligible",
    "chains",
    "refs",
    "ep",
    "asm",
    "s47",
    "cpp",
    "cpp2",
    "ep2",
    "ep_years",
)  # the temporary tables drawn before the pool is cut, each with a `kid` column


def _cases(u: str, weights: Sequence[tuple[str, float]]) -> str:
    """A weighted pick: a CASE over the uniform draw `u` (weights are normalised)."""
    total = sum(w for _, w in weights)
    acc, parts = 0.0, []
    for code, w in weights[:-1]:
        acc += w / total
        parts.append(f"WHEN {u} < {acc:.6f} THEN '{code}'")
    return f"CASE {' '.join(parts)} ELSE '{weights[-1][0]}' END"


def _band(u: str, v: str, bands: Sequence[tuple[int, int, float]]) -> str:
    """Days from duration bands: band by `u`, uniform within it by `v`."""
    total = sum(w for _, _, w in bands)
    acc, parts = 0.0, []
    for lo, hi, w in bands[:-1]:
        acc += w / total
        parts.append(f"WHEN {u} < {acc:.6f} THEN {lo} + floor({v} * {hi - lo + 1})")
    lo, hi, _ = bands[-1]
    return f"CAST(CASE {' '.join(parts)} ELSE {lo} + floor({v} * {hi - lo + 1}) END AS INTEGER)"


def _d(day: date) -> str:
    return f"DATE '{day.isoformat()}'"


class _Loads:
    """The load records: one per return (kind) and collection year."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, str, str, int, str | None, str, str]] = []

    def add(self, kind: str, source: str, year: int, la: str | None, file: str, tables: str) -> int:
        load_id = len(self.rows) + 1
        self.rows.append((load_id, kind, source, year, la, file, tables))
        return load_id


def build(path: Path, children: int = 1_000_000, seed: int = 2026) -> dict[str, float]:
    """Build the store at `path` (replacing it), with `children` children in the CIN census;
    returns the pool's size, row counts, and the build's and the current tables' times.
    The current tables (`rebuild_current`) are timed apart, wall and CPU: they are the
    precomputation the engine reads, so a cold scorecard includes them."""
    started = time.perf_counter()
    path.unlink(missing_ok=True)
    with connect(str(path)) as store:
        assert isinstance(store, DuckStore)
        store.ensure_schema(list(canonical_tables(partner_tables()).values()))
        with store.transaction():  # one write: built on a copy, renamed over the path
            con = store.con
            pool = _generate(con, children, seed)
            with timed() as current:
                rebuild_current(store)  # what the loader keeps up to date load by load
            people = _people(con)
            assert people["children_with_records"] == children, people
            counts = {
                t: int(n)
                for t, n in con.execute(
                    "SELECT table_name, estimated_size FROM duckdb_tables() "
                    "WHERE NOT temporary AND table_name NOT LIKE 'sp\\_current\\_%' ESCAPE '\\' "
                    "AND table_name != 'sp_persons' ORDER BY table_name"
                ).fetchall()
            }
    real = {k: v for k, v in counts.items() if v}
    return {
        "notional_population": pool,
        **people,
        **{f"rows_{k}": v for k, v in real.items()},
        "build_seconds": round(time.perf_counter() - started, 2),
        **{f"current_tables_{k}": v for k, v in current.figures().items()},
    }


def _people(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    """Who the store holds: children in the CIN census, children the measures know (who
    include looked-after children whose CIN episode closed before the window), and the
    population estimate of the last year (children aged 0 to 17)."""
    row = con.execute(
        "SELECT (SELECT count(DISTINCT person_id) FROM ssd_person), "
        f"(SELECT count(*) FROM {PERSONS_TABLE}), "
        "(SELECT population_0_17 FROM sp_population_estimates ORDER BY mid_year DESC LIMIT 1)"
    ).fetchone()
    assert row is not None
    census, persons, population = (int(v) for v in row)
    return {
        "children_with_records": census,
        "children_in_sp_persons": persons,
        "population_0_17": population,
    }


def _keep_first(con: duckdb.DuckDBPyConnection, children: int) -> int:
    """Cut the pool after its `children`-th child in the CIN census (a CIN episode open in a
    collection year); returns the pool's size. Every child before that one stays, with or
    without records, so rates per 10,000 are those of the whole pool."""
    row = con.execute(
        "SELECT count(*), max(kid) FROM "
        f"(SELECT DISTINCT kid FROM ep_years ORDER BY kid LIMIT {children})"
    ).fetchone()
    assert row is not None
    if row[0] < children:
        raise RuntimeError(f"only {row[0]} children with records: lower RECORD_SHARE")
    pool = int(row[1]) + 1
    for table in JOURNEY_TABLES:
        con.execute(f"DELETE FROM {table} WHERE kid >= {pool}")
    con.execute(f"DELETE FROM fac WHERE e >= {pool * 8}")  # e = kid * 8 + j
    return pool


def _generate(con: duckdb.DuckDBPyConnection, children: int, seed: int) -> int:
    """Fill the store's canonical tables; returns the pool's size (the notional population),
    drawn big enough for `children` children with records, then cut to them."""
    n = int(children / RECORD_SHARE) + 1000
    x = con.execute
    # uniform draws in [0, 1) from (entity, salt); the seed salts every draw
    x(f"CREATE TEMP MACRO u(a, b) AS (hash(a, b, {seed}) % 1000000007) / 1000000007.0")
    x("CREATE TEMP MACRO cyear(d) AS year(d) + CASE WHEN month(d) >= 4 THEN 1 ELSE 0 END")
    x("CREATE TEMP MACRO yend(y) AS make_date(y, 3, 31)")
    x("CREATE TEMP MACRO ystart(y) AS make_date(y - 1, 4, 1)")
    x("CREATE TEMP MACRO known(d, y) AS CASE WHEN d <= make_date(y, 3, 31) THEN d END")
    x(f"CREATE TEMP TABLE years AS SELECT y FROM range({FIRST_YEAR}, {LAST_YEAR + 1}) t(y)")
    span = (WINDOW_END - HISTORY_START).days + 1
    born_span = (WINDOW_END - date(2002, 4, 1)).days + 1

    # --- the pool --------------------------------------------------------------------------
    x(
        f"""CREATE TEMP TABLE kids AS
        SELECT i AS kid, substr(md5(concat('{seed}-', i)), 1, 24) AS person_id,
               DATE '2002-04-01' + CAST(floor(u(i, 1) * {born_span}) AS INTEGER) AS dob,
               CASE WHEN u(i, 2) < {P.MALE_SHARE} THEN '1'
                    WHEN u(i, 2) < {1 - P.GENDER_NOT_RECORDED_SHARE} THEN '2' ELSE '0' END
                   AS gender,
               {_cases("u(i, 3)", P.ETHNICITY_WEIGHTS)} AS ethnicity,
               CASE WHEN u(i, 4) < {P.DISABILITY_SHARE}
                    THEN {_cases("u(i, 5)", [(c, 1.0) for c in P.DISABILITY_CODES])}
                    ELSE 'NONE' END AS disability,
               1 + CAST(hash(i, {seed}, 6) % {TEAMS} AS INTEGER) AS team
        FROM range({n}) t(i)"""
    )
    # a journey (chain of referrals) starts between the history start and the window end,
    # while the child is 0 to 17; the chance is in proportion to the days the child could
    # start one, scaled so that referrals run at REFERRAL_RATE_PER_10K a year
    x(
        f"""CREATE TEMP TABLE eligible AS
        SELECT kid, greatest(dob, {_d(HISTORY_START)}) AS lo,
               least(dob + INTERVAL 18 YEAR - INTERVAL 1 DAY, {_d(WINDOW_END)})::DATE AS hi
        FROM kids"""
    )
    days = x("SELECT sum(greatest(hi - lo + 1, 0)) FROM eligible").fetchone()
    eligible_days = float(days[0]) if days and days[0] else 1.0
    short = P.REREFERRAL_12M_SHARE
    late = P.LATE_REREFERRAL_SHARE
    per_chain = 1.0 / (1.0 - short - late)
    chains = n * P.REFERRAL_RATE_PER_10K / 10_000 * span / 365.25 / per_chain * 1.01
    per_day = chains / eligible_days
    x(
        f"""CREATE TEMP TABLE chains AS
        SELECT kid, lo + CAST(floor(u(kid, 11) * (hi - lo + 1)) AS INTEGER) AS first_day
        FROM eligible WHERE hi >= lo AND u(kid, 10) < (hi - lo + 1) * {per_day}"""
    )
    x(
        f"""CREATE TEMP TABLE refs AS
        WITH s AS (
            SELECT c.kid, j, first_day,
                   CASE WHEN u(c.kid * 8 + j, 20) < {short}
                            THEN 20 + floor(u(c.kid * 8 + j, 21) * 346)
                        WHEN u(c.kid * 8 + j, 20) < {short + late}
                            THEN 366 + floor(u(c.kid * 8 + j, 21) * 700) END AS gap
            FROM chains c, range(8) r(j)),
        w AS (
            SELECT kid, j, first_day,
                   coalesce(sum(gap) OVER prior, 0) AS offs,
                   coalesce(sum(CASE WHEN gap IS NULL THEN 1 ELSE 0 END) OVER prior, 0) AS stops
            FROM s
            WINDOW prior AS (PARTITION BY kid ORDER BY j
                             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING))
        SELECT w.kid * 8 + w.j AS e, w.kid, w.first_day + CAST(offs AS INTEGER) AS ref
        FROM w JOIN kids k ON k.kid = w.kid
        WHERE stops = 0 AND w.first_day + CAST(offs AS INTEGER) <= {_d(WINDOW_END)}
          AND w.first_day + CAST(offs AS INTEGER) < k.dob + INTERVAL 18 YEAR"""
    )
    # --- CIN episodes, assessments, factors, S47, CP plans -------------------------------------
    nfa = P.REFERRAL_NFA_SHARE
    x(
        f"""CREATE TEMP TABLE ep AS
        SELECT e, kid, ref,
               {_cases("u(e, 30)", P.REFERRAL_SOURCE_WEIGHTS)} AS source,
               {_cases("u(e, 31)", P.PRIMARY_NEED_WEIGHTS)} AS need,
               u(e, 32) < {nfa} AS nfa,
               CASE WHEN u(e, 32) < {nfa} THEN ref + CAST(floor(u(e, 33) * 4) AS INTEGER)
                    ELSE ref + {_band("u(e, 34)", "u(e, 35)", P.CIN_EPISODE_DURATION_BANDS)}
               END AS closed_raw,
               CASE WHEN u(e, 32) < {nfa} THEN 'RC8'
                    ELSE {_cases("u(e, 36)", P.CLOSURE_REASON_WEIGHTS)} END AS reason
        FROM refs"""
    )
    x(
        f"""CREATE TEMP TABLE asm AS
        SELECT e, kid, ref + CAST(floor(u(e, 40) * 8) AS INTEGER) AS a_start,
               ref + CAST(floor(u(e, 40) * 8) AS INTEGER) + CASE
                   WHEN u(e, 41) < {P.ASSESSMENT_WITHIN_45WD_SHARE}
                       THEN 5 + CAST(floor(u(e, 42) * 57) AS INTEGER)
                   ELSE 64 + CAST(floor(u(e, 42) * 60) AS INTEGER) END AS auth
        FROM ep WHERE NOT nfa AND ref + 8 <= {_d(WINDOW_END)}"""
    )
    factors = ", ".join(
        f"({i}, '{code}', {p})" for i, (code, p) in enumerate(P.ASSESSMENT_FACTOR_PREVALENCE)
    )
    x("CREATE TEMP TABLE factor_list(i INTEGER, code VARCHAR, p DOUBLE)")
    x(f"INSERT INTO factor_list VALUES {factors}")
    x(
        """CREATE TEMP TABLE fac AS
        SELECT a.e, f.i, f.code FROM asm a, factor_list f WHERE u(a.e * 64 + f.i, 50) < f.p"""
    )
    x(
        f"""CREATE TEMP TABLE s47 AS
        SELECT e, kid, a_start + CAST(floor(u(e, 60) * 10) AS INTEGER) AS s_start,
               u(e, 61) < {P.ICPC_SHARE_OF_S47} AS icpc_held,
               a_start + CAST(floor(u(e, 60) * 10) AS INTEGER) + CASE
                   WHEN u(e, 62) < {P.ICPC_WITHIN_15WD_SHARE}
                       THEN 3 + CAST(floor(u(e, 63) * 18) AS INTEGER)
                   ELSE 22 + CAST(floor(u(e, 63) * 30) AS INTEGER) END AS icpc
        FROM asm WHERE u(e, 59) < {P.S47_SHARE_OF_ASSESSED}"""
    )
    x(f"UPDATE s47 SET icpc = NULL WHERE NOT icpc_held OR icpc > {_d(WINDOW_END)}")
    x(f"DELETE FROM s47 WHERE s_start > {_d(WINDOW_END)}")
    x(
        f"""CREATE TEMP TABLE cpp AS
        SELECT e, kid, icpc AS c_start,
               icpc + {_band("u(e, 70)", "u(e, 71)", P.CPP_DURATION_BANDS)} AS c_end_raw,
               {_cases("u(e, 72)", P.CPP_CATEGORY_WEIGHTS)} AS cat,
               CASE WHEN u(e, 74) < {P.CPP_SECOND_SUBSEQUENT_SHARE}
                    THEN 1 + CAST(floor(u(e, 75) * 3) AS INTEGER) ELSE 0 END AS previous
        FROM s47 WHERE icpc IS NOT NULL AND u(e, 69) < {P.CPP_SHARE_OF_ICPC}"""
    )
    x(
        f"""CREATE TEMP TABLE cpp2 AS
        SELECT *, CASE WHEN u(e, 73) < {P.CPP_CATEGORY_CHANGE_SHARE}
                       THEN {_cases("u(e, 76)", P.CPP_CATEGORY_WEIGHTS)} ELSE cat END AS latest
        FROM cpp"""
    )
    # the episode closes no earlier than its plan ends
    x(
        f"""CREATE TEMP TABLE ep2 AS
        SELECT ep.*, s.icpc,
               CASE WHEN greatest(closed_raw, c.c_end_raw) > {_d(WINDOW_END)} THEN NULL
                    ELSE greatest(closed_raw, c.c_end_raw) END AS closed
        FROM ep LEFT JOIN s47 s USING (e) LEFT JOIN cpp c USING (e)"""
    )
    # each episode is in every census year it is open in
    x(
        """CREATE TEMP TABLE ep_years AS
        SELECT ep2.*, y FROM ep2, years
        WHERE ref <= yend(y) AND (closed IS NULL OR closed >= ystart(y))"""
    )
    n = _keep_first(con, children)  # from here on, n is the pool kept

    loads = _Loads()
    cin_tables = (
        "ssd_assessment_factors,ssd_cin_assessments,ssd_cin_episodes,ssd_cp_plans,"
        "ssd_disability,ssd_person,ssd_s47_enquiry"
    )
    cin_load = {
        y: loads.add("cin_census", "cin_census", y, "999", f"cin_census_{y}.xml", cin_tables)
        for y in range(FIRST_YEAR, LAST_YEAR + 1)
    }
    _load_map(con, "cin_load", cin_load)
    lineage = "'national' AS source_hash, NULL AS source_row"
    x(
        f"""INSERT INTO ssd_person BY NAME
        SELECT (l.load_id << 32) + k.kid + 1 AS record_id, NULL AS parent_id, k.person_id,
               k.dob AS personbirthdate, k.gender AS gendercurrent, k.ethnicity,
               l.load_id, concat('cin_census_', y, '.xml') AS source_file, {lineage}
        FROM (SELECT DISTINCT kid, y FROM ep_years) p
        JOIN kids k USING (kid) JOIN cin_load l USING (y)"""
    )
    x(
        f"""INSERT INTO ssd_disability BY NAME
        SELECT (l.load_id << 32) + k.kid + 1 AS record_id,
               (l.load_id << 32) + k.kid + 1 AS parent_id, k.person_id, k.disability,
               l.load_id, concat('cin_census_', y, '.xml') AS source_file, {lineage}
        FROM (SELECT DISTINCT kid, y FROM ep_years) p
        JOIN kids k USING (kid) JOIN cin_load l USING (y)"""
    )
    x(
        f"""INSERT INTO ssd_cin_episodes BY NAME
        SELECT (l.load_id << 32) + e + 1 AS record_id, (l.load_id << 32) + k.kid + 1 AS parent_id,
               k.person_id, ref AS cinreferraldate, source AS referralsource,
               CASE WHEN NOT nfa THEN need END AS primaryneedcode,
               known(closed, y) AS cinclosuredate,
               CASE WHEN known(closed, y) IS NOT NULL THEN reason END AS reasonforclosure,
               known(icpc, y) AS dateofinitialcpc, nfa AS referralnfa,
               l.load_id, concat('cin_census_', y, '.xml') AS source_file, {lineage}
        FROM ep_years JOIN kids k USING (kid) JOIN cin_load l USING (y)"""
    )
    x(
        f"""INSERT INTO ssd_cin_assessments BY NAME
        SELECT (l.load_id << 32) + a.e + 1 AS record_id, (l.load_id << 32) + a.e + 1 AS parent_id,
               k.person_id, a.a_start AS assessmentactualstartdate,
               known(a.auth, y) AS assessmentauthorisationdate,
               l.load_id, concat('cin_census_', y, '.xml') AS source_file, {lineage}
        FROM asm a JOIN ep_years USING (e) JOIN kids k ON k.kid = a.kid JOIN cin_load l USING (y)
        WHERE a.a_start <= yend(y)"""
    )
    x(
        f"""INSERT INTO ssd_assessment_factors BY NAME
        SELECT (l.load_id << 32) + f.e * 40 + f.i + 1 AS record_id,
               (l.load_id << 32) + f.e + 1 AS parent_id, k.person_id,
               f.code AS assessmentfactors,
               l.load_id, concat('cin_census_', y, '.xml') AS source_file, {lineage}
        FROM fac f JOIN asm a USING (e) JOIN ep_years USING (e) JOIN kids k ON k.kid = a.kid
        JOIN cin_load l USING (y)
        WHERE a.a_start <= yend(y)"""
    )
    x(
        f"""INSERT INTO ssd_s47_enquiry BY NAME
        SELECT (l.load_id << 32) + s.e + 1 AS record_id, (l.load_id << 32) + s.e + 1 AS parent_id,
               k.person_id, s.s_start AS s47actualstartdate,
               s.s_start + 21 AS initialcpctarget, known(s.icpc, y) AS dateofinitialcpc,
               NOT s.icpc_held AS icpcnotrequired,
               l.load_id, concat('cin_census_', y, '.xml') AS source_file, {lineage}
        FROM s47 s JOIN ep_years USING (e) JOIN kids k ON k.kid = s.kid JOIN cin_load l USING (y)
        WHERE s.s_start <= yend(y)"""
    )
    x(
        f"""INSERT INTO ssd_cp_plans BY NAME
        SELECT (l.load_id << 32) + c.e + 1 AS record_id, (l.load_id << 32) + c.e + 1 AS parent_id,
               k.person_id, c.c_start AS cppstartdate, known(c.c_end_raw, y) AS cppenddate,
               c.cat AS initialcategoryofabuse, c.latest AS latestcategoryofabuse,
               c.previous AS numberofpreviouscpp,
               l.load_id, concat('cin_census_', y, '.xml') AS source_file, {lineage}
        FROM cpp2 c JOIN ep_years USING (e) JOIN kids k ON k.kid = c.kid JOIN cin_load l USING (y)
        WHERE c.c_start <= yend(y)"""
    )

    # --- children looked after (SSDA903) -----------------------------------------------------
    x(
        f"""CREATE TEMP TABLE care AS
        SELECT a.e, a.kid, a.a_start + CAST(floor(u(a.e, 80) * 60) AS INTEGER) AS p_start,
               least(a.a_start + CAST(floor(u(a.e, 80) * 60) AS INTEGER)
                     + {_band("u(a.e, 81)", "u(a.e, 82)", P.CLA_DURATION_BANDS)},
                     (k.dob + INTERVAL 18 YEAR)::DATE) AS p_end_raw
        FROM asm a JOIN kids k USING (kid)
        WHERE u(a.e, 79) < {P.CLA_ENTRY_SHARE_OF_ASSESSED}
          AND a.a_start + 60 <= {_d(WINDOW_END)}"""
    )
    x(f"DELETE FROM care WHERE p_start > {_d(WINDOW_END)} OR p_end_raw <= p_start")
    x(
        f"""CREATE TEMP TABLE care_eps AS
        WITH m AS (
            SELECT *, least(7, CAST(floor((p_end_raw - p_start) / 365.25
                    * {P.PLACEMENT_MOVES_PER_YEAR} + u(e, 83)) AS INTEGER)
                    + CASE WHEN u(e, 78) < 0.12 THEN 2 ELSE 0 END) AS moves
            FROM care),
        pts AS (
            SELECT DISTINCT e, kid, p_start, p_end_raw,
                   CASE WHEN k = 0 THEN 0 ELSE CAST(floor(u(e * 8 + k, 77)
                        * least(p_end_raw - p_start, 400)) AS INTEGER) END AS pt
            FROM m, range(10) r(k) WHERE k <= moves),
        s AS (
            SELECT *, row_number() OVER (PARTITION BY e ORDER BY pt) - 1 AS k,
                   p_start + pt AS s_start,
                   coalesce(p_start + lead(pt) OVER (PARTITION BY e ORDER BY pt), p_end_raw)
                       AS s_end
            FROM pts)
        SELECT e * 8 + k AS ce, e, kid, k, s_start, s_end, p_end_raw,
               CASE WHEN k = 0 THEN 'S' WHEN u(e * 8 + k, 84) < 0.8 THEN 'P'
                    WHEN u(e * 8 + k, 84) < 0.9 THEN 'T' ELSE 'L' END AS rne
        FROM s WHERE s_start <= {_d(WINDOW_END)} AND s_end > s_start"""
    )
    x(
        """CREATE TEMP TABLE care_years AS
        SELECT c.*, y FROM care_eps c, years
        WHERE s_start <= yend(y) AND s_end >= ystart(y)"""
    )
    s903 = {}
    for y in range(FIRST_YEAR, LAST_YEAR + 1):
        for kind in ("episodes", "header", "missing"):
            table = {"episodes": "ssd_cla_episodes", "header": "ssd_cla_header"}.get(
                kind, "ssd_missing"
            )
            s903[(y, kind)] = loads.add(f"ssda903:{kind}", "ssda903", y, None, f"{kind}.csv", table)
    for kind in ("episodes", "header", "missing"):
        _load_map(
            con, f"s903_{kind}", {y: s903[(y, kind)] for y in range(FIRST_YEAR, LAST_YEAR + 1)}
        )
    x(
        f"""INSERT INTO ssd_cla_episodes BY NAME
        SELECT (l.load_id << 32) + c.ce + 1 AS record_id, NULL AS parent_id, k.person_id,
               c.s_start AS decom, c.rne,
               {_cases("u(c.e, 85)", P.CLA_LEGAL_STATUS_WEIGHTS)} AS ls,
               'N1' AS cin,
               {_cases("u(c.ce, 86)", P.PLACEMENT_WEIGHTS)} AS place,
               'PR' || (1 + CAST(hash(c.ce, 87) % 5 AS INTEGER)) AS place_provider,
               CASE WHEN c.s_end <= least(yend(y), {_d(WINDOW_END)}) THEN c.s_end END AS dec,
               CASE WHEN c.s_end > least(yend(y), {_d(WINDOW_END)}) THEN NULL
                    WHEN c.s_end < c.p_end_raw THEN 'X1'
                    ELSE {_cases("u(c.e, 88)", P.CLA_END_REASON_WEIGHTS)} END AS rec,
               CASE WHEN c.rne IN ('P', 'T')
                    THEN {_cases("u(c.ce, 89)", P.PLACE_CHANGE_REASON_WEIGHTS)} END
                   AS reason_place_change,
               'XXXXXXX' AS urn,
               l.load_id, 'episodes.csv' AS source_file, {lineage}
        FROM care_years c JOIN kids k USING (kid) JOIN s903_episodes l USING (y)"""
    )
    x(
        f"""INSERT INTO ssd_cla_header BY NAME
        SELECT (l.load_id << 32) + k.kid + 1 AS record_id, NULL AS parent_id, k.person_id,
               k.gender AS sex, k.dob, k.ethnicity AS ethnic,
               l.load_id, 'header.csv' AS source_file, {lineage}
        FROM (SELECT DISTINCT kid, y FROM care_years) c JOIN kids k USING (kid)
        JOIN s903_header l USING (y)"""
    )
    # missing from care: a share of looked-after children each year, most of them repeatedly
    repeat = P.MISSING_MORE_THAN_ONCE_SHARE
    mean = P.MISSING_MEAN_INCIDENTS_IF_REPEAT
    x(
        f"""CREATE TEMP TABLE cla_missing AS
        WITH cy AS (
            SELECT kid, y, greatest(min(s_start), ystart(y)) AS lo,
                   least(max(s_end), yend(y), {_d(WINDOW_END)}) AS hi
            FROM care_years GROUP BY kid, y),
        who AS (
            SELECT *, CASE WHEN u(kid * 16 + y, 91) < {repeat}
                           THEN 2 + CAST(floor(u(kid * 16 + y, 92) * {2 * mean - 3}) AS INTEGER)
                           ELSE 1 END AS times
            FROM cy WHERE hi > lo AND u(kid * 16 + y, 90) < {P.CLA_MISSING_SHARE_PER_YEAR})
        SELECT (kid * 16 + y) * 32 + j AS m, kid, y,
               lo + CAST(floor(u((kid * 16 + y) * 32 + j, 93) * (hi - lo + 1)) AS INTEGER) AS day,
               CASE WHEN u((kid * 16 + y) * 32 + j, 94) < {P.AWAY_SHARE} THEN 'A' ELSE 'M' END
                   AS kind
        FROM who, range(32) r(j) WHERE j < times"""
    )
    x(
        f"""INSERT INTO ssd_missing BY NAME
        SELECT (l.load_id << 32) + row_number() OVER (PARTITION BY m.y ORDER BY m.m) AS record_id,
               NULL AS parent_id, k.person_id, k.dob, m.kind AS missing, m.day AS mis_start,
               CASE WHEN m.day + 3 <= {_d(WINDOW_END)}
                    THEN m.day + CAST(floor(u(m.m, 95) * 4) AS INTEGER) END AS mis_end,
               l.load_id, 'missing.csv' AS source_file, {lineage}
        FROM cla_missing m JOIN kids k USING (kid) JOIN s903_missing l USING (y)"""
    )

    # --- partners' records --------------------------------------------------------------------
    partner = {}
    for template in (
        "missing_episodes",
        "exploitation_screening",
        "initial_health_assessments",
        "family_plan_outcomes",
        "cp_conference_participation",
        "training_uptake",
        "case_audits",
        "professional_challenges",
        "children_missing_education",
        "population_estimates",
    ):
        ids = {
            y: loads.add(
                f"partner:{template}", "partner", y, None, f"{template}_{y}.csv", f"sp_{template}"
            )
            for y in range(FIRST_YEAR, LAST_YEAR + 1)
        }
        partner[template] = ids
        _load_map(con, f"load_{template}", ids)

    # missing episodes: the police record of looked-after children's missing incidents, and
    # children in need (10 and over) who are not looked after
    x(
        f"""CREATE TEMP TABLE pm AS
        SELECT m AS id, kid, day, TRUE AS la, 'missing' AS mtype FROM cla_missing
        WHERE kind = 'M' AND u(m, 96) < 0.9
        UNION ALL
        SELECT * FROM (
            WITH cy AS (
                SELECT e.kid, y, greatest(min(ref), ystart(y)) AS lo,
                       least(max(coalesce(closed, {_d(WINDOW_END)})), yend(y)) AS hi
                FROM ep_years e JOIN kids k USING (kid)
                WHERE NOT nfa AND date_diff('year', k.dob, yend(y)) >= 10
                GROUP BY e.kid, y),
            who AS (
                SELECT *, CASE WHEN u(kid * 16 + y, 101) < {repeat}
                          THEN 2 + CAST(floor(u(kid * 16 + y, 102) * {2 * mean - 3}) AS INTEGER)
                          ELSE 1 END AS times
                FROM cy WHERE hi > lo AND u(kid * 16 + y, 100) < {P.NOT_CLA_MISSING_SHARE})
            SELECT 100000000000 + (kid * 16 + y) * 32 + j AS id, kid,
                   lo + CAST(floor(u((kid * 16 + y) * 32 + j, 103) * (hi - lo + 1)) AS INTEGER)
                       AS day, FALSE AS la,
                   CASE WHEN u((kid * 16 + y) * 32 + j, 104) < 0.1 THEN 'away' ELSE 'missing' END
                       AS mtype
            FROM who, range(32) r(j) WHERE j < times)"""
    )
    x(
        """CREATE TEMP TABLE pm2 AS
        SELECT *, day + INTERVAL (CAST(floor(u(id, 105) * 24) AS INTEGER)) HOUR AS st,
               day + INTERVAL (CAST(floor(u(id, 105) * 24) AS INTEGER)
                               + 2 + CAST(floor(u(id, 106) * 94) AS INTEGER)) HOUR AS en_raw
        FROM pm"""
    )
    x(
        f"""INSERT INTO sp_missing_episodes BY NAME
        SELECT (l.load_id << 32) + row_number() OVER (PARTITION BY cyear(m.day) ORDER BY m.id)
                   AS record_id,
               NULL AS parent_id, k.person_id, concat('MIS', m.id) AS episode_id,
               k.dob AS date_of_birth, m.la AS looked_after, m.mtype AS missing_type,
               m.st AS start_datetime,
               CASE WHEN m.en_raw < {_d(WINDOW_END)} + 1 AND u(m.id, 107) >= {P.MISSING_OPEN_SHARE}
                    THEN m.en_raw END AS end_datetime,
               {_cases("u(m.id, 108)", AGENCIES)} AS reported_by,
               m.en_raw + INTERVAL (1 + CAST(floor(u(m.id, 109) * 48) AS INTEGER)) HOUR
                   AS rhi_offered_datetime,
               u(m.id, 110) < {P.RHI_ACCEPTED_SHARE} AS rhi_accepted,
               CASE WHEN u(m.id, 110) >= {P.RHI_ACCEPTED_SHARE} THEN NULL
                    WHEN u(m.id, 111) < {P.RHI_IN_TIME_SHARE / P.RHI_ACCEPTED_SHARE}
                        THEN m.en_raw
                             + INTERVAL (4 + CAST(floor(u(m.id, 112) * 66) AS INTEGER)) HOUR
                    ELSE m.en_raw
                         + INTERVAL (73 + CAST(floor(u(m.id, 112) * 200) AS INTEGER)) HOUR
               END AS rhi_completed_datetime,
               l.load_id, concat('missing_episodes_', cyear(m.day), '.csv') AS source_file,
               {lineage}
        FROM pm2 m JOIN kids k USING (kid)
        JOIN load_missing_episodes l ON l.y = cyear(m.day)
        WHERE m.day >= {_d(WINDOW_START)}"""
    )
    # exploitation screening: at or soon after referral, for children of 10 and over
    x(
        f"""INSERT INTO sp_exploitation_screening BY NAME
        WITH s AS (
            SELECT e.e, e.kid, e.ref, e.ref + CASE WHEN u(e.e, 121) < 0.6 THEN 0
                   ELSE 1 + CAST(floor(u(e.e, 122) * 30) AS INTEGER) END AS day
            FROM ep e JOIN kids k USING (kid)
            WHERE NOT e.nfa AND date_diff('year', k.dob, e.ref) >= 10 AND u(e.e, 120) < 0.3)
        SELECT (l.load_id << 32) + s.e + 1 AS record_id, NULL AS parent_id, k.person_id,
               concat('EXS', s.e) AS screening_id, k.dob AS date_of_birth,
               s.day AS screening_date,
               {
            _cases(
                "u(s.e, 123)",
                [
                    ("cse_screening_tool", 0.4),
                    ("cce_risk_assessment", 0.3),
                    ("exploitation_toolkit", 0.25),
                    ("other", 0.05),
                ],
            )
        } AS tool,
               {
            _cases("u(s.e, 124)", [("none", 0.4), ("low", 0.3), ("medium", 0.2), ("high", 0.1)])
        } AS risk_level,
               {
            _cases("u(s.e, 125)", [("CSE", 0.35), ("CCE", 0.35), ("both", 0.15), ("other", 0.15)])
        } AS exploitation_type,
               s.day = s.ref AS at_referral,
               {_cases("u(s.e, 126)", AGENCIES)} AS agency,
               l.load_id, concat('exploitation_screening_', cyear(s.day), '.csv') AS source_file,
               {lineage}
        FROM s JOIN kids k USING (kid) JOIN load_exploitation_screening l ON l.y = cyear(s.day)
        WHERE s.day BETWEEN {_d(WINDOW_START)} AND {_d(WINDOW_END)}"""
    )
    # initial health assessments: one for each period of care starting in the window
    x(
        f"""INSERT INTO sp_initial_health_assessments BY NAME
        SELECT (l.load_id << 32) + c.e + 1 AS record_id, NULL AS parent_id, k.person_id,
               k.dob AS date_of_birth, c.p_start AS date_entered_care,
               c.p_start + 1 + CAST(floor(u(c.e, 130) * 5) AS INTEGER) AS iha_request_date,
               CASE WHEN u(c.e, 131) < {P.IHA_NOT_DONE_SHARE} THEN NULL
                    WHEN u(c.e, 132) < {P.IHA_IN_TIME_SHARE}
                        THEN c.p_start + 5 + CAST(floor(u(c.e, 133) * 22) AS INTEGER)
                    ELSE c.p_start + 30 + CAST(floor(u(c.e, 133) * 60) AS INTEGER)
               END AS iha_completed_date,
               l.load_id, concat('initial_health_assessments_', cyear(c.p_start), '.csv')
                   AS source_file, {lineage}
        FROM care c JOIN kids k USING (kid)
        JOIN load_initial_health_assessments l ON l.y = cyear(c.p_start)
        WHERE c.p_start >= {_d(WINDOW_START)}"""
    )
    x(
        "UPDATE sp_initial_health_assessments SET iha_completed_date = NULL "
        f"WHERE iha_completed_date > {_d(WINDOW_END)}"
    )
    # family plans: a share of episodes, two to four outcomes each, reviewed after 3-6 months
    achieved = [
        ("Y", P.FAMILY_OUTCOME_ACHIEVED),
        ("partly", P.FAMILY_OUTCOME_PARTLY),
        ("N", 1 - P.FAMILY_OUTCOME_ACHIEVED - P.FAMILY_OUTCOME_PARTLY),
    ]
    x(
        f"""INSERT INTO sp_family_plan_outcomes BY NAME
        WITH f AS (
            SELECT e.e, e.kid, e.ref + 10 + CAST(floor(u(e.e, 141) * 20) AS INTEGER) AS start,
                   2 + CAST(floor(u(e.e, 142) * 3) AS INTEGER) AS outcomes
            FROM ep e WHERE NOT e.nfa AND u(e.e, 140) < 0.3),
        o AS (
            SELECT f.*, j, start + 90 + CAST(floor(u(f.e * 8 + j, 143) * 90) AS INTEGER) AS review
            FROM f, range(4) r(j) WHERE j < outcomes)
        SELECT (l.load_id << 32) + o.e * 8 + o.j + 1 AS record_id, NULL AS parent_id,
               k.person_id, concat('FP', o.e) AS plan_id, concat('O', o.j + 1) AS outcome_id,
               k.dob AS date_of_birth, o.start AS plan_start_date, o.start AS outcome_set_date,
               o.review AS review_date, {_cases("u(o.e * 8 + o.j, 144)", achieved)} AS achieved,
               l.load_id, concat('family_plan_outcomes_', cyear(o.review), '.csv')
                   AS source_file, {lineage}
        FROM o JOIN kids k USING (kid) JOIN load_family_plan_outcomes l ON l.y = cyear(o.review)
        WHERE o.review BETWEEN {_d(WINDOW_START)} AND {_d(WINDOW_END)}"""
    )
    # CP conferences: the initial conference and a review every six months of the plan
    how = [
        ("attended", 0.25),
        ("advocate", 0.2),
        ("written", 0.1),
        ("social_worker", 0.1),
        ("creative", 0.04),
        ("observation", 0.03),
    ]
    x(
        f"""INSERT INTO sp_cp_conference_participation BY NAME
        WITH c AS (
            SELECT e, kid, 0 AS j, icpc AS day, 'initial' AS kind FROM s47
            WHERE icpc IS NOT NULL
            UNION ALL
            SELECT e, kid, j, c_start + CAST(91 + (j - 1) * 182 AS INTEGER) AS day,
                   'review' AS kind
            FROM cpp, range(1, 8) r(j)
            WHERE c_start + CAST(91 + (j - 1) * 182 AS INTEGER)
                  < least(c_end_raw, {_d(WINDOW_END)}))
        SELECT (l.load_id << 32) + c.e * 8 + c.j + 1 AS record_id, NULL AS parent_id,
               k.person_id, concat('CPC', c.e, '-', c.j) AS conference_id,
               k.dob AS date_of_birth, c.day AS conference_date, c.kind AS conference_type,
               u(c.e * 8 + c.j, 150) < {P.VIEWS_SHARED_SHARE} AS views_shared,
               CASE WHEN u(c.e * 8 + c.j, 150) < {P.VIEWS_SHARED_SHARE}
                    THEN {_cases("u(c.e * 8 + c.j, 151)", how)} ELSE 'not_shared' END
                   AS how_shared,
               l.load_id, concat('cp_conference_participation_', cyear(c.day), '.csv')
                   AS source_file, {lineage}
        FROM c JOIN kids k USING (kid)
        JOIN load_cp_conference_participation l ON l.y = cyear(c.day)
        WHERE c.day >= {_d(WINDOW_START)}"""
    )
    # training: young people's eLearning and practitioners' courses (no child identifier)
    yp, pr = P.ELEARNING_YP_PER_1000, P.PRACTITIONER_TRAINING_PER_1000
    per_year = n * (yp + pr) // 1000
    courses = [
        ("exploitation_awareness", 0.3),
        ("neglect_toolkit", 0.25),
        ("working_together", 0.25),
        ("voice_of_the_child", 0.2),
    ]
    x(
        f"""INSERT INTO sp_training_uptake BY NAME
        WITH t AS (
            SELECT y, i, y * 100000000 + i AS id, i < {n * yp // 1000} AS young FROM years,
            range({per_year}) r(i))
        SELECT (l.load_id << 32) + t.i + 1 AS record_id, NULL AS parent_id, NULL AS person_id,
               concat('TRN', t.y, '-', t.i) AS source_record_id,
               CASE WHEN young THEN concat('YP', hash(t.id, 160) % {n})
                    ELSE concat('PR', hash(t.id, 160) % 20000) END AS learner_id,
               CASE WHEN young THEN 'young_person' ELSE 'practitioner' END AS learner_group,
               CASE WHEN young AND u(t.id, 161) < 0.8 THEN 'abuse_awareness_elearning'
                    ELSE {_cases("u(t.id, 162)", courses)} END AS course,
               {_cases("u(t.id, 163)", AGENCIES)} AS agency,
               ystart(t.y) + CAST(floor(u(t.id, 164) * 365) AS INTEGER) AS completion_date,
               l.load_id, concat('training_uptake_', t.y, '.csv') AS source_file, {lineage}
        FROM t JOIN load_training_uptake l USING (y)"""
    )
    # case audits and professional challenges: a share of the cases open in each year
    x(
        f"""CREATE TEMP TABLE open_case AS
        SELECT e, kid, y, greatest(ref, ystart(y)) AS lo,
               least(coalesce(closed, {_d(WINDOW_END)}), yend(y)) AS hi
        FROM ep_years WHERE NOT nfa"""
    )
    grades = [
        ("outstanding", 0.1),
        ("good", 0.45),
        ("requires_improvement", 0.35),
        ("inadequate", 0.1),
    ]
    x(
        f"""INSERT INTO sp_case_audits BY NAME
        WITH a AS (
            SELECT e * 8 + y - {FIRST_YEAR} AS id, kid, y,
                   lo + CAST(floor(u(e * 8 + y, 171) * (hi - lo + 1)) AS INTEGER) AS day
            FROM open_case WHERE hi >= lo AND u(e * 8 + y, 170) < {P.AUDIT_SHARE_PER_YEAR})
        SELECT (l.load_id << 32) + a.id + 1 AS record_id, NULL AS parent_id, k.person_id,
               concat('AUD', a.id) AS audit_id, k.dob AS date_of_birth, a.day AS audit_date,
               {_cases("u(a.id, 172)", AGENCIES)} AS agency,
               u(a.id, 173) < {P.LIVED_EXPERIENCE_EVIDENT_SHARE} AS lived_experience_evident,
               {_cases("u(a.id, 174)", grades)} AS grade,
               l.load_id, concat('case_audits_', a.y, '.csv') AS source_file, {lineage}
        FROM a JOIN kids k USING (kid) JOIN load_case_audits l USING (y)"""
    )
    outcomes = [
        ("agreed", 0.4),
        ("practice_changed", 0.25),
        ("no_change", 0.15),
        ("escalated", 0.1),
        ("open", 0.1),
    ]
    stages = [("stage_1", 0.6), ("stage_2", 0.25), ("stage_3", 0.1), ("stage_4", 0.05)]
    x(
        f"""INSERT INTO sp_professional_challenges BY NAME
        WITH a AS (
            SELECT e * 8 + y - {FIRST_YEAR} AS id, kid, y,
                   lo + CAST(floor(u(e * 8 + y, 181) * (hi - lo + 1)) AS INTEGER) AS day
            FROM open_case
            WHERE hi >= lo AND u(e * 8 + y, 180) < {P.CHALLENGES_PER_100_CASES / 100})
        SELECT (l.load_id << 32) + a.id + 1 AS record_id, NULL AS parent_id, k.person_id,
               concat('PCH', a.id) AS challenge_id, k.dob AS date_of_birth, a.day AS raised_date,
               {_cases("u(a.id, 182)", AGENCIES)} AS raising_agency,
               {_cases("u(a.id, 183)", AGENCIES)} AS receiving_agency,
               {_cases("u(a.id, 184)", stages)} AS stage,
               CASE WHEN a.day + 60 <= {_d(WINDOW_END)}
                    THEN a.day + 5 + CAST(floor(u(a.id, 185) * 55) AS INTEGER) END AS resolved_date,
               {_cases("u(a.id, 186)", outcomes)} AS outcome,
               l.load_id, concat('professional_challenges_', a.y, '.csv') AS source_file,
               {lineage}
        FROM a JOIN kids k USING (kid) JOIN load_professional_challenges l USING (y)"""
    )
    reasons = [
        ("not_registered", 0.2),
        ("moved_away", 0.25),
        ("excluded", 0.1),
        ("left_school", 0.15),
        ("elective_home_education", 0.1),
        ("whereabouts_unknown", 0.1),
        ("other", 0.1),
    ]
    x(
        f"""INSERT INTO sp_children_missing_education BY NAME
        WITH c AS (
            SELECT kid, y, kid * 8 + y - {FIRST_YEAR} AS id,
                   ystart(y) + CAST(floor(u(kid * 8 + y, 191) * 365) AS INTEGER) AS day
            FROM (SELECT DISTINCT kid, y FROM ep_years)
            WHERE u(kid * 8 + y, 190) < {P.CME_SHARE})
        SELECT (l.load_id << 32) + c.id + 1 AS record_id, NULL AS parent_id, k.person_id,
               concat('CME', c.id) AS source_record_id, k.dob AS date_of_birth,
               c.day AS start_date,
               CASE WHEN c.day + 120 <= {_d(WINDOW_END)} AND u(c.id, 192) < 0.85
                    THEN c.day + 10 + CAST(floor(u(c.id, 193) * 110) AS INTEGER) END AS end_date,
               {_cases("u(c.id, 194)", reasons)} AS reason,
               l.load_id, concat('children_missing_education_', c.y, '.csv') AS source_file,
               {lineage}
        FROM c JOIN kids k USING (kid) JOIN load_children_missing_education l USING (y)"""
    )

    # the ONS mid-year estimate (30 June before each 31 March) of the pool's children aged 0-17
    x(
        f"""INSERT INTO sp_population_estimates BY NAME
        SELECT (l.load_id << 32) + 1 AS record_id, NULL AS parent_id, NULL AS person_id,
               'E99999999' AS area_code, y - 1 AS mid_year, count(*) AS population_0_17,
               l.load_id, concat('population_estimates_', y, '.csv') AS source_file, {lineage}
        FROM kids, load_population_estimates l
        WHERE dob <= make_date(y - 1, 6, 30)
          AND dob + INTERVAL 18 YEAR > make_date(y - 1, 6, 30)
        GROUP BY l.load_id, y"""
    )

    # --- Annex A lists: the allocated team (a child moves team now and then) ---------------
    lists = "sp_annex_a_list_3,sp_annex_a_list_4,sp_annex_a_list_6,sp_annex_a_list_7,"
    lists += "sp_annex_a_list_8"
    annex = {
        y: loads.add("annex_a", "annex_a", y, None, f"annex_a_{y}.xlsx", lists)
        for y in range(FIRST_YEAR, LAST_YEAR + 1)
    }
    _load_map(con, "annex_load", annex)
    team = (
        f"concat('Locality ', CASE WHEN u(k.kid * 16 + a.y, 200) < 0.1 "
        f"THEN 1 + CAST(hash(k.kid, a.y, 201) % {TEAMS} AS INTEGER) ELSE k.team END, ' Team')"
    )
    who = (
        "k.person_id, CASE k.gender WHEN '1' THEN 'a) Male' WHEN '2' THEN 'b) Female' "
        "ELSE 'c) Not known' END AS gender, k.ethnicity, k.dob AS date_of_birth"
    )
    for table, sql in (
        (
            "sp_annex_a_list_3",
            f"""SELECT a.e AS id, a.y, {who}, a.ref AS date_of_referral,
                       a.source AS referral_source,
                       CASE WHEN a.nfa THEN 'Yes' ELSE 'No' END AS referral_nfa,
                       {team} AS allocated_team
                FROM (SELECT e, kid, ref, source, nfa, cyear(ref) AS y FROM ep
                      WHERE ref >= {_d(WINDOW_START)}) a JOIN kids k USING (kid)""",
        ),
        (
            "sp_annex_a_list_4",
            f"""SELECT a.e AS id, a.y, {who},
                       a.a_start AS continuous_assessment_start_date,
                       CASE WHEN a.auth <= {_d(WINDOW_END)} THEN a.auth END
                           AS continuous_assessment_date_of_authorisation,
                       {team} AS allocated_team
                FROM (SELECT e, kid, a_start, auth, cyear(a_start) AS y FROM asm
                      WHERE a_start BETWEEN {_d(WINDOW_START)} AND {_d(WINDOW_END)}) a
                JOIN kids k USING (kid)""",
        ),
        (
            "sp_annex_a_list_6",
            f"""SELECT a.e AS id, a.y, {who}, a.ref AS cin_start_date,
                       known(a.closed, a.y) AS cin_closure_date, {team} AS allocated_team
                FROM (SELECT * FROM ep_years WHERE NOT nfa) a JOIN kids k USING (kid)""",
        ),
        (
            "sp_annex_a_list_7",
            f"""SELECT a.e AS id, a.y, {who}, a.c_start AS child_protection_plan_start_date,
                       a.cat AS initial_category_of_abuse,
                       known(a.c_end_raw, a.y) AS child_protection_plan_end_date,
                       {team} AS allocated_team
                FROM (SELECT c.*, y FROM cpp2 c, years
                      WHERE c_start <= yend(y) AND c_end_raw >= ystart(y)) a
                JOIN kids k USING (kid)""",
        ),
        (
            "sp_annex_a_list_8",
            f"""SELECT a.e AS id, a.y, {who}, a.p_start AS date_started_to_be_looked_after,
                       known(a.p_end_raw, a.y) AS date_ceased_to_be_looked_after,
                       {team} AS allocated_team
                FROM (SELECT c.*, y FROM care c, years
                      WHERE p_start <= yend(y) AND p_end_raw >= ystart(y)) a
                JOIN kids k USING (kid)""",
        ),
    ):
        x(
            f"""INSERT INTO {table} BY NAME
            SELECT (l.load_id << 32) + s.id + 1 AS record_id, NULL AS parent_id,
                   s.* EXCLUDE (id, y), l.load_id,
                   concat('annex_a_', s.y, '.xlsx') AS source_file, {lineage}
            FROM ({sql}) s JOIN annex_load l USING (y)"""
        )

    # --- the load records ---------------------------------------------------------------------
    con.executemany(
        "INSERT INTO sp_loads (load_id, kind, source, period, la, file_name, file_hash, "
        "file_bytes, status, loaded_at, records, quarantined, findings, seconds, tables) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, 0, 'loaded', TIMESTAMP '2025-05-01 09:00:00', 0, 0, 0, "
        "0, ?)",
        [
            [load_id, kind, source, str(year), la, file, f"national-{load_id}", tables]
            for load_id, kind, source, year, la, file, tables in loads.rows
        ],
    )
    filled = sorted({t for *_, tables in loads.rows for t in tables.split(",")})
    counts = " UNION ALL ".join(
        f"SELECT load_id, count(*) AS n FROM {t} GROUP BY load_id" for t in filled
    )
    x(
        f"""UPDATE sp_loads SET records = c.n
        FROM (SELECT load_id, sum(n) AS n FROM ({counts}) GROUP BY load_id) c
        WHERE sp_loads.load_id = c.load_id"""
    )
    return n


def _load_map(con: duckdb.DuckDBPyConnection, name: str, ids: dict[int, int]) -> None:
    rows = ", ".join(f"({y}, {load_id})" for y, load_id in ids.items())
    con.execute(
        f"CREATE TEMP TABLE {name} AS SELECT y::INTEGER AS y, load_id::BIGINT AS load_id "
        f"FROM (VALUES {rows}) t(y, load_id)"
    )


if __name__ == "__main__":
    import json
    import sys

    target = Path(sys.argv[1] if len(sys.argv) > 1 else "national.duckdb")
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    print(json.dumps(build(target, size), indent=2))
