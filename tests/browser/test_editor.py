"""Plan editing in a real browser: an administrator changes a key measure's target and the
scorecard shows the new target at once; a mistake is shown in the error summary; the history
shows the change, and reverting brings the old target back. The pages on the way are checked
with axe-core, and the screenshots are the ones in docs/editing-plans.md."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import COUNCIL_MEASURE, PLAN_ID, OpenPage, Visit
from tests.browser.test_accessibility import check

pytestmark = pytest.mark.browser

EDIT = f"/plans/edit/{PLAN_ID}/"
SCORECARD = f"/dashboard/plans/{PLAN_ID}/"
YEAR = "2023-24"  # the CIN census fixture's latest quarter, Jan–Mar 2024, ends 2023-24


def target_on_the_scorecard(seen: Visit) -> str:
    """The Target column of the council measure's row of the scorecard."""
    seen.goto(SCORECARD)
    row = seen.page.locator(f'table.sp-scorecard tr[data-measure="{COUNCIL_MEASURE}"]')
    return row.locator("td").nth(1).inner_text().strip()


def open_the_measure(page: Page) -> None:
    """From the plan's editing page to the key measure, as a person would go."""
    page.get_by_role("link", name="Change Neglect", exact=True).click()
    page.get_by_role(
        "link",
        name=re.compile(r"^Change .*child protection plan for 18 months or more"),
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Key measure 3")


def save_target(page: Page, value: str) -> None:
    page.locator("#target-0-year").fill(YEAR)
    page.locator("#target-0-value").fill(value)
    page.get_by_role("button", name="Save the key measure").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Target for {COUNCIL_MEASURE} {YEAR}"
    )


def test_an_admin_edits_a_target_sees_it_on_the_scorecard_and_reverts_it(
    visit: OpenPage,
) -> None:
    seen = visit("desktop", user="browser-admin")
    assert target_on_the_scorecard(seen) == "–"

    seen.goto("/plans/edit/")
    seen.page.get_by_role("link", name=re.compile(r"^Edit LSCB Priorities Plan on a Page")).click()
    expect(seen.page).to_have_url(re.compile(rf"{EDIT}$"))
    # the 2017-2020 plan carried on to 2023 (so a target for the data's year is allowed)
    seen.page.get_by_label("Last year").fill("2023")
    seen.page.get_by_role("button", name="Save the plan").click()
    expect(seen.page.locator(".govuk-notification-banner")).to_contain_text(
        "Period: 2017–2020 → 2017–2023"
    )
    check(seen, "editor-plan-saved-desktop")
    seen.screenshot("editing-plan")

    open_the_measure(seen.page)
    seen.page.locator("#target-0-year").fill("2025-26")
    seen.page.locator("#target-0-value").fill("20")
    seen.expect_status = 400
    seen.page.get_by_role("button", name="Save the key measure").click()
    summary = seen.page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text("2025-26 is outside the plan period 2017–2023")
    expect(summary.get_by_role("link")).to_have_attribute("href", "#target-0-year")
    check(seen, "editor-measure-error-desktop")
    seen.screenshot("editing-error")
    seen.expect_status = 200

    save_target(seen.page, "20")
    assert target_on_the_scorecard(seen) == "20.0%"
    seen.screenshot("editing-scorecard")

    seen.goto(EDIT)
    open_the_measure(seen.page)
    expect(seen.page.locator("#target-0-value")).to_have_value("20")
    seen.page.locator("#target-0-value").fill("15")
    seen.screenshot("editing-measure")
    save_target(seen.page, "15")
    assert target_on_the_scorecard(seen) == "15.0%"

    seen.goto(f"{EDIT}history/")
    newest = seen.page.locator('section[data-version="4"]')
    expect(newest).to_contain_text(f"Target for {COUNCIL_MEASURE} {YEAR}: 20 → 15")
    expect(newest).to_contain_text("browser-admin")
    newest.get_by_text("The change to the YAML").click()
    expect(newest.locator(".sp-diff__added")).to_contain_text("value: 15.0")
    check(seen, "editor-history-desktop")
    seen.screenshot("editing-history")

    seen.page.get_by_role("button", name="Revert to this version (version 3)").click()
    expect(seen.page.locator(".govuk-notification-banner")).to_contain_text(
        f"Reverted to version 3: Target for {COUNCIL_MEASURE} {YEAR}: 15 → 20"
    )
    assert target_on_the_scorecard(seen) == "20.0%"

    # back to the bundled plan as it was, for the tests that follow
    seen.goto(f"{EDIT}history/1/revert/")
    seen.page.get_by_role("button", name="Revert to version 1").click()
    expect(seen.page.locator(".govuk-notification-banner")).to_contain_text("Saved as version 6")
    assert target_on_the_scorecard(seen) == "–"
    assert not seen.errors, seen.errors


def test_a_broken_plan_file_is_refused_with_its_lines(visit: OpenPage, tmp_path: object) -> None:
    from pathlib import Path

    broken = Path(str(tmp_path)) / "my-plan.yaml"
    broken.write_text(
        "id: testshire-scp-2024-2027\ntitle: Testshire plan\n"
        "partnership: {name: Testshire Safeguarding Children Partnership, area: Testshire}\n"
        "period: {start: 2024, end: 2027}\nstatus: draft\npriorities:\n"
        "- id: neglect\n  title: Neglect\n  comitments: [Help families early]\n",
        encoding="utf-8",
    )
    seen = visit("desktop", user="browser-admin")
    seen.goto("/plans/edit/import/")
    seen.page.get_by_label("Plan file").set_input_files(str(broken))
    seen.expect_status = 400
    seen.page.get_by_role("button", name="Import the plan").click()
    summary = seen.page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(
        "my-plan.yaml, line 9 (priorities[0].comitments): 'comitments' is not a field of a "
        "plan at this place; did you mean 'commitments'?"
    )
    check(seen, "editor-import-error-desktop")
    seen.screenshot("editing-import-error")
