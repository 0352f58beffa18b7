"""`safeplan`: every SafePlan job from the command line."""

from __future__ import annotations

import getpass
import json
import shutil
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from safeplan.config import settings
from safeplan.ingest import presubmission
from safeplan.ingest.findings import FileRefused, Finding, write_findings
from safeplan.ingest.pipeline import Checked, check_batch
from safeplan.ingest.reference import References
from safeplan.ingest.years import label
from safeplan.measures.benchmarks import load_benchmarks
from safeplan.measures.catalogue import catalogue, fed_by
from safeplan.measures.data import BREAKDOWNS, Source
from safeplan.measures.engine import compute
from safeplan.measures.periods import Period
from safeplan.measures.periods import parse as parse_period
from safeplan.measures.public import public_release, refuse_unpublished
from safeplan.measures.scorecard import plan_measures
from safeplan.measures.scorecard import scorecard as build_scorecard
from safeplan.plans import library
from safeplan.plans.model import Plan
from safeplan.plans.render import plan_text
from safeplan.plans.yamlio import PlanFileError, dump_plan, load_plan, plan_json, plan_schema
from safeplan.publish.tables import public_table, results_table, scorecard_text, write_table
from safeplan.store.db import NoStore, Store, StoreBusy, connect, open_read_only
from safeplan.store.load import (
    LoadResult,
    Prepared,
    Replacement,
    batches,
    last_years,
    load_files,
    undo_load,
)

app = typer.Typer(
    help="SafePlan: the safeguarding partnership's plan on a page, made live.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
plans_app = typer.Typer(
    help="Plans as data: list, show, validate, import, export.", no_args_is_help=True
)
app.add_typer(plans_app, name="plans")


class ShowFormat(StrEnum):
    text = "text"
    yaml = "yaml"
    json = "json"


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code=1)


@contextmanager
def _writing() -> Iterator[Store]:
    """The store to write to. Another load's turn is waited for, saying so, up to
    SAFEPLAN_STORE_WAIT seconds; then a plain message and exit code 3, never a traceback."""
    try:
        with connect(settings().store_url, tell=lambda said: typer.echo(said, err=True)) as store:
            yield store
    except StoreBusy as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=3) from None


def _plan(plan_id: str) -> Plan:
    try:
        return library.get(plan_id)
    except library.UnknownPlanError as exc:
        raise _fail(str(exc)) from exc


@plans_app.command("list")
def plans_list() -> None:
    """List every plan: bundled seed plans and imported ones."""
    rows = library.entries()
    width = max(len(e.plan.id) for e in rows)
    for e in rows:
        origin = "bundled" if e.bundled else "imported"
        typer.echo(
            f"{e.plan.id:<{width}}  {e.plan.period!s:<13} {e.plan.status.value:<10} "
            f"{origin:<8}  {e.plan.title} ({e.plan.partnership.name})"
        )


@plans_app.command("show")
def plans_show(
    plan_id: Annotated[str, typer.Argument(metavar="ID")],
    fmt: Annotated[ShowFormat, typer.Option("--format", "-f")] = ShowFormat.text,
) -> None:
    """Show a plan as readable text, or as YAML or JSON."""
    plan = _plan(plan_id)
    render = {ShowFormat.text: plan_text, ShowFormat.yaml: dump_plan, ShowFormat.json: plan_json}
    typer.echo(render[fmt](plan), nl=fmt is ShowFormat.json)


@plans_app.command("validate")
def plans_validate(files: Annotated[list[Path], typer.Argument(metavar="FILE...")]) -> None:
    """Check plan files; print every problem with its file, line and path."""
    failed = 0
    for path in files:
        try:
            plan = load_plan(path)
        except PlanFileError as exc:
            failed += 1
            typer.echo(exc.report(), err=True)
        else:
            measures = sum(1 for _ in plan.measure_refs())
            typer.echo(
                f"{path}: valid plan '{plan.id}' ({len(plan.priorities)} priorities, "
                f"{measures} key measures)"
            )
    if failed:
        raise typer.Exit(code=1)


@plans_app.command("export")
def plans_export(
    plan_id: Annotated[str, typer.Argument(metavar="ID")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file")] = None,
) -> None:
    """Export a plan as canonical YAML (the format `plans import` reads)."""
    text = dump_plan(_plan(plan_id))
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}", err=True)


@plans_app.command("import")
def plans_import(
    file: Annotated[Path, typer.Argument(metavar="FILE")],
    replace: Annotated[bool, typer.Option(help="Replace a plan with the same id")] = False,
) -> None:
    """Validate a plan file and add it to SafePlan's plans."""
    try:
        plan = library.import_file(file, replace=replace)
    except PlanFileError as exc:
        raise _fail(exc.report()) from exc
    except library.PlanExistsError as exc:
        raise _fail(f"{file}: {exc}") from exc
    typer.echo(f"imported plan '{plan.id}' ({plan.title}) into {settings().plans_dir}")


@plans_app.command("schema")
def plans_schema() -> None:
    """Print the JSON Schema of plan files (for editors and other tools)."""
    typer.echo(json.dumps(plan_schema(), indent=2, ensure_ascii=False))


# --- data in -----------------------------------------------------------------------------

SUPPORTED = (".xml", ".csv", ".xlsx", ".xlsm")
YearOption = Annotated[
    str | None,
    typer.Option(
        "--year",
        help="Collection year (the year it ends, e.g. 2024 for 2023-24) "
        "when the file name does not say",
    ),
]


def _files(paths: list[Path]) -> list[Path]:
    """Files named, and the data files inside folders named, in a stable order."""
    from safeplan.synth.references import listed_in  # a synthetic folder's lists: not returns

    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            lists = listed_in(path)
            out += sorted(
                p
                for p in path.rglob("*")
                if p.suffix.lower() in SUPPORTED and p.is_file() and p not in lists
            )
        else:
            out.append(path)
    return out


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )


LastYearOption = Annotated[
    Path | None,
    typer.Option(
        "--last-year",
        metavar="DIR",
        help="Last year's SSDA903 return (a folder of its CSVs), for the DfE's continuity "
        "rules that compare this year's with it (listed in docs/data.md); a folder of the "
        "year before given alongside is used without it",
        exists=True,
        file_okay=False,
    ),
]


PostcodesOption = Annotated[
    Path | None,
    typer.Option(
        "--postcodes",
        metavar="FILE",
        help="The ONS postcode list (an ONS Postcode Directory CSV) for the 903 rules of the "
        "placement's distance, LA and location (default SAFEPLAN_POSTCODES); read for "
        "checking only, never loaded",
        exists=True,
        dir_okay=False,
    ),
]
ProvidersOption = Annotated[
    Path | None,
    typer.Option(
        "--providers",
        metavar="FILE",
        help="Ofsted's social care providers list (CSV or XLSX) for the 903 URN rules "
        "(default SAFEPLAN_PROVIDERS); read for checking only, never loaded",
        exists=True,
        dir_okay=False,
    ),
]


def _references(postcodes: Path | None, providers: Path | None) -> References:
    """The reference lists given or set, read now: a list that cannot be read stops the
    command before any return is checked, naming the list, row and field."""
    refs = References.from_settings(postcodes, providers)
    try:
        refs.read()
    except FileRefused as exc:
        raise _fail(f"reference list {exc.finding.file}: REFUSED: {_refusal(exc.finding)}") from exc
    return refs


def _last_year(folder: Path | None) -> list[Path] | None:
    return None if folder is None else [p for p in _files([folder]) if p.suffix.lower() == ".csv"]


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(metavar="PATH...")],
    year: YearOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Findings file (.csv or .xlsx)")
    ] = None,
    last_year: LastYearOption = None,
    postcodes: PostcodesOption = None,
    providers: ProvidersOption = None,
    validators: Annotated[
        Path | None,
        typer.Option(
            "--validators",
            envvar="SAFEPLAN_VALIDATORS_PYTHON",
            help="The Python of an environment where data-to-insight's csc-validator-be-cin "
            "and csc-validator-be-903 are installed: run them too, and show where they differ",
        ),
    ] = None,
) -> None:
    """Check files without loading them: a summary here, every finding in a CSV/XLSX file.

    The SSDA903 CSVs of one folder are checked together, as one return; with the folder of
    the year before (or --last-year DIR), against last year's return too; with the
    reference lists (--postcodes, --providers), against those too."""
    refs = _references(postcodes, providers)
    files = _files(paths)
    findings: list[Finding] = []
    refused = 0
    work = batches(files)
    with _progress() as bar:
        task = bar.add_task("validating", total=len(files))
        for batch, before in zip(work, last_years(work, year, _last_year(last_year)), strict=True):
            bar.update(task, description=f"validating {batch[0].name}")
            results = check_batch(batch, year, before, refs)
            told: set[tuple[str, ...]] = set()
            for path, checked in results:
                if isinstance(checked, FileRefused):
                    refused += 1
                    findings.append(checked.finding)
                    typer.echo(f"{path}: REFUSED: {_refusal(checked.finding)}")
                else:
                    findings += checked.findings
                    typer.echo(_summary(path, checked))
                bar.advance(task)
            for _, checked in results:
                if isinstance(checked, Checked):
                    _tell_set(checked.set_files, checked.not_run, told, checked.last_year)
            if validators is not None:
                _beside_validators(validators, batch, results)
            for _, checked in results:
                if isinstance(checked, Checked):
                    checked.close()
    target = out or settings().home / "findings" / "findings.csv"
    write_findings(findings, target)
    typer.echo(f"{len(findings):,} findings written to {target}")
    if refused:
        raise typer.Exit(code=1)


def _beside_validators(
    python: Path, batch: list[Path], results: list[tuple[Path, Checked | FileRefused]]
) -> None:
    """The field's validator over the same return (a CIN census file, or a 903 return's
    folder), and each DfE rule where the two flag different children."""
    checked = [c for _, c in results if isinstance(c, Checked)]
    first = checked[0].staged if checked else None
    if first is None or first.source not in presubmission.KINDS or not first.period:
        return
    where = batch[0] if first.source == "cin_census" else batch[0].parent
    theirs = presubmission.run(python, first.source, where, int(first.period))
    if theirs.error:
        typer.echo(f"  {theirs.error}")
        return
    ours = [f for c in checked for f in c.findings]
    differ = presubmission.disagreements(ours, theirs)
    head = f"  {theirs.tool}: {theirs.findings:,} findings"
    if not differ:
        typer.echo(f"{head}; SafePlan flags the same children, rule by rule")
        return
    prefix = "CIN" if first.source == "cin_census" else "903"
    shown = "; ".join(
        f"{prefix} {r} (children only SafePlan flags {a:,}, only the validator {b:,})"
        for r, a, b in differ[:10]
    )
    more = f" (and {len(differ) - 10} more)" if len(differ) > 10 else ""
    typer.echo(f"{head}; {len(differ)} rules differ: {shown}{more}")


def _refusal(finding: Finding) -> str:
    """Why a file was refused, then where: line, record and field, and the rule."""
    where = [
        f"line {finding.line}" if finding.line else "",
        finding.location,
        finding.field,
        finding.rule,
    ]
    return f"{finding.message} ({', '.join(w for w in where if w)})"


def _tell_set(
    files: list[str], unrun: list[str], told: set[tuple[str, ...]], last: str = ""
) -> None:
    """Once per set: which files were checked together, with which of last year's, and each
    rule that could not run."""
    key = (*files, "|", *unrun, "|", last)
    if key in told or not (files or unrun or last):
        return
    told.add(key)
    if files:
        typer.echo(f"  checked together as one return: {', '.join(files)}")
    if last:
        typer.echo(f"  {last}")
    if unrun:
        typer.echo(f"  {len(unrun)} rules not run: " + "; ".join(unrun))


def _summary(path: Path, checked: Checked) -> str:
    records = sum(len(t) for t in checked.staged.tables.values())
    by_sev = Counter(f.severity.value for f in checked.findings)
    top = Counter(f.rule for f in checked.findings).most_common(3)
    rules = "; ".join(f"{r} ×{n}" for r, n in top)
    children = len({f.child for f in checked.findings if f.child})
    return (
        f"{path}: {checked.staged.kind}, year {checked.staged.period or '?'}: {records:,} records, "
        f"{by_sev.get('error', 0):,} errors, {by_sev.get('warning', 0):,} warnings, "
        f"{by_sev.get('query', 0):,} queries, "
        f"{checked.quarantine_count:,} to quarantine"
        + (
            f", {children:,} {'child' if children == 1 else 'children'} to correct"
            if children
            else ""
        )
        + (f" (most: {rules})" if rules else "")
    )


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(metavar="PATH...")],
    year: YearOption = None,
    workers: Annotated[
        int | None, typer.Option(help="Files checked at once (default: one per core)")
    ] = None,
    last_year: LastYearOption = None,
    postcodes: PostcodesOption = None,
    providers: ProvidersOption = None,
    yes: Annotated[
        bool, typer.Option("--yes", help="Replace earlier loads of the same return without asking")
    ] = False,
    allow_fewer: Annotated[
        bool,
        typer.Option(
            "--allow-fewer",
            help="Also replace a load with a file of fewer than half its records (an empty "
            "or partial file is refused without it)",
        ),
    ] = False,
) -> None:
    """Validate and load files into the store: each file atomically, and only once.

    A file that replaces an earlier load of the same return first shows what changes and
    asks (or needs --yes); one that would take away most of the records needs
    --allow-fewer. Any load can be undone: `safeplan loads undo N`. Last year's return is
    read from files (the folder of the year before given alongside, or --last-year DIR),
    not from the store; the reference lists (--postcodes, --providers) are checked
    against, never loaded."""
    refs = _references(postcodes, providers)
    files = _files(paths)

    def decide(change: Replacement) -> bool:
        typer.echo(_replacement_text(change))
        if change.shrinks:
            return allow_fewer
        if yes or allow_fewer:
            return True
        return sys.stdin.isatty() and typer.confirm("Replace it?", default=False)

    with _writing() as store, _progress() as bar:
        task = bar.add_task("loading", total=len(files))

        told: set[tuple[str, ...]] = set()

        def report(path: Path, outcome: LoadResult | FileRefused) -> None:
            if isinstance(outcome, FileRefused):
                typer.echo(f"{path}: REFUSED, nothing loaded: {outcome.finding}")
            else:
                typer.echo(outcome.describe())
            bar.advance(task)

        def checked(_path: Path, prepared: Prepared) -> None:
            _tell_set(prepared.set_files, prepared.not_run, told, prepared.last_year)

        refused = load_files(
            store,
            files,
            year,
            settings().key(),
            report,
            workers,
            checked=checked,
            last_year=_last_year(last_year),
            references=refs,
            decide=decide,
        )
    if refused:
        raise typer.Exit(code=1)


def _replacement_text(change: Replacement) -> str:
    """What a replacement changes: records per table, and the measures it can move."""
    measures = ", ".join(m.id for m in fed_by(change.tables)) or "none"
    years = label(int(change.period)) if change.period.isdigit() else change.period
    return (
        f"{change.describe()}\n  figures that can move: {measures}, for the quarters of "
        f"{years} (and any period its records reach)"
    )


audit_app = typer.Typer(help="The web app's audit trail: verify it, export its head.")
app.add_typer(audit_app, name="audit")


def _web() -> None:
    """Django set up for the commands that read the web app's database."""
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeplan.web.settings")
    django.setup()


@audit_app.command("verify")
def audit_verify(
    heads: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="The heads exported by `safeplan audit head --export` (default "
            "SAFEPLAN_AUDIT_HEADS)",
        ),
    ] = None,
) -> None:
    """Check the whole trail: no entry edited, removed or slipped in (each chained by the
    audit key), and every exported head still in it (no tail cut off)."""
    _web()
    from safeplan.web.audit.trail import verify_chain

    found = verify_chain(heads)
    if not found.ok:
        where = f"entry {found.seq}" if found.seq else "the trail"
        raise _fail(f"the audit trail does not verify: {where} {found.problem}")
    typer.echo(f"the audit trail verifies: {found.entries:,} entries, none changed")


@audit_app.command("head")
def audit_head(
    export: Annotated[
        bool, typer.Option("--export", help="Append it to SAFEPLAN_AUDIT_HEADS (run from cron)")
    ] = False,
) -> None:
    """The trail's newest entry and its hash: note it, or append it to the heads file on a
    schedule so that a cut-off tail is found."""
    _web()
    from safeplan.web.audit.trail import export_head, head

    seq, digest = export_head() if export else head()
    typer.echo(f"{seq} {digest}")


reminders_app = typer.Typer(help="Reminders of data returns, to the analysts who owe them.")
app.add_typer(reminders_app, name="reminders")


@reminders_app.command("send")
def reminders_send(
    today: Annotated[
        str | None, typer.Option(metavar="YYYY-MM-DD", help="The day to judge by (default today)")
    ] = None,
) -> None:
    """E-mail the day's reminders: a return due soon, or overdue, to its agency's analysts;
    each once (run daily from cron)."""
    import datetime

    _web()
    from django.utils import timezone

    from safeplan.web.returns.reminders import send

    try:
        day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    except ValueError as exc:
        raise _fail(f"--today {today!r} is not a date like 2025-08-01") from exc
    try:
        sent = send(day, "cli:" + getpass.getuser())
    except OSError as exc:  # the mail server did not answer, or refused
        raise _fail(f"reminders not sent: {exc}") from exc
    typer.echo(
        f"{sent.emails} e-mails sent, {sent.reminders} returns reminded"
        + (f"; no analyst to send to at: {', '.join(sent.nobody)}" if sent.nobody else "")
        + (
            f"; {sent.without_address} analysts have no e-mail address"
            if sent.without_address
            else ""
        )
    )


users_app = typer.Typer(
    help="The web app's people: add, list, change, deactivate, invite (each change audited).",
    no_args_is_help=True,
)
app.add_typer(users_app, name="users")
Text = Annotated[str | None, typer.Option()]


def _cli_actor() -> str:
    """Who the audit trail says made a change from the command line."""
    return f"cli:{getpass.getuser()}"


def _person(username: str) -> Any:
    from safeplan.web.accounts.models import User

    found = User.objects.filter(username=username).first()
    if found is None:
        raise _fail(f"nobody has the username {username!r} (`safeplan users list`)")
    return found


def _person_fields(
    email: str | None, agency: str | None, role: str | None, first: str | None, last: str | None
) -> dict[str, Any]:
    from safeplan.web.accounts import people

    fields: dict[str, Any] = {"email": email, "first_name": first, "last_name": last}
    try:
        fields["agency"] = people.agency_named(agency) if agency else None
        fields["role"] = people.role_named(role) if role else None
    except ValueError as refused:
        raise _fail(str(refused)) from None
    return {k: v for k, v in fields.items() if v is not None}


def _invite(person: Any) -> None:
    from django.conf import settings as django_settings

    from safeplan.web.accounts import people

    try:
        people.invite(_cli_actor(), person, django_settings.SAFEPLAN_SITE_URL)
    except ValueError as refused:
        raise _fail(str(refused)) from None
    typer.echo(f"invitation sent to {person.email}")


@users_app.command("add")
def users_add(
    username: str,
    email: Annotated[str, typer.Option(help="Where their invitation goes")],
    agency: Annotated[str, typer.Option(help="Their agency's name")],
    role: Annotated[str, typer.Option(help="admin, analyst, contributor or board")],
    first_name: Text = None,
    last_name: Text = None,
    invite: Annotated[bool, typer.Option(help="E-mail them a link to set a password")] = False,
) -> None:
    """Add a person (no password until they follow an invitation)."""
    _web()
    from django.core.exceptions import ValidationError

    from safeplan.web.accounts import people

    fields = _person_fields(email, agency, role, first_name, last_name)
    try:
        person = people.add(_cli_actor(), username, fields)
    except ValidationError as refused:
        raise _fail("; ".join(refused.messages)) from None
    typer.echo(f"added {person.username}")
    if invite:
        _invite(person)


@users_app.command("list")
def users_list() -> None:
    """Everyone who can (or could) sign in, with agency, role, e-mail and status."""
    _web()
    from safeplan.web.accounts import people
    from safeplan.web.accounts.models import Role, User

    for u in User.objects.select_related("agency").order_by("username"):
        agency = u.agency.name if u.agency else "-"
        role = Role(u.role).label if u.role in Role.values else "-"
        typer.echo(
            f"{u.username:<20} {u.get_full_name() or '-':<24} {agency:<28} "
            f"{role:<20} {u.email or '-':<32} {people.status(u)}"
        )


@users_app.command("change")
def users_change(
    username: str,
    email: Text = None,
    agency: Text = None,
    role: Text = None,
    first_name: Text = None,
    last_name: Text = None,
    reset_two_step: Annotated[
        bool, typer.Option(help="Remove their authenticator app and recovery codes (lost phone)")
    ] = False,
) -> None:
    """Change a person's e-mail, agency, role or name."""
    _web()
    from django.core.exceptions import ValidationError

    from safeplan.web.accounts import people, twostep

    person = _person(username)
    try:
        changed = people.change(
            _cli_actor(), person, _person_fields(email, agency, role, first_name, last_name)
        )
    except ValidationError as refused:
        raise _fail("; ".join(refused.messages)) from None
    if reset_two_step:
        twostep.reset(_cli_actor(), person)
        typer.echo(f"{username} sets up two-step sign-in again at their next sign-in")
    typer.echo(f"changed {username}" if changed else f"{username}: nothing to change")


@users_app.command("deactivate")
def users_deactivate(username: str) -> None:
    """Stop a person signing in (never deleted: the audit trail keeps their name)."""
    _web()
    from safeplan.web.accounts import people

    people.deactivate(_cli_actor(), _person(username))
    typer.echo(f"deactivated {username}")


@users_app.command("invite")
def users_invite(username: str) -> None:
    """E-mail a person a single-use, expiring link to set their password (SAFEPLAN_SITE_URL)."""
    _web()
    _invite(_person(username))


loads_app = typer.Typer(help="The loads in the store: list them, undo one.")
app.add_typer(loads_app, name="loads")


@loads_app.callback(invoke_without_command=True)
def loads(ctx: typer.Context) -> None:
    """List the loads in the store, newest first, with their counts."""
    if ctx.invoked_subcommand is not None:
        return
    try:  # read-only: listing never waits for a load
        with open_read_only(settings().store_url) as store:
            made = store.query(
                "SELECT 1 FROM information_schema.tables WHERE table_name = ?", ["sp_loads"]
            )
            rows = (
                store.query(
                    "SELECT load_id, status, kind, period, la, file_name, records, quarantined, "
                    "findings, loaded_at FROM sp_loads ORDER BY load_id DESC"
                )
                if made
                else []
            )
    except NoStore:
        rows = []
    if not rows:
        typer.echo("no loads yet: see `safeplan load --help`")
        return
    typer.echo(
        f"{'load':>5} {'status':<9} {'kind':<32} {'year':<5} {'records':>9} {'quar.':>6} "
        f"{'findings':>8}  file"
    )
    for lid, status, kind, period, _la, name, rec, quar, fnd, _at in rows:
        counts = f"{rec:>9,} {quar:>6,} {fnd:>8,}"
        typer.echo(f"{lid:>5} {status:<9} {kind:<32} {period or '':<5} {counts}  {name}")


@loads_app.command("undo")
def loads_undo(
    load_id: Annotated[int, typer.Argument(metavar="N", help="The load to undo")],
    yes: Annotated[bool, typer.Option("--yes", help="Undo without asking")] = False,
) -> None:
    """Undo load N: its records go and the load it replaced comes back, exactly as the
    store was before it; recorded with who undid it."""
    if not yes and not (sys.stdin.isatty() and typer.confirm(f"Undo load {load_id}?")):
        raise _fail(f"load {load_id} not undone: confirm with --yes")
    with _writing() as store:
        try:
            done = undo_load(store, load_id, f"cli:{getpass.getuser()}")
        except (LookupError, ValueError) as exc:
            raise _fail(str(exc)) from exc
    typer.echo(done.describe())


@app.command()
def synth(
    children: Annotated[
        int, typer.Option(min=1, help="Number of children in the partnership")
    ] = 2000,
    years: Annotated[int, typer.Option(min=1, max=20, help="Collection years of data")] = 3,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same files")] = 1,
    out: Annotated[Path, typer.Option(help="Folder to write the files to")] = Path("synthetic"),
) -> None:
    """Write a fictional partnership's data in the real formats (no real child data)."""
    from safeplan.synth import SYNTHETIC_AREA, generate

    with _progress() as bar:
        task = bar.add_task("synthesising children", total=children)
        summary = generate(
            out, children, years, seed, progress=lambda n: bar.update(task, completed=n)
        )
    typer.echo(
        f"wrote {len(summary.files)} files for {children:,} children over {years} years to {out}"
    )
    typer.echo(  # the fictional world's lists, for the 903 place rules (manifest.json)
        f"its reference lists: --postcodes {out / 'reference' / 'postcodes.csv'} --providers "
        f"{out / 'reference' / 'providers.csv'}, with SAFEPLAN_LA_CODE={SYNTHETIC_AREA}"
    )


@app.command()
def demo(
    children: Annotated[int, typer.Option(min=1, help="Synthetic children")] = 3000,
    years: Annotated[int, typer.Option(min=1, max=10, help="Collection years")] = 3,
) -> None:
    """Run the main job available so far, saying what it did at each step."""
    from safeplan.synth import generate

    out_dir = settings().home / "demo"
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = library.entries()
    typer.echo(f"SafePlan demo — working in {settings().home}")
    typer.echo(f"1. Validated the {len(rows)} bundled plans:")
    for e in rows:
        measures = sum(1 for _ in e.plan.measure_refs())
        typer.echo(
            f"   - {e.plan.id}: {len(e.plan.priorities)} priorities, {measures} key measures"
        )
        (out_dir / f"{e.plan.id}.yaml").write_text(dump_plan(e.plan), encoding="utf-8")
    (out_dir / "plan.schema.json").write_text(json.dumps(plan_schema(), indent=2), encoding="utf-8")
    typer.echo(f"2. Exported each as YAML, with the plan JSON Schema, to {out_dir}")
    data = out_dir / "data"
    summary = generate(data, children, years, seed=2026, end_year=DEMO_END_YEAR)
    typer.echo(
        f"3. Synthesised a fictional partnership ({children:,} children, {years} years; no real "
        f"child data) as {len(summary.files)} files in the real formats, in {data}"
    )
    outcomes: list[LoadResult | FileRefused] = []
    with _writing() as store:
        load_files(store, _files([data]), None, settings().key(), lambda _p, o: outcomes.append(o))
        per_source = store.query(
            "SELECT source, count(*), sum(records), sum(quarantined), sum(findings) FROM sp_loads "
            "WHERE status = 'loaded' GROUP BY source ORDER BY source"
        )
    fresh = sum(1 for o in outcomes if isinstance(o, LoadResult) and o.status == "loaded")
    typer.echo(
        f"4. Validated and loaded them into the store {settings().store_url} "
        f"({fresh} new loads, {len(outcomes) - fresh} already there):"
    )
    for source, files, records, quarantined, findings in per_source:
        typer.echo(
            f"   - {source}: {files} files, {records:,} records, {quarantined:,} quarantined, "
            f"{findings:,} findings"
        )
    typer.echo("   (`safeplan loads` lists every load; `safeplan validate` writes every finding)")
    period = parse_period(f"{DEMO_END_YEAR}-Q1")
    samples = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "ees"
    marks = load_benchmarks([samples]) if samples.is_dir() else None
    if marks and not settings().benchmarks_dir.exists():  # for the web app's scorecards too
        shutil.copytree(samples, settings().benchmarks_dir)
    plan = library.get("durham-lscb-2017-2020")
    lines = build_scorecard(Source.connect(settings().store_url), plan, period, marks, DURHAM_LA)
    typer.echo(
        "5. The County Durham 2017–2020 scorecard, computed from the synthetic data"
        + (
            ", beside County Durham's published DfE figures (sample extracts) where the DfE "
            "publishes one of the same unit and definition:"
            if marks
            else ":"
        )
    )
    typer.echo("")
    typer.echo(scorecard_text(plan, period, lines))
    from safeplan.web import server

    server.setup()
    server.migrate()
    from safeplan.web.reports import make

    pdf = make(plan, period, "pdf", settings().home / "reports" / f"{plan.id}-{period.label}.pdf")
    typer.echo(f"6. Wrote the board report for {period.title} (partner version): {pdf}")


DEMO_END_YEAR = 2025
DURHAM_LA = "E06000047"  # County Durham's area code, for its published benchmarks

# --- measures ----------------------------------------------------------------------------

measures_app = typer.Typer(help="The measure catalogue and its figures.", no_args_is_help=True)
app.add_typer(measures_app, name="measures")


class OutFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


def _period(label: str) -> Period:
    try:
        return parse_period(label)
    except ValueError as exc:
        raise _fail(str(exc)) from exc


@measures_app.command("list")
def measures_list() -> None:
    """Every measure in the catalogue: id, unit, direction and title."""
    for m in catalogue().values():
        typer.echo(f"{m.id:<30} {m.unit_label:<5} {m.direction:<9} {m.title}")


@measures_app.command("compute")
def measures_compute(
    period: Annotated[str, typer.Option(help="2024-Q3, 2024-09, 2024-25 or R12-2024-09")],
    plan: Annotated[str | None, typer.Option(help="Only this plan's key measures")] = None,
    measure: Annotated[list[str] | None, typer.Option(help="Only these measures")] = None,
    by: Annotated[
        list[str] | None, typer.Option(help=f"Breakdowns: {', '.join(BREAKDOWNS)}")
    ] = None,
    periods: Annotated[int, typer.Option(min=1, help="How many periods up to --period")] = 1,
    fmt: Annotated[OutFormat, typer.Option("--format")] = OutFormat.table,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file")] = None,
    public: Annotated[
        bool,
        typer.Option(help="The public figures: quarters and years, small numbers withheld"),
    ] = False,
) -> None:
    """Compute measures for periods and breakdowns, from the store."""
    known = catalogue()
    chosen = plan_measures(_plan(plan)) if plan else list(known.values())
    if measure:
        missing = [m for m in measure if m not in known]
        if missing:
            raise _fail(f"no measure has the id '{missing[0]}' (see `safeplan measures list`)")
        chosen = [m for m in chosen if m.id in measure]
    wanted = _period(period).series(periods)
    try:
        source = Source.connect(settings().store_url)
        if public:  # the cells every public output shows, protected together
            refuse_unpublished(wanted[-1])
            release = public_release(source, chosen)
            cells = release.select([m.id for m in chosen], wanted, by or [])
            table = public_table(cells)
        else:
            table = results_table(compute(source, chosen, wanted, by or []))
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    write_table(table, fmt.value, out)
    if out:
        typer.echo(f"wrote {len(table.rows):,} rows to {out}", err=True)


@app.command()
def scorecard(
    plan: Annotated[str, typer.Option(help="The plan's id (see `safeplan plans list`)")],
    period: Annotated[str, typer.Option(help="2024-Q3, 2024-09, 2024-25 or R12-2024-09")],
    benchmarks: Annotated[
        list[Path] | None, typer.Option(help="DfE open-data CSVs (or folders) for benchmarks")
    ] = None,
    la: Annotated[str, typer.Option(help="The council's area code, for benchmarks")] = "",
) -> None:
    """Each priority's key measures: value, target, RAG, SPC signal, change and benchmark."""
    the_plan = _plan(plan)
    marks = load_benchmarks(benchmarks) if benchmarks else None
    lines = build_scorecard(
        Source.connect(settings().store_url), the_plan, _period(period), marks, la
    )
    typer.echo(scorecard_text(the_plan, _period(period), lines))


class ReportFormat(StrEnum):
    pdf = "pdf"
    html = "html"
    xlsx = "xlsx"


@app.command()
def report(
    plan: Annotated[str, typer.Option(help="The plan's id (see `safeplan plans list`)")],
    period: Annotated[str, typer.Option(help="The quarter, e.g. 2024-Q3")],
    fmt: Annotated[ReportFormat, typer.Option("--format")] = ReportFormat.pdf,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File to write")] = None,
    public: Annotated[bool, typer.Option(help="Withhold small numbers, for publishing")] = False,
) -> None:
    """The quarterly board report: summary, scorecards, charts, commentary, actions, annexes."""
    from safeplan.web import server

    the_plan, quarter = _plan(plan), _period(period)
    if quarter.kind != "quarter":
        raise _fail(f"a board report is for a quarter, like 2024-Q3, not '{period}'")
    server.setup()
    server.migrate()  # commentary and actions live in the web app's database
    from safeplan.web.reports import make

    kind = "public" if public else "partner"
    target = out or Path(f"{the_plan.id}-{quarter.label}-{kind}.{fmt.value}")
    try:
        written = make(the_plan, quarter, fmt.value, target, public=public)
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"wrote the {kind} board report to {written}")


# --- web ---------------------------------------------------------------------------------


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on")] = 8000,
) -> None:
    """Serve the web app (after bringing its database up to date): for a demo on one machine.

    In production run safeplan.web.wsgi:application under a WSGI server behind TLS instead.
    Listening beyond this machine needs SAFEPLAN_ALLOWED_HOSTS to name the host.
    """
    from safeplan.web.server import serve as run_server

    typer.echo(f"SafePlan at http://{host}:{port}/ (Ctrl+C to stop)")
    run_server(host, port)
