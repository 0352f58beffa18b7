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
from safeplan.store.db import NoStore, open_read_only
from safeplan.web import storecache
from safeplan.web.returns import calendar

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
    """How often a source is expected, in words; the data-returns calendar
    (``safeplan.web.returns.calendar``) decides what is due and when."""

    label: str
    rule: str


SOURCES: dict[str, str] = {ret.feed: ret.title for ret in calendar.RETURNS}
"""Every source the page reports, in the order shown, by its plain-English name: the returns
of the calendar, each partner template a source of its own."""


def _feed(of: str = "") -> str:
    """SQL for a load's source as `SOURCES` keys it: each partner template is a source of its
    own (``partner:<template>``, the load's kind); ``of`` is the table alias with its dot."""
    return f"CASE WHEN {of}source = 'partner' THEN {of}kind ELSE {of}source END"


UP_TO_DATE, DUE, OVERDUE, NO_DATA = "Up to date", "Due", "Overdue", "No data loaded"


def freshness(entries: list[calendar.Entry]) -> str:
    """`UP_TO_DATE`, `DUE` or `OVERDUE` for one source, from its calendar entries: the most
    pressing of the periods after its newest one received (an older gap is the calendar
    page's to show, not a sign of stale data)."""
    newest = max((e.expected.end for e in entries if e.status == calendar.RECEIVED), default=None)
    later = {e.status for e in entries if newest is None or e.expected.end > newest}
    if calendar.OVERDUE in later:
        return OVERDUE
    return DUE if calendar.DUE in later else UP_TO_DATE


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
    return SOURCES.get(source, source)


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
LOADED_SQL = (
    f"SELECT {_feed()} AS feed, period, max(loaded_at) FROM sp_loads "
    "WHERE status = 'loaded' AND period IS NOT NULL GROUP BY 1, 2"
)
"""Each return's current loads by collection year, for the data-returns calendar."""
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
        queries: list[Query] = [
            (TOTALS_SQL, []),
            (FRESHNESS_SQL, []),
            (LOADED_SQL, []),
            (FINDINGS_SQL, []),
        ]
        results = _results(url, queries)
    except Exception:  # a store locked by a load, or a server that is down
        log.exception("cannot read the data quality from the store %s", url)
        return Quality(note=UNAVAILABLE)
    if results is None or not results[0] or not results[0][0][0]:
        return Quality(freshness=_freshness([], {}, today), note=NOT_YET)
    totals, fresh, by_year, found = results
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
        _freshness(fresh, loaded_days(by_year), today),
        [SourceFindings(s, title_of(s), by_source[s]) for s in order if s in by_source],
    )


def loaded_days(rows: list[tuple[Any, ...]]) -> calendar.Loaded:
    """`LOADED_SQL`'s rows as the calendar reads them: (return, year) → the UK day loaded."""
    out: dict[tuple[str, str], date] = {}
    for feed, period, stamp in rows:
        if stamp is not None:
            at = stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp
            out[(str(feed), str(period))] = at.astimezone(UK).date()
    return out


def _freshness(
    rows: list[tuple[Any, ...]], by_year: calendar.Loaded, today: date
) -> list[Freshness]:
    """Every known source, then any other the store holds; those never loaded say so."""
    from safeplan.web.returns.current import cadences  # the admin's: a model (the web app's)

    set_by_admin = cadences()
    entries: dict[str, list[calendar.Entry]] = {}
    for entry in calendar.build(today, by_year, set_by_admin):
        entries.setdefault(entry.ret.feed, []).append(entry)
    rets = {ret.feed: ret for ret in calendar.RETURNS}
    seen = {str(r[0]): (str(r[1] or ""), r[2]) for r in rows}
    out = []
    for source in [*SOURCES, *sorted(set(seen) - set(SOURCES))]:
        ret = rets.get(source, calendar.Return(source, source, ""))
        cadence = Cadence(*calendar.describe(ret, set_by_admin))
        if source not in seen or seen[source][1] is None:
            out.append(Freshness(source, ret.title, cadence, NO_DATA))
            continue
        period, stamp = seen[source]
        loaded_at = stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp
        day = loaded_at.astimezone(UK).date()
        status = freshness(entries.get(source, []))
        out.append(
            Freshness(source, ret.title, cadence, status, period, loaded_at, (today - day).days)
        )
    return out
