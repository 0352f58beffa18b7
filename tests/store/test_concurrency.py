"""Reads and writes share the store (issue 13): a reader never blocks a load, a load never
fails a reader, loads take turns with a bounded wait and a plain message, and the store's
files are the owner's only. Real processes, real DuckDB files (and PostgreSQL when
SAFEPLAN_TEST_POSTGRES is set); no mocks."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from safeplan.config import settings
from safeplan.measures.data import Source
from safeplan.store.db import connect, open_read_only
from safeplan.store.url import parse
from safeplan.web import storecache
from tests.store.elsewhere import let_go_after, reading, writing
from tests.test_cli import run

FIXTURE = Path(__file__).parents[1] / "fixtures" / "cin_census_2024.xml"
SAFEPLAN = str(Path(sys.executable).with_name("safeplan"))  # the installed command


def loaded(url: str) -> list[tuple[object, ...]]:
    with open_read_only(url) as store:
        return store.query("SELECT load_id, status, file_name FROM sp_loads ORDER BY load_id")


@pytest.fixture
def use_store(store_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SAFEPLAN_STORE", store_url)
    settings.cache_clear()
    return store_url


def test_a_load_succeeds_while_another_process_reads_the_store(use_store: str) -> None:
    url = use_store
    with connect(url) as store:
        store.ensure_schema([])  # a store that exists, as the web app's pages read it
    with reading(url):
        code, out, err = run("load", str(FIXTURE))
        assert code == 0, out + err
        assert "load 1:" in out
        # a page that opens the store now reads the new version, and the reader kept its own
        assert [r[2] for r in loaded(url)] == ["cin_census_2024.xml"]


def test_a_load_waits_for_another_writer_then_runs(use_store: str) -> None:
    url = use_store
    with writing(url) as other:
        load = subprocess.Popen(
            [SAFEPLAN, "load", str(FIXTURE)],
            env={**os.environ, "SAFEPLAN_STORE": url},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert load.stderr is not None
        said = load.stderr.readline()  # once it waits: then the other writer finishes
        assert said == "the store is being written by another load; waiting up to 60 s\n"
        let_go_after(other, 0.5)
        out, err = load.communicate(timeout=300)
    assert load.returncode == 0, out + err
    assert "load 1:" in out and "Traceback" not in err
    assert [r[1] for r in loaded(url)] == ["loaded"]


def test_a_load_that_waits_too_long_says_so_without_a_traceback(
    use_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = use_store
    monkeypatch.setenv("SAFEPLAN_STORE_WAIT", "0.5")
    settings.cache_clear()
    with writing(url):
        code, out, err = run("load", str(FIXTURE))
    assert code == 3
    assert "waiting up to 0.5 s" in err
    assert "still being written by another load after 0.5 s" in err
    assert "Traceback" not in out + err
    with open_read_only(url) as store:  # nothing of it was written
        found = "SELECT count(*) FROM information_schema.tables WHERE table_name = 'sp_loads'"
        assert store.query(found) == [(0,)]


def test_two_cli_loads_at_once_both_run(use_store: str, tmp_path: Path) -> None:
    """Two `safeplan load` processes started together: one waits for the other's turn."""
    code, out, err = run("synth", "--children", "30", "--years", "1", "--out", str(tmp_path))
    assert code == 0, out + err
    folders = [tmp_path / "cin_census", tmp_path / "ssda903"]
    env = {**os.environ, "SAFEPLAN_STORE": use_store}
    procs = [
        subprocess.Popen(
            [SAFEPLAN, "load", str(path)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in folders
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    for proc, (out, err) in zip(procs, outs, strict=True):
        assert proc.returncode == 0, out + err
        assert "Traceback" not in err
    rows = loaded(use_store)
    files = sorted(p.name for f in folders for p in f.rglob("*") if p.is_file())
    assert sorted(str(r[2]) for r in rows) == files
    assert sorted(int(str(r[0])) for r in rows) == list(range(1, len(files) + 1))


def test_a_killed_writer_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    url = str(tmp_path / "store.duckdb")
    with connect(url) as store:
        store.execute("CREATE TABLE kept (n INTEGER)")
        store.execute("INSERT INTO kept VALUES (1)")
    with writing(url) as other:
        os.kill(other.pid, signal.SIGKILL)
        other.wait(10)
        assert [p.name for p in tmp_path.glob(".store.duckdb.*.next*")]  # its copy is left
        with open_read_only(url) as store:
            assert store.query("SELECT n FROM kept") == [(1,)]
            assert "sp_held" not in {r[0] for r in store.query("SHOW TABLES")}
        other.returncode = 0  # killed on purpose
        with connect(url) as store:  # the next writer takes the lock (the kernel let it go)
            store.execute("INSERT INTO kept VALUES (2)")
        assert not list(tmp_path.glob(".store.duckdb.*.next*"))  # and removed the copy
    with open_read_only(url) as store:
        assert store.query("SELECT n FROM kept ORDER BY n") == [(1,), (2,)]


def test_each_write_changes_the_web_stores_version(tmp_path: Path) -> None:
    """Every write renames a new file over the store: its inode changes even when its size
    and time would not."""
    url = str(tmp_path / "store.duckdb")
    with connect(url) as store:
        store.execute("CREATE TABLE t (n INTEGER)")
        seen = {storecache.version(url)}
        for n in range(3):
            store.execute("INSERT INTO t VALUES (?)", [n])
            seen.add(storecache.version(url))
    assert len(seen) == 4


def test_a_reader_keeps_its_snapshot_and_the_next_reader_sees_the_write(tmp_path: Path) -> None:
    url = str(tmp_path / "store.duckdb")
    with connect(url) as store:
        store.execute("CREATE TABLE t (n INTEGER)")
        store.execute("INSERT INTO t VALUES (1)")
        with open_read_only(url) as before:
            store.execute("INSERT INTO t VALUES (2)")
            with open_read_only(url) as after:
                assert before.query("SELECT count(*) FROM t") == [(1,)]
                assert after.query("SELECT count(*) FROM t") == [(2,)]


@pytest.mark.parametrize("given", ["duckdb://{rel}", "duckdb://{abs}", "{abs}", "{rel}"])
def test_every_spelling_of_an_embedded_store_loads_and_reads_back(
    given: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    url = given.format(rel="x.duckdb", abs=tmp_path / "x.duckdb")
    monkeypatch.setenv("SAFEPLAN_STORE", url)
    settings.cache_clear()
    code, out, err = run("load", str(FIXTURE))
    assert code == 0, out + err
    assert (tmp_path / "x.duckdb").is_file()
    assert parse(url).path.absolute() == tmp_path / "x.duckdb"
    assert "cin_census_2024.xml" in run("loads")[1]
    source = Source.connect(url)  # the measures read what the load wrote
    try:
        assert source.has("sp_loads", "ssd_person")
    finally:
        source.con.disconnect()
    assert storecache.version(url) is not None


def test_store_urls_parse_one_way() -> None:
    assert parse("duckdb:///srv/s.duckdb").path == Path("/srv/s.duckdb")
    assert parse("duckdb://s.duckdb").path == Path("s.duckdb")
    assert parse("/srv/s.duckdb").path == Path("/srv/s.duckdb")
    assert parse("postgres://u@h/db").kind == parse("postgresql://u@h/db").kind == "postgresql"
    with pytest.raises(ValueError, match="unknown store"):
        parse("mysql://u@h/db")


def test_the_store_its_lock_and_the_web_database_are_the_owners_only(
    tmp_path: Path, safeplan_home: Path
) -> None:
    old = os.umask(0o022)  # the usual umask, which would make them 0644
    try:
        code, out, err = run("load", str(FIXTURE))
        assert code == 0, out + err
        web = [sys.executable, "-m", "safeplan.web", "migrate", "--verbosity", "0"]
        subprocess.run(web, check=True, env={**os.environ, "SAFEPLAN_HOME": str(safeplan_home)})
    finally:
        os.umask(old)
    for name in ("store.duckdb", "store.duckdb.lock", "web.sqlite3"):
        mode = stat.S_IMODE((safeplan_home / name).stat().st_mode)
        assert mode == 0o600, (name, oct(mode))
