"""The fictional world's map: which area each synthetic postcode is in, where it is on the
grid, and the registered providers placements with an Ofsted URN are made with.

A postcode's outward code decides its area, as real outward codes do: QX1 to QX59 are the
council's own (a unitary authority, ``COUNCIL``), QX60 to QX89 other English areas, QX90 to
QX94 Wales and QX95 to QX99 Scotland. Homes are in the council's area; a placement is where
its provider allows (own provision in the area, only placements with parents outside England,
so no placement abroad needs an Ofsted URN). Homes use inward sectors 0-4 and placements 5-9,
so a home is never a placement's postcode (DfE 392d). Grid references are each area's centre
plus an offset hashed from the postcode, so every place is the same wherever it is used.
All codes are well formed and fictional: there is no postcode area QX, no URN beginning SCQ,
and the ONS codes are numbered far past the real ones (E06000999, W06000099, S12000099).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # inward-code letters allowed in UK postcodes


@dataclass(frozen=True, slots=True)
class Area:
    """A local authority district of the fictional map, with its upper tier."""

    district: str
    upper_tier: str
    name: str
    east: int  # the area's centre, OS grid metres
    north: int
    outward: range  # the QX district numbers in it

    @property
    def country(self) -> str:
        """The ONS country code (E92000001 England, W92000004 Wales, S92000003 Scotland)."""
        return {"E": "E92000001", "W": "W92000004", "S": "S92000003"}[self.district[0]]


COUNCIL = Area("E06000999", "E06000999", "Synthshire", 428000, 536000, range(1, 60))
"""The synthetic council: SAFEPLAN_LA_CODE=E06000999 checks its returns against its lists."""

AREAS: tuple[Area, ...] = (
    COUNCIL,
    Area("E06000998", "E06000998", "Synthbridge", 448000, 520000, range(60, 65)),
    Area("E07000990", "E10000990", "North Synthdale", 405000, 548000, range(65, 70)),
    Area("E07000991", "E10000990", "South Synthdale", 395000, 525000, range(70, 75)),
    Area("E08000990", "E08000990", "Synthford", 430000, 565000, range(75, 80)),
    Area("E09000990", "E09000990", "Synth Vale (London)", 530000, 180000, range(80, 85)),
    Area("E06000997", "E06000997", "Synthport", 360000, 440000, range(85, 90)),
    Area("W06000099", "W06000099", "Synthmawr (Wales)", 320000, 370000, range(90, 95)),
    Area("S12000099", "S12000099", "Synthmuir (Scotland)", 345000, 640000, range(95, 100)),
)
IN_AREA = len(COUNCIL.outward)
ENGLAND_OUT = range(60, 90)
ABROAD_FROM = 90  # outward numbers from here are outside England
OWN_AREA_ONLY = ("K1", "K2", "H5", "S1", "R1")  # own provision (PR1) of these is in the area
ANYWHERE = ("P1",)  # placed with parents: the only placements outside England


def _outward(postcode: str) -> int:
    return int(postcode.split()[0][2:])


def area_of(postcode: str) -> Area:
    """The area a synthetic postcode is in (by its outward code)."""
    n = _outward(postcode)
    return next(a for a in AREAS if n in a.outward)


def grid(postcode: str) -> tuple[int, int]:
    """A postcode's grid reference: its area's centre, offset up to 8 km each way."""
    area = area_of(postcode)
    h = zlib.crc32(postcode.encode())
    return area.east + (h % 16001) - 8000, area.north + ((h >> 14) % 16001) - 8000


def _with(postcode: str, outward: int, sector: int) -> str:
    """The postcode moved to another outward number and inward sector, letters kept."""
    inward = postcode.split()[1]
    return f"QX{outward} {sector}{inward[1:]}"


def home(drawn: str) -> str:
    """A home postcode in the council's area, from a drawn one (same draws, so the rest of a
    child's journey is unchanged)."""
    n, sector = _outward(drawn), int(drawn.split()[1][0])
    return _with(drawn, 1 + (n - 1) % IN_AREA, sector % 5)


def placement(drawn: str, place: str, provider: str) -> str:
    """A placement postcode where the placement may be: own provision of a home, school or
    supported accommodation in the council's area (DfE 1015), outside England only when
    placed with parents; otherwise where it was drawn."""
    n, sector = _outward(drawn), 5 + int(drawn.split()[1][0]) % 5
    if provider == "PR1" and place in OWN_AREA_ONLY:
        n = 1 + (n - 1) % IN_AREA
    elif n >= ABROAD_FROM and place not in ANYWHERE:
        n = ENGLAND_OUT[(n - ABROAD_FROM) % len(ENGLAND_OUT)]
    return _with(drawn, n, sector)


# --- registered providers ------------------------------------------------------------------

PLACE_DIGIT = {"K1": 1, "K2": 2, "H5": 5, "S1": 7}
PROVIDER_DIGIT = {"PR0": 0, "PR1": 1, "PR2": 2, "PR3": 3, "PR4": 4, "PR5": 5}
POOL = {"K1": 5, "K2": 90, "H5": 60, "S1": 15}
"""How many providers of each kind (per placement provider code) the world has."""
REGISTERED_AS = {"K1": ("K1",), "K2": ("K2",), "H5": ("H5", "K3"), "S1": ("S1",)}
"""The placement codes each kind of provider is registered for: supported accommodation is
H5 to 2024-25 and K3 from 2025-26 (`safeplan.synth.ssda903.PLACE_FROM`)."""


def urn(place: str, provider: str, drawn: int) -> str:
    """The URN of one of the world's providers of ``place`` run by ``provider``, chosen by a
    drawn number: SCQ, the kind, the provider code and a serial (never a real Ofsted URN)."""
    serial = drawn % POOL[place]
    return f"SCQ{PLACE_DIGIT[place]}{PROVIDER_DIGIT[provider]}{serial:03d}"


RUN_BY = ("PR1", "PR4", "PR5")
"""The placement provider codes of the world's providers: the council's own, private and
voluntary (`population._provider`)."""


def every_urn() -> list[str]:
    """Every provider of the world, placements with it or not (as Ofsted lists them all)."""
    return [urn(place, code, n) for place in POOL for code in RUN_BY for n in range(POOL[place])]


def setting(urn_: str) -> str:
    """The postcode of a provider's setting: own provision in the council's area, others in
    it or in a neighbouring English area (a placement at the provider is at its setting)."""
    h = zlib.crc32(urn_.encode())
    own = urn_[4] == str(PROVIDER_DIGIT["PR1"])
    n = 1 + h % IN_AREA if own or h % 5 < 3 else ENGLAND_OUT[h % len(ENGLAND_OUT)]
    letters = POSTCODE_LETTERS[(h >> 8) % 20] + POSTCODE_LETTERS[(h >> 13) % 20]
    return f"QX{n} {5 + (h >> 18) % 5}{letters}"


def registered_as(urn_: str) -> tuple[str, ...]:
    """The placement codes a provider of this URN is registered for."""
    digit = int(urn_[3])
    return REGISTERED_AS[next(p for p, d in PLACE_DIGIT.items() if d == digit)]


def provider_code(urn_: str) -> str:
    """The placement provider code of the provider of this URN."""
    digit = int(urn_[4])
    return next(p for p, d in PROVIDER_DIGIT.items() if d == digit)
