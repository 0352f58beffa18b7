"""A pre-submission check beside the field's own DfE-rule validators.

Councils run data-to-insight's ``csc-validator-be-cin`` and ``csc-validator-be-903`` before
they submit a return. Where a council has them installed (they need Python 3.11 and pandas
1.x, so they live in an environment of their own, never SafePlan's), ``safeplan validate
--validators PYTHON`` runs them out of process over the same files and shows, rule by rule,
where the two tools disagree: a rule one flags and the other does not is worth a look before
the DfE's portal sees the return.
"""

from __future__ import annotations

import json
import subprocess
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from safeplan.ingest.findings import Finding

RUNNER = Path(__file__).with_name("validators_runner.py")
"""The script run by the validators' interpreter (it imports nothing of SafePlan)."""
KINDS = {"cin_census": "cin", "ssda903": "903"}


@dataclass(frozen=True)
class TheirRun:
    """What the validator found (rule code → the children it flags, "" for findings on no
    child), or why it could not run."""

    tool: str
    by_rule: dict[str, set[str]] = field(default_factory=dict)
    findings: int = 0
    cpu_seconds: float = 0.0
    error: str = ""


def run(python: Path, source: str, path: Path, year: int, minutes: float = 20) -> TheirRun:
    """Run the validator for ``source`` over ``path`` (a CIN census file, or the folder of a
    903 return) for the collection year, in the interpreter ``python``."""
    kind = KINDS[source]
    try:
        done = subprocess.run(  # noqa: S603 (SafePlan's own script, the council's interpreter)
            [str(python), str(RUNNER), kind, str(path), str(year)],
            capture_output=True,
            text=True,
            timeout=60 * minutes,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return TheirRun(kind, error=f"the validator could not run: {exc}")
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return TheirRun(kind, error=f"the validator stopped: {last}")
    found = json.loads(done.stdout.strip().splitlines()[-1])
    rules: dict[str, set[str]] = defaultdict(set)
    for f in found["findings"]:
        rules[str(f["rule"])].add(str(f.get("child") or ""))
    tool = str(found.get("tool", kind))
    return TheirRun(tool, dict(rules), len(found["findings"]), float(found["cpu_seconds"]))


def code(rule: str) -> str:
    """A SafePlan rule label as the validators name it: ``903 147`` → ``147``."""
    return rule.split(" ", 1)[1] if rule.startswith(("CIN ", "903 ")) else rule


def disagreements(ours: Iterable[Finding], theirs: TheirRun) -> list[tuple[str, int, int]]:
    """Each DfE rule the two tools flag for different children: (code, children only
    SafePlan flags, children only the validator flags), the most first. Children, not
    findings, since the validator reports a finding once per field it names. SafePlan's own
    field checks (``SP-...``) have no counterpart and are left out."""
    mine: dict[str, set[str]] = defaultdict(set)
    for f in ours:
        if f.rule.startswith(("CIN ", "903 ")):
            mine[code(f.rule)].add(f.child)
    out = []
    for rule in set(mine) | set(theirs.by_rule):
        a, b = mine.get(rule, set()), theirs.by_rule.get(rule, set())
        if a != b:
            out.append((rule, len(a - b), len(b - a)))
    return sorted(out, key=lambda t: (-(t[1] + t[2]), t[0]))
