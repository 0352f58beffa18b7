"""Uploading in a real browser: an analyst sends good and broken files at once and sees each
file's outcome; a board member has no upload page."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from safeplan.synth import generate
from tests.browser.conftest import CIN_FIXTURE, OpenPage
from tests.browser.test_accessibility import check

pytestmark = pytest.mark.browser

XXE = (
    '<?xml version="1.0"?>\n<!DOCTYPE Message [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    "<Message>&x;</Message>\n"
)


def test_an_analyst_uploads_good_and_broken_files_and_sees_each_outcome(
    visit: OpenPage, tmp_path: Path
) -> None:
    generate(tmp_path / "synth", 30, 1, seed=3, end_year=2024)
    good = tmp_path / "synth" / "partner" / "missing_episodes_2024.csv"
    hostile = tmp_path / "hostile_2024.xml"
    hostile.write_text(XXE)
    broken = tmp_path / "case_audits_2024.csv"
    broken.write_text("not,the,template\n1,2,3\n")

    seen = visit("desktop", user="browser-analyst")
    seen.goto("/dashboard/")
    seen.page.get_by_role("link", name="Upload", exact=True).click()
    seen.page.locator("#files").set_input_files([good, CIN_FIXTURE, hostile, broken])
    seen.page.get_by_role("button", name="Upload and check").click()
    rows = seen.page.locator("table.sp-outcomes tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_have_attribute("data-status", "loaded")
    expect(rows.nth(1)).to_have_attribute("data-status", "unchanged")  # the server has it
    expect(rows.nth(2)).to_have_attribute("data-status", "refused")
    expect(rows.nth(3)).to_have_attribute("data-status", "refused")
    expect(rows.nth(0)).to_contain_text("missing_episodes_2024.csv")
    expect(rows.nth(2)).to_contain_text("Refused")
    check(seen, "upload-result-desktop")


def test_a_board_member_cannot_upload(visit: OpenPage) -> None:
    seen = visit("desktop", user="browser-board")
    seen.goto("/dashboard/")
    expect(seen.page.get_by_role("link", name="Upload", exact=True)).to_have_count(0)
    seen.goto("/uploads/", 403)
    expect(seen.page.get_by_role("heading", level=1)).to_have_text(
        "You do not have permission to see this page"
    )
    seen.screenshot("board-upload-refused-desktop")


def test_files_dropped_on_the_form_are_chosen(visit: OpenPage) -> None:
    seen = visit("desktop", user="browser-analyst")
    seen.goto("/uploads/")
    chosen = seen.page.evaluate(
        """() => {
          const data = new DataTransfer()
          data.items.add(new File(['a,b\\n'], 'case_audits_2024.csv', {type: 'text/csv'}))
          data.items.add(new File(['<x/>'], 'cin_census_2024.xml', {type: 'text/xml'}))
          const form = document.querySelector('form[data-sp-upload]')
          const drop = {dataTransfer: data, bubbles: true, cancelable: true}
          form.dispatchEvent(new DragEvent('drop', drop))
          return [...document.querySelector('#files').files].map(f => f.name)
        }"""
    )
    assert chosen == ["case_audits_2024.csv", "cin_census_2024.xml"]
