"""Replacing is a decision, never an accident, and every load can be undone: through
`safeplan load` and `safeplan loads undo N`, on a real DuckDB store.

A header-only file used to wipe a year ("0 records stored … replaced load 1") with no word;
now it is refused unless confirmed explicitly, an ordinary replacement shows what changes
and asks, and an undo puts the store back as it was, table by table."""

from __future__ import annotations

from pathlib import Path

import duckdb

from safeplan.config import settings
from tests.test_cli import run

HEADER = (
    "episode_id,child_id,date_of_birth,looked_after,missing_type,start_datetime,end_datetime,"
    "reported_by,rhi_offered_datetime,rhi_accepted,rhi_completed_datetime"
)


def _episodes(folder: Path, count: int, start: int = 1) -> Path:
    """A missing episodes file for 2024-25 with ``count`` episodes of different children."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "missing_episodes_2025.csv"
    rows = [
        f"E{n},C{n},2010-05-0{1 + n % 9},N,missing,2024-06-{1 + n % 28:02d}T20:00:00,"
        f"2024-06-{1 + n % 28:02d}T23:00:00,police,,,"
        for n in range(start, start + count)
    ]
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _tables() -> dict[str, tuple[int, int]]:
    """Every table of the store: its row count and a checksum of its rows."""
    with duckdb.connect(settings().store_url, read_only=True) as con:
        names = [r[0] for r in con.execute("SHOW TABLES").fetchall()]
        out = {}
        for name in names:
            count, digest = con.execute(
                f"SELECT count(*), coalesce(sum(hash(t)), 0) FROM {name} AS t"
            ).fetchone() or (0, 0)
            out[name] = (int(count), int(digest))
        return out


def test_a_header_only_file_does_not_wipe_the_year(tmp_path: Path) -> None:
    code, text, _ = run("load", str(_episodes(tmp_path / "a", 87)))
    assert code == 0 and "load 1: 87 records stored" in text
    before = _tables()
    empty = _episodes(tmp_path / "b", 0)
    code, text, _ = run("load", "--yes", str(empty))
    assert code == 1
    assert "replaces load 1" in text and "87 records become 0" in text
    assert "SP-REPLACE-FEWER" in text and "--allow-fewer" in text
    assert _tables() == before  # nothing changed
    code, text, _ = run("load", "--allow-fewer", str(empty))
    assert code == 0 and "replaced load 1" in text


def test_a_replacement_shows_what_changes_and_waits_for_a_yes(tmp_path: Path) -> None:
    run("load", str(_episodes(tmp_path / "a", 10)))
    before = _tables()
    newer = _episodes(tmp_path / "b", 12)
    code, text, _ = run("load", str(newer))  # not a terminal, no --yes: refused, said why
    assert code == 1 and "SP-REPLACE" in text and "--yes" in text
    assert "sp_missing_episodes: 10 → 12" in text
    assert "missing_more_than_once" in text and "rhi_in_time" in text and "2024-25" in text
    assert _tables() == before
    code, text, _ = run("load", "--yes", str(newer))
    assert code == 0 and "load 2: 12 records stored" in text and "replaced load 1" in text


def test_undo_restores_the_store_exactly_and_is_recorded(tmp_path: Path) -> None:
    run("load", str(_episodes(tmp_path / "a", 10)))
    before = _tables()
    newer = _episodes(tmp_path / "b", 7, start=30)
    code, text, _ = run("load", "--yes", str(newer))
    assert code == 0 and "replaced load 1" in text
    assert _tables() != before
    code, text, _ = run("loads", "undo", "2")
    assert code == 1  # not a terminal, no --yes: asked, not done
    code, text, _ = run("loads", "undo", "2", "--yes")
    assert code == 0, text
    assert "load 2 (missing_episodes_2025.csv) undone: 7 records removed" in text
    assert "load 1 back in force (10 records)" in text
    after = _tables()
    assert after.pop("sp_undone")[0] == 1  # the undo, recorded with who did it
    assert after.pop("sp_replaced_sp_missing_episodes") == (0, 0)
    assert after == {k: v for k, v in before.items() if k != "sp_undone"}
    with duckdb.connect(settings().store_url, read_only=True) as con:
        [(by,)] = con.execute("SELECT undone_by FROM sp_undone").fetchall()
    assert str(by).startswith("cli:")
    code, text, _ = run("load", "--yes", str(newer))  # the same file may come back
    assert code == 0 and "load 3: 7 records stored" in text  # ids never reused


def test_only_a_load_in_force_can_be_undone(tmp_path: Path) -> None:
    run("load", str(_episodes(tmp_path / "a", 5)))
    run("load", "--yes", str(_episodes(tmp_path / "b", 6)))
    code, _, err = run("loads", "undo", "1", "--yes")
    assert code == 1 and "replaced by load 2: undo load 2 first" in err
    code, _, err = run("loads", "undo", "9", "--yes")
    assert code == 1 and "no load 9" in err
    code, text, _ = run("loads", "undo", "2", "--yes")
    assert code == 0
    code, text, _ = run("loads", "undo", "1", "--yes")
    assert code == 0 and "5 records removed" in text
    assert _tables()["sp_missing_episodes"] == (0, 0)
    code, text, _ = run("loads")
    assert code == 0 and "no loads yet" in text
