"""One synthetic child's journey through services, drawn from its own random stream.

A child is simulated once, from a first referral to the end of the window, and every writer
then shows that journey "as at" the end of each collection year: whatever happens after the
reference date is not yet known, exactly as in a real return. Each child's generator is
seeded from (seed, child index) alone, so children can be streamed one at a time and any
child can be regenerated on its own.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from safeplan.synth import geography
from safeplan.synth import params as P

DAY = timedelta(days=1)
UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
POSTCODE_LETTERS = geography.POSTCODE_LETTERS
FACTOR_CODES = tuple(code for code, _ in P.ASSESSMENT_FACTOR_PREVALENCE)
# Chained draws lose some within-12-month re-referrals (an episode still open a year on
# cannot be re-referred), so the per-referral chance is boosted to land near the target.
REREFERRAL_BOOST = 1.6
EXPLOITATION_FACTORS = frozenset({"11A", "24A", "13A", "12A"})


@dataclass(frozen=True, slots=True)
class Window:
    """The collection years written: each runs 1 April to 31 March."""

    end_year: int
    years: int

    @property
    def start(self) -> date:
        return date(self.end_year - self.years, 4, 1)

    @property
    def end(self) -> date:
        return date(self.end_year, 3, 31)

    @property
    def history_start(self) -> date:
        """Journeys may begin this early, so stocks (open plans, CLA) exist at the start."""
        return date(self.end_year - self.years - 7, 4, 1)

    def collection_years(self) -> list[int]:
        return list(range(self.end_year - self.years + 1, self.end_year + 1))


def year_bounds(year: int) -> tuple[date, date]:
    """The collection year ending 31 March ``year``."""
    return date(year - 1, 4, 1), date(year, 3, 31)


@dataclass(slots=True)
class Assessment:
    start: date
    authorised: date | None
    factors: tuple[str, ...]


@dataclass(slots=True)
class Section47:
    start: date
    icpc_target: date
    icpc: date | None
    concluded: date | None = None  # concluded with no conference needed (ICPCnotRequired)


@dataclass(slots=True)
class CPPlan:
    start: date
    end: date | None
    initial: str
    latest: str
    latest_from: date  # when the latest category took effect
    previous: int  # previous plans, the DfE count (0 for a first plan)
    reviews: list[date]


@dataclass(slots=True)
class Placement:
    """One SSDA903 episode: a stretch of care with one placement and one legal status."""

    start: date
    end: date | None
    rne: str
    legal_status: str
    place: str
    provider: str
    pl_post: str
    urn: str
    rec: str = ""  # reason episode ceased, set when it ends
    change_reason: str = ""


@dataclass(slots=True)
class Missing:
    kind: str  # M missing, A away from placement without authorisation
    start: datetime
    end: datetime | None
    looked_after: bool
    rhi_offered: datetime | None = None
    rhi_completed: datetime | None = None
    rhi_accepted: bool | None = None


@dataclass(slots=True)
class CarePeriod:
    start: date
    end: date | None
    reason_ended: str
    need: str
    uasc: bool
    placements: list[Placement]
    reviews: list[tuple[date, str]]
    iha_request: date
    iha_completed: date | None


@dataclass(slots=True)
class Screening:
    when: date
    tool: str
    risk: str
    kind: str
    at_referral: bool
    agency: str


@dataclass(slots=True)
class FamilyPlan:
    plan_id: str
    start: date
    outcomes: list[tuple[str, date, date | None, str]]  # id, set, review, achieved (Y/N/partly)


@dataclass(slots=True)
class Conference:
    conference_id: str
    when: date
    kind: str  # initial | review
    views_shared: bool
    how: str


@dataclass(slots=True)
class Audit:
    audit_id: str
    when: date
    agency: str
    lived_experience: bool
    grade: str


@dataclass(slots=True)
class Challenge:
    challenge_id: str
    raised: date
    raising: str
    receiving: str
    stage: str
    resolved: date | None
    outcome: str


@dataclass(slots=True)
class MissingEducation:
    record_id: str
    start: date
    end: date | None
    reason: str


Day = date  # "date" is also a Referral field name; the alias keeps annotations unambiguous


@dataclass(slots=True)
class Referral:
    """A CIN census CINdetails episode: from referral to closure."""

    date: date
    contact: Day
    source: str
    nfa: bool
    primary_need: str | None = None
    closure: Day | None = None
    reason: str | None = None
    assessments: list[Assessment] = field(default_factory=list)
    cin_plans: list[tuple[Day, Day | None]] = field(default_factory=list)
    s47s: list[Section47] = field(default_factory=list)
    cpps: list[CPPlan] = field(default_factory=list)
    early_help: bool = False
    team: str = ""


@dataclass(slots=True)
class Child:
    index: int
    child_id: str
    upn: str
    dob: date
    sex: str  # 1 male, 2 female, 0 not recorded
    ethnicity: str
    disabilities: tuple[str, ...]
    home_post: str
    referrals: list[Referral] = field(default_factory=list)
    care: list[CarePeriod] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)
    screenings: list[Screening] = field(default_factory=list)
    family_plans: list[FamilyPlan] = field(default_factory=list)
    conferences: list[Conference] = field(default_factory=list)
    audits: list[Audit] = field(default_factory=list)
    challenges: list[Challenge] = field(default_factory=list)
    cme: list[MissingEducation] = field(default_factory=list)
    mother: bool = False
    child_dob: date | None = None  # the mother's child, when she is a mother

    @property
    def eighteenth(self) -> date:
        return birthday(self.dob, 18)

    def age_on(self, day: date) -> int:
        years = day.year - self.dob.year
        return years - ((day.month, day.day) < (self.dob.month, self.dob.day))

    def last_activity(self) -> date | None:
        """The last day on which the child had an open record (None: still open)."""
        last = date.min
        for ref in self.referrals:
            if ref.closure is None:
                return None
            last = max(last, ref.closure)
        for period in self.care:
            if period.end is None:
                return None
            last = max(last, period.end)
        return last


def birthday(dob: date, age: int) -> date:
    try:
        return dob.replace(year=dob.year + age)
    except ValueError:  # 29 February
        return date(dob.year + age, 3, 1)


def census_year_end(day: date) -> date:
    """The reference date (31 March) of the collection year a day falls in."""
    return date(day.year + (1 if day.month >= 4 else 0), 3, 31)


def weekday_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= DAY
    return day


def add_working_days(day: date, n: int) -> date:
    """Weekends skipped; bank holidays are not (a day or two of drift, fine for synthesis)."""
    weeks, rest = divmod(n, 5)
    day += timedelta(days=weeks * 7)
    while rest:
        day += DAY
        if day.weekday() < 5:
            rest -= 1
    while day.weekday() >= 5:
        day += DAY
    return day


def pick(rng: random.Random, weights: P.Weights) -> str:
    """A code drawn from (code, weight) pairs; weights need not sum to one."""
    total = sum(w for _, w in weights)
    u = rng.random() * total
    for code, w in weights:
        u -= w
        if u < 0:
            return code
    return weights[-1][0]


def pick_band(rng: random.Random, bands: tuple[tuple[int, int, float], ...]) -> int:
    total = sum(b[2] for b in bands)
    u = rng.random() * total
    for low, high, w in bands:
        u -= w
        if u < 0:
            return rng.randint(low, high)
    return bands[-1][1]


def upn_for(index: int) -> str:
    """A UPN that passes the DfE check-letter algorithm, with the fictional LA code 999."""
    body = f"999{9000 + index % 1000:04d}{(index // 1000) % 100:02d}{index % 997:03d}"
    total = sum(int(ch) * weight for ch, weight in zip(body, range(2, 14), strict=True))
    return UPN_CHECK_LETTERS[total % 23] + body


def postcode(rng: random.Random) -> str:
    """A postcode of valid shape in the unused area "QX" (no real postcode starts with Q)."""
    letters = rng.choice(POSTCODE_LETTERS) + rng.choice(POSTCODE_LETTERS)
    return f"QX{rng.randint(1, 99)} {rng.randint(0, 9)}{letters}"


class Journey:
    """Draws one child's history; a class only to share the rng and window between steps."""

    def __init__(self, index: int, seed: int, window: Window) -> None:
        self.rng = random.Random(f"safeplan-synth/{seed}/{index}")  # noqa: S311 - synthetic data
        self.window = window
        self.index = index
        self.child_id = f"SYN{index + 1:07d}"
        self.n_ids = 0

    def next_id(self, prefix: str) -> str:
        self.n_ids += 1
        return f"{prefix}{self.index + 1:07d}-{self.n_ids:03d}"

    def build(self) -> Child:
        """Draw until the child has some activity inside the window (rejection sampling):
        the children in a council's returns are exactly those with activity in its years."""
        while True:
            child = self._draw()
            last = child.last_activity()
            if last is None or last >= self.window.start:
                return child

    def _draw(self) -> Child:
        rng, w = self.rng, self.window
        self.n_ids = 0
        span = (w.end - w.history_start).days
        first = w.history_start + timedelta(days=rng.randrange(span + 1))
        age_days = pick_band(rng, P.AGE_AT_REFERRAL_BANDS) * 365 + rng.randint(0, 364)
        dob = first - timedelta(days=age_days)
        u = rng.random()
        sex = "0" if u < P.GENDER_NOT_RECORDED_SHARE else ("1" if u < P.MALE_SHARE else "2")
        disabilities: tuple[str, ...] = ()
        if rng.random() < P.DISABILITY_SHARE:
            pool = P.DISABILITY_CODES + P.DISABILITY_CODES_MORE
            disabilities = tuple(sorted(set(rng.sample(pool, rng.choice((1, 1, 1, 2, 3))))))
        child = Child(
            index=self.index,
            child_id=self.child_id,
            upn=upn_for(self.index),
            dob=dob,
            sex=sex,
            ethnicity=pick(rng, P.ETHNICITY_WEIGHTS),
            disabilities=disabilities,
            home_post=geography.home(postcode(rng)),
        )
        if sex == "2" and rng.random() < 0.03 and child.age_on(w.end) >= 15:
            child.mother = True
            child.child_dob = w.end - timedelta(days=rng.randint(30, 700))
        previous_plans = 1 if rng.random() < 0.14 else 0  # plans before the simulated history
        day = first
        while day <= w.end and day < child.eighteenth:
            ref = self._referral(child, day, previous_plans)
            previous_plans += len(ref.cpps)
            child.referrals.append(ref)
            if ref.closure is None:
                break
            nxt = self._next_referral(ref)
            if nxt is None:
                break
            day = nxt
        return child

    def _next_referral(self, ref: Referral) -> date | None:
        rng = self.rng
        assert ref.closure is not None
        u = rng.random()
        if u < P.REREFERRAL_12M_SHARE * REREFERRAL_BOOST:
            if rng.random() < P.REREFERRAL_EXACT_12M_SHARE / P.REREFERRAL_12M_SHARE:
                exact = birthday(ref.date, 1)
                if exact > ref.closure:
                    return exact
            latest = ref.date + timedelta(days=364)
            earliest = ref.closure + timedelta(days=7)
            if earliest <= latest:
                return earliest + timedelta(days=rng.randrange((latest - earliest).days + 1))
            return None
        if u < P.REREFERRAL_12M_SHARE * REREFERRAL_BOOST + P.LATE_REREFERRAL_SHARE:
            start = max(ref.date + timedelta(days=366), ref.closure + timedelta(days=7))
            return start + timedelta(days=rng.randint(0, 900))
        return None

    def _referral(self, child: Child, day: date, previous_plans: int) -> Referral:
        rng, w = self.rng, self.window
        contact = day - timedelta(days=rng.choice((0, 0, 0, 1, 2, 3)))
        ref = Referral(
            date=day,
            contact=contact,
            source=pick(rng, P.REFERRAL_SOURCE_WEIGHTS),
            nfa=rng.random() < P.REFERRAL_NFA_SHARE,
            team=f"Locality {1 + child.index % 4} Team",
        )
        eighteen = child.eighteenth
        if ref.nfa:
            # No assessment, so not RC8/RC9, "closed after assessment" (DfE 8825Q)
            ref.closure, ref.reason = day, "RC7"
            if rng.random() < 0.3:
                self._family_plan(child, day)
            return ref
        # Assessment
        a_start = day + timedelta(days=rng.choice((0, 0, 1, 2, 3, 5)))
        if rng.random() < P.ASSESSMENT_WITHIN_45WD_SHARE:
            wd = int(rng.triangular(5, 45, 28))
        else:
            wd = rng.randint(46, 110)
        authorised = self._by_year_end(a_start, add_working_days(a_start, wd), 56, 7)
        factors = self._factors(child, day)
        ref.assessments.append(Assessment(a_start, authorised, factors))
        ref.primary_need = pick(rng, P.PRIMARY_NEED_WEIGHTS)
        if "16A" in factors or "17A" in factors or "18C" in factors or "19C" in factors:
            ref.primary_need = "N1"
        self._screening(child, day, factors)
        ends: list[date] = [authorised]
        # Section 47, conference, plan
        abuse = any(f in factors for f in ("16A", "17A", "18B", "18C", "19B", "19C"))
        s47_p = P.S47_SHARE_OF_ASSESSED * (1.6 if abuse else 0.7)
        cpp: CPPlan | None = None
        if rng.random() < s47_p:
            # the enquiry runs alongside the assessment, never ahead of it (DfE 2991Q)
            s_start = max(day + timedelta(days=rng.randint(0, 10)), a_start)
            target = add_working_days(s_start, 15)
            icpc: date | None = None
            if rng.random() < P.ICPC_SHARE_OF_S47:
                if rng.random() < P.ICPC_WITHIN_15WD_SHARE:
                    icpc = add_working_days(s_start, rng.randint(6, 15))
                else:
                    icpc = add_working_days(s_start, rng.randint(16, 45))
                icpc = self._by_year_end(s_start, icpc, 16, 3)
            concluded = None if icpc else self._by_year_end(s_start, target, 16)
            ref.s47s.append(Section47(s_start, target, icpc, concluded))
            authorised = self._authorised_with_s47(ref, icpc or concluded or target)
            ends[0] = authorised
            ends.append(target if icpc is None else icpc)  # DfE 8565 and 8868 at closure
            if icpc is not None:
                self._conference(child, icpc, "initial")
                if rng.random() < P.CPP_SHARE_OF_ICPC and icpc < eighteen:
                    cpp = self._cpp(child, icpc, previous_plans, factors)
                    ref.cpps.append(cpp)
                    ends.append(cpp.end or w.end + DAY)
        if cpp is None and rng.random() < P.ASSESSMENT_NOT_IN_NEED_SHARE:
            ref.closure = max([authorised + timedelta(days=rng.randint(0, 5)), *ends])
            if not ref.s47s:  # closed in the census year the assessment is (DfE 8825Q)
                ref.closure = min(ref.closure, census_year_end(authorised))
            ref.early_help = rng.random() < P.NOT_IN_NEED_TO_EARLY_HELP_SHARE
            ref.reason = "RC9" if ref.early_help else "RC8"
            if ref.s47s:  # DfE 2990: no Section 47 on a case closed after assessment
                ref.reason = "RC7"
            if ref.early_help:
                self._family_plan(child, ref.closure)
            return self._censor(ref)
        # Child in need: plan, perhaps care
        episode_end = authorised + timedelta(days=pick_band(rng, P.CIN_EPISODE_DURATION_BANDS))
        if cpp is None:
            plan_start = authorised + timedelta(days=rng.randint(0, 14))
            ref.cin_plans.append((plan_start, None))
        elif cpp.end is not None and rng.random() < 0.6:
            ref.cin_plans.append((cpp.end, None))
            episode_end = max(episode_end, cpp.end + timedelta(days=rng.randint(60, 300)))
        enter_p = P.CLA_ENTRY_SHARE_OF_ASSESSED
        enter_p *= 4.0 if cpp is not None else 0.55
        if rng.random() < enter_p:
            base = cpp.start if cpp is not None else authorised
            care_start = base + timedelta(days=rng.randint(0, 200 if cpp else 60))
            if care_start < eighteen:
                period = self._care(child, care_start, ref.primary_need)
                child.care.append(period)
                if cpp is not None and (cpp.end is None or cpp.end > care_start):
                    new_end = care_start + timedelta(days=rng.randint(0, 40))
                    # never later than planned: a CIN plan may follow it (DfE 4016)
                    cpp.end = new_end if cpp.end is None else min(cpp.end, new_end)
                    cpp.reviews = [r for r in cpp.reviews if r < cpp.end]
                episode_end = max(episode_end, period.end or w.end + DAY)
        episode_end = max([episode_end, *ends]) + timedelta(days=rng.randint(0, 20))
        reason = pick(rng, P.CLOSURE_REASON_WEIGHTS)
        if episode_end >= eighteen:
            # at 18, or once the work under way then is done (DfE 8565)
            episode_end = max([eighteen, *ends])
            reason = rng.choice(("RC6", "RC7", "RC7"))
        ref.closure, ref.reason = episode_end, reason
        ref.cin_plans = [(s, ref.closure) for s, _ in ref.cin_plans if s < ref.closure]
        if rng.random() < P.NOT_CLA_MISSING_SHARE * (3.0 if child.age_on(day) >= 10 else 0.1):
            self._missing_run(child, day, min(ref.closure, day + timedelta(days=300)), False)
        if 5 <= child.age_on(day) <= 15 and rng.random() < P.CME_SHARE * 3:
            self._cme(child, day)
        self._oversight(child, ref)
        return self._censor(ref)

    def _censor(self, ref: Referral) -> Referral:
        """Nothing happens after the window end: those dates become "not yet"."""
        end = self.window.end
        if ref.closure is not None and ref.closure > end:
            ref.closure, ref.reason = None, None
        ref.cin_plans = [(s, e if e is not None and e <= end else None) for s, e in ref.cin_plans]
        for a in ref.assessments:
            # "21 No factors identified" only where no further action follows: the episode
            # closes after assessment (RC8, RC9) in the census year the assessment is
            # returned in (DfE 8873Q); where work goes on, the factor is "20 Other".
            closed_after = (
                ref.closure is not None
                and ref.reason in ("RC8", "RC9")
                and a.authorised is not None
                and census_year_end(ref.closure) == census_year_end(a.authorised)
            )
            if a.factors == ("21",) and not closed_after:
                a.factors = ("20",)
        return ref

    def _by_year_end(self, start: date, when: date, days: int, slack: int = 0) -> date:
        """``when`` (an assessment authorised, a conference held, an enquiry concluded)
        still to come at a census date only for work begun within ``days`` calendar days of
        it; work begun earlier is done by then, up to ``slack`` days before the year end.
        The DfE's queries allow an assessment open at 31 March 45 working days (8670Q: 56
        calendar days hold at most 40) and a section 47 awaiting its conference or decision
        15 (8675Q: 16 calendar days hold at most 12); data-to-insight counts 44 and 14."""
        year_end = census_year_end(start)
        if when > year_end and (year_end - start).days > days:
            back = self.rng.randint(0, slack) if slack else 0
            return weekday_on_or_before(year_end - timedelta(days=back))
        return when

    def _authorised_with_s47(self, ref: Referral, s47_end: date) -> date:
        """The assessment is not authorised in a census year before the one its section 47
        ends in (conference, or concluded with none), or the later return would show the enquiry
        with no assessment (DfE 2991Q): it is authorised in the first days of the next."""
        a = ref.assessments[0]
        assert a.authorised is not None
        year_end = census_year_end(a.authorised)
        if s47_end > year_end and (year_end - a.start).days <= 56:
            a.authorised = add_working_days(year_end, self.rng.randint(1, 5))
        return a.authorised

    def _factors(self, child: Child, day: date) -> tuple[str, ...]:
        rng = self.rng
        age = child.age_on(day)
        chosen = []
        for code, prevalence in P.ASSESSMENT_FACTOR_PREVALENCE:
            p = prevalence
            if code in ("11A", "24A", "13A", "10A", "15A", "1A", "2A", "4A"):
                p = prevalence * (2.2 if age >= 11 else 0.05)
            if code == "22A" and child.sex != "2":
                p = 0.0
            if rng.random() < p:
                chosen.append(code)
        if not chosen:
            chosen.append("21" if rng.random() < 0.4 else "20")
        return tuple(chosen)

    def _cpp(self, child: Child, start: date, previous: int, factors: tuple[str, ...]) -> CPPlan:
        rng = self.rng
        if previous == 0 and rng.random() < 0.08:
            previous = 1
        category = pick(rng, P.CPP_CATEGORY_WEIGHTS)
        if "16A" in factors and rng.random() < 0.3:
            category = "NEG"
        days = pick_band(rng, P.CPP_DURATION_BANDS)
        end: date | None = min(start + timedelta(days=days), child.eighteenth)
        latest, latest_from = category, start
        if rng.random() < P.CPP_CATEGORY_CHANGE_SHARE and days > 120:
            latest = rng.choice([c for c, _ in P.CPP_CATEGORY_WEIGHTS if c != category])
            latest_from = start + timedelta(days=rng.randint(90, days - 10))
        reviews = []
        review = start + timedelta(days=rng.randint(60, 91))
        while end is None or review < end:
            reviews.append(review)
            self._conference(child, review, "review")
            review += timedelta(days=rng.randint(150, 182))
            if review > self.window.end:
                break
        return CPPlan(start, end, category, latest, latest_from, previous, reviews)

    def _care(self, child: Child, start: date, need: str | None) -> CarePeriod:
        rng, w = self.rng, self.window
        age = child.age_on(start)
        # a child is UASC from the first period of care, not from a later one: a UASC year
        # has no distance (DfE 406), so one beginning mid-care would break 453 and 503G
        uasc = age >= 14 and rng.random() < P.UASC_SHARE_OF_CLA * 3.5 and not child.care
        days = pick_band(rng, P.CLA_DURATION_BANDS)
        end: date | None = start + timedelta(days=days)
        eighteen = child.eighteenth
        if uasc or (end is not None and end >= eighteen):
            end = eighteen
            reason = pick(rng, P.CLA_END_REASON_18_WEIGHTS)
        else:
            reason = pick(rng, P.CLA_END_REASON_WEIGHTS)
            if reason in ("E11", "E12") and age > 8:
                reason = "E4A"
        legal = "V2" if uasc else pick(rng, P.CLA_LEGAL_STATUS_WEIGHTS)
        if legal in ("J1", "J2", "J3") and age < 10:
            legal = "C1"  # DfE rule 358: no youth justice legal status under 10
        cin = (
            "N8"
            if uasc
            else (need if need in ("N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8") else "N1")
        )
        volatility = rng.choice((0.3, 0.5, 1.0, 1.0, 1.5, 3.5))
        placements: list[Placement] = []
        current = start
        rne = "S"
        stop = min(end, w.end + DAY) if end is not None else w.end + DAY
        legal_change: date | None = None
        if legal in ("C1", "L1", "L2", "J1") and days > 40:
            legal_change = start + timedelta(days=rng.randint(10, 300))
        if legal in SHORT_ORDERS:  # DfE rules 361, 362, 364: police protection, EPO, PACE
            legal_change = start + timedelta(days=SHORT_ORDERS[legal])
        while True:
            gap = int(rng.expovariate(P.PLACEMENT_MOVES_PER_YEAR * volatility / 365.0)) + 1
            move = current + timedelta(days=gap)
            next_rne = "P"
            if legal_change is not None and legal_change <= move:
                if legal_change > current:
                    move, next_rne = legal_change, "L"
                legal_change = None
            place = self._placement_type(child, current, uasc, legal)
            provider = _provider(rng, place)
            drawn = postcode(rng)
            urn = _urn(rng, place, provider)
            placement = Placement(
                start=current,
                end=None,
                rne=rne,
                legal_status=legal,
                place=place,
                provider=provider,
                # a placement with a provider is at its setting (DfE 221, 229, 1015)
                pl_post=geography.setting(urn)
                if place in geography.POOL
                else geography.placement(drawn, place, provider),
                urn=urn,
            )
            if placements and rne == "L":
                prev = placements[-1]
                placement.place, placement.provider = prev.place, prev.provider
                placement.pl_post, placement.urn = prev.pl_post, prev.urn
            placements.append(placement)
            if move >= stop:
                break
            placement.end, placement.rec = move, "X1"
            if next_rne == "P":
                placement.change_reason = pick(rng, P.PLACE_CHANGE_REASON_WEIGHTS)
            else:  # not section 20 when placed with parents (DfE rule 378)
                legal = "C2" if legal in ("C1", "L1", "L2") or place == "P1" else "V2"
            current, rne = move, next_rne
        last = placements[-1]
        if end is not None and end <= w.end:
            reason = _ending(reason, last)
            if reason in ("E11", "E12") and last.place not in ADOPTION_PLACEMENTS:
                last = _placed_for_adoption(placements, end)
            last.end, last.rec = end, reason
        else:
            end = None
        period = CarePeriod(
            start=start,
            end=end,
            reason_ended=reason if end is not None else "",
            need=cin,
            uasc=uasc,
            placements=placements,
            reviews=self._reviews(start, end),
            iha_request=add_working_days(start, rng.randint(1, 8)),
            iha_completed=self._iha(start, end),
        )
        self._care_missing(child, period)
        return period

    def _placement_type(self, child: Child, day: date, uasc: bool, legal: str) -> str:
        """A placement the DfE's rules allow for the child's age and legal status: H5 from
        16 (rule 371), no P2 (217t), a school from 4 (373), not placed with parents under
        section 20 (378); placements for adoption only at the end of care, where
        ``_placed_for_adoption`` sets them."""
        age = child.age_on(day)
        # supported accommodation has an Ofsted URN only from 2023-24 (rule 230), so an H5
        # placement begun before then and open across 31 March 2023 would break 503F
        h5 = "H5" if day >= REGISTERED_SUPPORTED else "U6"
        if uasc and age < 16:
            return "U6"
        if uasc or (age >= 16 and self.rng.random() < 0.45):
            return h5
        place = pick(self.rng, P.PLACEMENT_WEIGHTS)
        if place in ("H5", "P2"):
            return h5 if age >= 16 else "U6"
        if place in ("A5", "A6") or (place == "S1" and age < 4) or (place, legal) == ("P1", "V2"):
            return "U4"
        return place

    def _reviews(self, start: date, end: date | None) -> list[tuple[date, str]]:
        rng = self.rng
        out = []
        review = add_working_days(start, rng.randint(10, 20))
        gap = 90
        stop = end if end is not None else self.window.end
        while review <= stop:
            out.append((review, pick(rng, P.REVIEW_CODE_WEIGHTS)))
            review += timedelta(days=rng.randint(gap - 20, gap + 5))
            gap = 182
        return out

    def _iha(self, start: date, end: date | None) -> date | None:
        rng = self.rng
        if rng.random() < P.IHA_NOT_DONE_SHARE or (end is not None and (end - start).days < 10):
            return None
        if rng.random() < P.IHA_IN_TIME_SHARE:
            done = add_working_days(start, rng.randint(8, 20))
        else:
            done = add_working_days(start, rng.randint(21, 70))
        return done if done <= self.window.end else None

    def _care_missing(self, child: Child, period: CarePeriod) -> None:
        """Missing incidents per collection year of care, by age (older children go missing)."""
        rng = self.rng
        end = period.end or self.window.end
        year = period.start.year + (1 if period.start.month >= 4 else 0)
        while True:
            ys, ye = year_bounds(year)
            if ys > end:
                return
            lo, hi = max(ys, period.start), min(ye, end)
            age = child.age_on(lo)
            base = 0.006 if age < 10 else (0.28 if age < 16 else 0.45)
            share = ((hi - lo).days + 1) / 365.0
            if hi >= lo and rng.random() < base * share:
                self._missing_run(child, lo, hi, True)
            year += 1

    def _missing_run(self, child: Child, lo: date, hi: date, looked_after: bool) -> None:
        rng = self.rng
        if rng.random() > P.MISSING_MORE_THAN_ONCE_SHARE:
            n = 1
        else:
            n = 2 + int(rng.expovariate(1.0 / (P.MISSING_MEAN_INCIDENTS_IF_REPEAT - 2)))
        span = max((hi - lo).days, 1)
        starts = sorted(rng.randrange(span) for _ in range(n))
        last_end: datetime | None = None
        for i, offset in enumerate(starts):
            start = datetime.combine(lo + timedelta(days=offset), time(rng.randint(0, 23)))
            if last_end is not None and start <= last_end:
                start = last_end + timedelta(hours=rng.randint(6, 48))
            u = rng.random()
            hours = rng.randint(2, 23) if u < 0.7 else rng.randint(24, 48 if u < 0.9 else 300)
            end: datetime | None = start + timedelta(hours=hours)
            if i == n - 1 and rng.random() < P.MISSING_OPEN_SHARE * 4:
                end = None
            if end is not None and end.date() > self.window.end:
                end = None
            if start.date() > self.window.end or start.date() >= child.eighteenth:
                return  # a young person of 18 is no longer a missing child
            kind = "A" if looked_after and rng.random() < P.AWAY_SHARE else "M"
            episode = Missing(kind, start, end, looked_after)
            if kind == "M" and end is not None:
                self._rhi(episode, end)
            child.missing.append(episode)
            last_end = end if end is not None else start
            if end is None:
                return

    def _rhi(self, episode: Missing, returned: datetime) -> None:
        rng = self.rng
        if rng.random() < P.RHI_IN_TIME_SHARE:
            offered = returned + timedelta(hours=rng.randint(4, 71))
        else:
            offered = returned + timedelta(hours=rng.randint(73, 240))
        if offered.date() > self.window.end:
            return
        episode.rhi_offered = offered
        episode.rhi_accepted = rng.random() < P.RHI_ACCEPTED_SHARE
        if episode.rhi_accepted:
            done = offered + timedelta(hours=rng.randint(0, 48))
            if done.date() <= self.window.end:
                episode.rhi_completed = done

    def _screening(self, child: Child, day: date, factors: tuple[str, ...]) -> None:
        rng = self.rng
        flagged = EXPLOITATION_FACTORS.intersection(factors)
        if day >= child.eighteenth:
            return
        if not flagged and (child.age_on(day) < 10 or rng.random() > 0.12):
            return
        if flagged:
            cse, cce = "11A" in flagged, bool(flagged & {"24A", "13A"})
            kind = "both" if cse and cce else ("CSE" if cse else ("CCE" if cce else "other"))
            risk = rng.choice(("medium", "medium", "high", "high", "low"))
        else:
            kind = rng.choice(("CSE", "CCE", "other"))
            risk = rng.choice(("none", "none", "none", "low", "low", "medium"))
        tool = rng.choice(("cse_screening_tool", "exploitation_toolkit", "cce_risk_assessment"))
        agency = rng.choice(("council", "council", "police", "health", "schools"))
        child.screenings.append(Screening(day, tool, risk, kind, True, agency))
        if flagged and rng.random() < 0.5:
            later = day + timedelta(days=rng.randint(60, 240))
            if later <= self.window.end and later < child.eighteenth:
                risk = rng.choice(("none", "low", "medium", "high"))
                child.screenings.append(Screening(later, tool, risk, kind, False, agency))

    def _family_plan(self, child: Child, day: date) -> None:
        rng = self.rng
        start = day + timedelta(days=rng.randint(5, 30))
        if start > self.window.end or start >= child.eighteenth:
            return
        plan_id = self.next_id("FP")
        outcomes: list[tuple[str, date, date | None, str]] = []
        for k in range(rng.randint(1, 4)):
            review = start + timedelta(days=rng.randint(60, 180))
            u = rng.random()
            achieved = (
                "Y"
                if u < P.FAMILY_OUTCOME_ACHIEVED
                else ("partly" if u < P.FAMILY_OUTCOME_ACHIEVED + P.FAMILY_OUTCOME_PARTLY else "N")
            )
            if review > self.window.end:
                outcomes.append((f"{plan_id}-O{k + 1}", start, None, ""))
            else:
                outcomes.append((f"{plan_id}-O{k + 1}", start, review, achieved))
        child.family_plans.append(FamilyPlan(plan_id, start, outcomes))

    def _conference(self, child: Child, day: date, kind: str) -> None:
        rng = self.rng
        if day > self.window.end:
            return
        age = child.age_on(day)
        shared = rng.random() < (P.VIEWS_SHARED_SHARE * (1.15 if age >= 8 else 0.8))
        if not shared:
            how = "not_shared"
        elif age < 5:
            how = "observation"
        else:
            how = rng.choice(("attended", "advocate", "written", "social_worker", "creative"))
        child.conferences.append(Conference(self.next_id("CF"), day, kind, shared, how))

    def _cme(self, child: Child, day: date) -> None:
        rng = self.rng
        start = day + timedelta(days=rng.randint(-30, 60))
        if start > self.window.end:
            return
        end: date | None = start + timedelta(days=rng.randint(5, 150))
        if end is not None and end > self.window.end:
            end = None
        reason = rng.choice(
            (
                "not_registered",
                "moved_away",
                "excluded",
                "left_school",
                "elective_home_education",
                "whereabouts_unknown",
                "other",
            )
        )
        child.cme.append(MissingEducation(self.next_id("CME"), start, end, reason))

    def _oversight(self, child: Child, ref: Referral) -> None:
        """Case audits and professional challenges, at a rate per year the case is open."""
        rng = self.rng
        end = ref.closure or self.window.end
        open_years = max((end - ref.date).days, 1) / 365.0
        agencies = ("council", "health", "police", "schools", "voluntary")
        if rng.random() < min(P.AUDIT_SHARE_PER_YEAR * open_years * 3, 0.9):
            when = ref.date + timedelta(days=rng.randrange(max((end - ref.date).days, 1)))
            if when <= self.window.end:
                evident = rng.random() < P.LIVED_EXPERIENCE_EVIDENT_SHARE
                grade = rng.choice(
                    ("good", "good", "requires_improvement", "outstanding", "inadequate")
                    if evident
                    else ("requires_improvement", "requires_improvement", "inadequate", "good")
                )
                child.audits.append(
                    Audit(self.next_id("AU"), when, rng.choice(agencies[:4]), evident, grade)
                )
        if rng.random() < min(P.CHALLENGES_PER_100_CASES / 100 * open_years * 4, 0.5):
            raised = ref.date + timedelta(days=rng.randrange(max((end - ref.date).days, 1)))
            if raised <= self.window.end:
                raising, receiving = rng.sample(agencies, 2)
                resolved: date | None = raised + timedelta(days=rng.randint(3, 90))
                outcome = rng.choice(("agreed", "practice_changed", "no_change", "escalated"))
                if resolved is not None and resolved > self.window.end:
                    resolved, outcome = None, "open"
                stage = rng.choice(("stage_1", "stage_1", "stage_2", "stage_3", "stage_4"))
                child.challenges.append(
                    Challenge(
                        self.next_id("PC"), raised, raising, receiving, stage, resolved, outcome
                    )
                )


# Legal statuses that may last only days: police protection (L1, 72 hours, DfE rule 361), an
# emergency protection order (L2, 21 days, 362), PACE detention (J2, 364).
SHORT_ORDERS = {"L1": 3, "L2": 21, "J2": 21}
ADOPTION_PLACEMENTS = ("A3", "A4", "A5", "A6")
FOSTER_PLACEMENTS = ("U1", "U2", "U3", "U4", "U5", "U6")


def _ending(reason: str, last: Placement) -> str:
    """The reason care ended, as the last placement allows: a special guardianship order to
    former foster carers (E45, E46) only from foster care (DfE rule 516); an adoption (E11,
    E12) only from foster care, through a placement for adoption."""
    if reason in ("E45", "E46") and last.place not in FOSTER_PLACEMENTS:
        return {"E45": "E47", "E46": "E48"}[reason]
    if reason in ("E11", "E12") and last.place not in (*FOSTER_PLACEMENTS, *ADOPTION_PLACEMENTS):
        return "E4A"
    return reason


def _placed_for_adoption(placements: list[Placement], end: date) -> Placement:
    """Placed for adoption (A4) from foster care halfway through the last placement, so the
    adoption follows a placement for adoption (DfE rules 390, 336)."""
    last = placements[-1]
    move = last.start + timedelta(days=max(1, (end - last.start).days // 2))
    last.end, last.rec, last.change_reason = move, "X1", "CARPL"
    adoption = Placement(move, None, "P", last.legal_status, "A4", "PR1", last.pl_post, "XXXXXXX")
    placements.append(adoption)
    return adoption


REGISTERED_SUPPORTED = date(2023, 4, 1)
"""Supported accommodation (H5) is Ofsted-registered, with a URN, from the 2023-24 year."""


def _urn(rng: random.Random, place: str, provider: str) -> str:
    """The placement's Ofsted URN as the DfE's rules want it in every year: a registered
    provider's own for homes, supported accommodation (H5, from October 2023: rule 230) and
    schools (218), one of the fictional world's (`geography.urn`, so that each URN is one
    provider with one setting, 219-229); XXXXXXX for foster and adoption placements, the
    only ones it may stand for (242, 2025-26 on); none where no URN is recorded (222: placed
    with parents, other residential settings, Z1)."""
    if place in geography.POOL:
        return geography.urn(place, provider, rng.randint(100000, 999999))
    if place in (*FOSTER_PLACEMENTS, *ADOPTION_PLACEMENTS):
        return "XXXXXXX"
    return ""


def _provider(rng: random.Random, place: str) -> str:
    if place == "Z1":
        return ""  # no placement provider for Z1 (DfE rules 178, 550)
    if place in ("P1", "P2"):
        return "PR0"
    if place in ("U1", "U2", "U3"):
        return "PR1"
    if place in ("A5", "A6"):
        return rng.choice(("PR1", "PR3"))
    return rng.choice(("PR1", "PR1", "PR4", "PR4", "PR4", "PR5"))


def simulate(index: int, seed: int, window: Window) -> Child:
    """The child with this index, the same every time for the same seed and window."""
    return Journey(index, seed, window).build()
