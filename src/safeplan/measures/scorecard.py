"""A plan's scorecard: each priority's key measures with value, target, RAG, SPC, change and
benchmarks, for one period."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from safeplan.measures.benchmarks import Benchmark, BenchmarkSet
from safeplan.measures.catalogue import catalogue
from safeplan.measures.data import Source
from safeplan.measures.engine import Result, compute
from safeplan.measures.judgement import Change, rag, target_for
from safeplan.measures.model import Measure
from safeplan.measures.periods import Period
from safeplan.measures.spc import SpcResult, xmr
from safeplan.plans.model import MeasureRef, Plan, Priority

HISTORY = 12  # periods of history behind each SPC chart


@dataclass(frozen=True)
class Line:
    priority: Priority
    ref: MeasureRef
    measure: Measure | None
    result: Result | None
    target: float | None
    rag: str
    change: Change
    spc: SpcResult | None
    benchmarks: tuple[Benchmark, ...]
    history: tuple[Result, ...] = ()  # the totals behind the SPC chart, oldest first

    @property
    def value(self) -> float | None:
        return self.result.value if self.result else None


def plan_measures(plan: Plan) -> list[Measure]:
    known = catalogue()
    return [known[r.measure] for _, r in plan.measure_refs() if r.measure in known]


def scorecard(
    source: Source,
    plan: Plan,
    period: Period,
    benchmarks: BenchmarkSet | None = None,
    la_code: str = "",
    history: int = HISTORY,
) -> list[Line]:
    known = catalogue()
    periods = period.series(max(history, 5))
    extra = [period.year_earlier()] if period.year_earlier() not in periods else []
    all_periods: Sequence[Period] = sorted({*periods, *extra})
    results = compute(source, plan_measures(plan), all_periods)
    totals = {(r.measure, r.period): r for r in results if r.breakdown == "total"}
    lines = []
    for priority, ref in plan.measure_refs():
        measure = known.get(ref.measure or "")
        if measure is None:
            lines.append(Line(priority, ref, None, None, None, "", Change(None, None), None, ()))
            continue
        now = totals.get((measure.id, period.label))
        value = now.value if now else None
        target = target_for(ref, period)

        def value_at(p: Period, measure_id: str = measure.id) -> float | None:
            r = totals.get((measure_id, p.label))
            return r.value if r else None

        series = [(p.label, value_at(p)) for p in periods]
        spc = xmr(series, ref.direction.value, target=target, decimals=measure.decimals)
        change = Change.between(value, value_at(period.previous()), value_at(period.year_earlier()))
        marks = tuple(benchmarks.for_measure(measure.id, la_code)) if benchmarks else ()
        lines.append(
            Line(
                priority,
                ref,
                measure,
                now,
                target,
                rag(value, target, ref.direction, decimals=measure.decimals),
                change,
                spc,
                marks,
                tuple(r for p in periods if (r := totals.get((measure.id, p.label))) is not None),
            )
        )
    return lines


def exceptions_first(lines: list[Line]) -> list[Line]:
    """Special-cause variation and off-target measures first, as boards read them."""

    def rank(line: Line) -> int:
        concerning = line.spc is not None and line.spc.variation == "special_cause_concerning"
        return 0 if concerning or line.rag == "red" else 1 if line.rag == "amber" else 2

    return sorted(lines, key=rank)
