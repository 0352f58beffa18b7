"""Synthetic partnership data in the real file formats, calibrated to national rates.

``generate`` streams children one at a time: each child's journey is drawn from a random
stream seeded by (seed, child index), then written into every collection-year file it
belongs to (CIN census XML, SSDA903 CSVs, Annex A workbook, partner CSVs), all kept open at
once. Memory stays flat whatever the number of children, and the same arguments always give
byte-identical files. No real child data: identifiers, UPNs (LA code 999) and postcodes
(area "QX") are fictional. The world's reference lists are written too (``reference/``:
its postcodes and its Ofsted providers, `safeplan.synth.references`), for the council of
area code ``SYNTHETIC_AREA`` (SAFEPLAN_LA_CODE), so its 903 place rules can be run.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from safeplan.synth import geography, params
from safeplan.synth.annex_a import AnnexAWriters
from safeplan.synth.cin_xml import CinWriters
from safeplan.synth.partner import PartnerWriters
from safeplan.synth.population import Child, Window, simulate
from safeplan.synth.references import ReferenceWriters
from safeplan.synth.ssda903 import S903Writers

__all__ = ["SynthSummary", "generate", "simulate"]

PROGRESS_EVERY = 500
SYNTHETIC_AREA = geography.COUNCIL.upper_tier  # the synthetic council's fictional ONS code


@dataclass
class SynthSummary:
    children: int
    years: int
    files: list[Path] = field(default_factory=list)  # the returns and partner files
    references: list[Path] = field(default_factory=list)  # the world's lists: not returns
    counts: dict[str, int] = field(default_factory=dict)  # record type -> rows written
    # Implied 0-17 population of the synthetic council per collection year, from the
    # referrals generated and the England referral rate: the denominator for "/10k" rates.
    population: dict[int, int] = field(default_factory=dict)


def generate(
    out: Path,
    children: int,
    years: int,
    seed: int,
    end_year: int = 2025,
    progress: Callable[[int], None] | None = None,
) -> SynthSummary:
    """Write a synthetic partnership's files under ``out``; see the module docstring."""
    if children < 1 or years < 1:
        raise ValueError("children and years must be at least 1")
    out = Path(out)
    window = Window(end_year, years)
    year_list = window.collection_years()
    referrals = dict.fromkeys(year_list, 0)
    cin_children = 0
    with ExitStack() as stack:
        cin = CinWriters(out / "cin_census", year_list, stack)
        s903 = S903Writers(out / "ssda903", year_list, seed, stack)
        annex = AnnexAWriters(out / "annex_a", year_list, window, seed, stack)
        partner = PartnerWriters(out / "partner", year_list, stack)
        reference = ReferenceWriters(out / "reference", window.start, window.end)
        for index in range(children):
            child = simulate(index, seed, window)
            cin.write(child)
            s903.write(child)
            annex.write(child)
            partner.write(child)
            reference.write(child)
            _count_referrals(child, referrals)
            cin_children += 1
            if progress is not None and (
                (index + 1) % PROGRESS_EVERY == 0 or index + 1 == children
            ):
                progress(index + 1)
        partner.write_training(children, seed)
        population = {
            year: round(n * 10_000 / params.REFERRAL_RATE_PER_10K) for year, n in referrals.items()
        }
        partner.write_population(SYNTHETIC_AREA, population)
    listed = reference.close()
    counts = {f"cin_children_{y}": n for y, n in cin.counts.items()}
    counts.update({f"cin_referrals_{y}": n for y, n in referrals.items()})
    counts.update({f"ssda903_{k}": v for k, v in s903.counts.items()})
    counts.update({f"annex_a_{k.replace(' ', '_').lower()}": v for k, v in annex.counts.items()})
    counts.update({f"partner_{k}": v for k, v in partner.counts.items()})
    counts.update({f"reference_{k}": v for k, v in listed.items()})
    files = [*cin.paths.values(), *s903.paths, *annex.paths, *partner.paths]
    manifest = out / "manifest.json"
    manifest.write_text(
        json.dumps(
            {
                "generator": "safeplan.synth",
                "synthetic": True,
                "children": children,
                "years": year_list,
                "seed": seed,
                "la_code": params.LEA_CODE,
                "area_code": SYNTHETIC_AREA,
                "reference": {
                    "postcodes": "reference/postcodes.csv",
                    "providers": "reference/providers.csv",
                    "SAFEPLAN_LA_CODE": SYNTHETIC_AREA,
                },
                "population_0_17": {str(k): v for k, v in population.items()},
                "counts": counts,
            },
            indent=2,
            sort_keys=True,
        )
        + "\n",
        encoding="utf-8",
    )
    files.append(manifest)
    return SynthSummary(children, years, files, reference.paths, counts, population)


def _count_referrals(child: Child, referrals: dict[int, int]) -> None:
    for ref in child.referrals:
        year = ref.date.year + 1 if ref.date.month >= 4 else ref.date.year
        if year in referrals:
            referrals[year] += 1
