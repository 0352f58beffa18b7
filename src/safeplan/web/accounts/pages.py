"""The partners' signed-in pages so far: the dashboard (every role) and the data-quality page
(analysts and admins: it names files and their quarantined records)."""

from __future__ import annotations

from django.contrib.auth import BACKEND_SESSION_KEY
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from safeplan.plans import library
from safeplan.web.accounts import loads, oidc, twostep
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
    # optional for board members and contributors; single sign-on users have their own
    sso = request.session.get(BACKEND_SESSION_KEY) == oidc.BACKEND
    context["offer_two_step"] = not sso and not twostep.enrolled(request.user)  # type: ignore[arg-type]
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
