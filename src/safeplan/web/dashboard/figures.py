"""The partners' figures: a plan's scorecard for a quarter, and one measure in depth (its
history with SPC, every breakdown, and the data behind it). Partners see the figures as
computed, without small-number suppression: the dashboard is for the partnership's own
staff, and the public pages and public reports are the suppressed ones.

Computed once per plan × quarter per load of the store (``storecache``).
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import ibis

from safeplan.config import settings
from safeplan.measures.benchmarks import Benchmark, BenchmarkSet, load_benchmarks
from safeplan.measures.catalogue import catalogue
from safeplan.measures.data import BREAKDOWNS, Source
from safeplan.measures.engine import Result, compute
from safeplan.measures.judgement import target_for
from safeplan.measures.model import Measure
from safeplan.measures.periods import Period
from safeplan.measures.periods import parse as parse_period
from safeplan.measures.scorecard import HISTORY, Line, exceptions_first, scorecard
from safeplan.measures.spc import SpcResult, xmr
from safeplan.plans.model import MeasureRef, Plan
from safeplan.store.schema import current_name
from safeplan.web.storecache import Computed, from_store

QUARTERS_OFFERED = 12  # the quarters a user may choose, up to the latest the store covers


def quarters(latest: Period) -> list[Period]:
    """The quarters offered in the period picker, newest first."""
    return list(reversed(latest.series(QUARTERS_OFFERED)))


def chosen_quarter(label: str | None, latest: Period) -> Period:
    """The quarter asked for, if it is one offered; otherwise the latest."""
    if label:
        try:
            wanted = parse_period(label)
        except ValueError:
            return latest
        if wanted in quarters(latest):
            return wanted
    return latest


@functools.cache
def _benchmarks(folder: Path, stamp: float) -> BenchmarkSet | None:
    return load_benchmarks([folder])


def benchmarks() -> BenchmarkSet | None:
    """DfE's published figures from SAFEPLAN_BENCHMARKS, read again when the folder changes."""
    folder = settings().benchmarks_dir
    if not folder.is_dir():
        return None
    stamp = max([folder.stat().st_mtime, *(p.stat().st_mtime for p in folder.glob("*.csv"))])
    return _benchmarks(folder, stamp)


def version(plan: Plan) -> str:
    """A digest of the plan as it is now: an edited target must not be served from before."""
    return hashlib.sha256(plan.model_dump_json().encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Scorecard:
    period: Period
    lines: list[Line]  # exceptions first


def plan_scorecard(plan: Plan, label: str | None) -> Computed[Scorecard]:
    """The plan's scorecard for the quarter asked for (default: the latest in the store)."""
    marks = benchmarks()
    la = settings().la_code

    def run(source: Source, latest: Period) -> Scorecard:
        period = chosen_quarter(label, latest)
        return Scorecard(period, exceptions_first(scorecard(source, plan, period, marks, la)))

    return from_store(("scorecard", plan.id, version(plan), label or "", la, id(marks)), run)


@dataclass(frozen=True)
class SourceCount:
    """A table the measure reads: the files loaded into it and the records it holds now."""

    table: str
    files: int
    latest_period: str
    last_loaded: datetime | None
    records: int


@dataclass(frozen=True)
class MeasureDetail:
    period: Period
    history: list[Result]  # totals, oldest first, HISTORY quarters to `period`
    spc: SpcResult
    target: float | None
    breakdowns: dict[str, list[Result]]  # breakdown → groups in `period`
    sources: list[SourceCount]
    benchmarks: tuple[Benchmark, ...]

    @property
    def now(self) -> Result | None:
        return next((r for r in self.history if r.period == self.period.label), None)


def _source_counts(source: Source, measure: Measure) -> list[SourceCount]:
    if not source.has("sp_loads"):
        return []
    loads = source.table("sp_loads")
    out = []
    for table in measure.sources:
        if not source.has(table):
            out.append(SourceCount(table, 0, "", None, 0))
            continue
        feeding = loads.filter(
            (loads.status == "loaded") & loads.tables.contains(ibis.literal(table))
        )
        row = (
            feeding.aggregate(
                files=feeding.count(),
                period=feeding.period.max(),
                loaded=feeding.loaded_at.max(),
            )
            .to_pyarrow()
            .to_pylist()[0]
        )
        current = current_name(table) if source.has(current_name(table)) else table
        records = int(source.table(current).count().to_pyarrow().as_py())
        out.append(
            SourceCount(
                table, int(row["files"] or 0), str(row["period"] or ""), row["loaded"], records
            )
        )
    return out


def measure_detail(
    plan: Plan, ref: MeasureRef, measure: Measure, label: str | None
) -> Computed[MeasureDetail]:
    """One measure over the last HISTORY quarters to the one asked for, with breakdowns."""
    marks = benchmarks()
    la = settings().la_code

    def run(source: Source, latest: Period) -> MeasureDetail:
        period = chosen_quarter(label, latest)
        periods = period.series(HISTORY)
        results = compute(source, [measure], periods, BREAKDOWNS)
        history = [r for r in results if r.breakdown == "total"]
        target = target_for(ref, period)
        spc = xmr(
            [(r.period, r.value) for r in history],
            ref.direction.value,
            target=target,
            decimals=measure.decimals,
        )
        groups: dict[str, list[Result]] = {b: [] for b in BREAKDOWNS}
        for r in results:
            if r.breakdown in groups and r.period == period.label:
                groups[r.breakdown].append(r)
        return MeasureDetail(
            period,
            history,
            spc,
            target,
            {b: sorted(rs, key=lambda r: r.group) for b, rs in groups.items()},
            _source_counts(source, measure),
            tuple(marks.for_measure(measure.id, la)) if marks else (),
        )

    key = ("measure", plan.id, version(plan), measure.id, label or "", la, id(marks))
    return from_store(key, run)


def find_measure(plan: Plan, measure_id: str) -> tuple[MeasureRef, Measure] | None:
    """The plan's key measure with this catalogue id, with its definition."""
    known = catalogue()
    for _, ref in plan.measure_refs():
        if ref.measure == measure_id and measure_id in known:
            return ref, known[measure_id]
    return None


def latest_quarter() -> Period | None:
    """The latest quarter the store covers (None with nothing loaded)."""
    return from_store(("latest",), lambda _source, latest: latest).value
