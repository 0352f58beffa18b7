"""The partners' signed-in pages so far: the dashboard (every role) and the data-quality page
(analysts and admins: it names files and their quarantined records)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from safeplan.plans import library
from safeplan.web.accounts import loads
from safeplan.web.accounts.access import EVERY_ROLE, allow
from safeplan.web.accounts.models import Role
from safeplan.web.audit.trail import Action, record
from safeplan.web.tracker import attention


@allow(*EVERY_ROLE)
@never_cache
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    context = {"entries": library.entries(), "loads": loads.latest(10), "nav": "dashboard"}
    context["attention"] = attention.for_dashboard(timezone.localdate())  # the tracker's
    return render(request, "accounts/dashboard.html", context)


@allow(Role.analyst, Role.admin)
@never_cache
@require_safe
def data_quality(request: HttpRequest) -> HttpResponse:
    record(request.user, Action.view, "data-quality", request=request)
    context = {
        "quality": loads.quality(timezone.localdate()),  # today in the partnership's time zone
        "loads": loads.latest(50),
        "nav": "data-quality",
    }
    return render(request, "accounts/data_quality.html", context)
