"""The children's survey in a real browser: children answer on a 360-pixel phone and the
results page then counts them in the measure; an analyst adds a setting and gets its link
and QR code. Each page is checked with axe-core, and the screenshots are the guide's
(docs/survey.md)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SURVEY_PLAN, OpenPage, Visit
from tests.browser.test_accessibility import check

pytestmark = pytest.mark.browser

PHONE_SETTING = ("Phone Test Academy", "phone-link")  # made by the test server
CHILDREN = 6  # more than 5: small numbers are withheld from the results
CONFIDENT = "If you were worried about being safe, would you feel OK talking to an adult you trust?"


def answer(seen: Visit, question: str, choice: str) -> None:
    seen.page.get_by_role("group", name=question).get_by_label(choice, exact=True).check()


def test_children_answer_on_a_phone_and_the_measure_counts_them(visit: OpenPage) -> None:
    name, token = PHONE_SETTING
    for child in range(CHILDREN):
        seen = visit("phone")
        seen.goto(f"/survey/s/{token}/")
        expect(seen.page.get_by_role("heading", level=1)).to_have_text("How safe do you feel?")
        answer(seen, "Do you feel safe here?", "Yes")
        answer(seen, "If something worried you, would you know who to tell?", "Not sure")
        answer(seen, CONFIDENT, "Yes")
        answer(seen, "When you talk to adults here, do you feel they listen to you?", "Yes")
        answer(seen, "How old are you?", "10 to 15")
        if child == 0:
            # big enough to tap: every answer's target is at least 40 by 40 pixels
            for radio in seen.page.locator(".govuk-radios__input").all():
                box = radio.bounding_box()
                assert box is not None and box["width"] >= 40 and box["height"] >= 40
            check(seen, "survey-child-phone")
        seen.page.get_by_role("button", name="Send my answers").click()
        expect(seen.page).to_have_url(re.compile(rf"/survey/s/{token}/thanks/$"))
        expect(seen.page.get_by_role("heading", level=1)).to_have_text("Thank you")
        if child == 0:
            check(seen, "survey-thanks-phone")
        assert not seen.errors, seen.errors

    board = visit("desktop", user="browser-board")
    board.goto("/survey/results/")
    measure = board.page.locator("table[data-survey-measure]")
    row = measure.get_by_role("row", name=re.compile(f"Setting: {name}"))
    expect(row.get_by_role("cell")).to_have_text(["100.0%", f"{CHILDREN}", f"{CHILDREN}"])
    age = measure.get_by_role("row", name=re.compile("Age: 10 to 15"))
    expect(age.get_by_role("cell")).to_have_text(["100.0%", f"{CHILDREN}", f"{CHILDREN}"])
    table = board.page.locator("table[data-question='know_who_to_tell']")
    setting_row = table.locator(f"tr[data-group='setting:{name}'] td")
    expect(setting_row).to_have_text(["0", f"{CHILDREN} (100%)", "0", f"{CHILDREN}"])
    link = board.page.get_by_role("link", name=re.compile("The measure's page"))
    expect(link).to_have_attribute(
        "href", f"/dashboard/plans/{SURVEY_PLAN}/measures/children_confident_to_report/"
    )
    check(board, "survey-results-desktop")


def test_an_analyst_adds_a_setting_and_gets_its_qr_code(visit: OpenPage) -> None:
    seen = visit("desktop", user="browser-analyst")
    seen.goto("/survey/settings/")
    seen.page.get_by_label("Name", exact=True).fill("Hilltop Primary School")
    seen.page.get_by_label("School", exact=True).check()
    seen.page.get_by_label("Plan", exact=True).select_option(SURVEY_PLAN)
    seen.page.get_by_role("button", name="Add the setting").click()
    expect(seen.page.get_by_role("heading", level=1)).to_have_text("Hilltop Primary School")
    qr = seen.page.get_by_role("img", name=re.compile("QR code that opens the survey"))
    expect(qr).to_be_visible()
    # the data: URL loaded under the Content-Security-Policy (a refused image has no width)
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    link = seen.page.locator("#survey-link").inner_text()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/survey/s/[-\w]{24}/", link)
    check(seen, "survey-setting-desktop")

    child = visit("phone")
    child.goto(urlsplit(link).path)
    expect(child.page.get_by_text("Hilltop Primary School")).to_be_visible()
