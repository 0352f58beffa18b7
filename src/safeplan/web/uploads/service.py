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
"""

from __future__ import annotations

import logging
import re
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from safeplan.config import settings
from safeplan.ingest.findings import FileRefused, Finding, Level, Severity
from safeplan.store.db import Store, StoreBusy, connect
from safeplan.store.load import LoadResult, Prepared, load_files
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
    status: str  # "loaded" | "unchanged" | "refused"
    load_id: int | None = None
    records: int = 0
    quarantined: int = 0
    findings: int = 0
    replaced: list[int] = field(default_factory=list)
    message: str = ""  # why a file was refused, naming the place and the rule
    not_run: list[str] = field(default_factory=list)  # rules that could not run, and why
    set_files: list[str] = field(default_factory=list)  # the files checked with it as a set
    last_year: str = ""  # last year's return staged beside it for the continuity rules, or why not

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


def receive(files: list[Received], year: str | None = None) -> list[Outcome]:
    """Check and load each file; the outcomes in the order the files were sent."""
    home = settings().home / "uploads"
    home.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=home, prefix="incoming-") as tmp:
        paths = []
        for i, sent in enumerate(files):
            folder = Path(tmp) / f"{i:03d}"
            folder.mkdir()
            path = folder / safe_name(sent.name or "upload")
            with path.open("wb") as out:
                for chunk in sent.chunks():
                    out.write(chunk)
            paths.append(path)
        return _load(paths, year)


def _load(paths: list[Path], year: str | None) -> list[Outcome]:
    outcomes: dict[Path, Outcome] = {}
    sets: dict[Path, list[str]] = {}
    lasts: dict[Path, str] = {}

    def report(path: Path, done: LoadResult | FileRefused) -> None:
        outcomes[path] = _outcome(path.name, done, sets.get(path, []), lasts.get(path, ""))

    def checked(path: Path, prepared: Prepared) -> None:
        sets[path] = prepared.set_files
        lasts[path] = _for_upload(prepared.last_year)

    def load(store: Store) -> None:  # each file is its own transaction: resume where it was
        waiting = [p for p in paths if p not in outcomes]
        load_files(
            store, waiting, year, settings().key(), report, 1, together=True, checked=checked
        )

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


def _for_upload(text: str) -> str:
    """The command line's advice on last year's return, as it is for an upload."""
    return text.replace(", or --last-year DIR", "").replace(
        "give --last-year DIR, its folder of CSVs", "send last year's files with this year's"
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
