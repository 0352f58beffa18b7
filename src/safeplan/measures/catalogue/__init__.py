"""The measure catalogue: every key measure of the seed plans, defined once.

One module per source of data; local measures (SQL files) are added by `safeplan.measures.local`.
"""

from __future__ import annotations

from collections.abc import Iterable

from safeplan.measures.catalogue import cin, looked_after, partner
from safeplan.measures.model import Measure

BUILT_IN: tuple[Measure, ...] = (*cin.MEASURES, *looked_after.MEASURES, *partner.MEASURES)


def fed_by(tables: Iterable[str]) -> list[Measure]:
    """The measures whose figures a change to these canonical tables can move: what a
    replacement is shown to touch before it is made."""
    changed = set(tables)
    return [m for m in catalogue().values() if changed & set(m.sources)]


def catalogue() -> dict[str, Measure]:
    """Every measure: the built-in ones and the partnership's local ones."""
    from safeplan.measures.local import local_measures

    found = {m.id: m for m in BUILT_IN}
    for m in local_measures():
        if m.id in found:
            raise ValueError(f"the local measure '{m.id}' has the id of a built-in measure")
        found[m.id] = m
    return found
