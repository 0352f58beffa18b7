"""The public plan on a page: every bundled plan renders with its own words."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client

from safeplan.plans.library import bundled_paths
from safeplan.plans.model import Plan
from safeplan.plans.yamlio import load_plan
from tests.web.conftest import text_of

PLANS = [load_plan(path) for path in bundled_paths()]


def test_the_plan_list_names_every_plan(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    words = text_of(response.content)
    for plan in PLANS:
        assert plan.title in words
        assert plan.partnership.name in words
        assert f'href="/plans/{plan.id}/"' in response.content.decode()


@pytest.mark.parametrize("plan", PLANS, ids=[p.id for p in PLANS])
def test_a_plan_page_shows_the_whole_plan(client: Client, plan: Plan) -> None:
    response = client.get(f"/plans/{plan.id}/")
    assert response.status_code == 200
    words = text_of(response.content)
    assert plan.title in words
    if plan.vision:
        assert plan.vision.split()[0] in words and "Our vision" in words
    for priority in plan.priorities:
        assert priority.title in words
        for text in [
            priority.aim,
            *priority.commitments,
            *(i.title for i in priority.interventions),
            *(a.title for a in priority.focus_areas),
            *(c for a in priority.focus_areas for c in a.commitments),
            *(r.wording for r in priority.measures),
            *(plan.strategy(s).title for s in priority.strategies),
        ]:
            if text:
                assert " ".join(text.split()) in words
        for ref in priority.measures:
            assert f"Aim: {ref.direction.value}" in words
    for enabler in plan.enablers:
        assert enabler.title in words
    # No store yet: the page says so instead of showing figures.
    assert "Figures are not available yet" in words


def test_each_priority_starts_a_printed_page(client: Client) -> None:
    plan = PLANS[0]
    page = client.get(f"/plans/{plan.id}/").content.decode()
    assert page.count('<section class="sp-priority"') == len(plan.priorities)
    css = client.get("/static/safeplan/safeplan.css")
    stylesheet = b"".join(css.streaming_content).decode()  # type: ignore[attr-defined]
    css.close()
    assert "@media print" in stylesheet
    print_rules = stylesheet.split("@media print", 1)[1]
    assert ".sp-priority {\n    break-before: page;" in print_rules
    assert "size: A4" in print_rules


class Markup(HTMLParser):
    """Things a strict Content-Security-Policy would refuse, and what the header holds."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.inline_styles = 0
        self.handlers: list[str] = []
        self.generic_header = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            self.scripts.append(found)
        if tag == "style" or "style" in found:
            self.inline_styles += 1
        self.handlers += [name for name in found if name.startswith("on")]
        if "govuk-generic-header" in (found.get("class") or "").split():
            self.generic_header = True


@pytest.mark.parametrize("path", ["/", f"/plans/{PLANS[0].id}/", "/plans/no-such-plan/"])
def test_pages_have_no_inline_script_or_style(client: Client, path: str) -> None:
    markup = Markup()
    markup.feed(client.get(path).content.decode())
    assert markup.scripts == [{"type": "module", "src": "/static/safeplan/init.mjs"}]
    assert markup.inline_styles == 0
    assert markup.handlers == []
    assert markup.generic_header  # the non-GOV.UK header: no crown, no GOV.UK logo


def test_the_header_is_not_the_govuk_one(client: Client) -> None:
    page = client.get(f"/plans/{PLANS[0].id}/").content.decode()
    assert "govuk-header__logotype" not in page and "GOV.UK" not in page
    assert "govuk-service-navigation__service-name" in page and "SafePlan" in page
    assert PLANS[0].partnership.name in text_of(page.encode())


def test_an_unknown_plan_is_a_govuk_404(client: Client) -> None:
    response = client.get("/plans/no-such-plan/")
    assert response.status_code == 404
    words = text_of(response.content)
    assert "Page not found" in words and "check it is correct" in words
    assert "no-such-plan" not in words  # the error's text is not echoed
    assert client.get("/nothing/here/").status_code == 404


def test_public_pages_are_read_only(client: Client) -> None:
    assert client.post("/").status_code == 405
    assert client.head("/").status_code == 200
