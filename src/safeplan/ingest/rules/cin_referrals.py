"""DfE CIN census rules on the CIN episode (CINdetails): its flags, its closure and the
activity recorded against it (8565 activity after closure, 8831 activity on a referral with
no further action, 2990 activity on a case closed after assessment).

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


def _any(table: str, condition: str) -> str:
    """SQL: the episode ``d`` has a ``table`` row (alias ``x``) meeting ``condition``."""
    return f"EXISTS (SELECT 1 FROM {table} AS x WHERE x._parent = d._seq AND ({condition}))"


# 8565: the dates that must be on or before the episode's closure.
_AFTER_CLOSURE = " OR ".join(
    (
        _any(
            "cin_assessment",
            "x.assessmentactualstartdate > d.cinclosuredate "
            "OR x.assessmentauthorisationdate > d.cinclosuredate",
        ),
        _any(
            "cin_s47",
            "x.s47actualstartdate > d.cinclosuredate OR x.dateofinitialcpc > d.cinclosuredate",
        ),
        _any("cin_cpp", "x.cppenddate > d.cinclosuredate"),
        _any(
            "cin_plan",
            "x.cinplanstartdate > d.cinclosuredate OR x.cinplanenddate > d.cinclosuredate",
        ),
        "d.dateofinitialcpc > d.cinclosuredate",
    )
)


def build() -> tuple[Rule, ...]:
    return (
        cin_rule(
            "8555Q",
            "cin_details",
            "CINreferralDate",
            "Child cannot be referred after its recorded date of death",
            R,
            Q,
            "SELECT d._seq FROM cin_details AS d JOIN cin_child AS c ON c._seq = d._parent "
            "WHERE d.cinreferraldate > c.persondeathdate",
            requires=("cin_child",),
        ),
        cin_rule(
            "8565",
            "cin_details",
            "CINclosureDate",
            "Activity shown after a case has been closed",
            R,
            E,
            f"SELECT d._seq FROM cin_details AS d WHERE d.cinclosuredate IS NOT NULL "
            f"AND ({_AFTER_CLOSURE})",
            requires=("cin_assessment", "cin_s47", "cin_cpp", "cin_plan"),
            note="assessment start and authorisation, S47 start, initial conference (episode "
            "and S47), CP plan end and CIN plan start and end dates checked",
        ),
        cin_rule(
            "8568",
            "cin_details",
            "ReferralNFA",
            "RNFA flag is missing or invalid",
            F,
            E,
            "SELECT _seq FROM cin_details WHERE referralnfa IS NULL",
            note="the reader turns a value other than true, false, 1 or 0 into no value",
        ),
        cin_rule(
            "8569Q",
            "cin_details",
            "ReferralNFA",
            "A case with referral date before one working day prior to the collection start "
            "date must not be flagged as a no further action case",
            R,
            Q,
            f"SELECT d._seq FROM cin_details AS d CROSS JOIN {YEAR} AS y "
            f"WHERE d.referralnfa = true "
            f"AND d.cinreferraldate < {working_days_before('y.start_date', 1)}",
            requires=(*Y, WORKING_DAYS),
            note="working days from SafePlan's England and Wales calendar",
        ),
        cin_rule(
            "8585Q",
            "cin_details",
            "ReasonForClosure",
            "Please check and either amend or provide a reason: CIN episode shows Died as the "
            "Closure Reason, however child has no recorded Date of Death",
            R,
            Q,
            "SELECT d._seq FROM cin_details AS d JOIN cin_child AS c ON c._seq = d._parent "
            "WHERE upper(trim(d.reasonforclosure)) = 'RC2' AND c.persondeathdate IS NULL",
            requires=("cin_child",),
        ),
        cin_rule(
            "8816",
            "cin_details",
            "CINreferralDate",
            "An open CIN episode is shown and case is not a referral with no further action, "
            "but it is not the latest episode.",
            R,
            E,
            "SELECT _seq FROM (SELECT _seq, cinclosuredate, referralnfa, cinreferraldate, "
            "max(cinreferraldate) OVER (PARTITION BY _parent) AS latest FROM cin_details) "
            "WHERE cinclosuredate IS NULL AND referralnfa = false AND cinreferraldate < latest",
        ),
        cin_rule(
            "8825Q",
            "cin_details",
            "ReasonForClosure",
            "Please check and either amend data or provide a reason: Reason for Closure code "
            "RC8 (case closed after assessment) or RC9 (case closed after assessment, referred "
            "to early help) has been returned but there is no assessment present for the "
            "episode.",
            R,
            Q,
            "SELECT d._seq FROM cin_details AS d "
            "WHERE upper(trim(d.reasonforclosure)) IN ('RC8', 'RC9') "
            "AND NOT EXISTS (SELECT 1 FROM cin_assessment AS a WHERE a._parent = d._seq)",
            requires=("cin_assessment",),
        ),
        cin_rule(
            "8831",
            "cin_details",
            "ReferralNFA",
            "Activity is recorded against a case marked as a referral with no further action",
            R,
            E,
            "SELECT d._seq FROM cin_details AS d WHERE d.referralnfa = true AND ("
            "d.dateofinitialcpc IS NOT NULL OR "
            + _any(
                "cin_assessment",
                "x.assessmentactualstartdate IS NOT NULL "
                "OR x.assessmentauthorisationdate IS NOT NULL",
            )
            + " OR "
            + _any("cin_s47", "x.s47actualstartdate IS NOT NULL OR x.dateofinitialcpc IS NOT NULL")
            + ")",
            requires=("cin_assessment", "cin_s47"),
        ),
        cin_rule(
            "8867",
            "cin_details",
            "CINclosureDate",
            "CIN episode is shown as closed, however Assessment is not shown as completed",
            R,
            E,
            "SELECT d._seq FROM cin_details AS d WHERE d.cinclosuredate IS NOT NULL AND "
            + _any("cin_assessment", "x.assessmentauthorisationdate IS NULL"),
            requires=("cin_assessment",),
        ),
        cin_rule(
            "8868",
            "cin_details",
            "CINclosureDate",
            "CIN episode is shown as closed, however Section 47 enquiry is not shown as "
            "completed by ICPC date or ICPC not required flag",
            R,
            E,
            "SELECT d._seq FROM cin_details AS d WHERE d.cinclosuredate IS NOT NULL AND "
            + _any("cin_s47", "x.dateofinitialcpc IS NULL AND x.icpcnotrequired IS NOT TRUE"),
            requires=("cin_s47",),
        ),
        cin_rule(
            "2990",
            "cin_details",
            "ReasonForClosure",
            "Activity is recorded against a case marked as ‘Case closed after assessment, no "
            "further action’ or 'case closed after assessment, referred to early help'.",
            R,
            E,
            "SELECT d._seq FROM cin_details AS d "
            "WHERE upper(trim(d.reasonforclosure)) IN ('RC8', 'RC9') AND ("
            "d.dateofinitialcpc IS NOT NULL OR "
            + " OR ".join(_any(t, "true") for t in ("cin_s47", "cin_cpp", "cin_plan"))
            + ")",
            requires=("cin_s47", "cin_cpp", "cin_plan"),
        ),
    )


RULES: tuple[Rule, ...] = build()
