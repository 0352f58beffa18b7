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
from safeplan.measures.model import Measure

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
        "rhi_in_time",
        "Return interviews completed within agreed timescales",
        f"Of the missing episodes that ended in the period, the share with a return home "
        f"interview completed within {RHI_HOURS} hours of the child's return.",
        f"Episodes ended in the period with a return interview within {RHI_HOURS} hours",
        "Missing episodes ended in the period",
        "percent",
        "increase",
        "during",
        ("sp_missing_episodes",),
        "DfE Statutory guidance on children who run away or go missing from home or care (2014): "
        "return interview within 72 hours",
        rhi_units,
        settings={"rhi_hours": RHI_HOURS},
    ),
    Measure(
        "iha_in_time",
        "Initial health assessments for looked-after children within timescales",
        f"Of the children entering care in the period, the share whose initial health assessment "
        f"was completed within {IHA_WORKING_DAYS} working days.",
        "Children entering care in the period with an IHA within 20 working days",
        "Children entering care in the period",
        "percent",
        "increase",
        "during",
        ("sp_initial_health_assessments",),
        "DfE/DHSC Promoting the health and wellbeing of looked-after children (2015): IHA within "
        "20 working days of entering care",
        iha_units,
        settings={"working_days": IHA_WORKING_DAYS},
        owner="health",
    ),
    Measure(
        "family_plan_outcomes",
        "Outcomes achieved in a family plan",
        "Of the family-plan outcomes reviewed in the period, the share achieved (partly achieved "
        "does not count).",
        "Outcomes reviewed in the period and achieved",
        "Outcomes reviewed in the period",
        "percent",
        "increase",
        "during",
        ("sp_family_plan_outcomes",),
        TEMPLATE,
        family_plan_units,
    ),
    Measure(
        "voice_in_cp_conference",
        "Views of the child shared in child protection conferences",
        "Of the child protection conferences in the period, the share where the child's views "
        "were shared.",
        "Conferences in the period where the child's views were shared",
        "Conferences in the period",
        "percent",
        "increase",
        "during",
        ("sp_cp_conference_participation",),
        TEMPLATE,
        voice_units,
    ),
    Measure(
        "lived_experience_recorded",
        "Evidence of the child's lived experience in case recording",
        "Of the case audits in the period, the share finding the child's lived experience "
        "evident in the recording.",
        "Audits in the period finding lived experience evident",
        "Audits in the period",
        "percent",
        "increase",
        "during",
        ("sp_case_audits",),
        TEMPLATE,
        lived_experience_units,
    ),
    Measure(
        "elearning_uptake",
        "Young people completing the abuse-awareness eLearning",
        "Completions of the abuse-awareness eLearning by young people in the period.",
        "Completions in the period",
        None,
        "count",
        "increase",
        "during",
        ("sp_training_uptake",),
        TEMPLATE,
        elearning_units,
    ),
    Measure(
        "recorded_challenges",
        "Recorded professional challenges in cases",
        "Professional challenges (escalations) raised in the period, by the raising agency.",
        "Challenges raised in the period",
        None,
        "count",
        "track",
        "during",
        ("sp_professional_challenges",),
        TEMPLATE,
        challenges_units,
    ),
    Measure(
        "children_missing_education",
        "Children missing education",
        "Children recorded as missing education on the last day of the period.",
        "Children missing education at the period end",
        None,
        "count",
        "reduce",
        "as_at_end",
        ("sp_children_missing_education",),
        TEMPLATE,
        cme_units,
        owner="schools",
    ),
    Measure(
        "children_confident_to_report",
        "Children confident to contact an adult about safeguarding concerns",
        "Of the children answering SafePlan's survey in the period, the share who say they feel "
        "confident to contact an appropriate adult if they have safeguarding concerns.",
        "Answers yes or agree",
        "Answers to the question",
        "percent",
        "increase",
        "during",
        ("sp_survey_answers",),
        "SafePlan children's survey",
        survey_units,
        owner="schools",
    ),
    Measure(
        "self_harm_admissions",
        "Hospital admissions for self-harm, aged 10 to 24",
        "Emergency hospital admissions for intentional self-harm per 100,000 people aged 10 to 24 "
        "(Public Health Outcomes Framework indicator C14b), loaded as a published aggregate.",
        "Admissions",
        "Population aged 10 to 24",
        "count",
        "reduce",
        "during",
        (),
        "OHID Public Health Outcomes Framework, indicator C14b",
        no_data_yet,
        notes="Published by OHID as an aggregate; SafePlan shows it once the figure is loaded.",
        owner="health",
    ),
)
