"""Annex A workbooks (Ofsted's lists for inspection), one per collection year.

Sheet names and headers are exactly those of the Annex A template (see the sample workbook
in the shared reference data); values use the template's "a) ..." list labels. Each row
shows the record as at 31 March of the year. Written with XlsxWriter in constant-memory mode
so a workbook never sits in memory; properties are fixed so the bytes are reproducible.
"""

from __future__ import annotations

import random
from contextlib import ExitStack
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import xlsxwriter

from safeplan.ingest.staging import ANNEX_A_LISTS
from safeplan.synth.population import Child, Referral, Window, birthday, year_bounds

HEADERS = ANNEX_A_LISTS  # the template's sheets and headings, shared with the reader

GENDER = {"1": "a) Male", "2": "b) Female", "0": "c) Not stated/recorded"}
# The template's ethnicity list order (approximate: the order of the sample's labels).
ETHNICITY_ORDER = (
    "WBRI",
    "WIRI",
    "WIRT",
    "WOTH",
    "WROM",
    "MWBC",
    "MWBA",
    "MWAS",
    "MOTH",
    "AIND",
    "APKN",
    "ABAN",
    "AOTH",
    "BCRB",
    "BAFR",
    "BOTH",
    "CHNE",
    "OOTH",
    "NOBT",
    "REFU",
)
SOURCE_LABELS = {
    "1A": "Individual",
    "1B": "Individual",
    "1C": "Individual",
    "1D": "Individual",
    "2A": "Schools",
    "2B": "Education services",
    "3A": "Health services",
    "3B": "Health services",
    "3C": "Health services",
    "3D": "Health services",
    "3E": "Health services",
    "3F": "Health services",
    "4": "Housing",
    "5A": "LA services",
    "5B": "LA services",
    "5C": "LA services",
    "6": "Police",
    "7": "Other legal agency",
    "8": "Other",
    "9": "Anonymous",
    "10": "Unknown",
}
SOURCE_ORDER = tuple(SOURCE_LABELS)
PRIMARY_NEED = {
    "N1": "N1 - Abuse or Neglect",
    "N2": "N2 - Child's disability",
    "N3": "N3 - Parental disability or illness",
    "N4": "N4 - Family in acute stress",
    "N5": "N5 - Family dysfunction",
    "N6": "N6 - Socially unacceptable behaviour",
    "N7": "N7 - Low income",
    "N8": "N8 - Absent parenting",
    "N9": "N9 - Cases other than children in need",
    "N0": "N0 - Not stated",
}
CATEGORY = {
    "NEG": "Neglect",
    "PHY": "Physical abuse",
    "SAB": "Sexual abuse",
    "EMO": "Emotional abuse",
    "MUL": "Multiple",
}
LEGAL_STATUS = {
    "C1": "C1: ICO",
    "C2": "C2: FCO",
    "D1": "D1: Freeing order",
    "E1": "E1: Placement order",
    "V2": "V2: Section 20 (single period)",
    "V3": "V3: Short break (single)",
    "V4": "V4: Short breaks (series)",
    "L1": "L1: Police protection",
    "L2": "L2: Emergency protection order",
    "L3": "L3: Child assessment order",
    "J1": "J1: Remanded to LA accommodation",
    "J2": "J2: PACE transfer",
    "J3": "J3: Youth rehabilitation order",
}
PLACEMENT = {
    "U1": "Foster placement - relatives - long term",
    "U2": "Foster placement - relatives - FFA",
    "U3": "Foster placement - relatives - not FFA",
    "U4": "Foster placement - long term",
    "U5": "Foster placement - FFA",
    "U6": "Foster placement - not FFA",
    "A3": "Placed for adoption - consent",
    "A4": "Placed for adoption - consent (own carer)",
    "A5": "Placed for adoption - placement order",
    "A6": "Placed for adoption - placement order (own carer)",
    "K1": "Secure children's home",
    "K2": "Children's home",
    "H5": "Residential accommodation",
    "P1": "Placed with parents",
    "P2": "Independent living",
    "P3": "Residential employment",
    "R1": "Residential care home",
    "R2": "NHS/health trust",
    "R3": "Family centre",
    "R5": "Young offender institution",
    "S1": "All residential schools",
    "T0": "Temporary",
    "T1": "Temporary - short",
    "T2": "Temporary - holiday",
    "T3": "Temporary - hospital",
    "T4": "Temporary - other",
    "Z1": "Other placement",
}
PROVIDER = {
    "PR0": "a) PR0 - Parent(s) or other person with parental responsibility",
    "PR1": "b) PR1 - Own provision",
    "PR2": "c) PR2 - Other LA provision",
    "PR3": "d) PR3 - Other public provision",
    "PR4": "e) PR4 - Private provision",
    "PR5": "f) PR5 - Voluntary/third sector",
}
CEASED = {
    "E11": "Adopted - consent",
    "E12": "Adopted - grounds",
    "E13": "Left care to live with parents",
    "E14": "Accommodation on remand ended",
    "E15": "Age assessment - over 18",
    "E16": "Child moved abroad",
    "E17": "Aged 18 - remained with foster carers",
    "E2": "Died",
    "E3": "Care taken over by another LA",
    "E41": "Residence order",
    "E45": "Special Guardianship Orders - former foster carer",
    "E46": "Special Guardianship Orders - other",
    "E47": "Special Guardianship Orders - relative/friend",
    "E48": "Special Guardianship Orders - other than relative/friend",
    "E4A": "Returned home to parents",
    "E4B": "Returned home (not planned)",
    "E5": "Moved to independent living (supportive)",
    "E6": "Moved to independent living",
    "E7": "Transferred to residential care funded by adult social care",
    "E8": "Period of care ceased for any other reason",
    "E9": "Sentenced to custody",
}
WORKERS = 60
ACTIVITY = (
    "F1: Full time in higher education",
    "F2: Full time in education other than higher",
    "F3: Full time in training or employment",
    "G5: Not in education, employment or training - other",
)


def _lettered(index: int, text: str) -> str:
    return f"{chr(ord('a') + index % 26)}) {text}"


def ethnicity(code: str) -> str:
    return _lettered(ETHNICITY_ORDER.index(code), code)


def source(code: str) -> str:
    return _lettered(SOURCE_ORDER.index(code), f"{code}: {SOURCE_LABELS[code]}")


def placement(code: str) -> str:
    return _lettered(list(PLACEMENT).index(code), f"{code}: {PLACEMENT[code]}")


def ceased(code: str) -> str:
    return _lettered(list(CEASED).index(code), f"{code}: {CEASED[code]}")


def _worker(child: Child, salt: int) -> str:
    """A fictional worker reference; deliberately not a person's name."""
    return f"Worker {(child.index * 7 + salt) % WORKERS + 1:03d}"


def _known(day: date | None, ref_date: date) -> date | None:
    return day if day is not None and day <= ref_date else None


class AnnexAWriters:
    """One workbook per collection year, every list open at once, rows appended in order."""

    def __init__(
        self, out: Path, years: list[int], window: Window, seed: int, stack: ExitStack
    ) -> None:
        out.mkdir(parents=True, exist_ok=True)
        self.window = window
        self.seed = seed
        self.paths: list[Path] = []
        self.books: dict[int, Any] = {}
        self.sheets: dict[int, dict[str, Any]] = {}
        self.rows: dict[tuple[int, str], int] = {}
        self.counts: dict[str, int] = dict.fromkeys(HEADERS, 0)
        self.date_format: dict[int, Any] = {}
        for year in years:
            path = out / f"annex_a_{year}.xlsx"
            self.paths.append(path)
            book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
            stack.callback(book.close)
            fixed = datetime(year, 5, 15, 9, 0, 0)
            book.set_properties(
                {
                    "title": f"Annex A {year - 1}-{year % 100:02d} (synthetic)",
                    "author": "SafePlan synthetic data",
                    "created": fixed,
                }
            )
            bold = book.add_format({"bold": True})
            self.date_format[year] = book.add_format({"num_format": "dd/mm/yyyy"})
            self.books[year] = book
            self.sheets[year] = {}
            for name, headers in HEADERS.items():
                sheet = book.add_worksheet(name)
                sheet.write_row(0, 0, headers, bold)
                self.sheets[year][name] = sheet
                self.rows[(year, name)] = 1

    def _put(self, year: int, name: str, values: list[Any]) -> None:
        sheet = self.sheets[year][name]
        row = self.rows[(year, name)]
        fmt = self.date_format[year]
        for col, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, date):
                sheet.write_datetime(row, col, datetime.combine(value, datetime.min.time()), fmt)
            elif isinstance(value, int | float):
                sheet.write_number(row, col, value)
            else:
                sheet.write_string(row, col, value)
        self.rows[(year, name)] = row + 1
        self.counts[name] += 1

    def write(self, child: Child) -> None:
        for year in self.books:
            self._year(child, year)

    def _extra_contacts(self, child: Child) -> list[tuple[date, str]]:
        """Contacts that never became referrals (not in the CIN census), per child."""
        rng = random.Random(f"contacts/{self.seed}/{child.index}")  # noqa: S311 - synthetic data
        span = (self.window.end - self.window.start).days
        out = []
        for _ in range(rng.choice((0, 0, 1, 1, 1, 2, 3))):
            day = self.window.start + timedelta(days=rng.randrange(span + 1))
            if child.dob <= day < child.eighteenth:
                out.append((day, rng.choice(SOURCE_ORDER)))
        return sorted(out)

    def _year(self, child: Child, year: int) -> None:
        start, end = year_bounds(year)
        age = round((end - child.dob).days / 365.25, 2)
        dis = "a) Yes" if child.disabilities else "b) No"
        who = [child.child_id, GENDER[child.sex], ethnicity(child.ethnicity), child.dob, age]
        contacts = [(r.contact, r.source) for r in child.referrals]
        contacts += self._extra_contacts(child)
        for day, src in sorted(contacts):
            if start <= day <= end:
                self._put(year, "List 1", [*who, day, source(src)])
        for plan in child.family_plans:
            if start <= plan.start <= end:
                a_start = plan.start - timedelta(days=14)
                org = f"Early Help Locality {1 + child.index % 4}"
                self._put(year, "List 2", [*who, a_start, plan.start, org])
        for i, ref in enumerate(child.referrals):
            closure = _known(ref.closure, end)
            if ref.date > end or (closure is not None and closure < start):
                continue
            self._referral(child, year, ref, i, who, dis, start, end)
        self._cla(child, year, who, dis, start, end)
        self._care_leaver(child, year, who, dis, end)

    def _referral(
        self,
        child: Child,
        year: int,
        ref: Referral,
        i: int,
        who: list[Any],
        dis: str,
        start: date,
        end: date,
    ) -> None:
        team, worker = ref.team, _worker(child, i)
        if start <= ref.date <= end:
            earlier = sum(1 for r in child.referrals[:i] if (ref.date - r.date).days <= 365)
            nfa = "Yes" if ref.nfa else "No"
            self._put(
                year, "List 3", [*who, ref.date, source(ref.source), nfa, earlier, team, worker]
            )
        closure = _known(ref.closure, end)
        for a in ref.assessments:
            auth = _known(a.authorised, end)
            if a.start > end or (auth is not None and auth < start):
                continue
            needs = (
                ""
                if auth is None
                else (
                    "No"
                    if ref.reason in ("RC8", "RC9") and closure is not None and not ref.cpps
                    else "Yes"
                )
            )
            self._put(year, "List 4", [*who[:5], dis, a.start, "Yes", auth, needs, team, worker])
        for s in ref.s47s:
            if not start <= s.start <= end:
                continue
            icpc = _known(s.icpc, end)
            unnecessary = "Yes" if s.concluded is not None and s.concluded <= end else "No"
            led = ("Yes" if any(p.start == icpc for p in ref.cpps) else "No") if icpc else ""
            n_s47 = sum(
                1 for r in child.referrals for x in r.s47s if 0 < (s.start - x.start).days <= 365
            )
            n_icpc = sum(
                1
                for r in child.referrals
                for x in r.s47s
                if x.icpc is not None and 0 < (s.start - x.icpc).days <= 365
            )
            self._put(
                year,
                "List 5",
                [*who[:5], dis, s.start, unnecessary, icpc, led, n_s47, n_icpc, team, worker],
            )
        if not ref.nfa:
            if ref.cpps and any(
                p.start <= end and (p.end is None or p.end > end) for p in ref.cpps
            ):
                status = "b) Child protection plan"
            elif any(p.start <= end and (p.end is None or p.end > end) for p in child.care):
                status = "d) Looked after child"
            elif ref.cin_plans and ref.cin_plans[0][0] <= end:
                status = "c) Child in need plan"
            else:
                status = "a) Open case - assessment"
            seen = min(closure or end, end) - timedelta(days=(child.index + i) % 40)
            need = PRIMARY_NEED.get(ref.primary_need or "", "")
            self._put(
                year,
                "List 6",
                [
                    *who[:5],
                    dis,
                    ref.date,
                    need,
                    max(seen, ref.date),
                    closure,
                    ref.reason if closure else None,
                    status,
                    team,
                    worker,
                ],
            )
        for plan in ref.cpps:
            p_end = _known(plan.end, end)
            if plan.start > end or (p_end is not None and p_end < start):
                continue
            latest = plan.latest if plan.latest_from <= end else plan.initial
            reviews = [r for r in plan.reviews if r <= end]
            visit = min(p_end or end, end) - timedelta(days=(child.index + i) % 20)
            alone = "a) Yes" if child.age_on(end) >= 5 and (child.index + i) % 4 else "b) No"
            self._put(
                year,
                "List 7",
                [
                    *who[:5],
                    dis,
                    plan.start,
                    CATEGORY[plan.initial],
                    CATEGORY[latest],
                    max(visit, plan.start),
                    alone,
                    reviews[-1] if reviews else None,
                    p_end,
                    "b) No",
                    plan.previous,
                    team,
                    worker,
                ],
            )

    def _cla(
        self, child: Child, year: int, who: list[Any], dis: str, start: date, end: date
    ) -> None:
        for k, period in enumerate(child.care):
            p_end = _known(period.end, end)
            if period.start > end or (p_end is not None and p_end < start):
                continue
            eps = [e for e in period.placements if e.start <= end]
            if not eps:
                continue
            last = eps[-1]
            moves = sum(
                1
                for e in eps
                if e.rne in ("S", "P", "T")
                and (e.start >= end - timedelta(days=365) or e is eps[0])
            )
            second = any(
                c.end is not None and 0 <= (period.start - c.end).days <= 365
                for c in child.care[:k]
            )
            reviews = [r for r, _ in period.reviews if r <= end]
            legal_since = max(
                (e.start for e in eps if e.rne in ("S", "L", "T")), default=period.start
            )
            missing = [
                m
                for m in child.missing
                if m.looked_after and end - timedelta(days=365) <= m.start.date() <= end
            ]
            n_m = sum(1 for m in missing if m.kind == "M")
            n_a = sum(1 for m in missing if m.kind == "A")
            last_m = next((m for m in reversed(missing) if m.kind == "M"), None)
            offered = accepted = ""
            if last_m is not None:
                offered = "Yes" if last_m.rhi_offered is not None else "No"
                accepted = ("Yes" if last_m.rhi_accepted else "No") if last_m.rhi_offered else ""
            visit = min(p_end or end, end) - timedelta(days=child.index % 30)
            self._put(
                year,
                "List 8",
                [
                    *who[:5],
                    "a) Yes" if period.uasc else "b) No",
                    dis,
                    period.start,
                    PRIMARY_NEED.get(period.need, ""),
                    "a) Yes" if second else "b) No",
                    legal_since,
                    LEGAL_STATUS.get(last.legal_status, last.legal_status),
                    reviews[-1] if reviews else None,
                    max(visit, period.start),
                    "Return home" if period.need != "N8" else "Independence",
                    reviews[-1] if reviews else None,
                    _known(period.iha_completed, end),
                    None,
                    moves,
                    p_end,
                    ceased(period.reason_ended) if p_end and period.reason_ended else None,
                    last.start,
                    placement(last.place),
                    PROVIDER.get(last.provider),  # none for Z1
                    last.pl_post,
                    last.urn if last.urn not in ("XXXXXXX", "") else None,
                    "Home Town",
                    None,
                    n_m,
                    n_a,
                    offered,
                    accepted,
                    "Children in Care Team",
                    _worker(child, 99),
                ],
            )

    def _care_leaver(self, child: Child, year: int, who: list[Any], dis: str, end: date) -> None:
        age = child.age_on(end)
        if not 17 <= age <= 21:
            return
        left = [
            p
            for p in child.care
            if p.end is not None
            and p.end <= end
            and child.age_on(p.end) >= 16
            and (p.end - max(p.start, birthday(child.dob, 14))).days >= 91
        ]
        if not left:
            return
        rng = random.Random(f"leaver/{self.seed}/{child.index}/{year}")  # noqa: S311 - synthetic data
        in_touch = rng.random() < 0.9
        self._put(
            year,
            "List 9",
            [
                *who[:5],
                dis,
                "Care Leavers Team",
                _worker(child, 7),
                "b) Former relevant child" if age >= 18 else "a) Relevant child",
                "a) Yes" if in_touch else "b) No",
                rng.choice(
                    (
                        "U: Independent living",
                        "Y: Other accommodation",
                        "B: With parents or relatives",
                        "S: Semi-independent",
                    )
                )
                if in_touch
                else None,
                "a) Suitable" if rng.random() < 0.88 else "b) Unsuitable",
                rng.choice(ACTIVITY) if in_touch else None,
            ],
        )
