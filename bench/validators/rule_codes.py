"""Write the rule codes of the field's validators, per return and collection year, to
``src/safeplan/ingest/rules/validator_rules.json``.

Run in the validators' own environment (``make validator-rules``): they need Python 3.11 and
pandas 1.x, so they are never imported by SafePlan. The file records which release the codes
come from; `safeplan.ingest.rules.coverage` compares SafePlan's rules with it year by year.
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from pathlib import Path

YEARS = ("2023", "2024", "2025", "2026", "2027")  # 2022-23 to 2026-27
OUT = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "safeplan"
    / "ingest"
    / "rules"
    / "validator_rules.json"
)


def codes() -> dict[str, dict[str, str] | dict[str, list[str]]]:
    """Every rule code each validator runs for each collection year."""
    from cin_validator.rules.ruleset_utils import get_year_ruleset as cin_year
    from lac_validator.rules.ruleset_utils import get_year_ruleset as s903_year

    return {
        "releases": {
            "cin_census": f"csc-validator-be-cin {version('csc-validator-be-cin')}",
            "ssda903": f"csc-validator-be-903 {version('csc-validator-be-903')}",
        },
        "cin_census": {y: sorted(str(c) for c in cin_year(y)) for y in YEARS},
        "ssda903": {y: sorted(str(c) for c in s903_year(y)) for y in YEARS},
    }


if __name__ == "__main__":
    found = codes()
    lines = [f' "releases": {json.dumps(found["releases"])}']
    for source in ("cin_census", "ssda903"):
        years = ",\n".join(f'  "{y}": {json.dumps(c)}' for y, c in found[source].items())
        lines.append(f' "{source}": {{\n{years}\n }}')
    OUT.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    print(f"wrote {OUT}", file=sys.stderr)
