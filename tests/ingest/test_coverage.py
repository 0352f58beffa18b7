"""SafePlan's rules beside the field's validators': every code a validator runs in a year is
a SafePlan rule of that year, a reader check or a rule left out for a stated reason."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from safeplan.ingest.rules.coverage import LEFT, RENAMED, coverage, releases, validator_rules

YEARS = [(s, y) for s, by_year in validator_rules().items() for y in sorted(by_year)]
HANDFUL = 5
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("source", "year"), YEARS)
def test_every_validator_rule_is_run_or_explained(source: str, year: int) -> None:
    assert coverage(source, year).unaccounted == frozenset()


@pytest.mark.parametrize(("source", "year"), YEARS)
def test_rules_left_out_are_a_handful(source: str, year: int) -> None:
    assert len(coverage(source, year).left) <= HANDFUL


def test_every_rule_left_out_is_still_missing_somewhere() -> None:
    """A rule implemented since it was left out must leave ``LEFT`` (and the docs)."""
    found = [coverage(s, y) for s, y in YEARS]
    assert set(LEFT) == {(c.source, code) for c in found for code in c.left}
    assert set(RENAMED) == {(c.source, code) for c in found for code in c.renamed}


def test_codes_come_from_the_pinned_releases() -> None:
    """`make validator-rules` must be rerun when bench/validators/requirements.txt moves."""
    pins = (ROOT / "bench" / "validators" / "requirements.txt").read_text(encoding="utf-8")
    for release in releases().values():
        name, version = release.split()
        assert re.search(rf"^{re.escape(name)}=={re.escape(version)}$", pins, re.M), release
