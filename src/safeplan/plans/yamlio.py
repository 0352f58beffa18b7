"""Plan files: YAML in, YAML out, with errors a business manager can act on.

Reading is deliberately strict: anchors/aliases and duplicate keys are refused (a plan
never needs them, and they hide mistakes or blow up memory), files over a size limit are
refused, and every problem names the file, the line, the path inside the plan
(``priorities[2].measures[0].direction``) and what is wrong in plain English.
"""

from __future__ import annotations

import difflib
import json
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from safeplan.plans.model import CrossCheckError, Plan

MAX_PLAN_BYTES = 1_000_000
"""A plan on a page is a few kilobytes; anything near a megabyte is not a plan."""

Loc = tuple[int | str, ...]


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    line: int | None = None


class PlanFileError(Exception):
    """A plan file that cannot be used, with every problem found in it."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(self.report())

    def report(self) -> str:
        lines = [f"{self.source}: {len(self.problems)} problem(s) in this plan file"]
        for p in self.problems:
            where = f"{self.source}:{p.line}" if p.line else self.source
            lines.append(f"  {where}: {p.path or '(whole file)'}: {p.message}")
        return "\n".join(lines)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases and duplicate keys."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None,
                None,
                "anchors and aliases (*name) are not allowed in plan files; write the value out",
                event.start_mark,
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"the key '{key}' appears twice in the same mapping",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_plan(path: Path) -> Plan:
    """Read and validate one plan file; raise PlanFileError naming every problem."""
    source = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise PlanFileError(
            source, [Problem("", f"cannot read the file ({exc.strerror})")]
        ) from exc
    if size > MAX_PLAN_BYTES:
        raise PlanFileError(
            source,
            [
                Problem(
                    "",
                    f"the file is {size:,} bytes; plan files are limited to "
                    f"{MAX_PLAN_BYTES:,} bytes",
                )
            ],
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PlanFileError(
            source,
            [
                Problem(
                    "",
                    f"the file is not UTF-8 text (byte {exc.start} cannot be read); "
                    "save it as UTF-8",
                )
            ],
        ) from exc
    return parse_plan(text, source)


def parse_plan(text: str, source: str = "<plan>") -> Plan:
    """Validate plan YAML text; `source` names it in messages."""
    if len(text.encode("utf-8")) > MAX_PLAN_BYTES:
        raise PlanFileError(source, [Problem("", "the plan text is too large")])
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise PlanFileError(
            source, [Problem("", f"this is not valid YAML: {exc.problem}", line)]
        ) from exc
    except yaml.YAMLError as exc:
        raise PlanFileError(source, [Problem("", f"this is not valid YAML: {exc}")]) from exc
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise PlanFileError(
            source, [Problem("", "a plan file must be a mapping of fields (id:, title:, ...)", 1)]
        )
    try:
        return Plan.model_validate(data)
    except ValidationError as exc:
        problems = [p for err in exc.errors() for p in _explain(err, node)]
        raise PlanFileError(source, problems) from exc


def explain(exc: ValidationError) -> list[Problem]:
    """A plan's validation errors in plain English, each with its path and no line: for a plan
    built from web forms rather than read from a file."""
    return [p for err in exc.errors() for p in _explain(err, None)]


def dump_plan(plan: Plan) -> str:
    """Canonical YAML: loading it gives the same plan, and dumping that the same text."""
    data = plan.model_dump(mode="json", exclude_defaults=True)
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=88)


def plan_json(plan: Plan) -> str:
    return json.dumps(
        plan.model_dump(mode="json", exclude_defaults=True), indent=2, ensure_ascii=False
    )


def plan_schema() -> dict[str, Any]:
    """The JSON Schema that plan YAML files follow (published as `safeplan plans schema`)."""
    schema = Plan.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://safeplan.example/schema/plan.json"
    return schema


class _Dumper(yaml.SafeDumper):
    """Block style throughout; multi-line text as literal blocks."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def format_path(loc: Loc) -> str:
    """('priorities', 2, 'measures', 0, 'direction') → 'priorities[2].measures[0].direction'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _explain(err: ErrorDetails, root: yaml.Node | None) -> list[Problem]:
    loc = _clean_loc(err["loc"])
    ctx = err.get("ctx") or {}
    cause = ctx.get("error")
    if isinstance(cause, CrossCheckError):
        return [
            Problem(path, msg, _line_for(root, _parse_path(path))) for path, msg in cause.problems
        ]
    return [Problem(format_path(loc), _message(err, loc), _line_for(root, loc))]


def _clean_loc(loc: Loc) -> Loc:
    """Drop pydantic's internal validator names from a location."""
    return tuple(p for p in loc if isinstance(p, int) or ("[" not in p and "-" not in p))


def _message(err: ErrorDetails, loc: Loc) -> str:
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    field = loc[-1] if loc else ""
    if kind == "missing":
        return "this field is required but missing"
    if kind == "extra_forbidden":
        allowed = _fields_at(loc[:-1])
        hint = difflib.get_close_matches(str(field), allowed, n=1)
        suggestion = (
            f"; did you mean '{hint[0]}'?"
            if hint
            else f"; the fields here are: {', '.join(allowed)}"
        )
        return f"'{field}' is not a field of a plan at this place{suggestion}"
    if kind == "enum":
        return f"{value!r} is not allowed here; use one of {ctx.get('expected', '')}"
    if kind == "string_pattern_mismatch":
        return _pattern_message(str(field), value)
    if kind == "string_too_short":
        return "this must not be empty"
    if kind == "string_type":
        return f"this must be text, not {_yaml_kind(value)} (put it in quotes)"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"this must be a whole number, not {value!r}"
    if kind in ("float_type", "float_parsing"):
        return f"this must be a number, not {value!r}"
    if kind == "list_type":
        return f"this must be a list (lines starting with '- '), not {_yaml_kind(value)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"this must be a mapping of fields, not {_yaml_kind(value)}"
    if kind == "too_short":
        return "this needs at least one entry"
    if kind == "greater_than_equal":
        return f"this must be at least {ctx.get('ge')}, not {value!r}"
    if kind == "less_than_equal":
        return f"this must be at most {ctx.get('le')}, not {value!r}"
    if kind == "value_error":
        return str(cause if (cause := ctx.get("error")) else err["msg"])
    return str(err["msg"])


def _pattern_message(field: str, value: object) -> str:
    if field == "year":
        return f"{value!r} is not a financial year; write it like 2024-25"
    if field == "url":
        return f"{value!r} is not a web address; it must start with https://"
    return (
        f"{value!r} is not a valid id; use lower-case letters and digits joined by single "
        "hyphens or underscores, e.g. 'durham-lscb-2017-2020' or 'cpp_neglect'"
    )


def _yaml_kind(value: object) -> str:
    if isinstance(value, bool):
        return "yes/no"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "an empty value"
    return repr(value)


def _fields_at(loc: Loc) -> list[str]:
    """The field names allowed at a location, for 'did you mean' hints."""
    model: Any = Plan
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return []
        field = model.model_fields.get(part)
        if field is None:
            return []
        model = _model_in(field.annotation)
    return (
        list(model.model_fields) if isinstance(model, type) and issubclass(model, BaseModel) else []
    )


def _model_in(annotation: Any) -> Any:
    """Find the pydantic model inside list[X] / X | None / Annotated[...]."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (list, typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None


def _parse_path(path: str) -> Loc:
    """'priorities[2].measures[0]' → ('priorities', 2, 'measures', 0)."""
    loc: list[int | str] = []
    for part in path.replace("]", "").split("."):
        name, *indexes = part.split("[")
        if name:
            loc.append(name)
        loc.extend(int(i) for i in indexes)
    return tuple(loc)


def _line_for(node: yaml.Node | None, loc: Loc) -> int | None:
    """The 1-based line of the deepest YAML node along a location."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = [(k, v) for k, v in node.value if k.value == part]
            if not match:
                return line
            key, node = match[0]
            line = key.start_mark.line + 1
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line
