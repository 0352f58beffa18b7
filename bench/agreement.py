"""Agreement with the field's DfE-rule validators, rule by rule (issue 12).

Not part of ``make test``: ``make agreement`` installs the validators (data-to-insight's
``csc-validator-be-cin`` and ``csc-validator-be-903``) into their own environment
(``.venv-validators``; they need Python 3.11 and pandas 1.x, so never SafePlan's), then:

1. writes a synthetic 2,000-child partnership for one collection year (``safeplan synth``);
2. validates the clean CIN census and SSDA903 set with SafePlan and with the validators
   (SafePlan given the synthetic world's reference lists and council, ``reference/``, so its
   place and provider rules run; the validators use their own ONS postcode package, in which
   no synthetic postcode is, so their place rules flag every placement: docs/data.md);
3. injects 40+ errors, each into its own child (``INJECTIONS``: what is wrong and the DfE
   rule it breaks), and validates again;
4. records in ``bench/results/agreement.json``, per rule, the findings of each on the clean
   and the injected returns, and per injected error, the rules each flagged on that child
   that it had not flagged on the clean return — so "SafePlan catches every error the
   validators catch" is a line to read, not a claim.

Why out of process: the validators pin pandas 1.x and their own dependencies; SafePlan
calls them as a council would, on files.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from lxml import etree

from bench.validation import references
from safeplan.ingest.findings import FileRefused
from safeplan.ingest.pipeline import check_batch
from safeplan.ingest.presubmission import RUNNER
from safeplan.ingest.reference import References
from safeplan.synth import generate

RESULTS = Path(__file__).with_name("results")

YEAR = int(os.environ.get("SAFEPLAN_AGREEMENT_YEAR", "2025"))
CHILDREN = int(os.environ.get("SAFEPLAN_AGREEMENT_CHILDREN", "2000"))


# --- injected errors -----------------------------------------------------------------------

Xml = Any  # an lxml element
CinEdit = Callable[[Xml], bool]  # edits one <Child>; False when the child does not suit
Rows = dict[str, list[dict[str, str]]]  # 903 file stem → rows
S903Edit = Callable[[Rows, str], bool]  # edits one child's rows; False when it does not suit


@dataclass(frozen=True)
class Injection:
    """One error put into one child's records, and the DfE rule it is aimed at."""

    name: str
    rule: str  # the DfE rule the error breaks, as the DfE numbers it
    what: str
    cin: CinEdit | None = None
    s903: S903Edit | None = None
    becomes: str | None = None  # the child's identifier after the edit, where it changes it


def _find(child: Xml, path: str) -> list[Xml]:
    return list(child.iterfind(path))


def _set(child: Xml, path: str, value: str) -> bool:
    found = _find(child, path)
    if not found:
        return False
    found[0].text = value
    return True


def _iso(day: date) -> str:
    return day.isoformat()


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def _weekend_icpc(child: Xml) -> bool:
    found = _find(child, "CINdetails/Section47/DateOfInitialCPC")
    if not found or (day := _day(found[0].text)) is None:
        return False
    found[0].text = _iso(day + timedelta(days=(5 - day.weekday()) % 7 or 7))  # a Saturday
    return True


def _assessment_inside_open_one(child: Xml) -> bool:
    for details in _find(child, "CINdetails"):
        for a in _find(details, "Assessments"):
            start = _day(a.findtext("AssessmentActualStartDate"))
            end = _day(a.findtext("AssessmentAuthorisationDate"))
            if start and end and (end - start).days > 4:
                second: Xml = etree.fromstring(etree.tostring(a))
                _set(second, "AssessmentActualStartDate", _iso(start + timedelta(days=2)))
                a.addnext(second)
                return True
    return False


def _activity_after_closure(child: Xml) -> bool:
    for details in _find(child, "CINdetails"):
        closed = _day(details.findtext("CINclosureDate"))
        starts = _find(details, "Assessments/AssessmentActualStartDate")
        if closed and starts:
            starts[0].text = _iso(closed + timedelta(days=3))
            return True
    return False


def _closure_before_referral(child: Xml) -> bool:
    for details in _find(child, "CINdetails"):
        referred = _day(details.findtext("CINreferralDate"))
        closure = details.find("CINclosureDate")
        if referred and closure is not None:
            closure.text = _iso(referred - timedelta(days=5))
            return True
    return False


def _birth_after_reference(child: Xml) -> bool:
    return _set(child, "ChildIdentifiers/PersonBirthDate", f"{YEAR}-06-01")


def _no_birth_date(child: Xml) -> bool:
    found = _find(child, "ChildIdentifiers/PersonBirthDate")
    if not found:
        return False
    found[0].getparent().remove(found[0])
    return True


def _cpp_end_before_start(child: Xml) -> bool:
    for cpp in _find(child, "CINdetails/ChildProtectionPlans"):
        start = _day(cpp.findtext("CPPstartDate"))
        end = cpp.find("CPPendDate")
        if start and end is not None:
            end.text = _iso(start - timedelta(days=3))
            return True
    return False


def _review_before_plan(child: Xml) -> bool:
    for cpp in _find(child, "CINdetails/ChildProtectionPlans"):
        start = _day(cpp.findtext("CPPstartDate"))
        reviews = _find(cpp, "Reviews/CPPreviewDate")
        if start and reviews:
            reviews[0].text = _iso(start - timedelta(days=10))
            return True
    return False


def _s47_before_referral(child: Xml) -> bool:
    for details in _find(child, "CINdetails"):
        referred = _day(details.findtext("CINreferralDate"))
        starts = _find(details, "Section47/S47ActualStartDate")
        if referred and starts:
            starts[0].text = _iso(referred - timedelta(days=7))
            return True
    return False


def _authorised_before_start(child: Xml) -> bool:
    for a in _find(child, "CINdetails/Assessments"):
        start = _day(a.findtext("AssessmentActualStartDate"))
        end = a.find("AssessmentAuthorisationDate")
        if start and end is not None:
            end.text = _iso(start - timedelta(days=2))
            return True
    return False


def _only_factor(value: str) -> CinEdit:
    """Replaces the factor of an assessment that has just one, so that no valid factor is
    left (a second, valid one would leave the assessment with its factors identified)."""

    def edit(child: Xml) -> bool:
        for factors in _find(child, "CINdetails/Assessments/FactorsIdentifiedAtAssessment"):
            codes = _find(factors, "AssessmentFactors")
            if len(codes) == 1:
                codes[0].text = value
                return True
        return False

    return edit


def _code(path: str, value: str) -> CinEdit:
    return lambda child: _set(child, path, value)


CIN_INJECTIONS = (
    Injection(
        "icpc-at-a-weekend",
        "8875",
        "an initial child protection conference on a Saturday",
        cin=_weekend_icpc,
    ),
    Injection(
        "assessment-inside-an-open-one",
        "8863Q",
        "a second assessment starting inside an open one",
        cin=_assessment_inside_open_one,
    ),
    Injection(
        "activity-after-closure",
        "8565",
        "an assessment starting after the case closed",
        cin=_activity_after_closure,
    ),
    Injection(
        "closure-before-referral",
        "8640",
        "a CIN closure date before the referral date",
        cin=_closure_before_referral,
    ),
    Injection(
        "birth-after-reference-date",
        "8525",
        "a date of birth after the census reference date",
        cin=_birth_after_reference,
    ),
    Injection(
        "no-birth-date", "8520", "no date of birth nor expected date of birth", cin=_no_birth_date
    ),
    Injection(
        "plan-ends-before-it-starts",
        "8810",
        "a child protection plan ending before it started",
        cin=_cpp_end_before_start,
    ),
    Injection(
        "review-before-plan",
        "8832",
        "a CP plan review before the plan started",
        cin=_review_before_plan,
    ),
    Injection(
        "s47-before-referral",
        "8839",
        "a section 47 enquiry before the referral",
        cin=_s47_before_referral,
    ),
    Injection(
        "authorised-before-start",
        "8617",
        "an assessment authorised before it started",
        cin=_authorised_before_start,
    ),
    Injection(
        "no-la-child-id",
        "8500",
        "a blank LAchildID",
        cin=_code("ChildIdentifiers/LAchildID", ""),
        becomes="",
    ),
    Injection(
        "la-child-id-too-long",
        "8510",
        "an LAchildID of 11 characters",
        cin=_code("ChildIdentifiers/LAchildID", "SYN12345678"),
        becomes="SYN12345678",
    ),
    Injection(
        "bad-upn",
        "1530",
        "a UPN with a wrong check letter",
        cin=_code("ChildIdentifiers/UPN", "A999900000001"),
    ),
    Injection(
        "bad-ethnicity",
        "8590",
        "an ethnicity code not in the list",
        cin=_code("ChildCharacteristics/Ethnicity", "XXXX"),
    ),
    Injection(
        "bad-disability",
        "8600",
        "a disability code not in the list",
        cin=_code("ChildCharacteristics/Disabilities/Disability", "ZZZ"),
    ),
    Injection(
        "bad-primary-need",
        "8810",
        "a primary need code not in the list",
        cin=_code("CINdetails/PrimaryNeedCode", "N11"),
    ),
    Injection(
        "bad-referral-source",
        "8614",
        "a referral source not in the list",
        cin=_code("CINdetails/ReferralSource", "9Z"),
    ),
    Injection(
        "bad-reason-for-closure",
        "8630",
        "a reason for closure not in the list",
        cin=_code("CINdetails/ReasonForClosure", "RC99"),
    ),
    Injection(
        "bad-assessment-factor",
        "8897Q",
        "a completed assessment's only factor not in the list",
        cin=_only_factor("99Z"),
    ),
    Injection(
        "bad-abuse-category",
        "8794",
        "an initial category of abuse not in the list",
        cin=_code("CINdetails/ChildProtectionPlans/InitialCategoryOfAbuse", "XYZ"),
    ),
    Injection(
        "impossible-referral-date",
        "8555",
        "a referral date that is not a date",
        cin=_code("CINdetails/CINreferralDate", "2024-13-01"),
    ),
    Injection(
        "referral-after-reference-date",
        "8610",
        "a referral after the census reference date",
        cin=_code("CINdetails/CINreferralDate", f"{YEAR}-05-01"),
    ),
)


def _cell(
    rows: Rows, stem: str, child: str, column: str, value: str, *, first: bool = True
) -> bool:
    mine = [r for r in rows.get(stem, []) if r["CHILD"] == child and column in r]
    if not mine:
        return False
    (mine[0] if first else mine[-1])[column] = value
    return True


def _uk(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _uk_day(text: str) -> date | None:
    try:
        d, m, y = (int(x) for x in text.split("/"))
        return date(y, m, d)
    except ValueError:
        return None


def _dec_without_rec(rows: Rows, child: str) -> bool:
    for r in rows["episodes"]:
        if r["CHILD"] == child and r["DEC"] and r["REC"]:
            r["REC"] = ""
            return True
    return False


def _dec_after_year(rows: Rows, child: str) -> bool:
    mine = [r for r in rows["episodes"] if r["CHILD"] == child]
    if not mine or not mine[-1]["DEC"]:
        return False
    mine[-1]["DEC"] = _uk(date(YEAR, 4, 20))
    return True


def _dec_before_decom(rows: Rows, child: str) -> bool:
    for r in rows["episodes"]:
        start = _uk_day(r["DECOM"])
        if r["CHILD"] == child and r["DEC"] and start:
            r["DEC"] = _uk(start - timedelta(days=4))
            return True
    return False


def _decom_before_birth(rows: Rows, child: str) -> bool:
    head = [r for r in rows["header"] if r["CHILD"] == child]
    mine = [r for r in rows["episodes"] if r["CHILD"] == child]
    born = _uk_day(head[0]["DOB"]) if head else None
    if not mine or born is None:
        return False
    mine[0]["DECOM"] = _uk(born - timedelta(days=30))
    return True


def _long_emergency_order(rows: Rows, child: str) -> bool:
    for r in rows["episodes"]:
        start, end = _uk_day(r["DECOM"]), _uk_day(r["DEC"]) if r["DEC"] else None
        if r["CHILD"] == child and start and end and (end - start).days > 30:
            r["LS"] = "L1"  # police protection: at most 72 hours
            return True
    return False


def _missing_outlives_care(rows: Rows, child: str) -> bool:
    mine = [r for r in rows["episodes"] if r["CHILD"] == child]
    gone = [r for r in rows.get("missing", []) if r["CHILD"] == child and r["MIS_END"]]
    last = _uk_day(mine[-1]["DEC"]) if mine and mine[-1]["DEC"] else None
    if not gone or last is None:
        return False
    gone[-1]["MIS_END"] = _uk(last + timedelta(days=10))
    return True


def _review_before_care(rows: Rows, child: str) -> bool:
    mine = [r for r in rows["episodes"] if r["CHILD"] == child]
    start = _uk_day(mine[0]["DECOM"]) if mine else None
    reviews = [r for r in rows.get("reviews", []) if r["CHILD"] == child]
    if not reviews or start is None:
        return False
    reviews[0]["REVIEW"] = _uk(start - timedelta(days=20))
    return True


def _duplicate_header(rows: Rows, child: str) -> bool:
    head = [r for r in rows["header"] if r["CHILD"] == child]
    if not head:
        return False
    rows["header"].append(dict(head[0]))
    return True


def _set903(stem: str, column: str, value: str, *, last: bool = False) -> S903Edit:
    return lambda rows, child: _cell(rows, stem, child, column, value, first=not last)


S903_INJECTIONS = (
    Injection(
        "903-bad-sex", "101", "a SEX code not in the list", s903=_set903("header", "SEX", "3")
    ),
    Injection(
        "903-impossible-dob",
        "102",
        "a date of birth that is not a date",
        s903=_set903("header", "DOB", "31/02/2010"),
    ),
    Injection(
        "903-bad-ethnicity",
        "103",
        "an ethnicity code not in the list",
        s903=_set903("header", "ETHNIC", "XXXX"),
    ),
    Injection(
        "903-duplicate-child", "INT32", "the child twice in the header", s903=_duplicate_header
    ),
    Injection(
        "903-impossible-decom",
        "141",
        "an episode start that is not a date",
        s903=_set903("episodes", "DECOM", "32/01/2024"),
    ),
    Injection(
        "903-bad-rne",
        "143",
        "a reason for new episode not in the list",
        s903=_set903("episodes", "RNE", "Z"),
    ),
    Injection(
        "903-bad-legal-status",
        "144",
        "a legal status not in the list",
        s903=_set903("episodes", "LS", "Q9"),
    ),
    Injection(
        "903-bad-placement",
        "146",
        "a placement type not in the list",
        s903=_set903("episodes", "PLACE", "Z9"),
    ),
    Injection(
        "903-dec-without-rec",
        "148",
        "an episode end date with no reason it ended",
        s903=_dec_without_rec,
    ),
    Injection(
        "903-bad-rec",
        "149",
        "a reason episode ceased not in the list",
        s903=_set903("episodes", "REC", "Z9", last=True),
    ),
    Injection(
        "903-dec-after-year",
        "385",
        "an episode ending after the collection year",
        s903=_dec_after_year,
    ),
    Injection(
        "903-dec-before-decom", "356", "an episode ending before it began", s903=_dec_before_decom
    ),
    Injection(
        "903-decom-before-birth",
        "302",
        "the first episode starting before the child was born",
        s903=_decom_before_birth,
    ),
    Injection(
        "903-long-police-protection",
        "361",
        "police protection (L1) lasting weeks",
        s903=_long_emergency_order,
    ),
    Injection(
        "903-missing-outlives-care",
        "577",
        "a missing period ending after the child left care",
        s903=_missing_outlives_care,
    ),
    Injection(
        "903-bad-missing-code",
        "580?",
        "a missing code that is neither M nor A",
        s903=_set903("missing", "MISSING", "X"),
    ),
    Injection(
        "903-impossible-missing-start",
        "581?",
        "a missing start that is not a date",
        s903=_set903("missing", "MIS_START", "00/00/2024"),
    ),
    Injection(
        "903-review-before-care",
        "191?",
        "a review before the child was looked after",
        s903=_review_before_care,
    ),
    Injection(
        "903-bad-review-code",
        "202?",
        "a review participation code not in the list",
        s903=_set903("reviews", "REVIEW_CODE", "PN9"),
    ),
    Injection(
        "903-sdq-out-of-range",
        "181?",
        "an SDQ score above 40",
        s903=_set903("oc2", "SDQ_SCORE", "45"),
    ),
    Injection(
        "903-bad-in-touch",
        "199?",
        "a care leaver in-touch code not in the list",
        s903=_set903("oc3", "IN_TOUCH", "MAYBE"),
    ),
    Injection(
        "903-bad-urn",
        "INT?",
        "a placement URN that is not 7 characters or XXXXXXX",
        s903=_set903("episodes", "URN", "12"),
    ),
)

INJECTIONS = (*CIN_INJECTIONS, *S903_INJECTIONS)


# --- running both ------------------------------------------------------------------------


def validators_python() -> Path:
    """The validators' own interpreter (``make agreement`` makes it)."""
    found = Path(os.environ.get("SAFEPLAN_VALIDATORS_PYTHON", ".venv-validators/bin/python"))
    if not found.exists():
        sys.exit(f"no validators' environment at {found}: run `make agreement`")
    return found


def theirs(python: Path, kind: str, path: Path) -> tuple[list[tuple[str, str]], float]:
    out = subprocess.run(  # noqa: S603 (our own script, in the validators' environment)
        [str(python), str(RUNNER), kind, str(path), str(YEAR)],
        check=True,
        capture_output=True,
        text=True,
    )
    found = json.loads(out.stdout.strip().splitlines()[-1])
    return [(f["rule"], f["child"]) for f in found["findings"]], float(found["cpu_seconds"])


def ours(paths: list[Path], refs: References) -> tuple[list[tuple[str, str]], float]:
    """SafePlan's findings as (rule, child): the DfE rules by their numbers, and SafePlan's
    own field checks (SP-DATE, SP-REQUIRED...) by name, since one finding per fault means an
    unreadable date is reported once, as SP-DATE, not again as the DfE rule it breaks."""
    start = time.process_time()
    found: list[tuple[str, str]] = []
    batch = check_batch(paths, str(YEAR), references=refs)  # a 903 return checked as a set
    for _path, checked in batch:
        if isinstance(checked, FileRefused):
            found.append((checked.finding.rule, ""))
            continue
        try:
            for f in checked.findings:
                if f.rule.startswith(("CIN ", "903 ")):
                    found.append((f.rule.split(" ", 1)[1], _child_of(checked, f)))
                elif f.rule.startswith("SP-"):
                    found.append((f.rule, _child_of(checked, f)))
        finally:
            checked.close()
    return found, time.process_time() - start


def _child_of(checked: Any, finding: Any) -> str:
    """The child a finding is about: its own field where findings carry it, else its row."""
    child = getattr(finding, "child", "")
    if child:
        return str(child)
    table = checked.staged.tables.get(finding.table)
    if table is None or finding.seq is None:
        return ""
    data = table.data
    for column in ("child", "lachildid"):
        if column in data:
            return str(data[column][finding.seq - 1] or "")
    parent = data.get("_child")
    if parent is not None:
        top = checked.staged.tables.get("cin_child")
        if top is not None:
            return str(top.data["lachildid"][parent[finding.seq - 1] - 1] or "")
    return ""


def _children(xml: Path) -> tuple[Any, list[Xml]]:
    tree = etree.parse(str(xml), etree.XMLParser(resolve_entities=False, no_network=True))
    return tree, list(tree.iterfind(".//Child"))


def inject(data: Path) -> dict[str, tuple[str, Injection]]:
    """Put each injection into its own child (the first that suits); returns by child id."""
    done: dict[str, tuple[str, Injection]] = {}
    xml = data / "cin_census" / f"cin_census_{YEAR}.xml"
    tree, children = _children(xml)
    used: set[str] = set()
    for injection in CIN_INJECTIONS:
        for child in children:
            cid = child.findtext("ChildIdentifiers/LAchildID") or ""
            if cid in used or injection.cin is None:
                continue
            if injection.cin(child):
                used.add(cid)
                done[f"cin:{cid}"] = (cid, injection)
                break
    tree.write(str(xml), xml_declaration=True, encoding="utf-8")
    folder = data / "ssda903" / str(YEAR)
    rows: Rows = {}
    fields: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            fields[path.stem] = list(reader.fieldnames or [])
            rows[path.stem] = list(reader)
    looked_after = sorted({r["CHILD"] for r in rows["episodes"]})
    for injection in S903_INJECTIONS:
        for cid in looked_after:
            if cid in used or injection.s903 is None:
                continue
            if injection.s903(rows, cid):
                used.add(cid)
                done[f"903:{cid}"] = (cid, injection)
                break
    for stem, table in rows.items():
        with (folder / f"{stem}.csv").open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=fields[stem])
            writer.writeheader()
            writer.writerows(table)
    return done


def run() -> dict[str, object]:
    python = validators_python()
    figures: dict[str, object] = {"year": YEAR, "children": CHILDREN}
    with tempfile.TemporaryDirectory(prefix="safeplan-agreement-") as tmp:
        clean = Path(tmp) / "clean"
        generate(clean, CHILDREN, 1, seed=2026, end_year=YEAR)
        dirty = Path(tmp) / "injected"
        shutil.copytree(clean, dirty)
        injected = inject(dirty)
        runs: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(dict)
        seconds: dict[str, float] = {}
        for name, data in (("clean", clean), ("injected", dirty)):
            xml = data / "cin_census" / f"cin_census_{YEAR}.xml"
            folder = data / "ssda903" / str(YEAR)
            csvs = sorted(folder.glob("*.csv"))
            their_cin, t1 = theirs(python, "cin", xml)
            their_903, t2 = theirs(python, "903", folder)
            our_cin, t3 = ours([xml], references(data))
            our_903, t4 = ours(csvs, references(data))
            runs[name] = {
                "validators": their_cin + their_903,
                "safeplan": our_cin + our_903,
            }
            seconds[f"{name}_validators_cpu_seconds"] = round(t1 + t2, 2)
            seconds[f"{name}_safeplan_cpu_seconds"] = round(t3 + t4, 2)
        figures.update(seconds)
        for name in ("clean", "injected"):
            for tool in ("validators", "safeplan"):
                counts = Counter(rule for rule, _ in runs[name][tool])
                figures[f"{name}_{tool}_findings"] = sum(counts.values())
                figures[f"{name}_{tool}_by_rule"] = dict(sorted(counts.items()))
        errors = []
        for cid, injection in injected.values():
            new = {}
            now = cid if injection.becomes is None else injection.becomes
            for tool in ("validators", "safeplan"):
                before = {r for r, c in runs["clean"][tool] if c == now}
                after = {r for r, c in runs["injected"][tool] if c == now}
                new[tool] = sorted(after - before)
            errors.append(
                {
                    "error": injection.name,
                    "aimed_at": injection.rule,
                    "what": injection.what,
                    "child": cid,
                    "validators": new["validators"],
                    "safeplan": new["safeplan"],
                }
            )
        figures["injected_errors"] = len(errors)
        figures["caught_by_validators"] = sum(bool(e["validators"]) for e in errors)
        figures["caught_by_safeplan"] = sum(bool(e["safeplan"]) for e in errors)
        figures["missed_by_safeplan_caught_by_validators"] = [
            e["error"] for e in errors if e["validators"] and not e["safeplan"]
        ]
        figures["missed_by_validators_caught_by_safeplan"] = [
            e["error"] for e in errors if e["safeplan"] and not e["validators"]
        ]
        figures["errors"] = errors
    return figures


def main() -> None:
    RESULTS.mkdir(exist_ok=True)
    figures = run()
    (RESULTS / "agreement.json").write_text(json.dumps(figures, indent=2) + "\n")
    keys = ("injected_errors", "caught_by_validators", "caught_by_safeplan")
    print(json.dumps({k: figures[k] for k in keys}))
    print("missed by SafePlan:", figures["missed_by_safeplan_caught_by_validators"])


if __name__ == "__main__":
    main()
