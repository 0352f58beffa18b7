"""The survey's answers in the store: written one row per answered question, read back as
counts for the results page and as the ``children_confident_to_report`` measure.

What a row holds: an answer number, the plan, the setting's name, the question's key, the
answer, the age band the child chose and the day. Nothing else: no name, no free text, no
address, no time of day and no response id, so no row points to a child. (A child's answers
are written together, so their answer numbers follow on; the pages count answers per
question and never show the numbers.)

Why the store and not the web app's database: the measures read the store, so answers count
in the measure, its breakdowns and the scorecard once they are there. Why the web app's
database first: it takes an answer at once, while the store may be busy with a load for a
while, and a child's answer is never refused (``write``, then ``feed``).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from safeplan.config import settings
from safeplan.measures.catalogue import catalogue
from safeplan.measures.engine import Result, compute
from safeplan.measures.periods import Period, make
from safeplan.measures.public import Published, publishable
from safeplan.measures.suppression import DEFAULT_THRESHOLD, SUPPRESSED, Cell, protect
from safeplan.store.db import NoStore, StoreBusy, connect, open_read_only
from safeplan.web import storecache
from safeplan.web.survey.questions import ANSWERS, MEASURE_QUESTION

log = logging.getLogger(__name__)

TABLE: Final = "sp_survey_answers"
MEASURE: Final = "children_confident_to_report"
DDL: Final = (
    "CREATE SEQUENCE IF NOT EXISTS sp_survey_answer_ids",
    f"CREATE TABLE IF NOT EXISTS {TABLE} ("
    "answer_id BIGINT PRIMARY KEY DEFAULT nextval('sp_survey_answer_ids'), "
    "plan_id VARCHAR NOT NULL, "
    "setting VARCHAR NOT NULL, "
    "question VARCHAR NOT NULL, "
    "answer VARCHAR NOT NULL, "
    "age_band VARCHAR NOT NULL, "
    "answered_on DATE NOT NULL)",
)
INSERT: Final = (
    f"INSERT INTO {TABLE} (plan_id, setting, question, answer, age_band, answered_on) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
BATCHES: Final = "sp_survey_batches"  # each feed's batch once stored: none is stored twice
BATCHES_DDL: Final = (
    f"CREATE TABLE IF NOT EXISTS {BATCHES} (batch VARCHAR PRIMARY KEY, answers BIGINT NOT NULL)"
)
# How long a child's answer waits for the store before staying in the web app's database for
# the next feed: the child is thanked at once either way.
FEED_WAIT: Final = 0.5
UNAVAILABLE = "The survey's results cannot be read at the moment. Please try again later."
_lock = threading.Lock()


def write(
    plan_id: str,
    setting: str,
    answers: Sequence[tuple[str, str]],
    age_band: str,
    day: date,
    store_url: str | None = None,
) -> int:
    """Keep a child's answers, one row per (question, answer), in the web app's database
    (one transaction, never refused for a busy store), then feed the waiting answers to the
    store if it is free within ``FEED_WAIT``; the number of answers stored now (0: they wait
    for the next feed)."""
    from django.db import transaction

    from safeplan.web.survey.models import PendingAnswer

    with transaction.atomic():
        PendingAnswer.objects.bulk_create(
            PendingAnswer(
                plan_id=plan_id,
                setting=setting,
                question=question,
                answer=answer,
                age_band=age_band,
                answered_on=day,
            )
            for question, answer in answers
        )
    try:
        return feed(store_url, FEED_WAIT)
    except Exception:  # kept all the same: the next feed takes them
        log.exception("cannot feed the survey's answers to the store now")
        return 0


def feed(store_url: str | None = None, wait: float | None = None) -> int:
    """Move the answers waiting in the web app's database to the store, each exactly once;
    the number stored. Never raises for a busy store: the answers wait for the next feed
    (the next answer, the next upload, the results page, or ``python -m safeplan.web
    feed_answers``).

    Exactly once across processes and crashes: a feed first claims the unclaimed answers
    under a new batch name (one UPDATE, so each answer is in one batch); then, in one store
    transaction under the writer lock, it stores every batch the store has not recorded in
    ``sp_survey_batches`` and records it; only then are the batches deleted here. A feed cut
    short after the store's commit leaves rows the next feed sees are stored, and deletes."""
    from safeplan.web.survey.models import PendingAnswer

    url = store_url or settings().store_url
    with _lock:  # one feed per process; other processes' feeds are kept apart by the store
        if not PendingAnswer.objects.exists():
            return 0
        PendingAnswer.objects.filter(batch="").update(batch=uuid.uuid4().hex)
        stored = 0
        batches: list[str] = []
        try:
            with connect(url, wait=wait) as store, store.transaction():
                for ddl in (*DDL, BATCHES_DDL):
                    store.execute(ddl)
                batches = sorted(set(PendingAnswer.objects.values_list("batch", flat=True)))
                done = {str(r[0]) for r in store.query(f"SELECT batch FROM {BATCHES}")}
                for batch in batches:
                    if batch in done:
                        continue
                    rows = list(
                        PendingAnswer.objects.filter(batch=batch)
                        .order_by("pk")
                        .values_list(
                            "plan_id", "setting", "question", "answer", "age_band", "answered_on"
                        )
                    )
                    for row in rows:
                        store.execute(INSERT, row)
                    store.execute(f"INSERT INTO {BATCHES} VALUES (?, ?)", [batch, len(rows)])
                    stored += len(rows)
        except StoreBusy:
            log.info("the store is busy; the survey's answers wait for the next feed")
            return 0
        PendingAnswer.objects.filter(batch__in=batches).delete()
        return stored


def store_batches(store_url: str | None = None) -> list[str]:
    """The batches of answers the store has taken, in name order (none before the first)."""
    try:
        with open_read_only(store_url or settings().store_url) as store:
            found = store.query(
                "SELECT 1 FROM information_schema.tables WHERE table_name = ?", [BATCHES]
            )
            return (
                [str(r[0]) for r in store.query(f"SELECT batch FROM {BATCHES} ORDER BY 1")]
                if found
                else []
            )
    except NoStore:
        return []


def waiting() -> int:
    """How many answers wait in the web app's database for the store."""
    from safeplan.web.survey.models import PendingAnswer

    return PendingAnswer.objects.count()


def quarter_of(day: date) -> Period:
    return make("quarter", date(day.year, (day.month - 1) // 3 * 3 + 3, 1))


Key = tuple[str, str, str, str, str]  # (plan, question, setting, age band, answer)


@dataclass(frozen=True)
class Tally:
    """The latest quarter's answers, counted, and the measure they feed for that quarter."""

    period: Period | None
    counts: Mapping[Key, int]
    measure: tuple[Result, ...] = ()
    note: str = ""


def tally(store_url: str | None = None) -> Tally:
    """Counted once per version of the store (a new answer changes the version)."""
    url = store_url or settings().store_url
    return storecache.kept(("survey-tally",), lambda: _tally(url), lambda t: not t.note, url)


def _tally(url: str) -> Tally:
    try:
        source = storecache.open_source(url)
    except Exception:  # a store locked by a load, or a server that is down
        log.exception("cannot open the store %s", url)
        return Tally(None, {}, note=UNAVAILABLE)
    if source is None:
        return Tally(None, {})
    try:
        if not source.has(TABLE):
            return Tally(None, {})
        t = source.table(TABLE)
        last = t.answered_on.max().to_pyarrow().as_py()
        if last is None:
            return Tally(None, {})
        period = quarter_of(last)
        q = t.filter((t.answered_on >= period.start) & (t.answered_on <= period.end))
        keys = ["plan_id", "question", "setting", "age_band", "answer"]
        rows = q.group_by(keys).aggregate(n=q.count()).to_pyarrow().to_pylist()
        counts: dict[Key, int] = {
            (
                str(r["plan_id"]),
                str(r["question"]),
                str(r["setting"]),
                str(r["age_band"]),
                str(r["answer"]),
            ): int(r["n"])
            for r in rows
        }
        measure = catalogue()[MEASURE]
        results = compute(source, [measure], [period], ["agency", "age_band"])
        return Tally(period, counts, tuple(results))
    except Exception:
        log.exception("cannot count the survey's answers in %s", url)
        return Tally(None, {}, note=UNAVAILABLE)
    finally:
        source.con.disconnect()


# --- results with small numbers withheld ----------------------------------------------------

ANSWER_KEYS = tuple(key for key, _ in ANSWERS)
ALL: Final = "all"
COLUMNS = (*ANSWER_KEYS, ALL)
TOTAL_ROW: Final = ("total", "All")
FAMILIES = ("setting", "age_band")  # the breakdowns shown, each partitioning the total
Row = tuple[str, str]  # (breakdown, group)
Coord = tuple[Row, str]  # (row, column)


@dataclass(frozen=True)
class Line:
    """One row of a question's table: each column's text ("12 (40%)", "0" or "c")."""

    breakdown: str
    group: str
    cells: tuple[str, ...]  # yes, not sure, no, all answers


@dataclass(frozen=True)
class QuestionTable:
    key: str
    text: str
    lines: tuple[Line, ...]
    feeds_measure: bool

    @property
    def answered(self) -> bool:
        return any(line.cells[-1] != "0" for line in self.lines)


def withheld(grid: Mapping[Coord, int], rows: Sequence[Row]) -> set[Coord]:
    """The cells to withhold from a question's table, by the DfE rules of
    ``measures.suppression.protect`` applied to every line that adds up: each row's answers
    to its row total, and each column's groups of a breakdown to the column's total. Lines
    are protected again until none changes, so no withheld cell can be worked out from the
    cells shown along any line.

    A cell already withheld is given to ``protect`` as a small count (its own, at most the
    threshold), which ``protect`` withholds in turn, so each pass builds on the last."""
    lines = [((row, ALL), [(row, col) for col in ANSWER_KEYS]) for row in rows]
    for family in FAMILIES:
        members = [row for row in rows if row[0] == family]
        if members:
            lines += [((TOTAL_ROW, col), [(m, col) for m in members]) for col in COLUMNS]
    hidden: set[Coord] = set()
    changed = True
    while changed:
        changed = False
        for head, parts in lines:
            coords = [head, *parts]
            cells = [
                Cell("total" if i == 0 else "part", str(i), _fed(grid, c, hidden), None)
                for i, c in enumerate(coords)
            ]
            for coord, done in zip(coords, protect(cells), strict=True):
                if done.reason and coord not in hidden:
                    hidden.add(coord)
                    changed = True
    return hidden


def _fed(grid: Mapping[Coord, int], coord: Coord, hidden: set[Coord]) -> int:
    count = grid.get(coord, 0)
    return min(count, DEFAULT_THRESHOLD) if coord in hidden else count


def question_table(
    key: str, text: str, counts: Mapping[tuple[str, str, str], int]
) -> QuestionTable:
    """A question's answers in total, by setting and by age band, small numbers withheld.
    ``counts`` maps (setting, age band, answer) to how many gave it."""
    grid: dict[Coord, int] = {}
    settings_seen: set[str] = set()
    bands_seen: set[str] = set()
    for (setting, band, answer), n in counts.items():
        if answer not in ANSWER_KEYS:
            continue
        settings_seen.add(setting)
        bands_seen.add(band)
        for row in (TOTAL_ROW, ("setting", setting), ("age_band", band)):
            for col in (answer, ALL):
                grid[(row, col)] = grid.get((row, col), 0) + n
    rows = [
        TOTAL_ROW,
        *(("setting", s) for s in sorted(settings_seen)),
        *(("age_band", b) for b in sorted(bands_seen, key=_band_order)),
    ]
    hidden = withheld(grid, rows)
    lines = []
    for row in rows:
        whole = grid.get((row, ALL), 0)
        cells = []
        for col in COLUMNS:
            n = grid.get((row, col), 0)
            if (row, col) in hidden:
                cells.append(SUPPRESSED)
            elif col != ALL and n and (row, ALL) not in hidden:
                cells.append(f"{n:,} ({100 * n / whole:.0f}%)")
            else:
                cells.append(f"{n:,}")
        lines.append(Line(row[0], row[1], tuple(cells)))
    return QuestionTable(key, text, tuple(lines), key == MEASURE_QUESTION)


def _band_order(band: str) -> tuple[int, str]:
    from safeplan.measures.data import AGE_BANDS

    return (AGE_BANDS.index(band), band) if band in AGE_BANDS else (len(AGE_BANDS), band)


def plan_counts(tally: Tally, plan_id: str) -> dict[str, dict[tuple[str, str, str], int]]:
    """The plan's counts by question: question → (setting, age band, answer) → count."""
    out: dict[str, dict[tuple[str, str, str], int]] = {}
    for (plan, question, setting, band, answer), n in tally.counts.items():
        if plan == plan_id:
            out.setdefault(question, {})[(setting, band, answer)] = n
    return out


def measure_figures(results: Iterable[Result]) -> list[Published]:
    """The measure's total, by setting and by age band, suppressed as public figures are."""
    order = {"total": 0, "agency": 1, "age_band": 2}
    found = publishable(results)
    return sorted(
        found,
        key=lambda p: (
            order.get(p.result.breakdown, 3),
            _band_order(p.result.group)
            if p.result.breakdown == "age_band"
            else (0, p.result.group),
        ),
    )
