"""SSDA903 returns written as real CSV files: the one way the tests write a 903 set.

The rules' unit tests break a sound return staged in DuckDB (tests/ingest/test_rules.py,
test_rules_903_files.py, test_rules_s903_files.py). Here a staged return, sound or broken by
a case's SQL, is written out as the files of its collection year (the files of that year's
layout, each column the 903 reader expects in order, dates dd/mm/yyyy), so the same case
runs end to end: through ``safeplan validate DIR`` and a web upload of the set.

Each cross-file rule (a 903 rule reading a table besides its own, or the collection year)
has an end-to-end case: its unit test's case, moved to the last year the rule is in force.
Rules reading last year's return (``*_last`` tables) are not run end to end: a set is one
year's files. Cases that do not meet are written into one set (``BATCHES``, from ``plan``;
see ``Batch``), so one run of the pipeline checks several rules, each asserted on its own.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import duckdb

from safeplan.ingest import years
from safeplan.ingest.reference import NEEDS
from safeplan.ingest.rules import (
    RULES,
    S903_BY_FILE,
    S903_OTHER_FILES,
    Rule,
    offending_rows,
    stage_collection,
)
from safeplan.ingest.staging import S903_FILES, StagingTable, s903_tables

LATEST = max(years.layouts()["ssda903"])
FILE_NAMES = {
    "s903_header": "header.csv",
    "s903_episodes": "episodes.csv",
    "s903_reviews": "reviews.csv",
    "s903_uasc": "uasc.csv",
    "s903_oc2": "oc2.csv",
    "s903_oc3": "oc3.csv",
    "s903_ad1": "ad1.csv",
    "s903_placed_adoption": "placed_adoption.csv",
    "s903_prev_perm": "prev_perm.csv",
    "s903_missing": "missing.csv",
    "s903_social_worker": "social_worker.csv",
    "s903_dolo": "dolo.csv",
}


# --- writing a staged return as files --------------------------------------------------------


def year_tables(year: int) -> list[StagingTable]:
    """The tables of the files in ``year``'s return, in the order of the files."""
    layout = years.layout("ssda903", year)
    assert layout is not None, year
    wanted = {S903_FILES[label] for label in layout.files}
    return [t for t in s903_tables() if t.name in wanted]


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def table_text(con: duckdb.DuckDBPyConnection, table: StagingTable, suffix: str = "") -> str:
    """One staged table (``<table><suffix>``: ``_last`` for last year's) as its CSV file:
    the return's column names, rows in staged order."""
    names = ", ".join(c.name for c in table.columns)
    staged = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
        [table.name + suffix],
    ).fetchone()
    rows = (
        con.execute(f"SELECT {names} FROM {table.name}{suffix} ORDER BY _seq").fetchall()
        if staged and staged[0]
        else []
    )  # a file the sound return does not stage is written as its header row
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.field for c in table.columns])
    writer.writerows([cell(v) for v in row] for row in rows)
    return out.getvalue()


def texts(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, str]:
    """Each file of the staged return, by file name (every file of the year's layout, a file
    with no records as its header row)."""
    return {FILE_NAMES[t.name]: table_text(con, t) for t in year_tables(year)}


def write_set(
    con: duckdb.DuckDBPyConnection, folder: Path, year: int, skip: Iterable[str] = ()
) -> Path:
    """The staged return as the files of a folder (name it for the year)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts(con, year).items():
        if name not in skip:
            (folder / name).write_text(text, encoding="utf-8")
    return folder


# --- the cases -------------------------------------------------------------------------------


def cross_file(rule: Rule) -> bool:
    """A 903 rule reading another file of the return (or the collection year); the rules
    reading the reference lists are not (they run through tests/test_cli_references.py and
    tests/ingest/test_rules_903_places.py)."""
    return (
        rule.source == "ssda903"
        and bool(set(rule.requires) - {rule.table})
        and not needs_reference(rule)
    )


def needs_reference(rule: Rule) -> bool:
    """Reads a reference list (the ONS postcode list, Ofsted's providers, the council)."""
    return bool(set(rule.requires) & set(NEEDS))


def needs_last_year(rule: Rule) -> bool:
    return any(t.endswith("_last") for t in rule.requires)


def cross_rules() -> list[Rule]:
    return [r for r in RULES if cross_file(r)]


@dataclass(frozen=True)
class Case:
    """A rule's unit-test case in one collection year: the sound return it breaks (``base``,
    the unit-test module's), the SQL that breaks it, the ``_seq`` values then flagged."""

    rule: Rule
    year: int
    base: str  # "rules" (test_rules.py) | "files" (903_files) | "other" (s903_files)
    statements: tuple[str, ...]
    expected: frozenset[int]

    @property
    def id(self) -> str:
        return f"{self.rule.label}@{self.year}:{self.rule.table.removeprefix('s903_')}"


# Rules comparing with a fixed date, not one of the collection year: their cases' dates
# stay as they are in every year (634: looked after only before 1 April 2016).
FIXED_DATES = {"634"}


def latest_year(rule: Rule) -> int:
    """The last collection year the rule is in force in."""
    return min(rule.until or LATEST, LATEST)


def cases() -> list[Case]:
    """Every cross-file rule's case, except the rules reading last year's return, in the
    last collection year the rule is in force (the unit tests mostly run 2023-24)."""
    from tests.ingest import test_rules as tr
    from tests.ingest import test_rules_903_files as tf
    from tests.ingest import test_rules_s903_files as ts

    by_file = {id(r) for r in S903_BY_FILE}
    other = {id(r) for r in S903_OTHER_FILES}
    out = []
    for rule in cross_rules():
        if needs_last_year(rule):
            continue
        year = latest_year(rule)
        if id(rule) in by_file:
            statements, expected = tf.CASES[tf.key(rule)]
            out.append(Case(rule, year, "files", tuple(statements), frozenset(expected)))
            continue
        if id(rule) in other:
            statements, expected = ts.CASES[ts.key(rule)]
            base = "other"
        else:
            statements, expected = tr.S903_CASES[tr.case_key(rule)]
            base = "rules"
        shift = 0 if rule.code in FIXED_DATES else year - ts.BASE_YEAR
        moved = tuple(ts._moved_sql(s, shift) for s in statements)
        out.append(Case(rule, year, base, moved, frozenset(expected)))
    return out


def stage_base(base: str, year: int) -> duckdb.DuckDBPyConnection:
    """The sound return of a case, staged for ``year`` as its unit test stages it."""
    from tests.ingest import test_rules as tr
    from tests.ingest import test_rules_903_files as tf
    from tests.ingest import test_rules_s903_files as ts

    if base == "files":
        return tf.stage(year)
    if base == "other":
        return ts.staged_for(year)
    assert base == "rules", base
    con = tr.stage(ts.moved(tr.S903_BASE, year - ts.BASE_YEAR), "ssda903")
    stage_collection(con, year)
    return con


@dataclass
class Batch:
    """Cases of one sound return and year written into one set. Each case's rule flags,
    with all of them applied, exactly the rows it flags alone; no two flag the same record's
    same field (the pipeline keeps one finding per fault); and the others' cases do not make
    a case's rule flag anything without its own: each rule fires because of its own case."""

    base: str
    year: int
    cases: list[Case]

    @property
    def id(self) -> str:
        return f"{self.base}@{self.year}:" + ",".join(c.rule.label[4:] for c in self.cases)

    def apply(self, con: duckdb.DuckDBPyConnection) -> None:
        for case in self.cases:
            for statement in case.statements:
                con.execute(statement)


MAX_BATCH = 40  # cases to a set


def fired(con: duckdb.DuckDBPyConnection, rules: list[Rule]) -> list[set[int]]:
    """The ``_seq`` values each rule flags, in one query (as ``offending_rows`` finds them)."""
    union = " UNION ALL ".join(
        f"SELECT {i} AS rule, _seq FROM ({rule.sql}) AS offending" for i, rule in enumerate(rules)
    )
    out: list[set[int]] = [set() for _ in rules]
    for i, seq in con.execute(union).fetchall():
        out[int(i)].add(int(seq))
    return out


def _applied(
    con: duckdb.DuckDBPyConnection, group: list[Case], rules: list[Rule]
) -> list[set[int]]:
    con.execute("BEGIN TRANSACTION")
    try:
        Batch("", 0, group).apply(con)
        return fired(con, rules)
    finally:
        con.execute("ROLLBACK")


def plan() -> dict[tuple[str, int], list[tuple[str, ...]]]:
    """Batches for ``BATCHES`` (slow, a minute or two: ``python -m tests.s903_files`` prints
    them). Greedily, each case joins the first batch of its return and year whose cases'
    rules it does not make flag anything alone, nor theirs its own, and with which it does
    not clash (``_clash``); or starts one. Last, a case that only all the others together
    make flag is moved out to a set of its own."""
    groups: dict[tuple[str, int], list[Case]] = {}
    for case in cases():
        groups.setdefault((case.base, case.year), []).append(case)
    out: dict[tuple[str, int], list[tuple[str, ...]]] = {}
    for (base, year), group in sorted(groups.items()):
        con = stage_base(base, year)
        try:
            rules = [case.rule for case in group]
            alone = [_applied(con, [case], rules) for case in group]  # case → rule → seqs
            mine: list[list[int]] = []
            for i in range(len(group)):
                for batch in mine:
                    if len(batch) < MAX_BATCH and all(
                        not alone[i][j] and not alone[j][i] for j in batch
                    ):
                        members = [group[j] for j in (*batch, i)]
                        if not _clash(con, members):
                            batch.append(i)
                            break
                else:
                    mine.append([i])
            for batch in mine:  # what only all the others together do
                while len(batch) > 1 and (bad := _clash(con, [group[j] for j in batch], True)):
                    batch.remove(next(j for j in batch if group[j].id == bad[0]))
                    mine.append([j for j in range(len(group)) if group[j].id == bad[0]])
            out[base, year] = [tuple(group[j].rule.code for j in batch) for batch in mine]
        finally:
            con.close()
    return out


# The sets the cases are written in (rule codes by sound return and year), from plan();
# `faults` checks each still holds before its files are written.
BATCHES: dict[tuple[str, int], list[tuple[str, ...]]] = {
    ('files', 2023): [
        ('370',),
        ('371',),
    ],
    ('files', 2024): [
        ('370', 'SW01STG1', 'SW07STG2'),
        ('371', 'SW11aSTG2'),
    ],
    ('files', 2027): [
        ('165', '209', '301', '442', '620', '625', '628', '354', '385', '357', '362', '389',
        '371', '372', '234', '392b', '551', '630', 'SW01aSTG1', 'SW01bSTG1', 'SW06STG2',
        'SW07STG2', 'SW11bSTG2', 'INT21'),
        ('351', '393', 'EPI', '361', '358', '359', '373', '210', '558', 'SW13STG1', 'INT09'),
        ('363', '386', '374', '1014', 'INT18'),
        ('364', '387'),
        ('365', '407'),
        ('367', '460'),
        ('607', '582'),
        ('580',),
        ('INT03',),
    ],
    ('other', 2024): [
        ('555',),
        ('557',),
    ],
    ('other', 2027): [
        ('399', '570', '571', '575', '578', '188', '189', '198', '215', '542', '545', '3001',
        '1000', '331', '334', '335', '117', '118', '525', '552', '634'),
        ('577', '581', '157', '190', '191', '543', '546', '391', '1011', '521', '602', '523',
        '1003', '632'),
        ('185', '197B', '1007', '347', '601', '554'),
        ('186', '1014', '553'),
        ('187', '557'),
        ('1016',),
        ('134',),
    ],
    ('rules', 2027): [
        ('302', '352', 'INT08', 'INT04'),
    ],
}  # fmt: skip


@cache
def batches() -> tuple[Batch, ...]:
    """The cases in the sets of ``BATCHES``; a case in none is a set of its own."""
    by_group: dict[tuple[str, int], dict[str, list[Case]]] = {}
    for case in cases():  # a code on several files (1012) has a case per file
        by_group.setdefault((case.base, case.year), {}).setdefault(case.rule.code, []).append(case)
    out = []
    for key, group in by_group.items():
        left = {code: list(members) for code, members in group.items()}
        for codes in BATCHES.get(key, []):
            chosen = [left[code].pop(0) for code in codes if left.get(code)]
            if chosen:
                out.append(Batch(*key, chosen))
        out += [Batch(*key, [case]) for members in left.values() for case in members]
    return tuple(out)


def _clash(con: duckdb.DuckDBPyConnection, members: list[Case], full: bool = False) -> list[str]:
    """The cases that cannot share a set (see Batch), with the others applied: a rule that
    flags other rows than alone, or a record's field another case's rule flags too (the
    pipeline reports one finding per fault); with ``full``, a rule the others flag without
    its own case."""
    rules = [case.rule for case in members]
    together = _applied(con, members, rules)
    out = [case.id for case, seqs in zip(members, together, strict=True) if seqs != case.expected]
    seen: dict[tuple[str, int, str], str] = {}
    for case, seqs in zip(members, together, strict=True):
        for seq in seqs:
            mark = (case.rule.table, seq, case.rule.field.lower())
            if seen.setdefault(mark, case.id) != case.id:
                out.append(case.id)
    if full:
        for case in members:
            others = [c for c in members if c is not case]
            if others and _applied(con, others, [case.rule])[0]:
                out.append(case.id)
    return out


def faults(batch: Batch) -> list[str]:
    """Why the batch's cases cannot share a set, if they cannot: checked against the staged
    return before any file is written (``plan`` again if the cases changed)."""
    con = stage_base(batch.base, batch.year)
    try:
        return _clash(con, batch.cases, full=True)
    finally:
        con.close()


def batch_of(case: Case) -> Batch:
    return next(b for b in batches() if case in b.cases)


def broken_con(batch: Batch) -> duckdb.DuckDBPyConnection:
    """The batch's sound return with every case of it applied."""
    con = stage_base(batch.base, batch.year)
    batch.apply(con)
    return con


def case(label: str, base: str = "rules") -> Case:
    """The end-to-end case of a rule (of the sound return ``base``)."""
    return next(c for c in cases() if c.rule.label == label and c.base == base)


def write_broken(folder: Path, *broken: Case, skip: Iterable[str] = ()) -> Path:
    """The files of the cases' sound return with the cases applied (none: the sound set),
    in ``folder`` (name it for the year)."""
    [(base, year)] = {(c.base, c.year) for c in broken} or {("rules", LATEST)}
    con = broken_con(Batch(base, year, list(broken)))
    try:
        return write_set(con, folder, year, skip)
    finally:
        con.close()


# A rule whose fault the reader (or a code-list rule on the same field) already reports: the
# pipeline gives one finding per fault (findings.one_per_fault), so through a file the
# rule's finding is this one, on the same child and field.
REPORTED_AS = {
    "903 442": "SP-REQUIRED",  # UPN is a required column: a blank one is reported as read
    "903 SW01aSTG1": "SP-REQUIRED",  # so is SW_ID
    "903 SW01bSTG1": "903 SW13STG1",  # a blank SW_REASON is not one of its codes
}

Found = dict[str, set[tuple[str, str]]]  # rule → (child, FIELD) of each finding


def written(batch: Batch) -> tuple[dict[str, str], Found]:
    """The batch's files (name → text), and what each of its rules flags in the staged
    return they are written from."""
    if batch.id in _written:
        return _written[batch.id]
    problems = faults(batch)
    assert problems == [], f"the cases of {batch.id} meet ({problems}): plan() them again"
    con = broken_con(batch)
    try:
        staged = {
            c.rule.label: {
                (str(row[4]), c.rule.field.upper()) for row in offending_rows(con, c.rule)
            }
            for c in batch.cases
        }
        _written[batch.id] = (texts(con, batch.year), staged)
    finally:
        con.close()
    return _written[batch.id]


_written: dict[str, tuple[dict[str, str], Found]] = {}


def assert_fires(case: Case, found: Found, staged: Found, where: str) -> None:
    """The case's rule flags, through the files, the children and field it flags staged."""
    label = case.rule.label
    field = case.rule.field.upper()  # two rules 1014 (of UASC and of OC3): one label
    got = {rule: {f for f in rows if f[1] == field} for rule, rows in found.items()}
    assert staged[label], f"{case.id} flags nothing staged"
    reported = REPORTED_AS.get(label, label)
    assert got.get(reported, set()) >= staged[label], f"{case.id} in {where}"
    if label not in REPORTED_AS:
        assert got[label] == staged[label], f"{case.id} in {where}"


if __name__ == "__main__":
    import pprint

    pprint.pprint(plan(), width=96)
