"""Run the field's DfE-rule validators over one return and print what they flag, as JSON.

A script, not a module of SafePlan: it runs in the validators' own environment (Python 3.11,
pandas 1.x; ``bench/validators/requirements.txt`` pins the versions), never in SafePlan's,
and imports nothing of SafePlan. ``python validators_runner.py cin FILE.xml 2025`` or
``python validators_runner.py 903 DIR 2025``, the year being the collection year (2025 for
2024-25). Prints ``{"tool": "csc-validator-be-903 0.1.17", "seconds": …, "cpu_seconds": …,
"findings": [{"rule": "8500", "child": "…"}, …]}``. Used by ``presubmission`` and the
agreement benchmarks.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any


def ruleset(prefix: str, year: int) -> dict[str, Any]:
    """The validator's registry for a collection year (2025: the 2024-25 rules)."""
    name = f"{prefix}_validator.rules.{prefix}{year - 1}_{year % 100:02d}"
    return dict(importlib.import_module(name).registry)


def cin(path: Path, year: int) -> list[dict[str, str]]:
    from cin_validator import cin_validator

    root = ET.parse(path).getroot()  # noqa: S314 (synthetic files only, never real data)
    data = cin_validator.process_data(cin_validator.convert_data(root))
    found = cin_validator.CinValidator(data, ruleset("cin", year)).full_issue_df
    return [
        {"rule": str(r["rule_code"]), "child": str(r.get("child_id", "") or "")}
        for _, r in found.iterrows()
    ]


def lac(folder: Path, year: int) -> list[dict[str, str]]:
    from lac_validator import lac_validator
    from lac_validator.report import Report
    from lac_validator.utils import process_uploaded_files

    files = process_uploaded_files({"This year": [str(p) for p in sorted(folder.glob("*.csv"))]})
    registry = ruleset("lac", year)
    metadata = {"collectionYear": str(year), "localAuthority": "E06000001"}
    validator = lac_validator.LacValidator(
        metadata=metadata, files=files, registry=registry, selected_rules=None
    )
    report = Report(validator.ds_results, registry)
    found = lac_validator.create_issue_df(report.report, report.error_report)
    return [
        {"rule": str(r["rule_code"]), "child": str(r.get("child_id", "") or "")}
        for _, r in found.iterrows()
    ]


def main() -> None:
    import warnings
    from importlib.metadata import version

    warnings.simplefilter("ignore")  # pandas 1.x deprecation noise from the validators
    kind, path, year = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    wall, cpu = time.perf_counter(), time.process_time()
    findings = cin(path, year) if kind == "cin" else lac(path, year)
    tool = "csc-validator-be-cin" if kind == "cin" else "csc-validator-be-903"
    print(
        json.dumps(
            {
                "tool": f"{tool} {version(tool)}",
                "seconds": round(time.perf_counter() - wall, 2),
                "cpu_seconds": round(time.process_time() - cpu, 2),
                "findings": findings,
            }
        )
    )


if __name__ == "__main__":
    main()
