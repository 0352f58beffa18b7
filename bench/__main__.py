"""Run every benchmark and record its figures in bench/results/ (one JSON file each)."""

from __future__ import annotations

import json
import os
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

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


BENCHMARKS: dict[str, Callable[[], dict[str, float]]] = {
    "plans_round_trip": bench_plans_round_trip,
    "ingest": bench_ingest,
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
