"""CIN census XML reader: streams a DfE CIN census message into the staging tables.

The file is parsed one <Child> at a time (memory stays flat for any size of council) with
the hardened parser of `safety`. Each record keeps its element path
(``Child[12]/CINdetails[1]/Assessments[2]``) and line so every finding points at it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

from lxml import etree

from safeplan.ingest import years
from safeplan.ingest.fields import parse_bool, parse_int, parse_iso_date, parse_timestamp
from safeplan.ingest.findings import Level, Severity, refuse
from safeplan.ingest.safety import (
    MAX_FIELD_CHARS,
    check_size,
    check_xml_prolog,
    xml_error,
    xml_events,
)
from safeplan.ingest.staged import Parser, Staged, convert
from safeplan.ingest.staging import CIN_TABLES, StagingTable

T = {t.name: t for t in CIN_TABLES}
PARSERS: dict[str, Parser] = {
    "date": parse_iso_date,
    "bool": parse_bool,
    "int": parse_int,
    "timestamp": parse_timestamp,
}
# Containers inside <Child> and <CINdetails>: their leaves are read by their own tables.
_NESTED = {
    "ChildIdentifiers",
    "ChildCharacteristics",
    "Disabilities",
    "CINdetails",
    "Assessments",
    "FactorsIdentifiedAtAssessment",
    "CINPlanDates",
    "Section47",
    "ChildProtectionPlans",
    "Reviews",
}


def _name(elem: Any) -> str:
    """The element's name without any namespace (string slicing: this runs per element)."""
    tag: str = elem.tag
    return tag[tag.find("}") + 1 :]


def _text(elem: Any) -> str:
    return (elem.text or "").strip()


SEX_FIELDS = ("gendercurrent", "sex")  # the elements that have held the child's sex


class _Reader:
    def __init__(self, path: Path, year: int | None = None) -> None:
        self.path = path
        self.staged = Staged(path, "cin_census", "cin_census", None)
        self.lines: dict[str, int] = {}  # field → line of the leaves just read, for findings
        self.year = year  # the collection year: --year, else the Header's
        self.override = year is not None
        self.layout: years.Layout | None = None
        self.nested = _NESTED
        self.child_id = ""  # LAchildID of the child being read, for its findings

    def record(
        self,
        spec: StagingTable,
        elem: Any,
        leaves: dict[str, str],
        where: str,
        parent: int | None,
        child: int | None,
    ) -> int:
        rows = self.staged.table(spec)
        seq = len(rows) + 1
        line = elem.sourceline
        found: list[tuple[str, str, str, str]] = []
        values = convert(leaves, spec, PARSERS, lambda f, r, m, v: found.append((f, r, m, v)))
        if spec.name == "cin_child":
            self.child_id = (leaves.get("lachildid") or "").strip()
        for field_name, rule, message, value in found:
            at = self.lines.get(field_name.lower(), line)
            self.staged.finding(
                where,
                field_name,
                rule,
                message,
                at,
                table=spec.name,
                seq=seq,
                child=self.child_id if spec.name != "cin_header" else "",
                value=value,
            )
        self.lines = {}
        return rows.add((parent, child, self.path.name, where, line), values)

    def leaves(self, elem: Any, spec: StagingTable, where: str) -> dict[str, str]:
        """Leaf elements of `elem` that belong to `spec`; others are reported, not lost silently."""
        known = {c.field for c in spec.columns}
        out: dict[str, str] = {}
        for sub in elem:
            name = _name(sub)
            if name in self.nested:
                continue
            if name in known:
                out[name.lower()] = _text(sub)
                self.lines[name.lower()] = sub.sourceline
                if len(out[name.lower()]) > MAX_FIELD_CHARS:
                    raise refuse(
                        self.staged.file.name,
                        "SP-XML",
                        f"<{name}> holds {len(out[name.lower()]):,} characters, more than the "
                        f"{MAX_FIELD_CHARS:,} any field may hold; the file was not read",
                        sub.sourceline,
                        location=where,
                        field=name,
                    )
            else:
                self.staged.finding(
                    where,
                    name,
                    "SP-XML-ELEMENT",
                    f"<{name}> is not a CIN census element here; it was ignored",
                    sub.sourceline,
                    level=Level.schema,
                    severity=Severity.warning,
                )
        return out

    def header(self, elem: Any) -> None:
        leaves: dict[str, str] = {}
        for part in elem.iter():
            if len(part) == 0 and part is not elem:
                leaves[_name(part).lower()] = _text(part)
        seq = self.record(T["cin_header"], elem, leaves, "Header", None, None)
        data = self.staged.tables["cin_header"].data
        stated, ref = data["year"][seq - 1], data["referencedate"][seq - 1]
        lea = data["lea"][seq - 1]
        # The collection year is the Header's Year (2025 for 2024-25), else the year its
        # ReferenceDate (31 March) ends; when the two disagree the finding says so.
        from_ref = None if ref is None else ref.year + (1 if ref.month >= 4 else 0)
        if from_ref is not None and stated is not None and stated != from_ref:
            self.staged.finding(
                "Header",
                "Year",
                "SP-YEAR",
                f"the Header's Year is {stated} ({years.label(stated)}) but its ReferenceDate "
                f"{ref.isoformat()} ends the {years.label(from_ref)} census; SafePlan reads it "
                f"as {years.label(self.year or stated)}: correct the Header, or give --year",
                elem.sourceline,
                level=Level.schema,
                severity=Severity.warning,
            )
        if self.year is None:
            self.year = stated if stated is not None else from_ref
        self.layout = years.layout("cin_census", self.year)
        if self.layout is not None and self.layout.elements:
            self.nested = _NESTED | set(self.layout.elements)
        self.staged.period = str(self.year) if self.year is not None else None
        self.staged.la = str(lea) if lea is not None else None

    def check_layout(self, leaves: dict[str, str], where: str) -> None:
        """Refuse a child recorded in another year's layout (<GenderCurrent> in a 2024-25
        census, <Sex> in a 2023-24 one): its records would be read wrongly."""
        lay = self.layout
        if lay is None:
            return
        expected = lay.sex_field.lower()
        for name in SEX_FIELDS:
            if name == expected or name not in leaves:
                continue
            element = T["cin_child"].column(name).field
            fits = years.sex_years("cin_census", element, {leaves[name]} - {""})
            how = "--year" if self.override else "its Header (Year and ReferenceDate)"
            raise refuse(
                self.path.name,
                "SP-LAYOUT",
                f"the census is for {lay.label} by {how}, and from {years.label(lay.year)} "
                f"the child's sex is recorded in <{lay.sex_field}>, but this child has "
                f"<{element}>: this looks like {years.looks_like(fits)}. Export the census "
                f"again in the {lay.label} layout, or check the year",
                self.lines.get(name),
                location=f"{where}/ChildIdentifiers",
                field=element,
            )

    def child(self, elem: Any, n: int) -> None:
        where = f"Child[{n}]"
        leaves: dict[str, str] = {}
        for part in ("ChildIdentifiers", "ChildCharacteristics"):
            for box in _subs(elem, part):
                leaves |= self.leaves(box, T["cin_child"], f"{where}/{part}")
        self.check_layout(leaves, where)
        child = self.record(T["cin_child"], elem, leaves, where, None, None)
        for box in _subs(elem, "ChildCharacteristics"):
            for k, dis in enumerate(_subs_deep(box, "Disabilities", "Disability"), 1):
                self.record(
                    T["cin_disability"],
                    dis,
                    {"disability": _text(dis)},
                    f"{where}/Disabilities/Disability[{k}]",
                    child,
                    child,
                )
        for k, details in enumerate(_subs(elem, "CINdetails"), 1):
            self.details(details, f"{where}/CINdetails[{k}]", child)

    def details(self, elem: Any, where: str, child: int) -> None:
        seq = self.record(
            T["cin_details"], elem, self.leaves(elem, T["cin_details"], where), where, child, child
        )
        for k, a in enumerate(_subs(elem, "Assessments"), 1):
            here = f"{where}/Assessments[{k}]"
            aseq = self.record(
                T["cin_assessment"], a, self.leaves(a, T["cin_assessment"], here), here, seq, child
            )
            for j, factor in enumerate(
                _subs_deep(a, "FactorsIdentifiedAtAssessment", "AssessmentFactors"), 1
            ):
                self.record(
                    T["cin_assessment_factor"],
                    factor,
                    {"assessmentfactors": _text(factor)},
                    f"{here}/AssessmentFactors[{j}]",
                    aseq,
                    child,
                )
        for name, table in (("CINPlanDates", "cin_plan"), ("Section47", "cin_s47")):
            for k, sub in enumerate(_subs(elem, name), 1):
                here = f"{where}/{name}[{k}]"
                self.record(T[table], sub, self.leaves(sub, T[table], here), here, seq, child)
        if years.PRE_PROCEEDINGS in self.nested:  # 2026-27 on
            for k, sub in enumerate(_subs(elem, years.PRE_PROCEEDINGS), 1):
                here = f"{where}/{years.PRE_PROCEEDINGS}[{k}]"
                spec = T["cin_pre_proceedings"]
                self.record(spec, sub, self.leaves(sub, spec, here), here, seq, child)
        for k, cpp in enumerate(_subs(elem, "ChildProtectionPlans"), 1):
            here = f"{where}/ChildProtectionPlans[{k}]"
            cseq = self.record(
                T["cin_cpp"], cpp, self.leaves(cpp, T["cin_cpp"], here), here, seq, child
            )
            for j, review in enumerate(_subs_deep(cpp, "Reviews", "CPPreviewDate"), 1):
                self.record(
                    T["cin_cpp_review"],
                    review,
                    {"cppreviewdate": _text(review)},
                    f"{here}/Reviews/CPPreviewDate[{j}]",
                    cseq,
                    child,
                )


def _subs(elem: Any, name: str) -> list[Any]:
    return [e for e in elem if _name(e) == name]


def _subs_deep(elem: Any, box: str, name: str) -> list[Any]:
    return [e for b in _subs(elem, box) for e in _subs(b, name)]


def read_cin_census(path: Path, year: int | None = None) -> Staged:
    """Read a CIN census XML file of the collection year its Header gives (or ``year``, as
    ``--year`` overrides it); raise FileRefused if it cannot be read at all, or if it is in
    another year's layout."""
    check_size(path)
    check_xml_prolog(path)
    with path.open("rb") as source:
        return _read(path, source, year)


def _read(path: Path, source: BinaryIO, year: int | None = None) -> Staged:
    reader = _Reader(path, year)
    events = xml_events(source, ("{*}Header", "{*}Child"))
    n = 0
    try:
        for _, elem in events:
            if n == 0 and elem.getroottree().docinfo.doctype:
                raise refuse(
                    path.name,
                    "SP-XML-DOCTYPE",
                    "the XML declares a DOCTYPE, which SafePlan refuses for safety",
                )
            if _name(elem) == "Header":
                reader.header(elem)
            else:
                n += 1
                reader.child(elem, n)
            elem.clear(keep_tail=False)
            parent = elem.getparent()
            while parent is not None and elem.getprevious() is not None:
                del parent[0]
        root = events.root
    except etree.XMLSyntaxError as exc:
        raise xml_error(path, exc) from exc
    if root is None or _name(root) != "Message":
        raise refuse(
            path.name, "SP-XML-ROOT", "this is not a CIN census message (no <Message> root)"
        )
    if n == 0:
        raise refuse(path.name, "SP-XML-EMPTY", "the CIN census message has no <Child> records")
    if reader.staged.period is None:
        reader.staged.finding(
            "Header",
            "Year",
            "SP-REQUIRED",
            "the Header has no collection Year, so the return's year is unknown",
            None,
            level=Level.schema,
            severity=Severity.warning,
        )
    return reader.staged
