"""Run every benchmark and record its figures in bench/results/ (one JSON file each)."""

from __future__ import annotations

import json
import os
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

from bench import pandas_baseline
from bench.timing import Span, peak_rss_mb, timed
from safeplan.measures.data import BREAKDOWNS, Source
from safeplan.measures.engine import Result, compute
from safeplan.measures.model import Measure
from safeplan.measures.periods import Period, parse
from safeplan.measures.scorecard import plan_measures, scorecard
from safeplan.plans import library
from safeplan.plans.model import Plan
from safeplan.plans.yamlio import dump_plan, parse_plan
from safeplan.store.db import connect
from safeplan.store.load import load_files
from safeplan.synth import generate

RESULTS = Path(__file__).with_name("results")


def bench_plans_round_trip(repeat: int = 200) -> dict[str, float]:
    """Load, validate and dump every bundled plan: the cost of a plan edit round trip."""
    texts = [p.read_text(encoding="utf-8") for p in library.bundled_paths()]
    start = time.perf_counter()
    for _ in range(repeat):
        for text in texts:
            dump_plan(parse_plan(text))
    elapsed = time.perf_counter() - start
    return {
        "plans": len(texts),
        "repeat": repeat,
        "ms_per_plan": 1000 * elapsed / (repeat * len(texts)),
    }


def bench_ingest(children: int | None = None, years: int = 5) -> dict[str, float]:
    """Synthesise a partnership, then validate and load it source by source (issue 3's aim:
    100,000 children over 5 years loaded in under 60 seconds on 2 cores)."""
    children = children or int(os.environ.get("SAFEPLAN_BENCH_CHILDREN", "100000"))
    figures: dict[str, float] = {"children": children, "years": years, "cores": os.cpu_count() or 1}
    with tempfile.TemporaryDirectory(prefix="safeplan-bench-") as tmp:
        out = Path(tmp) / "data"
        start = time.perf_counter()
        generate(out, children, years, seed=2026)
        figures["synth_seconds"] = round(time.perf_counter() - start, 2)
        files = sorted(
            p
            for p in out.rglob("*")
            if p.suffix in (".xml", ".csv", ".xlsx") and p.parent.name != "reference"
        )
        groups: dict[str, list[Path]] = {}
        for path in files:
            groups.setdefault(path.relative_to(out).parts[0], []).append(path)
        total = 0.0
        with connect(str(Path(tmp) / "store.duckdb")) as store:
            for source, paths in sorted(groups.items()):
                start = time.perf_counter()
                refused = load_files(store, paths, None, b"bench-key", lambda _p, _o: None)
                seconds = time.perf_counter() - start
                total += seconds
                figures[f"{source}_files"] = len(paths)
                figures[f"{source}_seconds"] = round(seconds, 2)
                figures[f"{source}_refused"] = refused
            figures["records_stored"] = int(store.query("SELECT sum(records) FROM sp_loads")[0][0])
        figures["load_seconds"] = round(total, 2)
        figures["children_per_second"] = round(children / total)
        figures["peak_rss_workers_mb"] = round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1
        )
    return figures


BASELINE_MEASURES = ("rereferrals_12m", "cpp_neglect", "missing_more_than_once")


def bench_scorecard(children: int | None = None) -> dict[str, object]:
    """Issue 4: the whole scorecard of the three bundled plans, 12 quarters, every breakdown,
    over a national-scale store of 1,000,000 children with records (a notional population
    about five times larger); beside it, three of its measures in vectorised pandas over the
    same tables. Each figure is wall and CPU time (DuckDB uses both cores), and the scorecard
    is stated cold (the current tables built, then a first compute on a fresh connection) and
    warm (a second compute on that connection)."""
    from bench.national import build

    children = children or int(os.environ.get("SAFEPLAN_BENCH_NATIONAL", "1000000"))
    plans = [parse_plan(p.read_text(encoding="utf-8")) for p in library.bundled_paths()]
    measures: dict[str, Measure] = {}
    for plan in plans:
        measures.update((m.id, m) for m in plan_measures(plan))
    end = parse("2025-Q1")
    periods = end.series(12)
    figures: dict[str, object] = {
        "cores": os.cpu_count() or 1,
        "load_average_at_start": _load(),  # other work on the machine
        "periods": len(periods),
        "measures": len(measures),
        "breakdowns": list(BREAKDOWNS),
    }
    with tempfile.TemporaryDirectory(prefix="safeplan-national-") as tmp:
        path = Path(tmp) / "national.duckdb"
        built = build(path, children)
        figures.update({k: v for k, v in built.items() if not k.startswith("rows_")})
        figures["store_rows"] = {
            k.removeprefix("rows_"): v for k, v in built.items() if k.startswith("rows_")
        }
        figures["peak_rss_after_build_mb"] = peak_rss_mb()
        current = Span(built["current_tables_wall_seconds"], built["current_tables_cpu_seconds"])
        figures.update(_cold_and_warm(path, list(measures.values()), periods, current))
        figures["peak_rss_after_scorecard_mb"] = peak_rss_mb()
        figures.update(_plan_scorecards(path, plans, end))
        figures.update(_against_pandas(path, [measures[m] for m in BASELINE_MEASURES], periods))
        figures["peak_rss_after_pandas_mb"] = peak_rss_mb()
    figures["load_average_at_end"] = _load()
    return figures


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def _cold_and_warm(
    path: Path, measures: list[Measure], periods: list[Period], current: Span
) -> dict[str, object]:
    """The whole scorecard (every measure, period and breakdown): cold, from the current
    tables' build (`current`) and a first compute on a fresh connection, then warm, computed
    again on that connection. Both must give the same figures."""
    source = Source.connect(str(path))
    cold_timings: dict[str, float] = {}
    with timed() as first:
        cold = compute(source, measures, periods, BREAKDOWNS, cold_timings)
    warm_timings: dict[str, float] = {}
    with timed() as second:
        warm = compute(source, measures, periods, BREAKDOWNS, warm_timings)
    assert warm == cold
    return {
        "rows_produced": len(cold),
        "scorecard_cold": {
            **(current + first).figures(),
            "current_tables": current.figures(),
            "first_compute": first.figures(),
        },
        "scorecard_warm": second.figures(),
        "per_measure_seconds_cold": {k: round(v, 3) for k, v in cold_timings.items()},
        "per_measure_seconds_warm": {k: round(v, 3) for k, v in warm_timings.items()},
    }


def _plan_scorecards(path: Path, plans: list[Plan], end: Period) -> dict[str, object]:
    """The three plans' scorecard() calls (totals, 12 quarters of SPC history), one fresh
    connection for the three."""
    source = Source.connect(str(path))
    per_plan: dict[str, float] = {}
    with timed() as all_three:
        for plan in plans:
            with timed() as one:
                scorecard(source, plan, end)
            per_plan[plan.id] = round(one.wall, 2)
    return {"plan_scorecards": all_three.figures(), "plan_scorecard_wall_seconds": per_plan}


def _against_pandas(path: Path, three: list[Measure], periods: list[Period]) -> dict[str, object]:
    """The same three measures: the engine on a fresh connection (reading the store), then
    again on it (warm), against pandas reading the same tables once, then computing."""
    source = Source.connect(str(path))
    with timed() as engine_cold:
        engine = compute(source, three, periods, BREAKDOWNS)
    with timed() as engine_warm:
        compute(source, three, periods, BREAKDOWNS)
    with timed() as read:
        tables = pandas_baseline.read(path)
    with timed() as work:
        pandas = pandas_baseline.compute(tables, periods)
    _same(engine, pandas)
    return {
        "engine_three_measures_cold": engine_cold.figures(),
        "engine_three_measures_warm": engine_warm.figures(),
        "pandas_read": {**read.figures(), "rows": tables.rows},
        "pandas_compute": work.figures(),
        "pandas_read_and_compute": (read + work).figures(),
        # pandas' read and compute against the engine's cold run (which reads the store), and
        # pandas' compute alone (its tables already in memory) against the engine's warm run
        "speedup_vs_pandas_cold": round((read.wall + work.wall) / engine_cold.wall, 1),
        "speedup_vs_pandas_warm": round(work.wall / engine_warm.wall, 1),
        "cpu_ratio_vs_pandas_cold": round((read.cpu + work.cpu) / engine_cold.cpu, 1),
        "cpu_ratio_vs_pandas_warm": round(work.cpu / engine_warm.cpu, 1),
        "baseline_figures_checked": len(pandas),
    }


def _same(engine: list[Result], pandas: pandas_baseline.Figures) -> None:
    """The pandas baseline must give the engine's figures, group by group."""
    got = {
        (r.measure, r.period, r.breakdown, r.group): (r.numerator, r.denominator) for r in engine
    }
    assert set(got) == set(pandas), sorted(set(got) ^ set(pandas))[:10]
    for key, (num, den) in pandas.items():
        e_num, e_den = got[key]
        assert e_num == num and e_den == den, (key, (e_num, e_den), (num, den))


def bench_dashboard() -> Mapping[str, object]:
    """The partners' dashboard pages under gunicorn, 20 concurrent signed-in clients, over a
    100,000-child store (bench/dashboard.py)."""
    from bench.dashboard import bench_dashboard as run

    return run()


def bench_report() -> Mapping[str, object]:
    """The board report PDF (and HTML, Excel) for the largest bundled plan over a
    100,000-child store (bench/report.py)."""
    from bench.report import bench_report as run

    return run()


def bench_validation() -> Mapping[str, object]:
    """A 100,000-child CIN census and SSDA903 set through every DfE rule, beside the
    field's validators where installed (bench/validation.py)."""
    from bench.validation import bench_validation as run

    return run()


BENCHMARKS: dict[str, Callable[[], Mapping[str, object]]] = {
    "plans_round_trip": bench_plans_round_trip,
    "ingest": bench_ingest,
    "scorecard": bench_scorecard,
    "dashboard": bench_dashboard,
    "report": bench_report,
    "validation": bench_validation,
}


def main() -> None:
    RESULTS.mkdir(exist_ok=True)
    only = sys.argv[1:]
    for name, bench in BENCHMARKS.items():
        if only and name not in only:
            continue
        figures = bench()
        record = {
            "benchmark": name,
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": f"{platform.machine()} {platform.python_version()}",
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            **figures,
        }
        (RESULTS / f"{name}.json").write_text(json.dumps(record, indent=2) + "\n")
        print(json.dumps(record))


if __name__ == "__main__":
    main()
