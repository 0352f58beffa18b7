"""The access-control matrix: every URL of the project × every role → allowed or denied.

The URLs come from walking Django's resolver, not from a list, so a new page fails this test
until it is added to MATRIX below with its intended audience. Denied means: the public is sent
to sign in; a signed-in user with the wrong role gets the 403 page. A feature that is off in the
tests' settings (single sign-on) has the audience OFF: its URLs answer 404 for everyone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.web.conftest import make_user

ROLES = ("public", "contributor", "board", "analyst", "admin")
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"public"}
ANALYSTS = frozenset({"analyst", "admin"})
AGENCIES = ("council", "health", "police")  # the three statutory partners
PLAN = "durham-lscb-2017-2020"
OFF = None  # a feature switched off by settings: "Page not found" for everyone
QUERIES = {"api:results": "?period=2024-Q1"}  # what a URL needs beyond its path
SURVEY_TOKEN = "matrix-survey-link"

# URL name → (sample kwargs, roles allowed). Everyone else is denied.
MATRIX: dict[str, tuple[dict[str, str], frozenset[str] | None]] = {
    "public:plans": ({}, EVERYONE),
    "public:plan": ({"plan_id": "durham-lscb-2017-2020"}, EVERYONE),
    "accounts:sign-in": ({}, EVERYONE),
    # The JSON API: open to everyone; partners get more in the same answer (tests/web/test_api.py)
    "api:api-root": ({}, OFF),  # no browsable docs page (it would need inline script)
    "api:openapi-json": ({}, EVERYONE),
    "api:plans": ({}, EVERYONE),
    "api:plan": ({"plan_id": PLAN}, EVERYONE),
    "api:measures": ({}, EVERYONE),
    "api:results": ({"plan_id": PLAN}, EVERYONE),
    # the second step: a page for whoever a password left pending ("sign in again" if none)
    "accounts:two-step": ({}, EVERYONE),
    "accounts:two-step-set-up": ({}, EVERYONE),
    # e-mailed links: the token is the proof (a wrong one: "this link has expired")
    "accounts:password-reset": ({}, EVERYONE),
    "accounts:password-reset-sent": ({}, EVERYONE),
    "accounts:password-reset-link": ({"uidb64": "MQ", "token": "bad-token"}, EVERYONE),
    "accounts:invitation": ({"uidb64": "MQ", "token": "bad-token"}, EVERYONE),
    "accounts:password-done": ({}, EVERYONE),
    # the People pages: administrators only (person 1: a user made by as_role)
    "accounts:people": ({}, frozenset({"admin"})),
    "accounts:person-add": ({}, frozenset({"admin"})),
    "accounts:person": ({"pk": "1"}, frozenset({"admin"})),
    "accounts:person-invite": ({"pk": "1"}, frozenset({"admin"})),
    "accounts:person-deactivate": ({"pk": "1"}, frozenset({"admin"})),
    "accounts:sso": ({}, OFF),  # public when on (tests/web/test_oidc.py)
    "accounts:sso-callback": ({}, OFF),
    "accounts:signed-out": ({}, EVERYONE),
    "accounts:sign-out": ({}, SIGNED_IN),
    "partner:dashboard": ({}, SIGNED_IN),
    "partner:scorecard": ({"plan_id": PLAN}, SIGNED_IN),
    "partner:report": ({"plan_id": PLAN, "fmt": "html"}, SIGNED_IN),
    "partner:measure-export": (
        {"plan_id": PLAN, "measure_id": "cpp_18m_plus", "fmt": "csv"},
        SIGNED_IN,
    ),
    "partner:measure": ({"plan_id": PLAN, "measure_id": "cpp_18m_plus"}, SIGNED_IN),
    # record-level: analysts and administrators only (and every view is audited)
    "partner:records": ({"plan_id": PLAN, "measure_id": "cpp_18m_plus"}, ANALYSTS),
    # the owning agency (the test users' council owns cpp_18m_plus) writes commentary
    "partner:write-commentary": (
        {"plan_id": PLAN, "measure_id": "cpp_18m_plus", "period": "2024-Q1"},
        frozenset({"contributor", "analyst", "admin"}),
    ),
    "partner:approvals": ({}, frozenset({"admin"})),
    "partner:data-quality": ({}, ANALYSTS),
    "uploads:upload": ({}, ANALYSTS),
    "uploads:result": ({"pk": "1"}, ANALYSTS),  # made by the as_role fixture
    "uploads:findings": ({"load_id": "1"}, ANALYSTS),  # the fixture store's first load
    "uploads:confirm": ({"pk": "1"}, ANALYSTS),  # sent, it confirms; opened, the upload's page
    "uploads:undo": ({"load_id": "1"}, frozenset({"admin"})),  # opened, it asks first
    "tracker:plan": ({"plan_id": PLAN}, SIGNED_IN),
    "tracker:item": ({"pk": "1"}, SIGNED_IN),  # item and milestone 1: made by as_role
    "tracker:edit": ({"pk": "1"}, ANALYSTS),
    "tracker:add-milestone": ({"pk": "1"}, ANALYSTS),
    "tracker:milestone": ({"pk": "1"}, ANALYSTS),
    # the lead agency (item 1's is the test users' council) reports; administrators for any
    "tracker:update": ({"pk": "1"}, frozenset({"contributor", "analyst", "admin"})),
    "tracker:reminders": ({}, frozenset({"admin"})),
    # the plan editor: administrators only (revert answers GET with its confirmation page)
    "editor:plans": ({}, frozenset({"admin"})),
    "editor:new": ({}, frozenset({"admin"})),
    "editor:import": ({}, frozenset({"admin"})),
    "editor:plan": ({"plan_id": PLAN}, frozenset({"admin"})),
    "editor:enablers": ({"plan_id": PLAN}, frozenset({"admin"})),
    "editor:history": ({"plan_id": PLAN}, frozenset({"admin"})),
    "editor:revert": ({"plan_id": PLAN, "number": "1"}, frozenset({"admin"})),
    "editor:export": ({"plan_id": PLAN}, frozenset({"admin"})),
    "editor:new-priority": ({"plan_id": PLAN}, frozenset({"admin"})),
    "editor:priority": ({"plan_id": PLAN, "priority_id": "neglect"}, frozenset({"admin"})),
    "editor:new-measure": ({"plan_id": PLAN, "priority_id": "neglect"}, frozenset({"admin"})),
    "editor:measure": (
        {"plan_id": PLAN, "priority_id": "neglect", "index": "0"},
        frozenset({"admin"}),
    ),
    # the children's survey: a setting's link is public (setting 1: made by as_role)
    "survey:settings": ({}, ANALYSTS),
    "survey:setting": ({"pk": "1"}, ANALYSTS),
    "survey:questions": ({"plan_id": PLAN}, frozenset({"admin"})),
    "survey:results": ({}, SIGNED_IN),
    "survey:take": ({"token": SURVEY_TOKEN}, EVERYONE),
    "survey:thanks": ({"token": SURVEY_TOKEN}, EVERYONE),
    # the data returns calendar: partners who chase or oversee data; its cadences: admins
    "returns:calendar": ({}, frozenset({"board", "analyst", "admin"})),
    "returns:schedules": ({}, frozenset({"admin"})),
    "returns:schedule": ({"template": "missing_episodes"}, frozenset({"admin"})),
    "audit:trail": ({}, frozenset({"admin"})),
    "audit:export": ({}, frozenset({"admin"})),
}


def walk(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, Any]]:
    """(namespace:name, view) for every URL pattern, into every include()."""
    from django.urls import URLResolver

    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, inner)
        else:
            yield f"{namespace}{pattern.name or '(unnamed)'}", pattern.callback


def every_url() -> dict[str, Any]:
    from django.urls import get_resolver

    return dict(walk(get_resolver().url_patterns))


def test_every_url_is_in_the_matrix() -> None:
    urls = every_url()
    assert len(urls) >= len(MATRIX)  # walked into every include()
    assert set(urls) - set(MATRIX) == set(), "add each new URL to MATRIX with its audience"
    assert set(MATRIX) - set(urls) == set(), "MATRIX names a URL the project no longer has"


def test_every_view_declares_its_audience() -> None:
    from safeplan.web.accounts.access import policy_of

    undeclared = [name for name, view in every_url().items() if policy_of(view) is None]
    assert undeclared == [], "each view needs @public or @allow(...)"


@pytest.fixture
def as_role(db: None, fixture_store: Path) -> dict[tuple[str, str], Client]:
    """A client per role of each statutory partner, over a store with one load and one web
    upload by the council (so the pages that show them have something to show)."""
    from safeplan.web.accounts.models import Agency
    from safeplan.web.uploads.models import Upload

    clients = {("public", "council"): Client()}
    for kind in reversed(AGENCIES):  # the council's last: `user` is the council's admin
        agency, _ = Agency.objects.get_or_create(name=f"Test {kind}", defaults={"kind": kind})
        for role in ROLES[1:]:
            user = make_user(role, f"test-{role}-{kind}")
            user.agency = agency
            user.save()
            client = Client()
            client.force_login(user)
            clients[(role, kind)] = client
    Upload.objects.create(pk=1, uploaded_by=user, outcomes=[])
    from safeplan.web.survey.models import Setting

    Setting.objects.create(
        pk=1, name="Matrix School", kind="school", plan_id=PLAN, token=SURVEY_TOKEN
    )
    from datetime import date

    from safeplan.plans import library
    from safeplan.web.tracker.models import Item, Milestone

    first = library.get(PLAN).priorities[0]  # the plan's first intervention, led by the council
    item = Item.objects.create(
        pk=1,
        plan_id=PLAN,
        priority_id=first.id,
        position=0,
        title=first.interventions[0].title,
        lead_agency=user.agency,
    )
    Milestone.objects.create(pk=1, item=item, title="Sample", due=date(2025, 3, 31))
    return clients


def outcome(client: Client, path: str) -> str:
    """ "allowed", "sign in" (sent to the sign-in page), "403" (the GOV.UK 403 page), "404"
    (the GOV.UK 404 page), or what else came back."""
    from django.urls import reverse

    response = client.get(path)
    if response.streaming:
        b"".join(response.streaming_content)  # type: ignore[attr-defined]
    if response.status_code == 200:
        return "allowed"
    if response.status_code == 302 and response["Location"] == (
        f"{reverse('accounts:sign-in')}?next={path}"
    ):
        return "sign in"
    if response.status_code == 403 and b"You do not have permission" in response.content:
        return "403"
    if response.status_code == 404 and b"Page not found" in response.content:
        return "404"
    return f"unexpected {response.status_code}"


# Pages of one agency's own: URL name → the kind of agency whose users they are for; every
# administrator too. Child-level data (need to know): the supplying agency's analysts.
NEED_TO_KNOW = {
    "partner:records": "council",  # cpp_18m_plus, from the council's CIN census
    "uploads:result": "council",  # upload 1, sent by the council's administrator
    "uploads:confirm": "council",
    "uploads:findings": "council",  # load 1, the council's CIN census
    "tracker:update": "council",  # item 1's progress: its lead agency, the council, reports it
}
OWNED = {"partner:write-commentary": "council"}  # the owning agency writes, whatever the role


def expected_outcome(name: str, role: str, agency: str) -> str:
    _, allowed = MATRIX[name]
    if allowed is OFF:
        return "404"
    if role not in allowed:
        return "sign in" if role == "public" else "403"
    if OWNED.get(name, agency) != agency:
        return "403"
    if name in NEED_TO_KNOW and role != "admin" and NEED_TO_KNOW[name] != agency:
        return "403"
    return "allowed"


@pytest.mark.parametrize(
    ("role", "agency"),
    [("public", "council")] + [(r, a) for r in ROLES[1:] for a in AGENCIES],  # the public: none
)
def test_the_matrix(as_role: dict[tuple[str, str], Client], role: str, agency: str) -> None:
    from django.urls import reverse

    wrong = {}
    for name, (kwargs, _) in MATRIX.items():
        path = reverse(name, kwargs=kwargs or None) + QUERIES.get(name, "")
        expected = expected_outcome(name, role, agency)
        got = outcome(as_role[(role, agency)], path)
        if got != expected:
            wrong[name] = f"expected {expected}, got {got}"
    assert wrong == {}


def test_an_undeclared_view_is_refused(db: None) -> None:
    """Deny by default: the middleware refuses a view that declares no audience."""
    from django.http import HttpRequest, HttpResponse
    from django.test import RequestFactory

    from safeplan.web.accounts.access import AccessPolicyMiddleware

    def undeclared(request: HttpRequest) -> HttpResponse:
        return HttpResponse("secret")

    request = RequestFactory().get("/anything/")
    request.user = make_user("admin")
    middleware = AccessPolicyMiddleware(lambda r: HttpResponse("never"))
    response = middleware.process_view(request, undeclared, (), {})
    assert response is not None and response.status_code == 403
