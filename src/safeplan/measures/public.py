"""The public release: every figure SafePlan publishes, protected together.

Why one release: the public pages, the API, the CSV/Excel exports, the public board report
and the survey page each show some of a measure's cells (a quarter's total, a breakdown, a
year). Each output taking its cells from one protected release means no combination of
outputs recovers a withheld figure, and every output shows the same "c" in the same place.

What is published: quarters and financial years only, for the years the loaded returns
cover. Months and rolling 12 months are partner figures: they overlap quarters in ways that
would let a withheld count be worked out (12 months to May minus 12 months to April is May
minus the May a year earlier), and the DfE publishes children's social care statistics by
year (its children in need and looked after releases), never by month. A year and its
quarters still add up, so each measure's quarters, years and breakdowns are protected as one
set (``disclosure``): a withheld cell has every count withheld with it (numerator,
denominator, value, rate, records), and the sums of days behind an average are protected
with the cases they add up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from safeplan.measures.catalogue import catalogue
from safeplan.measures.data import BREAKDOWNS, Source
from safeplan.measures.disclosure import Counts, Sum, withhold
from safeplan.measures.engine import Result, compute
from safeplan.measures.model import Measure
from safeplan.measures.periods import Period, make, parse
from safeplan.measures.suppression import DEFAULT_THRESHOLD, SUPPRESSED
from safeplan.vocabulary import Unit

PUBLIC_KINDS = ("quarter", "fy")
"""The period kinds any public output shows."""
NOT_PUBLISHED = (
    "Public figures are published for quarters (e.g. 2025-Q1) and financial years "
    "(e.g. 2024-25) only: monthly and rolling 12-month figures could be set against them to "
    "work out figures withheld to protect children's privacy. Partners signed in see them."
)


@dataclass(frozen=True)
class Published:
    result: Result  # with every withheld figure set to None
    suppressed: bool  # the cell is withheld
    symbol: str  # DfE symbol shown in its place ("c"), or ""
    reason: str  # "small", "secondary" or ""


@dataclass(frozen=True)
class Release:
    """A set of measures' public cells over the periods the store covers."""

    periods: tuple[Period, ...] = ()
    cells: dict[tuple[str, str, str, str], Published] = field(default_factory=dict)

    def get(
        self, measure: str, period: str, breakdown: str = "total", group: str = "All"
    ) -> Published | None:
        return self.cells.get((measure, period, breakdown, group))

    by_period: dict[tuple[str, str], list[Published]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Index the cells by measure and period: every output asks for them so."""
        index: dict[tuple[str, str], list[Published]] = defaultdict(list)
        for (measure, label, _, _), cell in self.cells.items():
            index[(measure, label)].append(cell)
        object.__setattr__(self, "by_period", dict(index))

    def table(self, measure: str, period: str, breakdown: str = "total") -> list[Published]:
        """The measure's cells for one period: its total, and the breakdown's groups."""
        return [
            p
            for p in self.by_period.get((measure, period), [])
            if p.result.breakdown in ("total", breakdown)
        ]

    def withheld(self, measure: str) -> frozenset[str]:
        """The periods whose total for the measure is withheld (shown as "c")."""
        return frozenset(
            label
            for (m, label), cells in self.by_period.items()
            if m == measure and any(c.suppressed and c.result.breakdown == "total" for c in cells)
        )

    @classmethod
    def merged(cls, releases: Iterable[Release]) -> Release:
        """One release of several measures' (each protected on its own, over one store)."""
        periods: tuple[Period, ...] = ()
        cells: dict[tuple[str, str, str, str], Published] = {}
        for r in releases:
            periods = periods or r.periods
            cells.update(r.cells)
        return cls(periods, cells)

    def covers(self, period: Period) -> bool:
        return period in self.periods

    def select(
        self, measures: Sequence[str], periods: Sequence[Period], breakdowns: Sequence[str]
    ) -> list[Published]:
        """The cells of these measures, periods and breakdowns (the total first), in the
        order the engine gives them; a period the release does not cover is refused."""
        for period in periods:
            refuse_unpublished(period, self)
        wanted = {"total", *breakdowns}
        found: list[Published] = []
        for measure in dict.fromkeys(measures):
            for label in dict.fromkeys(p.label for p in periods):
                cells = [
                    c
                    for c in self.by_period.get((measure, label), [])
                    if c.result.breakdown in wanted
                ]
                found.extend(c for c in cells if c.result.breakdown == "total")
                found.extend(c for c in cells if c.result.breakdown != "total")
        return found


def refuse_unpublished(period: Period, release: Release | None = None) -> None:
    """Raise ValueError, in words, for a period no public output shows."""
    if period.kind not in PUBLIC_KINDS:
        raise ValueError(NOT_PUBLISHED)
    if release is not None and not release.covers(period):
        years = sorted({p.label for p in release.periods if p.kind == "fy"})
        span = f"{years[0]} to {years[-1]}" if years else "no financial year yet"
        raise ValueError(f"no public figures for {period.label}: the loaded returns cover {span}")


def public_periods(years: Sequence[int]) -> list[Period]:
    """Every quarter of the financial years that returns for `years` cover, and the years
    themselves (a 2025 return covers April 2024 to March 2025)."""
    if not years:
        return []
    first, last = min(years), max(years)
    quarters = make("quarter", date(last, 3, 1)).series(4 * (last - first + 1))
    return [*quarters, *(make("fy", date(y, 3, 1)) for y in range(first, last + 1))]


def public_release(source: Source, measures: Iterable[Measure]) -> Release:
    """Compute the measures for every public period and breakdown, and protect them."""
    periods = public_periods(source.collection_years())
    if not periods:
        return Release()
    results = compute(source, measures, periods, BREAKDOWNS)
    return Release(
        tuple(periods),
        {
            (p.result.measure, p.result.period, p.result.breakdown, p.result.group): p
            for p in publishable(results)
        },
    )


def publishable(results: Iterable[Result]) -> list[Published]:
    """Suppress each measure's cells (every period and breakdown given) together, so no
    withheld cell can be worked out from the others, by differencing or by bounds."""
    known = catalogue()
    by_measure: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        by_measure[r.measure].append(r)
    out: list[Published] = []
    for measure_id, rows in by_measure.items():
        unit = known[measure_id].unit if measure_id in known else Unit.number
        out += _protect(rows, unit)
    return out


def _protect(rows: list[Result], unit: Unit) -> list[Published]:
    """One measure's cells, protected as one set."""
    num = [_count(r.numerator) for r in rows]
    den = [None if unit == Unit.per_10k else _count(r.denominator) for r in rows]
    sums_num, sums_den = _sums(rows, num), _sums(rows, den)
    has_den = any(d is not None for d in den)
    tested_num = unit != Unit.days  # a sum of days is protected with its cases, not alone
    size = [(d if has_den else n) or 0 for n, d in zip(num, den, strict=True)]
    within = has_den and all(
        n is None or d is None or n <= d for n, d in zip(num, den, strict=True)
    )
    kinds = [
        Counts(num, sums_num, least=0 if has_den else 1, within=1 if within else None),
        Counts(den, sums_den, least=1),
    ]
    primary = {
        i
        for i in range(len(rows))
        if (tested_num and _small(num[i])) or _small(den[i]) or (not has_den and _small(size[i]))
    }
    order = [(r.period, r.breakdown, r.group) for r in rows]
    hidden = withhold(kinds, primary, size, order)
    out = []
    for i, r in enumerate(rows):
        reason = hidden.get(i, "")
        if not reason:
            out.append(Published(r, False, "", ""))
            continue
        shown = replace(r, numerator=None, denominator=None, value=None, per_10k=None, records=0)
        out.append(Published(shown, True, SUPPRESSED, reason))
    return out


def _count(value: float | None) -> int | None:
    return None if value is None else round(value)


def _small(count: int | None) -> bool:
    return count is not None and 1 <= count <= DEFAULT_THRESHOLD


def _sums(rows: list[Result], values: list[int | None]) -> list[Sum]:
    """Every sum an outsider knows to hold among these cells, kept where it does hold: each
    total is the sum of each breakdown's groups; a year is the sum of its quarters (events)
    or equal to its last quarter (a snapshot at 31 March)."""
    at = {(r.period, r.breakdown, r.group): i for i, r in enumerate(rows)}
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        if r.breakdown != "total":
            groups[(r.period, r.breakdown)].append(i)
    candidates = [
        Sum(at[(period, "total", "All")], tuple(parts))
        for (period, _), parts in groups.items()
        if (period, "total", "All") in at
    ]
    labels = {r.period for r in rows}
    for label in labels:
        year = parse(label)
        if year.kind != "fy":
            continue
        quarters = [q.label for q in make("quarter", year.end).series(4)]
        if not set(quarters) <= labels:
            continue
        for (period, breakdown, group), whole in at.items():
            if period != label:
                continue
            parts = [at[(q, breakdown, group)] for q in quarters if (q, breakdown, group) in at]
            candidates.append(Sum(whole, tuple(parts)))
            if (quarters[-1], breakdown, group) in at:
                candidates.append(Sum(whole, (at[(quarters[-1], breakdown, group)],)))
    return [s for s in candidates if _holds(s, values)]


def _holds(s: Sum, values: list[int | None]) -> bool:
    whole = values[s.whole]
    parts = [values[p] for p in s.parts]
    return (
        whole is not None
        and all(p is not None for p in parts)
        and whole == sum(p or 0 for p in parts)
    )
