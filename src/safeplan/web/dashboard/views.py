"""The partners' dashboard pages: a plan's scorecard, a measure in depth, the records behind
a figure (analysts and administrators; audited), and commentary."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from safeplan.measures.data import BREAKDOWNS
from safeplan.measures.model import Measure
from safeplan.measures.periods import Period
from safeplan.measures.periods import parse as parse_period
from safeplan.measures.spc import ASSURANCE_LABELS, VARIATION_LABELS
from safeplan.plans.model import MeasureRef, Plan
from safeplan.publish import charts
from safeplan.publish.smallnumbers import findings
from safeplan.publish.tables import public_table, results_table, write_table
from safeplan.vocabulary import AGENCIES, ASSURANCES, RAGS, VARIATIONS, tag
from safeplan.web.accounts.access import EVERY_ROLE, allow, forbidden, may_see_records
from safeplan.web.accounts.models import Role
from safeplan.web.audit.trail import Action, record
from safeplan.web.dashboard import commentary, figures, records
from safeplan.web.dashboard.models import MAX_CHARS, Commentary, Status
from safeplan.web.plans import plan_or_404
from safeplan.web.public.figures import release_of

BREAKDOWN_NAMES = {
    "age_band": "Age",
    "gender": "Gender",
    "ethnicity": "Ethnicity",
    "disability": "Disability",
    "locality": "Locality",
    "agency": "Agency",
}
RAG_TAGS = tag(RAGS)
VARIATION_TAGS = tag(VARIATIONS)
ASSURANCE_TAGS = tag(ASSURANCES)
OWNERS = {str(kind): label.short for kind, label in AGENCIES.items()}


def _measure(plan: Plan, measure_id: str) -> tuple[MeasureRef, Measure]:
    found = figures.find_measure(plan, measure_id)
    if found is None:
        raise Http404(f"the plan has no key measure {measure_id!r}")
    return found


def shown(measure: Measure | None, value: float | None) -> str:
    """A value as the pages show it, or a dash for none."""
    return "–" if measure is None else measure.display(value)


def change(measure: Measure | None, delta: float | None) -> str:
    return "–" if measure is None else measure.display_change(delta)


HELPERS: dict[str, Any] = {
    "shown": shown,
    "change": change,
    "quarter_name": charts.quarter_name,
    "rag_tags": RAG_TAGS,
    "variation_tags": VARIATION_TAGS,
    "assurance_tags": ASSURANCE_TAGS,
    "variation_labels": VARIATION_LABELS,
    "assurance_labels": ASSURANCE_LABELS,
    "owners": OWNERS,
    "nav": "dashboard",
}


@allow(*EVERY_ROLE)
@never_cache
@require_safe
def scorecard(request: HttpRequest, plan_id: str) -> HttpResponse:
    plan = plan_or_404(plan_id)
    done = figures.plan_scorecard(plan, request.GET.get("period"))
    card = done.value
    context = {
        **HELPERS,
        "plan": plan,
        "card": card,
        "note": done.note,
        "quarters": figures.quarters(done.latest) if done.latest else [],
        "attention": [
            line
            for line in (card.lines if card else [])
            if line.rag == "red"
            or (line.spc is not None and line.spc.variation == "special_cause_concerning")
        ],
    }
    return render(request, "dashboard/scorecard.html", context)


@allow(*EVERY_ROLE)
@never_cache
@require_safe
def measure(request: HttpRequest, plan_id: str, measure_id: str) -> HttpResponse:
    plan = plan_or_404(plan_id)
    ref, definition = _measure(plan, measure_id)
    done = figures.measure_detail(plan, ref, definition, request.GET.get("period"))
    detail = done.value
    chart = ""
    if detail is not None:
        chart = charts.svg(charts.spc_spec(definition, detail.spc, detail.target))
    pieces = commentary.visible(request.user, plan.id, definition.id)
    context = {
        **HELPERS,
        "plan": plan,
        "ref": ref,
        "measure": definition,
        "detail": detail,
        "note": done.note,
        "chart": chart,
        "quarters": figures.quarters(done.latest) if done.latest else [],
        "breakdowns": [(b, BREAKDOWN_NAMES[b]) for b in BREAKDOWNS],
        "commentary": pieces,
        "may_write": commentary.may_write(request.user, definition),
        "may_see_records": may_see_records(request.user, definition.owner),
    }
    return render(request, "dashboard/measure.html", context)


def _quarter(label: str | None, fallback: Period | None = None) -> Period:
    try:
        period = parse_period(label or "")
    except ValueError as exc:
        if fallback is not None:
            return fallback
        raise Http404("not a quarter") from exc
    if period.kind != "quarter":
        raise Http404("not a quarter")
    return period


@allow(Role.analyst, Role.admin)
@never_cache
@require_safe
def records_view(request: HttpRequest, plan_id: str, measure_id: str) -> HttpResponse:
    """Record-level: every view is audited, with what was shown."""
    plan = plan_or_404(plan_id)
    _, definition = _measure(plan, measure_id)
    if not may_see_records(request.user, definition.owner):
        return forbidden(request)  # another agency's records: the aggregates are theirs to see
    label, latest = request.GET.get("period"), figures.latest_quarter()
    if not label and latest is None:
        context = {**HELPERS, "plan": plan, "measure": definition, "period": None}
        return render(request, "dashboard/records.html", {**context, "found": records.NOTHING})
    period = _quarter(label, latest)
    found = records.behind(definition, period)
    record(
        request.user,
        Action.view,
        f"records/{plan.id}/{definition.id}/{period.label}",
        {"rows_shown": len(found.rows), "records": found.total},
        request=request,
    )
    context = {**HELPERS, "plan": plan, "measure": definition, "period": period, "found": found}
    return render(request, "dashboard/records.html", context)


@allow(Role.contributor, Role.analyst, Role.admin)
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def write_commentary(
    request: HttpRequest, plan_id: str, measure_id: str, period: str
) -> HttpResponseBase:
    """The owning agency's commentary on a quarter: save a draft, or submit it."""
    plan = plan_or_404(plan_id)
    _, definition = _measure(plan, measure_id)
    quarter = _quarter(period)
    if not commentary.may_write(request.user, definition):
        return forbidden(request)
    piece = commentary.mine(request.user, plan.id, definition.id, quarter.label)
    text = piece.text if piece else ""
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        text = request.POST.get("text", "").strip()
        if not text:
            errors.append({"text": "Enter your commentary", "href": "#text"})
        elif len(text) > MAX_CHARS:
            errors.append(
                {"text": f"Commentary must be {MAX_CHARS:,} characters or fewer", "href": "#text"}
            )
        elif request.POST.get("action") != "preview":
            submit = request.POST.get("action") == "submit"
            piece = commentary.save(
                request.user, plan.id, definition.id, quarter.label, text, submit, request
            )
            if findings(piece.text):  # back to the page, so the writer sees what stays private
                return HttpResponseRedirect(f"{request.path}#public-version")
            url = reverse(
                "partner:measure", kwargs={"plan_id": plan.id, "measure_id": definition.id}
            )
            return HttpResponseRedirect(f"{url}?period={quarter.label}#commentary")
    writer: Any = request.user  # may_write: the user has an agency
    printed, found = commentary.public_preview(writer.agency.name, text)
    context = {
        **HELPERS,
        "plan": plan,
        "measure": definition,
        "period": quarter,
        "piece": piece,
        "text": text,
        "errors": errors,
        "max_chars": MAX_CHARS,
        "printed": printed if text else None,
        "findings": found,
    }
    return render(
        request, "dashboard/write_commentary.html", context, status=400 if errors else 200
    )


@allow(Role.admin)
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def approvals(request: HttpRequest) -> HttpResponseBase:
    """Submitted commentary waiting for an administrator: approve (for the partners, and if
    its text passes the small-number check, confirmed for the public too), or send back."""
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        piece = get_object_or_404(Commentary, pk=request.POST.get("piece"), status=Status.submitted)
        approve = request.POST.get("decision") == "approve"
        try:
            commentary.decide(piece, approve, request, public=request.POST.get("public") == "yes")
        except commentary.NotPublishable:
            errors.append(
                {
                    "text": "This commentary has small numbers: approve it for partners only",
                    "href": f"#piece-{piece.pk}",
                }
            )
        else:
            return HttpResponseRedirect(reverse("partner:approvals"))
    waiting = [
        (piece, *commentary.public_preview(piece.agency.name, piece.text))
        for piece in Commentary.objects.filter(status=Status.submitted).select_related("agency")
    ]
    context = {**HELPERS, "waiting": waiting, "errors": errors}
    return render(request, "dashboard/approvals.html", context, status=400 if errors else 200)


REPORT_TYPES = {
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": REPORT_TYPES["xlsx"],
}


def _download(body: bytes, content_type: str, name: str) -> HttpResponse:
    """A file to save, never to show in the page: an HTML report is a document of its own,
    with its own styles, so it gets a policy that lets them apply and runs no script."""
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
    )
    return response


@allow(*EVERY_ROLE)
@never_cache
@require_safe
def board_report(request: HttpRequest, plan_id: str, fmt: str) -> HttpResponse:
    """The quarterly board report for the chosen quarter, partner or public version."""
    from safeplan.web.reports import make

    plan = plan_or_404(plan_id)
    if fmt not in REPORT_TYPES:
        raise Http404("no such format")
    latest = figures.latest_quarter()
    if latest is None:
        raise Http404("no data has been loaded yet")
    quarter = figures.chosen_quarter(request.GET.get("period"), latest)
    public = request.GET.get("version") == "public"
    kind = "public" if public else "partner"
    name = f"{plan.id}-{quarter.label}-{kind}.{fmt}"
    with tempfile.TemporaryDirectory() as tmp:
        body = make(plan, quarter, fmt, Path(tmp) / name, public=public).read_bytes()
    record(
        request.user,
        Action.export,
        f"report/{plan.id}/{quarter.label}",
        {"format": fmt, "version": kind},
        request=request,
    )
    return _download(body, REPORT_TYPES[fmt], name)


@allow(*EVERY_ROLE)
@never_cache
@require_safe
def measure_export(request: HttpRequest, plan_id: str, measure_id: str, fmt: str) -> HttpResponse:
    """The measure's table (every quarter shown, and every breakdown of the chosen one) as
    CSV, JSON or Excel, with each cell's suppression state; formula-safe."""
    plan = plan_or_404(plan_id)
    ref, definition = _measure(plan, measure_id)
    if fmt not in EXPORT_TYPES:
        raise Http404("no such format")
    done = figures.measure_detail(plan, ref, definition, request.GET.get("period"))
    if done.value is None:
        raise Http404(done.note or "no figures")
    detail = done.value
    rows = [*detail.history, *(r for b in detail.breakdowns.values() for r in b)]
    public = request.GET.get("version") == "public"
    if public:  # the public release's cells, as every public output shows them
        released = release_of([definition]).value
        if released is None:
            raise Http404("no figures")
        cells = (released.get(r.measure, r.period, r.breakdown, r.group) for r in rows)
        table = public_table(c for c in cells if c is not None)
    else:
        table = results_table(rows)
    kind = "public" if public else "partner"
    name = f"{definition.id}-{detail.period.label}-{kind}.{fmt}"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        write_table(table, fmt, path)
        body = path.read_bytes()
    detail_words = {"format": fmt, "version": kind, "rows": len(table.rows)}
    record(
        request.user,
        Action.export,
        f"measure/{plan.id}/{definition.id}",
        detail_words,
        request=request,
    )
    return _download(body, EXPORT_TYPES[fmt], name)
