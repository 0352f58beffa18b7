"""The partners' journeys in a real browser: an analyst signs in and reads the scorecard and
a measure; a contributor of another agency sees neither the council's draft commentary nor
any record-level page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import MEASURE_PAGE, PLAN_ID, OpenPage

pytestmark = pytest.mark.browser


def test_an_analyst_signs_in_and_reads_the_scorecard_and_a_measure(visit: OpenPage) -> None:
    seen = visit("desktop")
    seen.sign_in("browser-analyst")
    seen.page.get_by_role("link", name=re.compile("LSCB Priorities Plan on a Page")).first.click()
    expect(seen.page).to_have_url(re.compile(rf"/dashboard/plans/{PLAN_ID}/$"))
    table = seen.page.locator("table.sp-scorecard")
    expect(table.locator("caption")).to_contain_text("Key measures, Jan–Mar 2024")
    expect(table.locator("tbody tr")).to_have_count(12)
    seen.screenshot("journey-scorecard-desktop")

    seen.page.get_by_role(
        "link", name="Children subject to a child protection plan for 18 months or more"
    ).click()
    expect(seen.page.get_by_role("heading", level=1)).to_have_text(
        "Children subject to a child protection plan for 18 months or more"
    )
    expect(seen.page.locator("svg.sp-chart")).to_be_visible()
    expect(seen.page.locator("table.sp-history tbody tr")).to_have_count(12)
    # the breakdown tabs work: choosing one shows its table and hides the first
    seen.page.get_by_role("tab", name="Gender", exact=True).click()
    expect(seen.page.locator("#by-gender")).to_be_visible()
    expect(seen.page.locator("#by-age_band")).to_be_hidden()
    seen.screenshot("journey-measure-desktop")
    assert not seen.errors, seen.errors


def test_a_contributor_sees_no_other_agencys_drafts_and_no_records(visit: OpenPage) -> None:
    words = "Draft words from the council, not yet submitted."
    analyst = visit("desktop", user="browser-analyst")
    analyst.goto(MEASURE_PAGE)
    analyst.page.get_by_role("link", name=re.compile("Write commentary")).click()
    analyst.page.get_by_label("Commentary").fill(words)
    analyst.page.get_by_role("button", name="Save as draft").click()
    expect(analyst.page.locator(".sp-commentary")).to_contain_text(words)
    expect(
        analyst.page.get_by_role("link", name="See the records behind the figure")
    ).to_be_visible()

    police = visit("desktop", user="browser-contributor")
    police.goto(MEASURE_PAGE)
    expect(police.page.get_by_role("heading", name="Commentary")).to_be_visible()
    expect(police.page.get_by_text(words)).to_have_count(0)
    expect(police.page.get_by_role("link", name=re.compile("Write commentary"))).to_have_count(0)
    expect(police.page.get_by_role("link", name="See the records behind the figure")).to_have_count(
        0
    )
    police.goto(f"{MEASURE_PAGE}records/", 403)
    expect(police.page.get_by_role("heading", level=1)).to_have_text(
        "You do not have permission to see this page"
    )
    police.goto(f"{MEASURE_PAGE}commentary/2024-Q1/", 403)
    police.screenshot("contributor-refused-desktop")
