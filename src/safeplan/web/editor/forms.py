"""The editor's forms: what each form shows, reading what was sent, and turning the plan
model's own validation errors into GOV.UK error messages on the field that caused them.

Why not Django forms: the rules already live in the plan model (pydantic), and every way of
building a plan must get the same ones. Each form here only reads its fields, checks what the
model cannot say well (a number typed as text, a blank required field), and writes its part
into a copy of the plan's data; then the whole plan is validated with ``Plan.model_validate``
and each of the model's problems is put on the field its path points to (``priorities[1].
measures[0].targets[2].year`` → the year of the third target row), in plain English.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from safeplan.measures.model import Measure
from safeplan.plans.model import MeasureStatus, Plan, PlanStatus
from safeplan.plans.yamlio import explain, format_path
from safeplan.vocabulary import UNITS, Direction

Loc = tuple[int | str, ...]
Data = dict[str, Any]
Locate = Callable[[Loc], tuple[str, bool]]
"""A form's map from a problem's path in the plan to (field id, whether to say where)."""

MAX_ROWS = 100  # target, intervention and enabler rows read from one form
TEXT_CHARS = 2000  # the character count's limit for long text (a vision, an aim)
RESERVED_PLAN_IDS = frozenset({"new", "import", "edit"})  # taken by the editor's own URLs
RESERVED_PRIORITY_IDS = frozenset({"new"})
FINANCIAL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")

STATUS_NAMES = {
    PlanStatus.draft: "Draft",
    PlanStatus.active: "Active: the partnership's current plan",
    PlanStatus.superseded: "Superseded: replaced by a newer plan",
    PlanStatus.ended: "Ended",
}
DIRECTION_NAMES = {
    Direction.increase: "Increase",
    Direction.reduce: "Reduce",
    Direction.track: "Track (no set direction: not rated against a target)",
}
UNIT_WORDS = {str(unit): label.words for unit, label in UNITS.items()}
MEASURE_STATUS_NAMES = {
    MeasureStatus.adopted: "Adopted: one of the plan's own key measures",
    MeasureStatus.proposed: "Proposed: suggested, not yet agreed by the partnership",
}


@dataclass
class Errors:
    """Problems found in what was sent: (field id, message), in the order found."""

    items: list[tuple[str, str]] = field(default_factory=list)

    def add(self, field_id: str, message: str) -> None:
        if (field_id, message) not in self.items:
            self.items.append((field_id, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def summary(self) -> list[dict[str, str]]:
        """For govukErrorSummary: each problem, linking to its field."""
        return [{"text": text, "href": f"#{field_id}"} for field_id, text in self.items]

    def by_field(self) -> dict[str, str]:
        """For each field's inline error message: the first problem found on it."""
        found: dict[str, str] = {}
        for field_id, text in self.items:
            found.setdefault(field_id, text)
        return found


# Reading what was sent --------------------------------------------------------------------


def text(post: Mapping[str, str], name: str) -> str:
    """A field's text, trimmed, with Windows line ends made plain."""
    return str(post.get(name, "")).replace("\r\n", "\n").replace("\r", "\n").strip()


def lines(value: str) -> list[str]:
    """Text with one item per line (commitments): the non-blank lines, trimmed."""
    return [line.strip() for line in value.splitlines() if line.strip()]


def rows(post: Mapping[str, str], prefix: str, fields: tuple[str, ...]) -> list[dict[str, str]]:
    """Repeated rows named ``{prefix}-{n}-{field}`` from 0 up, as sent (blank rows included)."""
    found = []
    for n in range(MAX_ROWS):
        if not any(f"{prefix}-{n}-{f}" in post for f in fields):
            break
        found.append({f: text(post, f"{prefix}-{n}-{f}") for f in fields})
    return found


def filled(found: list[dict[str, str]]) -> list[tuple[int, dict[str, str]]]:
    """The rows with anything in them, with their row numbers: a row left blank is removed."""
    return [(n, row) for n, row in enumerate(found) if any(row.values())]


def with_blank(found: list[dict[str, str]], fields: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows to show: those sent or saved, then a blank one to add another (no "add
    another" button: pressing Enter in a field would press it rather than Save)."""
    return [*found, dict.fromkeys(fields, "")] if not found or any(found[-1].values()) else found


def year_number(value: str) -> int | None:
    return int(value) if re.fullmatch(r"\d{4}", value) else None


def parse_number(value: str) -> float | None:
    """A target as typed: "15", "12.5", "1,200" or "85%"; None if it is not a number."""
    cleaned = value.replace(",", "").removesuffix("%").strip()
    try:
        number = float(cleaned)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def shown_number(value: float) -> str:
    """A saved target as the form shows it: 20.0 → "20"."""
    return format(value, ".10g")


def financial_years(plan: Plan) -> str:
    """The financial years a target may have, in words, for the targets' hint."""
    first = plan.period.start - 1
    if plan.period.end is None:
        return f"{first}-{(first + 1) % 100:02d} onwards"
    last = plan.period.end
    return f"{first}-{(first + 1) % 100:02d} to {last}-{(last + 1) % 100:02d}"


def slug(title: str, taken: set[str]) -> str:
    """A new priority's id from its title: "Child Sexual Exploitation" becomes
    child-sexual-exploitation (ids are stable: the title may change later, the id does not)."""
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60].strip("-") or "priority"
    candidate, n = base, 1
    while candidate in taken or candidate in RESERVED_PRIORITY_IDS:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


# Validation --------------------------------------------------------------------------------


def parse_path(path: str) -> Loc:
    """'priorities[2].measures[0]' → ('priorities', 2, 'measures', 0)."""
    loc: list[int | str] = []
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        loc.append(int(part[1:-1]) if part.startswith("[") else part)
    return tuple(loc)


def place(data: Data, loc: Loc) -> str:
    """Where in the plan a path points, in words: "Key measure cpp_18m_plus of 'Neglect'"."""
    try:
        if len(loc) >= 2 and loc[0] == "priorities" and isinstance(loc[1], int):
            priority = data["priorities"][loc[1]]
            name = f"'{priority.get('title') or priority.get('id')}'"
            if len(loc) >= 4 and loc[2] == "measures" and isinstance(loc[3], int):
                ref = priority["measures"][loc[3]]
                return f"Key measure {ref.get('measure') or loc[3] + 1} of {name}"
            return f"Priority {name}"
        if len(loc) >= 2 and loc[0] == "enablers" and isinstance(loc[1], int):
            return f"Enabler {loc[1] + 1}"
    except (KeyError, IndexError, TypeError):
        pass
    return format_path(loc) or "The plan"


def sentence(message: str, label: str | None = None) -> str:
    """The model's message as a GOV.UK error: "this must be ..." becomes "{label} must be ...",
    and it starts with a capital letter."""
    if label and message.startswith("this "):
        message = f"{label} {message[5:]}"
    return message[:1].upper() + message[1:]


def validate(data: Data, errors: Errors, locate: Locate, labels: Mapping[str, str]) -> Plan | None:
    """The whole plan, validated by the model; None with each problem added to ``errors``."""
    if errors:
        return None
    try:
        return Plan.model_validate(data)
    except ValidationError as exc:
        for problem in explain(exc):
            loc = parse_path(problem.path)
            field_id, say_where = locate(loc)
            message = sentence(problem.message, None if say_where else labels.get(field_id))
            if say_where:
                message = f"{place(data, loc)}: {problem.message}"
            errors.add(field_id, message)
        return None


def inside(loc: Loc, prefix: Loc) -> Loc | None:
    """The rest of ``loc`` after ``prefix``, or None when it points elsewhere."""
    return loc[len(prefix) :] if loc[: len(prefix)] == prefix else None


# The plan's overview -----------------------------------------------------------------------

OVERVIEW_LABELS = {
    "title": "The plan's title",
    "vision": "The vision",
    "summary": "The summary",
    "status": "The status",
    "period-start": "The first year",
    "period-end": "The last year",
}


def overview_values(plan: Plan) -> dict[str, str]:
    return {
        "title": plan.title,
        "vision": plan.vision or "",
        "summary": plan.summary or "",
        "status": plan.status.value,
        "period-start": str(plan.period.start),
        "period-end": "" if plan.period.end is None else str(plan.period.end),
    }


def read_overview(post: Mapping[str, str]) -> dict[str, str]:
    return {name: text(post, name) for name in OVERVIEW_LABELS}


def apply_overview(data: Data, values: dict[str, str], errors: Errors) -> Locate:
    if not values["title"]:
        errors.add("title", "Enter the plan's title")
    if values["status"] not in {s.value for s in PlanStatus}:
        errors.add("status", "Select the plan's status")
    start = year_number(values["period-start"])
    if start is None:
        errors.add("period-start", "Enter the year the plan starts as 4 digits, like 2024")
    end = year_number(values["period-end"]) if values["period-end"] else None
    if values["period-end"] and end is None:
        errors.add(
            "period-end", "Enter the year the plan ends as 4 digits, like 2027, or leave it blank"
        )
    data["title"] = values["title"]
    data["vision"] = values["vision"] or None
    data["summary"] = values["summary"] or None
    data["status"] = values["status"]
    data["period"] = {"start": start, "end": end}

    def locate(loc: Loc) -> tuple[str, bool]:
        if loc[:1] == ("period",):
            return ("period-start" if loc[1:] == ("start",) else "period-end"), False
        if loc and loc[0] in ("title", "vision", "summary", "status"):
            return str(loc[0]), False
        # a target outside the new period is a problem of the period, said with its place
        return "period-end", True

    return locate


# A priority --------------------------------------------------------------------------------

INTERVENTION_FIELDS = ("title", "description")
PRIORITY_LABELS = {
    "title": "The priority's title",
    "aim": "The aim",
    "description": "The description",
    "commitments": "The commitments",
    "strategies": "The linked strategies",
}


def priority_values(priority: dict[str, Any] | None) -> dict[str, Any]:
    priority = priority or {}
    return {
        "title": priority.get("title", ""),
        "aim": priority.get("aim") or "",
        "description": priority.get("description") or "",
        "commitments": "\n".join(priority.get("commitments", [])),
        "interventions": [
            {"title": i["title"], "description": i.get("description") or ""}
            for i in priority.get("interventions", [])
        ],
        "strategies": list(priority.get("strategies", [])),
    }


def read_priority(post: Any) -> dict[str, Any]:
    return {
        "title": text(post, "title"),
        "aim": text(post, "aim"),
        "description": text(post, "description"),
        "commitments": text(post, "commitments"),
        "interventions": rows(post, "intervention", INTERVENTION_FIELDS),
        "strategies": [s for s in post.getlist("strategies") if s],
    }


def apply_priority(data: Data, index: int, values: dict[str, Any], errors: Errors) -> Locate:
    """Write the priority's fields into ``data["priorities"][index]`` (appended when new)."""
    priorities: list[Data] = data["priorities"]
    if index == len(priorities):
        taken = {p["id"] for p in priorities}
        priorities.append({"id": slug(values["title"], taken), "title": ""})
    target = priorities[index]
    if not values["title"]:
        errors.add("title", "Enter the priority's title")
    interventions = filled(values["interventions"])
    for n, row in interventions:
        if not row["title"]:
            errors.add(
                f"intervention-{n}-title",
                f"Enter a title for intervention {n + 1}, or clear its description to remove it",
            )
    target["title"] = values["title"]
    target["aim"] = values["aim"] or None
    target["description"] = values["description"] or None
    target["commitments"] = lines(values["commitments"])
    target["interventions"] = [
        {"title": row["title"], "description": row["description"] or None}
        for _, row in interventions
    ]
    target["strategies"] = values["strategies"]
    row_of = [n for n, _ in interventions]

    def locate(loc: Loc) -> tuple[str, bool]:
        rest = inside(loc, ("priorities", index))
        if rest is None:
            return "title", True
        if rest[:1] == ("interventions",) and len(rest) >= 2 and isinstance(rest[1], int):
            part = rest[2] if len(rest) > 2 and rest[2] in INTERVENTION_FIELDS else "title"
            return f"intervention-{row_of[rest[1]]}-{part}", False
        if rest and rest[0] in PRIORITY_LABELS:
            return str(rest[0]), False
        return "title", not rest or rest[0] != "id"

    return locate


# A key measure -----------------------------------------------------------------------------

TARGET_FIELDS = ("year", "value")
MEASURE_LABELS = {
    "measure": "The catalogue measure",
    "wording": "The wording",
    "direction": "The direction",
    "status": "The status",
}


def measure_values(ref: dict[str, Any] | None) -> dict[str, Any]:
    ref = ref or {}
    return {
        "measure": ref.get("measure") or "",
        "wording": ref.get("wording", ""),
        "direction": ref.get("direction", ""),
        "status": ref.get("status", MeasureStatus.adopted.value),
        "targets": [
            {"year": t["year"], "value": shown_number(t["value"])} for t in ref.get("targets", [])
        ],
    }


def read_measure(post: Mapping[str, str]) -> dict[str, Any]:
    return {
        "measure": text(post, "measure"),
        "wording": text(post, "wording"),
        "direction": text(post, "direction"),
        "status": text(post, "status"),
        "targets": rows(post, "target", TARGET_FIELDS),
    }


def measure_choices(measures: Mapping[str, Measure], chosen: str) -> list[dict[str, Any]]:
    """The catalogue as select options, by title; a saved id no longer in it is kept."""
    items: list[dict[str, Any]] = [
        {"value": "", "text": "None: no catalogue measure computes it yet", "selected": not chosen}
    ]
    if chosen and chosen not in measures:
        items.append(
            {"value": chosen, "text": f"{chosen} (not in the catalogue)", "selected": True}
        )
    for m in sorted(measures.values(), key=lambda m: m.title.lower()):
        items.append({"value": m.id, "text": f"{m.title} ({m.id})", "selected": m.id == chosen})
    return items


def _good_year(value: str) -> bool:
    found = FINANCIAL_YEAR.match(value)
    return found is not None and (int(found.group(1)) + 1) % 100 == int(found.group(2))


def apply_measure(
    data: Data,
    priority_index: int,
    index: int,
    values: dict[str, Any],
    errors: Errors,
    measures: Mapping[str, Measure],
    saved_id: str,
) -> Locate:
    """Write the key measure into the priority's measures at ``index`` (appended when new)."""
    priorities: list[Data] = data["priorities"]
    refs: list[Data] = priorities[priority_index]["measures"]
    if index == len(refs):
        refs.append({})
    chosen = values["measure"]
    if chosen and chosen not in measures and chosen != saved_id:
        errors.add("measure", "Select a measure from the catalogue, or none")
    elif chosen:
        for p in priorities:
            for n, ref in enumerate(p.get("measures", [])):
                if ref.get("measure") == chosen and (
                    p is not priorities[priority_index] or n != index
                ):
                    name = measures[chosen].title if chosen in measures else chosen
                    errors.add(
                        "measure",
                        f"'{name}' is already a key measure of the priority '{p['title']}': "
                        "a measure appears once in a plan",
                    )
    if not values["wording"]:
        errors.add("wording", "Enter the key measure in the plan's own words")
    if values["direction"] not in {d.value for d in Direction}:
        errors.add("direction", "Select which way the measure should move")
    if values["status"] not in {s.value for s in MeasureStatus}:
        errors.add("status", "Select whether the measure is adopted or proposed")
    targets = filled(values["targets"])
    seen: set[str] = set()
    parsed = []
    for n, row in targets:
        year, value = row["year"], parse_number(row["value"])
        if not year:
            errors.add(f"target-{n}-year", f"Enter the financial year of the target {row['value']}")
        elif not _good_year(year):
            errors.add(f"target-{n}-year", f"Enter the financial year like 2024-25, not '{year}'")
        elif year in seen:
            errors.add(f"target-{n}-year", f"There is already a target for {year}")
        seen.add(year)
        if not row["value"]:
            errors.add(
                f"target-{n}-value",
                f"Enter the target for {year or 'the year'}, or clear the year to remove it",
            )
        elif value is None:
            errors.add(
                f"target-{n}-value",
                f"Enter the target for {year or 'the year'} as a number, like 15 or 12.5",
            )
        parsed.append({"year": year, "value": value})
    ref = refs[index]
    ref.update(
        measure=chosen or None,
        wording=values["wording"],
        direction=values["direction"],
        status=values["status"],
        targets=parsed,
    )
    row_of = [n for n, _ in targets]

    def locate(loc: Loc) -> tuple[str, bool]:
        rest = inside(loc, ("priorities", priority_index, "measures", index))
        if rest is None:
            return "measure", True
        if rest[:1] == ("targets",) and len(rest) >= 2 and isinstance(rest[1], int):
            part = "value" if rest[2:] == ("value",) else "year"
            return f"target-{row_of[rest[1]]}-{part}", False
        if rest and rest[0] in MEASURE_LABELS:
            return str(rest[0]), False
        return (f"target-{row_of[0]}-year" if row_of else "measure"), False

    return locate


# Enablers ----------------------------------------------------------------------------------

ENABLER_FIELDS = ("title", "description")


def enabler_values(plan: Plan) -> list[dict[str, str]]:
    return [{"title": e.title, "description": e.description or ""} for e in plan.enablers]


def apply_enablers(data: Data, found: list[dict[str, str]], errors: Errors) -> Locate:
    kept = filled(found)
    for n, row in kept:
        if not row["title"]:
            errors.add(
                f"enabler-{n}-title",
                f"Enter a title for enabler {n + 1}, or clear its description to remove it",
            )
    data["enablers"] = [
        {"title": row["title"], "description": row["description"] or None} for _, row in kept
    ]
    row_of = [n for n, _ in kept]

    def locate(loc: Loc) -> tuple[str, bool]:
        rest = inside(loc, ("enablers",))
        if rest and isinstance(rest[0], int):
            part = rest[1] if len(rest) > 1 and rest[1] in ENABLER_FIELDS else "title"
            return f"enabler-{row_of[rest[0]]}-{part}", False
        return (f"enabler-{row_of[0]}-title" if row_of else "enabler-0-title"), True

    return locate


# A new plan --------------------------------------------------------------------------------

NEW_PLAN_FIELDS = (
    "id",
    "title",
    "partnership-name",
    "partnership-area",
    "period-start",
    "period-end",
    "priority-title",
)
NEW_PLAN_LABELS = {
    "id": "The plan's id",
    "title": "The plan's title",
    "partnership-name": "The partnership's name",
    "partnership-area": "The area",
    "period-start": "The first year",
    "period-end": "The last year",
    "priority-title": "The first priority's title",
}


def read_new_plan(post: Mapping[str, str]) -> dict[str, str]:
    return {name: text(post, name) for name in NEW_PLAN_FIELDS}


def new_plan_data(values: dict[str, str], known: set[str], errors: Errors) -> tuple[Data, Locate]:
    """A draft plan with one priority, from the new-plan form."""
    plan_id = values["id"]
    if not plan_id:
        errors.add("id", "Enter an id for the plan, like testshire-scp-2024-2027")
    elif plan_id in RESERVED_PLAN_IDS:
        errors.add("id", f"'{plan_id}' cannot be a plan's id: choose another")
    elif plan_id in known:
        errors.add("id", f"A plan with the id '{plan_id}' already exists: choose another id")
    required = {
        "title": "Enter the plan's title",
        "partnership-name": "Enter the partnership's name",
        "partnership-area": "Enter the area the partnership covers",
        "priority-title": "Enter the title of the plan's first priority",
    }
    for name, message in required.items():
        if not values[name]:
            errors.add(name, message)
    start = year_number(values["period-start"])
    if start is None:
        errors.add("period-start", "Enter the year the plan starts as 4 digits, like 2024")
    end = year_number(values["period-end"]) if values["period-end"] else None
    if values["period-end"] and end is None:
        errors.add(
            "period-end", "Enter the year the plan ends as 4 digits, like 2027, or leave it blank"
        )
    data: Data = {
        "id": plan_id,
        "title": values["title"],
        "partnership": {"name": values["partnership-name"], "area": values["partnership-area"]},
        "period": {"start": start, "end": end},
        "status": PlanStatus.draft.value,
        "priorities": [
            {"id": slug(values["priority-title"], set()), "title": values["priority-title"]}
        ],
    }
    fields: dict[Loc, str] = {
        ("id",): "id",
        ("title",): "title",
        ("partnership", "name"): "partnership-name",
        ("partnership", "area"): "partnership-area",
        ("period", "start"): "period-start",
        ("period", "end"): "period-end",
        ("period",): "period-end",
    }

    def locate(loc: Loc) -> tuple[str, bool]:
        if loc in fields:
            return fields[loc], False
        if loc[:1] == ("priorities",):
            return "priority-title", False
        return "id", True

    return data, locate
