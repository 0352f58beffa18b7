"""The API's endpoints, read-only. Anyone may read plans, the catalogue and the public
(suppressed) results; a signed-in partner, or a tool sending a partner's token
(``Authorization: Bearer sp_...``), gets the partner view: the same results unsuppressed,
with the count of records behind each."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import NinjaAPI, Query, Schema
from ninja.errors import HttpError
from pydantic import Field

from safeplan.measures.catalogue import catalogue
from safeplan.measures.data import Source
from safeplan.measures.engine import Result, compute
from safeplan.measures.model import Measure
from safeplan.measures.periods import Period
from safeplan.measures.periods import parse as parse_period
from safeplan.measures.public import Release
from safeplan.measures.scorecard import plan_measures
from safeplan.plans import library
from safeplan.plans.model import Plan
from safeplan.web.accounts.access import role_of
from safeplan.web.api.models import Token, digest
from safeplan.web.dashboard.figures import version
from safeplan.web.public.figures import release_of
from safeplan.web.storecache import from_store

api = NinjaAPI(
    title="SafePlan API",
    version="1",
    description=__doc__,
    urls_namespace="api",
    openapi_url="/schema",
    docs_url=None,  # the docs page would need inline script; the schema is what tools read
)

Breakdown = Literal["total", "age_band", "gender", "ethnicity", "disability", "locality", "agency"]
QUARTER = r"^20\d\d-Q[1-4]$"


class Problem(Schema):
    detail: str


class Invalid(Schema):
    """A request the API could not read: each problem with where it is (e.g. query, period)."""

    detail: list[dict[str, Any]]


class PlanSummary(Schema):
    id: str
    title: str
    partnership: str
    area: str
    period_start: int
    period_end: int | None
    status: str


class MeasureOut(Schema):
    id: str
    title: str
    definition: str
    numerator: str
    denominator: str | None
    unit: str
    direction: str
    timing: str
    sources: list[str]
    official: str
    owner: str


class ResultOut(Schema):
    measure: str
    period: str
    breakdown: str
    group: str
    numerator: float | None
    denominator: float | None
    value: float | None
    records: int | None = Field(description="Records behind the figure (partner view only)")
    suppressed: bool
    symbol: str = Field(description='"c" where a figure is withheld, else ""')


class ResultsOut(Schema):
    plan: str
    period: str
    breakdown: str
    view: Literal["public", "partner"]
    note: str
    results: list[ResultOut]


class ResultsQuery(Schema):
    period: str = Field(pattern=QUARTER, description="A quarter, e.g. 2025-Q1")
    breakdown: Breakdown = "total"


def partner(request: HttpRequest) -> bool:
    """Is this a partner: a signed-in user with a role, or a live token's user?"""
    if role_of(getattr(request, "user", None)) is not None:
        return True
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return False
    token = (
        Token.objects.filter(key_digest=digest(header.removeprefix("Bearer ").strip()))
        .filter(revoked=False)
        .select_related("user")
        .first()
    )
    if token is None or role_of(token.user) is None:
        raise HttpError(401, "The token is not valid")
    Token.objects.filter(pk=token.pk).update(last_used=timezone.now())
    return True


def _plan(plan_id: str) -> Plan:
    try:
        return library.get(plan_id)
    except library.UnknownPlanError as exc:
        raise HttpError(404, str(exc)) from exc


@api.get("/plans", response=list[PlanSummary], summary="Every plan", tags=["plans"])
def plans(request: HttpRequest) -> list[PlanSummary]:
    return [
        PlanSummary(
            id=e.plan.id,
            title=e.plan.title,
            partnership=e.plan.partnership.name,
            area=e.plan.partnership.area,
            period_start=e.plan.period.start,
            period_end=e.plan.period.end,
            status=e.plan.status.value,
        )
        for e in library.entries()
    ]


@api.get(
    "/plans/{plan_id}",
    response={200: dict[str, Any], 404: Problem},
    summary="One plan, whole (the same fields as its YAML file)",
    tags=["plans"],
)
def plan(request: HttpRequest, plan_id: str) -> dict[str, Any]:
    return _plan(plan_id).model_dump(mode="json", exclude_none=True)


@api.get("/measures", response=list[MeasureOut], summary="The measure catalogue", tags=["measures"])
def measures(request: HttpRequest) -> list[MeasureOut]:
    return [
        MeasureOut(
            id=m.id,
            title=m.title,
            definition=m.definition,
            numerator=m.numerator,
            denominator=m.denominator,
            unit=m.unit,
            direction=m.direction,
            timing=m.timing,
            sources=list(m.sources),
            official=str(m.official),
            owner=m.owner,
        )
        for m in catalogue().values()
    ]


@api.get(
    "/plans/{plan_id}/results",
    response={200: ResultsOut, 401: Problem, 404: Problem, 422: Invalid},
    summary="A plan's key measures for a quarter, in total or by one breakdown",
    tags=["results"],
)
def results(request: HttpRequest, plan_id: str, query: Query[ResultsQuery]) -> ResultsOut:
    the_plan = _plan(plan_id)
    period = parse_period(query.period)
    full = partner(request)
    chosen = plan_measures(the_plan)
    breakdown = query.breakdown

    if full:

        def run(source: Source, _latest: Period) -> list[Result]:  # totals and breakdown
            return compute(source, chosen, [period], [] if breakdown == "total" else [breakdown])

        done = from_store(("api", the_plan.id, version(the_plan), period.label, breakdown), run)
        note = done.note
        out = [_shown(r, full) for r in done.value or [] if r.breakdown == breakdown]
    else:
        released = release_of(chosen)
        note = released.note
        out = _public(released.value or Release(), chosen, period.label, breakdown)
    return ResultsOut(
        plan=the_plan.id,
        period=period.label,
        breakdown=breakdown,
        view="partner" if full else "public",
        note=note,
        results=out,
    )


def _shown(r: Result, full: bool) -> ResultOut:
    return ResultOut(
        measure=r.measure,
        period=r.period,
        breakdown=r.breakdown,
        group=r.group,
        numerator=r.numerator,
        denominator=r.denominator,
        value=r.value,
        records=r.records if full else None,
        suppressed=False,
        symbol="",
    )


def _public(
    release: Release, measures: list[Measure], period: str, breakdown: str
) -> list[ResultOut]:
    """The public release's cells (``measures.public``): the same as every public output,
    protected across every quarter, year and breakdown together."""
    out = []
    for m in measures:
        for p in release.table(m.id, period, breakdown):
            if p.result.breakdown == breakdown:
                out.append(
                    _shown(p.result, full=False).model_copy(
                        update={"suppressed": p.suppressed, "symbol": p.symbol}
                    )
                )
    return out
