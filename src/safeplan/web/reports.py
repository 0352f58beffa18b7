"""Board reports with what only the web app holds: the agencies' approved commentary, the
action tracker's state and the data-quality annex. Used by `safeplan report` and by the
dashboard's "Board report" downloads, so both make the same report."""

from __future__ import annotations

from pathlib import Path

from django.utils import timezone

from safeplan.config import settings
from safeplan.measures.periods import Period
from safeplan.measures.scorecard import plan_measures
from safeplan.plans.model import Plan
from safeplan.publish import report
from safeplan.web.accounts import loads
from safeplan.web.dashboard.figures import benchmarks
from safeplan.web.public.figures import release_of
from safeplan.web.storecache import open_source


def commentary(plan: Plan, period: Period) -> dict[str, list[report.Note]]:
    """Approved commentary for the quarter, by measure: nothing unapproved reaches a board,
    and each note says whether it was confirmed for the public (the report checks its text
    again as it prints the public version)."""
    from safeplan.web.dashboard.models import Commentary, Status

    found: dict[str, list[report.Note]] = {}
    pieces = Commentary.objects.filter(
        plan_id=plan.id, period=period.label, status=Status.approved
    ).select_related("agency")
    for piece in pieces.order_by("agency__name"):
        found.setdefault(piece.measure_id, []).append(
            report.Note(piece.agency.name, piece.text, public=piece.public)
        )
    return found


def actions(plan: Plan) -> list[report.Action]:
    """Each planned intervention's state from the action tracker, in the plan's order."""
    from safeplan.web.tracker import rules
    from safeplan.web.tracker.models import Item, Status

    rules.sync(plan)  # every intervention has its item, even before anyone has edited it
    today = timezone.localdate()
    items = rules.with_milestones(Item.objects.filter(plan_id=plan.id, in_plan=True))
    order = {p.id: i for i, p in enumerate(plan.priorities)}
    return [
        report.Action(
            item.priority_id,
            item.title,
            item.lead_agency.name if item.lead_agency else "",
            str(Status(item.status).label),
            tuple(f"{m.title} (due {m.due:%-d %B %Y})" for m in rules.overdue(item, today)),
        )
        for item in sorted(items, key=lambda it: (order.get(it.priority_id, 99), it.position))
    ]


def sources() -> list[report.SourceState]:
    """The data-quality page's freshness and findings, for the report's annex."""
    quality = loads.quality(timezone.localdate())
    findings = {s.source: s.findings for s in quality.findings}
    return [
        report.SourceState(
            fresh.title,
            fresh.year or "–",
            fresh.loaded_at.strftime("%-d %b %Y") if fresh.loaded_at else "Never",
            fresh.status,
            findings.get(fresh.source, 0),
        )
        for fresh in quality.freshness
    ]


def make(plan: Plan, period: Period, fmt: str, out: Path, *, public: bool = False) -> Path:
    """Compute the plan's report for the quarter and write it in the format asked for."""
    source = open_source(settings().store_url)
    if source is None:
        raise ValueError("no data has been loaded yet: load data, then make the report")
    release = release_of(plan_measures(plan)).value if public else None  # kept per load
    try:
        extras = report.Extras(commentary(plan, period), actions(plan), sources())
        built = report.build(
            source,
            plan,
            period,
            public=public,
            extras=extras,
            benchmarks=benchmarks(),
            la_code=settings().la_code,
            release=release,
        )
    finally:
        source.con.disconnect()
    return report.write(built, fmt, out)
