"""The data-quality page: freshness of each source, findings by rule and source, quarantine.

The store is built by loading real files (the CIN census fixture, broken on purpose; a
partner file with known faults; a small synthetic partnership) at fixed times, so that the
freshness rule can be checked on fixed days. The page is checked against direct SQL, on
DuckDB and, when SAFEPLAN_TEST_POSTGRES is set, on PostgreSQL.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Self

import pytest
from django.test import Client

from safeplan.config import settings
from safeplan.ingest.pipeline import check
from safeplan.ingest.templates import TEMPLATES
from safeplan.store.db import connect
from safeplan.store.load import load_checked
from safeplan.synth import generate
from safeplan.web.accounts import loads
from safeplan.web.accounts.loads import DUE, NO_DATA, OVERDUE, UP_TO_DATE, freshness
from safeplan.web.returns import calendar
from tests.conftest import postgres_database
from tests.web.conftest import CIN_FIXTURE, make_user, text_of

KEY = b"test-data-quality"
HOSTILE = "<script>alert(1)</script>"  # an extra column's name, shown escaped or not at all
BAD_VALUES = ("ZZZZ", "2023-13-01", "'lost'", "2024-02-30", "TEST0001", "TEST0002", "SYN0000")
# The page's day: after the 2025 collection closed (1 August), so a statutory return with
# nothing newer than 2023 to 2024 is overdue.
TODAY = date(2025, 9, 1)
REPLACED_AT = datetime(2025, 5, 1, 9, 0)
CIN_AT = datetime(2025, 5, 2, 9, 0)
EARLY = datetime(2025, 6, 15, 9, 0)  # 78 days before TODAY: a quarterly file is due
LATE = datetime(2025, 8, 20, 9, 0)  # 12 days before TODAY
NOT_LOADED = "partner:case_audits"


# --- the freshness rule: the calendar's periods after the newest received ---------------------


def test_freshness_is_the_most_pressing_period_after_the_newest_received() -> None:
    cin = calendar.STATUTORY[0]
    loaded = {("cin_census", "2023"): date(2023, 6, 1), ("cin_census", "2025"): date(2025, 6, 1)}
    on = calendar.build(date(2026, 5, 1), loaded, returns=[cin])
    assert {e.expected.year: e.status for e in on} == {
        2023: calendar.RECEIVED,
        2024: calendar.OVERDUE,  # a gap: the calendar page shows it
        2025: calendar.RECEIVED,
        2026: calendar.DUE,
    }
    assert freshness(on) == DUE  # the gap is older than the newest data
    assert freshness([e for e in on if e.expected.year < 2026]) == UP_TO_DATE
    assert freshness([e for e in on if e.expected.year == 2024]) == OVERDUE
    assert freshness([]) == UP_TO_DATE


def test_every_source_has_a_plain_english_name() -> None:
    assert {"cin_census", "ssda903", "annex_a"} <= set(loads.SOURCES)
    for template in TEMPLATES.values():
        assert loads.SOURCES[f"partner:{template.name}"] == template.title
    assert all("_" not in title for title in loads.SOURCES.values())


# --- a store built from real files, at fixed times ----------------------------------------


def stamped(when: datetime) -> type[datetime]:
    """`datetime` whose now() is ``when`` (UTC): the loader stamps its loads with it."""

    class Clock(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> Self:
            return cls.combine(when.date(), when.time(), tz)

    return Clock


def partner_file(path: Path) -> Path:
    """A partner template file with known faults: a code that is not allowed, 30 February,
    a repeated episode, and an extra column whose name is markup."""
    template = TEMPLATES["missing_episodes"]
    base = {
        "episode_id": "E1",
        "child_id": "TEST0001",
        "date_of_birth": "2010-02-03",
        "looked_after": "N",
        "missing_type": "missing",
        "start_datetime": "2024-01-05T21:00:00",
        "end_datetime": "2024-01-06T09:30:00",
        "reported_by": "police",
        "rhi_offered_datetime": "2024-01-07T10:00:00",
        "rhi_accepted": "Y",
        "rhi_completed_datetime": "2024-01-08T16:00:00",
    }
    rows = [
        base,
        {**base, "episode_id": "E2", "missing_type": "lost"},
        {**base, "episode_id": "E3", "start_datetime": "2024-02-30T10:00:00"},
        {**base, "child_id": "TEST0002"},
    ]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=[*template.column_names, HOSTILE], restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


def files_to_load(folder: Path) -> list[tuple[Path, datetime]]:
    """Each file in the order loaded, with when: a broken CIN census replaced by a less
    broken one, the partner file, and a synthetic partnership without its CIN census (so the
    census is 2023 to 2024 only) or case audits (so that source has nothing loaded)."""
    cin = CIN_FIXTURE.read_text()
    replaced = folder / "cin_census_2024_first.xml"
    replaced.write_text(
        cin.replace("<Ethnicity>MWBC</Ethnicity>", "<Ethnicity>ZZZZ</Ethnicity>").replace(
            "<CINreferralDate>2023-09-01", "<CINreferralDate>2023-13-01"
        )
    )
    current = folder / "cin_census_2024.xml"
    current.write_text(
        cin.replace("<Ethnicity>MWBC</Ethnicity>", "<Ethnicity>ZZZZ</Ethnicity>").replace(
            "<LAchildID>TEST0002</LAchildID>", "<LAchildID>TEST0001</LAchildID>"
        )
    )
    out = [
        (replaced, REPLACED_AT),
        (current, CIN_AT),
        (partner_file(folder / "missing_episodes_2024.csv"), EARLY),
    ]
    synth = generate(folder / "synth", 20, 1, 7, end_year=2025)
    for path in synth.files:
        if path.suffix not in (".csv", ".xlsx") or path.name.startswith("case_audits"):
            continue
        out.append((path, EARLY if path.name.startswith("exploitation_screening") else LATE))
    return out


def build_store(url: str, folder: Path) -> None:
    with pytest.MonkeyPatch.context() as mp, connect(url) as store:
        for path, when in files_to_load(folder):
            mp.setattr("safeplan.store.load.datetime", stamped(when))
            checked = check(path)
            try:
                load_checked(store, checked, KEY)
            finally:
                checked.close()


@pytest.fixture(
    scope="module", params=["duckdb", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def built(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The store's URL: built once per module and kind of store."""
    folder = tmp_path_factory.mktemp("quality")
    if request.param == "duckdb":
        url = str(folder / "store.duckdb")
        build_store(url, folder)
        yield url
        return
    with postgres_database("safeplan_quality") as url:
        build_store(url, folder)
        yield url


@pytest.fixture
def store_url(built: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The built store, as the web app's store."""
    monkeypatch.setenv("SAFEPLAN_STORE", built)
    settings.cache_clear()
    return built


def query(url: str, sql: str) -> list[tuple[Any, ...]]:
    with connect(url) as store:
        return store.query(sql)


def current_findings(url: str) -> dict[tuple[str, str, str], tuple[int, int]]:
    """(source, rule, field) → (findings, files), counted here from the raw rows: only the
    findings of current loads (not those of a load a newer file replaced)."""
    loaded = query(url, "SELECT load_id, source, kind FROM sp_loads WHERE status = 'loaded'")
    source = {int(r[0]): str(r[2] if r[1] == "partner" else r[1]) for r in loaded}
    counts: Counter[tuple[str, str, str]] = Counter()
    files: dict[tuple[str, str, str], set[int]] = {}
    for load_id, rule, name in query(url, "SELECT load_id, rule, field FROM sp_findings"):
        if int(load_id) in source:
            key = (source[int(load_id)], str(rule), str(name or ""))
            counts[key] += 1
            files.setdefault(key, set()).add(int(load_id))
    return {k: (n, len(files[k])) for k, n in counts.items()}


# --- reading the page -----------------------------------------------------------------------


@dataclass
class Table:
    attrs: dict[str, str | None]
    rows: list[tuple[dict[str, str | None], list[str]]] = field(default_factory=list)


class Tables(HTMLParser):
    """Each table of a page: its attributes, and each body row's attributes and cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[Table] = []
        self._row: tuple[dict[str, str | None], list[str]] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append(Table(dict(attrs)))
        elif tag == "tr":
            self._row = (dict(attrs), [])
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row[1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].rows.append(self._row)
            self._row = None


def tables(html: bytes, kind: str) -> list[Table]:
    parser = Tables()
    parser.feed(html.decode("utf-8"))
    return [t for t in parser.tables if t.attrs.get("data-table") == kind]


def total(html: bytes, name: str) -> int:
    found = re.search(rf'data-total="{name}">\s*([\d,]+)', html.decode("utf-8"))
    assert found is not None, name
    return int(found.group(1).replace(",", ""))


@pytest.fixture
def analyst(db: None) -> Client:
    """A client signed in as an analyst (the data-quality page is for analysts and admins)."""
    client = Client()
    client.force_login(make_user("analyst", "ana"))
    return client


def page(analyst: Client, monkeypatch: pytest.MonkeyPatch, today: date = TODAY) -> bytes:
    """The data-quality page as the analyst sees it on ``today``."""
    monkeypatch.setattr("safeplan.web.accounts.pages.timezone.localdate", lambda: today)
    response = analyst.get("/data-quality/")
    assert response.status_code == 200
    return bytes(response.content)


# --- the page ---------------------------------------------------------------------------------


def test_each_source_shows_its_freshness_on_a_fixed_day(
    analyst: Client, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = page(analyst, monkeypatch)
    (table,) = tables(html, "freshness")
    assert table.attrs.get("class") == "govuk-table"
    shown = {attrs["data-source"]: cells for attrs, cells in table.rows if "data-source" in attrs}
    assert list(shown) == list(loads.SOURCES)  # every source, in the table's order
    status = {source: cells[-1] for source, cells in shown.items()}
    assert status["cin_census"] == OVERDUE  # 2023 to 2024 only, and the 2025 collection closed
    assert status["ssda903"] == UP_TO_DATE and status["annex_a"] == UP_TO_DATE
    assert status["partner:missing_episodes"] == UP_TO_DATE  # 2024-25's, loaded after it
    assert status["partner:exploitation_screening"] == UP_TO_DATE  # so is this, 78 days ago
    assert status[NOT_LOADED] == NO_DATA
    cin = shown["cin_census"]
    assert cin[0] == "Children in need census" and cin[2] == "2023 to 2024"
    assert cin[3] == "2 May 2025 (122 days ago)"
    assert shown["partner:exploitation_screening"][3] == "15 June 2025 (78 days ago)"
    assert shown[NOT_LOADED][2:4] == ["", ""]
    tag = r'<strong class="govuk-tag (govuk-tag--\w+)">\s*([^<]+?)\s*</strong>'
    colours = {text: colour for colour, text in re.findall(tag, html.decode("utf-8"))}
    assert colours[OVERDUE] == "govuk-tag--red" and colours[UP_TO_DATE] == "govuk-tag--green"
    assert colours[NO_DATA] == "govuk-tag--grey"
    spring = page(analyst, monkeypatch, date(2026, 5, 1))  # the 2025-26 returns are due
    colours = {text: colour for colour, text in re.findall(tag, spring.decode("utf-8"))}
    assert colours[DUE] == "govuk-tag--yellow"
    assert b'<th scope="col" class="govuk-table__header">Status</th>' in html
    assert b'class="sp-table-scroll"' in html


def test_freshness_moves_with_the_day(store_url: str) -> None:
    """Measured against the data's own years (2023-24 and 2024-25 here): the next year's
    statutory returns are due until their DfE deadline; the CIN census of 2024-25, a year the
    store holds, is overdue since 31 July 2025."""

    def status(today: date) -> dict[str, str]:
        return {f.source: f.status for f in loads.quality(today, store_url).freshness}

    spring = status(date(2026, 5, 1))  # the 2025-26 returns are being collected
    assert spring["ssda903"] == DUE and spring["annex_a"] == DUE
    assert spring["cin_census"] == OVERDUE
    assert spring["partner:population_estimates"] == UP_TO_DATE
    assert status(date(2025, 7, 31))["cin_census"] == DUE  # the deadline day itself
    assert status(date(2025, 3, 31))["cin_census"] == UP_TO_DATE  # 2024-25 not yet ended


def test_findings_are_counted_by_rule_and_source_over_current_loads(
    analyst: Client, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = page(analyst, monkeypatch)
    shown: dict[tuple[str, str, str], tuple[int, int]] = {}
    for table in tables(html, "findings"):
        source = str(table.attrs["data-source"])
        counts = []
        for _, cells in table.rows[1:]:  # the first row is the header
            rule, name, message, _severity, found, children, files = cells
            assert int(children.replace(",", "")) <= int(found.replace(",", ""))
            assert message and message != rule
            n, f = shown.get((source, rule, name), (0, 0))
            shown[(source, rule, name)] = (n + int(found.replace(",", "")), f + int(files))
            counts.append(int(found.replace(",", "")))
        assert counts == sorted(counts, reverse=True)  # most frequent first
    expected = current_findings(store_url)
    assert shown == expected
    assert ("cin_census", "CIN 4220", "Ethnicity") in shown  # ZZZZ, in the current return
    assert ("cin_census", "CIN 8510", "LAchildID") in shown  # the same child twice
    assert ("partner:missing_episodes", "SP-CODE", "missing_type") in shown
    # The replaced return's impossible date was found, but no longer counts.
    rules = {r[0] for r in query(store_url, "SELECT rule FROM sp_findings")}
    assert "SP-DATE" in rules
    assert not any(rule == "SP-DATE" for source, rule, _ in shown if source == "cin_census")
    assert total(html, "findings") == sum(n for n, _ in expected.values())
    words = text_of(html)
    assert "Ethnicity is missing or invalid (see Ethnicity table)" in words  # the DfE's words
    assert "Not one of the codes allowed for this field." in words


def test_the_quarantined_total_is_over_current_loads(
    analyst: Client, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = page(analyst, monkeypatch)
    loaded = "FROM sp_loads WHERE status = 'loaded'"
    current = int(query(store_url, f"SELECT sum(quarantined) {loaded}")[0][0])
    everything = int(query(store_url, "SELECT sum(quarantined) FROM sp_loads")[0][0])
    kept = query(
        store_url,
        f"SELECT count(*) FROM sp_quarantine WHERE load_id IN (SELECT load_id {loaded})",
    )
    assert 0 < current < everything and current == int(kept[0][0])
    assert total(html, "quarantined") == current
    assert total(html, "loads") == int(query(store_url, f"SELECT count(*) {loaded}")[0][0])
    assert total(html, "records") == int(query(store_url, f"SELECT sum(records) {loaded}")[0][0])
    assert b'class="govuk-summary-list"' in html and "Quarantined records" in text_of(html)


def test_the_loads_table_names_sources_and_replaced_loads_in_plain_english(
    analyst: Client, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    words = text_of(page(analyst, monkeypatch))
    assert "cin_census_2024_first.xml Children in need census 2023 to 2024 Replaced" in words
    assert "cin_census_2024.xml Children in need census 2023 to 2024 Current" in words
    assert "missing_episodes_2024.csv Missing episodes and return home interviews" in words


def test_no_record_level_data_reaches_the_page(
    analyst: Client, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = page(analyst, monkeypatch).decode("utf-8")
    pseudonyms = {
        str(r[0])
        for table in ("ssd_person", "ssd_cla_episodes", "sp_missing_episodes")
        for r in query(store_url, f"SELECT DISTINCT person_id FROM {table}")
        if r[0]
    }
    assert pseudonyms and not any(p in html for p in pseudonyms)
    assert not re.search(r"(?<![0-9a-f])[0-9a-f]{24}(?![0-9a-f])", html)  # nothing like one
    for value in BAD_VALUES:  # raw identifiers, and the values that findings quote
        assert value not in html, value
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_an_empty_busy_or_unreachable_store_gives_a_note_not_an_error(
    analyst: Client, safeplan_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not (safeplan_home / "store.duckdb").exists()
    words = text_of(page(analyst, monkeypatch))
    assert "No data has been loaded yet" in words
    assert words.count(NO_DATA) == len(loads.SOURCES)  # every source, with nothing loaded
    with connect(str(safeplan_home / "store.duckdb")) as busy:
        busy.ensure_schema([])
        with busy.transaction():  # a load part-way through: the page reads on
            busy.execute("CREATE TABLE sp_held (n INTEGER)")
            assert loads.quality(TODAY).note == loads.NOT_YET
            assert "No data has been loaded yet" in text_of(page(analyst, monkeypatch))
    monkeypatch.setenv("SAFEPLAN_STORE", "postgresql://nobody@127.0.0.1:1/none")
    settings.cache_clear()
    note = loads.quality(TODAY)
    assert note.note == loads.UNAVAILABLE and not note.freshness
    assert "cannot be read at the moment" in text_of(page(analyst, monkeypatch))
