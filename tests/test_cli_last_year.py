"""The DfE's 903 continuity rules (this year's return against last year's) through
`safeplan validate DIR`, as a user runs them: last year's return given alongside (a folder
tree ssda903/<year>/) or with ``--last-year DIR``, and named as not run without it.

The returns are the rule tests' sound return and last year's (``BASE`` and ``LAST`` of
test_rules_903_files.py for the Header and Episodes rules, of test_rules_s903_files.py for
the others), with each continuity rule's case applied, written out as the CSVs a council
exports.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from safeplan.ingest.rules import S903_BY_FILE, S903_OTHER_FILES, Rule
from safeplan.ingest.staging import S903_FILES, all_tables
from safeplan.ingest.years import label, layout
from tests import s903_files as sf
from tests.ingest import test_rules_903_files as by_file
from tests.ingest import test_rules_s903_files as other
from tests.test_cli import run


def _continues(rules: tuple[Rule, ...]) -> list[Rule]:
    return [r for r in rules if any(t.endswith("_last") for t in r.tables)]


HEADER_EPISODES, OTHER_FILES = _continues(S903_BY_FILE), _continues(S903_OTHER_FILES)
CONTINUITY = [*HEADER_EPISODES, *OTHER_FILES]
CODES = {
    *("202", "203", "204", "207", "208", "624", "626"),  # Header
    *("502", "503A", "503B", "503C", "503D", "503E", "503F", "562", "NoE"),  # Episodes
    *("205A", "205D"),  # UASC (205A on the Header)
    *("576", "559", "560", "561", "584", "1001", "1002", "1010", "348", "706"),  # other files
}


def test_the_continuity_rules_are_the_dfe_ones() -> None:
    assert {r.code for r in CONTINUITY} == CODES


def _export(con: duckdb.DuckDBPyConnection, suffix: str, tables: set[str], folder: Path) -> None:
    """Each of ``tables`` (staged as ``<table><suffix>``) as the CSV a council exports; a
    table a case emptied is still written, with its heading only."""
    folder.mkdir(parents=True, exist_ok=True)
    specs = all_tables()
    for name in sorted(tables):
        text = sf.table_text(con, specs[name], suffix)
        (folder / sf.FILE_NAMES[name]).write_text(text, encoding="utf-8")


def _with_rows(con: duckdb.DuckDBPyConnection, suffix: str) -> set[str]:
    """The 903 tables staged as ``<table><suffix>`` that have rows."""
    rows = con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    present = {str(r[0]) for r in rows}
    out = set()
    for name in S903_FILES.values():
        if name + suffix in present:
            row = con.execute(f"SELECT count(*) FROM {name}{suffix}").fetchone()
            if row and row[0]:
                out.add(name)
    return out


def _family(rule: Rule) -> list[Rule]:
    """The continuity rules whose cases share ``rule``'s sound return."""
    return HEADER_EPISODES if any(r is rule for r in HEADER_EPISODES) else OTHER_FILES


def year_of(rule: Rule) -> int:
    """The collection year of the rule's case: the rule tests', or the first after it whose
    last year's return has the files the rule reads (706: DoLo from 2026-27, so 2027-28)."""
    year = by_file.year_of(rule) if _family(rule) is HEADER_EPISODES else other.case_year(rule)
    labels = {v: k for k, v in S903_FILES.items()}
    needs = {labels[t.removesuffix("_last")] for t in rule.tables if t.endswith("_last")}
    while not needs <= set(getattr(layout("ssda903", year - 1), "files", ())):
        year += 1
    return year


def case(rule: Rule) -> tuple[list[str], set[int]]:
    """The rule's case: SQL that breaks the sound return, and the rows then flagged."""
    if _family(rule) is HEADER_EPISODES:
        return by_file.CASES[by_file.key(rule)]
    statements, flagged = other.CASES[other.key(rule)]
    shift = year_of(rule) - other.BASE_YEAR
    return [other._moved_sql(s, shift) for s in statements], flagged


def _of_year(year: int) -> set[str]:
    """The tables of the files of the year's return (DoLo from 2026-27)."""
    lay = layout("ssda903", year)
    assert lay is not None
    return {S903_FILES[name] for name in lay.files}


def _returns(root: Path, rule: Rule, *, sound: bool = False) -> tuple[Path, Path]:
    """This year's and last year's returns under ``root``/ssda903/<year>/, with ``rule``'s
    case applied (or the sound pair its case breaks)."""
    year = year_of(rule)
    header_episodes = _family(rule) is HEADER_EPISODES
    con = by_file.stage(year) if header_episodes else other.staged_for(year)
    this, before = root / "ssda903" / str(year), root / "ssda903" / str(year - 1)
    try:
        files = {
            suffix: _with_rows(con, suffix) & _of_year(y)
            for suffix, y in (("", year), ("_last", year - 1))
        }
        if not sound:
            for statement in case(rule)[0]:
                con.execute(statement)
        _export(con, "", files[""], this)
        _export(con, "_last", files["_last"], before)
    finally:
        con.close()
    return this, before


def _findings(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _flagged(findings: list[dict[str, str]], rule: Rule) -> set[int]:
    return {int(f["seq"]) for f in findings if f["rule"] == rule.label and f["table"] == rule.table}


def _continuity(findings: list[dict[str, str]], rule: Rule) -> list[dict[str, str]]:
    """The findings of the continuity rules whose cases share ``rule``'s sound return."""
    labels = {r.label for r in _family(rule)}
    return [f for f in findings if f["rule"] in labels]


RULES = [pytest.param(r, id=f"903 {r.code}@{year_of(r)}") for r in CONTINUITY]


_RUNS: dict[tuple[bool, int, bool], tuple[str, list[dict[str, str]]]] = {}


def _sound_run(rule: Rule, root: Path, *, with_last_year: bool) -> tuple[str, list[dict[str, str]]]:
    """`safeplan validate` over the sound return of ``rule``'s cases (with last year's folder
    beside it, or alone), run once for all the rules that share it."""
    family = _family(rule) is HEADER_EPISODES
    key = (family, year_of(rule), with_last_year)
    if key not in _RUNS:
        folder = root / f"sound-{len(_RUNS)}"
        this, _ = _returns(folder, rule, sound=True)
        target = folder / "findings.csv"
        code, out, _ = run("validate", str(folder if with_last_year else this), "-o", str(target))
        assert code == 0, out
        _RUNS[key] = (out, _findings(target))
    return _RUNS[key]


@pytest.mark.parametrize("rule", RULES)
def test_rule_runs_with_last_years_folder_given_alongside(
    rule: Rule, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    out, findings = _sound_run(rule, tmp_path_factory.getbasetemp(), with_last_year=True)
    assert _continuity(findings, rule) == [], "the sound pair passes"
    staged = f"last year's return staged beside it ({label(year_of(rule) - 1)}, from "
    assert staged in out
    assert f"{rule.label}:" not in out.split(staged)[1], "last year's own are not run"

    _returns(tmp_path, rule)
    code, out, _ = run("validate", str(tmp_path), "-o", str(tmp_path / "broken.csv"))
    assert code == 0, out
    assert _flagged(_findings(tmp_path / "broken.csv"), rule) == case(rule)[1]


@pytest.mark.parametrize("rule", RULES)
def test_rule_is_named_as_not_run_without_last_year(
    rule: Rule, tmp_path_factory: pytest.TempPathFactory
) -> None:
    out, findings = _sound_run(rule, tmp_path_factory.getbasetemp(), with_last_year=False)
    assert _flagged(findings, rule) == set()
    needed = sorted(t for t in rule.tables if t.endswith("_last"))
    labels = {v: k for k, v in S903_FILES.items()}
    why = " and ".join(f"last year's {labels[t.removesuffix('_last')]} file" for t in needed)
    assert (
        f"{rule.label}: needs {why} (give last year's return alongside, or --last-year DIR)" in out
    )


# --last-year DIR: one rule for each of last year's files the rules read
BY_LAST_FILE = {t: r for r in reversed(CONTINUITY) for t in r.tables if t.endswith("_last")}


@pytest.mark.parametrize(
    "rule", [pytest.param(r, id=f"{t} 903 {r.code}") for t, r in sorted(BY_LAST_FILE.items())]
)
def test_rule_runs_with_last_year_option(rule: Rule, tmp_path: Path) -> None:
    this, before = _returns(tmp_path, rule)
    args = ("validate", str(this), "--last-year", str(before), "-o", str(tmp_path / "f.csv"))
    code, out, _ = run(*args)
    assert code == 0, out
    assert _flagged(_findings(tmp_path / "f.csv"), rule) == case(rule)[1]
    assert f"{rule.label}:" not in out
    label_before = label(year_of(rule) - 1)
    assert f"last year's return staged beside it ({label_before}, from {before}: " in out


MISSING_576 = next(r for r in CONTINUITY if r.code == "576")


def test_one_folder_holding_both_years_is_checked_as_two_returns(tmp_path: Path) -> None:
    """Files named for their year in one folder (or one upload): the earlier year's return
    is checked in its own right and staged beside the later one's."""
    this, before = _returns(tmp_path / "tree", MISSING_576)
    flat = tmp_path / "flat"
    flat.mkdir()
    for folder, year in ((this, 2024), (before, 2023)):
        for path in folder.iterdir():
            (flat / f"{path.stem}_{year}.csv").write_bytes(path.read_bytes())
    code, out, _ = run("validate", str(flat), "-o", str(tmp_path / "f.csv"))
    assert code == 0, out
    assert "last year's return staged beside it (2022-23, checked with it)" in out
    assert _flagged(_findings(tmp_path / "f.csv"), MISSING_576) == case(MISSING_576)[1]


def test_last_year_of_another_year_is_not_used_and_says_so(tmp_path: Path) -> None:
    this, before = _returns(tmp_path, MISSING_576)
    older = tmp_path / "returns_2021"
    before.rename(older)
    args = ("validate", str(this), "--last-year", str(older), "-o", str(tmp_path / "f.csv"))
    code, out, _ = run(*args)
    assert code == 0, out
    assert f"last year's return (not used: {older} holds the 2020-21 return, not that of " in out
    assert "903 576: needs last year's Missing file" in out
    assert _flagged(_findings(tmp_path / "f.csv"), MISSING_576) == set()


def test_load_reads_last_year_from_files_and_says_when_it_is_only_in_the_store(
    tmp_path: Path,
) -> None:
    this, before = _returns(tmp_path, MISSING_576)
    code, out, _ = run("load", str(before))
    assert code == 0, out
    code, out, _ = run("load", str(this))
    assert code == 0, out
    assert "last year's return (2022-23) is in the store, but the continuity rules do not " in out
    assert "903 576: needs last year's Missing file (give last year's return alongside" in out

    code, out, _ = run("load", str(tmp_path / "ssda903"))  # both years: nothing new to store
    assert code == 0, out
    assert "last year's return staged beside it (2022-23, from " in out
    assert "already loaded" in out
    assert "903 576: needs" not in out.split("staged beside it")[1]


def test_load_with_last_year_option(tmp_path: Path) -> None:
    this, before = _returns(tmp_path, MISSING_576)
    code, out, _ = run("load", str(this), "--last-year", str(before))
    assert code == 0, out
    assert f"last year's return staged beside it (2022-23, from {before}: " in out
    assert "903 576:" not in out


def test_a_file_of_last_year_that_cannot_be_read_is_named_and_the_rest_used(
    tmp_path: Path,
) -> None:
    this, before = _returns(tmp_path, MISSING_576)
    (before / "notes.csv").write_text("this,is,not,a,return\n1,2,3,4,5\n", encoding="utf-8")
    args = ("validate", str(this), "--last-year", str(before), "-o", str(tmp_path / "f.csv"))
    code, out, _ = run(*args)
    assert code == 0, out
    assert "; not used: notes.csv refused (" in out
    assert _flagged(_findings(tmp_path / "f.csv"), MISSING_576) == case(MISSING_576)[1]


def test_a_rule_whose_file_last_years_return_has_not_says_so(tmp_path: Path) -> None:
    """706 reads last year's DoLo file, which the return has from 2026-27: in a 2026-27
    return it cannot run whatever is given, and the summary says why."""
    con = other.staged_for(2027)
    try:
        _export(con, "", _with_rows(con, "") & _of_year(2027), tmp_path / "2027")
    finally:
        con.close()
    code, out, _ = run("validate", str(tmp_path / "2027"), "-o", str(tmp_path / "f.csv"))
    assert code == 0, out
    assert "903 706: needs last year's DoLo file (the 2025-26 return has no DoLo file)" in out
    assert "903 576: needs last year's Missing file (give last year's return alongside" in out
