"""`safeplan`: every SafePlan job from the command line."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from safeplan.config import settings
from safeplan.plans import library
from safeplan.plans.model import Plan
from safeplan.plans.render import plan_text
from safeplan.plans.yamlio import PlanFileError, dump_plan, load_plan, plan_json, plan_schema

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


@app.command()
def demo() -> None:
    """Run the main job available so far, saying what it did at each step."""
    out_dir = settings().home / "demo"
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = library.entries()
    typer.echo(f"SafePlan demo — working in {out_dir}")
    typer.echo(f"1. Validated the {len(rows)} bundled plans:")
    for e in rows:
        measures = sum(1 for _ in e.plan.measure_refs())
        typer.echo(
            f"   - {e.plan.id}: {len(e.plan.priorities)} priorities, {measures} key measures"
        )
    for e in rows:
        (out_dir / f"{e.plan.id}.yaml").write_text(dump_plan(e.plan), encoding="utf-8")
    (out_dir / "plan.schema.json").write_text(json.dumps(plan_schema(), indent=2), encoding="utf-8")
    typer.echo(f"2. Exported each as YAML, and the plan JSON Schema, to {out_dir}")
    typer.echo("3. The County Durham plan on a page, 2017–2020:\n")
    typer.echo(plan_text(library.get("durham-lscb-2017-2020")))
