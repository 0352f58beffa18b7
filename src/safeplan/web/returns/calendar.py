"""The data-returns calendar, declared once: which agency supplies which file, for which
period, by when; and whether each is received, due or overdue on a given day.

Everything is measured against the period the data covers, not against today's clock alone:

- A statutory return covers a collection year (1 April to 31 March; "2025" is 2024 to 2025)
  and is due to the DfE on its collection date in the summer after (``STATUTORY``).
- A partner file covers a part of the collection year (a quarter by default; the admin sets
  each template's cadence, ``models.Schedule``) and is due a number of working days (Monday
  to Friday; bank holidays are not counted out) after its part ends.
- Received: the store has a current load (``sp_loads``, status 'loaded') of that return for
  that collection year, loaded after the part ended (a partner file is sent year to date,
  each file replacing the last). Due: not received, due date today or ahead. Overdue: not
  received, due date passed.
- Which periods are expected: every period of the collection years the store holds (its
  first to its latest, as the dashboard's "latest" year), once the period has ended; and any
  later period that has ended and is not yet past due. A year with nothing loaded whose
  returns are all past due is not listed (the dashboard shows how old the data is), and with
  nothing loaded at all nothing is expected.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from safeplan.ingest.templates import TEMPLATES
from safeplan.vocabulary import AgencyKind

RECEIVED, DUE, OVERDUE = "received", "due", "overdue"
ORDER = {OVERDUE: 0, DUE: 1, RECEIVED: 2}  # the page lists what is missing first


@dataclass(frozen=True)
class Return:
    """A kind of file the partnership is sent: its key as the store names its loads (the
    source, or ``partner:<template>`` for a partner file), its name and who supplies it."""

    feed: str
    title: str
    agency: str  # an AgencyKind: the analysts of agencies of this kind are responsible
    due: tuple[int, int] | None = None  # a statutory return's (month, day) after its year

    @property
    def statutory(self) -> bool:
        return self.due is not None


# The DfE's collection deadlines (gov.uk "Children in need census: guide to submitting data":
# 2024 to 2025 census opens 1 April 2025, data submitted by 31 July 2025). The SSDA903's
# deadline has moved between late May and the end of June over the years: 30 June is assumed.
# Annex A is Ofsted's, asked for at inspection: kept current yearly, with the CIN census.
STATUTORY: tuple[Return, ...] = (
    Return("cin_census", "Children in need census", AgencyKind.council, (7, 31)),
    Return("ssda903", "Children looked after return (SSDA903)", AgencyKind.council, (6, 30)),
    Return("annex_a", "Ofsted Annex A lists", AgencyKind.council, (7, 31)),
)
PARTNER: tuple[Return, ...] = tuple(
    Return(f"partner:{t.name}", t.title, AgencyKind(t.agency).value) for t in TEMPLATES.values()
)
RETURNS: tuple[Return, ...] = STATUTORY + PARTNER


@dataclass(frozen=True)
class Cadence:
    """How often a partner file comes: parts of the collection year, and working days after
    each part ends that it is due."""

    parts: int = 4
    working_days: int = 20


DEFAULTS: dict[str, Cadence] = {"population_estimates": Cadence(parts=1)}  # published yearly
DEFAULT = Cadence()


def cadence_of(template: str, set_by_admin: Mapping[str, Cadence]) -> Cadence:
    return set_by_admin.get(template) or DEFAULTS.get(template, DEFAULT)


def describe(ret: Return, set_by_admin: Mapping[str, Cadence]) -> tuple[str, str]:
    """How often ``ret`` is expected and by when, in words (label, rule), for the pages."""
    if ret.due is not None:
        deadline = datetime.date(2000, *ret.due)
        return "Yearly statutory return (April to March)", (
            f"Due by {deadline:%-d %B} after the year ends (the DfE's collection date)"
        )
    if not ret.feed.startswith("partner:"):
        return "Not in the calendar", "Not expected on a date"
    cadence = cadence_of(ret.feed.removeprefix("partner:"), set_by_admin)
    how = {4: "quarterly", 2: "every six months", 1: "yearly"}.get(cadence.parts, "")
    return f"Partner file, {how}", (
        f"Due {cadence.working_days} working days after each period ends"
    )


def add_working_days(day: datetime.date, n: int) -> datetime.date:
    """The n-th working day (Monday to Friday) after ``day``."""
    while n > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _month_start(year: int, month: int) -> datetime.date:
    """The first of a month counted on from January of ``year`` (month 13 is next January)."""
    return datetime.date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


@dataclass(frozen=True)
class Expected:
    """One return for one period: what the partnership waits for, and by when."""

    ret: Return
    year: int  # the collection year, as the year it ends
    part: int  # 1 to parts within the year
    parts: int
    start: datetime.date
    end: datetime.date
    due: datetime.date

    @property
    def period(self) -> str:
        """The period's key: "2025" for a whole year, "2025-Q1" or "2025-H2" for a part."""
        if self.parts == 1:
            return str(self.year)
        return f"{self.year}-{'Q' if self.parts == 4 else 'H'}{self.part}"

    @property
    def label(self) -> str:
        """The period as people say it: "2024 to 2025", or "April to June 2024"."""
        if self.parts == 1:
            return f"{self.year - 1} to {self.year}"
        first = f"{self.start:%B}" + (
            "" if self.start.year == self.end.year else f" {self.start.year}"
        )
        return f"{first} to {self.end:%B %Y}"


def expected(ret: Return, year: int, cadence: Cadence) -> list[Expected]:
    """Every period of ``ret`` in the collection year ending 31 March ``year``."""
    if ret.due is not None:
        start, end = datetime.date(year - 1, 4, 1), datetime.date(year, 3, 31)
        return [Expected(ret, year, 1, 1, start, end, datetime.date(year, *ret.due))]
    months = 12 // cadence.parts
    out = []
    for part in range(1, cadence.parts + 1):
        start = _month_start(year - 1, 4 + (part - 1) * months)
        end = _month_start(year - 1, 4 + part * months) - datetime.timedelta(days=1)
        due = add_working_days(end, cadence.working_days)
        out.append(Expected(ret, year, part, cadence.parts, start, end, due))
    return out


Loaded = Mapping[tuple[str, str], datetime.date]
"""(feed, collection year) → the day its current load was loaded (UK time)."""


@dataclass(frozen=True)
class Entry:
    """An expected return and where it stands on the day."""

    expected: Expected
    status: str  # RECEIVED, DUE or OVERDUE
    received_on: datetime.date | None = None

    @property
    def ret(self) -> Return:
        return self.expected.ret


def status(item: Expected, loaded: Loaded, today: datetime.date) -> Entry:
    """Received when the year's current load came after the period ended (any load of the
    year, for a whole-year return); otherwise due until its due date, overdue after."""
    got = loaded.get((item.ret.feed, str(item.year)))
    if got is not None and (item.parts == 1 or got > item.end):
        return Entry(item, RECEIVED, got)
    return Entry(item, DUE if today <= item.due else OVERDUE)


def collection_year(day: datetime.date) -> int:
    """The collection year a day falls in, as the year it ends (1 April 2025 is in 2026)."""
    return day.year + 1 if day.month >= 4 else day.year


def build(
    today: datetime.date,
    loaded: Loaded,
    cadences: Mapping[str, Cadence] | None = None,
    returns: Iterable[Return] = RETURNS,
) -> list[Entry]:
    """The calendar on ``today``: what is missing first (overdue, then due), soonest due date
    first within each; received last, newest period first."""
    years = [int(year) for _feed, year in loaded if year.isdigit()]
    if not years:
        return []  # nothing loaded: no period of the data's own to measure against
    first, latest, last = min(years), max(years), collection_year(today)
    out = []
    for ret in returns:
        cadence = cadence_of(ret.feed.removeprefix("partner:"), cadences or {})
        for year in range(first, last + 1):
            for item in expected(ret, year, cadence):
                if item.end >= today:
                    continue  # the period has not ended: nothing is owed yet
                if year > latest and item.due < today:
                    continue  # a year the store does not reach yet, past due: see above
                out.append(status(item, loaded, today))
    return sorted(out, key=_order)


def _order(entry: Entry) -> tuple[Any, ...]:
    due = entry.expected.due.toordinal()
    return (ORDER[entry.status], due if entry.status != RECEIVED else -due, entry.ret.title)
