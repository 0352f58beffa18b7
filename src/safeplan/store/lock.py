"""One writer at a time: an OS file lock beside an embedded store, waited for a bounded time.

Why a file lock (``fcntl.flock`` on ``<store>.lock``): the CLI, each web worker and each
management command are separate processes, so the lock must be the operating system's; the
kernel drops it when its holder exits, even when killed, so a crashed load never leaves the
store locked. A writer holds it for one transaction (one file's load, one batch of survey
answers), so a long CLI load lets a web upload or the survey in between its files.

The wait is bounded (``SAFEPLAN_STORE_WAIT``, in seconds): a writer that cannot have the lock
in time raises ``StoreBusy`` with a message to show, never a traceback.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

POLL = 0.01  # seconds between tries while another writer holds the lock
COURTESY = 0.02  # a writer that has just let go waits this long before taking it again
# (two polls: a writer of another process that waits gets its turn between two files)

Tell = Callable[[str], None]


class StoreBusy(Exception):
    """Another writer held the store for longer than the wait allowed; nothing was written."""


def waiting_message(wait: float) -> str:
    return f"the store is being written by another load; waiting up to {wait:g} s"


def busy_message(wait: float) -> str:
    return (
        f"the store was still being written by another load after {wait:g} s, so nothing "
        "more was written: try again when it has finished (SAFEPLAN_STORE_WAIT sets the wait)"
    )


def lock_path(store: Path) -> Path:
    return store.with_name(store.name + ".lock")


_released: dict[Path, float] = {}  # when this process last let go of each lock


@contextmanager
def held(store: Path, wait: float, tell: Tell | None = None) -> Iterator[None]:
    """The store's writer lock, waited for up to ``wait`` seconds (``tell`` is told once that
    it is waiting); raises ``StoreBusy`` if another writer keeps it longer."""
    path = lock_path(store)
    path.parent.mkdir(parents=True, exist_ok=True)
    gap = COURTESY - (time.monotonic() - _released.get(path, -COURTESY))
    if gap > 0:  # let a writer of another process that is waiting in first
        time.sleep(gap)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        _take(fd, wait, tell)
        yield
    finally:
        os.close(fd)  # closing the file lets go of the lock
        _released[path] = time.monotonic()


def _take(fd: int, wait: float, tell: Tell | None) -> None:
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        if time.monotonic() >= deadline:
            raise StoreBusy(busy_message(wait))
        if not told and tell is not None:
            tell(waiting_message(wait))
            told = True
        time.sleep(POLL)
