"""The fictional world's reference lists: with them (and the council's area code), the
synthetic 903 returns of every collection year, each with the year before it, give no
finding from the rules of the placement's place and provider, and those rules all run."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from safeplan.ingest.findings import FileRefused
from safeplan.ingest.pipeline import check_batch
from safeplan.ingest.reference import References, postcode_table, provider_table
from safeplan.ingest.rules.s903_places import RULES
from safeplan.synth import SYNTHETIC_AREA, SynthSummary, generate, geography

PLACE_RULES = {f"903 {r.code}" for r in RULES}
CONTINUITY = {"903 452", "903 453", "903 503G", "903 503H", "903 503J"}


@pytest.fixture(scope="module")
def synth_every_year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2022-23 to 2026-27, every year's rules (241, 243, 454 and K3 from 2025-26), each year
    from 2023-24 with the one before."""
    out = tmp_path_factory.mktemp("synth-every-year")
    generate(out, 250, 5, 5, end_year=2027)
    return out


def _references(out: Path) -> References:
    manifest = json.loads((out / "manifest.json").read_text())
    lists = manifest["reference"]
    return References(out / lists["postcodes"], out / lists["providers"], lists["SAFEPLAN_LA_CODE"])


def _place_findings(out: Path) -> dict[str, list[object]]:
    """Each year's place-rule findings, checking every year's 903 set in one batch (each
    with the year before it, when that is in the batch, as last year's return)."""
    found: dict[str, list[object]] = {}
    files = sorted(out.glob("ssda903/*/*.csv"))
    for path, checked in check_batch(files, references=_references(out)):
        assert not isinstance(checked, FileRefused), (path, checked)
        try:
            year = checked.staged.period or ""
            if path.name == "episodes.csv":
                first = year == min(p.name for p in out.glob("ssda903/*"))
                not_run = {n.split(":")[0] for n in checked.not_run} & PLACE_RULES
                assert not_run <= (CONTINUITY if first else set()), (path, not_run)
            found.setdefault(year, []).extend(f for f in checked.findings if f.rule in PLACE_RULES)
        finally:
            checked.close()
    return found


@pytest.mark.parametrize(("run", "years"), [("synth_every_year", 5), ("synth_recent", 2)])
def test_every_year_gives_no_place_findings(
    run: str, years: int, request: pytest.FixtureRequest
) -> None:
    got = request.getfixturevalue(run)
    found = _place_findings(got[0] if isinstance(got, tuple) else got)
    assert len(found) == years
    assert found == {year: [] for year in found}


def test_the_lists_hold_every_postcode_and_urn_the_returns_use(
    synth_recent: tuple[Path, SynthSummary],
) -> None:
    out, summary = synth_recent
    refs = _references(out)
    assert refs.la_code == SYNTHETIC_AREA == geography.COUNCIL.upper_tier
    assert refs.postcodes is not None and refs.providers is not None
    assert summary.references == [refs.postcodes, refs.providers]
    assert not set(summary.references) & set(summary.files)  # the files to load are returns
    postcodes = postcode_table(refs.postcodes).to_pydict()
    providers = provider_table(refs.providers).to_pydict()
    listed, urns = set(postcodes["pcd"]), set(providers["urn"])
    used_posts, used_urns = set(), set()
    for path in out.glob("ssda903/*/episodes.csv"):
        with path.open(newline="") as f:
            for row in csv.DictReader(f):
                used_posts |= {p.replace(" ", "") for p in (row["HOME_POST"], row["PL_POST"]) if p}
                if row["URN"] and row["URN"] != "XXXXXXX":
                    used_urns.add(row["URN"])
    assert used_posts <= listed and used_urns <= urns
    assert all(p.startswith("QX") for p in listed)  # synthetic only
    assert all(u.startswith("SCQ") for u in urns)
    districts = set(postcodes["la"])
    assert SYNTHETIC_AREA in districts and len(districts) > 2  # placements out of the area too
    assert {"K3", "H5"} <= {c for codes in providers["place_codes"] for c in codes}


def test_a_folder_synth_wrote_is_loaded_without_its_lists(tmp_path: Path) -> None:
    """`safeplan validate DIR` leaves out the folder's reference lists: they are not returns."""
    from safeplan.cli import _files

    generate(tmp_path, 20, 1, 3, end_year=2025)
    files = _files([tmp_path])
    assert files and not [p for p in files if p.parent.name == "reference"]
    # every provider of the world is listed, so even a run with no URN has a list to read
    assert provider_table(tmp_path / "reference" / "providers.csv").num_rows > 100
