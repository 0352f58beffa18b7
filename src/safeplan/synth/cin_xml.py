"""CIN census XML, one message per collection year, written incrementally with lxml.

Each child is shown as at the year's reference date (31 March): dates after it are not yet
known. The element order follows the sequences of the DfE schema (CIN_schema_2024.xsd).
"""

from __future__ import annotations

from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Any

from lxml import etree

from safeplan.ingest import years
from safeplan.synth import params as P
from safeplan.synth.population import Child, Referral, year_bounds

# The DfE counts previous plans from 0 (rule 8730 refuses only a missing or negative count);
# the vendored schema is corrected to match (see its NumberOfPreviousCPP comment).
MIN_PREVIOUS_CPP = 0


SEX_CODES = {"1": "M", "2": "F", "0": "U", "9": "U"}  # GenderCurrent → Sex (2024-25 on)


def _d(day: date) -> str:
    return day.isoformat()


def _sub(parent: etree._Element, tag: str, text: str) -> None:
    etree.SubElement(parent, tag).text = text


def _known(day: date | None, ref_date: date) -> date | None:
    return day if day is not None and day <= ref_date else None


def _episode_in_year(ref: Referral, start: date, end: date) -> bool:
    return ref.date <= end and (ref.closure is None or ref.closure >= start)


def child_element(child: Child, year: int) -> etree._Element | None:
    """The Child element for this collection year, or None when the child is not in it."""
    start, end = year_bounds(year)
    episodes = [r for r in child.referrals if _episode_in_year(r, start, end)]
    if not episodes:
        return None
    el = etree.Element("Child")
    ids = etree.SubElement(el, "ChildIdentifiers")
    _sub(ids, "LAchildID", child.child_id)
    if child.age_on(end) >= 4:
        _sub(ids, "UPN", child.upn)
    else:
        _sub(ids, "UPNunknown", "UN1")
    _sub(ids, "PersonBirthDate", _d(child.dob))
    lay = years.layout("cin_census", year)
    if lay is not None and lay.sex_field == "Sex":  # 2024-25 on: <Sex> M, F, U (N00783)
        _sub(ids, "Sex", SEX_CODES[child.sex])
    else:
        _sub(ids, "GenderCurrent", child.sex)
    chars = etree.SubElement(el, "ChildCharacteristics")
    _sub(chars, "Ethnicity", child.ethnicity)
    dis = etree.SubElement(chars, "Disabilities")
    for code in child.disabilities or ("NONE",):
        _sub(dis, "Disability", code)
    for ref in episodes:
        el.append(_details(ref, start, end))
    return el


def _details(ref: Referral, start: date, end: date) -> etree._Element:
    det = etree.Element("CINdetails")
    _sub(det, "CINreferralDate", _d(ref.date))
    _sub(det, "ReferralSource", ref.source)
    closure = _known(ref.closure, end)
    assessments = [a for a in ref.assessments if a.start <= end]
    if ref.primary_need is not None:  # DfE rule 8610: required once a referral goes further
        _sub(det, "PrimaryNeedCode", ref.primary_need)
    if closure is not None:
        _sub(det, "CINclosureDate", _d(closure))
        _sub(det, "ReasonForClosure", ref.reason or "RC7")
    for a in assessments:
        auth = _known(a.authorised, end)
        if auth is not None and auth < start:
            continue  # completed in an earlier year
        node = etree.SubElement(det, "Assessments")
        _sub(node, "AssessmentActualStartDate", _d(a.start))
        if auth is not None:
            _sub(node, "AssessmentAuthorisationDate", _d(auth))
            factors = etree.SubElement(node, "FactorsIdentifiedAtAssessment")
            for f in a.factors:
                _sub(factors, "AssessmentFactors", f)
    for p_start, p_end in ref.cin_plans:
        known_end = _known(p_end, end)
        if p_start > end or (known_end is not None and known_end < start):
            continue
        node = etree.SubElement(det, "CINPlanDates")
        _sub(node, "CINPlanStartDate", _d(p_start))
        if known_end is not None:
            _sub(node, "CINPlanEndDate", _d(known_end))
    for s in ref.s47s:
        icpc = _known(s.icpc, end)
        if (
            s.start > end
            or (icpc is not None and icpc < start)
            or (s.concluded is not None and s.concluded < start)
        ):
            continue
        node = etree.SubElement(det, "Section47")
        _sub(node, "S47ActualStartDate", _d(s.start))
        _sub(node, "InitialCPCtarget", _d(s.icpc_target))
        if icpc is not None:
            _sub(node, "DateOfInitialCPC", _d(icpc))
        # Not required only once decided: the enquiry concluded without a conference.
        not_required = s.concluded is not None and s.concluded <= end
        _sub(node, "ICPCnotRequired", "true" if not_required else "false")
    _sub(det, "ReferralNFA", "true" if ref.nfa else "false")
    for plan in ref.cpps:
        plan_end = _known(plan.end, end)
        if plan.start > end or (plan_end is not None and plan_end < start):
            continue
        node = etree.SubElement(det, "ChildProtectionPlans")
        _sub(node, "CPPstartDate", _d(plan.start))
        if plan_end is not None:
            _sub(node, "CPPendDate", _d(plan_end))
        _sub(node, "InitialCategoryOfAbuse", plan.initial)
        latest = plan.latest if plan.latest_from <= end else plan.initial
        _sub(node, "LatestCategoryOfAbuse", latest)
        _sub(node, "NumberOfPreviousCPP", str(max(plan.previous, MIN_PREVIOUS_CPP)))
        reviews = [r for r in plan.reviews if start <= r <= end]
        if reviews:
            rev = etree.SubElement(node, "Reviews")
            for r in reviews:
                _sub(rev, "CPPreviewDate", _d(r))
    return det


class CinWriters:
    """One open XML message per collection year; children are appended as they come."""

    def __init__(self, out: Path, years: list[int], stack: ExitStack) -> None:
        out.mkdir(parents=True, exist_ok=True)
        self.paths: dict[int, Path] = {}
        self.files: dict[int, Any] = {}
        self.counts: dict[int, int] = dict.fromkeys(years, 0)
        for year in years:
            path = out / f"cin_census_{year}.xml"
            self.paths[year] = path
            xf = stack.enter_context(etree.xmlfile(str(path), encoding="utf-8"))
            xf.write_declaration()
            stack.enter_context(xf.element("Message"))
            xf.write(_header(year), pretty_print=True)
            stack.enter_context(xf.element("Children"))
            self.files[year] = xf

    def write(self, child: Child) -> None:
        for year, xf in self.files.items():
            el = child_element(child, year)
            if el is not None:
                xf.write(el, pretty_print=True)
                self.counts[year] += 1


def _header(year: int) -> etree._Element:
    header = etree.Element("Header")
    details = etree.SubElement(header, "CollectionDetails")
    _sub(details, "Collection", "CIN")
    _sub(details, "Year", str(year))
    _sub(details, "ReferenceDate", f"{year}-03-31")
    source = etree.SubElement(header, "Source")
    _sub(source, "SourceLevel", "L")
    _sub(source, "LEA", P.LEA_CODE)
    _sub(source, "SoftwareCode", "SafePlan synthetic data")
    _sub(source, "Release", "1")
    _sub(source, "SerialNo", "001")
    _sub(source, "DateTime", f"{year}-05-15T09:00:00")  # fixed: no wall clock
    return header
