"""The words SafePlan uses for things that several places name, declared once.

Units, directions, agency kinds and the statistical process control (SPC) and RAG states
are shown by the plan editor, the measures, the charts, the dashboard, the reports and the
API. Each state lives here with every label it has (the short tag text, the sentence, the
GOV.UK tag class and the chart colour), so that a chart and the table under it can never
name the same state differently. `tests/test_vocabulary.py` checks every state has them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Label:
    """How one state is shown: `short` on tags and chart legends, `words` as a sentence."""

    short: str
    words: str
    tag: str = "govuk-tag--grey"  # GOV.UK Frontend tag modifier
    colour: str = "#505a5f"  # on charts (NHS Making Data Count colours, GOV.UK palette)


class Unit(StrEnum):
    """What a measure's value is."""

    number = "count"  # (not `count`: a str method)
    percent = "percent"
    days = "days"
    per_10k = "per_10k"


UNITS: dict[Unit, Label] = {
    Unit.number: Label("n", "a number of children or events"),
    Unit.percent: Label("%", "a percentage (15 means 15%)"),
    Unit.days: Label("days", "a number of days"),
    Unit.per_10k: Label("per 10,000", "a rate per 10,000 children aged 0 to 17"),
}


class Direction(StrEnum):
    """Which way a measure should move."""

    increase = "increase"
    reduce = "reduce"
    track = "track"


DIRECTIONS: dict[Direction, Label] = {
    Direction.increase: Label("Higher is better", "Aim: increase"),
    Direction.reduce: Label("Lower is better", "Aim: reduce"),
    Direction.track: Label("Tracked", "Aim: track (no set direction)"),
}


class AgencyKind(StrEnum):
    """The kinds of agency in a safeguarding partnership (the three statutory partners, then
    the relevant agencies). Plans written before schools had a kind of their own said
    "education": it is read as schools."""

    council = "council"
    health = "health"
    police = "police"
    schools = "schools"
    voluntary = "voluntary"
    other = "other"

    @classmethod
    def _missing_(cls, value: object) -> AgencyKind | None:
        found = LEGACY_AGENCY_KINDS.get(str(value))
        return cls(found) if found else None


LEGACY_AGENCY_KINDS: dict[str, str] = {"education": "schools"}
"""Agency kinds of earlier plans and partner files, and the kind each is read as."""


AGENCIES: dict[AgencyKind, Label] = {
    AgencyKind.council: Label("Council", "the local authority"),
    AgencyKind.health: Label("Health (integrated care board)", "the integrated care board"),
    AgencyKind.police: Label("Police", "the chief officer of police"),
    AgencyKind.schools: Label("Schools", "schools and colleges"),
    AgencyKind.voluntary: Label("Voluntary sector", "the voluntary and community sector"),
    AgencyKind.other: Label("Other", "another relevant agency"),
}


class Variation(StrEnum):
    """What an SPC chart says of a measure's latest point (NHS Making Data Count)."""

    common_cause = "common_cause"
    improving = "special_cause_improving"
    concerning = "special_cause_concerning"
    neither_high = "special_cause_neither_high"
    neither_low = "special_cause_neither_low"
    insufficient_data = "insufficient_data"


VARIATIONS: dict[Variation, Label] = {
    Variation.common_cause: Label("Common cause", "No significant change: common cause variation"),
    Variation.improving: Label(
        "Improving", "Improving: special cause variation", "govuk-tag--blue", "#1d70b8"
    ),
    Variation.concerning: Label(
        "Concerning", "Concerning: special cause variation", "govuk-tag--red", "#d4351c"
    ),
    Variation.neither_high: Label(
        "Unusually high",
        "Unusually high: special cause, neither better nor worse",
        "govuk-tag--purple",
        "#4c2c92",
    ),
    Variation.neither_low: Label(
        "Unusually low",
        "Unusually low: special cause, neither better nor worse",
        "govuk-tag--purple",
        "#4c2c92",
    ),
    Variation.insufficient_data: Label(
        "Not enough data", "Not enough data to calculate process limits"
    ),
}


class Assurance(StrEnum):
    """Whether the process limits say a target will be met (NHS Making Data Count)."""

    consistently_pass = "consistently_pass"  # noqa: S105 (a state, not a password)
    consistently_fail = "consistently_fail"
    hit_and_miss = "hit_and_miss"
    no_target = "no_target"
    insufficient_data = "insufficient_data"


ASSURANCES: dict[Assurance, Label] = {
    Assurance.consistently_pass: Label(
        "Met consistently", "Target consistently met", "govuk-tag--green", "#00703c"
    ),
    Assurance.consistently_fail: Label(
        "Missed consistently", "Target consistently missed", "govuk-tag--red", "#d4351c"
    ),
    Assurance.hit_and_miss: Label(
        "Hit and miss",
        "Target sometimes met and sometimes missed",
        "govuk-tag--yellow",
        "#ffdd00",
    ),
    Assurance.no_target: Label("No target", "No target to assure against"),
    Assurance.insufficient_data: Label("Not enough data", "Not enough data to judge the target"),
}


class Rag(StrEnum):
    """A figure against its target: red, amber, green, or not rated."""

    green = "green"
    amber = "amber"
    red = "red"
    not_rated = ""


RAGS: dict[Rag, Label] = {
    Rag.green: Label("On target", "On target", "govuk-tag--green", "#00703c"),
    Rag.amber: Label("Near target", "Near target", "govuk-tag--yellow", "#ffdd00"),
    Rag.red: Label("Off target", "Off target", "govuk-tag--red", "#d4351c"),
    Rag.not_rated: Label("Not rated", "Not rated: no target for the period"),
}


def tag(
    labels: dict[Variation, Label] | dict[Assurance, Label] | dict[Rag, Label],
) -> dict[str, tuple[str, str]]:
    """A state's (tag text, GOV.UK tag class), keyed by its value, as the templates read it."""
    return {str(state): (label.short, label.tag) for state, label in labels.items()}
