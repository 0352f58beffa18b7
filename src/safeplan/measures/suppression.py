"""Small-number suppression for anything SafePlan publishes, following the DfE's practice.

Why: a count of 1 to 5 children in a group, or a count that can be worked out from a total and
the other groups, can identify a child. Public outputs go through ``protect`` first.

Sources:

- DfE, "Children in need" data guidance on Explore Education Statistics (2020, 2021 releases):
  "Any number between 1 and 5 inclusive has been suppressed and replaced by 'c'. Secondary
  suppression has been applied where necessary"; "0 indicates the original figure submitted was
  zero"; "England and regional totals are rounded to the nearest 10"; local authority figures
  are not rounded (SafePlan brief, ARCHITECTURE.md).
- DfE Analytical Services, analysts' guide, "Open data standards" > "Data symbols" (following the
  GSS guidance on symbols in tables): ``c`` confidential (suppressed), ``low`` rounds to 0 but is
  not 0, ``x`` unavailable, ``z`` not applicable, ``u`` low reliability. Only ``c`` and ``low``
  are produced here; the others are exposed for callers.

Rules as built (for each count, numerators and denominators separately):

1. Primary: a count from 1 to ``threshold`` is suppressed ("small"); 0 is always shown.
2. Secondary, within each breakdown (whose categories partition the total), repeated until
   nothing changes: if the total is suppressed, every non-zero category count is too; if the
   total is shown and exactly one category count is suppressed, the smallest shown non-zero
   count is suppressed as well ("secondary"; ties go to the category name, then input order).
   One addition to the brief: if every suppressed count in a breakdown would have to be 1 (their
   known sum equals how many there are, since a hidden count is never 0), another one is
   suppressed, because "c, c summing to 2" reveals two 1s.
3. The value (rate, percentage) of a cell is suppressed when its numerator or denominator is.
4. ``round_totals_to`` (10 for England and regional outputs, ``None`` for local authorities)
   rounds shown counts half up; a non-zero count that would show as 0 is given ``low`` instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

SUPPRESSED = "c"
"""DfE/GSS symbol for a confidential (suppressed) value."""
LOW = "low"
"""DfE/GSS symbol for a value that rounds to 0 but is not 0."""
NOT_AVAILABLE = "x"
NOT_APPLICABLE = "z"
LOW_RELIABILITY = "u"

TOTAL_BREAKDOWN = "total"
TOTAL_CATEGORY = "all"
DEFAULT_THRESHOLD = 5
NATIONAL_ROUNDING = 10
"""England and regional totals are rounded to the nearest 10 (DfE children in need releases)."""

Reason = Literal["", "small", "secondary"]


@dataclass(frozen=True)
class Cell:
    """One group's counts: ``breakdown`` "total" / ``category`` "all" for the overall cell."""

    breakdown: str
    category: str
    numerator: int | None
    denominator: int | None


@dataclass(frozen=True)
class Protected:
    """A cell as it may be published: shown counts are ``None`` where suppressed."""

    cell: Cell
    numerator_shown: int | None
    denominator_shown: int | None
    value_suppressed: bool
    reason: str
    symbol: str


def protect(
    cells: Sequence[Cell], threshold: int = DEFAULT_THRESHOLD, round_totals_to: int | None = None
) -> list[Protected]:
    """Apply primary and secondary suppression (and optional rounding) to one table of cells.

    The cells are one measure for one area and period: a "total" cell and any number of
    breakdowns, each of which partitions the total. Output order follows ``cells``.
    """
    if threshold < 0:
        raise ValueError("threshold must not be negative")
    if round_totals_to is not None and round_totals_to < 1:
        raise ValueError("round_totals_to must be a positive whole number")
    seen: set[tuple[str, str]] = set()
    for cell in cells:
        key = (cell.breakdown, cell.category)
        if key in seen:
            raise ValueError(f"duplicate cell {key}")
        seen.add(key)
        for count in (cell.numerator, cell.denominator):
            if count is not None and count < 0:
                raise ValueError(f"{key}: counts cannot be negative ({count})")
    totals = [i for i, cell in enumerate(cells) if cell.breakdown == TOTAL_BREAKDOWN]
    if len(totals) > 1:
        raise ValueError("a table has at most one total cell")
    total = totals[0] if totals else None

    groups: dict[str, list[int]] = {}
    for i, cell in enumerate(cells):
        if cell.breakdown != TOTAL_BREAKDOWN:
            groups.setdefault(cell.breakdown, []).append(i)
    names = [cell.category for cell in cells]
    numerators = _suppress([c.numerator for c in cells], names, total, groups, threshold)
    denominators = _suppress([c.denominator for c in cells], names, total, groups, threshold)

    out: list[Protected] = []
    for i, cell in enumerate(cells):
        reasons = {numerators.get(i, ""), denominators.get(i, "")}
        reason: Reason = "small" if "small" in reasons else "secondary" if reasons != {""} else ""
        num_shown, num_low = _shown(cell.numerator, i in numerators, round_totals_to)
        den_shown, den_low = _shown(cell.denominator, i in denominators, round_totals_to)
        symbol = SUPPRESSED if reason else LOW if (num_low or den_low) else ""
        out.append(
            Protected(
                cell=cell,
                numerator_shown=num_shown,
                denominator_shown=den_shown,
                value_suppressed=bool(reason),
                reason=reason,
                symbol=symbol,
            )
        )
    return out


def _suppress(
    counts: list[int | None],
    names: list[str],
    total: int | None,
    groups: dict[str, list[int]],
    threshold: int,
) -> dict[int, Reason]:
    """Which of one kind of count (numerators or denominators) to hide, and why."""
    hidden: dict[int, Reason] = {}
    for i, count in enumerate(counts):
        if count is not None and 1 <= count <= threshold:
            hidden[i] = "small"
    total_known = total is None or counts[total] is not None  # no total cell: assume published

    changed = True
    while changed:
        changed = False
        total_hidden = total is not None and total in hidden
        for members in groups.values():
            present = [i for i in members if counts[i] is not None]
            if total_hidden:
                for i in present:
                    if counts[i] and i not in hidden:
                        hidden[i] = "secondary"
                        changed = True
                continue
            if not total_known:
                continue
            secret = [i for i in present if i in hidden]
            exposed = len(secret) == 1 or (
                len(secret) >= 2 and sum(counts[i] or 0 for i in secret) == len(secret)
            )
            if not exposed:
                continue
            candidates = [i for i in present if i not in hidden and counts[i]]
            if candidates:
                pick = min(candidates, key=lambda i: (counts[i] or 0, names[i], i))
                hidden[pick] = "secondary"
                changed = True
            elif total is not None:
                hidden[total] = "secondary"
                changed = True
    return hidden


def _shown(count: int | None, suppressed: bool, round_to: int | None) -> tuple[int | None, bool]:
    """The published count (``None`` if hidden) and whether it is a non-zero that rounds to 0."""
    if count is None or suppressed:
        return None, False
    if round_to is None:
        return count, False
    rounded = (2 * count + round_to) // (2 * round_to) * round_to  # half up
    if count and not rounded:
        return None, True
    return rounded, False
