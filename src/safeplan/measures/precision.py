"""Judging a figure against a line (a process limit, a target) at the precision it is shown.

Why: a figure is a decimal to its reader, but a float holds the nearest binary fraction, so
15.32 compared exactly with an upper process limit of exactly 15.32 came out 0.0000000000000003
beyond it, and a target on a limit flipped the assurance icon the same way. On the limit is not
beyond it. So every judgement of a value against a limit or a target goes through `compare`:

- a float stands for the decimal it prints as (its shortest repr: 15.32 is 15.32), not its
  binary value; limits are worked out exactly (``Fraction``) from those decimals;
- both sides are then rounded to the places the measure is shown to (`Measure.decimals`),
  half to even (as Python's ``round`` and the page's formatting do), so what the board reads is
  what was judged: a value shown as 15.3% is on a limit shown as 15.3%, not beyond it.

Rounding at the shown precision, rather than a hidden finer one, is the choice because the
judgement must be checkable from the page: the value, the limits and the target are shown side
by side. Where no measure is known (the SPC and RAG functions called bare) figures are judged
at `DEFAULT_DECIMALS`, finer than any measure shows and far coarser than float noise.
"""

from __future__ import annotations

from fractions import Fraction

Number = float | int | Fraction

DEFAULT_DECIMALS = 2
"""Places a figure is judged at when the caller does not say the measure's (2: 15.32)."""


def exact(value: Number) -> Fraction:
    """The decimal a figure stands for: a float by its shortest repr, so 15.32 is 15.32."""
    if isinstance(value, Fraction | int):
        return Fraction(value)
    return Fraction(repr(float(value)))  # float(): a NumPy float's repr is not a number


def compare(value: Number, line: Number, decimals: int = DEFAULT_DECIMALS) -> int:
    """-1, 0 or 1 as ``value`` is below, on or above ``line`` once both are rounded to
    ``decimals`` places: the one comparison of a figure with a process limit or a target."""
    gap = round(exact(value), decimals) - round(exact(line), decimals)
    return (gap > 0) - (gap < 0)
