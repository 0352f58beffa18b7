"""The board report for the largest bundled plan over a 100,000-child store (issue 7: "time
to produce the PDF"): building it (the scorecard, the charts) and writing each format, each
timed on its own. The store is the dashboard benchmark's, kept in bench/.cache/."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from bench.dashboard import cached_store
from safeplan.measures.data import Source
from safeplan.measures.periods import parse
from safeplan.plans import library
from safeplan.publish import report

END_QUARTER = "2025-Q1"  # the synthetic store's latest quarter


def largest_plan() -> str:
    """The bundled plan with the most key measures (then the most priorities)."""
    bundled = [e.plan for e in library.entries() if e.bundled]
    biggest = max(bundled, key=lambda p: (sum(1 for _ in p.measure_refs()), len(p.priorities)))
    return biggest.id


def bench_report() -> dict[str, object]:
    children = int(os.environ.get("SAFEPLAN_BENCH_CHILDREN", "100000"))
    store, info = cached_store(children, 5, 2026)
    plan = library.get(largest_plan())
    figures: dict[str, object] = {
        "children": children,
        "store": info,
        "plan": plan.id,
        "key_measures": sum(1 for _ in plan.measure_refs()),
        "priorities": len(plan.priorities),
        "quarter": END_QUARTER,
    }
    source = Source.connect(str(store))
    with tempfile.TemporaryDirectory(prefix="safeplan-report-") as tmp:
        for public in (False, True):
            kind = "public" if public else "partner"
            start = time.perf_counter()
            built = report.build(source, plan, parse(END_QUARTER), public=public)
            figures[f"{kind}_build_seconds"] = round(time.perf_counter() - start, 2)
            for fmt in report.FORMATS:
                start = time.perf_counter()
                out = report.write(built, fmt, Path(tmp) / f"report-{kind}.{fmt}")
                figures[f"{kind}_{fmt}_seconds"] = round(time.perf_counter() - start, 2)
                figures[f"{kind}_{fmt}_kb"] = round(out.stat().st_size / 1024, 1)
        partner_pdf = float(figures["partner_build_seconds"]) + float(  # type: ignore[arg-type]
            figures["partner_pdf_seconds"]  # type: ignore[arg-type]
        )
        figures["partner_pdf_total_seconds"] = round(partner_pdf, 2)
    source.con.disconnect()
    return figures
