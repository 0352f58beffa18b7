"""Statistical process control: XmR charts read as NHS England's "Making Data Count" reads them.

Why: a partnership board that compares this month with last month reacts to noise. An XmR chart
separates common-cause variation (the process's usual wobble) from special causes worth asking
about, and the two summary icons say (1) is anything unusual happening and (2) can the process,
as it runs now, be relied on to meet the target.

Sources (the rules follow them; where they disagree the choice is noted):

- NHS England and NHS Improvement, "Making data count: strengthening your decisions" (#plotthedots,
  2019, rev. 2021) and the MDC "Statistical process control tool" (Excel) on england.nhs.uk:
  XmR chart, process limits at mean ± 2.66 × mean moving range, the four special-cause rules
  (a point beyond a limit; a run of 7 on one side of the mean; a trend of 7 rising or falling;
  two of three points close to a limit), the variation icons (common cause; improvement,
  concern, or neither high / low where no direction is better) and the assurance icons
  (target consistently passed, consistently failed, or hit and miss).
- NHSRplotthedots (NHS-R community, MIT; built to reproduce the MDC Excel tool),
  github.com/nhs-r-community/NHSRplotthedots:
  ``R/ptd_spc_standard.R`` (limits; "close to a limit" = beyond two thirds of the distance from
  the mean to the limit but not beyond it; no outlier screening in the Excel tool, so none here),
  ``R/ptd_calculate_point_type.R`` (a run needs 7 points strictly on one side, a point on the
  mean breaks it; a trend is 7 points with 6 strict rises or falls, a repeat breaks it; two of
  three counts only windows whose three points are all on one side; precedence outside limits >
  trend > two of three > run, and trend points take the trend's direction, not their side of the
  mean: issue #171 / PR #180), ``R/ptd_calculate_assurance_type.R`` (assurance compares the
  target with the limits), ``vignettes/number-of-points-required.Rmd`` (Wheeler: "useful limits
  may be constructed with as few as five or six values"; limits from fewer than 12 points are
  "trial limits").

Choices made here:

- ``minimum_points`` defaults to 6 (Wheeler's five or six, as quoted by NHSRplotthedots): with
  fewer numeric points in the baseline the result is ``insufficient_data``. Limits from fewer
  than ``TRIAL_LIMITS_BELOW`` (12) points are computed but flagged ``trial_limits``; MDC and the
  Health Care Data Guide prefer 15 to 20 or more, so callers should show the flag.
- Gaps (``None``) are kept as points but skipped: moving ranges join the numeric values either
  side of a gap, and runs and trends continue across it.
- The arithmetic is exact (``fractions.Fraction``) on the decimals the figures stand for
  (``measures.precision.exact``: 15.32 is 15.32, not the float's binary value), so a point
  sitting exactly on the mean is judged the same way however the series is shifted; only the
  outputs are floats.
- On a limit is not beyond it: a point is beyond a limit, and a target past one, only when it
  is beyond it at the precision the measure is shown to (``decimals``, through
  ``measures.precision.compare``, the one comparison with a limit or a target), so the chart's
  signals agree with the figures in the table under it. The mean and the "close to a limit"
  zone are compared exactly, as in NHSRplotthedots: they sort points into runs and zones, and
  are not lines a figure is read against.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal, get_args

from safeplan.measures.precision import DEFAULT_DECIMALS, compare, exact
from safeplan.vocabulary import ASSURANCES, VARIATIONS

Direction = Literal["increase", "reduce", "track"]

LIMIT_FACTOR = Fraction("2.66")
"""Process limits sit this many mean moving ranges from the mean: 3 sigma, 3 / d2 = 3 / 1.128."""
NEAR_FACTOR = LIMIT_FACTOR * 2 / 3
"""Points further than this from the mean (the outer third, beyond 2 sigma) are close to a limit."""
RUN_LENGTH = 7
TREND_LENGTH = 7
DEFAULT_MINIMUM_POINTS = 6
TRIAL_LIMITS_BELOW = 12

OUTSIDE_LIMITS = "outside_limits"
RUN = "run"
TREND = "trend"
TWO_OF_THREE = "two_of_three"
RULES = (OUTSIDE_LIMITS, RUN, TREND, TWO_OF_THREE)

VARIATION_LABELS = {str(state): label.words for state, label in VARIATIONS.items()}
ASSURANCE_LABELS = {str(state): label.words for state, label in ASSURANCES.items()}


@dataclass(frozen=True)
class SpcPoint:
    """One period on the chart; ``value`` is ``None`` for a gap."""

    period: str
    value: float | None
    mean: float | None
    ucl: float | None
    lcl: float | None
    rules: tuple[str, ...]
    special_cause: bool
    variation: str


@dataclass(frozen=True)
class SpcResult:
    """The chart, and the two MDC summary icons (variation: the latest non-gap point's)."""

    points: tuple[SpcPoint, ...]
    mean: float | None
    ucl: float | None
    lcl: float | None
    mr_bar: float | None
    variation: str
    assurance: str
    baseline_points: int = 0
    """Numeric values the mean and limits were computed from."""

    @property
    def trial_limits(self) -> bool:
        """True when the limits rest on fewer points than robust limits need (NHSRplotthedots)."""
        return self.mean is not None and self.baseline_points < TRIAL_LIMITS_BELOW

    def icons(self) -> tuple[str, str]:
        """Plain-English text for the variation and assurance icons (never colour alone)."""
        return VARIATION_LABELS[self.variation], ASSURANCE_LABELS[self.assurance]


def xmr(
    series: Sequence[tuple[str, float | None]],
    direction: Direction,
    target: float | None = None,
    baseline: int | None = None,
    minimum_points: int = DEFAULT_MINIMUM_POINTS,
    floor: float | None = None,
    ceiling: float | None = None,
    decimals: int = DEFAULT_DECIMALS,
) -> SpcResult:
    """Build an XmR chart over ``series`` (period, value) in time order.

    ``direction`` says which way is better ("track" makes no judgement). ``baseline`` fixes the
    mean and limits on the first N numeric values (default: all), so later points are judged
    against them. ``floor``/``ceiling`` clamp a limit the measure cannot pass (0 for a count or
    a rate, 100 for a percentage); the rules still use the unclamped sigma zones.
    ``decimals`` is the places the measure is shown to (``Measure.decimals``): points and the
    target are judged against the limits at it.
    """
    if direction not in get_args(Direction):
        raise ValueError(f"direction must be one of {get_args(Direction)}, not {direction!r}")
    if minimum_points < 2:
        raise ValueError("minimum_points must be at least 2: one moving range needs two values")
    if baseline is not None and baseline < 2:
        raise ValueError("baseline must cover at least 2 values")
    for period, value in series:
        if value is not None and not math.isfinite(value):
            raise ValueError(f"{period}: value {value!r} is not a finite number")

    numeric = [(i, exact(v)) for i, (_, v) in enumerate(series) if v is not None]
    base = numeric[:baseline] if baseline is not None else numeric
    if len(base) < minimum_points:
        return _insufficient(series, len(base))

    mean = sum((x for _, x in base), Fraction(0)) / len(base)
    moving_ranges = [abs(b - a) for (_, a), (_, b) in itertools.pairwise(base)]
    mr_bar = sum(moving_ranges, Fraction(0)) / len(moving_ranges)
    ucl = mean + LIMIT_FACTOR * mr_bar
    lcl = mean - LIMIT_FACTOR * mr_bar
    if floor is not None:
        lcl = max(lcl, exact(floor))
    if ceiling is not None:
        ucl = min(ucl, exact(ceiling))

    values = [x for _, x in numeric]
    flags = _flags(values, mean, ucl, lcl, NEAR_FACTOR * mr_bar, decimals)
    by_index = {i: k for k, (i, _) in enumerate(numeric)}
    points: list[SpcPoint] = []
    latest = "common_cause"
    for i, (period, value) in enumerate(series):
        rules: tuple[str, ...] = ()
        variation = "common_cause"
        k = by_index.get(i)
        if k is not None:
            rules = tuple(rule for rule in RULES if rule in flags[k].rules)
            variation = _point_variation(flags[k], direction)
            latest = variation
        points.append(
            SpcPoint(
                period=period,
                value=value,
                mean=float(mean),
                ucl=float(ucl),
                lcl=float(lcl),
                rules=rules,
                special_cause=bool(rules),
                variation=variation,
            )
        )
    return SpcResult(
        points=tuple(points),
        mean=float(mean),
        ucl=float(ucl),
        lcl=float(lcl),
        mr_bar=float(mr_bar),
        variation="common_cause" if latest == "common_cause" else f"special_cause_{latest}",
        assurance=_assurance(direction, target, ucl, lcl, decimals),
        baseline_points=len(base),
    )


@dataclass
class _Flags:
    """What the rules found for one numeric point: the rules, and which way each one points."""

    side: int  # +1 above the mean, -1 below, 0 on it
    rules: set[str]
    trend_direction: int = 0


def _flags(
    values: list[Fraction],
    mean: Fraction,
    ucl: Fraction,
    lcl: Fraction,
    near: Fraction,
    decimals: int,
) -> list[_Flags]:
    """Apply the four MDC rules to the numeric values (gaps already removed)."""
    flags = [_Flags(side=_sign(x - mean), rules=set()) for x in values]
    outside = [compare(x, ucl, decimals) > 0 or compare(x, lcl, decimals) < 0 for x in values]
    close = [not out and abs(x - mean) > near for x, out in zip(values, outside, strict=True)]
    for k, out in enumerate(outside):
        if out:
            flags[k].rules.add(OUTSIDE_LIMITS)

    # Run: RUN_LENGTH consecutive points strictly on the same side of the mean.
    for start in range(len(values) - RUN_LENGTH + 1):
        window = range(start, start + RUN_LENGTH)
        side = flags[start].side
        if side != 0 and all(flags[k].side == side for k in window):
            for k in window:
                flags[k].rules.add(RUN)

    # Trend: TREND_LENGTH consecutive points each strictly above (or below) the one before.
    for start in range(len(values) - TREND_LENGTH + 1):
        steps = {_sign(values[k + 1] - values[k]) for k in range(start, start + TREND_LENGTH - 1)}
        if steps in ({1}, {-1}):
            (step,) = steps
            for k in range(start, start + TREND_LENGTH):
                flags[k].rules.add(TREND)
                flags[k].trend_direction = step  # a later trend wins, as in NHSRplotthedots

    # Two of three: in three consecutive points all on one side, at least two close to a limit.
    for start in range(len(values) - 2):
        window = range(start, start + 3)
        side = flags[start].side
        if side != 0 and all(flags[k].side == side for k in window):
            near_points = [k for k in window if close[k]]
            if len(near_points) >= 2:
                for k in near_points:
                    flags[k].rules.add(TWO_OF_THREE)
    return flags


def _point_variation(flag: _Flags, direction: Direction) -> str:
    """Improving / concerning / neither, from the highest-precedence rule the point is part of."""
    if not flag.rules:
        return "common_cause"
    if OUTSIDE_LIMITS not in flag.rules and TREND in flag.rules:
        high = flag.trend_direction > 0
    else:
        high = flag.side > 0
    if direction == "track":
        return "neither_high" if high else "neither_low"
    return "improving" if high == (direction == "increase") else "concerning"


def _assurance(
    direction: Direction, target: float | None, ucl: Fraction, lcl: Fraction, decimals: int
) -> str:
    """Where the target sits against the process limits (MDC assurance icon); a target on a
    limit is within them: hit and miss."""
    if target is None or direction == "track":
        return "no_target"
    if compare(target, lcl, decimals) >= 0 and compare(target, ucl, decimals) <= 0:
        return "hit_and_miss"
    below_process = compare(target, lcl, decimals) < 0  # every expected value is above it
    return (
        "consistently_pass" if below_process == (direction == "increase") else "consistently_fail"
    )


def _insufficient(series: Sequence[tuple[str, float | None]], baseline_points: int) -> SpcResult:
    points = tuple(
        SpcPoint(period, value, None, None, None, (), False, "common_cause")
        for period, value in series
    )
    return SpcResult(
        points=points,
        mean=None,
        ucl=None,
        lcl=None,
        mr_bar=None,
        variation="insufficient_data",
        assurance="insufficient_data",
        baseline_points=baseline_points,
    )


def _sign(x: Fraction) -> int:
    return (x > 0) - (x < 0)
