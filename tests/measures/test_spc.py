"""XmR charts: series whose signals are known by construction, and properties that must hold."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safeplan.measures.spc import SpcResult, xmr

# A stable baseline: 12, 10, 12, 10, ... has mean 11 and every moving range 2, so
# UCL = 11 + 2.66 × 2 = 16.32, LCL = 11 − 5.32 = 5.68, and "close to a limit" means further than
# (2/3) × 5.32 ≈ 3.547 from the mean: above ≈ 14.547 or below ≈ 7.453. It ends on 10 (below).
BASE = [12.0, 10.0] * 6


def series(values: Sequence[float | None]) -> list[tuple[str, float | None]]:
    return [(f"2024-{i:02d}", v) for i, v in enumerate(values, start=1)]


def flagged(result: SpcResult, rule: str) -> list[int]:
    return [i for i, p in enumerate(result.points) if rule in p.rules]


def special(result: SpcResult) -> list[int]:
    return [i for i, p in enumerate(result.points) if p.special_cause]


def test_hand_computed_limits() -> None:
    # values 4, 6, 5, 9, 6: mean = 30 / 5 = 6; moving ranges 2, 1, 4, 3 → MR-bar = 10 / 4 = 2.5;
    # UCL = 6 + 2.66 × 2.5 = 12.65; LCL = 6 − 6.65 = −0.65 (0 when the measure has a floor of 0).
    result = xmr(series([4, 6, 5, 9, 6]), "increase", minimum_points=5)
    assert result.mean == pytest.approx(6)
    assert result.mr_bar == pytest.approx(2.5)
    assert result.ucl == pytest.approx(12.65)
    assert result.lcl == pytest.approx(-0.65)
    assert special(result) == []
    assert result.variation == "common_cause"
    floored = xmr(series([4, 6, 5, 9, 6]), "increase", minimum_points=5, floor=0)
    assert floored.lcl == 0
    assert floored.ucl == pytest.approx(12.65)
    assert all(p.lcl == 0 for p in floored.points)


def test_baseline_limits_match_the_hand_arithmetic() -> None:
    result = xmr(series(BASE), "increase")
    assert result.mean == pytest.approx(11) and result.mr_bar == pytest.approx(2)
    assert result.ucl == pytest.approx(16.32) and result.lcl == pytest.approx(5.68)
    assert special(result) == []
    assert result.baseline_points == 12 and not result.trial_limits


def test_gaps_are_kept_but_skipped() -> None:
    # 1, _, 3, 2: mean = 6 / 3 = 2; moving ranges |3 − 1| = 2 and |2 − 3| = 1 → MR-bar 1.5.
    result = xmr(series([1, None, 3, 2]), "increase", minimum_points=3)
    assert result.mean == pytest.approx(2)
    assert result.mr_bar == pytest.approx(1.5)
    assert len(result.points) == 4
    gap = result.points[1]
    assert gap.value is None and gap.rules == () and not gap.special_cause
    assert gap.mean == pytest.approx(2)


def test_a_run_continues_across_a_gap() -> None:
    values: list[float | None] = [*BASE, 11.5, 11.5, 11.5, None, 11.5, 11.5, 11.5, 11.5]
    result = xmr(series(values), "increase", baseline=12)
    assert flagged(result, "run") == [12, 13, 14, 16, 17, 18, 19]


def test_one_spike_is_the_only_signal() -> None:
    values = [12.0, 10.0] * 10
    values[15] = 30.0
    for baseline in (12, None):  # limits fixed on clean data, or inflated by the spike itself
        result = xmr(series(values), "increase", baseline=baseline)
        assert special(result) == [15]
        assert result.points[15].rules == ("outside_limits",)
        assert result.points[15].variation == "improving"


def test_a_low_spike_is_concerning_when_higher_is_better() -> None:
    result = xmr(series([*BASE, 11.0, 2.0]), "increase", baseline=12)
    assert special(result) == [13]
    assert result.variation == "special_cause_concerning"
    assert xmr(series([*BASE, 11.0, 2.0]), "reduce", baseline=12).variation == (
        "special_cause_improving"
    )


def test_a_shift_of_seven_is_a_run_and_six_is_not() -> None:
    seven = xmr(series([*BASE, *[11.5] * 7, 10.0]), "increase", baseline=12)
    assert flagged(seven, "run") == list(range(12, 19))
    assert special(seven) == list(range(12, 19))
    six = xmr(series([*BASE, *[11.5] * 6, 10.0]), "increase", baseline=12)
    assert special(six) == []


def test_a_point_on_the_mean_breaks_a_run() -> None:
    values = [*BASE, 11.5, 11.5, 11.5, 11.0, 11.5, 11.5, 11.5, 11.5]
    assert special(xmr(series(values), "increase", baseline=12)) == []


def test_a_trend_of_seven_is_flagged_and_six_is_not() -> None:
    # The point before each trend is 10, above its first value, so the trend is exactly as long.
    rising = [9.5, 9.8, 10.1, 10.4, 10.7, 11.0, 11.3]
    seven = xmr(series([*BASE, *rising]), "increase", baseline=12)
    assert flagged(seven, "trend") == list(range(12, 19))
    assert special(seven) == list(range(12, 19))
    # A rising trend is improving when higher is better, even for its points below the mean.
    assert {p.variation for p in seven.points[12:]} == {"improving"}
    assert seven.variation == "special_cause_improving"
    six = xmr(series([*BASE, *rising[1:]]), "increase", baseline=12)
    assert special(six) == []


def test_a_falling_trend_and_a_repeat() -> None:
    falling = [12.5, 12.2, 11.9, 11.6, 11.3, 11.0, 10.7]
    down = xmr(series([*BASE, 13.0, *falling[1:], 10.4]), "reduce", baseline=12)
    assert flagged(down, "trend") == list(range(12, 20))
    assert {p.variation for p in down.points[12:]} == {"improving"}
    # 10 (the last baseline point) and seven rises make a trend of eight; one repeat breaks it.
    unbroken = [10.2, 10.5, 10.8, 11.1, 11.4, 11.7, 12.0]
    assert flagged(xmr(series([*BASE, *unbroken]), "increase", baseline=12), "trend") == list(
        range(11, 19)
    )
    repeated = [10.2, 10.5, 10.8, 10.8, 11.1, 11.4, 11.7, 12.0]
    assert special(xmr(series([*BASE, *repeated]), "increase", baseline=12)) == []


def test_two_of_three_close_to_the_upper_limit() -> None:
    result = xmr(series([*BASE, 15.0, 11.5, 15.5, 11.5]), "increase", baseline=12)
    assert flagged(result, "two_of_three") == [12, 14]
    assert special(result) == [12, 14]
    assert result.points[14].variation == "improving"
    assert result.variation == "common_cause"  # the latest point is not part of any signal


def test_two_of_three_needs_all_three_on_one_side_and_two_close() -> None:
    split = xmr(series([*BASE, 15.0, 10.5, 15.5, 10.0]), "increase", baseline=12)
    assert special(split) == []
    one_close = xmr(series([*BASE, 15.0, 11.5, 11.5, 10.0]), "increase", baseline=12)
    assert special(one_close) == []


def test_two_of_three_close_to_the_lower_limit_when_lower_is_better() -> None:
    result = xmr(series([*BASE, 7.0, 10.5, 7.2]), "reduce", baseline=12)
    assert flagged(result, "two_of_three") == [12, 14]
    assert result.variation == "special_cause_improving"


@pytest.mark.parametrize(
    ("direction", "high", "low"),
    [
        ("increase", "special_cause_improving", "special_cause_concerning"),
        ("reduce", "special_cause_concerning", "special_cause_improving"),
        ("track", "special_cause_neither_high", "special_cause_neither_low"),
    ],
)
def test_variation_follows_the_direction(direction: str, high: str, low: str) -> None:
    above = xmr(series([*BASE, *[11.5] * 7]), direction, baseline=12)  # type: ignore[arg-type]
    below = xmr(series([*BASE, *[10.5] * 7]), direction, baseline=12)  # type: ignore[arg-type]
    assert above.variation == high
    assert below.variation == low
    assert above.points[-1].variation == high.removeprefix("special_cause_")


@pytest.mark.parametrize(
    ("direction", "target", "assurance"),
    [
        ("increase", 5.0, "consistently_pass"),
        ("increase", 20.0, "consistently_fail"),
        ("increase", 11.0, "hit_and_miss"),
        ("increase", 6.0, "hit_and_miss"),
        ("reduce", 20.0, "consistently_pass"),
        ("reduce", 5.0, "consistently_fail"),
        ("reduce", 16.0, "hit_and_miss"),
        ("increase", None, "no_target"),
        ("track", 5.0, "no_target"),
    ],
)
def test_assurance(direction: str, target: float | None, assurance: str) -> None:
    result = xmr(series(BASE), direction, target=target)  # type: ignore[arg-type]
    assert result.assurance == assurance


def test_assurance_uses_the_floored_limit() -> None:
    # mean 1, MR-bar 2: LCL = 1 − 5.32 < 0, floored to 0; a reduce target of 0 sits on it.
    values = [2.0, 0.0] * 6
    assert xmr(series(values), "reduce", target=0, floor=0).assurance == "hit_and_miss"
    assert xmr(series(values), "reduce", target=-1).assurance == "hit_and_miss"
    assert xmr(series(values), "reduce", target=-1, floor=0).assurance == "consistently_fail"


def test_insufficient_data() -> None:
    result = xmr(series([1, 2, None, 3, 4, 5]), "increase", target=3)
    assert result.variation == result.assurance == "insufficient_data"
    assert result.mean is None and result.ucl is None and result.mr_bar is None
    assert len(result.points) == 6
    assert all(p.mean is None and not p.special_cause for p in result.points)
    assert not result.trial_limits
    assert result.icons() == (
        "Not enough data to calculate process limits",
        "Not enough data to judge the target",
    )
    six = xmr(series([1, 2, 3, 4, 5, 6]), "increase")
    assert six.mean == pytest.approx(3.5)
    assert six.trial_limits
    short_baseline = xmr(series(BASE), "increase", baseline=4)
    assert short_baseline.variation == "insufficient_data"


def test_icons_are_plain_english() -> None:
    result = xmr(series([*BASE, *[11.5] * 7]), "increase", target=5, baseline=12)
    assert result.icons() == ("Improving: special cause variation", "Target consistently met")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"direction": "up"}, "direction"),
        ({"minimum_points": 1}, "minimum_points"),
        ({"baseline": 1}, "baseline"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"direction": "increase", **kwargs}
    with pytest.raises(ValueError, match=message):
        xmr(series(BASE), **arguments)  # type: ignore[arg-type]


def test_non_finite_values_are_refused() -> None:
    with pytest.raises(ValueError, match="finite"):
        xmr(series([*BASE, math.nan]), "increase")


values_with_gaps = st.lists(
    st.one_of(st.none(), st.integers(-1000, 1000).map(float)), min_size=6, max_size=40
)


@settings(deadline=None)
@given(values_with_gaps, st.integers(-10_000, 10_000), st.sampled_from(["increase", "reduce"]))
def test_adding_a_constant_shifts_limits_and_keeps_signals(
    values: list[float | None], shift: int, direction: str
) -> None:
    before = xmr(series(values), direction)  # type: ignore[arg-type]
    moved = [None if v is None else v + shift for v in values]
    after = xmr(series(moved), direction)  # type: ignore[arg-type]
    assert before.variation == after.variation
    assert [p.rules for p in before.points] == [p.rules for p in after.points]
    assert [p.variation for p in before.points] == [p.variation for p in after.points]
    if before.mean is not None:
        assert after.mean == pytest.approx(before.mean + shift)
        assert after.ucl == pytest.approx((before.ucl or 0) + shift)
        assert after.lcl == pytest.approx((before.lcl or 0) + shift)
        assert after.mr_bar == pytest.approx(before.mr_bar)


@settings(deadline=None)
@given(values_with_gaps)
def test_mirroring_the_values_swaps_the_direction(values: list[float | None]) -> None:
    up = xmr(series(values), "increase")
    down = xmr(series([None if v is None else -v for v in values]), "reduce")
    assert [p.rules for p in up.points] == [p.rules for p in down.points]
    assert [p.variation for p in up.points] == [p.variation for p in down.points]
    assert up.variation == down.variation


@settings(deadline=None)
@given(values_with_gaps)
def test_outside_limits_means_beyond_a_limit(values: list[float | None]) -> None:
    result = xmr(series(values), "track")
    if result.mean is None:
        return
    assert result.ucl is not None and result.lcl is not None
    for p in result.points:
        assert p.special_cause == bool(p.rules)
        if p.value is None:
            assert p.rules == ()
            continue
        # xmr judges at 2 dp: within half a hundredth of a limit a point is on it (the float
        # limits are roundings of exact fractions, so the edge of that band is left alone).
        near = [abs(p.value - limit) for limit in (result.ucl, result.lcl)]
        if min(near) < 0.005 - 1e-9:
            assert "outside_limits" not in p.rules
        elif min(near) > 0.005 + 1e-9:
            beyond = p.value > result.ucl or p.value < result.lcl
            assert ("outside_limits" in p.rules) == beyond


@given(st.integers(-1000, 1000), st.integers(6, 30))
def test_a_constant_series_has_no_signals(value: int, length: int) -> None:
    result = xmr(series([float(value)] * length), "increase", target=value)
    assert special(result) == []
    assert result.mr_bar == 0
    assert result.ucl == result.lcl == result.mean == value
    assert result.variation == "common_cause"
    assert result.assurance == "hit_and_miss"


# On the limit is not beyond it (issue 11, point 10). ON_LIMIT alternates 11 and 9: mean
# 120 / 12 = 10, every moving range |9 − 11| = 2 so MR-bar = 2, and the limits are exactly
# UCL = 10 + 2.66 × 2 = 10 + 5.32 = 15.32 and LCL = 10 − 5.32 = 4.68. The float 15.32 is
# 15.3200000000000002842…, a hair above the decimal 15.32 (and 4.68 a hair below 4.68), which
# is how a point or a target sitting on a limit used to be judged beyond it.
ON_LIMIT = [11.0, 9.0] * 6


def test_a_point_on_a_limit_is_not_beyond_it() -> None:
    # The 13th point is 15.32 (on the UCL) or 4.68 (on the LCL); the limits stay on the first
    # 12. Shown at 2 dp the point and the limit are both 15.32 (or 4.68): no rule fires (one
    # point close to a limit is not two of three; the one before it, 9, is below the mean).
    for on_limit in (15.32, 4.68):
        result = xmr(series([*ON_LIMIT, on_limit]), "increase", baseline=12)
        assert result.ucl == pytest.approx(15.32) and result.lcl == pytest.approx(4.68)
        assert result.points[-1].rules == ()
        assert special(result) == []
        assert result.variation == "common_cause"


@pytest.mark.parametrize("direction", ["increase", "reduce"])
@pytest.mark.parametrize("target", [15.32, 4.68])
def test_a_target_on_a_limit_is_hit_and_miss(direction: str, target: float) -> None:
    # A target of 15.32 on the UCL (or 4.68 on the LCL) is within the limits, not past them:
    # some expected values meet it and some miss, so the assurance icon is "hit and miss",
    # not "consistently met" or "consistently missed".
    result = xmr(series(ON_LIMIT), direction, target=target)  # type: ignore[arg-type]
    assert result.assurance == "hit_and_miss"


def test_beyond_a_limit_at_the_shown_precision() -> None:
    # A limit that is not a short decimal: 8, 8, 8, 9, 11, 8, 12, 8, 12 sums to 84, so the mean
    # is 84 / 9 = 9.333…; the moving ranges 0, 0, 1, 2, 3, 4, 4, 4 sum to 18, so MR-bar =
    # 18 / 8 = 2.25; UCL = 9.333… + 2.66 × 2.25 = 9.333… + 5.985 = 15.31833…, shown at 2 dp
    # (xmr's precision when it is not told the measure's) as 15.32. A point of 15.32 is on that
    # limit; 15.33 is beyond it. (No other rule: the baseline ends on 12, not close to a limit.)
    base = [8.0, 8.0, 8.0, 9.0, 11.0, 8.0, 12.0, 8.0, 12.0]
    on = xmr(series([*base, 15.32]), "increase", baseline=9)
    assert on.ucl == pytest.approx(15.318333333)
    assert on.points[-1].rules == ()
    beyond = xmr(series([*base, 15.33]), "increase", baseline=9)
    assert beyond.points[-1].rules == ("outside_limits",)
    assert beyond.variation == "special_cause_improving"


def test_limits_are_judged_at_the_measure_precision() -> None:
    # A percentage is shown to 1 dp (Measure.decimals), so the UCL 15.32 reads 15.3%: a point of
    # 15.34 also reads 15.3% and is on the limit; 15.36 reads 15.4% and is beyond it. A target
    # of 15.34 is on the limit too: hit and miss, not consistently missed.
    on = xmr(series([*ON_LIMIT, 15.34]), "increase", target=15.34, baseline=12, decimals=1)
    assert on.points[-1].rules == ()
    assert on.assurance == "hit_and_miss"
    beyond = xmr(series([*ON_LIMIT, 15.36]), "increase", target=15.36, baseline=12, decimals=1)
    assert beyond.points[-1].rules == ("outside_limits",)
    assert beyond.assurance == "consistently_fail"
