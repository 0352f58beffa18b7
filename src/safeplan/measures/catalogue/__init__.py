"""The measure catalogue: every key measure of the seed plans, defined once.

One module per source of data; local measures (SQL files) are added by `safeplan.measures.local`.
"""

from __future__ import annotations

from safeplan.measures.catalogue import cin, looked_after, partner
from safeplan.measures.model import Measure

BUILT_IN: tuple[Measure, ...] = (*cin.MEASURES, *looked_after.MEASURES, *partner.MEASURES)


def catalogue() -> dict[str, Measure]:
    """Every measure: the built-in ones and the partnership's local ones."""
    from safeplan.measures.local import local_measures

    found = {m.id: m for m in BUILT_IN}
    for m in local_measures():
        if m.id in found:
            raise ValueError(f"the local measure '{m.id}' has the id of a built-in measure")
        found[m.id] = m
    return found
