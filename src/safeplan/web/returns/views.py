"""The data returns pages: what is missing from whom (admins, analysts and the board), and
each partner file's cadence (admins set it; every change is audited)."""

from __future__ import annotations

import datetime

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from safeplan.ingest.templates import TEMPLATES
from safeplan.vocabulary import AGENCIES
from safeplan.web.accounts.access import allow
from safeplan.web.accounts.models import Role
from safeplan.web.audit.trail import record
from safeplan.web.errors import field_errors
from safeplan.web.returns import calendar
from safeplan.web.returns.current import cadences, calendar_on
from safeplan.web.returns.models import Frequency, Schedule

MAX_WORKING_DAYS = 120
TAGS = {
    calendar.RECEIVED: ("Received", "govuk-tag--green"),
    calendar.DUE: ("Due", "govuk-tag--yellow"),
    calendar.OVERDUE: ("Overdue", "govuk-tag--red"),
}
HELPERS = {"tags": TAGS, "agency_names": {str(k): v.short for k, v in AGENCIES.items()}}


@allow(Role.admin, Role.analyst, Role.board)
@never_cache
@require_safe
def calendar_view(request: HttpRequest) -> HttpResponse:
    """Every return expected so far, missing first: the partnership sees who owes what."""
    found = calendar_on(timezone.localdate())
    counts = {s: sum(1 for e in found.entries if e.status == s) for s in TAGS}
    context = {**HELPERS, "nav": "returns", "calendar": found, "counts": counts}
    return render(request, "returns/calendar.html", context)


def _rows() -> list[tuple[str, str, str, calendar.Cadence]]:
    """Each partner template: name, title, supplier kind and cadence."""
    set_by_admin = cadences()
    return [
        (ret.feed.removeprefix("partner:"), ret.title, ret.agency, cadence)
        for ret in calendar.PARTNER
        for cadence in [calendar.cadence_of(ret.feed.removeprefix("partner:"), set_by_admin)]
    ]


@allow(Role.admin)
@never_cache
@require_safe
def schedules(request: HttpRequest) -> HttpResponse:
    """Each partner file's cadence, with a link to change it."""
    context = {
        **HELPERS,
        "nav": "returns",
        "rows": _rows(),
        "statutory": [
            (r.title, f"{datetime.date(2000, *r.due):%-d %B}") for r in calendar.STATUTORY if r.due
        ],
        "frequencies": dict(Frequency.choices),
    }
    return render(request, "returns/schedules.html", context)


@allow(Role.admin)
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def schedule(request: HttpRequest, template: str) -> HttpResponseBase:
    """Change how often a partner file is due, and how many working days after each period."""
    if template not in TEMPLATES:
        raise Http404(f"no partner template is called {template!r}")
    now = calendar.cadence_of(template, cadences())
    frequency, days = str(now.parts), str(now.working_days)
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        frequency = request.POST.get("frequency", "")
        days = request.POST.get("working_days", "").strip()
        if frequency not in {str(v) for v in Frequency.values}:
            errors.append({"text": "Select how often the file is due", "href": "#frequency"})
        if not days.isdigit() or not 0 <= int(days) <= MAX_WORKING_DAYS:
            errors.append(
                {
                    "text": f"Enter the working days as a number from 0 to {MAX_WORKING_DAYS}",
                    "href": "#working_days",
                }
            )
        if not errors:
            Schedule.objects.update_or_create(
                template=template,
                defaults={"frequency": int(frequency), "working_days": int(days)},
            )
            detail = {
                "change": "cadence set",
                "frequency": int(frequency),
                "working_days": int(days),
                "was": {"frequency": now.parts, "working_days": now.working_days},
            }
            record(request.user, "returns", f"returns/{template}", detail, request=request)
            return HttpResponseRedirect(reverse("returns:schedules"))
    context = {
        "nav": "returns",
        "template": TEMPLATES[template],
        "frequency_items": [
            {"value": str(v), "text": label, "checked": frequency == str(v)}
            for v, label in Frequency.choices
        ],
        "working_days": days,
        "errors": errors,
        "field_errors": field_errors(errors),
    }
    return render(request, "returns/schedule.html", context, status=400 if errors else 200)
