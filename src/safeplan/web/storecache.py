"""Figures computed from the store for the web pages, kept in memory per version of the store.

Why: a plan's figures take a second or more to compute over a large store, while the store
only changes when a file is loaded. Each computation is keyed by what it depends on plus the
store's version (``version``), so a new load starts new entries and nothing stale is served.

Which quarter is "latest": the store's latest collection year Y (the highest ``sp_loads.period``
among loaded files) gives January to March of Y, the last quarter of the financial year that
the year-Y returns cover (a 2025 return covers April 2024 to March 2025, so 2025-Q1). Pages
never run past the data the returns hold.

Pages read the store read-only (``store.db.open_read_only``): a load never makes them fail
nor waits for them. A store that is missing, or on a server that is down, gives a note for
the page to show, never an error page.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from safeplan.config import settings
from safeplan.measures.data import Source
from safeplan.measures.periods import Period
from safeplan.measures.periods import parse as parse_period
from safeplan.store.db import NoStore, open_read_only
from safeplan.store.url import parse

log = logging.getLogger(__name__)

T = TypeVar("T")
CACHE_SIZE = 256
NOT_YET = "Figures are not available yet: no data has been loaded."
UNAVAILABLE = "Figures are not available at the moment. Please try again later."


@dataclass(frozen=True)
class Computed(Generic[T]):
    """A computation's value with the store's latest quarter, or a note saying why not."""

    value: T | None
    latest: Period | None
    note: str = ""


def latest_period(source: Source) -> tuple[Period, int] | None:
    """The latest quarter the store covers and its latest load id; None with nothing loaded."""
    if not source.has("sp_loads"):
        return None
    loads = source.table("sp_loads")
    loads = loads.filter(loads.status == "loaded")
    rows = loads.group_by("period").aggregate(last=loads.load_id.max()).to_pyarrow().to_pylist()
    years = [str(r["period"]) for r in rows if re.fullmatch(r"\d{4}", str(r["period"]))]
    if not years:
        return None
    last_load = max(int(r["last"]) for r in rows)
    return parse_period(f"{max(years)}-Q1"), last_load


def open_source(url: str) -> Source | None:
    """The store read-only, or None when an embedded store has not been made yet."""
    try:
        return Source.connect(url)
    except NoStore:
        return None


def version(url: str) -> tuple[Hashable, ...] | None:
    """What changes whenever the store does, read without opening it: an embedded store's
    file stamps (each write renames a new file over it, so its inode changes even when its
    size and time do not), or a server's latest load and latest survey answer (the children's
    survey writes between loads). None: no store yet.

    Why: opening a large DuckDB file costs about 0.1 s, too much for every page view."""
    where = parse(url)
    if where.server:
        with open_read_only(url) as store:
            found = store.query(
                "SELECT to_regclass('sp_loads') IS NOT NULL, "
                "to_regclass('sp_survey_answers') IS NOT NULL"
            )[0]
            if not any(found):
                return None
            stamp: tuple[Hashable, ...] = ()
            if found[0]:
                stamp += tuple(store.query("SELECT max(load_id), count(*) FROM sp_loads")[0])
            if found[1]:  # the answer ids only grow: the primary key makes max() cheap
                row = store.query("SELECT max(answer_id) FROM sp_survey_answers")[0]
                stamp += ("survey", *row)
            return stamp
    try:
        s = where.path.stat()
    except FileNotFoundError:
        return None
    return (s.st_ino, s.st_dev, s.st_mtime_ns, s.st_size)


_cache: dict[tuple[Hashable, ...], Any] = {}
_lock = threading.Lock()


def from_store(
    key: tuple[Hashable, ...],
    compute: Callable[[Source, Period], T],
    store_url: str | None = None,
) -> Computed[T]:
    """``compute(source, latest_quarter)``, once per key per version of the store.

    One computation runs at a time (it bounds the store's load and the memory used); pages
    whose figures are already kept are served without opening the store."""
    url = store_url or settings().store_url
    try:
        stamp = version(url)
    except Exception:  # a server that is down
        log.exception("cannot reach the store %s", url)
        return Computed(None, None, UNAVAILABLE)
    if stamp is None:
        return Computed(None, None, NOT_YET)
    full_key = (url, stamp, *key)
    found: Computed[T] | None = _cache.get(full_key)
    if found is not None:
        return found
    with _lock:
        found = _cache.get(full_key)
        if found is None:
            found = _compute(url, key, compute)
            if not found.note:  # a passing problem is not remembered
                if len(_cache) >= CACHE_SIZE:
                    _cache.clear()
                _cache[full_key] = found
    return found


def kept(
    key: tuple[Hashable, ...],
    make: Callable[[], T],
    keep: Callable[[T], bool] = lambda _value: True,
    store_url: str | None = None,
) -> T:
    """``make()`` (a read that needs no computation), once per version of the store while
    ``keep`` says its value is worth keeping."""
    url = store_url or settings().store_url
    try:
        stamp = version(url)
    except Exception:
        return make()
    full_key = (url, stamp, "kept", *key)
    if full_key in _cache:
        value: T = _cache[full_key]
        return value
    value = make()
    if stamp is not None and keep(value):
        with _lock:
            _cache[full_key] = value
    return value


def _compute(
    url: str, key: tuple[Hashable, ...], compute: Callable[[Source, Period], T]
) -> Computed[T]:
    try:
        source = open_source(url)
    except Exception:  # a store locked by a load
        log.exception("cannot open the store %s", url)
        return Computed(None, None, UNAVAILABLE)
    if source is None:
        return Computed(None, None, NOT_YET)
    try:
        state = latest_period(source)
        if state is None:
            return Computed(None, None, NOT_YET)
        latest, _ = state
        return Computed(compute(source, latest), latest)
    except Exception:
        log.exception("cannot compute %r from the store", key)
        return Computed(None, None, UNAVAILABLE)
    finally:
        source.con.disconnect()


def clear_cache() -> None:
    with _lock:
        _cache.clear()
