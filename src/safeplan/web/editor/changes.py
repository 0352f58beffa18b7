"""What changed between two versions of a plan: a one-line summary for people, and the unified
diff of the canonical YAML for the history page.

The summary compares the plans as data, not as text, so it can name what changed in the
plan's own terms ("Target for cpp_18m_plus 2024-25: 20 → 15") whatever the YAML lines did.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from safeplan.plans.model import MeasureRef, Plan, Priority

SHOWN_CHANGES = 3  # a summary names this many changes, then counts the rest
SHORT_TEXT = 40  # text up to this long is quoted in a summary; longer is "changed"
DIFF_CONTEXT = 2
MAX_DIFF_LINES = 400


def number(value: float | None) -> str:
    """20.0 → "20", 12.5 → "12.5", 1500.0 → "1,500", None → "none"."""
    return "none" if value is None else format(value, ",.10g")


def summary(old: Plan | None, new: Plan, limit: int = 500) -> str:
    """One line saying what changed from ``old`` to ``new`` (``old`` None: a new plan)."""
    if old is None:
        return f"Plan '{new.id}' created"
    found = list(changes(old, new))
    if not found:
        return "No change"
    text = "; ".join(found[:SHOWN_CHANGES])
    if len(found) > SHOWN_CHANGES:
        more = len(found) - SHOWN_CHANGES
        text += f"; and {more} more {'change' if more == 1 else 'changes'}"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def changes(old: Plan, new: Plan) -> Iterator[str]:
    """Each change from ``old`` to ``new``, plan first, then priorities in order, then the rest."""
    yield from _text("Title", old.title, new.title)
    yield from _text("Vision", old.vision, new.vision)
    yield from _text("Summary", old.summary, new.summary)
    if old.status != new.status:
        yield f"Status: {old.status.value} → {new.status.value}"
    if old.period != new.period:
        yield f"Period: {old.period} → {new.period}"
    if old.partnership != new.partnership:
        yield "Partnership details changed"
    if old.supersedes != new.supersedes:
        yield f"Supersedes: {old.supersedes or 'none'} → {new.supersedes or 'none'}"
    before = {p.id: p for p in old.priorities}
    after = {p.id: p for p in new.priorities}
    for priority in new.priorities:
        if priority.id not in before:
            yield f"Priority '{priority.id}' added"
        else:
            yield from _priority(before[priority.id], priority)
    for priority in old.priorities:
        if priority.id not in after:
            yield f"Priority '{priority.id}' removed"
    kept_order = [p for p in before if p in after]
    if kept_order != [p for p in after if p in before]:
        yield "Priorities reordered"
    yield from _listed("Enabler", [e.title for e in old.enablers], [e.title for e in new.enablers])
    if [e.title for e in old.enablers] == [e.title for e in new.enablers]:
        for a, b in zip(old.enablers, new.enablers, strict=True):
            if a != b:
                yield f"Enabler '{b.title}' changed"
    if old.strategies != new.strategies:
        yield "Linked strategies changed"
    if old.sources != new.sources:
        yield "Sources changed"
    if old.notes != new.notes:
        yield "Notes changed"


def _text(label: str, old: str | None, new: str | None) -> Iterator[str]:
    if old == new:
        return
    if old is None:
        yield f"{label} added"
    elif new is None:
        yield f"{label} removed"
    elif len(old) <= SHORT_TEXT and len(new) <= SHORT_TEXT:
        yield f"{label}: '{old}' → '{new}'"
    else:
        yield f"{label} changed"


def _listed(kind: str, old: list[str], new: list[str]) -> Iterator[str]:
    for name in new:
        if name not in old:
            yield f"{kind} '{name}' added"
    for name in old:
        if name not in new:
            yield f"{kind} '{name}' removed"


def _priority(old: Priority, new: Priority) -> Iterator[str]:
    where = f"Priority '{new.id}'"
    yield from _text(f"{where}: title", old.title, new.title)
    yield from _text(f"{where}: aim", old.aim, new.aim)
    yield from _text(f"{where}: description", old.description, new.description)
    for field in ("commitments", "focus_areas", "interventions", "strategies"):
        if getattr(old, field) != getattr(new, field):
            yield f"{where}: {field.replace('_', ' ')} changed"
    before = {_key(m): m for m in old.measures}
    after = {_key(m): m for m in new.measures}
    for key, ref in after.items():
        if key not in before:
            yield f"Key measure {key} added to '{new.id}'"
        else:
            yield from _measure(key, before[key], ref)
    for key in before:
        if key not in after:
            yield f"Key measure {key} removed from '{new.id}'"


def _key(ref: MeasureRef) -> str:
    """How a summary names a key measure: its catalogue id, or its wording when it has none."""
    if ref.measure:
        return ref.measure
    short = ref.wording if len(ref.wording) <= SHORT_TEXT else ref.wording[:SHORT_TEXT] + "…"
    return f"'{short}'"


def _measure(key: str, old: MeasureRef, new: MeasureRef) -> Iterator[str]:
    if old.wording != new.wording:
        yield f"Wording of {key} changed"
    if old.direction != new.direction:
        yield f"Direction of {key}: {old.direction.value} → {new.direction.value}"
    if old.status != new.status:
        yield f"Status of {key}: {old.status.value} → {new.status.value}"
    before = {t.year: t.value for t in old.targets}
    after = {t.year: t.value for t in new.targets}
    for year in sorted(before.keys() | after.keys()):
        if before.get(year) != after.get(year):
            yield f"Target for {key} {year}: {number(before.get(year))} → {number(after.get(year))}"


@dataclass(frozen=True)
class DiffLine:
    kind: Literal["file", "hunk", "added", "removed", "same"]
    text: str


def diff(old: str, new: str, old_name: str, new_name: str) -> list[DiffLine]:
    """The unified diff from one version's YAML to another's, each line with its kind (the
    page marks added and removed lines in words and colour, not colour alone)."""
    lines = difflib.unified_diff(
        old.splitlines(), new.splitlines(), old_name, new_name, n=DIFF_CONTEXT, lineterm=""
    )
    out = []
    for line in lines:
        if line.startswith(("---", "+++")):
            out.append(DiffLine("file", line))
        elif line.startswith("@@"):
            out.append(DiffLine("hunk", line))
        elif line.startswith("+"):
            out.append(DiffLine("added", line))
        elif line.startswith("-"):
            out.append(DiffLine("removed", line))
        else:
            out.append(DiffLine("same", line))
        if len(out) >= MAX_DIFF_LINES:
            out.append(DiffLine("hunk", "(the rest of the diff is not shown: export the YAML)"))
            break
    return out
