"""Every page type in a real browser, on a phone and a desktop: it loads with no console
error (a script or style the Content-Security-Policy refused shows as one), axe-core finds no
serious or critical accessibility problem, and a screenshot is kept as a test artifact
(test-artifacts/screenshots/, with axe-core's full findings in test-artifacts/axe/)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import expect

from safeplan.plans.library import bundled_paths
from safeplan.plans.yamlio import load_plan
from tests.browser.conftest import (
    ARTIFACTS,
    PLAN_ID,
    SIGNED_IN_PAGES,
    SURVEY_TOKEN,
    OpenPage,
    Viewport,
    Visit,
    run_axe,
)

pytestmark = pytest.mark.browser

PLAN_IDS = [load_plan(path).id for path in bundled_paths()]
# (name, path, expected status, viewport): every public page type on a phone and a desktop,
# and each bundled plan on a desktop (one plan on a phone: the same template).
PUBLIC_PAGES = [
    (name, path, status, viewport)
    for name, path, status in [
        ("plan-list", "/", 200),
        *((f"plan-{plan_id}", f"/plans/{plan_id}/", 200) for plan_id in PLAN_IDS),
        ("not-found", "/plans/no-such-plan/", 404),
        ("sign-in", "/sign-in/", 200),
        ("signed-out", "/signed-out/", 200),
        ("password-reset", "/password-reset/", 200),
        ("link-expired", "/invitation/MQ/bad-token/", 200),
        ("survey", f"/survey/s/{SURVEY_TOKEN}/", 200),
        ("survey-thanks", f"/survey/s/{SURVEY_TOKEN}/thanks/", 200),
    ]
    for viewport in ("phone", "desktop")
    if viewport == "desktop" or not name.startswith("plan-") or name == f"plan-{PLAN_ID}"
]
BLOCKING = {"serious", "critical"}
PHONE_WIDTH = 360
VIEWPORT_NAMES: list[Viewport] = ["phone", "desktop"]


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        targets = ", ".join(str(n["target"]) for n in v["nodes"][:5])
        lines.append(f"{v['impact']}: {v['id']} ({v['help']}) at {targets} — {v['helpUrl']}")
    return "\n".join(lines)


def page_width(seen: Visit) -> int:
    width: int = seen.page.evaluate("document.documentElement.scrollWidth")
    return width


def check(seen: Visit, name: str) -> None:
    """Screenshot, axe-core and the console, for the page as it stands; and on a phone, no
    scrolling sideways (WCAG 1.4.10 Reflow)."""
    seen.screenshot(name)
    violations: list[dict[str, Any]] = run_axe(seen.page)["violations"]
    report = ARTIFACTS / "axe" / f"{name}.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(violations, indent=1), encoding="utf-8")
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"axe-core on {seen.page.url}:\n{describe(blocking)}"
    assert not seen.errors, f"console errors on {seen.page.url}: {seen.errors}"
    if name.endswith("-phone"):
        assert page_width(seen) <= PHONE_WIDTH, f"{seen.page.url} scrolls sideways on a phone"


@pytest.mark.parametrize(
    ("name", "path", "status", "viewport"),
    PUBLIC_PAGES,
    ids=[f"{p[0]}-{p[3]}" for p in PUBLIC_PAGES],
)
def test_public_pages_are_accessible(
    visit: OpenPage, name: str, path: str, status: int, viewport: Viewport
) -> None:
    seen = visit(viewport)
    seen.goto(path, status)
    check(seen, f"{name}-{viewport}")


@pytest.mark.parametrize("viewport", VIEWPORT_NAMES)
@pytest.mark.parametrize(
    ("name", "path", "username", "status"), SIGNED_IN_PAGES, ids=[p[0] for p in SIGNED_IN_PAGES]
)
def test_signed_in_pages_are_accessible(
    visit: OpenPage,
    name: str,
    path: str,
    username: str,
    status: int,
    viewport: Viewport,
) -> None:
    seen = visit(viewport, user=username)
    seen.goto(path, status)
    check(seen, f"{name}-{viewport}")


def test_sign_in_errors_are_accessible(visit: OpenPage) -> None:
    """The sign-in form sent empty: the error summary takes focus and links to each field."""
    seen = visit("desktop")
    seen.goto("/sign-in/")
    seen.expect_status = 400
    seen.page.get_by_role("button", name="Sign in", exact=True).click()
    seen.page.wait_for_load_state("load")
    summary = seen.page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Enter your username")).to_have_attribute(
        "href", "#username"
    )
    check(seen, "sign-in-errors-desktop")


def test_axe_finds_a_planted_problem(visit: OpenPage) -> None:
    """The checker itself works: an image with no text alternative is a critical violation."""
    seen = visit("desktop")
    seen.goto("/")
    seen.page.evaluate(
        "() => document.querySelector('main').append(Object.assign("
        "document.createElement('img'), {src: '/static/safeplan/favicon.svg'}))"
    )
    violations = run_axe(seen.page)["violations"]
    assert any(v["id"] == "image-alt" and v["impact"] == "critical" for v in violations)
