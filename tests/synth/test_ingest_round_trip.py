"""The synthetic partnership goes through the real readers, rules and store without a fault."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from safeplan.ingest.findings import FileRefused, Severity
from safeplan.ingest.pipeline import check
from safeplan.ingest.templates import TEMPLATES
from safeplan.store.db import connect
from safeplan.store.load import LoadResult, load_files
from safeplan.synth import SynthSummary
from safeplan.synth.references import listed_in

KEY = b"synthetic-partnership"


def _files(out: Path) -> list[Path]:
    """The returns and partner files: not the world's reference lists (test_references)."""
    lists = listed_in(out)
    return sorted(
        p for p in out.rglob("*") if p.suffix in (".xml", ".csv", ".xlsx") and p not in lists
    )


def test_every_synthetic_file_passes_every_check(synth_run: tuple[Path, SynthSummary]) -> None:
    out, _ = synth_run
    problems: Counter[str] = Counter()
    kinds = set()
    for path in _files(out):
        checked = check(path)
        kinds.add(checked.staged.kind)
        problems.update(
            f"{path.name}: {f.rule}" for f in checked.findings if f.severity is Severity.error
        )
        checked.close()
    assert not problems, problems.most_common(10)
    assert {"cin_census", "annex_a", "ssda903:episodes", "ssda903:missing"} <= kinds
    assert sum(k.startswith("partner:") for k in kinds) == len(TEMPLATES)


def test_the_synthetic_partnership_loads_and_links(
    synth_run: tuple[Path, SynthSummary], tmp_path: Path
) -> None:
    out, _ = synth_run
    outcomes: list[LoadResult | FileRefused] = []
    with connect(str(tmp_path / "store.duckdb")) as store:
        refused = load_files(
            store, _files(out), None, KEY, lambda _p, o: outcomes.append(o), workers=1
        )
        assert refused == 0
        assert all(isinstance(o, LoadResult) and o.quarantined == 0 for o in outcomes)
        cin = {r[0] for r in store.query("SELECT DISTINCT person_id FROM ssd_person")}
        cla = {r[0] for r in store.query("SELECT DISTINCT person_id FROM ssd_cla_episodes")}
        missing = {r[0] for r in store.query("SELECT DISTINCT person_id FROM sp_missing_episodes")}
        assert cla and cla <= cin  # every looked-after child is known to the CIN census
        assert missing & cin  # partner records link to the council's by pseudonym
        before = store.query("SELECT count(*) FROM ssd_cin_episodes")[0][0]
        again: list[LoadResult | FileRefused] = []
        load_files(store, _files(out), None, KEY, lambda _p, o: again.append(o), workers=1)
        assert all(isinstance(o, LoadResult) and o.status == "unchanged" for o in again)
        assert store.query("SELECT count(*) FROM ssd_cin_episodes")[0][0] == before
