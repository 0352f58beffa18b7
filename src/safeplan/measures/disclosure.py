"""Which withheld figures could still be worked out, and what else to withhold so none can.

Why: suppressing 1 to 5 children in each table on its own is not enough when tables add up.
A total is the sum of its groups; a financial year's count of events is the sum of its four
quarters, and a snapshot at 31 March is the March quarter's. Anyone can difference them
("27 in the year, 7, 6 and 9 shown in three quarters, so the fourth is 5"), or bound them
("two withheld groups that add to 2 are both 1"). So every count a release publishes about
a measure is protected together, across all its periods and breakdowns.

The check, for a set of cells tied by known sums (``Sum``) and the cells withheld so far:

- *Differencing*: a withheld count is pinned when it is a linear combination of shown
  counts, i.e. its column lies in the row space of the sums restricted to withheld cells
  (a zero row in a basis of their null space).
- *Bounds*: a withheld cell is at least 1 child (it is never withheld for a 0), at least 0
  for counts that may be 0 (a numerator), and a numerator is at most its denominator. A
  linear programme (HiGHS) gives each withheld count's least and greatest value given all
  the sums; the count is pinned when one whole number lies between.

Each pinned cell gets a partner: the shown cell with the fewest children in a sum with it
("secondary"), until nothing is pinned. This is the auditing approach of statistical
disclosure control (Hundepool et al., *Statistical Disclosure Control*, Wiley 2012, ch. 4:
"the feasibility interval" of a suppressed cell must not collapse), applied with the DfE's
threshold and symbols (``suppression``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import null_space
from scipy.optimize import linprog

EXACT = 1e-7


@dataclass(frozen=True)
class Sum:
    """``whole`` = the sum of ``parts`` (cell indices), as an outsider knows it to be."""

    whole: int
    parts: tuple[int, ...]


@dataclass(frozen=True)
class Counts:
    """One kind of count over every cell (e.g. numerators), with the sums that tie them.

    ``least`` is the smallest value a withheld cell can have, as an outsider knows;
    ``within`` names another ``Counts`` (by position) that bounds this one from above,
    cell by cell (a numerator is at most its denominator)."""

    values: Sequence[int | None]
    sums: Sequence[Sum]
    least: int = 0
    within: int | None = None


@dataclass
class Attack:
    """What an outsider can learn of each withheld count: its least and greatest value."""

    bounds: dict[tuple[int, int], tuple[float, float]] = field(default_factory=dict)

    def pinned(self) -> set[tuple[int, int]]:
        """(kind, cell) pairs whose value is one whole number other than 0: a count shown
        to be 0 (a withheld numerator beside a total of 0) is one that would be published."""
        return {
            key
            for key, (low, high) in self.bounds.items()
            if np.floor(high + EXACT) <= np.ceil(low - EXACT) and high > 0.5
        }


def attack(
    kinds: Sequence[Counts],
    hidden: set[int],
    *,
    bounds: bool = True,
) -> Attack:
    """The feasibility interval of every withheld count, given the shown ones and the sums.

    Linear determination is found exactly from a null-space basis; where ``bounds`` is set,
    the rest are bounded by linear programmes."""
    out = Attack()
    variables: list[tuple[int, int]] = []  # (kind, cell)
    for k, kind in enumerate(kinds):
        variables += [(k, i) for i in sorted(hidden) if kind.values[i] is not None]
    if not variables:
        return out
    position = {v: j for j, v in enumerate(variables)}
    rows: list[np.ndarray] = []
    rhs: list[float] = []
    for k, kind in enumerate(kinds):
        for s in kind.sums:
            members = [(s.whole, 1.0), *((p, -1.0) for p in s.parts)]
            if any(kind.values[i] is None for i, _ in members):
                continue
            row = np.zeros(len(variables))
            known = 0.0
            for i, sign in members:
                if (k, i) in position:
                    row[position[(k, i)]] += sign
                else:
                    known += sign * float(kind.values[i] or 0)
            if row.any():
                rows.append(row)
                rhs.append(-known)
    a = np.array(rows) if rows else np.zeros((0, len(variables)))
    b = np.array(rhs)
    truth = np.array([float(kinds[k].values[i] or 0) for k, i in variables])
    for fixed in np.flatnonzero(_determined(a)).tolist():
        out.bounds[variables[fixed]] = (truth[fixed], truth[fixed])
    if not bounds:
        for v in variables:
            out.bounds.setdefault(v, (-np.inf, np.inf))
        return out

    low = np.array([float(kinds[k].least) for k, _ in variables])
    high = np.full(len(variables), np.inf)
    links: list[np.ndarray] = []
    for j, (k, i) in enumerate(variables):
        upper = kinds[k].within
        if upper is None:
            continue
        cap = kinds[upper].values[i]
        if (upper, i) in position:
            row = np.zeros(len(variables))
            row[j], row[position[(upper, i)]] = 1.0, -1.0
            links.append(row)
        elif cap is not None:
            high[j] = min(high[j], float(cap))
    for j, (k, i) in enumerate(variables):  # a shown numerator bounds a withheld denominator
        for u, other in enumerate(kinds):
            if other.within == k and (u, i) not in position and other.values[i] is not None:
                low[j] = max(low[j], float(other.values[i] or 0))
    tight = (np.abs(truth - low) < EXACT) | (np.abs(truth - high) < EXACT)
    for row in links:
        js = np.flatnonzero(row)
        if abs(truth[js[0]] - truth[js[1]]) < EXACT:
            tight[js] = True
    # Only cells tied (through sums or links) to a cell at one of its bounds can be pinned by
    # bounds: anywhere else the truth can move a little along any free direction.
    reach = _components(a, links, len(variables))
    suspect = {c for j, c in enumerate(reach) if tight[j]}
    bounded = [(lo, None if hi == np.inf else hi) for lo, hi in zip(low, high, strict=True)]
    a_ub = np.array(links) if links else np.zeros((0, len(variables)))
    for component in sorted(set(reach.tolist())):
        cells = np.flatnonzero(reach == component)
        open_ = [int(j) for j in cells if variables[j] not in out.bounds]
        if not open_:
            continue
        if component not in suspect:
            for j in open_:
                out.bounds[variables[j]] = (-np.inf, np.inf)
            continue
        problem = _Problem(cells, a, b, a_ub, bounded)
        for j, interval in problem.intervals(open_, truth).items():
            out.bounds[variables[j]] = interval
    return out


class _Problem:
    """The linear programme of one component: its equalities, links and bounds."""

    def __init__(
        self,
        members: np.ndarray,
        a: np.ndarray,
        b: np.ndarray,
        a_ub: np.ndarray,
        bounded: list[tuple[float, float | None]],
    ) -> None:
        self.members = members
        keep = np.zeros(a.shape[1], bool)
        keep[members] = True
        eq = (np.abs(a[:, keep]).sum(axis=1) > 0) if len(a) else np.zeros(0, bool)
        self.a_eq: np.ndarray | None = a[eq][:, keep] if eq.any() else None
        self.b_eq: np.ndarray | None = b[eq] if eq.any() else None
        ub = (np.abs(a_ub[:, keep]).sum(axis=1) > 0) if len(a_ub) else np.zeros(0, bool)
        self.a_ub = a_ub[ub][:, keep] if ub.any() else None
        self.b_ub = np.zeros(int(ub.sum())) if ub.any() else None
        self.bounds = [bounded[m] for m in members]
        self.local = {int(m): k for k, m in enumerate(members)}

    def solve(self, cost: np.ndarray) -> np.ndarray | None:
        found = linprog(
            cost,
            A_ub=self.a_ub,
            b_ub=self.b_ub,
            A_eq=self.a_eq,
            b_eq=self.b_eq,
            bounds=self.bounds,
            method="highs",
        )
        return found.x if found.status == 0 else None

    def intervals(self, open_: list[int], truth: np.ndarray) -> dict[int, tuple[float, float]]:
        """Each open variable's interval, or a part of it at least one whole number wide.

        Why not two programmes per variable: pushing the sum of the undecided variables down
        and up moves most of them by a whole number at once, which is all the question needs
        (can it take more than one whole number?). Only the rest get their own."""
        low = {j: float(truth[j]) for j in open_}
        high = dict(low)
        undecided = set(open_)

        def seen(x: np.ndarray, among: set[int]) -> None:
            for j in list(among):
                v = float(x[self.local[j]])
                low[j], high[j] = min(low[j], v), max(high[j], v)
                if high[j] - low[j] >= 1 - EXACT:
                    undecided.discard(j)

        while undecided:
            before = len(undecided)
            cost = np.zeros(len(self.members))
            cost[[self.local[j] for j in undecided]] = 1.0
            for sign in (-1.0, 1.0):
                x = self.solve(sign * cost)
                if x is not None:
                    seen(x, set(undecided))
            if len(undecided) == before:
                break
        for j in sorted(undecided):  # the exact interval of what may be pinned
            if j not in undecided:
                continue
            lowest, _ = self.bounds[self.local[j]]
            for sign in (1.0, -1.0):
                if sign > 0 and abs(low[j] - lowest) < EXACT:
                    continue  # already seen at its least possible value
                cost = np.zeros(len(self.members))
                cost[self.local[j]] = sign
                x = self.solve(cost)
                if x is not None:
                    seen(x, set(undecided) | {j})
        return {j: (low[j], high[j]) for j in open_}


def _determined(a: np.ndarray) -> np.ndarray:
    """Which variables the equations ``a`` fix: those with a zero row in a basis of the null
    space. Worked out per component of variables sharing an equation (small matrices: a
    shown total splits a table's groups from the rest), since a null space costs the cube
    of its size."""
    n = a.shape[1]
    fixed = np.zeros(n, bool)
    if not len(a):
        return fixed
    labels = _components(a, [], n)
    for label in np.unique(labels):
        cols = np.flatnonzero(labels == label)
        sub = a[:, cols]
        sub = sub[np.abs(sub).sum(axis=1) > 0]
        if not len(sub):
            continue
        free = null_space(sub)
        fixed[cols] = np.abs(free).max(axis=1, initial=0.0) < EXACT
    return fixed


def _components(a: np.ndarray, links: list[np.ndarray], n: int) -> np.ndarray:
    """A label per variable: variables in a common sum or link share one."""
    parent = list(range(n))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for row in [*a, *links]:
        js = np.flatnonzero(row)
        for other in js[1:]:
            parent[root(int(other))] = root(int(js[0]))
    return np.array([root(x) for x in range(n)])


def withhold(
    kinds: Sequence[Counts],
    primary: set[int],
    size: Sequence[int],
    order: Sequence[object],
) -> dict[int, str]:
    """Which cells to withhold and why ("small" or "secondary"), so that no withheld count
    is pinned. ``size`` is each cell's count of children, to choose the smallest partner;
    ``order`` breaks ties (the cells' names)."""
    hidden: dict[int, str] = dict.fromkeys(primary, "small")

    def partners(pinned: set[tuple[int, int]]) -> set[int]:
        added: set[int] = set()
        for k, cell in sorted(pinned, key=lambda kc: (order[kc[1]], kc[0])):
            partner = _partner(kinds[k].sums, cell, hidden, size, order, added)
            if partner is not None:
                added.add(partner)
        return added

    while True:  # differencing first (cheap), then bounds once differencing adds nothing
        added = partners(attack(kinds, set(hidden), bounds=False).pinned())
        added = added or partners(attack(kinds, set(hidden)).pinned())
        if not added:  # nothing pinned, or nothing left to withhold beside what is
            return hidden
        hidden.update(dict.fromkeys(added, "secondary"))


def _partner(
    sums: Sequence[Sum],
    cell: int,
    hidden: dict[int, str],
    size: Sequence[int],
    order: Sequence[object],
    added: set[int],
) -> int | None:
    """The shown cell with the fewest children that shares a sum with ``cell`` or, when
    every cell beside it is withheld, with the withheld cells beside it (and so on out);
    None when a partner added in this round is already that near."""
    seen = {cell}
    frontier = {cell}
    while frontier:
        near: set[int] = set()
        for s in sums:
            members = (s.whole, *s.parts)
            if frontier & set(members):
                near.update(members)
        near -= seen
        if near & added:
            return None
        candidates = [i for i in near if i not in hidden and size[i] > 0]
        if candidates:
            return min(candidates, key=lambda i: (size[i], order[i]))
        seen |= near
        frontier = {i for i in near if i in hidden}
    return None
