"""A 903 return is validated and loaded as a set: the rules joining one file to another run
through `safeplan validate DIR` and `safeplan load DIR`, and a rule that cannot run because
a file is missing is named in the summary.

Every cross-file 903 rule runs end to end: its unit test's case (tests/ingest/test_rules*.py)
is written out as the CSV files of its collection year (tests/s903_files.py) and validated
as a folder; the rule must flag the same children as it does in the staged return, and
nothing of it in the sound set."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from safeplan.ingest.rules import rules_for
from tests import s903_files as sf
from tests.test_cli import run
from tests.test_cli_last_year import CONTINUITY

CASES = sf.cases()
# Rules reading last year's return: a set is one year's files, so these are not run end to
# end (the pipeline stages no `*_last` tables from a folder yet); their unit tests cover them.
LAST_YEAR = {r.label for r in CONTINUITY}
"""The rules reading last year's return: run through pairs of years in
tests/test_cli_last_year.py, not through one year's set."""


def _found(path: Path) -> sf.Found:
    out: sf.Found = {}
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            out.setdefault(row["rule"], set()).add((row["child"], row["field"].upper()))
    return out


def _rules(path: Path) -> set[str]:
    return set(_found(path))


class Validated:
    """Each set validated once (a set holds several rules' cases), with what each case's
    rule flags in the staged return it was written from: (child, field) of each row."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.done: dict[str, tuple[sf.Found, sf.Found]] = {}

    def validate(self, name: str, folder: Path) -> sf.Found:
        out = self.home / f"{name}.csv"
        code, text, _ = run("validate", str(folder), "--out", str(out))
        assert code == 0, text
        assert "checked together as one return" in text, text
        return _found(out)

    def batch(self, batch: sf.Batch) -> tuple[sf.Found, sf.Found]:
        if batch.id not in self.done:
            files, staged = sf.written(batch)
            folder = self.home / batch.id / "ssda903" / str(batch.year)
            folder.mkdir(parents=True)
            for name, text in files.items():
                (folder / name).write_text(text, encoding="utf-8")
            self.done[batch.id] = (self.validate("findings", folder), staged)
        return self.done[batch.id]

    def sound(self, base: str, year: int) -> sf.Found:
        key = f"sound-{base}@{year}"
        if key not in self.done:
            con = sf.stage_base(base, year)
            try:
                folder = sf.write_set(con, self.home / key / str(year), year)
            finally:
                con.close()
            self.done[key] = (self.validate(key, folder), {})
        return self.done[key][0]


@pytest.fixture(scope="module")
def validated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Validated]:
    yield Validated(tmp_path_factory.mktemp("sets"))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_cross_file_rule_fires_through_validate_dir(
    case: sf.Case, validated: Validated
) -> None:
    batch = sf.batch_of(case)
    found, staged = validated.batch(batch)
    sf.assert_fires(case, found, staged, batch.id)
    assert case.rule.label not in validated.sound(case.base, case.year)


# What the sound returns flag through their files. The return of tests/ingest/
# test_rules_903_files.py is sound for every rule; test_rules.py's (and test_rules_s903_files.py's,
# built on it) only for the rules of its own cases: it has no UPN, postcodes, placement
# providers or previous permanence, blank MOTHER for its girls, and A2 adopted (E11) without
# a placement for adoption. Any other finding here is the files losing something.
UNSOUND = {"SP-REQUIRED", "903 165", "903 390", "903 392b", "903 393", "903 526", "903 607",
           "903 630"}  # fmt: skip
SOUND_FINDINGS = {"files": set(), "rules": UNSOUND, "other": UNSOUND | {"903 225"}}


@pytest.mark.parametrize(("base", "year"), sorted({(c.base, c.year) for c in CASES}))
def test_the_sound_sets_flag_only_what_their_returns_lack(
    base: str, year: int, validated: Validated
) -> None:
    expected = set(SOUND_FINDINGS[base])
    if base != "files" and year == 2024:
        expected.add("903 SW01STG1")  # no social worker episodes (the 2023-24 rule)
    assert set(validated.sound(base, year)) == expected


def test_every_cross_file_rule_has_an_end_to_end_case() -> None:
    """Each 903 rule reading another file (or the collection year) runs through a written
    set, but the rules reading last year's return, named in LAST_YEAR."""
    cross = {r.label for r in sf.cross_rules()}
    covered = {c.rule.label for c in CASES}
    last = {r.label for r in sf.cross_rules() if sf.needs_last_year(r)}
    assert last == LAST_YEAR
    assert covered == cross - LAST_YEAR, sorted(cross - LAST_YEAR - covered)
    assert not covered & LAST_YEAR
    every = {(id(r), sf.latest_year(r)) for r in sf.cross_rules() if not sf.needs_last_year(r)}
    assert {(id(c.rule), c.year) for c in CASES} == every
    assert len({c.id for c in CASES}) == len(CASES)


def test_every_case_is_in_one_set() -> None:
    ids = [c.id for b in sf.batches() for c in b.cases]
    assert sorted(ids) == sorted(c.id for c in CASES)


def test_a_missing_file_is_named_in_the_summary(tmp_path: Path) -> None:
    folder = sf.write_broken(tmp_path / "2027", sf.case("903 352"), skip=("header.csv",))
    out = tmp_path / "findings.csv"
    code, text, _ = run("validate", str(folder), "--out", str(out))
    assert code == 0, text
    assert "903 352: needs the Header file" in text and "903 INT04: needs the Header file" in text
    assert "903 352" not in _rules(out)


def test_an_unknown_year_is_named_in_the_summary(tmp_path: Path) -> None:
    folder = sf.write_broken(tmp_path / "la_return")
    code, text, _ = run("validate", str(folder), "--out", str(tmp_path / "f.csv"))
    assert code == 0, text
    assert "903 101: needs the collection year" in text
    code, text, _ = run("validate", str(folder), "--year", "2027", "--out", str(tmp_path / "f.csv"))
    assert "903 101:" not in text


def test_load_dir_loads_the_set_with_its_cross_file_findings(tmp_path: Path) -> None:
    folder = sf.write_broken(tmp_path / "2027", sf.case("903 352"), sf.case("903 INT04"))
    files = len(list(folder.iterdir()))
    code, text, _ = run("load", str(folder))
    assert code == 0, text
    assert "checked together as one return" in text
    from safeplan.config import settings
    from safeplan.store.db import connect

    with connect(settings().store_url) as store:
        rules = {r[0] for r in store.query("SELECT DISTINCT rule FROM sp_findings")}
        assert {"903 352", "903 INT04"} <= rules
        assert store.count("sp_loads") == files
    code, text, _ = run("load", str(folder))  # nothing loaded twice
    assert code == 0 and text.count("nothing changed") == files


def test_the_rules_reading_last_years_return_are_named_as_not_run(tmp_path: Path) -> None:
    """And those reading the reference lists, not given here (tests/test_cli_references.py)."""
    folder = sf.write_broken(tmp_path / "2027")
    code, text, _ = run("validate", str(folder), "--out", str(tmp_path / "f.csv"))
    assert code == 0, text
    [line] = [line for line in text.splitlines() if "rules not run" in line]
    listed = {r.split(":")[0] for r in line.split("rules not run: ")[1].split("; ")}
    lists = {r.label for r in rules_for("ssda903", 2027) if sf.needs_reference(r)}
    assert listed == LAST_YEAR | lists


def test_cases_that_meet_are_not_put_in_one_set() -> None:
    """The guard on BATCHES: 364 and 385 both flag episode 3's DEC, and the pipeline keeps
    one finding per record and field, so they cannot share a set."""
    batch = sf.Batch("files", 2027, [sf.case("903 364", "files"), sf.case("903 385", "files")])
    assert sf.faults(batch)
