"""The quarterly board report: one plan, one quarter, as PDF, HTML or Excel.

What a board reads, in the order it reads it: a cover and contents; a one-page summary with
the exceptions first (special-cause concern and off-target measures); then per priority the
scorecard, each measure's SPC chart with the owning agency's approved commentary; the
interventions' status and overdue actions; a data-quality annex; the measure definitions.

The report is built once (``build``) and then written in each format from the same data, so
the PDF, the HTML and the workbook never disagree. The public version applies DfE
small-number suppression to every figure, chart point and change, and prints free text
(commentary, the tracker's actions) only through ``printed``: text that fails the small-number
check (``smallnumbers``), or commentary not confirmed for the public, becomes a neutral line.
The partner version is marked "not for publication" and prints every approved note.

Why WeasyPrint: a tagged PDF (PDF/UA: headings, table headers, figures with alternative
text) from the same HTML the web serves, with no browser; charts are drawn by vl-convert.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from safeplan.measures.benchmarks import BenchmarkSet
from safeplan.measures.catalogue import catalogue
from safeplan.measures.data import Source
from safeplan.measures.judgement import Change
from safeplan.measures.model import Measure
from safeplan.measures.periods import Period
from safeplan.measures.public import Release, public_release, refuse_unpublished
from safeplan.measures.scorecard import Line, exceptions_first, plan_measures, scorecard
from safeplan.measures.spc import ASSURANCE_LABELS, VARIATION_LABELS, xmr
from safeplan.measures.suppression import SUPPRESSED
from safeplan.plans.model import Plan, Priority
from safeplan.publish import charts, smallnumbers

FORMATS = ("pdf", "html", "xlsx")
RAG_WORDS = {"green": "On target", "amber": "Near target", "red": "Off target", "": "Not rated"}


PARTNERS_ONLY = "Commentary for partners only."
ACTION_FOR_PARTNERS = "Details for partners only"


@dataclass(frozen=True)
class Note:
    """An agency's approved commentary on a measure for the quarter; ``public`` when the
    approver also confirmed it for the public report."""

    agency: str
    text: str
    public: bool = False


def printed(note: Note, public: bool) -> Note:
    """The note as this version of the report prints it. The partner version prints it as it
    is; the public one only if it was confirmed for the public and its text passes the
    small-number check now, as it is printed (whatever was checked when it was approved),
    and otherwise a neutral line: failing text never reaches a public page."""
    if not public or (note.public and smallnumbers.passes(note.text)):
        return note
    return Note(note.agency, PARTNERS_ONLY)


def _public_text(text: str, public: bool) -> str:
    """Free text other than commentary (the tracker's), checked the same way."""
    return text if not public or smallnumbers.passes(text) else ACTION_FOR_PARTNERS


@dataclass(frozen=True)
class Action:
    """A planned intervention's state, from the action tracker."""

    priority_id: str
    intervention: str
    lead: str
    status: str  # in words: "On track", "At risk"...
    overdue: tuple[str, ...] = ()  # overdue milestones, each in words with its due date


@dataclass(frozen=True)
class SourceState:
    """A source of data for the annex: how fresh it is and what its checks found."""

    name: str
    latest: str
    last_loaded: str
    freshness: str
    findings: int


@dataclass(frozen=True)
class Extras:
    """What the web app holds beside the store: commentary, actions and data quality."""

    commentary: Mapping[str, Sequence[Note]] = field(default_factory=dict)  # by measure id
    actions: Sequence[Action] = ()
    sources: Sequence[SourceState] = ()


@dataclass(frozen=True)
class Row:
    """One key measure as the report shows it (figures already suppressed if public)."""

    line: Line
    value: str
    target: str
    rating: str
    variation: str
    assurance: str
    change_quarter: str
    change_year: str
    benchmark: str
    history: tuple[tuple[str, float | None, str], ...]  # (quarter, value, as shown)
    chart: str  # a data: URL of the SVG chart, or "" when there is no measure
    chart_alt: str
    withheld: bool

    @property
    def title(self) -> str:
        return self.line.measure.title if self.line.measure else self.line.ref.wording

    @property
    def measure_id(self) -> str:
        return self.line.ref.measure or ""


@dataclass(frozen=True)
class Report:
    plan: Plan
    period: Period
    public: bool
    made: datetime
    sections: list[tuple[Priority, list[Row]]]
    extras: Extras
    definitions: list[Measure]

    @property
    def rows(self) -> list[Row]:
        return [row for _, rows in self.sections for row in rows]

    @property
    def exceptions(self) -> list[Row]:
        """Off target or concerning special-cause variation, as boards read them first."""
        order = {id(line): i for i, line in enumerate(exceptions_first(self.lines))}
        flagged = [r for r in self.rows if _needs_attention(r.line)]
        return sorted(flagged, key=lambda r: order[id(r.line)])

    @property
    def ordered(self) -> list[Row]:
        """Every row, those needing attention first (the summary's order)."""
        first = self.exceptions
        return first + [r for r in self.rows if all(r is not f for f in first)]

    @property
    def lines(self) -> list[Line]:
        return [r.line for r in self.rows]

    def notes(self, measure_id: str) -> list[Note]:
        """The measure's commentary as this version prints it (``printed``)."""
        return [printed(n, self.public) for n in self.extras.commentary.get(measure_id, ())]

    @property
    def actions(self) -> list[Action]:
        """The tracker's actions as this version prints them: in the public one, a title or
        milestone that fails the small-number check is replaced by a neutral line."""
        return [
            replace(
                a,
                intervention=_public_text(a.intervention, self.public),
                overdue=tuple(_public_text(m, self.public) for m in a.overdue),
            )
            for a in self.extras.actions
        ]

    @property
    def kind(self) -> str:
        return (
            "Public version: small numbers withheld"
            if self.public
            else ("Partner version: not for publication")
        )


def _needs_attention(line: Line) -> bool:
    concerning = line.spc is not None and line.spc.variation == "special_cause_concerning"
    return concerning or line.rag == "red"


def build(
    source: Source,
    plan: Plan,
    period: Period,
    *,
    public: bool = False,
    extras: Extras | None = None,
    benchmarks: BenchmarkSet | None = None,
    la_code: str = "",
    made: datetime | None = None,
    release: Release | None = None,
) -> Report:
    """Compute the plan's scorecard for the quarter and shape it for the report. The public
    version takes its figures from the public release (``measures.public``; computed here
    unless given), so it shows what the public pages, API and exports show."""
    lines = scorecard(source, plan, period, benchmarks, la_code)
    withheld: dict[str, frozenset[str]] = {}  # by measure: the quarters shown as "c"
    if public:
        refuse_unpublished(period)
        measures = plan_measures(plan)
        release = release or public_release(source, measures)
        lines = [_suppressed(line, period, release) for line in lines]
        withheld = {m.id: release.withheld(m.id) for m in measures}
    rows = {id(line): _row(line, withheld.get(line.ref.measure or "")) for line in lines}
    sections = [
        (p, [rows[id(line)] for line in lines if line.priority.id == p.id]) for p in plan.priorities
    ]
    known = catalogue()
    used = dict.fromkeys(r.measure for _, r in plan.measure_refs() if r.measure in known)
    return Report(
        plan,
        period,
        public,
        made or datetime.now().astimezone(),
        [(p, rs) for p, rs in sections if rs],
        extras or Extras(),
        [known[m] for m in used if m is not None],
    )


def _suppressed(line: Line, period: Period, release: Release) -> Line:
    """The line with the release's cells in place of its figures (quarters the returns do
    not cover left out), and its change, rating and SPC reading worked out from what may be
    shown, so nothing withheld can be recovered from them."""
    if line.measure is None:
        return line
    cells = [release.get(r.measure, r.period) for r in line.history]
    history = tuple(c.result for c in cells if c is not None)
    values = {r.period: r.value for r in history}
    now = release.get(line.measure.id, period.label)
    value = now.result.value if now else None
    change = Change.between(
        value, values.get(period.previous().label), values.get(period.year_earlier().label)
    )
    spc = xmr(
        [(r.period, r.value) for r in history],
        line.ref.direction.value,
        target=line.target,
        decimals=line.measure.decimals,
    )
    rag = line.rag if value is not None else ""
    result = now.result if now else None
    return replace(line, result=result, history=history, spc=spc, change=change, rag=rag)


def _row(line: Line, withheld: frozenset[str] | None) -> Row:
    """The row as shown; ``withheld`` (public only) names the periods shown as withheld."""
    m = line.measure
    if m is None:
        none = "–"
        return Row(
            line,
            "Not yet measured",
            none,
            "Not rated",
            none,
            none,
            none,
            none,
            none,
            (),
            "",
            "",
            withheld=False,
        )
    hidden = withheld or frozenset()
    now = line.result is not None and line.result.period in hidden
    value = SUPPRESSED if now else m.display(line.value)
    history = tuple(
        (r.period, r.value, SUPPRESSED if r.period in hidden else m.display(r.value))
        for r in line.history
    )
    chart, alt = "", ""
    if line.spc is not None:
        spec = charts.spc_spec(m, line.spc, line.target)
        chart = "data:image/svg+xml;base64," + base64.b64encode(
            charts.svg(spec).encode("utf-8")
        ).decode("ascii")
        alt = str(spec["description"])
    england = [b for b in line.benchmarks if b.level == "england" and b.value is not None]
    bench = f"England {england[-1].year}: {england[-1].value:,.1f}" if england else "–"
    return Row(
        line,
        value,
        m.display(line.target) if line.target is not None else "No target",
        RAG_WORDS.get(line.rag, "Not rated"),
        VARIATION_LABELS[line.spc.variation] if line.spc else "–",
        ASSURANCE_LABELS[line.spc.assurance] if line.spc else "–",
        m.display_change(line.change.previous),
        m.display_change(line.change.year_earlier),
        bench,
        history,
        chart,
        alt,
        now,
    )


# --- writing it --------------------------------------------------------------------------

_env = Environment(
    loader=PackageLoader("safeplan.publish", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def html(report: Report) -> str:
    """The report as one self-contained HTML document (styles and charts inside it)."""
    context: dict[str, Any] = {
        "r": report,
        "quarter_name": charts.quarter_name,
        "today": date.today(),
    }
    return _env.get_template("report.html").render(context)


def pdf(report: Report, out: Path) -> Path:
    """The report as a tagged A4 PDF (PDF/UA-1: headings, tables and figures marked up)."""
    from weasyprint import HTML

    document = HTML(string=html(report), base_url=str(out.parent))
    document.write_pdf(out, pdf_variant="pdf/ua-1", pdf_tags=True)
    return out


def xlsx(report: Report, out: Path) -> Path:
    """The report as a workbook: a summary, one sheet per priority (real numbers, frozen
    headers) and the definitions."""
    from safeplan.publish.workbook import write_report

    write_report(report, out)
    return out


def write(report: Report, fmt: str, out: Path) -> Path:
    if fmt not in FORMATS:
        raise ValueError(f"the format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "pdf":
        return pdf(report, out)
    if fmt == "xlsx":
        return xlsx(report, out)
    out.write_text(html(report), encoding="utf-8")
    return out
