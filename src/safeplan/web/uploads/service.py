"""Receiving uploaded files: the same checks and the same atomic, once-only load as
``safeplan load`` (``store.load.load_files``), file by file; the CSVs of one upload are
checked together as one return (a 903 return's files, so its cross-file rules run).

Why it is safe to take files from a browser: each file is written under a name we make (the
sender's name kept only for its kind and year), read by the same hardened readers as the
command line (no XML entities, size limits, zip-bomb checks), loaded in one transaction each
(a refused file changes nothing), and recognised by its hash (a file sent twice changes
nothing the second time). Loads are one at a time per process; a load of another process
(the CLI, another worker) makes the upload wait its turn, file by file, up to
SAFEPLAN_STORE_WAIT seconds, then say the store is busy. Pages go on reading meanwhile.

Replacing is a decision: an upload holding a file that would replace an earlier load loads
nothing at first. Its files are kept (``uploads/pending/<token>``) and the page shows what
each replacement changes; only the confirm button (``confirm``) loads them, replacing exactly
the loads shown, and a replacement that takes away most of the records also needs its box
ticked. Any load can be undone by an administrator (``undo``).
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import shutil
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from safeplan.config import settings
from safeplan.ingest.findings import FileRefused, Finding, Level, Severity
from safeplan.ingest.years import label
from safeplan.measures.catalogue import fed_by
from safeplan.store.db import Store, StoreBusy, connect
from safeplan.store.load import (
    LoadResult,
    Prepared,
    Replacement,
    Undone,
    load_one,
    prepare_files,
    replacement,
    undo_load,
)
from safeplan.web.accounts.loads import store_rows
from safeplan.web.survey.answers import feed as feed_answers

log = logging.getLogger(__name__)

MAX_FILES = 100  # Django's DATA_UPLOAD_MAX_NUMBER_FILES, said in words on the page
BUSY = (
    "The data store is busy with another load. Nothing from this file was loaded: "
    "try again in a minute."
)
_lock = threading.Lock()


class Received(Protocol):
    """An uploaded file as Django hands it over."""

    name: str | None
    size: int | None

    def chunks(self, chunk_size: int | None = None) -> Iterable[bytes]: ...


@dataclass(frozen=True)
class Outcome:
    """What became of one file: loaded, unchanged (sent before), or refused."""

    file: str
    status: str  # "loaded" | "unchanged" | "refused" | "held" (waits for a confirmation)
    load_id: int | None = None
    records: int = 0
    quarantined: int = 0
    findings: int = 0
    replaced: list[int] = field(default_factory=list)
    message: str = ""  # why a file was refused, naming the place and the rule
    not_run: list[str] = field(default_factory=list)  # rules that could not run, and why
    set_files: list[str] = field(default_factory=list)  # the files checked with it as a set
    last_year: str = ""  # last year's return staged beside it for the continuity rules, or why not
    change: dict[str, Any] = field(default_factory=dict)  # a held replacement: `change_data`

    def as_data(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Outcome:
        return cls(**data)


def safe_name(name: str) -> str:
    """The sender's file name reduced to letters, digits, dot, hyphen and underscore: the
    readers take a file's kind and year from its name, and nothing else of it is trusted."""
    base = Path(name.replace("\\", "/")).name
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "upload"
    return cleaned[-120:]


HELD = "Waits for the replacement below to be confirmed: nothing from this upload is loaded yet."


@dataclass(frozen=True)
class Sent:
    """What became of an upload: each file's outcome, and the token of its files kept while
    a replacement waits for confirmation ("" when nothing waits)."""

    outcomes: list[Outcome]
    pending: str = ""


def receive(files: list[Received], year: str | None = None) -> Sent:
    """Check each file and load it, unless one would replace an earlier load: then nothing
    loads and the files are kept for `confirm`; the outcomes in the order sent."""
    token = secrets.token_hex(16)
    folder = _pending(token)
    folder.mkdir(parents=True, mode=0o700)
    paths = []
    for i, sent in enumerate(files):
        path = folder / f"{i:03d}" / safe_name(sent.name or "upload")
        path.parent.mkdir()
        with path.open("wb") as out:
            for chunk in sent.chunks():
                out.write(chunk)
        paths.append(path)
    (folder / "upload.json").write_text(json.dumps({"year": year}), encoding="utf-8")
    outcomes = _load(paths, year, None, allow_fewer=False)
    if any(o.status == "held" for o in outcomes):
        return Sent(outcomes, token)
    shutil.rmtree(folder, ignore_errors=True)
    return Sent(outcomes)


def confirm(token: str, agreed: dict[str, list[int]], allow_fewer: bool) -> list[Outcome]:
    """Load an upload kept for confirmation, replacing exactly the loads shown for each file
    (``agreed``: file → load ids); a replacement that takes away most of the records only
    with ``allow_fewer``. The kept files are then removed."""
    folder = _pending(token)
    if not re.fullmatch(r"[0-9a-f]{32}", token) or not folder.is_dir():
        raise LookupError("this upload is no longer waiting for confirmation")
    year = json.loads((folder / "upload.json").read_text(encoding="utf-8"))["year"]
    paths = sorted(p for p in folder.glob("*/*") if p.is_file())
    try:
        return _load(paths, year, agreed, allow_fewer)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def discard(token: str) -> None:
    """Forget an upload kept for confirmation: nothing from it is loaded."""
    if re.fullmatch(r"[0-9a-f]{32}", token):
        shutil.rmtree(_pending(token), ignore_errors=True)


def undo(load_id: int, by: str) -> Undone:
    """Undo a load (`store.load.undo_load`), as an administrator asks on the page."""
    with _lock, connect(settings().store_url) as store:
        return undo_load(store, load_id, by)


def _pending(token: str) -> Path:
    return settings().home / "uploads" / "pending" / token


def change_data(change: Replacement) -> dict[str, Any]:
    """A replacement as the page shows it, kept with the upload (JSON)."""
    period = change.period
    return {
        "replaces": list(change.replaces),
        "year": label(int(period)) if period.isdigit() else period,
        "tables": [
            {"table": t, "before": change.before.get(t, 0), "after": change.after.get(t, 0)}
            for t in change.tables
        ],
        "records_before": change.records_before,
        "records_after": change.records_after,
        "fewer": change.shrinks,
        "measures": [m.title for m in fed_by(change.tables)],
    }


def _load(
    paths: list[Path], year: str | None, agreed: dict[str, list[int]] | None, allow_fewer: bool
) -> list[Outcome]:
    """Check the upload's files as one set, then hold them all (``agreed`` None and a file
    replaces an earlier load) or load them one by one."""
    outcomes: dict[Path, Outcome] = {}

    def decide(change: Replacement) -> bool:
        shown = (agreed or {}).get(change.file)
        return shown == list(change.replaces) and (allow_fewer or not change.shrinks)

    def load(store: Store) -> None:  # each file is its own transaction: resume where it was
        waiting = [p for p in paths if p not in outcomes]
        prepared = list(prepare_files(waiting, year, settings().key(), 1, together=True))
        changes: dict[Path, Replacement] = {}
        for path, ready in prepared:
            if isinstance(ready, Prepared) and (change := replacement(store, ready)):
                changes[path] = change
        for path, ready in prepared:
            sets = ready.set_files if isinstance(ready, Prepared) else []
            last = _for_upload(ready.last_year) if isinstance(ready, Prepared) else ""
            if changes and agreed is None and isinstance(ready, Prepared):
                change = changes.get(path)
                held = Outcome(path.name, "held", message="" if change else HELD)
                outcomes[path] = _held(held, change)
                continue
            outcomes[path] = _outcome(path.name, load_one(store, ready, decide), sets, last)

    with _lock:
        try:
            with connect(settings().store_url) as store:
                load(store)
        except StoreBusy:  # another load kept the store for all of SAFEPLAN_STORE_WAIT
            log.warning("the store stayed busy; %d files not loaded", len(paths) - len(outcomes))
    feed_answers()  # the survey's answers that came while the store was busy
    for path in paths:
        outcomes.setdefault(path, Outcome(path.name, "refused", message=BUSY))
    return [outcomes[p] for p in paths]


def _held(held: Outcome, change: Replacement | None) -> Outcome:
    """A held file's outcome with what its replacement would change."""
    if change is None:
        return held
    return Outcome(held.file, "held", replaced=list(change.replaces), change=change_data(change))


def _for_upload(text: str) -> str:
    """The command line's advice on last year's return and the reference lists, as it is
    for an upload (the lists are the service's settings, SAFEPLAN_POSTCODES and
    SAFEPLAN_PROVIDERS)."""
    return (
        text.replace(", or --last-year DIR", "")
        .replace(
            "give --last-year DIR, its folder of CSVs", "send last year's files with this year's"
        )
        .replace("--postcodes FILE or ", "")
        .replace("--providers FILE or ", "")
    )


def _outcome(
    name: str, done: LoadResult | FileRefused, set_files: list[str], last_year: str = ""
) -> Outcome:
    if isinstance(done, FileRefused):
        finding = done.finding
        return Outcome(name, "refused", message=str(finding).removeprefix(f"{finding.file}: "))
    return Outcome(
        name,
        "loaded" if done.status == "loaded" else "unchanged",
        done.load_id,
        done.records,
        done.quarantined,
        done.findings,
        list(done.replaced),
        not_run=[_for_upload(r) for r in done.not_run],
        set_files=set_files,
        last_year=last_year,
    )


FINDINGS_SQL = (
    "SELECT file, location, field, rule, message, level, severity, line, staging_table, "
    "child, value FROM sp_findings WHERE load_id = ? ORDER BY line, location"
)


def kind_of(load_id: int) -> str | None:
    """What a load is (``cin_census``, ``partner:missing_episodes``...); None if no such load."""
    rows = store_rows(
        settings().store_url, "SELECT kind FROM sp_loads WHERE load_id = ?", [load_id]
    )
    return str(rows[0][0]) if rows else None


def findings_of(load_id: int) -> list[Finding] | None:
    """Every finding of a load, as validation wrote it; None if the store has no such load."""
    known = store_rows(settings().store_url, "SELECT 1 FROM sp_loads WHERE load_id = ?", [load_id])
    if not known:
        return None
    rows = store_rows(settings().store_url, FINDINGS_SQL, [load_id]) or []
    return [
        Finding(
            str(r[0]),
            str(r[1] or ""),
            str(r[2] or ""),
            str(r[3]),
            str(r[4]),
            Level(r[5]),
            Severity(r[6]),
            r[7],
            str(r[8] or ""),
            None,
            str(r[9] or ""),
            str(r[10] or ""),
        )
        for r in rows
    ]
