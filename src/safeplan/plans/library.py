"""The plans SafePlan knows: the bundled seed plans plus those a partnership imports.

Imported plans are kept as canonical YAML files in ``$SAFEPLAN_HOME/plans`` (one file per
plan id, the id carrying the period), so a plan period is a versioned, diffable file.
"""

from __future__ import annotations

import difflib
import functools
import os
import tempfile
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from safeplan.config import settings
from safeplan.plans.model import Plan
from safeplan.plans.yamlio import dump_plan, load_plan

BUNDLED_DIR = Path(str(files("safeplan.plans") / "seeds"))


@dataclass(frozen=True)
class Entry:
    plan: Plan
    path: Path
    bundled: bool


class UnknownPlanError(LookupError):
    def __init__(self, plan_id: str, known: list[str]) -> None:
        hint = difflib.get_close_matches(plan_id, known, n=1, cutoff=0.4)
        more = f"; did you mean '{hint[0]}'?" if hint else ""
        super().__init__(f"no plan has the id '{plan_id}'{more} (see `safeplan plans list`)")


class PlanExistsError(FileExistsError):
    pass


def bundled_paths() -> list[Path]:
    return sorted(BUNDLED_DIR.glob("*.yaml"))


@functools.lru_cache(maxsize=256)
def _read(path: Path, stamp: tuple[int, int, int]) -> Plan:
    return load_plan(path)


def read(path: Path) -> Plan:
    """A plan file, parsed once per version of the file (every web page reads the plans, and
    YAML parsing dominated a page's time). Shared: callers change a copy, never the plan.

    The inode is part of the stamp because the file's time ticks coarsely (a few ms): two
    saves in one tick, 20 → 15 say, have the same time and size, but ``save`` renames a new
    file into place, so a new inode."""
    stat = path.stat()
    return _read(path, (stat.st_mtime_ns, stat.st_size, stat.st_ino))


def entries() -> list[Entry]:
    """Every known plan, bundled first; an imported plan with a bundled id takes its place."""
    found: dict[str, Entry] = {}
    for path in bundled_paths():
        plan = read(path)
        found[plan.id] = Entry(plan, path, bundled=True)
    user_dir = settings().plans_dir
    for path in sorted(user_dir.glob("*.yaml")) if user_dir.is_dir() else []:
        plan = read(path)
        found[plan.id] = Entry(plan, path, bundled=False)
    return sorted(found.values(), key=lambda e: (e.plan.partnership.area, e.plan.period.start))


def get(plan_id: str) -> Plan:
    known = entries()
    for entry in known:
        if entry.plan.id == plan_id:
            return entry.plan
    raise UnknownPlanError(plan_id, [e.plan.id for e in known])


def import_file(path: Path, *, replace: bool = False) -> Plan:
    """Validate a plan file and keep it; an existing id is replaced only when asked."""
    plan = load_plan(path)
    if not replace and any(e.plan.id == plan.id for e in entries()):
        raise PlanExistsError(
            f"a plan with the id '{plan.id}' already exists; use --replace to replace it"
        )
    save(plan)
    return plan


def save(plan: Plan) -> Path:
    """Write the plan's canonical YAML atomically (write to a temporary file, then rename)."""
    user_dir = settings().plans_dir
    user_dir.mkdir(parents=True, exist_ok=True)
    target = user_dir / f"{plan.id}.yaml"
    fd, tmp = tempfile.mkstemp(dir=user_dir, prefix=".import-", suffix=".yaml")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(dump_plan(plan))
    Path(tmp).replace(target)
    _read.cache_clear()  # this process reads the new file at once, however fast the next save
    return target
