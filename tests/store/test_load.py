"""Loads: atomic, idempotent, newer returns replace older ones, bad records quarantined."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from safeplan.config import settings
from safeplan.ingest.findings import FileRefused
from safeplan.ingest.pipeline import check
from safeplan.measures.data import Source
from safeplan.store.db import Store, connect
from safeplan.store.load import FAULT_ENV, LoadResult, load_checked, load_files, undo_load
from safeplan.store.schema import LATEST_KEYS, PERSONS_TABLE, canonical_tables, current_name

KEY = b"test-partnership-key"


def load(store: Store, path: Path, year: str | None = None) -> LoadResult:
    checked = check(path, year)
    try:
        return load_checked(store, checked, KEY)
    finally:
        checked.close()


def snapshot(store: Store) -> dict[str, int]:
    """Row counts of every canonical and system table: 'the store as it was'."""
    names = sorted(
        {t.name for t in canonical_tables().values()}
        | {"sp_loads", "sp_findings", "sp_quarantine"}
        | {current_name(n) for n in LATEST_KEYS}
        | {PERSONS_TABLE}
    )
    existing = {r[0] for r in store.query("SELECT table_name FROM information_schema.tables")}
    return {n: store.count(n) for n in names if n in existing}


FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.fixture
def cin_sample(tmp_path: Path) -> Path:
    """Two synthetic children in a valid CIN census 2023-24 message."""
    path = tmp_path / "cin_census_2024.xml"
    path.write_bytes((FIXTURES / "cin_census_2024.xml").read_bytes())
    return path


def test_loading_the_same_file_twice_changes_nothing(store_url: str, cin_sample: Path) -> None:
    with connect(store_url) as store:
        first = load(store, cin_sample)
        assert first.status == "loaded" and first.records > 0
        before = snapshot(store)
        second = load(store, cin_sample)
        assert second.status == "unchanged" and second.load_id == first.load_id
        assert snapshot(store) == before


def test_rows_carry_lineage_and_no_raw_identifier(store_url: str, cin_sample: Path) -> None:
    with connect(store_url) as store:
        result = load(store, cin_sample)
        rows = store.query(
            "SELECT person_id, load_id, source_file, source_hash, source_row "
            "FROM ssd_cin_assessments"
        )
        assert rows == [
            (
                rows[0][0],
                result.load_id,
                cin_sample.name,
                rows[0][3],
                "Child[1]/CINdetails[1]/Assessments[1]",
            )
        ]
        assert len(rows[0][0]) == 24 and rows[0][0] != "DfEX0000001"
        assert len(rows[0][3]) == 64
        people = store.query("SELECT person_id FROM ssd_person ORDER BY record_id")
        assert len(people) == 2 and people[0] == (rows[0][0],)
        columns = {
            r[0]
            for r in store.query(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'ssd_person'"
            )
        }
        assert "lachildid" not in columns and "upn" not in columns


def test_a_newer_return_for_the_same_year_replaces_the_older(
    store_url: str, cin_sample: Path, tmp_path: Path
) -> None:
    newer = tmp_path / "cin_census_2024_resubmitted.xml"
    newer.write_text(
        cin_sample.read_text()
        .replace("<SerialNo>001", "<SerialNo>002")
        .replace("</Disabilities>", "</Disabilities>")
        .replace("<Disability>HEAR</Disability>", "")
    )
    with connect(store_url) as store:
        old = load(store, cin_sample)
        assert store.count("ssd_disability") == 2
        new = load(store, newer)
        assert new.replaced == (old.load_id,)
        assert store.count("ssd_disability") == 1
        assert store.count("ssd_person") == 2
        statuses = store.query("SELECT load_id, status, replaced_by FROM sp_loads ORDER BY load_id")
        assert statuses == [(old.load_id, "replaced", new.load_id), (new.load_id, "loaded", None)]


def checksums(store: Store) -> dict[str, tuple[int, str]]:
    """Every table of the store: its row count and a checksum of its rows' content (in any
    order): 'the store as it was', byte for byte in content."""
    tables = store.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
    )
    out = {}
    for (name,) in tables:
        rows = sorted(repr(r) for r in store.query(f"SELECT * FROM {name}"))
        out[str(name)] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return out


def test_undo_puts_back_the_store_as_it_was_before_the_load(
    store_url: str, cin_sample: Path, tmp_path: Path
) -> None:
    newer = tmp_path / "cin_census_2024_resubmitted.xml"
    newer.write_text(
        cin_sample.read_text()
        .replace("<SerialNo>001", "<SerialNo>002")
        .replace("<Disability>HEAR</Disability>", "")
    )
    with connect(store_url) as store:
        first = load(store, cin_sample)
        before = checksums(store)
        second = load(store, newer)
        assert second.replaced == (first.load_id,) and checksums(store) != before
        assert first.load_id is not None and second.load_id is not None
        done = undo_load(store, second.load_id, "test")
        assert done.restored == (first.load_id,) and done.removed == second.records
        after = checksums(store)
        assert after.pop("sp_undone")[0] == 1
        assert all(after.pop(t)[0] == 0 for t in list(after) if t.startswith("sp_replaced_"))
        assert after == {k: v for k, v in before.items() if k != "sp_undone"}
        undone = undo_load(store, first.load_id, "test")  # and the first: an empty store
        assert undone.restored == () and store.count("ssd_person") == 0


def test_a_refused_file_leaves_the_store_as_it_was(
    store_url: str, cin_sample: Path, tmp_path: Path
) -> None:
    truncated = tmp_path / "cin_census_2023.xml"  # cut off inside the first child
    truncated.write_bytes(cin_sample.read_bytes()[:900])
    with connect(store_url) as store:
        load(store, cin_sample)
        before = snapshot(store)
        with pytest.raises(FileRefused):
            load(store, truncated)
        assert snapshot(store) == before


def test_bad_records_go_to_quarantine_not_the_store(
    store_url: str, cin_sample: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "cin_census_2024_bad.xml"
    bad.write_text(
        cin_sample.read_text().replace("<CPPstartDate>2023-05-30", "<CPPstartDate>2023-02-30")
    )
    with connect(store_url) as store:
        result = load(store, bad)
        assert result.quarantined >= 2  # the plan and its review
        assert store.count("ssd_cp_plans") == 0 and store.count("ssd_cp_reviews") == 0
        assert store.count("ssd_cin_episodes") == 2
        reasons = store.query(
            "SELECT staging_table, location, reasons FROM sp_quarantine ORDER BY location"
        )
        plan = next(r for r in reasons if r[0] == "cin_cpp")
        assert plan[1] == "Child[1]/CINdetails[1]/ChildProtectionPlans[1]"
        assert "'2023-02-30' is not a real date" in plan[2]


def test_killing_a_load_half_way_leaves_the_store_as_before(
    store_url: str, cin_sample: Path, tmp_path: Path, safeplan_home: Path
) -> None:
    second = tmp_path / "cin_census_2023.xml"
    second.write_text(cin_sample.read_text().replace("<Year>2024</Year>", "<Year>2023</Year>"))
    with connect(store_url) as store:
        load(store, cin_sample)
        before = snapshot(store)
    env = {
        **os.environ,
        FAULT_ENV: "ssd_cin_episodes",
        "SAFEPLAN_STORE": store_url,
        "SAFEPLAN_PSEUDONYM_KEY": KEY.decode(),
    }
    exe = Path(sys.executable).with_name("safeplan")
    proc = subprocess.run(
        [str(exe), "load", str(second)], env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    with connect(store_url) as store:
        assert snapshot(store) == before
        assert store.query("SELECT count(*) FROM sp_loads")[0][0] == 1
    settings.cache_clear()


def _hostile_files(folder: Path, good: Path) -> dict[str, Path]:
    """One file of each hostile or broken kind the loader must refuse."""
    from tests.ingest.test_hostile import LAUGHS, XXE

    text = good.read_bytes()
    files = {
        "xxe": (folder / "xxe_2024.xml", XXE),
        "billion_laughs": (folder / "laughs_2024.xml", LAUGHS),
        "truncated": (folder / "cut_2024.xml", text[: len(text) // 2]),
        "not_utf8": (folder / "latin1_2024.xml", text.replace(b"TEST0001", b"TEST\xe9001")),
        "missing_column": (folder / "episodes_2024.csv", b"CHILD,RNE,LS\n1,S,C2\n"),
        "not_a_workbook": (folder / "annex_a_2024.xlsx", b"PK\x03\x04 not a zip"),
        "no_year": (
            folder / "episodes.csv",
            b"CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,"
            b"REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n1,01/05/2023,S,C2,N1,U1,PR1,,,,,,\n",
        ),
    }
    for path, data in files.values():
        path.write_bytes(data)
    return {name: path for name, (path, _) in files.items()}


def test_every_hostile_file_is_refused_and_changes_nothing(
    store_url: str, cin_sample: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "hostile"
    folder.mkdir()
    hostile = _hostile_files(folder, cin_sample)
    with connect(store_url) as store:
        load(store, cin_sample)
        before = snapshot(store)
        outcomes: dict[str, object] = {}
        refused = load_files(
            store,
            list(hostile.values()),
            None,
            KEY,
            lambda p, o: outcomes.__setitem__(p.name, o),
            workers=1,
        )
        assert refused == len(hostile)
        for name, path in hostile.items():
            outcome = outcomes[path.name]
            assert isinstance(outcome, FileRefused), name
            assert outcome.finding.file == path.name and outcome.finding.message, name
        assert snapshot(store) == before


def test_invalid_codes_and_a_duplicate_child_are_kept_out(
    store_url: str, cin_sample: Path, tmp_path: Path
) -> None:
    text = cin_sample.read_text()
    bad = tmp_path / "cin_census_2024_codes.xml"
    bad.write_text(
        text.replace("<Ethnicity>MWBC</Ethnicity>", "<Ethnicity>ZZZZ</Ethnicity>").replace(
            "<LAchildID>TEST0002</LAchildID>", "<LAchildID>TEST0001</LAchildID>"
        )
    )
    checked = check(bad)
    found = {(f.rule, f.location, f.field) for f in checked.findings}
    assert ("CIN 4220", "Child[2]", "Ethnicity") in found  # not a valid ethnicity code
    assert ("CIN 8510", "Child[2]", "LAchildID") in found  # the same child twice
    checked.close()
    with connect(store_url) as store:
        result = load(store, bad)
        assert result.quarantined > 0
        stored = store.query("SELECT ethnicity FROM ssd_person")
        assert ("ZZZZ",) not in stored
        reasons = " ".join(r[0] for r in store.query("SELECT reasons FROM sp_quarantine"))
        assert "CIN 4220" in reasons and "CIN 8510" in reasons


# --- current tables: refreshed by every load, equal to what `Source` would compute -----------

CURRENT = (*(current_name(n) for n in LATEST_KEYS), PERSONS_TABLE)


def current_contents(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """Every current table's rows (sorted): to tell that a load left them exactly as they were."""
    existing = {r[0] for r in store.query("SELECT table_name FROM information_schema.tables")}
    return {
        name: sorted(store.query(f"SELECT * FROM {name}"), key=repr)
        for name in CURRENT
        if name in existing
    }


def assert_current_is_computed(url: str) -> None:
    """Each current table holds what `Source.latest` computes from the canonical table (and
    `sp_persons` what `Source.persons` computes), column for column and row for row."""
    with_current = Source.connect(url)
    computed = Source(with_current.con, current=False)
    try:
        for name in LATEST_KEYS:
            assert with_current.has(current_name(name)), name
            got = with_current.latest(name).to_pyarrow()
            want = computed.latest(name).to_pyarrow()
            assert got.schema.names == want.schema.names, name
            assert sorted(got.to_pylist(), key=repr) == sorted(want.to_pylist(), key=repr), name
        assert with_current.has(PERSONS_TABLE)
        got = with_current.persons.to_pyarrow()
        want = computed.persons.to_pyarrow()
        assert got.schema.names == want.schema.names
        assert sorted(got.to_pylist(), key=repr) == sorted(want.to_pylist(), key=repr)
    finally:
        with_current.con.disconnect()


def test_current_tables_follow_loads_and_replacements(
    store_url: str, cin_sample: Path, tmp_path: Path
) -> None:
    earlier = tmp_path / "cin_census_2023.xml"
    earlier.write_text(cin_sample.read_text().replace("<Year>2024</Year>", "<Year>2023</Year>"))
    resubmitted = tmp_path / "cin_census_2024_resubmitted.xml"
    resubmitted.write_text(
        cin_sample.read_text()
        .replace("<SerialNo>001", "<SerialNo>002")
        .replace("<Disability>HEAR</Disability>", "")
    )
    with connect(store_url) as store:
        load(store, cin_sample)
        assert store.count(current_name("ssd_cin_episodes")) == 2
        assert store.count(PERSONS_TABLE) == 2
    assert_current_is_computed(store_url)
    with connect(store_url) as store:  # the same records a year earlier: still each once
        load(store, earlier)
        assert store.count("ssd_cin_episodes") == 4
        assert store.count(current_name("ssd_cin_episodes")) == 2
        years = store.query(f"SELECT DISTINCT load_id FROM {current_name('ssd_person')}")
        assert years == [(1,)]  # the 2024 census, though loaded first
    assert_current_is_computed(store_url)
    with connect(store_url) as store:  # a replacement removes the 2024 disability record
        new = load(store, resubmitted)
        assert new.replaced == (1,)
        disabilities = store.query(
            f"SELECT load_id, disability FROM {current_name('ssd_disability')} ORDER BY 1, 2"
        )
        # HEAR now from the 2023 census (the 2024 return no longer holds it), the other
        # child's from the resubmission
        assert disabilities == [(2, "HEAR"), (new.load_id, disabilities[1][1])]
    assert_current_is_computed(store_url)


@pytest.mark.parametrize("kill_after", ["ssd_cin_episodes", current_name("ssd_cin_episodes")])
def test_a_killed_load_leaves_the_current_tables_as_they_were(
    store_url: str, cin_sample: Path, tmp_path: Path, safeplan_home: Path, kill_after: str
) -> None:
    """Killed while writing the canonical rows, or half way through refreshing the current
    tables (after one of them was rebuilt): both roll back with the load."""
    second = tmp_path / "cin_census_2023.xml"
    second.write_text(cin_sample.read_text().replace("<Year>2024</Year>", "<Year>2023</Year>"))
    with connect(store_url) as store:
        load(store, cin_sample)
        before = current_contents(store)
    assert set(before) == set(CURRENT)
    env = {
        **os.environ,
        FAULT_ENV: kill_after,
        "SAFEPLAN_STORE": store_url,
        "SAFEPLAN_PSEUDONYM_KEY": KEY.decode(),
    }
    exe = Path(sys.executable).with_name("safeplan")
    proc = subprocess.run(
        [str(exe), "load", str(second)], env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    with connect(store_url) as store:
        assert current_contents(store) == before
        assert store.query("SELECT count(*) FROM sp_loads")[0][0] == 1
    assert_current_is_computed(store_url)
    settings.cache_clear()
