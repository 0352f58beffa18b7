"""The user docs stay true: every plan field is documented, and the example is a valid plan."""

from __future__ import annotations

import re

from pydantic import BaseModel

from safeplan.docgen import render
from safeplan.plans import model
from safeplan.plans.yamlio import parse_plan
from tests.conftest import REPO

PLANS_DOC = (REPO / "docs" / "plans.md").read_text(encoding="utf-8")


def test_every_plan_field_is_documented() -> None:
    models = [m for m in vars(model).values() if isinstance(m, type) and issubclass(m, BaseModel)]
    fields = {name for m in models if m.__module__ == model.__name__ for name in m.model_fields}
    missing = sorted(f for f in fields if f"`{f}`" not in PLANS_DOC)
    assert not missing, f"docs/plans.md does not mention: {missing}"


def test_generated_reference_sections_are_current() -> None:
    for page in sorted((REPO / "docs").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        assert render(text) == text, f"{page.name} is out of date: run `make docs`"


def test_the_example_in_the_docs_is_a_valid_plan() -> None:
    example = re.search(r"## A small example\n```yaml\n(.+?)```", PLANS_DOC, flags=re.S)
    assert example
    plan = parse_plan(example.group(1), "docs/plans.md")
    assert plan.priorities[0].measures[0].targets[0].value == 120
