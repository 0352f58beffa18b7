"""The action tracker in a real browser: an analyst sets an intervention up for the police with
milestones; the police contributor posts a progress update with an evidence link and a status,
and sees it on the item's page; the dashboard and the business manager's reminders then list
it. Each page is checked with axe-core and screenshotted (the tracker guide's pictures)."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PLAN_ID, OpenPage, Visit
from tests.browser.test_accessibility import check

pytestmark = pytest.mark.browser

ITEM = "Pursue perpetrators of CSE"
LATE = "Disruption plan agreed with partners"
SLIPPED = "Perpetrator profiles shared with the council"
NEXT = "Joint patrols in the night-time economy"
WORDS = "Disruption plan agreed at the exploitation panel on Tuesday."
EVIDENCE = "https://partnership.example.org/minutes/exploitation-panel"


def fill_date(seen: Visit, name: str, value: datetime.date) -> None:
    seen.page.locator(f"#{name}-day").fill(str(value.day))
    seen.page.locator(f"#{name}-month").fill(str(value.month))
    seen.page.locator(f"#{name}-year").fill(str(value.year))


def open_item(seen: Visit) -> None:
    seen.goto(f"/tracker/{PLAN_ID}/")
    seen.page.get_by_role("link", name=ITEM, exact=True).click()
    expect(seen.page.get_by_role("heading", level=1)).to_have_text(ITEM)


def set_up_for_the_police(visit: OpenPage) -> None:
    """An analyst makes the police the lead agency and adds two milestones, one overdue."""
    today = datetime.date.today()
    analyst = visit("desktop", user="browser-analyst")
    open_item(analyst)
    analyst.page.get_by_role("button", name="Change lead agency, owner and milestones").click()
    analyst.page.get_by_label("Lead agency").select_option(label="Test Police")
    analyst.page.get_by_label("Owner (optional)").fill("Detective Inspector, exploitation team")
    analyst.page.get_by_role("button", name="Save", exact=True).click()
    expect(analyst.page.locator(".govuk-summary-list")).to_contain_text("Test Police")
    analyst.page.get_by_role("button", name="Change lead agency, owner and milestones").click()
    for title, due in ((LATE, -10), (SLIPPED, -3), (NEXT, 7)):
        analyst.page.get_by_role("button", name="Add a milestone").click()
        analyst.page.get_by_label("Milestone", exact=True).fill(title)
        fill_date(analyst, "due", today + datetime.timedelta(days=due))
        analyst.page.get_by_role("button", name="Save milestone").click()
        expect(analyst.page.locator(".govuk-summary-list")).to_contain_text(title)
    check(analyst, "journey-tracker-edit-desktop")
    analyst.page.get_by_role("link", name=f"Change {NEXT}").click()
    expect(analyst.page.get_by_role("heading", level=1)).to_have_text("Change a milestone")
    check(analyst, "journey-tracker-milestone-desktop")


def test_a_contributor_posts_a_progress_update(visit: OpenPage) -> None:
    set_up_for_the_police(visit)
    police = visit("desktop", user="browser-contributor")
    open_item(police)
    police.page.get_by_role("button", name="Post a progress update").click()

    police.page.get_by_label("What has happened").fill(WORDS)
    police.page.get_by_label("Link to evidence (optional)").fill(EVIDENCE)
    police.page.get_by_label(LATE).check()
    police.page.get_by_label("At risk").check()
    police.screenshot("journey-tracker-update-desktop")

    # A plain http link is refused, with the GOV.UK error summary linking to the field.
    police.page.get_by_label("Link to evidence (optional)").fill(EVIDENCE.replace("https", "http"))
    police.expect_status = 400
    police.page.get_by_role("button", name="Post update").click()
    police.page.wait_for_load_state("load")
    summary = police.page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(
        summary.get_by_role("link", name="Enter a link that starts with https://")
    ).to_have_attribute("href", "#evidence_url")
    expect(police.page.get_by_label("What has happened")).to_have_value(WORDS)  # kept
    expect(police.page.get_by_label(LATE)).to_be_checked()
    check(police, "journey-tracker-update-errors-desktop")

    police.page.get_by_label("Link to evidence (optional)").fill(EVIDENCE)
    police.expect_status = 200
    police.page.get_by_role("button", name="Post update").click()
    expect(police.page).to_have_url(re.compile(r"/tracker/items/\d+/#updates$"))
    update = police.page.locator(".sp-update").first
    expect(update).to_contain_text(WORDS)
    expect(update).to_contain_text("At risk")
    expect(update).to_contain_text("browser-contributor, Test Police")
    expect(update.get_by_role("link", name=EVIDENCE)).to_have_attribute("href", EVIDENCE)
    expect(police.page.locator("[data-status]")).to_have_text("At risk")
    milestones = police.page.locator(".sp-milestones tbody tr")
    expect(milestones.filter(has_text=LATE)).to_contain_text("Done")
    expect(milestones.filter(has_text=SLIPPED)).to_contain_text("Overdue")
    check(police, "journey-tracker-item-desktop")

    phone = visit("phone", user="browser-contributor")
    phone.goto(police.page.url.removeprefix(police.app.base).split("#")[0])
    check(phone, "journey-tracker-item-phone")
    it_needs_attention(visit)


def it_needs_attention(visit: OpenPage) -> None:
    """After the update the item is at risk: on the dashboard, the plan's tracker and the
    business manager's reminders. The test users have no e-mail address, so none is sent."""
    board = visit("desktop", user="browser-board")
    board.goto("/dashboard/")
    attention = board.page.locator(".sp-attention")
    expect(attention.get_by_role("link", name=ITEM)).to_be_visible()
    expect(attention).to_contain_text("At risk")
    expect(attention).to_contain_text(f"Milestone overdue: {SLIPPED}")
    board.page.locator("#attention").scroll_into_view_if_needed()
    check(board, "journey-dashboard-attention-desktop")

    board.goto(f"/tracker/{PLAN_ID}/")
    row = board.page.locator("tr", has=board.page.get_by_role("link", name=ITEM, exact=True))
    expect(row).to_contain_text("Test Police")
    expect(row).to_contain_text("At risk")
    expect(row).to_contain_text(f"Overdue {SLIPPED}")
    check(board, "journey-tracker-plan-desktop")

    admin = visit("desktop", user="browser-admin")
    admin.goto("/dashboard/")
    admin.page.get_by_role("link", name="Reminders", exact=True).click()
    expect(admin.page.locator(".sp-due-soon")).to_contain_text(NEXT)
    expect(admin.page.locator(".sp-concerns")).to_contain_text(ITEM)
    check(admin, "journey-tracker-reminders-desktop")
    admin.page.get_by_role("button", name="Send reminders").click()
    banner = admin.page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("0 e-mails sent")  # the test users have no address
    expect(banner).to_contain_text("no e-mail address")
    check(admin, "journey-tracker-reminders-sent-desktop")
