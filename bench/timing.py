"""Wall and CPU time of a step, and the process's peak memory.

CPU time is what the step cost the machine, whatever its wall time says: DuckDB runs a query
on a thread per core, so a query can use twice its wall time on 2 cores, and on a loaded
machine the wall time grows while the CPU time does not. `resource.getrusage` counts every
thread of this process (RUSAGE_SELF: DuckDB's workers are threads) and any waited-for child
processes (RUSAGE_CHILDREN); `time.process_time` would miss the children.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


def cpu_seconds() -> float:
    """User and system CPU so far, of every thread of this process and of its children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peak_rss_mb() -> float:
    """The process's peak resident memory so far (Linux reports kilobytes)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


@dataclass
class Span:
    """A step's wall and CPU seconds (filled in when its `timed` block ends)."""

    wall: float = 0.0
    cpu: float = 0.0

    def __add__(self, other: Span) -> Span:
        return Span(self.wall + other.wall, self.cpu + other.cpu)

    def figures(self) -> dict[str, float]:
        return {"wall_seconds": round(self.wall, 2), "cpu_seconds": round(self.cpu, 2)}


@contextmanager
def timed() -> Iterator[Span]:
    """Time the block: `with timed() as span: ...`, then `span.wall`, `span.cpu`."""
    span = Span()
    wall, cpu = time.perf_counter(), cpu_seconds()
    try:
        yield span
    finally:
        span.wall, span.cpu = time.perf_counter() - wall, cpu_seconds() - cpu
