"""The plan on a page as data.

A partnership's plan is a small tree: plan → priorities → commitments, key measures and
planned interventions, with cross-cutting enablers and linked strategies beside it. The
models forbid unknown fields so that a typo in a YAML file is an error, not silently lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from safeplan.vocabulary import AgencyKind, Direction

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$", max_length=80)]
"""An identifier: lower-case letters, digits, and single hyphens or underscores between."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
FinancialYear = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}$")]


class Strict(BaseModel):
    """Base for every plan model: unknown fields are refused, values re-checked on change."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)


class MeasureStatus(StrEnum):
    """Adopted measures are the plan's own; proposed ones are suggested from the catalogue."""

    adopted = "adopted"
    proposed = "proposed"


class PlanStatus(StrEnum):
    """Where a plan is in its life: a partnership has one active plan per area at a time."""

    draft = "draft"
    active = "active"
    superseded = "superseded"
    ended = "ended"


class Agency(Strict):
    name: Text
    kind: AgencyKind


class Partnership(Strict):
    """The multi-agency partnership that owns the plan (Working Together 2018 onwards)."""

    name: Text
    area: Text
    established: int | None = Field(default=None, ge=1900, le=2100)
    statutory_partners: list[Agency] = []
    member_agencies: list[Text] = []
    governance: list[Text] = []


class Period(Strict):
    """Plan period in calendar years, e.g. 2017 to 2020; the end is unknown for some plans."""

    start: int = Field(ge=2000, le=2100)
    end: int | None = Field(default=None, ge=2000, le=2100)

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"the period ends ({self.end}) before it starts ({self.start})")
        return self

    def __str__(self) -> str:
        return f"{self.start}–{self.end}" if self.end is not None else f"{self.start} onwards"


class Target(Strict):
    """A target value for one financial year, in the measure's own unit."""

    year: FinancialYear = Field(description="Financial year, e.g. 2024-25")
    value: float


class MeasureRef(Strict):
    """A key measure as the plan words it, pointing at a measure of the catalogue.

    `measure` is None where the plan states an outcome that no catalogue measure computes
    yet (the plan's wording is kept; no figure is shown).
    """

    measure: Slug | None = Field(description="Catalogue measure id, or null if none yet")
    wording: Text = Field(description="The key measure in the plan's own words")
    direction: Direction
    status: MeasureStatus = MeasureStatus.adopted
    targets: list[Target] = []

    @model_validator(mode="after")
    def _one_target_per_year(self) -> MeasureRef:
        years = [t.year for t in self.targets]
        for year in years:
            if years.count(year) > 1:
                raise ValueError(f"more than one target for {year}")
        return self


class Intervention(Strict):
    """A planned intervention: a short title ("Prevent CSE") and what it means."""

    title: Text
    description: Text | None = None


class FocusArea(Strict):
    """A named area inside a priority, with its own "we will" commitments (Devon's plan)."""

    title: Text
    description: Text | None = None
    commitments: list[Text] = []
    strategies: list[Slug] = Field(default=[], description="Ids of linked strategies")


class Priority(Strict):
    id: Slug
    title: Text
    aim: Text | None = None
    description: Text | None = None
    commitments: list[Text] = Field(default=[], description='"We will" commitments')
    focus_areas: list[FocusArea] = []
    measures: list[MeasureRef] = Field(default=[], description="Key measures")
    interventions: list[Intervention] = Field(default=[], description="Planned interventions")
    strategies: list[Slug] = Field(default=[], description="Ids of linked strategies")


class Enabler(Strict):
    """A cross-cutting theme or enabler that runs through every priority."""

    title: Text
    description: Text | None = None


class StrategyKind(StrEnum):
    strategy = "strategy"
    action_plan = "action_plan"
    toolkit = "toolkit"
    framework = "framework"
    plan = "plan"
    data = "data"


class Strategy(Strict):
    """A linked strategy or supporting document the plan points readers to."""

    id: Slug
    title: Text
    kind: StrategyKind
    description: Text | None = None
    url: Annotated[str, StringConstraints(pattern=r"^https://\S+$")] | None = None


class Plan(Strict):
    """One partnership plan for one period: the unit that is imported, exported and versioned."""

    id: Slug = Field(description="Stable id, including the period, e.g. durham-lscb-2017-2020")
    title: Text
    partnership: Partnership
    period: Period
    status: PlanStatus
    vision: Text | None = None
    summary: Text | None = None
    supersedes: Slug | None = Field(default=None, description="Id of the plan this replaces")
    priorities: list[Priority] = Field(min_length=1)
    enablers: list[Enabler] = Field(default=[], description="Cross-cutting themes")
    strategies: list[Strategy] = Field(default=[], description="Linked strategies and documents")
    sources: list[Text] = Field(default=[], description="Where the plan's words come from")
    notes: list[Text] = Field(default=[], description="Editorial notes about this record")

    @model_validator(mode="after")
    def _consistent(self) -> Plan:
        problems = list(_cross_check(self))
        if problems:
            raise CrossCheckError(problems)
        return self

    def measure_refs(self) -> Iterator[tuple[Priority, MeasureRef]]:
        """Every key measure with the priority it sits under, in plan order."""
        for priority in self.priorities:
            for ref in priority.measures:
                yield priority, ref

    def strategy(self, strategy_id: str) -> Strategy:
        return next(s for s in self.strategies if s.id == strategy_id)


class CrossCheckError(ValueError):
    """Problems that span several parts of a plan, each with its own path."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{path}: {message}" for path, message in problems))


def _duplicates(values: list[str]) -> list[str]:
    seen: set[str] = set()
    return [v for v in values if v in seen or seen.add(v)]  # type: ignore[func-returns-value]


def _cross_check(plan: Plan) -> Iterator[tuple[str, str]]:
    """Rules that span several parts of the plan, as (path, problem) pairs."""
    for dup in _duplicates([p.id for p in plan.priorities]):
        yield "priorities", f"the priority id '{dup}' is used more than once"
    for dup in _duplicates([s.id for s in plan.strategies]):
        yield "strategies", f"the strategy id '{dup}' is used more than once"
    first_use: dict[str, str] = {}
    known = {s.id for s in plan.strategies}
    for i, priority in enumerate(plan.priorities):
        for j, ref in enumerate(priority.measures):
            here = f"priorities[{i}].measures[{j}].measure"
            if ref.measure is None:
                continue
            if ref.measure in first_use:
                yield (
                    here,
                    (
                        f"the measure '{ref.measure}' is already a key measure at "
                        f"{first_use[ref.measure]}; a measure appears once in a plan"
                    ),
                )
            else:
                first_use[ref.measure] = here
        refs = [(f"priorities[{i}].strategies[{k}]", s) for k, s in enumerate(priority.strategies)]
        for a, area in enumerate(priority.focus_areas):
            refs += [
                (f"priorities[{i}].focus_areas[{a}].strategies[{k}]", s)
                for k, s in enumerate(area.strategies)
            ]
        for where, sid in refs:
            if sid not in known:
                yield where, f"no linked strategy has the id '{sid}'"
        for j, ref in enumerate(priority.measures):
            for t, target in enumerate(ref.targets):
                if not _year_in_period(target.year, plan.period):
                    yield (
                        f"priorities[{i}].measures[{j}].targets[{t}].year",
                        f"{target.year} is outside the plan period {plan.period}",
                    )


def _year_in_period(year: str, period: Period) -> bool:
    match = re.match(r"^(\d{4})-(\d{2})$", year)
    if not match:
        return True  # the field validator reports the format
    start = int(match.group(1))
    end = period.end if period.end is not None else 9999
    return period.start - 1 <= start <= end
