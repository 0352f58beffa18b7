"""The data-returns calendar in a real browser: the board sees the police force's missing
episodes file overdue; the business manager sends the reminders, and the e-mail reaches the
force's analyst and nobody else (read from the server's file e-mail backend)."""

from __future__ import annotations

from email import message_from_string
from email.message import Message

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import POLICE_ANALYST_EMAIL, App, OpenPage
from tests.browser.test_accessibility import check

pytestmark = pytest.mark.browser

FILE = "Missing episodes and return home interviews"
SEPARATOR = "\n" + "-" * 79 + "\n"  # between messages in the file backend's files


def outbox(app: App) -> list[Message]:
    """Every e-mail the server has sent so far."""
    found = []
    for path in sorted((app.home / "mail").glob("*.log")):
        for part in path.read_text(encoding="utf-8").split(SEPARATOR):
            if part.strip():
                found.append(message_from_string(part.strip()))
    return found


def test_an_overdue_partner_file_is_e_mailed_to_its_analyst(visit: OpenPage, app: App) -> None:
    board = visit("desktop", user="browser-board")
    board.goto("/returns/")
    row = board.page.locator("tr", has=board.page.get_by_role("rowheader", name=FILE)).first
    expect(row).to_contain_text("Police")
    expect(row).to_contain_text("Overdue")
    check(board, "returns-calendar-desktop")

    admin = visit("desktop", user="browser-admin")
    admin.goto("/tracker/reminders/")
    admin.page.get_by_role("button", name="Send reminders").click()
    banner = admin.page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("about overdue or due data returns sent")

    returns = [m for m in outbox(app) if "data return" in str(m["Subject"])]
    assert returns, "no data-return reminder was sent"
    assert {str(m["To"]) for m in returns} == {POLICE_ANALYST_EMAIL}  # not the board member
    body = str(returns[0].get_payload())
    assert f"{FILE}, " in body and "overdue since" in body
