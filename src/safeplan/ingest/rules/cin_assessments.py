"""DfE CIN census rules on assessments and the factors identified at them (8863Q and 8896:
an assessment started, or left open, while another is ongoing in the same episode).

Codes and messages are the DfE's (Children in need census validation rules, 2022-23 to
2025-26); the wording follows data-to-insight/csc-validator-be-cin (MIT), whose per-rule
test data the rule tests adapt. The SQL is SafePlan's own.
"""

# The SQL here is composed only from constants of this module, never from a file or a user.

from __future__ import annotations

from safeplan.ingest.rules.base import WORKING_DAYS, Rule, working_days_before
from safeplan.ingest.rules.cin_census import E, F, Q, R, cin_rule

YEAR = "sp_collection"
Y = ("sp_collection",)

# The factor codes rule 8897Q accepts (the DfE code set, with 18A and 19A, which 2024-25
# replaced by 18B/18C and 19B/19C: queries 8945Q and 8950Q).
FACTORS = (
    *("1A", "1B", "1C", "2A", "2B", "2C", "3A", "3B", "3C", "4A", "4B", "4C"),
    *("5A", "5B", "5C", "6A", "6B", "6C", "7A", "8B", "8C", "8D", "8E", "8F", "9A"),
    *("10A", "11A", "12A", "13A", "14A", "15A", "16A", "17A", "18A", "18B", "18C"),
    *("19A", "19B", "19C", "20", "21", "22A", "23A", "24A"),
)
_FACTORS = "(" + ", ".join(f"'{c}'" for c in FACTORS) + ")"


def _factor_code(code: str, better: str) -> Rule:
    return cin_rule(
        "8945Q" if code == "18A" else "8950Q",
        "cin_assessment_factor",
        "AssessmentFactors",
        f"Please check and either amend data or provide a reason: the assessment factors code "
        f"'{code}' should not be used ({better} should be used instead)",
        F,
        Q,
        f"SELECT _seq FROM cin_assessment_factor WHERE upper(trim(assessmentfactors)) = '{code}'",
        since=2025,
    )


def build() -> tuple[Rule, ...]:
    return (
        cin_rule(
            "8670Q",
            "cin_assessment",
            "AssessmentActualStartDate",
            "Please check and either amend data or provide a reason: Assessment started more "
            "than 45 working days before the end of the census year. However, there is no "
            "Assessment end date.",
            R,
            Q,
            f"SELECT a._seq FROM cin_assessment AS a CROSS JOIN {YEAR} AS y "
            "WHERE a.assessmentauthorisationdate IS NULL "
            f"AND a.assessmentactualstartdate < {working_days_before('y.end_date', 45)}",
            requires=(*Y, WORKING_DAYS),
            note="working days from SafePlan's England and Wales calendar",
        ),
        cin_rule(
            "8863Q",
            "cin_assessment",
            "AssessmentActualStartDate",
            "An Assessment is shown as starting when there is another Assessment ongoing.",
            R,
            Q,
            f"SELECT a._seq FROM cin_assessment AS a JOIN cin_assessment AS b "
            f"ON b._parent = a._parent AND b._seq <> a._seq CROSS JOIN {YEAR} AS y "
            "WHERE a.assessmentactualstartdate BETWEEN b.assessmentactualstartdate "
            "AND coalesce(b.assessmentauthorisationdate, y.end_date)",
            requires=Y,
            note="within one CINdetails; an open assessment runs to the reference date",
        ),
        cin_rule(
            "8896",
            "cin_assessment",
            "AssessmentAuthorisationDate",
            "Within one CINDetails group there are 2 or more open Assessments groups",
            R,
            E,
            "SELECT _seq FROM (SELECT _seq, count(*) OVER (PARTITION BY _parent) AS n "
            "FROM cin_assessment WHERE assessmentauthorisationdate IS NULL) WHERE n > 1",
        ),
        cin_rule(
            "8897Q",
            "cin_assessment",
            "AssessmentAuthorisationDate",
            "Parental or child factors at assessment information is missing from a completed "
            "assessment",
            R,
            Q,
            f"SELECT a._seq FROM cin_assessment AS a CROSS JOIN {YEAR} AS y "
            "WHERE a.assessmentauthorisationdate >= y.start_date AND NOT EXISTS (SELECT 1 "
            "FROM cin_assessment_factor AS f WHERE f._parent = a._seq "
            f"AND upper(trim(f.assessmentfactors)) IN {_FACTORS})",
            requires=("cin_assessment_factor", *Y),
            note="one or more factors with a valid code",
        ),
        cin_rule(
            "8869",
            "cin_assessment_factor",
            "AssessmentFactors",
            "The assessment factors code “21” cannot be used in conjunction with any other "
            "assessment factors.",
            R,
            E,
            "SELECT _seq FROM (SELECT _seq, "
            "bool_or(trim(assessmentfactors) = '21') OVER (PARTITION BY _parent) AS none_found, "
            "count(*) OVER (PARTITION BY _parent) AS n FROM cin_assessment_factor) "
            "WHERE none_found AND n > 1",
        ),
        cin_rule(
            "8873Q",
            "cin_details",
            "ReasonForClosure",
            "Please check and either amend data or provide a reason: When there is only one "
            "assessment on the episode and the factors code “21 No factors identified” has "
            "been used for the completed assessment, the reason for closure ‘RC8’ or 'RC9' "
            "should be used.",
            R,
            Q,
            "SELECT d._seq FROM cin_details AS d "
            "JOIN (SELECT _parent, min(_seq) AS only_seq FROM cin_assessment GROUP BY _parent "
            "HAVING count(*) = 1) AS a ON a._parent = d._seq "
            "WHERE EXISTS (SELECT 1 FROM cin_assessment_factor AS f WHERE f._parent = a.only_seq "
            "AND trim(f.assessmentfactors) = '21') "
            "AND coalesce(upper(trim(d.reasonforclosure)), '') NOT IN ('RC8', 'RC9')",
            requires=("cin_assessment", "cin_assessment_factor"),
            note="an episode still open (no reason for closure yet) is flagged too, as "
            "data-to-insight does",
        ),
        _factor_code("18A", "'18B' or '18C'"),
        _factor_code("19A", "'19B' or '19C'"),
        cin_rule(
            "2991Q",
            "cin_s47",
            "S47ActualStartDate",
            "Please check and either amend data or provide a reason: A Section 47 module is "
            "recorded and there is no assessment on the episode",
            R,
            Q,
            "SELECT s._seq FROM cin_s47 AS s WHERE NOT EXISTS "
            "(SELECT 1 FROM cin_assessment AS a WHERE a._parent = s._parent)",
            requires=("cin_assessment",),
        ),
    )


RULES: tuple[Rule, ...] = build()
