"""The plan a page's URL names, or the "Page not found" page: one helper for every app's
views (the JSON API answers its own 404 in JSON)."""

from __future__ import annotations

from django.http import Http404

from safeplan.plans import library
from safeplan.plans.model import Plan


def plan_or_404(plan_id: str) -> Plan:
    """The bundled or imported plan with this id; a 404 when there is none."""
    try:
        return library.get(plan_id)
    except library.UnknownPlanError as exc:
        raise Http404(f"no plan has the id {plan_id!r}") from exc
