"""The JSON API: its OpenAPI schema, the public (suppressed) and partner views, tokens, and a
schemathesis run of every endpoint against the schema (bounded examples)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import schemathesis
from django.test import Client
from hypothesis import HealthCheck, given, settings

from safeplan.measures.data import Source
from safeplan.measures.engine import compute
from safeplan.measures.periods import parse
from safeplan.measures.public import public_release
from safeplan.measures.scorecard import plan_measures
from safeplan.plans import library
from tests.web.conftest import make_user

PLAN = "durham-lscb-2017-2020"
RESULTS = f"/api/plans/{PLAN}/results?period=2025-Q1"


def expected(store: Path, public: bool) -> dict[str, Any]:
    """Partners: the quarter as computed. Public: the quarter's totals in the public release,
    protected with every other public quarter, year and breakdown."""
    source = Source.connect(str(store))
    measures = plan_measures(library.get(PLAN))
    if not public:
        results = compute(source, measures, [parse("2025-Q1")])
        return {r.measure: r.value for r in results if r.breakdown == "total"}
    release = public_release(source, measures)
    totals = [release.get(m.id, "2025-Q1") for m in measures]
    return {p.result.measure: p.result.value for p in totals if p is not None}


def test_the_schema_is_openapi_3(client: Client) -> None:
    schema = client.get("/api/schema").json()
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/plans",
        "/api/measures",
        "/api/plans/{plan_id}",
        "/api/plans/{plan_id}/results",
    } <= set(schema["paths"])


def test_the_public_view_is_suppressed(db: None, client: Client, store: Path) -> None:
    body = client.get(RESULTS).json()
    assert body["view"] == "public"
    got = {r["measure"]: r["value"] for r in body["results"]}
    assert got == expected(store, public=True)
    withheld = [r for r in body["results"] if r["suppressed"]]
    assert withheld and all(r["value"] is None and r["symbol"] == "c" for r in withheld)
    assert all(r["records"] is None for r in body["results"])


def test_partners_get_the_figures_unsuppressed_by_session_or_token(db: None, store: Path) -> None:
    from safeplan.web.api.models import Token

    user = make_user("board")
    session = Client()
    session.force_login(user)
    by_session = session.get(RESULTS).json()
    assert by_session["view"] == "partner"
    assert {r["measure"]: r["value"] for r in by_session["results"]} == expected(store, False)
    _, key = Token.issue(user, "test")
    by_token = Client().get(RESULTS, HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert by_token == by_session
    assert Token.objects.get().last_used is not None
    Token.objects.update(revoked=True)
    assert Client().get(RESULTS, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    assert Client().get(RESULTS, HTTP_AUTHORIZATION="Bearer sp_made_up").status_code == 401


def test_a_breakdown_is_suppressed_with_its_total(db: None, client: Client, store: Path) -> None:
    body = client.get(RESULTS + "&breakdown=gender").json()
    assert body["breakdown"] == "gender" and body["results"]
    assert {r["breakdown"] for r in body["results"]} == {"gender"}
    small = [r for r in body["results"] if r["numerator"] is not None and 0 < r["numerator"] <= 5]
    assert small == []


def test_tokens_are_kept_as_digests_only(db: None) -> None:
    from safeplan.web.api.models import Token

    token, key = Token.issue(make_user("analyst"), "Power BI")
    assert key.startswith("sp_") and key not in token.key_digest and len(token.key_digest) == 64


def test_every_endpoint_keeps_to_its_schema(db: None, store: Path) -> None:
    """schemathesis makes requests from the schema (bounded: 15 per endpoint) and checks each
    answer: no server error, the status code and the body as the schema says."""
    from django.core.wsgi import get_wsgi_application

    api = schemathesis.openapi.from_wsgi("/api/schema", get_wsgi_application())
    operations = [result.ok() for result in api.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) == 4

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            case.call_and_validate()

        check()
