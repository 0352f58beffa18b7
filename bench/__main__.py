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

from safeplan.measures.data import BREAKDOWNS, Source
from safeplan.measures.engine import Result, compute
from safeplan.measures.model import Measure
from safeplan.measures.periods import parse
from safeplan.measures.scorecard import plan_measures, scorecard
from safeplan.plans import library
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
        files = sorted(p for p in out.rglob("*") if p.suffix in (".xml", ".csv", ".xlsx"))
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


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def bench_scorecard(children: int | None = None) -> dict[str, object]:
    """Issue 4: the whole scorecard of the three bundled plans, 12 quarters, every breakdown,
    over a national-scale pool (1,000,000 children); beside it, a plain pandas version of three
    of its measures (aim: the scorecard in under 10 seconds, at least 20 times faster than
    pandas on the same measures)."""
    from bench.national import build
    from bench.pandas_baseline import baseline

    children = children or int(os.environ.get("SAFEPLAN_BENCH_NATIONAL", "1000000"))
    plans = [parse_plan(p.read_text(encoding="utf-8")) for p in library.bundled_paths()]
    measures: dict[str, Measure] = {}
    for plan in plans:
        measures.update((m.id, m) for m in plan_measures(plan))
    end = parse("2025-Q1")
    periods = end.series(12)
    figures: dict[str, object] = {
        "cores": os.cpu_count() or 1,
        "load_average_at_start": round(os.getloadavg()[0], 2),  # other work on the machine
        "periods": len(periods),
    }
    with tempfile.TemporaryDirectory(prefix="safeplan-national-") as tmp:
        path = Path(tmp) / "national.duckdb"
        built = build(path, children)
        figures["children"] = children
        figures["build_seconds"] = built["build_seconds"]
        figures["current_tables_seconds"] = built["current_tables_seconds"]  # of the build
        figures["store_rows"] = {
            k.removeprefix("rows_"): v for k, v in built.items() if k.startswith("rows_")
        }
        figures["rss_after_build_mb"] = _rss_mb()

        # the whole scorecard: every measure of the three plans, 12 quarters, every breakdown
        timings: dict[str, float] = {}
        start = time.perf_counter()
        results = compute(
            Source.connect(str(path)), measures.values(), periods, BREAKDOWNS, timings
        )
        figures["scorecard_seconds"] = round(time.perf_counter() - start, 2)
        figures["measures"] = len(measures)
        figures["breakdowns"] = list(BREAKDOWNS)
        figures["rows_produced"] = len(results)
        figures["per_measure_seconds"] = {k: round(v, 3) for k, v in timings.items()}
        figures["peak_rss_after_scorecard_mb"] = _rss_mb()

        # the three plans' scorecard() calls (totals, 12 quarters of SPC history)
        source = Source.connect(str(path))
        per_plan: dict[str, float] = {}
        start = time.perf_counter()
        for plan in plans:
            t = time.perf_counter()
            scorecard(source, plan, end)
            per_plan[plan.id] = round(time.perf_counter() - t, 2)
        figures["plan_scorecards_seconds"] = round(time.perf_counter() - start, 2)
        figures["plan_scorecard_seconds"] = per_plan

        # the same three measures: the engine (cold, a fresh connection) against pandas
        three = [measures[m] for m in BASELINE_MEASURES]
        start = time.perf_counter()
        engine_three = compute(Source.connect(str(path)), three, periods, BREAKDOWNS)
        engine_seconds = time.perf_counter() - start
        start = time.perf_counter()
        pandas_three = baseline(path, periods)
        pandas_seconds = time.perf_counter() - start
        _same(engine_three, pandas_three)
        figures["engine_three_measures_seconds"] = round(engine_seconds, 2)
        figures["pandas_three_measures_seconds"] = round(pandas_seconds, 2)
        figures["speedup_vs_pandas"] = round(pandas_seconds / engine_seconds, 1)
        figures["baseline_figures_checked"] = len(pandas_three)
        figures["load_average_at_end"] = round(os.getloadavg()[0], 2)
    return figures


def _same(
    engine: list[Result], pandas: dict[tuple[str, str, str, str], tuple[float, float | None]]
) -> None:
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


BENCHMARKS: dict[str, Callable[[], Mapping[str, object]]] = {
    "plans_round_trip": bench_plans_round_trip,
    "ingest": bench_ingest,
    "scorecard": bench_scorecard,
    "dashboard": bench_dashboard,
    "report": bench_report,
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
