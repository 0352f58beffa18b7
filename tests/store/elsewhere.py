"""Another process holding the store: a reader with it open read-only, or a writer part-way
through a transaction. Real processes (not threads, not mocks): DuckDB's and the writer lock's
rules are per process."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

READER = """
import sys
import threading
from safeplan.measures.data import Source
source = Source.connect(sys.argv[1])
print(len(source.con.list_tables()), flush=True)
sys.stdin.readline()
source.con.disconnect()
"""

WRITER = """
import sys
import threading
from safeplan.store.db import connect
store = connect(sys.argv[1])
with store.transaction():
    store.execute("CREATE TABLE IF NOT EXISTS sp_held (n INTEGER)")
    print("held", flush=True)
    sys.stdin.readline()
store.close()
"""


@contextmanager
def _holding(code: str, url: str) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", code, url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdin is not None
    said = proc.stdout.readline()
    if not said:
        _, err = proc.communicate(timeout=60)
        raise AssertionError(f"the other process did not start: {err}")
    try:
        yield proc
    finally:
        _, err = proc.communicate("\n", timeout=120)  # closes its pipes too
        assert proc.returncode == 0, err


@contextmanager
def reading(url: str) -> Iterator[subprocess.Popen[str]]:
    """Another process with the store open read-only, as a web page computing figures."""
    with _holding(READER, url) as proc:
        yield proc


@contextmanager
def writing(url: str) -> Iterator[subprocess.Popen[str]]:
    """Another process part-way through a write (a load of another worker or the CLI)."""
    with _holding(WRITER, url) as proc:
        yield proc


def let_go_after(proc: subprocess.Popen[str], seconds: float) -> threading.Timer:
    """Tell the other process to finish after ``seconds`` (while this one waits for it)."""

    def finish() -> None:
        assert proc.stdin is not None
        proc.stdin.write("\n")
        proc.stdin.flush()

    timer = threading.Timer(seconds, finish)
    timer.start()
    return timer
