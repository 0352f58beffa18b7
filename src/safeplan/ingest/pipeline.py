"""From files on disk to checked staging tables: read, validate, decide what is quarantined.

`check_batch` is what both `safeplan validate` and `safeplan load` run (and web uploads);
only `load` goes on to write the store. A return made of several files is checked as a set:
the SSDA903 CSVs of one folder (or one upload) and one collection year are staged together
in one DuckDB before the rules run, so the rules that join one file to another (episodes or
missing episodes to the header) run. A rule that cannot run, because a file of the set or
the collection year is missing, is listed on each file's `Checked.not_run`, never skipped
silently.

The DfE's continuity rules also read last year's return, staged beside this year's as
``s903_<file>_last``: from a 903 set of the year before in the same batch (files
of both years in one folder, or one upload), else from the files given as ``last_year``
(``--last-year DIR``, or the folder of the year before given beside this year's:
`safeplan.store.load.last_years`), each read in its own year's layout. Without it those
rules are listed as not run, naming the file of last year's return they need.

The rules of the placement's place and provider also read the reference lists
(`safeplan.ingest.reference`: the ONS postcode list, Ofsted's provider list), staged into
each 903 set's DuckDB from ``references`` (``--postcodes``/``--providers``, else
SAFEPLAN_POSTCODES/SAFEPLAN_PROVIDERS); without them those rules are listed as not run.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb

from safeplan.ingest import years
from safeplan.ingest.annex_a import read_annex_a
from safeplan.ingest.cin_census import read_cin_census
from safeplan.ingest.findings import FileRefused, Finding, Severity, one_per_fault, refuse
from safeplan.ingest.partner import identify as identify_template
from safeplan.ingest.partner import read_partner
from safeplan.ingest.reference import NEEDS, References
from safeplan.ingest.rules import RULES, Rule, not_run, run_rules
from safeplan.ingest.rules.s903_cohorts import LAST_SUFFIX
from safeplan.ingest.safety import check_size
from safeplan.ingest.ssda903 import identify, read_ssda903
from safeplan.ingest.staged import Staged
from safeplan.ingest.staging import CIN_TABLES, S903_FILES
from safeplan.ingest.tabular import read_header, year_from_path

log = logging.getLogger(__name__)
LAST_HINT = "give last year's return alongside, or --last-year DIR"


@dataclass
class Checked:
    """A file read and validated, its staging tables held in an in-memory DuckDB."""

    staged: Staged
    con: duckdb.DuckDBPyConnection
    file_hash: str
    file_bytes: int
    findings: list[Finding]
    quarantined: dict[str, dict[int, list[str]]] = field(default_factory=dict)
    not_run: list[str] = field(default_factory=list)  # "903 302: needs the Header file"
    set_files: list[str] = field(default_factory=list)  # the files checked with it as a set
    last_year: str = ""  # which of last year's files were staged beside it as _last, or why not

    @property
    def quarantine_count(self) -> int:
        return sum(len(rows) for rows in self.quarantined.values())

    def close(self) -> None:
        self.con.close()


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_file(path: Path, year: str | None = None) -> Staged:
    """Recognise the file by its extension and contents, and read it."""
    given = years.parse_year(year)
    year = str(given) if given is not None else None
    suffix = path.suffix.lower()
    if suffix == ".xml":
        return read_cin_census(path, given)
    if suffix in (".xlsx", ".xlsm"):
        from safeplan.ingest.annex_a import open_workbook

        with open_workbook(path) as book:
            sheets = book.sheet_names
        if any(s.startswith("List ") for s in sheets):
            return read_annex_a(path, year)
        return read_partner(path, year)
    if suffix == ".csv":
        _, header = read_header(path)
        if identify(header, path.name, exact=True) is None and identify_template(header, path.name):
            return read_partner(path, year)
        if identify(header, path.name) is not None:
            return read_ssda903(path, year)
        return read_partner(path, year)
    check_size(path)
    raise refuse(
        path.name,
        "SP-FILETYPE",
        f"SafePlan reads .xml (CIN census), .csv (SSDA903, partner templates) and .xlsx "
        f"(Annex A, partner templates) files, not '{suffix or 'no extension'}'",
    )


def check(path: Path, year: str | None = None) -> Checked:
    """Read and validate one file. Raises FileRefused if it cannot be used at all."""
    [(_, checked)] = check_batch([path], year)
    if isinstance(checked, FileRefused):
        raise checked
    return checked


def _read(path: Path, year: str | None) -> tuple[Staged, int] | FileRefused:
    """One file read, or why not: whatever a file holds, it is refused on its own and the
    other files of the batch go on (an error no reader foresaw is logged for the maintainers
    and reported as the file's refusal, never a traceback)."""
    try:
        size = check_size(path)
        return read_file(path, year), size
    except FileRefused as exc:
        return exc
    except Exception as exc:  # one bad file must never stop the others
        log.exception("reading %s failed", path)
        return refuse(
            path.name,
            "SP-READ",
            f"the file could not be read ({type(exc).__name__}: {exc}); check that it is the "
            "export it should be, and report it if it is",
        )


def check_batch(
    paths: Iterable[Path],
    year: str | None = None,
    last_year: Sequence[Path] = (),
    references: References | None = None,
) -> list[tuple[Path, Checked | FileRefused]]:
    """Read and validate files, each return as a set: the 903 files of one collection year
    are staged and checked together (one file of each kind to a set: a second Episodes file
    of the same year starts another set). A 903 set whose year before is also in the batch
    has that year's files staged beside it as ``_last``; one whose year before is not has
    ``last_year``'s files (last year's return, read in the year before's layout, checked no
    further). The reference lists are ``references``' (by default SAFEPLAN_POSTCODES and
    SAFEPLAN_PROVIDERS); a list that cannot be read is refused (raised). Each file's
    outcome in the order given."""
    refs = references if references is not None else References.from_settings()
    read = [(p, _read(p, year)) for p in paths]
    sets: list[list[tuple[Path, Staged, int]]] = []
    open_sets: dict[str | None, list[tuple[Path, Staged, int]]] = {}
    for path, got in read:
        if isinstance(got, FileRefused):
            continue
        staged, size = got
        if staged.source != "ssda903":
            sets.append([(path, staged, size)])
            continue
        group = open_sets.get(staged.period)
        if group is None or staged.kind in {s.kind for _, s, _ in group}:
            group = []
            sets.append(group)
            open_sets[staged.period] = group
        group.append((path, staged, size))
    by_year: dict[int, list[Staged]] = {}  # each year's first 903 set, for the year after
    for group in sets:
        y = _year(group[0][1].period)
        if group[0][1].source == "ssda903" and y is not None:
            by_year.setdefault(y, [s for _, s, _ in group])
    given = _LastYear(list(last_year))
    done: dict[Path, Checked | FileRefused] = {}
    for group in sets:
        before: tuple[list[Staged], str] = ([], "")
        if group[0][1].source == "ssda903":
            if (bad := _unreadable(refs)) is not None:
                done.update((member[0], bad) for member in group)
                continue
            y = _year(group[0][1].period)
            if y is not None and y - 1 in by_year:
                before = (by_year[y - 1], f"{years.label(y - 1)}, checked with it")
            elif last_year:
                before = given.read(y)
        for member, checked in zip(group, _check_set(group, *before, refs), strict=True):
            done[member[0]] = checked
    return [(p, got if isinstance(got, FileRefused) else done[p]) for p, got in read]


def _unreadable(refs: References) -> FileRefused | None:
    """Why a reference list cannot be read, if it cannot: the 903 return is then refused
    with its reason (the command line reads the lists first and stops; an upload, whose
    lists are the service's settings, says so)."""
    try:
        refs.read()
    except FileRefused as exc:
        f = exc.finding
        return FileRefused(replace(f, message=f"the reference list {f.file}: {f.message}"))
    return None


class _LastYear:
    """Last year's files (``--last-year DIR``, or the folder of the year before given
    beside this year's), read once for each year they are last year of."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = paths
        self.done: dict[int | None, tuple[list[Staged], str]] = {}

    def read(self, year: int | None) -> tuple[list[Staged], str]:
        """Last year's 903 files for a return of ``year`` (read in the layout of the year
        before), and a line saying what was read, or why nothing could be."""
        if year not in self.done:
            self.done[year] = self._read(year)
        return self.done[year]

    def _read(self, year: int | None) -> tuple[list[Staged], str]:
        where = ", ".join(sorted({str(p.parent) for p in self.paths}))
        named = {y for p in self.paths if (y := year_from_path(p)) is not None}
        if year is not None and named and named != {str(year - 1)}:
            other = ", ".join(years.label(int(y)) for y in sorted(named))
            return [], (
                f"not used: {where} holds the {other} return, not that of "
                f"{years.label(year - 1)}, the year before this {years.label(year)} return"
            )
        out: list[Staged] = []
        used: list[str] = []
        skipped: list[str] = []
        for path in self.paths:
            got = _read(path, str(year - 1) if year is not None else None)
            if isinstance(got, FileRefused):
                skipped.append(f"{path.name} refused ({got.finding.message})")
                continue
            staged = got[0]
            if staged.source != "ssda903":
                continue  # not a file of the 903 return (a partner template beside it)
            if staged.kind in {s.kind for s in out}:
                skipped.append(f"{path.name} (a second {staged.kind.split(':')[1]} file)")
                continue
            out.append(staged)
            used.append(path.name)
        label = years.label(year - 1) if year is not None else "year not known"
        text = f"{label}, from {where}: " + (", ".join(used) or "no 903 file")
        if skipped:
            text += "; not used: " + "; ".join(skipped)
        return out, text


def _check_set(
    group: list[tuple[Path, Staged, int]],
    before: list[Staged] | None = None,
    told: str = "",
    references: References | None = None,
) -> list[Checked]:
    """One return's files staged in one connection, last year's (``before``) beside them as
    ``_last`` and a 903 return's reference lists with them, its rules run once over them
    all."""
    con = duckdb.connect(":memory:")
    first = group[0][1]
    for _, staged, _ in group:
        staged.to_duckdb(con)
    if first.source == "ssda903" and references is not None:
        references.stage(con)
    for staged in before or []:
        staged.to_duckdb(con, LAST_SUFFIX)
    if before:
        told = f"last year's return staged beside it ({told})"
    elif told:
        told = f"last year's return ({told})"
    if first.source == "cin_census":  # a record type with no records is still in the return
        for spec in CIN_TABLES:
            if spec.name not in first.tables:
                con.execute(spec.ddl())
    year = _year(first.period)
    found = run_rules(con, first.source, year)
    missing = _not_run(con, first.source, year)
    names = [path.name for path, _, _ in group]
    out = []
    for path, staged, size in group:
        own = set(staged.tables)
        findings = one_per_fault(staged.findings, [f for f in found if f.table in own])
        checked = Checked(staged, con, file_hash(path), size, findings)
        checked.quarantined = _quarantine(staged, findings)
        checked.not_run = missing
        checked.set_files = names if len(group) > 1 else []
        checked.last_year = told
        out.append(checked)
    return out


def _not_run(con: duckdb.DuckDBPyConnection, source: str, year: int | None) -> list[str]:
    """Each rule of the return that did not run here, and why, in the order of the rules: a
    rule whose records are here but that also reads a file not sent, or needs the year."""
    labels = {v: k for k, v in S903_FILES.items()}
    out: dict[str, str] = {}
    rows = con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    present = {str(r[0]) for r in rows}
    for rule in not_run(con, source, year):
        if rule.table not in present:
            continue  # no records of its own to check: nothing is skipped
        absent = [t for t in rule.tables if t not in present and t != "sp_collection"]
        lists = [NEEDS[t] for t in absent if t in NEEDS]  # the reference lists, named last
        needs = [_needed(t, labels) for t in absent if t not in NEEDS]
        if "sp_collection" in rule.tables and year is None:
            needs.append("the collection year")
        why = " and ".join(needs or ([] if lists else ["a table not staged"]))
        if any(t.endswith(LAST_SUFFIX) for t in absent):
            why += f" ({_last_hint(absent, labels, year)})"
        why = "needs " + " and ".join(w for w in (why, *lists) if w)
        out.setdefault(rule.label, why)
    if year is None:
        for rule in _yearly(source):
            out.setdefault(rule.label, "needs the collection year (its codes change by year)")
    return [f"{label}: {why}" for label, why in out.items()]


def _last_hint(absent: list[str], labels: dict[str, str], year: int | None) -> str:
    """How to give what a continuity rule needs of last year's return, or that last year's
    return has no such file (DoLo before 2026-27)."""
    before = years.layout("ssda903", year - 1) if year is not None else None
    for table in absent:
        file = labels.get(table.removesuffix(LAST_SUFFIX), "")
        if table.endswith(LAST_SUFFIX) and before is not None and file not in before.files:
            return f"the {before.label} return has no {file} file"
    return LAST_HINT


def _needed(table: str, labels: dict[str, str]) -> str:
    """'the Header file', or for a ``_last`` table "last year's Episodes file"."""
    base = table.removesuffix(LAST_SUFFIX)
    if base != table:
        return f"last year's {labels.get(base, base)} file"
    return f"the {labels.get(table, table)} file"


def _year(period: str | None) -> int | None:
    """The collection year (2025 for 2024-25) of a return's period, when it is one."""
    return int(period) if period and period.isdigit() else None


def _yearly(source: str) -> list[Rule]:
    return [r for r in RULES if r.source == source and not r.applies(None)]


def _quarantine(staged: Staged, findings: list[Finding]) -> dict[str, dict[int, list[str]]]:
    """Rows with an error go to quarantine, and so do the records nested inside them."""
    out: dict[str, dict[int, list[str]]] = {}
    for f in findings:
        if f.severity is Severity.error and f.table and f.seq is not None:
            out.setdefault(f.table, {}).setdefault(f.seq, []).append(f"[{f.rule}] {f.message}")
    for name, rows in staged.tables.items():  # parents come before children in staging order
        parent = rows.spec.parent
        if parent is None or parent not in out:
            continue
        bad = out[parent]
        for seq, parent_seq in zip(rows.data["_seq"], rows.data["_parent"], strict=True):
            if parent_seq in bad:
                reasons = out.setdefault(name, {}).setdefault(seq, [])
                if not reasons:
                    reasons.append("the record it belongs to is in quarantine")
    return out
