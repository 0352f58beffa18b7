"""The 903 rules that need the reference lists, through `safeplan validate DIR --postcodes F
--providers F` (and `load`, and the SAFEPLAN_POSTCODES / SAFEPLAN_PROVIDERS settings): they
fire with the lists, a list that cannot be read is refused naming its file, row and field,
and without the lists the rules are named as not run.

The return is the sound one of tests/ingest/test_rules_903_files.py, its postcodes in the
invented ZZ area, and the lists test_rules_903_places.py's synthetic ones.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from safeplan.config import settings
from safeplan.ingest.findings import FileRefused
from safeplan.ingest.rules import S903_PLACES
from tests import s903_files as sf
from tests.ingest import test_rules_903_places as tp
from tests.ingest.test_rules_903_files import ep, open_last
from tests.test_cli import run

YEAR = 2027
BROKEN = (
    ep(1, pl_post="'ZZ0 0ZZ'"),  # 903 169: a placement postcode not in the ONS list
    ep(2, urn="'SC999999'"),  # 903 1008: a URN not in Ofsted's list
)


@pytest.fixture(autouse=True)
def council(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFEPLAN_LA_CODE", tp.COUNCIL)
    settings.cache_clear()


def _set(folder: Path, *statements: str) -> Path:
    """The sound return (postcodes in the ZZ area) with ``statements`` applied, as the files
    of a folder named for its year."""
    con = sf.stage_base("files", YEAR)
    try:
        con.execute(f"UPDATE s903_episodes SET {tp.ZZ}")
        for statement in statements:
            con.execute(statement)
        return sf.write_set(con, folder / str(YEAR), YEAR)
    finally:
        con.close()


def _found(path: Path) -> set[tuple[str, str]]:
    with path.open(encoding="utf-8") as f:
        return {(row["rule"], row["child"]) for row in csv.DictReader(f)}


def _places(found: set[tuple[str, str]]) -> set[tuple[str, str]]:
    labels = {r.label for r in S903_PLACES}
    return {(rule, child) for rule, child in found if rule in labels}


def test_the_rules_fire_with_the_lists_and_not_on_the_sound_return(tmp_path: Path) -> None:
    postcodes, providers = tp.write_lists(tmp_path / "lists")
    lists = ("--postcodes", str(postcodes), "--providers", str(providers))
    out = tmp_path / "sound.csv"
    code, text, _ = run("validate", str(_set(tmp_path / "sound")), *lists, "--out", str(out))
    assert code == 0, text
    assert _places(_found(out)) == set()
    assert "903 169:" not in text and "903 1008:" not in text

    out = tmp_path / "broken.csv"
    folder = _set(tmp_path / "broken", *BROKEN)
    code, text, _ = run("validate", str(folder), *lists, "--out", str(out))
    assert code == 0, text
    assert _places(_found(out)) >= {("903 169", "A1"), ("903 1008", "A1")}
    assert "903 1015:" not in text, "the council's area code is set"


def test_the_settings_give_the_lists_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    postcodes, providers = tp.write_lists(tmp_path / "lists")
    monkeypatch.setenv("SAFEPLAN_POSTCODES", str(postcodes))
    monkeypatch.setenv("SAFEPLAN_PROVIDERS", str(providers))
    settings.cache_clear()
    out = tmp_path / "f.csv"
    code, text, _ = run("validate", str(_set(tmp_path / "set", *BROKEN)), "--out", str(out))
    assert code == 0, text
    assert {("903 169", "A1"), ("903 1008", "A1")} <= _found(out)


def test_without_the_lists_the_rules_are_named_as_not_run(tmp_path: Path) -> None:
    code, text, _ = run("validate", str(_set(tmp_path, *BROKEN)), "--out", str(tmp_path / "f.csv"))
    assert code == 0, text
    assert "903 169: needs the ONS postcode list: --postcodes FILE or SAFEPLAN_POSTCODES" in text
    assert (
        "903 1008: needs the Ofsted provider list: --providers FILE or SAFEPLAN_PROVIDERS" in text
    )
    assert "903 229: needs the ONS postcode list" in text
    assert not {r for r, _ in _found(tmp_path / "f.csv")} & {"903 169", "903 1008"}


@pytest.mark.parametrize(
    ("option", "name", "text", "row", "field"),
    [
        (
            "--postcodes",
            "onspd.csv",
            "pcd,oseast1m,osnrth1m,laua\nZZ1 1AA,420000,540000,E06000999\n"
            "ZZ2 2BB,north,541000,E06000999\n",
            3,
            "oseast1m",
        ),
        ("--postcodes", "onspd.csv", "pcd,oseast1m,osnrth1m\nZZ1 1AA,1,2\n", 1, "oslaua"),
        (
            "--providers",
            "providers.csv",
            "URN,Placement code,Placement provider code,Deregistration date,Setting postcode\n"
            "SC1,K2,PR2,,ZZ1 1AA\nSC2,K2,PR2,31st June,ZZ1 1AA\n",
            3,
            "Deregistration date",
        ),
    ],
)
def test_a_bad_list_is_refused_naming_file_row_and_field(
    option: str, name: str, text: str, row: int, field: str, tmp_path: Path
) -> None:
    bad = tmp_path / name
    bad.write_text(text, encoding="utf-8")
    code, _, err = run("validate", str(_set(tmp_path)), option, str(bad))
    assert code == 1
    assert f"reference list {name}: REFUSED" in err
    assert f"line {row}" in err and field in err


def test_a_list_over_the_size_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    postcodes, _ = tp.write_lists(tmp_path / "lists")
    monkeypatch.setenv("SAFEPLAN_MAX_REFERENCE_MB", "0.0001")
    settings.cache_clear()
    code, _, err = run("validate", str(_set(tmp_path)), "--postcodes", str(postcodes))
    assert code == 1 and "SAFEPLAN_MAX_REFERENCE_MB" in err


def test_load_checks_against_the_lists_and_never_stores_them(tmp_path: Path) -> None:
    postcodes, providers = tp.write_lists(tmp_path / "lists")
    folder = _set(tmp_path / "set", *BROKEN)
    code, text, _ = run(
        "load", str(folder), "--postcodes", str(postcodes), "--providers", str(providers)
    )
    assert code == 0, text
    from safeplan.store.db import connect

    with connect(settings().store_url) as store:
        rules = {r[0] for r in store.query("SELECT DISTINCT rule FROM sp_findings")}
        assert {"903 169", "903 1008"} <= rules
        tables = {
            str(r[0]) for r in store.query("SELECT table_name FROM information_schema.tables")
        }
        assert not tables & {"sp_postcode", "sp_provider", "sp_council"}


def test_a_bad_list_in_the_settings_refuses_the_903_return_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As an upload meets it: the list is the service's setting, so the return is refused
    and the reason names the list (the command line stops before, as above)."""
    from safeplan.ingest.pipeline import check_batch

    bad = tmp_path / "onspd.csv"
    bad.write_text("pcd,oseast1m,osnrth1m,laua\nZZ1 1AA,east,1,E06000999\n", encoding="utf-8")
    monkeypatch.setenv("SAFEPLAN_POSTCODES", str(bad))
    settings.cache_clear()
    folder = _set(tmp_path / "set")
    results = check_batch(sorted(folder.iterdir()))
    assert results and all(isinstance(got, FileRefused) for _, got in results)
    finding = results[0][1].finding  # type: ignore[union-attr]
    assert finding.message.startswith("the reference list onspd.csv: ")
    assert (finding.line, finding.field) == (2, "oseast1m")


CONTINUITY = ("903 452", "903 453", "903 503G", "903 503H", "903 503J")


@pytest.mark.parametrize("sound", [True, False], ids=["sound", "moved"])
def test_the_continuity_rules_run_with_last_years_return_and_the_lists(
    sound: bool, tmp_path: Path
) -> None:
    """Last year's open episode's placement, its distance, LA and location derived the same
    way: a placement in the next LA last year and in the council's own this year."""
    from tests.ingest import test_rules_903_files as tf
    from tests.test_cli_last_year import _export, _of_year, _with_rows

    con = tf.stage(YEAR)
    try:
        for table in ("s903_episodes", "s903_episodes_last"):
            con.execute(f"UPDATE {table} SET {tp.ZZ}")
        files = {s: _with_rows(con, s) & _of_year(y) for s, y in (("", YEAR), ("_last", YEAR - 1))}
        if not sound:
            con.execute(open_last(1, home_post="'ZZ1 1AA'", pl_post="'ZZ4 4DD'"))
        _export(con, "", files[""], tmp_path / "ssda903" / str(YEAR))
        _export(con, "_last", files["_last"], tmp_path / "ssda903" / str(YEAR - 1))
    finally:
        con.close()
    postcodes, providers = tp.write_lists(tmp_path / "lists")
    out = tmp_path / "f.csv"
    args = ("--postcodes", str(postcodes), "--providers", str(providers), "--out", str(out))
    code, text, _ = run("validate", str(tmp_path / "ssda903"), *args)
    assert code == 0, text
    this_year = text.split("last year's return staged beside it")[1]  # 2025-26's own lack it
    assert not any(f"{label}:" in this_year for label in CONTINUITY), text
    found = {(rule, child) for rule, child in _found(out) if rule in CONTINUITY}
    assert found == (set() if sound else {(label, "A1") for label in CONTINUITY})
