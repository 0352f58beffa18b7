"""Public views: every plan, and each plan on a page. No sign-in, GET only, and only
suppressed aggregate figures."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from safeplan.measures.catalogue import catalogue
from safeplan.plans import library
from safeplan.vocabulary import Direction
from safeplan.web.plans import plan_or_404
from safeplan.web.public.figures import plan_figures

AIMS = {
    Direction.increase: "increase",
    Direction.reduce: "reduce",
    Direction.track: "track (no set direction)",
}
STATUS_TAGS = {
    "active": ("Current plan", "govuk-tag--green"),
    "draft": ("Draft", "govuk-tag--yellow"),
    "superseded": ("Replaced by a newer plan", "govuk-tag--grey"),
    "ended": ("Ended", "govuk-tag--grey"),
}


@require_safe
def plan_list(request: HttpRequest) -> HttpResponse:
    entries = library.entries()
    return render(request, "public/plan_list.html", {"entries": entries, "tags": STATUS_TAGS})


@require_safe
def plan_detail(request: HttpRequest, plan_id: str) -> HttpResponse:
    plan = plan_or_404(plan_id)
    context: dict[str, Any] = {
        "plan": plan,
        "figures": plan_figures(plan),
        "catalogue": catalogue(),
        "aims": AIMS,
        "tags": STATUS_TAGS,
        "strategies": {s.id: s for s in plan.strategies},
        "header_name": plan.partnership.name,
    }
    return render(request, "public/plan_detail.html", context)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A GOV.UK-style "Page not found" (the exception's text is never shown)."""
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """A GOV.UK-style "Sorry, there is a problem with the service", or plain text if even the
    page template fails (the error may be in a template)."""
    try:
        return render(request, "500.html", status=500)
    except Exception:
        return HttpResponse(
            "Sorry, there is a problem with the service.", status=500, content_type="text/plain"
        )
