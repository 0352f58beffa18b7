"""Run every benchmark and record its figures in bench/results/ (one JSON file each)."""

from __future__ import annotations

import json
import platform
import resource
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from safeplan.plans import library
from safeplan.plans.yamlio import dump_plan, parse_plan

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


BENCHMARKS: dict[str, Callable[[], dict[str, float]]] = {
    "plans_round_trip": bench_plans_round_trip,
}


def main() -> None:
    RESULTS.mkdir(exist_ok=True)
    for name, bench in BENCHMARKS.items():
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
