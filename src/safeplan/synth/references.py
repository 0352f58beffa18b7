"""The fictional world's reference lists, for checking its 903 returns as a council would
check its own: ``reference/postcodes.csv`` (every postcode the returns use, in the columns
of the ONS Postcode Directory) and ``reference/providers.csv`` (every URN they use, in the
columns of Ofsted's social care providers list), as `safeplan.ingest.reference` reads them.

Every provider of the world is listed, placements with it or not. Written after the
children: a provider's registration is before its first placement and, for some whose
placements have all ended, its deregistration after the last (so no episode is at a
provider not registered then: DfE 227, 228).
"""

from __future__ import annotations

import csv
import json
import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from safeplan.synth import geography
from safeplan.synth.population import Child

POSTCODE_COLUMNS = ("pcds", "oseast1m", "osnrth1m", "oslaua", "utla", "ctry")
PROVIDER_COLUMNS = (
    "URN",
    "Provider type",
    "Setting name",
    "Placement code",
    "Placement provider code",
    "Registration date",
    "Deregistration date",
    "Setting postcode",
    "Local authority",
    "LA code",
)
KIND = {
    "K1": "Secure children's home",
    "K2": "Children's home",
    "H5": "Supported accommodation",
    "S1": "Residential special school",
}
SUPPORTED_REGISTRATION = date(2023, 4, 28)  # Ofsted registers supported accommodation from
CLOSED_SHARE = 3  # one provider in this many whose placements have ended has closed


@dataclass(slots=True)
class _Use:
    first: date
    last: date | None  # None: a placement still open at the end of the window


class ReferenceWriters:
    """Gathers the postcodes and providers of every child, then writes the two lists."""

    def __init__(self, out: Path, window_start: date, window_end: date) -> None:
        self.out = out
        self.window_start, self.window_end = window_start, window_end
        self.postcodes: set[str] = set()
        self.providers: dict[str, _Use] = {}

    def write(self, child: Child) -> None:
        if not child.care:
            return
        self.postcodes.add(child.home_post)
        for period in child.care:
            for ep in period.placements:
                self.postcodes.add(ep.pl_post)
                if ep.urn in ("", "XXXXXXX"):
                    continue
                use = self.providers.get(ep.urn)
                if use is None:
                    self.providers[ep.urn] = _Use(ep.start, ep.end)
                    continue
                use.first = min(use.first, ep.start)
                use.last = None if use.last is None or ep.end is None else max(use.last, ep.end)

    @property
    def paths(self) -> list[Path]:
        return [self.out / "postcodes.csv", self.out / "providers.csv"]

    def close(self) -> dict[str, int]:
        """Write both lists (sorted, so the same run gives the same bytes); rows of each."""
        self.out.mkdir(parents=True, exist_ok=True)
        urns = sorted(set(geography.every_urn()) | set(self.providers))
        settings = {urn: geography.setting(urn) for urn in urns}
        postcodes = sorted(self.postcodes | set(settings.values()))
        with (self.out / "postcodes.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(POSTCODE_COLUMNS)
            for pcd in postcodes:
                area = geography.area_of(pcd)
                east, north = geography.grid(pcd)
                writer.writerow([pcd, east, north, area.district, area.upper_tier, area.country])
        with (self.out / "providers.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(PROVIDER_COLUMNS)
            for urn in urns:
                writer.writerow(self._provider(urn, settings[urn]))
        return {"postcodes": len(postcodes), "providers": len(urns)}

    def _provider(self, urn: str, setting: str) -> list[str]:
        h = zlib.crc32(urn.encode())
        codes = geography.registered_as(urn)
        unused = _Use(self.window_start, self.window_start)  # closed before, if closed
        use = self.providers.get(urn, unused)
        registered = use.first - timedelta(days=30 + h % 3000)
        if codes[0] == "H5":
            registered = SUPPORTED_REGISTRATION + timedelta(days=h % 180)
        closed = ""
        if use.last is not None and h % CLOSED_SHARE == 0:
            day = max(use.last, registered) + timedelta(days=1 + (h >> 4) % 300)
            closed = _dmy(day) if day <= self.window_end else ""
        area = geography.area_of(setting)
        return [
            urn,
            KIND[codes[0]],
            f"{area.name} {KIND[codes[0]].lower()} {urn[-3:]}",
            ", ".join(codes),
            geography.provider_code(urn),
            _dmy(registered),
            closed,
            setting,
            area.name,
            area.upper_tier,
        ]


def listed_in(folder: Path) -> set[Path]:
    """The reference lists of a folder ``safeplan synth`` wrote (by its manifest.json): they
    are not returns, so a command given the folder leaves them out."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    if not isinstance(manifest, dict) or manifest.get("generator") != "safeplan.synth":
        return set()
    lists = manifest.get("reference") or {}
    return {folder / lists[k] for k in ("postcodes", "providers") if isinstance(lists.get(k), str)}


def _dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")
