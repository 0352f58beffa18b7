"""Plan YAML: exact round trips, and refusals that name file, line, path and problem."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from safeplan.plans import library
from safeplan.plans.model import Plan
from safeplan.plans.yamlio import (
    MAX_PLAN_BYTES,
    PlanFileError,
    dump_plan,
    format_path,
    load_plan,
    parse_plan,
    plan_schema,
)

GOOD = """\
id: test-plan-2024-2027
title: Test plan
partnership:
  name: Testshire Safeguarding Children Partnership
  area: Testshire
period:
  start: 2024
  end: 2027
status: draft
priorities:
- id: neglect
  title: Neglect
  aim: The aim is to reduce neglect
  measures:
  - measure: cpp_neglect
    wording: Reduce the number of children on a plan for neglect
    direction: reduce
  - measure: rereferrals_12m
    wording: Reduce repeat referrals
    direction: reduce
"""


def write(tmp_path: Path, text: str | bytes, name: str = "plan.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path) -> PlanFileError:
    with pytest.raises(PlanFileError) as info:
        load_plan(path)
    return info.value


def test_good_plan_loads(tmp_path: Path) -> None:
    plan = load_plan(write(tmp_path, GOOD))
    assert plan.id == "test-plan-2024-2027"
    assert [m.measure for _, m in plan.measure_refs()] == ["cpp_neglect", "rereferrals_12m"]


@pytest.mark.parametrize("path", library.bundled_paths(), ids=lambda p: p.stem)
def test_bundled_files_are_canonical_and_round_trip_exactly(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    plan = load_plan(path)
    assert dump_plan(plan) == text
    assert parse_plan(dump_plan(plan)) == plan


def test_round_trip_of_a_hand_written_file_is_stable(tmp_path: Path) -> None:
    plan = load_plan(write(tmp_path, GOOD))
    once = dump_plan(plan)
    assert parse_plan(once) == plan
    assert dump_plan(parse_plan(once)) == once


awkward_text = (
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
        | st.sampled_from("\n:#'\"-–&*!|>%@`{}[],"),
        min_size=1,
        max_size=60,
    )
    .map(str.strip)
    .filter(bool)
)


@settings(max_examples=150, deadline=None)
@given(
    wording=awkward_text,
    aim=awkward_text,
    target=st.floats(allow_nan=False, allow_infinity=False, width=32),
)
def test_any_text_survives_the_round_trip(wording: str, aim: str, target: float) -> None:
    data = parse_plan(GOOD).model_dump()
    data["priorities"][0]["aim"] = aim
    data["priorities"][0]["measures"][0]["wording"] = wording
    data["priorities"][0]["measures"][0]["targets"] = [{"year": "2025-26", "value": target}]
    changed = Plan.model_validate(data)
    text = dump_plan(changed)
    assert parse_plan(text) == changed
    assert dump_plan(parse_plan(text)) == text


def test_schema_accepts_every_bundled_plan_and_rejects_a_bad_direction() -> None:
    schema = plan_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    for path in library.bundled_paths():
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)
    bad = yaml.safe_load(GOOD.replace("direction: reduce", "direction: up", 1))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


# --- refusals: each names file, line, path and problem --------------------------------------


def test_bad_yaml(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("  aim: The aim", "  aim: [The aim"))
    err = refused(path)
    (problem,) = err.problems
    assert "not valid YAML" in problem.message
    assert problem.line is not None and problem.line >= 14
    assert str(path) in err.report()


def test_unknown_field_suggests_the_right_one(tmp_path: Path) -> None:
    path = write(
        tmp_path, GOOD.replace("  aim: The aim", "  aim: The aim\n  comitments: [x]\n  aimm: y", 1)
    )
    err = refused(path)
    assert [p.path for p in err.problems] == ["priorities[0].comitments", "priorities[0].aimm"]
    assert "did you mean 'commitments'?" in err.problems[0].message
    assert err.problems[0].line == 14
    assert f"{path}:14: priorities[0].comitments: 'comitments' is not a field" in err.report()


def test_wrong_direction_value(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("direction: reduce", "direction: lower", 1))
    (problem,) = refused(path).problems
    assert problem.path == "priorities[0].measures[0].direction"
    assert (
        problem.message == "'lower' is not allowed here; use one of 'increase', 'reduce' or 'track'"
    )
    assert problem.line == 17


def test_missing_title(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("  title: Neglect\n", ""))
    (problem,) = refused(path).problems
    assert problem.path == "priorities[0].title"
    assert problem.message == "this field is required but missing"
    assert problem.line == 11


def test_missing_plan_title(tmp_path: Path) -> None:
    (problem,) = refused(write(tmp_path, GOOD.replace("title: Test plan\n", ""))).problems
    assert (problem.path, problem.message) == ("title", "this field is required but missing")


def test_duplicate_measure(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("measure: rereferrals_12m", "measure: cpp_neglect"))
    (problem,) = refused(path).problems
    assert problem.path == "priorities[0].measures[1].measure"
    assert (
        "'cpp_neglect' is already a key measure at priorities[0].measures[0].measure"
        in problem.message
    )
    assert problem.line == 18


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    (problem,) = refused(
        write(tmp_path, GOOD.replace("status: draft", "status: draft\nstatus: active"))
    ).problems
    assert "the key 'status' appears twice" in problem.message
    assert problem.line == 10


def test_aliases_are_refused(tmp_path: Path) -> None:
    laughs = GOOD + "notes: &a [x, x]\nsources: [*a, *a]\n"
    (problem,) = refused(write(tmp_path, laughs)).problems
    assert "anchors and aliases" in problem.message


def test_not_utf8(tmp_path: Path) -> None:
    (problem,) = refused(
        write(tmp_path, GOOD.encode("utf-8").replace(b"Test plan", b"Test \xa3 plan"))
    ).problems
    assert "not UTF-8" in problem.message


def test_oversize_file(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "#" * (MAX_PLAN_BYTES + 1))
    (problem,) = refused(path).problems
    assert "limited to 1,000,000 bytes" in problem.message


def test_not_a_mapping(tmp_path: Path) -> None:
    (problem,) = refused(write(tmp_path, "- just\n- a list\n")).problems
    assert "must be a mapping" in problem.message


def test_several_problems_are_all_reported(tmp_path: Path) -> None:
    text = GOOD.replace("direction: reduce", "direction: down").replace(
        "status: draft", "status: live"
    )
    err = refused(write(tmp_path, text))
    assert {p.path for p in err.problems} == {
        "status",
        "priorities[0].measures[0].direction",
        "priorities[0].measures[1].direction",
    }


def test_cross_references_and_targets_are_checked(tmp_path: Path) -> None:
    text = (
        GOOD.replace(
            "    direction: reduce\n  - measure: rereferrals_12m",
            "    direction: reduce\n    targets:\n    - year: 2031-32\n      value: 10\n"
            "  - measure: rereferrals_12m",
        )
        + "  strategies: [neglect-toolkit]\n"
    )
    err = refused(write(tmp_path, text))
    assert [(p.path, p.message) for p in err.problems] == [
        ("priorities[0].strategies[0]", "no linked strategy has the id 'neglect-toolkit'"),
        (
            "priorities[0].measures[0].targets[0].year",
            "2031-32 is outside the plan period 2024–2027",
        ),
    ]


def test_bad_ids_and_text_types(tmp_path: Path) -> None:
    text = GOOD.replace("id: neglect", "id: Neglect Priority").replace(
        "title: Neglect", "title: 2024"
    )
    err = refused(write(tmp_path, text))
    messages = {p.path: p.message for p in err.problems}
    assert "is not a valid id" in messages["priorities[0].id"]
    assert (
        messages["priorities[0].title"]
        == "this must be text, not the number 2024 (put it in quotes)"
    )


def test_format_path() -> None:
    assert (
        format_path(("priorities", 2, "measures", 0, "direction"))
        == "priorities[2].measures[0].direction"
    )
