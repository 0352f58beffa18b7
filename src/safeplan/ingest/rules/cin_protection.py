"""DfE CIN census rules on Section 47 enquiries, child protection plans and their reviews,
and CIN plans (8875: an initial conference at a weekend; 4001, 4016 and 4017: a CIN plan
open during a CP plan).

Codes and messages are the DfE's (Children in need census validation rules, 2022-23 to
2025-26); the wording follows data-to-insight/csc-validator-be-cin (MIT), whose per-rule
test data the rule tests adapt. The SQL is SafePlan's own.
"""

# The SQL here is composed only from constants of this module, never from a file or a user.

from __future__ import annotations

from safeplan.ingest.rules.base import WORKING_DAYS, Rule, weekend, working_days_before
from safeplan.ingest.rules.cin_census import E, F, Q, R, W, cin_rule

YEAR = "sp_collection"
Y = ("sp_collection",)
CHILD = ("cin_child",)
# A Section 47 still open: no initial conference and one not marked as not required.
S47_OPEN = "{s}.dateofinitialcpc IS NULL AND {s}.icpcnotrequired IS NOT TRUE"


def _after_death(code: str, table: str, field: str, column: str, message: str) -> Rule:
    return cin_rule(
        code,
        table,
        field,
        message,
        R,
        Q if code.endswith("Q") else E,
        f"SELECT x._seq FROM {table} AS x JOIN cin_child AS c ON c._seq = x._child "
        f"WHERE x.{column} > c.persondeathdate",
        requires=CHILD,
    )


def section47() -> tuple[Rule, ...]:
    return (
        cin_rule(
            "8675Q",
            "cin_s47",
            "S47ActualStartDate",
            "Please check and either amend data or provide a reason: S47 Enquiry started more "
            "than 15 working days before the end of the census year. However, there is no date "
            "of Initial Child Protection Conference.",
            R,
            Q,
            f"SELECT s._seq FROM cin_s47 AS s CROSS JOIN {YEAR} AS y "
            "WHERE s.dateofinitialcpc IS NULL AND s.icpcnotrequired = false "
            f"AND s.s47actualstartdate < {working_days_before('y.end_date', 15)}",
            requires=(*Y, WORKING_DAYS),
            note="working days from SafePlan's England and Wales calendar",
        ),
        cin_rule(
            "8839",
            "cin_s47",
            "DateOfInitialCPC",
            "Within one CINDetails group there are 2 or more open S47 Assessments",
            R,
            E,
            "SELECT _seq FROM (SELECT _seq, count(*) OVER (PARTITION BY _parent) AS n "
            f"FROM cin_s47 AS s WHERE {S47_OPEN.format(s='s')}) WHERE n > 1",
            note="open: no initial conference date and ICPCnotRequired not true",
        ),
        cin_rule(
            "8870Q",
            "cin_s47",
            "InitialCPCtarget",
            "Please check and either amend or provide a reason: The Target Date for Initial "
            "Child Protection Conference should not be a weekend",
            F,
            Q,
            f"SELECT _seq FROM cin_s47 WHERE {weekend('initialcpctarget')}",
        ),
        cin_rule(
            "8875",
            "cin_s47",
            "DateOfInitialCPC",
            "The Date of Initial Child Protection Conference cannot be a weekend",
            F,
            E,
            f"SELECT _seq FROM cin_s47 WHERE {weekend('dateofinitialcpc')}",
        ),
        cin_rule(
            "8890",
            "cin_s47",
            "S47ActualStartDate",
            "A Section 47 enquiry is shown as starting when there is another Section 47 "
            "Enquiry ongoing",
            R,
            E,
            f"SELECT a._seq FROM cin_s47 AS a JOIN cin_s47 AS b "
            f"ON b._parent = a._parent AND b._seq <> a._seq CROSS JOIN {YEAR} AS y "
            "WHERE (b.dateofinitialcpc IS NOT NULL AND a.s47actualstartdate "
            "BETWEEN b.s47actualstartdate AND b.dateofinitialcpc) "
            f"OR ({S47_OPEN.format(s='b')} AND a.s47actualstartdate "
            "BETWEEN b.s47actualstartdate AND y.end_date)",
            requires=Y,
            note="within one CINdetails",
        ),
        cin_rule(
            "2884",
            "cin_s47",
            "DateOfInitialCPC",
            "An initial child protection conference is recorded at both the S47 and CIN "
            "Details level and it should only be recorded in one",
            R,
            E,
            "SELECT s._seq FROM cin_s47 AS s JOIN cin_details AS d ON d._seq = s._parent "
            "WHERE s.dateofinitialcpc = d.dateofinitialcpc",
            requires=("cin_details",),
            note="within one CINdetails; data-to-insight compares the dates across all of the "
            "child's episodes",
        ),
    )


def protection_plans() -> tuple[Rule, ...]:
    return (
        cin_rule(
            "2885",
            "cin_cpp",
            "CPPstartDate",
            "Child protection plan shown as starting a different day to the initial child "
            "protection conference.",
            R,
            E,
            f"SELECT p._seq FROM cin_cpp AS p JOIN cin_details AS d ON d._seq = p._parent "
            f"CROSS JOIN {YEAR} AS y WHERE p.cppstartdate BETWEEN y.start_date AND y.end_date "
            "AND CASE WHEN EXISTS (SELECT 1 FROM cin_s47 AS s WHERE s._parent = p._parent) "
            "THEN NOT EXISTS (SELECT 1 FROM cin_s47 AS s WHERE s._parent = p._parent "
            "AND s.dateofinitialcpc = p.cppstartdate) "
            "ELSE d.dateofinitialcpc IS DISTINCT FROM p.cppstartdate END",
            requires=("cin_details", "cin_s47", *Y),
            note="a plan starting in the census year starts on the day of a Section 47 "
            "initial conference of its episode, or of the episode's own when it has no "
            "Section 47",
        ),
        _after_death(
            "8915",
            "cin_cpp",
            "CPPstartDate",
            "cppstartdate",
            "Child Protection Plan shown as starting after the child’s Date of Death",
        ),
        _after_death(
            "8920",
            "cin_cpp",
            "CPPendDate",
            "cppenddate",
            "Child Protection Plan cannot end after the child’s Date of Death",
        ),
        cin_rule(
            "4017",
            "cin_cpp",
            "CPPstartDate",
            "A CIN Plan has been reported as open at the same time as a Child Protection Plan.",
            R,
            E,
            f"SELECT p._seq FROM cin_cpp AS p JOIN cin_plan AS c ON c._child = p._child "
            f"CROSS JOIN {YEAR} AS y WHERE p.cppstartdate >= c.cinplanstartdate "
            "AND p.cppstartdate < coalesce(c.cinplanenddate, y.end_date + INTERVAL 1 DAY)",
            requires=("cin_plan", *Y),
            note="a plan may start on the day the CIN plan ends",
        ),
        cin_rule(
            "8842Q",
            "cin_cpp_review",
            "CPPreviewDate",
            "Please check and either amend or provide a reason: Review Record has a missing date",
            F,
            Q,
            "SELECT _seq FROM cin_cpp_review WHERE cppreviewdate IS NULL",
            note="a review whose date is empty or not a date",
        ),
        cin_rule(
            "4003",
            "cin_cpp_review",
            "CPPreviewDate",
            "A CPP review date is shown as being held at the same time as an open CIN Plan.",
            R,
            E,
            "SELECT r._seq FROM cin_cpp_review AS r JOIN cin_cpp AS p ON p._seq = r._parent "
            f"JOIN cin_plan AS c ON c._parent = p._parent CROSS JOIN {YEAR} AS y "
            "WHERE r.cppreviewdate >= c.cinplanstartdate "
            "AND r.cppreviewdate < coalesce(c.cinplanenddate, y.end_date + INTERVAL 1 DAY) "
            "AND r.cppreviewdate IS DISTINCT FROM p.cppenddate",
            requires=("cin_cpp", "cin_plan", *Y),
            note="within one CINdetails; a CIN plan with no end date is open to the reference "
            "date (data-to-insight checks only plans with an end date)",
        ),
    )


def cin_plans() -> tuple[Rule, ...]:
    return (
        cin_rule(
            "4000",
            "cin_plan",
            "CINPlanStartDate",
            "CIN Plan details provided for a referral with no further action",
            R,
            E,
            "SELECT c._seq FROM cin_plan AS c JOIN cin_details AS d ON d._seq = c._parent "
            "WHERE d.referralnfa = true",
            requires=("cin_details",),
        ),
        cin_rule(
            "4001",
            "cin_plan",
            "CINPlanEndDate",
            "A CIN Plan cannot run concurrently with a Child Protection Plan",
            R,
            E,
            "SELECT c._seq FROM cin_plan AS c WHERE c.cinplanenddate IS NULL AND EXISTS "
            "(SELECT 1 FROM cin_cpp AS p WHERE p._parent = c._parent AND p.cppenddate IS NULL)",
            requires=("cin_cpp",),
            note="an open CIN plan and an open CP plan in one CINdetails",
        ),
        cin_rule(
            "4004",
            "cin_plan",
            "CINPlanEndDate",
            "This child is showing more than one open CIN Plan, i.e. with no End Date",
            R,
            E,
            "SELECT _seq FROM (SELECT _seq, count(*) OVER (PARTITION BY _parent) AS n "
            "FROM cin_plan WHERE cinplanenddate IS NULL) WHERE n > 1",
            note="within one CINdetails",
        ),
        _after_death(
            "4008",
            "cin_plan",
            "CINPlanStartDate",
            "cinplanstartdate",
            "CIN Plan shown as starting after the child’s Date of Death.",
        ),
        _after_death(
            "4009Q",
            "cin_plan",
            "CINPlanEndDate",
            "cinplanenddate",
            "CIN Plan cannot end after the child’s Date of Death",
        ),
        cin_rule(
            "4010",
            "cin_plan",
            "CINPlanStartDate",
            "CIN Plan start date is missing or out of data collection period",
            F,
            E,
            f"SELECT c._seq FROM cin_plan AS c CROSS JOIN {YEAR} AS y "
            "WHERE c.cinplanstartdate IS NULL OR c.cinplanstartdate > y.end_date",
            requires=Y,
        ),
        cin_rule(
            "4012Q",
            "cin_plan",
            "CINPlanEndDate",
            "Please check and either amend or provide a reason: CIN Plan shown as starting and "
            "ending on the same day",
            R,
            Q,
            "SELECT _seq FROM cin_plan WHERE cinplanenddate = cinplanstartdate",
        ),
        cin_rule(
            "4013",
            "cin_plan",
            "CINPlanEndDate",
            "CIN Plan end date must fall within the census year",
            F,
            W,
            f"SELECT c._seq FROM cin_plan AS c CROSS JOIN {YEAR} AS y "
            "WHERE c.cinplanenddate NOT BETWEEN y.start_date AND y.end_date",
            requires=Y,
        ),
        cin_rule(
            "4014",
            "cin_plan",
            "CINPlanStartDate",
            "CIN Plan data contains overlapping dates",
            R,
            E,
            f"SELECT a._seq FROM cin_plan AS a JOIN cin_plan AS b "
            f"ON b._child = a._child AND b._seq <> a._seq CROSS JOIN {YEAR} AS y "
            "WHERE a.cinplanstartdate >= b.cinplanstartdate "
            "AND a.cinplanstartdate <= coalesce(b.cinplanenddate, y.end_date)",
            requires=Y,
            note="across the child's CIN plans, as data-to-insight reads it",
        ),
        cin_rule(
            "4015",
            "cin_plan",
            "CINPlanStartDate",
            "The CIN Plan start date cannot be before the referral date",
            R,
            E,
            "SELECT c._seq FROM cin_plan AS c JOIN cin_details AS d ON d._seq = c._parent "
            "WHERE c.cinplanstartdate < d.cinreferraldate",
            requires=("cin_details",),
        ),
        cin_rule(
            "4016",
            "cin_plan",
            "CINPlanStartDate",
            "A CIN Plan has been reported as open at the same time as a Child Protection Plan.",
            R,
            E,
            f"SELECT c._seq FROM cin_plan AS c JOIN cin_cpp AS p ON p._child = c._child "
            f"CROSS JOIN {YEAR} AS y WHERE c.cinplanstartdate >= p.cppstartdate "
            "AND c.cinplanstartdate < coalesce(p.cppenddate, y.end_date + INTERVAL 1 DAY)",
            requires=("cin_cpp", *Y),
            note="a CIN plan may start on the day the CP plan ends",
        ),
    )


RULES: tuple[Rule, ...] = (*section47(), *protection_plans(), *cin_plans())
