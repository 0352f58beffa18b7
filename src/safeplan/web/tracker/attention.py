"""What the dashboard shows of the tracker: the actions that need attention, most pressing
first, across every plan the partnership has."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from safeplan.plans import library
from safeplan.web.tracker.rules import Concern, concerns

LIMIT = 10


@dataclass(frozen=True)
class Attention:
    shown: list[Concern]  # the most pressing, at most LIMIT
    total: int
    titles: dict[str, str]  # plan id -> title, for every known plan
    plan_ids: frozenset[str]  # the plans with something that needs attention

    @property
    def plans(self) -> list[tuple[str, str]]:
        """(id, title) of the plans with something that needs attention, in library order."""
        return [(pid, title) for pid, title in self.titles.items() if pid in self.plan_ids]


def for_dashboard(today: datetime.date, limit: int = LIMIT) -> Attention:
    titles = {entry.plan.id: entry.plan.title for entry in library.entries()}
    found = concerns(today, titles)
    return Attention(found[:limit], len(found), titles, frozenset(c.item.plan_id for c in found))
