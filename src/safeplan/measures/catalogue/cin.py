"""Measures from the CIN census: referrals, assessments, section 47s and child protection."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from safeplan.measures.catalogue._common import (
    CCE_FACTOR,
    CIN_PUBLICATION,
    CSE_FACTOR,
    DOMESTIC_ABUSE,
    NEGLECT_FACTOR,
    during,
    flag,
    open_at_end,
    per_child,
    units,
    with_working_days,
)
from safeplan.measures.data import Source
from safeplan.measures.model import Follows, Measure
from safeplan.vocabulary import AgencyKind, Direction, Unit


def _episodes(src: Source) -> ir.Table | None:
    return src.latest("ssd_cin_episodes") if src.has("ssd_cin_episodes") else None


def _plans(src: Source) -> ir.Table | None:
    if not src.has("ssd_cp_plans"):
        return None
    return src.latest("ssd_cp_plans")


def _assessments(src: Source) -> ir.Table | None:
    if not src.has("ssd_cin_assessments"):
        return None
    return src.latest("ssd_cin_assessments")


def _factors(src: Source) -> ir.Table | None:
    """Assessment factors with the assessment's dates (factors belong to one assessment)."""
    a = _assessments(src)
    if a is None or not src.has("ssd_assessment_factors"):
        return None
    f = src.table("ssd_assessment_factors")
    j = f.join(a, f.parent_id == a.record_id)
    return j.select(
        person_id=a.person_id,
        assessment=a.record_id,
        episode=a.parent_id,
        start=a.assessmentactualstartdate,
        authorised=a.assessmentauthorisationdate,
        factor=f.assessmentfactors,
    )


def _episode_keys(src: Source, t: ir.Table, parent: str = "parent_id") -> ir.Table:
    """`t` (rows belonging to a CIN episode) with `_ep_person` and `_ep_referral`, the natural
    key of their episode. Episodes are matched by key, not record id: the latest version of
    an episode can come from a later census than its plans and assessments (a plan that
    ended in 2023-24 is only in the 2024 census, though its episode is in the 2025 one), and
    each census gives the episode a new record id."""
    e = src.table("ssd_cin_episodes")
    keys = e.select(_ep_record=e.record_id, _ep_person=e.person_id, _ep_referral=e.cinreferraldate)
    return t.join(keys, t[parent] == keys._ep_record).drop("_ep_record")


# --- child protection ----------------------------------------------------------------------


def cpp_neglect_units(src: Source, periods: ir.Table) -> ir.Table | None:
    p = _plans(src)
    if p is None:
        return None
    p = p.filter(p.initialcategoryofabuse == "NEG")
    o = open_at_end(p, p.cppstartdate, p.cppenddate, periods)
    g = per_child(o)
    return units(g, person=g.person_id, ref_date=g.ref_date, num=g.num)


def cpp_18m_units(src: Source, periods: ir.Table) -> ir.Table | None:
    p = _plans(src)
    if p is None:
        return None
    o = open_at_end(p, p.cppstartdate, p.cppenddate, periods)
    long = o.cppstartdate <= o.p_end.cast("date") - ibis.interval(months=18)
    return units(o, person=o.person_id, ref_date=o.p_end, num=flag(long), den=ibis.literal(1))


def cpp_second_units(src: Source, periods: ir.Table) -> ir.Table | None:
    p = _plans(src)
    if p is None:
        return None
    started = during(p, p.cppstartdate, periods)
    second = started.numberofpreviouscpp.fill_null(0) > 0
    return units(
        started,
        person=started.person_id,
        ref_date=started.cppstartdate,
        num=flag(second),
        den=ibis.literal(1),
    )


# --- referrals --------------------------------------------------------------------------------


def _rereferrals(src: Source, periods: ir.Table, after_assessment: bool) -> ir.Table | None:
    e = _episodes(src)
    if e is None:
        return None
    prev = e.select(person_id=e.person_id, prev_date=e.cinreferraldate)
    if after_assessment:
        a = _assessments(src)
        if a is None:
            return None
        assessed = _episode_keys(src, a).select("_ep_person", "_ep_referral").distinct()
        prev = prev.join(
            assessed,
            [prev.person_id == assessed._ep_person, prev.prev_date == assessed._ep_referral],
        ).drop("_ep_person", "_ep_referral")
    current = during(e, e.cinreferraldate, periods)
    window_start = current.cinreferraldate - ibis.interval(months=12)
    j = current.left_join(
        prev,
        [
            current.person_id == prev.person_id,
            prev.prev_date < current.cinreferraldate,
            prev.prev_date >= window_start,
        ],
    )
    g = j.group_by(["period", "person_id", "cinreferraldate"]).aggregate(
        repeat=j.prev_date.count() > 0
    )
    return units(
        g, person=g.person_id, ref_date=g.cinreferraldate, num=flag(g.repeat), den=ibis.literal(1)
    )


def rereferrals_units(src: Source, periods: ir.Table) -> ir.Table | None:
    return _rereferrals(src, periods, after_assessment=False)


def rereferrals_after_assessment_units(src: Source, periods: ir.Table) -> ir.Table | None:
    return _rereferrals(src, periods, after_assessment=True)


def quality_referrals_units(src: Source, periods: ir.Table) -> ir.Table | None:
    e = _episodes(src)
    if e is None:
        return None
    r = during(e, e.cinreferraldate, periods)
    return units(
        r,
        person=r.person_id,
        ref_date=r.cinreferraldate,
        num=flag(~r.referralnfa),
        den=ibis.literal(1),
    )


def cin_rate_units(src: Source, periods: ir.Table) -> ir.Table | None:
    e = _episodes(src)
    if e is None:
        return None
    e = e.filter(~e.referralnfa)
    o = open_at_end(e, e.cinreferraldate, e.cinclosuredate, periods)
    g = per_child(o)
    return units(g, person=g.person_id, ref_date=g.ref_date, num=g.num)


# --- assessments and conferences ------------------------------------------------------------


def assessments_45wd_units(src: Source, periods: ir.Table) -> ir.Table | None:
    a = _assessments(src)
    if a is None:
        return None
    a = a.filter(a.assessmentauthorisationdate.notnull())
    done = during(a, a.assessmentauthorisationdate, periods)
    j = with_working_days(
        src, done, "assessmentactualstartdate", "assessmentauthorisationdate", periods
    )
    return units(
        j,
        person=j.person_id,
        ref_date=j.assessmentauthorisationdate,
        num=flag(j.working_days <= 45),
        den=ibis.literal(1),
    )


def icpc_15wd_units(src: Source, periods: ir.Table) -> ir.Table | None:
    if not src.has("ssd_s47_enquiry"):
        return None
    s = src.latest("ssd_s47_enquiry")
    s = s.filter(s.dateofinitialcpc.notnull())
    held = during(s, s.dateofinitialcpc, periods)
    j = with_working_days(src, held, "s47actualstartdate", "dateofinitialcpc", periods)
    return units(
        j,
        person=j.person_id,
        ref_date=j.dateofinitialcpc,
        num=flag(j.working_days <= 15),
        den=ibis.literal(1),
    )


# --- factors at assessment --------------------------------------------------------------------


def domestic_abuse_units(src: Source, periods: ir.Table) -> ir.Table | None:
    a = _assessments(src)
    f = _factors(src)
    if a is None or f is None:
        return None
    a = a.filter(a.assessmentauthorisationdate.notnull())
    da = f.filter(f.factor.isin(list(DOMESTIC_ABUSE))).select(da_assessment=f.assessment)
    da = da.distinct()
    done = during(a, a.assessmentauthorisationdate, periods)
    j = done.left_join(da, done.record_id == da.da_assessment)
    return units(
        j,
        person=j.person_id,
        ref_date=j.assessmentauthorisationdate,
        num=flag(j.da_assessment.notnull()),
        den=ibis.literal(1),
    )


def children_exploitation_units(src: Source, periods: ir.Table) -> ir.Table | None:
    parts: list[ir.Table] = []
    f = _factors(src)
    if f is not None:
        x = f.filter(f.factor.isin([CSE_FACTOR, CCE_FACTOR]))
        day = x.authorised.fill_null(x.start)
        x = x.mutate(day=day)
        parts.append(x.select("person_id", "day"))
    if src.has("sp_exploitation_screening"):
        s = src.latest("sp_exploitation_screening")
        s = s.filter(s.risk_level.isin(["medium", "high"]) & (s.exploitation_type != "other"))
        parts.append(s.select(person_id=s.person_id, day=s.screening_date))
    if not parts:
        return None
    u = parts[0] if len(parts) == 1 else parts[0].union(parts[1])
    d = during(u, u.day, periods)
    g = d.group_by(["period", "person_id"]).aggregate(ref_date=d.day.max(), num=d.count() * 0 + 1)
    return units(g, person=g.person_id, ref_date=g.ref_date, num=g.num)


def referrals_cse_risk_units(src: Source, periods: ir.Table) -> ir.Table | None:
    if not src.has("sp_exploitation_screening"):
        return None
    s = src.latest("sp_exploitation_screening")
    s = s.filter(
        s.at_referral
        & s.risk_level.isin(["medium", "high"])
        & s.exploitation_type.isin(["CSE", "both"])
    )
    d = during(s, s.screening_date, periods)
    return units(
        d, person=d.person_id, ref_date=d.screening_date, num=ibis.literal(1), agency=d.agency
    )


# --- neglect ------------------------------------------------------------------------------------


def _neglect_episodes(src: Source) -> ir.Table | None:
    """CIN episodes about neglect: a CP plan for neglect, or neglect identified at assessment."""
    e = _episodes(src)
    if e is None:
        return None
    marks: list[ir.Table] = []
    p = _plans(src)
    if p is not None:
        marks.append(_episode_keys(src, p.filter(p.initialcategoryofabuse == "NEG")))
    f = _factors(src)
    if f is not None:
        marks.append(_episode_keys(src, f.filter(f.factor == NEGLECT_FACTOR), "episode"))
    if not marks:
        return None
    keys = [t.select("_ep_person", "_ep_referral") for t in marks]
    m = keys[0] if len(keys) == 1 else keys[0].union(keys[1])
    m = m.distinct()
    j = e.join(m, [e.person_id == m._ep_person, e.cinreferraldate == m._ep_referral])
    return j.drop("_ep_person", "_ep_referral")


def neglect_duration_units(src: Source, periods: ir.Table) -> ir.Table | None:
    e = _neglect_episodes(src)
    if e is None:
        return None
    closed = during(e, e.cinclosuredate, periods)
    closed_u = units(
        closed,
        person=closed.person_id,
        ref_date=closed.cinclosuredate,
        num=closed.cinclosuredate.delta(closed.cinreferraldate, unit="day"),
        den=ibis.literal(1),
    )
    still = open_at_end(e, e.cinreferraldate, e.cinclosuredate, periods)
    open_u = units(
        still,
        person=still.person_id,
        ref_date=still.p_end,
        num=still.p_end.delta(still.cinreferraldate, unit="day"),
        den=ibis.literal(1),
    )
    return closed_u.union(open_u)


def neglect_domestic_abuse_units(src: Source, periods: ir.Table) -> ir.Table | None:
    e = _neglect_episodes(src)
    f = _factors(src)
    if e is None or f is None:
        return None
    da = _episode_keys(src, f.filter(f.factor.isin(list(DOMESTIC_ABUSE))), "episode")
    da = da.select(da_person=da._ep_person, da_referral=da._ep_referral).distinct()
    active = e.join(
        periods,
        [
            e.cinreferraldate <= periods.p_end,
            e.cinclosuredate.isnull() | (e.cinclosuredate >= periods.p_start),
        ],
    )
    j = active.left_join(
        da, [active.person_id == da.da_person, active.cinreferraldate == da.da_referral]
    )
    return units(
        j,
        person=j.person_id,
        ref_date=j.p_end,
        num=flag(j.da_person.notnull()),
        den=ibis.literal(1),
    )


MEASURES = (
    Measure(
        id="cpp_neglect",
        title="Children subject to a child protection plan for neglect",
        definition=(
            "Children with a child protection plan open on the last day of the period whose "
            "initial category of abuse is neglect (NEG)."
        ),
        numerator="Children on a CP plan at the period end with initial category neglect",
        denominator=None,
        unit=Unit.number,
        direction=Direction.reduce,
        timing="as_at_end",
        sources=("ssd_cp_plans",),
        population=(
            "Child protection plans open on the period's last day: CPPstartDate on or before it, "
            "CPPendDate after it or blank; one per child"
        ),
        exclusions=(
            (
                "Plans whose initial category of abuse is not neglect (NEG): multiple categories "
                "(MUL) are not counted as neglect"
            ),
        ),
        official=Follows(
            CIN_PUBLICATION,
            (
                "table D4: children who were the subject of a CP plan at 31 March, by initial "
                "category of abuse"
            ),
            "reporting year 2025 (2024 to 2025)",
        ),
        units=cpp_neglect_units,
        per_10k=True,
    ),
    Measure(
        id="cpp_18m_plus",
        title="Children subject to a child protection plan for 18 months or more",
        definition=(
            "Of the child protection plans open on the last day of the period, the share that had "
            "been open for 18 months or more."
        ),
        numerator="CP plans open at the period end that started 18 months or more before it",
        denominator="CP plans open at the period end",
        unit=Unit.percent,
        direction=Direction.reduce,
        timing="as_at_end",
        sources=("ssd_cp_plans",),
        population="Child protection plans open on the period's last day",
        official=Follows(
            CIN_PUBLICATION,
            "table D5: CP plans open at 31 March, by length of time",
            "reporting year 2025 (2024 to 2025)",
        ),
        differences=(
            "18 months is the seed plans' threshold; the DfE publishes bands ('1 year to less than"
            " 2 years', '2 years or more'), so no published figure is the same and none is shown "
            "beside it"
        ),
        units=cpp_18m_units,
    ),
    Measure(
        id="cpp_second_subsequent",
        title="Second or subsequent child protection plans",
        definition=(
            "Of the child protection plans that started in the period, the share for children who "
            "had had a plan before (NumberOfPreviousCPP of 1 or more)."
        ),
        numerator="CP plans starting in the period for a child with an earlier plan",
        denominator="CP plans starting in the period",
        unit=Unit.percent,
        direction=Direction.reduce,
        timing="during",
        sources=("ssd_cp_plans",),
        population="Child protection plans that started in the period (CPPstartDate in it)",
        official=Follows(
            CIN_PUBLICATION,
            (
                "table D3: CP plans starting during the year which were second or subsequent plans"
                " (NumberOfPreviousCPP 1 or more)"
            ),
            "reporting year 2025 (2024 to 2025)",
        ),
        units=cpp_second_units,
    ),
    Measure(
        id="rereferrals_12m",
        title="Repeat referrals within 12 months",
        definition=(
            "Of the referrals in the period, the share made within 12 months of a previous "
            "referral of the same child (a referral exactly 12 months later counts as within)."
        ),
        numerator="Referrals in the period with a previous referral in the 12 months before",
        denominator="Referrals in the period",
        unit=Unit.percent,
        direction=Direction.reduce,
        timing="during",
        sources=("ssd_cin_episodes",),
        population=(
            "Referrals in the period (CINreferralDate in it), those closed with no further action "
            "included"
        ),
        official=Follows(
            CIN_PUBLICATION,
            "table C1: referrals within 12 months of a previous referral of the same child",
            "reporting year 2025 (2024 to 2025)",
        ),
        units=rereferrals_units,
    ),
    Measure(
        id="rereferrals_after_assessment",
        title="Repeat referrals following a single assessment",
        definition=(
            "Of the referrals in the period, the share made within 12 months of a previous "
            "referral of the same child that had led to an assessment."
        ),
        numerator=(
            "Referrals in the period within 12 months of a previous referral that led to an "
            "assessment"
        ),
        denominator="Referrals in the period",
        unit=Unit.percent,
        direction=Direction.reduce,
        timing="during",
        sources=("ssd_cin_episodes", "ssd_cin_assessments"),
        population="Referrals in the period (CINreferralDate in it)",
        official=Follows(
            "SafePlan",
            "local definition, on the DfE's re-referral rule (Children in need, table C1)",
            local=True,
        ),
        differences=(
            "Local: the DfE publishes no re-referral rate restricted to previous referrals that "
            "led to an assessment"
        ),
        units=rereferrals_after_assessment_units,
    ),
    Measure(
        id="quality_referrals",
        title="Partner referrals leading to further action",
        definition=(
            "Of the referrals in the period, the share that led to further action (not closed with"
            " no further action)."
        ),
        numerator="Referrals in the period not marked ReferralNFA",
        denominator="Referrals in the period",
        unit=Unit.percent,
        direction=Direction.increase,
        timing="during",
        sources=("ssd_cin_episodes",),
        population="Referrals in the period (CINreferralDate in it)",
        official=Follows(
            "SafePlan",
            (
                "local definition: the inverse of the DfE's referrals with no further action (CIN "
                "census ReferralNFA, N00112)"
            ),
            local=True,
        ),
        differences=(
            "Local: the plans ask for 'appropriate' partner referrals; SafePlan takes referrals "
            "that led to further action"
        ),
        units=quality_referrals_units,
    ),
    Measure(
        id="cin_rate",
        title="Children in need per 10,000 children",
        definition=(
            "Children with a CIN episode open on the last day of the period (referrals closed "
            "with no further action excluded) per 10,000 children aged 0 to 17 in the area."
        ),
        numerator="Children in need at the period end",
        denominator="Children aged 0 to 17 (ONS mid-year population estimate)",
        unit=Unit.per_10k,
        direction=Direction.track,
        timing="as_at_end",
        sources=("ssd_cin_episodes",),
        population=(
            "Children with a CIN episode open on the period's last day (referral on or before it; "
            "closure after it or none), per 10,000 children aged 0 to 17 (ONS mid-year estimate)"
        ),
        exclusions=("Referrals closed with no further action (ReferralNFA true)",),
        official=Follows(
            CIN_PUBLICATION,
            "table B1: children in need at 31 March, rate per 10,000 children aged under 18",
            "reporting year 2025 (2024 to 2025)",
        ),
        units=cin_rate_units,
    ),
    Measure(
        id="assessments_45wd",
        title="Assessments completed within 45 working days",
        definition=(
            "Of the assessments completed (authorised) in the period, the share authorised within "
            "45 working days of their start; working days exclude weekends and England and Wales "
            "bank holidays."
        ),
        numerator="Assessments completed in the period within 45 working days",
        denominator="Assessments completed in the period",
        unit=Unit.percent,
        direction=Direction.increase,
        timing="during",
        sources=("ssd_cin_assessments",),
        population="Assessments completed (AssessmentAuthorisationDate) in the period",
        official=Follows(
            CIN_PUBLICATION,
            (
                "table C2: assessments completed in the year, by working days from start to "
                "authorisation"
            ),
            "reporting year 2025 (2024 to 2025)",
        ),
        units=assessments_45wd_units,
        settings={"working_days": 45},
    ),
    Measure(
        id="icpc_15wd",
        title="Initial child protection conferences within 15 working days",
        definition=(
            "Of the initial child protection conferences held in the period, the share held within"
            " 15 working days of the start of the section 47 enquiry."
        ),
        numerator="ICPCs in the period within 15 working days of the S47 start",
        denominator="ICPCs held in the period",
        unit=Unit.percent,
        direction=Direction.increase,
        timing="during",
        sources=("ssd_s47_enquiry",),
        population=(
            "Initial child protection conferences held in the period (DateOfInitialCPC in it)"
        ),
        official=Follows(
            CIN_PUBLICATION,
            (
                "table C4: ICPCs within 15 working days of the strategy discussion that started "
                "the section 47 enquiry"
            ),
            "reporting year 2025 (2024 to 2025)",
        ),
        units=icpc_15wd_units,
        settings={"working_days": 15},
    ),
    Measure(
        id="domestic_abuse_at_assessment",
        title="Assessments where domestic abuse is a factor",
        definition=(
            "Of the assessments completed in the period, the share where domestic abuse (factors "
            "3A, 3B or 3C) was identified."
        ),
        numerator="Assessments completed in the period with a domestic abuse factor",
        denominator="Assessments completed in the period",
        unit=Unit.percent,
        direction=Direction.track,
        timing="during",
        sources=("ssd_cin_assessments", "ssd_assessment_factors"),
        population="Assessments completed (authorised) in the period",
        official=Follows(
            CIN_PUBLICATION,
            "table C3: factors identified at the end of assessment (3A, 3B, 3C domestic abuse)",
            "reporting year 2025 (2024 to 2025)",
        ),
        differences=(
            "The DfE counts each factor's assessments; SafePlan gives the share of all assessments"
            " completed in the period, as the plans ask"
        ),
        units=domestic_abuse_units,
    ),
    Measure(
        id="children_exploitation",
        title="Children subject to exploitation (sexual or criminal)",
        definition=(
            "Children with child sexual (11A) or criminal (24A) exploitation identified at an "
            "assessment in the period, or screened at medium or high risk of exploitation in it."
        ),
        numerator="Distinct children",
        denominator=None,
        unit=Unit.number,
        direction=Direction.track,
        timing="during",
        sources=("ssd_assessment_factors", "sp_exploitation_screening"),
        population=(
            "Children with an assessment factor or a screening dated in the period; each child once"
        ),
        official=Follows(
            "SafePlan",
            (
                "local definition on CIN census factors 11A and 24A and the exploitation screening"
                " template"
            ),
            local=True,
        ),
        differences="Local: no official count combines assessment factors with partners' screening",
        units=children_exploitation_units,
    ),
    Measure(
        id="referrals_cse_risk",
        title="Referrals where CSE is a medium or high risk at referral",
        definition=(
            "Screenings at the point of referral in the period that found a medium or high risk of"
            " child sexual exploitation."
        ),
        numerator="Screenings at referral with medium or high CSE risk",
        denominator=None,
        unit=Unit.number,
        direction=Direction.track,
        timing="during",
        sources=("sp_exploitation_screening",),
        population="Exploitation screenings at the point of referral in the period",
        official=Follows("SafePlan", "exploitation screening template", local=True),
        differences="Local: the DfE collects no CSE risk level",
        units=referrals_cse_risk_units,
        owner=AgencyKind.police,
    ),
    Measure(
        id="neglect_case_duration",
        title="Average length of time a neglect case is open",
        definition=(
            "Mean days open of neglect cases (CIN episodes with a CP plan for neglect or neglect "
            "identified at assessment): episodes closed in the period (referral to closure) and "
            "episodes open at its end (referral to period end)."
        ),
        numerator="Days open, summed",
        denominator="Neglect episodes closed in or open at the end of the period",
        unit=Unit.days,
        direction=Direction.reduce,
        timing="during",
        sources=("ssd_cin_episodes", "ssd_cp_plans", "ssd_assessment_factors"),
        population=(
            "CIN episodes about neglect (a CP plan with initial category NEG, or factor 16A at "
            "assessment) closed in the period or open at its end"
        ),
        official=Follows(
            "SafePlan", "local definition on CIN census episodes, plans and factors", local=True
        ),
        differences="Local: the DfE publishes no length of neglect cases",
        units=neglect_duration_units,
    ),
    Measure(
        id="neglect_with_domestic_abuse",
        title="Neglect cases that involve domestic abuse",
        definition=(
            "Of the neglect cases open at any time in the period, the share whose assessments "
            "identified domestic abuse (factors 3A, 3B or 3C)."
        ),
        numerator="Neglect cases with a domestic abuse factor",
        denominator="Neglect cases open in the period",
        unit=Unit.percent,
        direction=Direction.reduce,
        timing="during",
        sources=("ssd_cin_episodes", "ssd_assessment_factors"),
        population="Neglect CIN episodes open at any time in the period",
        official=Follows(
            "SafePlan", "local definition on CIN census assessment factors", local=True
        ),
        differences=(
            "Local: the DfE publishes factors one by one, not neglect cases with domestic abuse"
        ),
        units=neglect_domestic_abuse_units,
    ),
)
