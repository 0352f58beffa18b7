"""SSDA903 CSV files per collection year: header, episodes, reviews, missing, OC2, OC3, UASC.

Column names and codes are those of the vendored 2024 column map (ssda903_2024.yml); dates
are dd/mm/YYYY as in DfE's own files. CHILD is the council's LAchildID, the same identifier
as in the CIN census.
"""

from __future__ import annotations

import csv
import random
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Any

from safeplan.ingest import years
from safeplan.synth.population import DAY, CarePeriod, Child, birthday, year_bounds

COLUMNS: dict[str, tuple[str, ...]] = {
    "header": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    "episodes": (
        "CHILD",
        "DECOM",
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        "DEC",
        "REC",
        "REASON_PLACE_CHANGE",
        "HOME_POST",
        "PL_POST",
        "URN",
    ),
    "reviews": ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"),
    "missing": ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
    "oc2": (
        "CHILD",
        "DOB",
        "SDQ_SCORE",
        "SDQ_REASON",
        "CONVICTED",
        "HEALTH_CHECK",
        "IMMUNISATIONS",
        "TEETH_CHECK",
        "HEALTH_ASSESSMENT",
        "SUBSTANCE_MISUSE",
        "INTERVENTION_RECEIVED",
        "INTERVENTION_OFFERED",
    ),
    "oc3": ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
    "uasc": ("CHILD", "DOB", "SEX", "DUC"),
}
# Placement types the DfE deleted, as written from the year they went (2025-26: H5, P2 and
# Z1 deleted, K3 and Z11-Z14 in use; `safeplan.ingest.years`): the same placement is written
# in each year's own codes, as a council's system would export it.
PLACE_FROM: dict[int, dict[str, str]] = {2026: {"H5": "K3", "P2": "K3", "Z1": "Z14"}}
NO_PROVIDER_FROM_2026 = ("Z11", "Z12", "Z13", "Z14")


def _place(year: int, place: str, provider: str) -> tuple[str, str]:
    for first, renamed in sorted(PLACE_FROM.items()):
        if year >= first and place in renamed:
            place = renamed[place]
    if place in NO_PROVIDER_FROM_2026:
        provider = ""
    return place, provider


def _urn(year: int, place: str, urn: str) -> str:
    """Supported accommodation (H5) has an Ofsted URN only since it was registered, from
    28 October 2023: none in the returns before 2023-24 (DfE rule 222 in 2022-23)."""
    return "" if place == "H5" and year <= 2023 else urn


# The spec's table for each file, for tests and readers: file stem -> column_map key.
SPEC_TABLES = {
    "header": "Header",
    "episodes": "Episodes",
    "reviews": "Reviews",
    "missing": "Missing",
    "oc2": "OC2",
    "oc3": "OC3",
    "uasc": "UASC",
}


def dmy(day: date | None) -> str:
    return "" if day is None else day.strftime("%d/%m/%Y")


def _known(day: date | None, ref_date: date) -> date | None:
    return day if day is not None and day <= ref_date else None


def _overlaps(period: CarePeriod, start: date, end: date) -> bool:
    return period.start <= end and (period.end is None or period.end >= start)


def _participation(child: Child, when: date, code: str) -> str:
    """A review's participation code that fits the child's age (DfE rules 440, 441): PN0 is
    'under 4 at the review'."""
    if when < birthday(child.dob, 4):
        return "PN0"
    return "PN1" if code == "PN0" else code


def _in_care(child: Child, day: date) -> bool:
    return any(p.start <= day and (p.end is None or day <= p.end) for p in child.care)


def _within_placement(child: Child, day: date, end: date | None, ref_date: date) -> date | None:
    """A missing period's end as the return can hold it: when the placement it began in has
    ended (by ``ref_date``), the period ends by then too (DfE rules 575, 577); when care
    ended with it, the day before, since a child missing as care ends leaves care "E8"
    (580)."""
    for period in child.care:
        for ep in period.placements:
            ep_end = _known(ep.end, ref_date)
            if ep.start <= day and (ep.end is None or day <= ep.end):
                if ep_end is not None and (end is None or end >= ep_end):
                    return ep_end - DAY if ep.rec != "X1" and ep_end > day else ep_end
                return end
    return end


class S903Writers:
    """One set of open CSV writers per collection year."""

    def __init__(self, out: Path, years: list[int], seed: int, stack: ExitStack) -> None:
        self.seed = seed
        self.writers: dict[int, dict[str, Any]] = {}
        self.paths: list[Path] = []
        self.counts: dict[str, int] = dict.fromkeys(COLUMNS, 0)
        for year in years:
            folder = out / str(year)
            folder.mkdir(parents=True, exist_ok=True)
            files = {}
            for name, columns in COLUMNS.items():
                path = folder / f"{name}.csv"
                handle = stack.enter_context(path.open("w", newline="", encoding="utf-8"))
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(columns)
                files[name] = writer
                self.paths.append(path)
            self.writers[year] = files

    def _row(self, year: int, name: str, row: list[str]) -> None:
        self.writers[year][name].writerow(row)
        self.counts[name] += 1

    def write(self, child: Child) -> None:
        if not child.care:
            return
        for year in self.writers:
            self._year(child, year)

    def _year(self, child: Child, year: int) -> None:
        start, end = year_bounds(year)
        periods = [p for p in child.care if _overlaps(p, start, end)]
        dob = dmy(child.dob)
        sex = child.sex if child.sex in ("1", "2") else "1"
        if "M" in years.layout("ssda903", year).sex_codes:  # type: ignore[union-attr]
            sex = {"1": "M", "2": "F"}[sex]  # 2024-25 on: SEX coded M, F, U
        leaver = self._oc3(child, year, start, end)
        if periods or leaver is not None:  # a care leaver has a header row too (INT06)
            upn = child.upn if child.age_on(end) >= 4 else "UN1"
            # Motherhood once the baby is born, and not after she left care (DfE rule 625).
            left = [p.end for p in periods if p.end is not None and p.end <= end]
            until = max(left) if len(left) == len(periods) and left else end
            is_mother = child.mother and child.child_dob is not None and child.child_dob <= until
            mother = ("1" if is_mother else "0") if child.sex == "2" else ""
            mc_dob = dmy(child.child_dob) if is_mother else ""
            if not periods:  # no motherhood details for a care leaver not looked after (628)
                mother, mc_dob = "", ""
            row = [child.child_id, sex, dob, child.ethnicity, upn, mother, mc_dob]
            self._row(year, "header", row)
        # no home postcode for a child who is UASC: the distance is left blank (DfE 406)
        home_post = "" if any(p.uasc for p in periods) else child.home_post
        for period in periods:
            for ep in period.placements:
                ep_end = _known(ep.end, end)
                if ep.start > end or (ep_end is not None and ep_end < start):
                    continue
                self._row(
                    year,
                    "episodes",
                    [
                        child.child_id,
                        dmy(ep.start),
                        ep.rne,
                        ep.legal_status,
                        period.need,
                        *_place(year, ep.place, ep.provider),
                        dmy(ep_end),
                        ep.rec if ep_end else "",
                        ep.change_reason if ep_end else "",
                        home_post,
                        ep.pl_post,
                        _urn(year, ep.place, ep.urn),
                    ],
                )
            for when, code in period.reviews:
                if start <= when <= end:
                    code = _participation(child, when, code)
                    self._row(year, "reviews", [child.child_id, dob, dmy(when), code])
            if period.uasc:
                duc = dmy(_known(child.eighteenth, end))  # ceased to be UASC at 18
                self._row(year, "uasc", [child.child_id, dob, sex, duc])
        for m in child.missing:
            if m.looked_after and start <= m.start.date() <= end:
                if not _in_care(child, m.start.date()):
                    continue  # a run of incidents can outlast the period of care (578, 581)
                m_end = _known(m.end.date() if m.end is not None else None, end)
                m_end = _within_placement(child, m.start.date(), m_end, end)
                row = [child.child_id, dob, m.kind, dmy(m.start.date()), dmy(m_end)]
                self._row(year, "missing", row)
        self._oc2(child, year, periods, end)
        if leaver is not None:
            self._row(year, "oc3", leaver)

    def _oc2(self, child: Child, year: int, periods: list[CarePeriod], end: date) -> None:
        """Children looked after continuously for 12 months at 31 March: from the first day of
        the year (or before) to its last, as both the DfE's validators count them (191)."""
        start = year_bounds(year)[0]
        if not any(p.start <= start and (p.end is None or p.end >= end) for p in periods):
            return
        rng = random.Random(f"oc2/{self.seed}/{child.index}/{year}")  # noqa: S311 - synthetic data
        age = child.age_on(end)
        fourth, seventeenth = birthday(child.dob, 4), birthday(child.dob, 17)
        if fourth > end or seventeenth < start:  # under 4, or 17 all year: no SDQ (188, 189)
            score, reason = "", ""
        elif 4 <= age <= 16 and rng.random() < 0.8:
            score, reason = str(rng.randint(3, 30)), ""
        elif fourth <= start and birthday(child.dob, 16) >= end:  # SDQ1 is for age (157)
            score, reason = "", rng.choice(("SDQ2", "SDQ4"))
        else:
            score, reason = "", "SDQ1"

        def flag(p: float) -> str:
            return "1" if rng.random() < p else "0"

        substance = flag(0.04) if age >= 10 else "0"
        received = flag(0.6) if substance == "1" else ""
        offered = flag(0.4) if received == "0" else ""
        convicted = flag(0.03) if age >= 10 else ""
        health_check = flag(0.9)
        row = [
            child.child_id,
            dmy(child.dob),
            score,
            reason,
            convicted,
            health_check if age < 5 else "",  # health promotion under 5 only (545, 546)
            flag(0.85),
            flag(0.8),
            flag(0.9),
            substance,
            received,
            offered,
        ]
        self._row(year, "oc2", row)

    def _oc3(self, child: Child, year: int, start: date, end: date) -> list[str] | None:
        """Care leavers: a row in the year of their 17th to 21st birthday (None: no row)."""
        left = [p for p in child.care if p.end is not None and p.end <= end]
        if not any(
            child.age_on(p.end) >= 16 and (p.end - max(p.start, birthday(child.dob, 14))).days >= 91
            for p in left
            if p.end is not None
        ):
            return None
        if not any(start <= birthday(child.dob, age) <= end for age in range(17, 22)):
            return None
        ended = left[-1].reason_ended if left else ""
        if _looked_after_on_birthday(child, end) or ended in ("E2", "E3"):
            return None  # no care leaver data (1000, 1007, 1011, 1016)
        rng = random.Random(f"oc3/{self.seed}/{child.index}/{year}")  # noqa: S311 - synthetic data
        in_touch = rng.choice(("YES", "YES", "YES", "YES", "NO", "REFU"))
        activ = (
            rng.choice(("F1", "P1", "F2", "P2", "F4", "G4", "G5", "G6"))
            if in_touch == "YES"
            else "0"
        )
        accom = (
            rng.choice(("B1", "C1", "D1", "E1", "K1", "R1", "S1", "T1", "U1", "V1", "Z2"))
            if in_touch == "YES"
            else "0"
        )
        accom = _accommodation(child, accom, start, end)
        return [child.child_id, dmy(child.dob), in_touch, activ, accom]


def _looked_after_on_birthday(child: Child, end: date) -> bool:
    """Looked after on or after the 17th or 18th birthday last passed, for a young person of
    17 or 18 at 31 March (ceasing on the birthday counts, as in the DfE's rule 1016)."""
    age = child.age_on(end)
    if age not in (17, 18):
        return False
    day = birthday(child.dob, age)
    return any(p.start <= end and (p.end is None or p.end >= day) for p in child.care)


def _accommodation(child: Child, accom: str, start: date, end: date) -> str:
    """An OC3 accommodation the DfE's rules accept for the young person: homelessness is never
    suitable (133), no Foyer under 18 (347), not with former foster carers around the 17th
    birthday (3001)."""
    if accom == "S1":
        return "S2"
    if accom.startswith("T") and birthday(child.dob, 18) > start:
        return "U1"
    if accom.startswith("Z") and start <= birthday(child.dob, 17) <= end:
        return "U1"
    return accom
