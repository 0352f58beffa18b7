"""RAG against a target, judged at the precision the figures are shown (measures.precision)."""

from __future__ import annotations

import pytest

from safeplan.measures.judgement import rag
from safeplan.vocabulary import Direction


@pytest.mark.parametrize(
    ("value", "target", "direction", "expected"),
    [
        # 0.1 + 0.2 is the float 0.30000000000000004: on a target of 0.3, not past it, so a
        # measure to reduce is on target (it was "near target" by 0.00000000000000004).
        (0.1 + 0.2, 0.3, Direction.reduce, "green"),
        # 79.996 is 80.00 at 2 dp: on a target of 80 (it was 0.004 short: amber).
        (79.996, 80.0, Direction.increase, "green"),
        # Amber is within 5% of the target: 80 − 0.05 × 80 = 76. 75.996 is 76.00 at 2 dp, on
        # the edge of amber, not past it (it was red).
        (75.996, 80.0, Direction.increase, "amber"),
        # To reduce, amber reaches 20 + 0.05 × 20 = 21; 21.004 is 21.00 at 2 dp: amber.
        (21.004, 20.0, Direction.reduce, "amber"),
        (20.004, 20.0, Direction.reduce, "green"),
    ],
)
def test_a_value_on_the_target_or_the_amber_edge_is_on_it(
    value: float, target: float, direction: Direction, expected: str
) -> None:
    assert rag(value, target, direction) == expected


def test_just_past_at_the_shown_precision_is_past() -> None:
    # 79.99 is short of 80.00 at 2 dp: near target (amber); 75.99 is short of the amber edge
    # 76.00: off target (red). Shown to 1 dp, as percentages are, 79.96 is 80.0: on target.
    assert rag(79.99, 80.0, Direction.increase) == "amber"
    assert rag(75.99, 80.0, Direction.increase) == "red"
    assert rag(79.96, 80.0, Direction.increase, decimals=1) == "green"
    assert rag(79.94, 80.0, Direction.increase, decimals=1) == "amber"


def test_nothing_to_judge() -> None:
    assert rag(None, 80.0, Direction.increase) == ""
    assert rag(79.0, None, Direction.increase) == ""
    assert rag(79.0, 80.0, Direction.track) == ""
