"""The calendar as it stands: the store's current loads and the admin's cadences, read for
one day. Read-only; a store that cannot be read gives a note, never an error page."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from safeplan.config import settings
from safeplan.web.accounts.loads import UNAVAILABLE, store_rows
from safeplan.web.returns.calendar import Cadence, Entry, Loaded, build
from safeplan.web.returns.models import Schedule

log = logging.getLogger(__name__)
UK = ZoneInfo("Europe/London")  # loads are stamped in UTC; a day is a UK day

# A partner file is its own return (its load's kind, ``partner:<template>``); a statutory
# return is its source, whatever its files (SSDA903 comes as several).
LOADED_SQL = (
    "SELECT CASE WHEN source = 'partner' THEN kind ELSE source END, period, max(loaded_at) "
    "FROM sp_loads WHERE status = 'loaded' AND period IS NOT NULL GROUP BY 1, 2"
)


@dataclass(frozen=True)
class Calendar:
    today: datetime.date
    entries: list[Entry] = field(default_factory=list)
    note: str = ""


def loaded(store_url: str | None = None) -> Loaded:
    """(return, collection year) → the UK day its current load was loaded."""
    rows = store_rows(store_url or settings().store_url, LOADED_SQL, []) or []
    out: dict[tuple[str, str], datetime.date] = {}
    for feed, period, stamp in rows:
        if stamp is None:
            continue
        at = stamp.replace(tzinfo=datetime.UTC) if stamp.tzinfo is None else stamp
        out[(str(feed), str(period))] = at.astimezone(UK).date()
    return out


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
