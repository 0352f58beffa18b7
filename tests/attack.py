"""An outsider's attack on published figures, written apart from ``measures.disclosure``.

The outsider is stronger than any real one: they know every relation that holds among the
true figures (each total is the sum of a breakdown's groups, a year the sum of its quarters
or equal to its last quarter), every shown numerator and denominator, that a withheld cell
rests on at least one child, and that a numerator is at most its denominator. A withheld
count is *recovered* when those facts leave it one whole number other than 0 (zeros are
published; a withheld numerator shown by a total of 0 to be 0 says nothing the total did
not): by exact elimination (differencing) or by linear programmes (bounds).

Written apart so the test does not grade the protector by its own arithmetic: elimination
here is exact (fractions), not a floating-point null space.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from math import ceil, floor

from scipy.optimize import linprog

from safeplan.measures.engine import Result
from safeplan.measures.periods import make, parse
from safeplan.vocabulary import Unit

Key = tuple[str, str, str, str]  # (measure, period, breakdown, group)


@dataclass(frozen=True)
class Shown:
    """What a public output showed for a cell: its counts, or None where it showed "c"."""

    numerator: float | None
    denominator: float | None
    withheld: bool


def relations(truth: Mapping[Key, Result]) -> list[tuple[Key, list[Key]]]:
    """(whole, parts) pairs that hold in the true figures, for numerators or denominators."""
    out: list[tuple[Key, list[Key]]] = []
    groups: dict[tuple[str, str, str], list[Key]] = defaultdict(list)
    for key in truth:
        if key[2] != "total":
            groups[(key[0], key[1], key[2])].append(key)
    for (measure, period, _), parts in groups.items():
        out.append(((measure, period, "total", "All"), parts))
    for key in truth:
        year = parse(key[1])
        if year.kind != "fy":
            continue
        quarters = [(key[0], q.label, key[2], key[3]) for q in make("quarter", year.end).series(4)]
        present = [q for q in quarters if q in truth]
        if present:  # a group missing from a quarter has none in it
            out.append((key, present))
        if quarters[-1] in truth:  # a snapshot at 31 March is the March quarter's
            out.append((key, quarters[-1:]))
    return out


Var = tuple[str, Key]  # (field, cell)


def recovered(
    truth: Mapping[Key, Result], shown: Mapping[Key, Shown], units: Mapping[str, Unit]
) -> dict[Key, str]:
    """Withheld cells whose numerator or denominator the outsider pins, and how (a rate's
    denominator is the published population, not a count to protect)."""
    equations: list[tuple[dict[Var, int], Fraction]] = []
    hidden: list[Var] = []
    for field in ("numerator", "denominator"):
        equations += _equations(truth, shown, field)
        hidden += [
            (field, k)
            for k, s in sorted(shown.items())
            if s.withheld
            and not (field == "denominator" and units[k[0]] == Unit.per_10k)
            and _true(truth[k], field) is not None
        ]
    found: dict[Key, str] = {}
    numerator_first = {"numerator": 0, "denominator": 1}
    for field, key in sorted(
        _eliminated(equations, set(hidden)), key=lambda v: (v[1], numerator_first[v[0]])
    ):
        if _true(truth[key], field):  # a count worked out to be 0 would have been shown
            found.setdefault(key, f"{field} by differencing")
    bounded = _bounded(units, equations, [v for v in hidden if v[1] not in found])
    for field, key in sorted(bounded, key=lambda v: (v[1], numerator_first[v[0]])):
        found.setdefault(key, f"{field} by bounds")
    return found


def _true(r: Result, field: str) -> float | None:
    value = getattr(r, field)
    return None if value is None else float(value)


def _equations(
    truth: Mapping[Key, Result], shown: Mapping[Key, Shown], field: str
) -> list[tuple[dict[Var, int], Fraction]]:
    """Each relation holding in truth, as (coefficients of withheld cells, constant)."""
    rows = []
    for whole, parts in relations(truth):
        if whole not in shown or any(p not in shown for p in parts):
            continue
        values = [_true(truth[k], field) for k in (whole, *parts)]
        if any(v is None for v in values) or values[0] != sum(v or 0 for v in values[1:]):
            continue
        coef: dict[Var, int] = defaultdict(int)
        constant = Fraction(0)
        for key, sign in [(whole, 1), *((p, -1) for p in parts)]:
            s = shown[key]
            if s.withheld:
                coef[(field, key)] += sign
            else:
                constant -= sign * Fraction(str(getattr(s, field) or 0))
        kept = {v: c for v, c in coef.items() if c}
        if kept:
            rows.append((kept, constant))
    return rows


def _eliminated(rows: list[tuple[dict[Var, int], Fraction]], hidden: set[Var]) -> set[Var]:
    """Withheld counts fixed by the equations alone. Exact Gauss-Jordan elimination over
    fractions: in reduced row echelon form a pivot is fixed when its row has no free one."""
    pivots: dict[Var, dict[Var, Fraction]] = {}
    for coef, _ in rows:
        row = {v: Fraction(c) for v, c in coef.items()}
        for var in [v for v in row if v in pivots]:
            factor = row.get(var, Fraction(0))
            if factor:
                for v, c in pivots[var].items():
                    row[v] = row.get(v, Fraction(0)) - factor * c
        row = {v: c for v, c in row.items() if c}
        if not row:
            continue
        lead = min(row)
        row = {v: c / row[lead] for v, c in row.items()}
        for var, other in pivots.items():
            factor = other.get(lead, Fraction(0))
            if factor:
                merged = {
                    v: other.get(v, Fraction(0)) - factor * row.get(v, Fraction(0))
                    for v in set(other) | set(row)
                }
                pivots[var] = {v: c for v, c in merged.items() if c}
        pivots[lead] = row
    return {var for var, row in pivots.items() if len(row) == 1 and var in hidden}


def _bounded(
    units: Mapping[str, Unit], rows: list[tuple[dict[Var, int], Fraction]], open_: list[Var]
) -> set[Var]:
    """Counts the equations and bounds leave one whole number: a programme each way, over
    the variables tied to each by equations or by a share's numerator being at most its
    denominator."""
    variables = sorted({v for coef, _ in rows for v in coef} | set(open_))
    present = set(variables)
    links = [
        (("numerator", key), ("denominator", key))
        for field, key in variables
        if field == "numerator"
        and units[key[0]] == Unit.percent
        and ("denominator", key) in present
    ]
    component = _components(variables, [list(c) for c, _ in rows] + [list(p) for p in links])
    pinned: set[Var] = set()
    for var in open_:
        members = [v for v in variables if component[v] == component[var]]
        index = {v: i for i, v in enumerate(members)}
        mine = [(c, b) for c, b in rows if next(iter(c)) in index]
        a_eq = [[float(c.get(v, 0)) for v in members] for c, _ in mine] or None
        b_eq = [float(b) for _, b in mine] or None
        a_ub: list[list[float]] = []
        for num, den in links:
            if num in index:
                row = [0.0] * len(members)
                row[index[num]], row[index[den]] = 1.0, -1.0
                a_ub.append(row)
        bounds = [(_least(units, v), None) for v in members]
        ends: list[float | None] = []
        for sign in (1.0, -1.0):
            cost = [0.0] * len(members)
            cost[index[var]] = sign
            done = linprog(
                cost,
                A_ub=a_ub or None,
                b_ub=[0.0] * len(a_ub) or None,
                A_eq=a_eq,
                b_eq=b_eq,
                bounds=bounds,
                method="highs",
            )
            ends.append(sign * done.fun if done.status == 0 else None)
        low, high = ends
        one = low is not None and high is not None and floor(high + 1e-7) <= ceil(low - 1e-7)
        if one and high is not None and high > 0.5:  # a 0 worked out would have been shown
            pinned.add(var)
    return pinned


def _least(units: Mapping[str, Unit], var: Var) -> float:
    """A withheld cell rests on at least one child or event; a share's numerator or a sum
    of days may still be 0."""
    field, key = var
    if field == "numerator" and units[key[0]] in (Unit.percent, Unit.days):
        return 0.0
    return 1.0


def _components(variables: list[Var], groups: list[list[Var]]) -> dict[Var, Var]:
    parent = {v: v for v in variables}

    def root(v: Var) -> Var:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for group in groups:
        for other in group[1:]:
            parent[root(other)] = root(group[0])
    return {v: root(v) for v in variables}
