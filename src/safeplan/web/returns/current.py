"""The calendar as it stands: the store's current loads and the admin's cadences, read for
one day. Read-only; a store that cannot be read gives a note, never an error page."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from safeplan.config import settings
from safeplan.web.accounts.loads import LOADED_SQL, UNAVAILABLE, loaded_days, store_rows
from safeplan.web.returns.calendar import Cadence, Entry, Loaded, build
from safeplan.web.returns.models import Schedule

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Calendar:
    today: datetime.date
    entries: list[Entry] = field(default_factory=list)
    note: str = ""


def loaded(store_url: str | None = None) -> Loaded:
    """(return, collection year) → the UK day its current load was loaded."""
    return loaded_days(store_rows(store_url or settings().store_url, LOADED_SQL, []) or [])


def cadences() -> dict[str, Cadence]:
    """The cadences the admin has set, by template."""
    return {s.template: Cadence(s.frequency, s.working_days) for s in Schedule.objects.all()}


def calendar_on(today: datetime.date, store_url: str | None = None) -> Calendar:
    """Every expected return on ``today`` and where it stands."""
    try:
        found = loaded(store_url)
    except Exception:  # a store locked by a load, or a server that is down
        log.exception("cannot read the loads for the returns calendar")
        return Calendar(today, note=UNAVAILABLE)
    return Calendar(today, build(today, found, cadences()))
