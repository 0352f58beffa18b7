"""Validating a year's CIN census and SSDA903 set for 100,000 children with the full rule
sets (issue 12: at most 60 CPU-seconds), beside the field's validators on the same files
where their environment is installed (``make agreement`` makes it).

CPU time is the process's and its threads' (DuckDB runs rules on every core), read from
``getrusage``; the validators run out of process, so theirs is their child's. They are given
``SAFEPLAN_BENCH_VALIDATORS_MINUTES`` (default 20) and recorded as not finished past it.

The full rule sets: SafePlan is given the synthetic world's reference lists (its postcodes
and providers, with its council's area code) and last year's 903 return (``last_year``: read
and staged as ``_last``, not checked itself), so the place, provider and continuity rules
run too; the figures record what was not run, which should be only the files the synthetic
return has none of. The validators bring their own ONS postcode package, in which no
synthetic postcode is (their place rules flag every placement: docs/data.md).
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from safeplan.ingest.findings import FileRefused
from safeplan.ingest.pipeline import check_batch
from safeplan.ingest.presubmission import RUNNER
from safeplan.ingest.reference import References
from safeplan.synth import SYNTHETIC_AREA, generate

YEAR = 2025


def _cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def references(out: Path) -> References:
    """The synthetic world's lists, as `safeplan synth` writes them, and its council."""
    lists = out / "reference"
    return References(lists / "postcodes.csv", lists / "providers.csv", SYNTHETIC_AREA)


def ours(paths: list[Path], refs: References, last_year: Sequence[Path] = ()) -> dict[str, object]:
    """SafePlan's check of each file (read, stage, every rule), wall and CPU: the reading
    of the reference lists and of last year's return included."""
    wall, cpu = time.perf_counter(), _cpu_self()
    findings: Counter[str] = Counter()
    not_run: set[str] = set()
    staged_last = ""
    batch = check_batch(paths, str(YEAR), last_year, refs)  # a 903 return checked as a set
    for _path, checked in batch:
        if isinstance(checked, FileRefused):
            findings[checked.finding.rule] += 1
            continue
        findings.update(f.rule for f in checked.findings)
        not_run.update(n.split(":")[0] for n in checked.not_run)
        staged_last = staged_last or checked.last_year
        checked.close()
    figures: dict[str, object] = {
        "wall_seconds": round(time.perf_counter() - wall, 2),
        "cpu_seconds": round(_cpu_self() - cpu, 2),
        "findings": findings.total(),
        "findings_by_rule": dict(sorted(findings.items())),
        "rules_not_run": sorted(not_run),
    }
    if last_year:  # what was staged, without the temporary folder's name
        figures["last_year"] = re.sub(r", from [^:]*:", ":", staged_last)
    return figures


def theirs(python: Path, kind: str, path: Path, minutes: float) -> dict[str, object]:
    """One validator over the same file (or folder), out of process."""
    wall, cpu = time.perf_counter(), _cpu_children()
    try:
        subprocess.run(  # noqa: S603 (our own script, in the validators' environment)
            [str(python), str(RUNNER), kind, str(path), str(YEAR)],
            check=True,
            capture_output=True,
            timeout=60 * minutes,
        )
    except subprocess.TimeoutExpired:
        return {"finished": False, "gave_up_after_minutes": minutes}
    return {
        "finished": True,
        "wall_seconds": round(time.perf_counter() - wall, 2),
        "cpu_seconds": round(_cpu_children() - cpu, 2),
    }


def bench_validation(children: int | None = None) -> dict[str, object]:
    children = children or int(os.environ.get("SAFEPLAN_BENCH_CHILDREN", "100000"))
    minutes = float(os.environ.get("SAFEPLAN_BENCH_VALIDATORS_MINUTES", "20"))
    validators = Path(os.environ.get("SAFEPLAN_VALIDATORS_PYTHON", ".venv-validators/bin/python"))
    figures: dict[str, object] = {
        "children": children,
        "year": YEAR,
        "cores": os.cpu_count() or 1,
        "load_average_at_start": round(os.getloadavg()[0], 2),
    }
    with tempfile.TemporaryDirectory(prefix="safeplan-validation-") as tmp:
        out = Path(tmp) / "data"
        generate(out, children, 2, seed=2026, end_year=YEAR)  # and last year's return
        refs = references(out)
        cin = out / "cin_census" / f"cin_census_{YEAR}.xml"
        folder = out / "ssda903" / str(YEAR)
        last = sorted((out / "ssda903" / str(YEAR - 1)).glob("*.csv"))
        figures["cin_census"] = ours([cin], refs)
        figures["ssda903"] = ours(sorted(folder.glob("*.csv")), refs, last)
        if validators.exists():
            figures["validators_cin"] = theirs(validators, "cin", cin, minutes)
            figures["validators_903"] = theirs(validators, "903", folder, minutes)
        else:
            figures["validators"] = f"not installed at {validators} (make agreement)"
    figures["load_average_at_end"] = round(os.getloadavg()[0], 2)
    return figures
