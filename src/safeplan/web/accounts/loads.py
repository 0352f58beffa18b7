"""The store's loads (``sp_loads``) and their findings (``sp_findings``) for the dashboard and
the data-quality page: counts per file, per source and per rule, never a record. Read-only; a
store that is busy or missing gives a note instead of an error page."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from safeplan.config import settings
from safeplan.ingest.rules import RULES
from safeplan.ingest.templates import TEMPLATES
from safeplan.store.db import NoStore, open_read_only
from safeplan.web import storecache

log = logging.getLogger(__name__)

COLUMNS = (
    "load_id, status, kind, source, period, file_name, records, quarantined, findings, loaded_at"
)
NOT_YET = "No data has been loaded yet."
UNAVAILABLE = "The store cannot be read at the moment. Please try again later."
UK = ZoneInfo("Europe/London")  # loads are stamped in UTC; "days ago" counts UK days


@dataclass(frozen=True)
class Load:
    load_id: int
    status: str
    kind: str
    source: str
    period: str
    file_name: str
    records: int
    quarantined: int
    findings: int
    loaded_at: datetime | None

    @property
    def year(self) -> str:
        return year_label(self.period)

    @property
    def source_title(self) -> str:
        """The source in plain English (a partner file by its template's title)."""
        return title_of(self.kind if self.source == "partner" else self.source)


@dataclass(frozen=True)
class Loads:
    rows: list[Load] = field(default_factory=list)
    note: str = ""


Query = tuple[str, list[Any]]


def _results(url: str, queries: list[Query]) -> list[list[tuple[Any, ...]]] | None:
    """Each query's rows, over one read-only connection; None when the store has no loads
    table (nothing loaded yet, or no store at all)."""
    try:
        store = open_read_only(url)
    except NoStore:
        return None
    with store:
        found = store.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'sp_loads'")
        if not found:
            return None
        return [store.query(sql, params) for sql, params in queries]


def store_rows(url: str, sql: str, params: list[Any]) -> list[tuple[Any, ...]] | None:
    """One query's rows, read-only; None when nothing has been loaded."""
    results = _results(url, [(sql, params)])
    return None if results is None else results[0]


def latest(limit: int = 20, store_url: str | None = None) -> Loads:
    """The newest loads first, at most ``limit`` (read once per version of the store)."""
    url = store_url or settings().store_url
    return storecache.kept(
        ("loads", limit), lambda: _latest(limit, url), lambda found: found.note != UNAVAILABLE, url
    )


def _latest(limit: int, url: str) -> Loads:
    sql = f"SELECT {COLUMNS} FROM sp_loads ORDER BY load_id DESC LIMIT ?"
    try:
        rows = store_rows(url, sql, [limit])
    except Exception:  # a store locked by a load, or a server that is down
        log.exception("cannot read the loads from the store %s", url)
        return Loads(note=UNAVAILABLE)
    if not rows:
        return Loads(note=NOT_YET)
    return Loads(
        [
            Load(
                int(r[0]),
                str(r[1]),
                str(r[2]),
                str(r[3]),
                str(r[4] or ""),
                str(r[5]),
                int(r[6] or 0),
                int(r[7] or 0),
                int(r[8] or 0),
                r[9],
            )
            for r in rows
        ]
    )


# --- freshness: is each source's newest data as recent as it should be? -------------------


@dataclass(frozen=True)
class Cadence:
    """How often a source is expected, and so when its data is due and when overdue.

    A statutory return (``annual``) covers the year to 31 March and is collected from April
    to July, so it is judged by its collection year: up to date once the year just ended is
    loaded; due from 1 April while that year's collection is open; overdue from 1 August.
    Partner files come when the partner sends them, so they are judged by the days since
    one was last loaded: due after ``due_days``, overdue after ``overdue_days``.
    """

    label: str
    annual: bool = False
    due_days: int = 0
    overdue_days: int = 0

    @property
    def rule(self) -> str:
        """The rule in words, for the page (so the page cannot disagree with the code)."""
        if self.annual:
            return "Due from 1 April, overdue from 1 August, until the year just ended is loaded"
        return f"Due {self.due_days} days after the last file, overdue after {self.overdue_days}"


STATUTORY = Cadence("Yearly statutory return (April to March)", annual=True)
QUARTERLY = Cadence("Partner file, at least quarterly", due_days=70, overdue_days=100)
YEARLY = Cadence("Partner file, yearly", due_days=365, overdue_days=400)
YEAR_ENDED = (4, 1)  # (month, day) from which the year to 31 March has ended: its return is due
COLLECTION_CLOSED = (8, 1)  # and from which the DfE's collection has closed: it is overdue

SOURCES: dict[str, tuple[str, Cadence]] = {
    "cin_census": ("Children in need census", STATUTORY),
    "ssda903": ("Children looked after return (SSDA903)", STATUTORY),
    "annex_a": ("Ofsted Annex A lists", STATUTORY),
    **{
        f"partner:{t.name}": (t.title, YEARLY if t.name == "population_estimates" else QUARTERLY)
        for t in TEMPLATES.values()
    },
}
"""Every source the page reports, in the order shown: its plain-English name and cadence.
The freshness rule, in one place: statutory returns by collection year, partner files by
days since the last file (population estimates are published once a year)."""


def _feed(of: str = "") -> str:
    """SQL for a load's source as `SOURCES` keys it: each partner template is a source of its
    own (``partner:<template>``, the load's kind); ``of`` is the table alias with its dot."""
    return f"CASE WHEN {of}source = 'partner' THEN {of}kind ELSE {of}source END"


UP_TO_DATE, DUE, OVERDUE, NO_DATA = "Up to date", "Due", "Overdue", "No data loaded"


def freshness(cadence: Cadence, period: str, last_loaded: date, today: date) -> str:
    """`UP_TO_DATE`, `DUE` or `OVERDUE` for a source whose newest collection year is
    ``period`` (the year it ends: "2024" is 2023 to 2024) and whose last file was loaded on
    ``last_loaded``; ``today`` is a parameter so that the rule can be tested on fixed dates."""
    if cadence.annual:
        year = int(period) if period.isdigit() else 0
        ended = today.year if (today.month, today.day) >= YEAR_ENDED else today.year - 1
        closed = today.year if (today.month, today.day) >= COLLECTION_CLOSED else today.year - 1
        if year >= ended:
            return UP_TO_DATE
        return DUE if year >= closed else OVERDUE
    days = (today - last_loaded).days
    if days > cadence.overdue_days:
        return OVERDUE
    return DUE if days > cadence.due_days else UP_TO_DATE


@dataclass(frozen=True)
class Freshness:
    """How recent one source's data is: what an analyst chases partners and the council for."""

    source: str
    title: str
    cadence: Cadence
    status: str  # UP_TO_DATE, DUE, OVERDUE or NO_DATA
    period: str = ""  # the newest collection year loaded, as the year it ends
    loaded_at: datetime | None = None  # when a file of this source was last loaded (UTC)
    days_ago: int | None = None

    @property
    def year(self) -> str:
        return year_label(self.period)

    @property
    def ago(self) -> str:
        if self.days_ago is None:
            return ""
        if self.days_ago <= 0:
            return "Today"
        return "1 day ago" if self.days_ago == 1 else f"{self.days_ago:,} days ago"


# --- findings by rule: what the current loads' files got wrong, counted ---------------------

OWN_RULES = {
    "SP-REQUIRED": "A required value is missing or blank.",
    "SP-DATE": "Not a real date in the form the return uses.",
    "SP-TIMESTAMP": "Not a date and time like 2024-05-23T11:14:05.",
    "SP-INT": "Not a whole number, or a negative one.",
    "SP-FLOAT": "Not a number.",
    "SP-BOOL": "Not a yes/no value (true/false, 1/0 or Y/N).",
    "SP-CODE": "Not one of the codes allowed for this field.",
    "SP-DUPLICATE": "The record repeats an earlier one with the same key.",
    "SP-CSV-EXTRA": "A column that is not part of the file's format; it was ignored.",
    "SP-CSV-SHAPE": "A row has a different number of values from the header.",
    "SP-XML-ELEMENT": "An element that is not part of the CIN census there; it was ignored.",
    "SP-ANNEXA-SHEET": "A sheet that is not an Annex A list; it was ignored.",
}
"""SafePlan's own checks in words. A finding's stored message may quote the value it found
(a date, a code, a row), which this page must not show, so each rule has one message here."""
DFE_RULES = {rule.label: rule.message for rule in RULES}  # the DfE's wording, never a value
UNKNOWN_RULE = "Run safeplan validate on the file to see each finding of this rule."
FIELD_CHARS = 60  # a field named by the file (an extra column) is cut short to this


@dataclass(frozen=True)
class RuleCount:
    """One rule's findings in one source's current files: counts and words, never a value."""

    rule: str
    field: str
    message: str
    severity: str  # error (records quarantined) or warning (records kept)
    findings: int
    files: int
    children: int = 0  # children with a finding of the rule (by pseudonym): whom to correct


@dataclass(frozen=True)
class SourceFindings:
    source: str
    title: str
    rules: list[RuleCount]

    @property
    def findings(self) -> int:
        return sum(r.findings for r in self.rules)


@dataclass(frozen=True)
class Totals:
    """The current loads summed: files, records kept, findings, and records quarantined."""

    loads: int = 0
    records: int = 0
    findings: int = 0
    quarantined: int = 0


@dataclass(frozen=True)
class Quality:
    """The data-quality page's figures, all over current loads (a load replaced by a newer
    file of the same return no longer counts)."""

    totals: Totals = field(default_factory=Totals)
    freshness: list[Freshness] = field(default_factory=list)
    findings: list[SourceFindings] = field(default_factory=list)
    note: str = ""


def year_label(period: str) -> str:
    """A collection year as people say it: "2024" (the year it ends) is "2023 to 2024"."""
    return f"{int(period) - 1} to {period}" if period.isdigit() else period


def title_of(source: str) -> str:
    """A source's plain-English name; a source this version does not know keeps its key."""
    return SOURCES[source][0] if source in SOURCES else source


def message_of(rule: str) -> str:
    """A rule's own words (the DfE's or SafePlan's): never the stored message, which may
    quote a value from the file."""
    return DFE_RULES.get(rule) or OWN_RULES.get(rule) or UNKNOWN_RULE


def _field(name: str) -> str:
    return name if len(name) <= FIELD_CHARS else name[: FIELD_CHARS - 1] + "…"


TOTALS_SQL = (
    "SELECT count(*), coalesce(sum(records), 0), coalesce(sum(findings), 0), "
    "coalesce(sum(quarantined), 0) FROM sp_loads WHERE status = 'loaded'"
)
FRESHNESS_SQL = (
    f"SELECT {_feed()} AS feed, max(period), max(loaded_at) FROM sp_loads "
    "WHERE status = 'loaded' GROUP BY 1"
)
FINDINGS_SQL = (
    f"SELECT {_feed('l.')} AS feed, "
    "coalesce(f.rule, ''), coalesce(f.field, ''), coalesce(f.severity, ''), count(*), "
    "count(DISTINCT f.load_id), count(DISTINCT NULLIF(f.child, '')) "
    "FROM sp_findings f JOIN sp_loads l ON l.load_id = f.load_id WHERE l.status = 'loaded' "
    "GROUP BY 1, 2, 3, 4 ORDER BY 1, 5 DESC, 2, 3, 4"
)


def quality(today: date, store_url: str | None = None) -> Quality:
    """Totals, each source's freshness on ``today`` and findings counted by rule and source."""
    url = store_url or settings().store_url
    try:
        results = _results(url, [(TOTALS_SQL, []), (FRESHNESS_SQL, []), (FINDINGS_SQL, [])])
    except Exception:  # a store locked by a load, or a server that is down
        log.exception("cannot read the data quality from the store %s", url)
        return Quality(note=UNAVAILABLE)
    if results is None or not results[0] or not results[0][0][0]:
        return Quality(freshness=_freshness([], today), note=NOT_YET)
    totals, fresh, found = results
    by_source: dict[str, list[RuleCount]] = {}
    for feed, rule, name, severity, n, files, children in found:
        by_source.setdefault(str(feed), []).append(
            RuleCount(
                rule, _field(name), message_of(rule), severity, int(n), int(files), int(children)
            )
        )
    order = list(SOURCES) + sorted(set(by_source) - set(SOURCES))
    return Quality(
        Totals(*(int(v) for v in totals[0])),
        _freshness(fresh, today),
        [SourceFindings(s, title_of(s), by_source[s]) for s in order if s in by_source],
    )


def _freshness(rows: list[tuple[Any, ...]], today: date) -> list[Freshness]:
    """Every known source, then any other the store holds; those never loaded say so."""
    seen = {str(r[0]): (str(r[1] or ""), r[2]) for r in rows}
    out = []
    for source in [*SOURCES, *sorted(set(seen) - set(SOURCES))]:
        title, cadence = SOURCES.get(source, (source, QUARTERLY))
        if source not in seen or seen[source][1] is None:
            out.append(Freshness(source, title, cadence, NO_DATA))
            continue
        period, stamp = seen[source]
        loaded_at = stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp
        day = loaded_at.astimezone(UK).date()
        status = freshness(cadence, period, day, today)
        out.append(Freshness(source, title, cadence, status, period, loaded_at, (today - day).days))
    return out
