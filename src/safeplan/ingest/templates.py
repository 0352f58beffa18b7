"""Partner data templates: the files SafePlan asks partners for, declared once.

Pure declarations (no I/O). Readers validate uploads against them, the synthetic generator
writes them, and the documentation is rendered from them, so the three cannot drift apart.
Conventions: UTF-8 CSV (or the first sheet of an XLSX), snake_case headers, ISO dates
(YYYY-MM-DD) and datetimes (YYYY-MM-DDTHH:MM:SS), booleans ``Y``/``N``. Child-level templates
carry ``child_id`` (the partnership's shared identifier, the council's LAchildID, pseudonymised
by SafePlan on load) and ``date_of_birth``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from safeplan.vocabulary import LEGACY_AGENCY_KINDS, AgencyKind

ColumnType = Literal["text", "date", "datetime", "int", "decimal", "bool"]
AGENCIES = (*(str(k) for k in AgencyKind), *LEGACY_AGENCY_KINDS)  # "education": schools
BOOL_CODES = ("Y", "N")


@dataclass(frozen=True)
class TemplateColumn:
    name: str
    type: ColumnType
    required: bool
    description: str
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Template:
    name: str
    title: str
    agency: str  # who usually holds it: council, health, police, education, voluntary
    description: str
    columns: tuple[TemplateColumn, ...]
    key: tuple[str, ...]  # columns that identify a record (unique within a file)
    measures: tuple[str, ...]  # catalogue measure ids it feeds (MEASURES.md)
    main_date: str = ""  # the record's own date: its collection year, the child's age at it
    ages: tuple[int, int] | None = None  # the child's plausible age at main_date, in years
    same_record: tuple[str, ...] = ()  # columns that are one record whatever its reference

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> TemplateColumn:
        return next(c for c in self.columns if c.name == name)


def _col(
    name: str, type_: ColumnType, required: bool, description: str, codes: tuple[str, ...] = ()
) -> TemplateColumn:
    if type_ == "bool" and not codes:
        codes = BOOL_CODES
    return TemplateColumn(name, type_, required, description, codes)


CHILD_ID = _col("child_id", "text", True, "The child's LAchildID, as in the council's returns.")
DOB = _col("date_of_birth", "date", True, "The child's date of birth.")
AGENCY = _col("agency", "text", True, "The agency that holds the record.", AGENCIES)

TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        Template(
            name="missing_episodes",
            title="Missing episodes and return home interviews",
            agency="police",
            description=(
                "Every episode of a child missing or away from home or placement reported to "
                "the police or the council, looked after or not, with the return home "
                "interview. Statutory guidance on children who run away or go missing from "
                "home or care (DfE 2014): an independent return interview is offered within "
                "72 hours of the child's return."
            ),
            columns=(
                _col("episode_id", "text", True, "The reporting agency's reference."),
                CHILD_ID,
                DOB,
                _col("looked_after", "bool", True, "Looked after when the episode began."),
                _col(
                    "missing_type",
                    "text",
                    True,
                    "missing (whereabouts unknown) or away (away without authorisation, "
                    "whereabouts known); the SSDA903 M and A.",
                    ("missing", "away"),
                ),
                _col("start_datetime", "datetime", True, "When the child went missing."),
                _col("end_datetime", "datetime", False, "When the child returned; blank if not."),
                _col("reported_by", "text", True, "The agency that reported it.", AGENCIES),
                _col(
                    "rhi_offered_datetime",
                    "datetime",
                    False,
                    "When a return interview was offered.",
                ),
                _col("rhi_accepted", "bool", False, "Whether the child accepted the interview."),
                _col(
                    "rhi_completed_datetime",
                    "datetime",
                    False,
                    "When the return interview took place.",
                ),
            ),
            key=("episode_id",),
            measures=("missing_more_than_once", "rhi_in_time"),
            main_date="start_datetime",
            ages=(0, 17),
            same_record=("child_id", "start_datetime"),
        ),
        Template(
            name="exploitation_screening",
            title="Exploitation screening and risk assessments",
            agency="council",
            description=(
                "Each exploitation screening or risk assessment of a child (sexual or criminal "
                "exploitation), with the risk level found."
            ),
            columns=(
                _col("screening_id", "text", True, "The agency's reference."),
                CHILD_ID,
                DOB,
                _col("screening_date", "date", True, "When the screening was completed."),
                _col(
                    "tool",
                    "text",
                    True,
                    "The screening tool used.",
                    ("cse_screening_tool", "cce_risk_assessment", "exploitation_toolkit", "other"),
                ),
                _col("risk_level", "text", True, "Risk found.", ("none", "low", "medium", "high")),
                _col(
                    "exploitation_type",
                    "text",
                    True,
                    "CSE sexual, CCE criminal, both, or other exploitation.",
                    ("CSE", "CCE", "both", "other"),
                ),
                _col("at_referral", "bool", True, "Completed at the point of referral."),
                AGENCY,
            ),
            key=("screening_id",),
            measures=("referrals_cse_risk", "children_exploitation"),
            main_date="screening_date",
            ages=(0, 17),
            same_record=("child_id", "screening_date", "tool"),
        ),
        Template(
            name="initial_health_assessments",
            title="Initial health assessments for looked-after children",
            agency="health",
            description=(
                "The initial health assessment of each child entering care. Statutory guidance "
                "(Promoting the health and well-being of looked-after children, DfE/DHSC "
                "2015): completed within 20 working days of the child entering care."
            ),
            columns=(
                CHILD_ID,
                DOB,
                _col("date_entered_care", "date", True, "Start of the period of care (903 DECOM)."),
                _col("iha_request_date", "date", True, "When the council requested the IHA."),
                _col("iha_completed_date", "date", False, "When the IHA took place; blank if not."),
            ),
            key=("child_id", "date_entered_care"),
            measures=("iha_in_time",),
            main_date="date_entered_care",
            ages=(0, 17),
        ),
        Template(
            name="family_plan_outcomes",
            title="Early help / family plan outcomes",
            agency="council",
            description=(
                "Outcomes set in each early help family plan and whether they were achieved "
                "when reviewed."
            ),
            columns=(
                _col("plan_id", "text", True, "The family plan's reference."),
                _col("outcome_id", "text", True, "The outcome's reference within the plan."),
                CHILD_ID,
                DOB,
                _col("plan_start_date", "date", True, "When the family plan started."),
                _col("outcome_set_date", "date", True, "When the outcome was set."),
                _col("review_date", "date", False, "When the outcome was reviewed."),
                _col(
                    "achieved",
                    "text",
                    False,
                    "Y achieved, N not achieved, partly; blank until reviewed.",
                    ("Y", "N", "partly"),
                ),
            ),
            key=("plan_id", "outcome_id"),
            measures=("family_plan_outcomes",),
            main_date="plan_start_date",
            ages=(-1, 17),  # a family's plan may start before the baby is born
        ),
        Template(
            name="cp_conference_participation",
            title="Child protection conference participation",
            agency="council",
            description=(
                "Each initial and review child protection conference, and whether and how "
                "the child's views were shared."
            ),
            columns=(
                _col("conference_id", "text", True, "The conference's reference."),
                CHILD_ID,
                DOB,
                _col("conference_date", "date", True, "Date of the conference."),
                _col("conference_type", "text", True, "initial or review.", ("initial", "review")),
                _col("views_shared", "bool", True, "The child's views were shared."),
                _col(
                    "how_shared",
                    "text",
                    True,
                    "How the views were shared, or not_shared.",
                    (
                        "attended",
                        "advocate",
                        "written",
                        "social_worker",
                        "creative",
                        "observation",
                        "not_shared",
                    ),
                ),
            ),
            key=("conference_id",),
            measures=("voice_in_cp_conference",),
            main_date="conference_date",
            ages=(-1, 17),  # a pre-birth conference comes before the birth
            same_record=("child_id", "conference_date"),
        ),
        Template(
            name="training_uptake",
            title="Training uptake",
            agency="council",
            description=(
                "Completions of partnership training and eLearning, by young people and "
                "practitioners (not child-level: learners are not children in the returns)."
            ),
            columns=(
                _col("record_id", "text", True, "The learning platform's completion reference."),
                _col("learner_id", "text", True, "The platform's learner reference."),
                _col(
                    "learner_group",
                    "text",
                    True,
                    "young_person or practitioner.",
                    ("young_person", "practitioner"),
                ),
                _col(
                    "course",
                    "text",
                    True,
                    "The course.",
                    (
                        "abuse_awareness_elearning",
                        "exploitation_awareness",
                        "neglect_toolkit",
                        "working_together",
                        "voice_of_the_child",
                    ),
                ),
                AGENCY,
                _col("completion_date", "date", True, "When the course was completed."),
            ),
            key=("record_id",),
            measures=("elearning_uptake",),
            main_date="completion_date",
            same_record=("learner_id", "course", "completion_date"),
        ),
        Template(
            name="case_audits",
            title="Case audits",
            agency="council",
            description=(
                "Single- and multi-agency case audits: whether the child's lived experience "
                "is evident in the recording, and the grade."
            ),
            columns=(
                _col("audit_id", "text", True, "The audit's reference."),
                CHILD_ID,
                DOB,
                _col("audit_date", "date", True, "When the audit was completed."),
                AGENCY,
                _col("lived_experience_evident", "bool", True, "Lived experience is evident."),
                _col(
                    "grade",
                    "text",
                    True,
                    "The audit grade.",
                    ("outstanding", "good", "requires_improvement", "inadequate"),
                ),
            ),
            key=("audit_id",),
            measures=("lived_experience_recorded",),
            main_date="audit_date",
            same_record=("child_id", "audit_date", "agency"),
        ),
        Template(
            name="professional_challenges",
            title="Professional challenges and escalations",
            agency="council",
            description=(
                "Professional challenges raised between agencies under the partnership's "
                "resolution and escalation protocol."
            ),
            columns=(
                _col("challenge_id", "text", True, "The challenge's reference."),
                _col("child_id", "text", False, "The child concerned, when about one child."),
                _col("date_of_birth", "date", False, "The child's date of birth, with child_id."),
                _col("raised_date", "date", True, "When the challenge was raised."),
                _col("raising_agency", "text", True, "The agency raising it.", AGENCIES),
                _col("receiving_agency", "text", True, "The agency challenged.", AGENCIES),
                _col(
                    "stage",
                    "text",
                    True,
                    "The furthest stage of the protocol reached.",
                    ("stage_1", "stage_2", "stage_3", "stage_4"),
                ),
                _col("resolved_date", "date", False, "When it was resolved; blank if open."),
                _col(
                    "outcome",
                    "text",
                    True,
                    "The outcome so far.",
                    ("agreed", "practice_changed", "no_change", "escalated", "open"),
                ),
            ),
            key=("challenge_id",),
            measures=("recorded_challenges",),
            main_date="raised_date",
            same_record=("child_id", "raised_date", "raising_agency", "receiving_agency"),
        ),
        Template(
            name="children_missing_education",
            title="Children missing education",
            agency="schools",
            description=(
                "Episodes of children of compulsory school age missing education (not on a "
                "school roll and not receiving suitable education otherwise)."
            ),
            columns=(
                _col("record_id", "text", True, "The education service's reference."),
                CHILD_ID,
                DOB,
                _col("start_date", "date", True, "When the child was identified as missing."),
                _col("end_date", "date", False, "When the episode ended; blank if open."),
                _col(
                    "reason",
                    "text",
                    True,
                    "Why the child is missing education.",
                    (
                        "not_registered",
                        "moved_away",
                        "excluded",
                        "left_school",
                        "elective_home_education",
                        "whereabouts_unknown",
                        "other",
                    ),
                ),
            ),
            key=("record_id",),
            measures=("children_missing_education",),
            main_date="start_date",
            ages=(5, 16),  # compulsory school age
            same_record=("child_id", "start_date"),
        ),
        Template(
            name="population_estimates",
            title="Population estimates (children aged 0 to 17)",
            agency="council",
            description=(
                "ONS mid-year population estimates of children aged 0 to 17 in the council's "
                "area, the denominator of rates per 10,000 children (download from ONS: "
                "population estimates for the UK, local authority level, by single year of age)."
            ),
            columns=(
                _col("area_code", "text", True, "The area's ONS code, e.g. E06000047."),
                _col("mid_year", "int", True, "The year of the estimate (as at 30 June)."),
                _col("population_0_17", "int", True, "Children aged 0 to 17."),
            ),
            key=("area_code", "mid_year"),
            measures=("cpp_neglect", "cin_rate", "cla_rate"),
        ),
    )
}


def _plausible(t: Template) -> str:
    """What the plausibility rules take from the template, for its documentation."""
    out = f" Dated by `{t.main_date}`." if t.main_date else ""
    if t.ages:
        low, high = t.ages
        out += f" About children aged {max(low, 0)} to {high}" + (
            " (or not yet born)." if low < 0 else "."
        )
    if t.same_record:
        out += f" One record per {', '.join(f'`{c}`' for c in t.same_record)}."
    return out


def templates_markdown() -> str:
    """The partner templates as a documentation section, one table per template."""
    lines = [
        "## Partner data templates",
        "",
        "UTF-8 CSV with a header row (or the first sheet of an XLSX), column names exactly as "
        "below. Dates `YYYY-MM-DD`, date-times `YYYY-MM-DDTHH:MM:SS`, yes/no as `Y`/`N`. "
        "`child_id` is the council's LAchildID; SafePlan pseudonymises it on load.",
        "",
    ]
    for t in TEMPLATES.values():
        lines += [
            f"### {t.title} (`{t.name}`)",
            "",
            t.description,
            "",
            f"Usually held by: {t.agency}. Each record is identified by: "
            f"{', '.join(f'`{k}`' for k in t.key)}. Feeds: "
            f"{', '.join(f'`{m}`' for m in t.measures)}.{_plausible(t)}",
            "",
            "| column | type | required | codes | description |",
            "| --- | --- | --- | --- | --- |",
        ]
        for c in t.columns:
            codes = ", ".join(f"`{x}`" for x in c.codes)
            required = "yes" if c.required else "no"
            lines.append(f"| `{c.name}` | {c.type} | {required} | {codes} | {c.description} |")
        lines.append("")
    return "\n".join(lines)
