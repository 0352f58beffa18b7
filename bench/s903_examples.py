"""SafePlan's SSDA903 rules over the example data of the field validator's own rule tests.

data-to-insight/csc-validator-be-903 (MIT) has, for each DfE rule, a ``test_validate`` with
small example tables and the rows its rule must flag. This runs each test's tables through
SafePlan's rule of the same code (staged as SafePlan's reader would type them) and prints,
rule by rule, whether SafePlan flags the rows the validator's test expects::

    .venv/bin/python -m bench.s903_examples /path/to/csc-validator-be-903

Not part of ``make test``: it needs a checkout of the validator (read, never installed; its
package is not imported, only each rule file with a stand-in for its rule decorator). Rows
differ where the example data holds values SafePlan's reader would refuse before any rule
runs (a date ``XXX``, a score ``OO``, an empty string for a blank), and where SafePlan follows
the DfE's rule text rather than the validator (see the rules' references). Last year's
tables of the examples (``Episodes_last``) are staged as ``s903_episodes_last``, as the
continuity rules read them.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import importlib.util
import sys
import types
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd  # type: ignore[import-untyped]  # no stubs in the lock file

from safeplan.ingest.rules import RULES, Rule, stage_collection
from safeplan.ingest.staging import S903_FILES, all_tables

FILE_OF = {table: name for name, table in S903_FILES.items()}
FOLDERS = {2024: "lac2023_24", 2025: "lac2024_25", 2026: "lac2025_26", 2027: "lac2026_27"}


def _stand_ins(root: Path) -> None:
    """The validator's package as far as its rule files need it, without its __init__."""
    package = types.ModuleType("lac_validator")
    package.__path__ = [str(root)]
    sys.modules["lac_validator"] = package
    engine = types.ModuleType("lac_validator.rule_engine")

    def rule_definition(**_: object) -> Callable[[Any], Any]:
        return lambda function: function

    engine.rule_definition = rule_definition  # type: ignore[attr-defined]
    sys.modules["lac_validator.rule_engine"] = engine
    rules = types.ModuleType("lac_validator.rules")
    rules.__path__ = [str(root / "rules")]
    sys.modules["lac_validator.rules"] = rules
    for name, path in (
        ("lac_validator.types", root / "types.py"),
        ("lac_validator.utils", root / "utils.py"),
        ("lac_validator.rules.rule_utils", root / "rules" / "rule_utils.py"),
    ):
        _load(name, path)


def _load(name: str, path: Path) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _expected(source: str) -> dict[str, list[int]] | None:
    """The rows the test's last ``assert … == {...}`` expects, by file."""
    found = None
    tests = [
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef) and node.name == "test_validate"
    ]
    for node in (n for test in tests for n in ast.walk(test)):
        if isinstance(node, ast.Assert) and isinstance(node.test, ast.Compare):
            right = node.test.comparators[0]
            if isinstance(right, ast.Dict):
                try:
                    found = ast.literal_eval(right)
                except ValueError:
                    continue
    return found


def _date(value: object) -> date | None:
    if isinstance(value, pd.Timestamp):
        return value.date()  # type: ignore[no-any-return]
    if not isinstance(value, str):
        return None
    try:
        return pd.to_datetime(value, format="%d/%m/%Y").date()  # type: ignore[no-any-return]
    except ValueError:
        return None


def _value(kind: str, value: object) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if kind in ("date", "partial_date"):
        return _date(value)
    if kind == "int":
        try:
            return int(str(value))
        except ValueError:
            return None
    text = str(value).strip()
    return text or None


def _collection_year(metadata: dict[str, object]) -> int:
    end = _date(metadata.get("collection_end"))
    if end is not None:
        return end.year
    start = _date(metadata.get("collection_start"))
    return start.year + 1 if start is not None else 2024


def stage(frames: dict[str, Any]) -> duckdb.DuckDBPyConnection:
    """The test's tables as SafePlan's staging tables (rows keep the test's positions)."""
    con = duckdb.connect(":memory:")
    tables = all_tables()
    files = [(name, table) for name, table in S903_FILES.items()]
    files += [(f"{name}_last", f"{table}_last") for name, table in S903_FILES.items()]
    for name, table_name in files:
        table = tables[table_name.removesuffix("_last")]
        con.execute(table.ddl().replace(table.name, table_name, 1))
        frame = frames.get(name)
        if frame is None:
            continue
        for position, (_, row) in enumerate(frame.reset_index(drop=True).iterrows()):
            values: list[object] = [position, None, None, name, f"row {position}", position]
            values += [_value(c.type, row.get(c.field)) for c in table.columns]
            marks = ", ".join("?" for _ in values)
            con.execute(f"INSERT INTO {table_name} VALUES ({marks})", values)
    metadata = frames.get("metadata")
    stage_collection(con, _collection_year(metadata if isinstance(metadata, dict) else {}))
    return con


def compare(root: Path, rule: Rule) -> str:
    folder = FOLDERS.get(rule.since or 0, "lac2022_23")
    path = root / "rules" / folder / f"rule_{rule.code}.py"
    if not path.exists():
        return "no example"
    module = _load(f"example_{folder}_{rule.code}", path)
    captured: list[dict[str, Any]] = []
    original = module.validate

    def validate(frames: dict[str, Any]) -> object:
        captured.append({k: copy.deepcopy(v) for k, v in frames.items()})
        try:
            return original(frames)
        except Exception:  # their code under this pandas: the inputs are kept all the same
            return {}

    module.validate = validate  # type: ignore[attr-defined]
    with contextlib.suppress(Exception):  # only the example data and expectation are used
        module.test_validate()
    expected = _expected(path.read_text("utf-8"))
    if not captured or expected is None:
        return "no example"
    con = stage(captured[-1])
    rows = con.execute(f"SELECT DISTINCT _seq FROM ({rule.sql}) ORDER BY 1").fetchall()
    ours = [int(r[0]) for r in rows]
    theirs = sorted(set(expected.get(FILE_OF[rule.table], [])))
    verdict = "agree" if ours == theirs else "differ"
    return f"{verdict:6} SafePlan {ours} validator's test {theirs}"


def main(argv: list[str]) -> None:
    root = Path(argv[0]) / "lac_validator"
    _stand_ins(root)
    for rule in RULES:
        if rule.source == "ssda903":
            years = f"{rule.since or ''}-{rule.until or ''}"
            print(f"{rule.label:12} {years:10} {FILE_OF[rule.table]:15} {compare(root, rule)}")


if __name__ == "__main__":
    main(sys.argv[1:])
