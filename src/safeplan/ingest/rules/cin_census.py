"""DfE CIN census validation rules, as SQL over the CIN staging tables.

Codes and messages are the DfE's (Children in need census 2023 to 2024 validation rules,
the year whose schema, ``CIN_schema_2024.xsd``, the readers use: it still has GenderCurrent).
The wording was checked against two independent transcriptions of the DfE rule sheet:
data-to-insight/csc-validator-be-cin (``cin_validator/rules/cin2022_23/rule_<code>.py``) and
the CIN import-export validation script by Bristol City Council (in that repository's
history). The SQL is SafePlan's own. Code lists come from the vendored XSD, so they follow
the schema the file was validated against.
"""

# The SQL here is composed only from constants of this module and the vendored specs,
# never from a file or a user, so the string-built-query check does not apply.

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

from safeplan.ingest import years
from safeplan.ingest.findings import Level, Severity
from safeplan.ingest.rules.base import Rule, blank, not_in_codes

SOURCE = "cin_census"
D2I = "data-to-insight/csc-validator-be-cin cin_validator/rules/cin2022_23/rule_{code}.py"
D2I_2025 = "data-to-insight/csc-validator-be-cin cin_validator/rules/cin2024_25/rule_{code}.py"
BRISTOL = "the Bristol CIN import-export validation script (rule {code})"

# The census year: ReferenceDate (31 March) and the 1 April a year before it.
CENSUS = (
    "(SELECT max(referencedate) AS ref_end, "
    "CAST(max(referencedate) - INTERVAL 1 YEAR + INTERVAL 1 DAY AS DATE) AS ref_start "
    "FROM cin_header) AS census"
)


@cache
def xsd_codes() -> dict[str, tuple[str, ...]]:
    """Each enumerated simpleType of the vendored CIN schema, by type name."""
    text = (files("safeplan.ingest") / "specs" / "CIN_schema_2024.xsd").read_text("utf-8")
    types: dict[str, tuple[str, ...]] = {}
    for match in re.finditer(r'<xs:simpleType name="(\w+)">(.*?)</xs:simpleType>', text, re.S):
        values = re.findall(r'<xs:enumeration value="([^"]*)"', match.group(2))
        if values:
            types[match.group(1)] = tuple(values)
    return types


def _rule(
    code: str,
    table: str,
    field: str,
    message: str,
    level: Level,
    severity: Severity,
    sql: str,
    *,
    requires: tuple[str, ...] = (),
    wording: str = D2I,
    note: str = "",
    since: int | None = None,
    until: int | None = None,
) -> Rule:
    """A CIN census rule citing the DfE rule sheet of the year it was added or last changed
    in (2023-24 for the rules every year shares) and the transcription its wording follows."""
    year = since or until or 2024
    folder = "cin2022_23" if since is None else f"cin{since - 1}_{since % 100:02d}"
    reference = (
        f"DfE Children in need census {year - 1} to {year}: validation rules, rule {code}; "
        f"wording as in {wording.format(code=code).replace('cin2022_23', folder)}"
    )
    if note:
        reference += f"; {note}"
    return Rule(
        code,
        SOURCE,
        table,
        field,
        message,
        level,
        severity,
        sql,
        reference,
        requires,
        since,
        until,
    )


cin_rule = _rule
"""The CIN rule factory, shared by the CIN rule modules (cin_children, cin_referrals, ...)."""


F, R = Level.field, Level.record
E, W, Q = Severity.error, Severity.warning, Severity.query
HDR = ("cin_header",)


def codes(type_name: str) -> tuple[str, ...]:
    """The codes of one of the vendored schema's enumerated types."""
    return xsd_codes()[type_name]


def _codes(type_name: str) -> tuple[str, ...]:
    return xsd_codes()[type_name]


def build() -> tuple[Rule, ...]:
    """The CIN census rules, in the order of the return's modules."""
    return (
        # ChildIdentifiers and ChildCharacteristics
        _rule(
            "8500",
            "cin_child",
            "LAchildID",
            "LA Child ID missing",
            F,
            E,
            f"SELECT _seq FROM cin_child WHERE {blank('lachildid')}",
        ),
        _rule(
            "8510",
            "cin_child",
            "LAchildID",
            "More than one child record with the same LA Child ID",
            R,
            E,
            "SELECT _seq FROM (SELECT _seq, count(*) OVER (PARTITION BY trim(lachildid)) AS n "
            f"FROM cin_child WHERE NOT {blank('lachildid')}) WHERE n > 1",
        ),
        _rule(
            "8520",
            "cin_child",
            "PersonBirthDate",
            "Date of Birth is after data collection period (must be on or before the end of "
            "the census period)",
            F,
            E,
            f"SELECT c._seq FROM cin_child AS c CROSS JOIN {CENSUS} "
            "WHERE c.personbirthdate > census.ref_end",
            requires=HDR,
        ),
        _rule(
            "8525",
            "cin_child",
            "PersonBirthDate",
            "Either Date of Birth or Expected Date of Birth must be provided (but not both)",
            R,
            E,
            "SELECT _seq FROM cin_child "
            "WHERE (personbirthdate IS NULL) = (expectedpersonbirthdate IS NULL)",
        ),
        _rule(
            "4180",
            "cin_child",
            "GenderCurrent",
            "Gender is missing",
            F,
            E,
            "SELECT _seq FROM cin_child WHERE "
            + not_in_codes("gendercurrent", _codes("gendertype"), blank_allowed=False),
            note="checks the value is present and one of the schema's gender codes",
            until=2024,
        ),
        _rule(
            "4180",
            "cin_child",
            "Sex",
            "Sex must be provided and equal M, F, or U",
            F,
            E,
            "SELECT _seq FROM cin_child WHERE "
            + not_in_codes("sex", years.CIN_SEX, blank_allowed=False),
            wording=D2I_2025,
            note="from 2024-25 <Sex> (N00783) replaces <GenderCurrent>",
            since=2025,
        ),
        _rule(
            "8750",
            "cin_child",
            "GenderCurrent",
            "Gender must equal 0 for an unborn child",
            R,
            W,
            "SELECT _seq FROM cin_child WHERE personbirthdate IS NULL "
            "AND expectedpersonbirthdate IS NOT NULL "
            "AND NULLIF(trim(gendercurrent), '') IS DISTINCT FROM '0'",
            until=2024,
        ),
        _rule(
            "8750",
            "cin_child",
            "Sex",
            "Sex must equal U for an unborn child",
            R,
            W,
            "SELECT _seq FROM cin_child WHERE personbirthdate IS NULL "
            "AND expectedpersonbirthdate IS NOT NULL "
            "AND NULLIF(trim(sex), '') IS DISTINCT FROM 'U'",
            wording=D2I_2025,
            since=2025,
        ),
        _rule(
            "4220",
            "cin_child",
            "Ethnicity",
            "Ethnicity is missing or invalid (see Ethnicity table)",
            F,
            E,
            "SELECT _seq FROM cin_child WHERE "
            + not_in_codes("ethnicity", _codes("ethnicitytype"), blank_allowed=False),
        ),
        _rule(
            "8540",
            "cin_disability",
            "Disability",
            "Child’s disability is missing or invalid (see Disability table)",
            F,
            E,
            "SELECT _seq FROM cin_disability WHERE "
            + not_in_codes("disability", _codes("disabilitytype"), blank_allowed=False),
            note="checked per Disability value; a child with no Disability element at all is "
            "left to the schema check. The data-to-insight rule checks only children with a "
            "ReferralNFA written 'false' or '0', so an invalid code on a child whose flag is "
            "'FALSE' (valid in the schema) is missed",
        ),
        _rule(
            "8590",
            "cin_child",
            "LAchildID",
            "Child does not have a recorded CIN episode.",
            R,
            W,
            "SELECT c._seq FROM cin_child AS c "
            "WHERE NOT EXISTS (SELECT 1 FROM cin_details AS d WHERE d._parent = c._seq)",
            requires=("cin_details",),
        ),
        # CINdetails
        _rule(
            "8600",
            "cin_details",
            "CINreferralDate",
            "Child referral date missing or after data collection period",
            F,
            E,
            f"SELECT d._seq FROM cin_details AS d CROSS JOIN {CENSUS} "
            "WHERE d.cinreferraldate IS NULL OR d.cinreferraldate > census.ref_end",
            requires=HDR,
        ),
        _rule(
            "8606",
            "cin_details",
            "CINreferralDate",
            "Child referral date is more than 40 weeks before DOB or expected DOB",
            R,
            E,
            "SELECT d._seq FROM cin_details AS d JOIN cin_child AS c ON c._seq = d._parent "
            "WHERE d.cinreferraldate < c.personbirthdate - INTERVAL 280 DAY "
            "OR d.cinreferraldate < c.expectedpersonbirthdate - INTERVAL 280 DAY",
            requires=("cin_child",),
        ),
        _rule(
            "8866",
            "cin_details",
            "ReferralSource",
            "Source of Referral is missing or an invalid code",
            F,
            E,
            "SELECT _seq FROM cin_details WHERE cinreferraldate >= DATE '2013-04-01' AND "
            + not_in_codes("referralsource", _codes("referralsourcetype"), blank_allowed=False),
            note="applies to referrals from 1 April 2013, as the DfE rule does",
        ),
        _rule(
            "8610",
            "cin_details",
            "PrimaryNeedCode",
            "Primary Need code is missing for a referral which led to further action",
            R,
            E,
            "SELECT _seq FROM cin_details "
            f"WHERE referralnfa = false AND {blank('primaryneedcode')}",
        ),
        _rule(
            "8650",
            "cin_details",
            "PrimaryNeedCode",
            "Primary Need Code invalid (see Primary Need table in CIN census code set)",
            F,
            E,
            "SELECT _seq FROM cin_details WHERE "
            + not_in_codes("primaryneedcode", _codes("primaryneedcodetype"), blank_allowed=True),
        ),
        _rule(
            "8620",
            "cin_details",
            "CINclosureDate",
            "CIN Closure Date present and does not fall within the Census year",
            F,
            W,
            f"SELECT d._seq FROM cin_details AS d CROSS JOIN {CENSUS} "
            "WHERE d.cinclosuredate NOT BETWEEN census.ref_start AND census.ref_end",
            requires=HDR,
        ),
        _rule(
            "8630",
            "cin_details",
            "CINclosureDate",
            "CIN Closure Date is before CIN Referral Date for the same CIN episode",
            R,
            E,
            "SELECT _seq FROM cin_details WHERE cinclosuredate < cinreferraldate",
        ),
        _rule(
            "8640",
            "cin_details",
            "ReasonForClosure",
            "CIN Reason for closure code invalid (see Reason for Closure table in CIN Census "
            "code set)",
            F,
            E,
            "SELECT _seq FROM cin_details WHERE "
            + not_in_codes("reasonforclosure", _codes("reasonforclosuretype"), blank_allowed=True),
        ),
        _rule(
            "8805",
            "cin_details",
            "ReasonForClosure",
            "A CIN case cannot have a CIN closure date without a Reason for Closure",
            R,
            W,
            "SELECT _seq FROM cin_details "
            f"WHERE cinclosuredate IS NOT NULL AND {blank('reasonforclosure')}",
        ),
        _rule(
            "8810",
            "cin_details",
            "CINclosureDate",
            "A CIN case cannot have a Reason for Closure without a CIN Closure Date",
            R,
            W,
            "SELECT _seq FROM cin_details "
            f"WHERE cinclosuredate IS NULL AND NOT {blank('reasonforclosure')}",
        ),
        _rule(
            "8815",
            "cin_details",
            "CINclosureDate",
            "More than one open CIN Details episode (a module with no CIN Closure Date) has been "
            "provided for this child and case is not a referral with no further action.",
            R,
            E,
            "SELECT _seq FROM (SELECT _seq, count(*) OVER (PARTITION BY _parent) AS n "
            "FROM cin_details WHERE cinclosuredate IS NULL AND referralnfa = false) WHERE n > 1",
        ),
        _rule(
            "8820",
            "cin_details",
            "CINreferralDate",
            "The dates on the CIN episodes for this child overlap",
            R,
            E,
            "SELECT a._seq FROM cin_details AS a "
            "JOIN cin_details AS b ON a._parent = b._parent AND a._seq <> b._seq "
            f"CROSS JOIN {CENSUS} "
            "WHERE a.cinreferraldate >= b.cinreferraldate AND (a.cinreferraldate < "
            "b.cinclosuredate OR (b.cinclosuredate IS NULL AND b.referralnfa = false "
            "AND a.cinreferraldate <= census.ref_end))",
            requires=HDR,
            note="an episode may start on the day the previous one closed, as the DfE note says",
        ),
        # Assessments
        _rule(
            "8608",
            "cin_assessment",
            "AssessmentAuthorisationDate",
            "Assessment Start Date cannot be later than its End Date",
            R,
            E,
            "SELECT _seq FROM cin_assessment "
            "WHERE assessmentactualstartdate > assessmentauthorisationdate",
        ),
        _rule(
            "1103",
            "cin_assessment",
            "AssessmentActualStartDate",
            "The assessment start date cannot be before the referral date",
            R,
            E,
            "SELECT a._seq FROM cin_assessment AS a JOIN cin_details AS d ON d._seq = a._parent "
            "WHERE a.assessmentactualstartdate < d.cinreferraldate",
            requires=("cin_details",),
            wording=BRISTOL,
        ),
        _rule(
            "8696",
            "cin_assessment",
            "AssessmentAuthorisationDate",
            "Assessment end date must fall within the census year",
            F,
            W,
            f"SELECT a._seq FROM cin_assessment AS a CROSS JOIN {CENSUS} WHERE "
            "a.assessmentauthorisationdate NOT BETWEEN census.ref_start AND census.ref_end",
            requires=HDR,
        ),
        _rule(
            "8736",
            "cin_assessment",
            "AssessmentActualStartDate",
            "For an Assessment that has not been completed, the start date must fall within the "
            "census year",
            R,
            W,
            f"SELECT a._seq FROM cin_assessment AS a CROSS JOIN {CENSUS} "
            "WHERE a.assessmentauthorisationdate IS NULL AND "
            "a.assessmentactualstartdate NOT BETWEEN census.ref_start AND census.ref_end",
            requires=HDR,
        ),
        _rule(
            "8614",
            "cin_assessment_factor",
            "AssessmentFactors",
            "Parental or child factors at assessment should only be present for a completed "
            "assessment.",
            R,
            E,
            "SELECT f._seq FROM cin_assessment_factor AS f "
            "JOIN cin_assessment AS a ON a._seq = f._parent "
            "WHERE a.assessmentauthorisationdate IS NULL",
            requires=("cin_assessment",),
            note="flags the factors, which the measures would otherwise count",
        ),
        _rule(
            "8617",
            "cin_assessment_factor",
            "AssessmentFactors",
            "Code 8A has been returned. This code is not a valid code.",
            F,
            E,
            "SELECT _seq FROM cin_assessment_factor WHERE upper(trim(assessmentfactors)) = '8A'",
        ),
        _rule(
            "8898",
            "cin_assessment_factor",
            "AssessmentFactors",
            "The assessment has more than one parental or child factors with the same code",
            R,
            W,
            "SELECT _seq FROM (SELECT _seq, count(*) OVER (PARTITION BY _parent, "
            "trim(assessmentfactors)) AS n FROM cin_assessment_factor) WHERE n > 1",
            wording=BRISTOL,
        ),
        # Section47
        _rule(
            "8615",
            "cin_s47",
            "S47ActualStartDate",
            "Section 47 Enquiry Start Date must be present and cannot be later than the date of "
            "the initial Child Protection Conference",
            R,
            E,
            "SELECT _seq FROM cin_s47 WHERE dateofinitialcpc IS NOT NULL "
            "AND (s47actualstartdate IS NULL OR s47actualstartdate > dateofinitialcpc)",
        ),
        _rule(
            "2889",
            "cin_s47",
            "S47ActualStartDate",
            "The S47 start date cannot be before the referral date.",
            R,
            E,
            "SELECT s._seq FROM cin_s47 AS s JOIN cin_details AS d ON d._seq = s._parent "
            "WHERE s.s47actualstartdate < d.cinreferraldate",
            requires=("cin_details",),
            wording=BRISTOL,
        ),
        _rule(
            "1104",
            "cin_s47",
            "DateOfInitialCPC",
            "The date of the initial child protection conference cannot be before the referral "
            "date",
            R,
            E,
            "SELECT s._seq FROM cin_s47 AS s JOIN cin_details AS d ON d._seq = s._parent "
            "WHERE s.dateofinitialcpc < d.cinreferraldate",
            requires=("cin_details",),
            wording=BRISTOL,
            note="checked on the Section47 conference date",
        ),
        _rule(
            "8715",
            "cin_s47",
            "DateOfInitialCPC",
            "Date of Initial Child Protection Conference must fall within the census year",
            F,
            W,
            f"SELECT s._seq FROM cin_s47 AS s CROSS JOIN {CENSUS} "
            "WHERE s.dateofinitialcpc NOT BETWEEN census.ref_start AND census.ref_end",
            requires=HDR,
        ),
        _rule(
            "8740",
            "cin_s47",
            "S47ActualStartDate",
            "For a Section 47 Enquiry that has not held the Initial Child Protection Conference "
            "by the end of the census year, the start date must fall within the census year",
            R,
            W,
            f"SELECT s._seq FROM cin_s47 AS s CROSS JOIN {CENSUS} "
            "WHERE s.dateofinitialcpc IS NULL AND s.icpcnotrequired = false "
            "AND s.s47actualstartdate NOT BETWEEN census.ref_start AND census.ref_end",
            requires=HDR,
        ),
        # ChildProtectionPlans
        _rule(
            "8720",
            "cin_cpp",
            "CPPstartDate",
            "Child Protection Plan Start Date missing or out of data collection period",
            F,
            E,
            f"SELECT p._seq FROM cin_cpp AS p CROSS JOIN {CENSUS} "
            "WHERE p.cppstartdate IS NULL OR p.cppstartdate > census.ref_end",
            requires=HDR,
        ),
        _rule(
            "8925",
            "cin_cpp",
            "CPPendDate",
            "Child Protection Plan End Date earlier than Start Date",
            R,
            E,
            "SELECT _seq FROM cin_cpp WHERE cppenddate < cppstartdate",
        ),
        _rule(
            "8840",
            "cin_cpp",
            "CPPendDate",
            "Child Protection Plan cannot start and end on the same day",
            R,
            W,
            "SELECT _seq FROM cin_cpp WHERE cppenddate = cppstartdate",
        ),
        _rule(
            "8930",
            "cin_cpp",
            "CPPendDate",
            "Child Protection Plan End Date must fall within the census year",
            F,
            W,
            f"SELECT p._seq FROM cin_cpp AS p CROSS JOIN {CENSUS} "
            "WHERE p.cppenddate NOT BETWEEN census.ref_start AND census.ref_end",
            requires=HDR,
            wording=BRISTOL,
        ),
        _rule(
            "1105",
            "cin_cpp",
            "CPPstartDate",
            "The child protection plan start date cannot be before the referral date",
            R,
            E,
            "SELECT p._seq FROM cin_cpp AS p JOIN cin_details AS d ON d._seq = p._parent "
            "WHERE p.cppstartdate < d.cinreferraldate",
            requires=("cin_details",),
            wording=BRISTOL,
        ),
        _rule(
            "8905",
            "cin_cpp",
            "InitialCategoryOfAbuse",
            "Initial Category of Abuse code missing or invalid (see Category of Abuse table in "
            "CIN Census code set)",
            F,
            E,
            "SELECT _seq FROM cin_cpp WHERE "
            + not_in_codes(
                "initialcategoryofabuse", _codes("categoryofabuse"), blank_allowed=False
            ),
        ),
        _rule(
            "8910",
            "cin_cpp",
            "LatestCategoryOfAbuse",
            "Latest Category of Abuse code missing or invalid (see Category of Abuse table in "
            "CIN Census code set)",
            F,
            E,
            "SELECT _seq FROM cin_cpp WHERE "
            + not_in_codes("latestcategoryofabuse", _codes("categoryofabuse"), blank_allowed=False),
            wording=BRISTOL,
        ),
        _rule(
            "8730",
            "cin_cpp",
            "NumberOfPreviousCPP",
            "Total Number of previous Child Protection Plans missing",
            F,
            E,
            "SELECT _seq FROM cin_cpp WHERE numberofpreviouscpp IS NULL OR numberofpreviouscpp < 0",
        ),
        _rule(
            "8935",
            "cin_cpp",
            "CPPendDate",
            "This child is showing more than one open Child Protection plan, i.e. with no End Date",
            R,
            E,
            "SELECT _seq FROM (SELECT _seq, count(*) OVER (PARTITION BY _child) AS n "
            "FROM cin_cpp WHERE cppenddate IS NULL) WHERE n > 1",
            wording=BRISTOL,
            note="counted per child, as the DfE message says; the data-to-insight rule "
            "counts open plans per plan (LAchildID and CPPID), so it can never fire",
        ),
        _rule(
            "8940",
            "cin_cpp",
            "CPPstartDate",
            "Child Protection Plan data contains overlapping dates",
            R,
            E,
            "SELECT a._seq FROM cin_cpp AS a "
            "JOIN cin_cpp AS b ON a._child = b._child AND a._seq <> b._seq "
            f"CROSS JOIN {CENSUS} WHERE a.cppstartdate >= b.cppstartdate "
            "AND a.cppstartdate <= coalesce(b.cppenddate, census.ref_end)",
            requires=HDR,
        ),
        _rule(
            "8832",
            "cin_cpp",
            "CPPstartDate",
            "Child Protection details provided for a referral with no further action",
            R,
            W,
            "SELECT p._seq FROM cin_cpp AS p JOIN cin_details AS d ON d._seq = p._parent "
            "WHERE d.referralnfa = true",
            requires=("cin_details",),
            wording=BRISTOL,
        ),
        _rule(
            "8841",
            "cin_cpp_review",
            "CPPreviewDate",
            "The review date cannot be on the same day or before the Child protection Plan start "
            "date.",
            R,
            W,
            "SELECT r._seq FROM cin_cpp_review AS r JOIN cin_cpp AS p ON p._seq = r._parent "
            "WHERE r.cppreviewdate <= p.cppstartdate",
            requires=("cin_cpp",),
            wording=BRISTOL,
        ),
        # CINPlanDates
        _rule(
            "4011",
            "cin_plan",
            "CINPlanEndDate",
            "CIN Plan End Date earlier than Start Date",
            R,
            W,
            "SELECT _seq FROM cin_plan WHERE cinplanenddate < cinplanstartdate",
            wording=BRISTOL,
        ),
    )


RULES: tuple[Rule, ...] = build()
