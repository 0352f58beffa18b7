"""Each collection year in its own layout: synthetic 2024-25 and 2025-26 returns (<Sex>, 903
SEX M/F, 2025-26 placement codes) validate with no findings and load, and the store keeps one
canonical gender code whatever the layout."""

from __future__ import annotations

from pathlib import Path

from safeplan.ingest.findings import Finding
from safeplan.ingest.pipeline import check
from safeplan.store.db import connect
from safeplan.store.load import LoadResult, load_files
from safeplan.synth import SynthSummary

KEY = b"synthetic-partnership"
# What synthetic returns still raise, by design (issue 12): CIN 1530, UPNs carry the LA code
# 999 so that no synthetic UPN can be a real pupil's. Nothing else.
KNOWN = {"CIN 1530"}


def _unexpected(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.rule not in KNOWN]


def _returns(out: Path) -> list[Path]:
    return sorted(
        p for p in [*out.glob("cin_census/*.xml"), *out.glob("ssda903/*/*.csv")] if p.is_file()
    )


def test_2024_25_and_2025_26_returns_validate_with_no_findings(
    synth_recent: tuple[Path, SynthSummary],
) -> None:
    out, _ = synth_recent
    files = _returns(out)
    assert {p.name for p in files} >= {"cin_census_2025.xml", "cin_census_2026.xml"}
    for path in files:
        checked = check(path)
        try:
            assert checked.staged.period in ("2025", "2026"), path
            assert _unexpected(checked.findings) == [], (path, checked.findings[:3])
        finally:
            checked.close()
    cin = (out / "cin_census" / "cin_census_2025.xml").read_text()
    assert "<Sex>" in cin and "<GenderCurrent>" not in cin
    header = (out / "ssda903" / "2026" / "header.csv").read_text().splitlines()
    assert {row.split(",")[1] for row in header[1:]} <= {"M", "F"}
    episodes = (out / "ssda903" / "2026" / "episodes.csv").read_text()
    assert ",H5," not in episodes and ",Z1," not in episodes


def test_older_years_keep_the_old_layout(synth_run: tuple[Path, SynthSummary]) -> None:
    out, _ = synth_run
    cin = (out / "cin_census" / "cin_census_2024.xml").read_text()
    assert "<GenderCurrent>" in cin and "<Sex>" not in cin
    header = (out / "ssda903" / "2024" / "header.csv").read_text().splitlines()
    assert {row.split(",")[1] for row in header[1:]} <= {"1", "2"}
    checked = check(out / "cin_census" / "cin_census_2024.xml")
    assert _unexpected(checked.findings) == []
    checked.close()


def test_recent_returns_load_with_one_canonical_gender(
    synth_recent: tuple[Path, SynthSummary],
    synth_run: tuple[Path, SynthSummary],
    tmp_path: Path,
) -> None:
    outcomes: list[object] = []
    files = [*_returns(synth_run[0]), *_returns(synth_recent[0])]
    with connect(str(tmp_path / "store.duckdb")) as store:
        refused = load_files(store, files, None, KEY, lambda _p, o: outcomes.append(o), 1)
        assert refused == 0
        assert all(isinstance(o, LoadResult) and o.quarantined == 0 for o in outcomes)
        codes = {r[0] for r in store.query("SELECT DISTINCT gendercurrent FROM ssd_person")}
        assert codes <= {"0", "1", "2", "9"} and {"1", "2"} <= codes
        sexes = {r[0] for r in store.query("SELECT DISTINCT sex FROM ssd_cla_header")}
        assert sexes == {"1", "2"}
        genders = {r[0] for r in store.query("SELECT DISTINCT gender FROM sp_persons")}
        assert {"Male", "Female"} <= genders


def test_a_2026_27_return_in_its_layout_validates(tmp_path: Path) -> None:
    from safeplan.synth import generate

    generate(tmp_path, 120, 1, 5, end_year=2027)
    for path in _returns(tmp_path):
        checked = check(path)
        try:
            assert checked.staged.period == "2027", path
            assert [f for f in checked.findings if f.severity == "error"] == [], path
        finally:
            checked.close()
