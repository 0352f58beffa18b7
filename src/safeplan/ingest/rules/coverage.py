"""SafePlan's rules beside the field's validators', collection year by collection year.

Councils run data-to-insight's validators (``csc-validator-be-cin``, ``csc-validator-be-903``)
before they submit, so "as thorough as the validators" is a question with an answer: every
rule code a validator runs for a year is here a SafePlan rule in force that year, a check of
the reader (a date it cannot read), or left out for a reason declared once in ``LEFT``. The
validators' codes (``validator_rules.json``) are written by ``make validator-rules`` in their
own environment, from the release `make agreement` pins.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from safeplan.ingest.rules.s903_common import DATE_RULES

SOURCES = {"cin_census": "CIN census", "ssda903": "SSDA903"}

RENAMED: dict[tuple[str, str], str] = {
    # The validator's query 8525Q is SafePlan's error 8525: a child with neither date of
    # birth nor expected date of birth (or both) cannot be given an age.
    ("cin_census", "8525Q"): "8525",
}
"""A validator's code for a rule SafePlan runs under another code."""

XML_ONLY = (
    "needs the UASC status, which only the XML Header carries: the CSV Header has no UASC "
    "column in any year (the validator makes one up from the UASC file for CSVs)"
)

LEFT: dict[tuple[str, str], str] = {
    ("ssda903", "105"): XML_ONLY,
    ("ssda903", "303"): XML_ONLY + ", so for a CSV return it cannot fire",
    ("ssda903", "205B"): "for a CSV return the validator flags every child who is UASC in "
    "both years unless last year's date UASC ceased is their 18th birthday, a blank date "
    "included, so every child still UASC would be flagged; the DfE's text does not settle it",
    ("ssda903", "205C"): "for a CSV return, where a child's UASC status is being in the UASC "
    "file, a child with a date UASC ceased is UASC, so the rule cannot fire",
    ("ssda903", "SW10STG2"): "from 2025-26 the DfE split it into SW10aSTG2 and SW10bSTG2, "
    "which SafePlan runs; the validator keeps it as well, flagging the same episodes twice",
}
"""Each validator rule SafePlan does not run, and why."""


@cache
def _recorded() -> dict[str, Any]:
    """``validator_rules.json``, read once."""
    path = Path(__file__).with_name("validator_rules.json")
    return dict(json.loads(path.read_text(encoding="utf-8")))


def validator_rules() -> dict[str, dict[int, frozenset[str]]]:
    """The validators' rule codes by return and collection year (2025 for 2024-25)."""
    data = _recorded()
    return {s: {int(y): frozenset(c) for y, c in data[s].items()} for s in SOURCES}


def releases() -> dict[str, str]:
    """Which release of each validator the codes come from."""
    return dict(_recorded()["releases"])


def reader_codes(source: str) -> frozenset[str]:
    """DfE rules that the reader's date check reports under their own code."""
    if source != "ssda903":
        return frozenset()
    return frozenset(code for code, _ in DATE_RULES.values())


@dataclass(frozen=True)
class Coverage:
    """One return's rules in one collection year, beside the validator's."""

    source: str
    year: int
    theirs: frozenset[str]
    ours: frozenset[str]
    by_reader: frozenset[str]
    renamed: frozenset[str]
    left: frozenset[str]

    @property
    def unaccounted(self) -> frozenset[str]:
        """Validator codes SafePlan neither runs nor explains: a test keeps this empty."""
        return self.theirs - self.ours - self.by_reader - self.renamed - self.left

    @property
    def ours_only(self) -> frozenset[str]:
        """SafePlan's rules the validator does not run (its renamed rules aside)."""
        mapped = {RENAMED[(self.source, c)] for c in self.renamed}
        return self.ours - self.theirs - mapped


def coverage(source: str, year: int) -> Coverage:
    """SafePlan's rules of ``source`` in force in ``year`` beside the validator's."""
    from safeplan.ingest.rules import rules_for

    theirs = validator_rules()[source][year]
    ours = frozenset(rule.code for rule in rules_for(source, year))
    missing = theirs - ours
    return Coverage(
        source,
        year,
        theirs,
        ours,
        by_reader=missing & reader_codes(source),
        renamed=frozenset(c for c in missing if RENAMED.get((source, c)) in ours),
        left=frozenset(c for c in missing if (source, c) in LEFT),
    )


def _codes(codes: frozenset[str]) -> str:
    return ", ".join(sorted(codes)) or "none"


def markdown() -> str:
    """The per-year table for the docs, and the reason for each rule left out."""
    from safeplan.ingest.years import label

    lines = [
        "| Return | Collection year | The validator's rules | SafePlan's rules | "
        "Reported by the reader | Not implemented | SafePlan's only |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for source, name in SOURCES.items():
        for year in sorted(validator_rules()[source]):
            c = coverage(source, year)
            lines.append(
                f"| {name} | {label(year)} | {len(c.theirs)} | {len(c.ours)} | "
                f"{len(c.by_reader)} | {_codes(c.left | c.unaccounted)} | {_codes(c.ours_only)} |"
            )
    lines += ["", f"The validators' rules: {'; '.join(releases().values())}.", ""]
    for (source, code), why in LEFT.items():
        lines.append(f"- {SOURCES[source]} {code}: {why}.")
    for (source, theirs), ours in RENAMED.items():
        lines.append(f"- {SOURCES[source]} {theirs} is SafePlan's {ours}.")
    return "\n".join(lines) + "\n"
