"""The vocabulary: every state has every label, and every place that names one says the same."""

from __future__ import annotations

import re
from enum import StrEnum

import pytest

from safeplan.measures.catalogue import BUILT_IN
from safeplan.measures.spc import ASSURANCE_LABELS, VARIATION_LABELS
from safeplan.plans.model import Agency
from safeplan.publish.charts import SIGNALS
from safeplan.vocabulary import (
    AGENCIES,
    ASSURANCES,
    DIRECTIONS,
    RAGS,
    UNITS,
    VARIATIONS,
    AgencyKind,
    Assurance,
    Direction,
    Label,
    Rag,
    Unit,
    Variation,
)

VOCABULARIES = [
    (Unit, UNITS),
    (Direction, DIRECTIONS),
    (AgencyKind, AGENCIES),
    (Variation, VARIATIONS),
    (Assurance, ASSURANCES),
    (Rag, RAGS),
]


@pytest.mark.parametrize(("kind", "labels"), VOCABULARIES, ids=lambda v: getattr(v, "__name__", ""))
def test_every_state_has_every_label(kind: type[StrEnum], labels: dict[StrEnum, Label]) -> None:
    assert set(labels) == set(kind)
    for label in labels.values():
        assert label.short and label.words
        assert label.tag.startswith("govuk-tag--")
        assert re.fullmatch(r"#[0-9a-f]{6}", label.colour)


def test_the_chart_and_the_table_name_a_state_alike() -> None:
    """The chart once said "Unusual (high)" where the table under it said "Unusually high"."""
    for state, label in VARIATIONS.items():
        assert SIGNALS[str(state)][0] == label.short
        assert VARIATION_LABELS[str(state)] == label.words
    for assurance, words in ASSURANCES.items():
        assert ASSURANCE_LABELS[str(assurance)] == words.words


def test_one_agency_kind_for_plans_accounts_and_measures() -> None:
    assert {m.owner for m in BUILT_IN} <= set(AgencyKind)
    # plans written before schools had a kind of their own said "education"
    assert Agency(name="Schools forum", kind="education").kind is AgencyKind.schools
    with pytest.raises(ValueError):
        AgencyKind("schools and colleges")


def test_every_measure_declares_its_unit_and_direction_from_the_vocabulary() -> None:
    for m in BUILT_IN:
        assert isinstance(m.unit, Unit) and isinstance(m.direction, Direction), m.id
        assert m.unit_label == UNITS[m.unit].short
