"""Measures from partners' data in SafePlan's templates, and the children's survey."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from safeplan.measures.catalogue._common import (
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

TEMPLATE = "SafePlan partner template"
RHI_HOURS = 72  # statutory guidance: a return home interview offered within 72 hours of return
IHA_WORKING_DAYS = 20  # statutory guidance: an IHA within 20 working days of entering care


def rhi_units(src: Source, periods: ir.Table) -> ir.Table | None:
    if not src.has("sp_missing_episodes"):
        return None
    m = src.latest("sp_missing_episodes")
    # missing episodes only: an "away" episode (whereabouts known) has no return interview
    m = m.filter(m.end_datetime.notnull() & (m.missing_type == "missing"))
    returned = during(m, m.end_datetime.date(), periods)
    limit = returned.end_datetime + ibis.interval(hours=RHI_HOURS)
    in_time = returned.rhi_completed_datetime.notnull() & (returned.rhi_completed_datetime <= limit)
    return units(
        returned,
        person=returned.person_id,
        ref_date=returned.end_datetime.date(),
        num=flag(in_time),
        den=ibis.literal(1),
        agency=returned.reported_by,
    )


def iha_units(src: Source, periods: ir.Table) -> ir.Table | None:
    if not src.has("sp_initial_health_assessments"):
        return None
    h = src.latest("sp_initial_health_assessments")
    entered = during(h, h.date_entered_care, periods)
    j = with_working_days(src, entered, "date_entered_care", "iha_completed_date", periods, "left")
    in_time = j.working_days.notnull() & (j.working_days <= IHA_WORKING_DAYS)
    return units(
        j,
        person=j.person_id,
        ref_date=j.date_entered_care,
        num=flag(in_time),
        den=ibis.literal(1),
        agency=ibis.literal("health"),
    )


def family_plan_units(src: Source, periods: ir.Table) -> ir.Table | None:
    if not src.has("sp_family_plan_outcomes"):
        return None
    f = src.latest("sp_family_plan_outcomes")
    f = f.filter(f.review_date.notnull())
    r = during(f, f.review_date, periods)
    return units(
        r,
        person=r.person_id,
        ref_date=r.review_date,
        num=flag(r.achieved == "Y"),
        den=ibis.literal(1),
    )


def voice_units(src: Source, periods: ir.Table) -> ir.Table | None:
    if not src.has("sp_cp_conference_participation"):
        return None
    c = src.latest("sp_cp_conference_participation")
    d = during(c, c.conference_date, periods)
    return units(
        d,
        person=d.person_id,
        ref_date=d.conference_date,
        num=flag(d.views_shared),
        den=ibis.literal(1),
    )


def lived_experience_units(src: Source, periods: ir.Table) -> ir.Table | None:
    if not src.has("sp_case_audits"):
        return None
    a = src.latest("sp_case_audits")
    d = during(a, a.audit_date, periods)
    return units(
        d,
        person=d.person_id,
        ref_date=d.audit_date,
        num=flag(d.lived_experience_evident),
        den=ibis.literal(1),
        agency=d.agency,
    )


def elearning_units(src: Source, periods: ir.Table) -> ir.Table | None:
    if not src.has("sp_training_uptake"):
        return None
    t = src.latest("sp_training_uptake")
    t = t.filter((t.course == "abuse_awareness_elearning") & (t.learner_group == "young_person"))
    d = during(t, t.completion_date, periods)
    return units(
        d, person=d.person_id, ref_date=d.completion_date, num=ibis.literal(1), agency=d.agency
    )


def challenges_units(src: Source, periods: ir.Table) -> ir.Table | None:
    if not src.has("sp_professional_challenges"):
        return None
    c = src.latest("sp_professional_challenges")
    d = during(c, c.raised_date, periods)
    return units(
        d, person=d.person_id, ref_date=d.raised_date, num=ibis.literal(1), agency=d.raising_agency
    )


def cme_units(src: Source, periods: ir.Table) -> ir.Table | None:
    if not src.has("sp_children_missing_education"):
        return None
    c = src.latest("sp_children_missing_education")
    o = open_at_end(c, c.start_date, c.end_date, periods)
    g = per_child(o)
    return units(g, person=g.person_id, ref_date=g.ref_date, num=g.num)


def survey_units(src: Source, periods: ir.Table) -> ir.Table | None:
    """From the children's survey (its answers are stored by the web app). Answers are
    anonymous: the age band is the one the child chose, where the store has it."""
    if not src.has("sp_survey_answers"):
        return None
    s = src.table("sp_survey_answers")
    s = s.filter(s.question == "confident_to_contact_adult")
    d = during(s, s.answered_on, periods)
    answers = units(
        d,
        person=ibis.null().cast("string"),  # answers are anonymous
        ref_date=d.answered_on,
        num=flag(d.answer.isin(["yes", "agree", "strongly_agree"])),
        den=ibis.literal(1),
        agency=d.setting,
        age_band=d.age_band if "age_band" in s.columns else None,
    )
    # A relation of its own: Ibis 12 cannot join on a literal column of a projection that it
    # folds into the join below it (IntegrityError when the engine joins the children).
    return answers.view()


def no_data_yet(src: Source, periods: ir.Table) -> ir.Table | None:
    """Measures published as aggregates elsewhere (and not loaded as such yet)."""
    return None


MEASURES = (
    Measure(
        id="rhi_in_time",
        title="Return interviews completed within agreed timescales",
        definition=(
            "Of the missing episodes (not away) that ended in the period, the share with a return "
            f"home interview completed within {RHI_HOURS} hours of the child's return."
        ),
        numerator=f"Episodes ended in the period with a return interview within {RHI_HOURS} hours",
        denominator="Missing episodes ended in the period",
        unit=Unit.percent,
        direction=Direction.increase,
        timing="during",
        sources=("sp_missing_episodes",),
        population="Missing episodes (not away) that ended in the period",
        exclusions=(
            "Away episodes (whereabouts known): no return interview is due",
            "Episodes with no return yet",
        ),
        official=Follows(
            "DfE, Statutory guidance on children who run away or go missing from home or care",
            "return home interviews within 72 hours of return",
            "2014",
        ),
        differences=(
            "The guidance says an interview is offered within 72 hours; SafePlan counts interviews"
            " completed within the agreed timescale (the rhi_hours setting, 72 hours)"
        ),
        units=rhi_units,
        settings={"rhi_hours": RHI_HOURS},
    ),
    Measure(
        id="iha_in_time",
        title="Initial health assessments for looked-after children within timescales",
        definition=(
            "Of the children entering care in the period, the share whose initial health "
            f"assessment was completed within {IHA_WORKING_DAYS} working days."
        ),
        numerator="Children entering care in the period with an IHA within 20 working days",
        denominator="Children entering care in the period",
        unit=Unit.percent,
        direction=Direction.increase,
        timing="during",
        sources=("sp_initial_health_assessments",),
        population="Children entering care in the period (date_entered_care, the SSDA903 DECOM)",
        official=Follows(
            "DfE and DHSC, Promoting the health and wellbeing of looked-after children",
            "initial health assessment within 20 working days of entering care",
            "2015",
        ),
        units=iha_units,
        settings={"working_days": IHA_WORKING_DAYS},
        owner=AgencyKind.health,
    ),
    Measure(
        id="family_plan_outcomes",
        title="Outcomes achieved in a family plan",
        definition=(
            "Of the family-plan outcomes reviewed in the period, the share achieved (partly "
            "achieved does not count)."
        ),
        numerator="Outcomes reviewed in the period and achieved",
        denominator="Outcomes reviewed in the period",
        unit=Unit.percent,
        direction=Direction.increase,
        timing="during",
        sources=("sp_family_plan_outcomes",),
        population="Family-plan outcomes reviewed in the period",
        official=Follows("SafePlan", "family plan outcomes template", local=True),
        differences="Local: no official definition",
        units=family_plan_units,
    ),
    Measure(
        id="voice_in_cp_conference",
        title="Views of the child shared in child protection conferences",
        definition=(
            "Of the child protection conferences in the period, the share where the child's views "
            "were shared."
        ),
        numerator="Conferences in the period where the child's views were shared",
        denominator="Conferences in the period",
        unit=Unit.percent,
        direction=Direction.increase,
        timing="during",
        sources=("sp_cp_conference_participation",),
        population="Child protection conferences held in the period",
        official=Follows("SafePlan", "CP conference participation template", local=True),
        differences="Local: no official definition",
        units=voice_units,
    ),
    Measure(
        id="lived_experience_recorded",
        title="Evidence of the child's lived experience in case recording",
        definition=(
            "Of the case audits in the period, the share finding the child's lived experience "
            "evident in the recording."
        ),
        numerator="Audits in the period finding lived experience evident",
        denominator="Audits in the period",
        unit=Unit.percent,
        direction=Direction.increase,
        timing="during",
        sources=("sp_case_audits",),
        population="Case audits completed in the period",
        official=Follows("SafePlan", "case audit template", local=True),
        differences="Local: no official definition",
        units=lived_experience_units,
    ),
    Measure(
        id="elearning_uptake",
        title="Young people completing the abuse-awareness eLearning",
        definition="Completions of the abuse-awareness eLearning by young people in the period.",
        numerator="Completions in the period",
        denominator=None,
        unit=Unit.number,
        direction=Direction.increase,
        timing="during",
        sources=("sp_training_uptake",),
        population="Completions of the abuse-awareness eLearning by young people in the period",
        official=Follows("SafePlan", "training uptake template", local=True),
        differences="Local: no official definition",
        units=elearning_units,
    ),
    Measure(
        id="recorded_challenges",
        title="Recorded professional challenges in cases",
        definition=(
            "Professional challenges (escalations) raised in the period, by the raising agency."
        ),
        numerator="Challenges raised in the period",
        denominator=None,
        unit=Unit.number,
        direction=Direction.track,
        timing="during",
        sources=("sp_professional_challenges",),
        population="Professional challenges (escalations) raised in the period",
        official=Follows("SafePlan", "professional challenges template", local=True),
        differences="Local: no official definition",
        units=challenges_units,
    ),
    Measure(
        id="children_missing_education",
        title="Children missing education",
        definition="Children recorded as missing education on the last day of the period.",
        numerator="Children missing education at the period end",
        denominator=None,
        unit=Unit.number,
        direction=Direction.reduce,
        timing="as_at_end",
        sources=("sp_children_missing_education",),
        population="Children recorded as missing education on the period's last day",
        official=Follows(
            "SafePlan",
            (
                "children missing education template (DfE statutory guidance, Children missing "
                "education, 2016, for who is missing education)"
            ),
            local=True,
        ),
        differences=(
            "Local: the DfE publishes no local count of children missing education at a date"
        ),
        units=cme_units,
        owner=AgencyKind.schools,
    ),
    Measure(
        id="children_confident_to_report",
        title="Children confident to contact an adult about safeguarding concerns",
        definition=(
            "Of the children answering SafePlan's survey in the period, the share who say they "
            "feel confident to contact an appropriate adult if they have safeguarding concerns."
        ),
        numerator="Answers yes or agree",
        denominator="Answers to the question",
        unit=Unit.percent,
        direction=Direction.increase,
        timing="during",
        sources=("sp_survey_answers",),
        population="Answers to the survey question in the period (anonymous)",
        official=Follows("SafePlan", "children's survey", local=True),
        differences="Local: no official definition",
        units=survey_units,
        owner=AgencyKind.schools,
    ),
    Measure(
        id="self_harm_admissions",
        title="Hospital admissions for self-harm, aged 10 to 24",
        definition=(
            "Emergency hospital admissions for intentional self-harm per 100,000 people aged 10 to"
            " 24 (Public Health Outcomes Framework indicator C14b), loaded as a published "
            "aggregate."
        ),
        numerator="Admissions",
        denominator="Population aged 10 to 24",
        unit=Unit.number,
        direction=Direction.reduce,
        timing="during",
        sources=(),
        population="Emergency admissions for intentional self-harm, people aged 10 to 24",
        official=Follows(
            "OHID, Public Health Outcomes Framework",
            "indicator C14b, per 100,000 people aged 10 to 24",
        ),
        differences="Not computed by SafePlan: a published aggregate, shown once loaded",
        units=no_data_yet,
        notes="Published by OHID as an aggregate; SafePlan shows it once the figure is loaded.",
        owner=AgencyKind.health,
    ),
)
