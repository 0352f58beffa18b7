"""The pre-submission check beside the field's validators: `safeplan validate --validators
PYTHON` runs data-to-insight's validators out of process and names the rules where the two
tools flag different children. The run with the validators themselves needs their own
environment (`make agreement`), so it runs where SAFEPLAN_VALIDATORS_PYTHON names it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from safeplan.ingest.findings import Finding, Level, Severity
from safeplan.ingest.presubmission import TheirRun, disagreements
from tests import s903_files as sf
from tests.test_cli import run

VALIDATORS = os.environ.get("SAFEPLAN_VALIDATORS_PYTHON", "")


def _finding(rule: str, child: str) -> Finding:
    return Finding("f.csv", "row 2", "DOB", rule, "m", Level.record, Severity.error, child=child)


def test_rules_are_compared_by_the_children_they_flag() -> None:
    ours = [_finding("903 102", "A1"), _finding("903 102", "A1"), _finding("SP-DATE", "A2")]
    theirs = TheirRun("csc-validator-be-903", {"102": {"A1"}, "392c": {"A1", "A2"}}, 3)
    # 102: the same child (the validator's two findings, one per field, are one child)
    assert disagreements(ours, theirs) == [("392c", 0, 2)]


def test_a_validator_that_cannot_run_is_said_plainly(tmp_path: Path) -> None:
    folder = sf.write_broken(tmp_path / "2027")
    missing = tmp_path / "no-such-python"
    code, text, _ = run(
        "validate", str(folder), "--validators", str(missing), "--out", str(tmp_path / "f.csv")
    )
    assert code == 0, text
    assert "the validator could not run" in text


@pytest.mark.skipif(not VALIDATORS, reason="SAFEPLAN_VALIDATORS_PYTHON is not set")
def test_the_validators_run_beside_safeplan(tmp_path: Path) -> None:
    folder = sf.write_broken(tmp_path / "2027", sf.case("903 352"))
    out = tmp_path / "f.csv"
    code, text, _ = run("validate", str(folder), "--validators", VALIDATORS, "--out", str(out))
    assert code == 0, text
    assert "csc-validator-be-903 0.1.17:" in text
    assert "903 352 (" not in text  # both flag the child who was 18 when care began
