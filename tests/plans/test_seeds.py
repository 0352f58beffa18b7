"""The bundled plans say what the source documents say, word for word where they give words.

Each test parses the seed text itself (../shared/seeds) and compares it with the bundled
plan, so a changed word on either side fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

from safeplan.plans import library
from safeplan.plans.model import MeasureStatus, Plan
from safeplan.plans.render import plan_text
from safeplan.vocabulary import Direction

VERB_DIRECTION = {
    "Track": Direction.track,
    "Reduce": Direction.reduce,
    "Reduction": Direction.reduce,
    "Increase": Direction.increase,
}


def _seed(seeds_dir: Path, number: str) -> str:
    """A seed's text; non-breaking spaces from the web page are read as plain spaces."""
    (path,) = seeds_dir.glob(f"{number}_*.txt")
    return path.read_text(encoding="utf-8").replace("\xa0", " ")


def _section(text: str, start: str, end: str | None) -> str:
    body = text.split(start, 1)[1]
    return body.split(end, 1)[0] if end else body


def test_three_plans_are_bundled() -> None:
    ids = [e.plan.id for e in library.entries() if e.bundled]
    assert sorted(ids) == [
        "devon-cyp-plan-2019-2023",
        "durham-lscb-2017-2020",
        "durham-priorities-2020",
    ]


def test_durham_2017_matches_seed_003(seeds_dir: Path) -> None:
    seed = _seed(seeds_dir, "003")
    plan = library.get("durham-lscb-2017-2020")
    vision = re.search(r"\*\*Vision:\*\* (.+)", seed)
    assert vision and plan.vision == vision.group(1).strip()

    heads = _section(seed, "## What are our priorities?", "## What are we trying")
    titled = re.findall(r"### (.+)\n\n(The aim .+)", heads)
    assert [(p.title, p.aim) for p in plan.priorities] == titled
    assert len(plan.priorities) == 4

    measures = re.findall(r"^- \d\) (.+)$", seed, flags=re.M)
    assert len(measures) == 12
    refs = [m for _, m in plan.measure_refs()]
    assert [m.wording for m in refs] == measures
    assert [m.direction for m in refs] == [VERB_DIRECTION[w.split()[0]] for w in measures]
    assert [len(p.measures) for p in plan.priorities] == [3, 3, 3, 3]
    assert all(m.measure and m.status is MeasureStatus.adopted for m in refs)

    doing = _section(seed, "## What are we going to do?", "### Knowledge Management")
    groups = [re.findall(r"\*\*(.+?)\*\* – (.+?)\s*$", g, flags=re.M) for g in doing.split("\n\n")]
    groups = [g for g in groups if g]
    assert [[(i.title, i.description) for i in p.interventions] for p in plan.priorities] == groups

    themes = re.findall(
        r"### (.+)\n\n(.+)", "### Knowledge Management" + seed.split("### Knowledge Management")[1]
    )
    assert [(e.title, e.description) for e in plan.enablers] == themes
    assert len(themes) == 4


def test_durham_2017_show_prints_every_seed_phrase(seeds_dir: Path) -> None:
    text = plan_text(library.get("durham-lscb-2017-2020"))
    seed = _seed(seeds_dir, "003")
    phrases = re.findall(r"^- \d\) (.+)$", seed, flags=re.M)
    phrases += [f"{a} – {b}" for a, b in re.findall(r"\*\*(.+?)\*\* – (.+?)\s*$", seed, flags=re.M)]
    phrases += re.findall(r"^(The aim .+)$", seed, flags=re.M)
    phrases += re.findall(r"### (.+)", seed)
    assert len(phrases) == 12 + 16 + 4 + 8
    for phrase in phrases:
        assert phrase in text, phrase
    assert (
        "Every child and young person in County Durham feels safe and grows up safe from harm"
        in text
    )
    assert text.count("▼ reduce") == 5
    assert text.count("▲ increase") == 6
    assert text.count("◆ track") == 1


def test_successor_plan_matches_seed_002(seeds_dir: Path) -> None:
    seed = _seed(seeds_dir, "002")
    plan = library.get("durham-priorities-2020")
    assert [p.aim for p in plan.priorities] == re.findall(r"^(The aim is .+)$", seed, flags=re.M)
    measures = re.findall(r"^\d\. (.+)$", seed, flags=re.M)
    assert len(measures) == 12
    assert [m.wording for _, m in plan.measure_refs()] == measures
    for ref in (m for _, m in plan.measure_refs()):
        verb = ref.wording.split()[0]
        if verb in VERB_DIRECTION:
            assert ref.direction is VERB_DIRECTION[verb]
    doing = _section(seed, "What are we going to do?", None)
    lines = [ln.strip() for ln in doing.splitlines() if ln.strip()]
    interventions = [ln for ln in lines if ln not in {"Voice of the child", "Working together"}]
    ours = [
        f"{i.title} – {i.description}" if i.description else i.title
        for p in plan.priorities
        for i in p.interventions
    ]
    assert ours == interventions
    assert [len(p.interventions) for p in plan.priorities] == [4, 4, 5, 5]
    assert plan.supersedes == "durham-lscb-2017-2020"


def test_devon_plan_matches_seeds_000_001_004(seeds_dir: Path) -> None:
    plan = library.get("devon-cyp-plan-2019-2023")
    minutes = _seed(seeds_dir, "004")
    titles = re.findall(r"^\d\.\s+(.+?) – ", minutes, flags=re.M)
    assert [p.title for p in plan.priorities] == titles

    for number, priority_id in (("000", "be-protected-from-harm"), ("001", "feel-safe")):
        seed = _seed(seeds_dir, number)
        priority = next(p for p in plan.priorities if p.id == priority_id)
        bullets = re.findall(r"^\s+•\s+(.+?)\s*$", seed, flags=re.M)
        assert [c for a in priority.focus_areas for c in a.commitments] == bullets
        for area in priority.focus_areas:
            assert area.title in seed
        linked = re.findall(r"please see our (.+?)\.?\s*$", seed, flags=re.M)
        ours = [
            " and ".join(plan.strategy(s).title for s in area.strategies)
            for area in priority.focus_areas
            if area.strategies
        ]
        assert ours == linked


def test_devon_plan_partnership_and_proposed_framework() -> None:
    plan = library.get("devon-cyp-plan-2019-2023")
    assert [a.name for a in plan.partnership.statutory_partners] == [
        "Devon County Council",
        "Devon Clinical Commissioning Group (CCG)",
        "Devon and Cornwall Police",
    ]
    refs = [m for _, m in plan.measure_refs()]
    assert refs, "Devon bundles a proposed outcomes framework"
    assert all(m.status is MeasureStatus.proposed for m in refs)
    assert "proposed outcomes framework" in plan_text(plan)
    titles = {s.title for s in plan.strategies}
    for linked in (
        "DSVA Action Plan and Strategy",
        "CAMHS Transformation Plan",
        "Exploitation of Children Strategy and Toolkit",
        "Adolescent Safety Framework (Safer Me)",
        "PREVENT Strategy",
        "Neglect Strategy and Toolkit",
    ):
        assert linked in titles


def test_no_plan_invents_measure_ids_twice() -> None:
    for entry in library.entries():
        plan: Plan = entry.plan
        ids = [m.measure for _, m in plan.measure_refs() if m.measure]
        assert len(ids) == len(set(ids)), plan.id
