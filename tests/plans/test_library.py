"""The plan library: imported plans beside the bundled ones, each file parsed once per
version of the file, and a changed file read again."""

from __future__ import annotations

from pathlib import Path

import pytest

from safeplan.plans import library
from safeplan.plans.yamlio import dump_plan


def test_an_imported_plan_is_read_again_when_its_file_changes(tmp_path: Path) -> None:
    plan = library.get("durham-lscb-2017-2020")
    mine = plan.model_copy(update={"id": "test-plan-2024-2027", "title": "First title"})
    source = tmp_path / "mine.yaml"
    source.write_text(dump_plan(mine), encoding="utf-8")
    library.import_file(source)
    first = library.get("test-plan-2024-2027")
    assert first.title == "First title"
    assert library.get("test-plan-2024-2027") is first  # parsed once, then kept

    library.save(mine.model_copy(update={"title": "A longer second title"}))
    assert library.get("test-plan-2024-2027").title == "A longer second title"


def test_an_unknown_plan_suggests_the_nearest_id() -> None:
    with pytest.raises(library.UnknownPlanError, match="did you mean 'durham-lscb-2017-2020'"):
        library.get("durham-lscb-2017-202")
