"""A person's life in SafePlan, in the browser: an administrator invites them; they set a
password through the e-mailed link and set up two-step sign-in (the code computed here from
the key the page shows, as an authenticator app would); they sign in with it; they reset a
forgotten password by e-mail; the administrator deactivates them and they can no longer sign
in. E-mail is read from the test server's file backend (App.mail)."""

from __future__ import annotations

import re
from base64 import b32decode

from django_otp.oath import totp
from playwright.sync_api import expect

from tests.browser.conftest import App, OpenPage, Visit

USERNAME = "browser-newcomer"
EMAIL = "newcomer@police.example"
FIRST_PASSWORD = "violet-harbour-lantern-41"  # test-only
NEW_PASSWORD = "copper-meadow-signal-97"  # test-only


def last_link(app: App, kind: str) -> str:
    """The path of the newest link of this kind ("invitation", "password-reset") to EMAIL."""
    found = re.findall(rf"To: {re.escape(EMAIL)}.*?http://[^/\s]+(/{kind}/\S+/)", app.mail(), re.S)
    assert found, app.mail()
    return str(found[-1])


def code_for(key: str, steps_ahead: int = 0) -> str:
    """An authenticator app's code; django-otp takes each 30-second step once, and one step
    ahead while the app's clock may be fast, so a second sign-in uses the next step's code."""
    raw = b32decode(key + "=" * (-len(key) % 8))
    return f"{totp(raw, t0=-30 * steps_ahead):06d}"


def password_step(seen: Visit, password: str) -> None:
    seen.goto("/sign-in/")
    seen.page.get_by_label("Username", exact=True).fill(USERNAME)
    seen.page.get_by_label("Password", exact=True).fill(password)
    seen.page.get_by_role("button", name="Sign in", exact=True).click()


def test_invite_set_password_two_step_reset_and_deactivate(visit: OpenPage, app: App) -> None:
    admin = visit("desktop", user="browser-admin")
    admin.goto("/people/")
    admin.page.get_by_role("button", name="Add a person").click()
    admin.page.get_by_label("Username").fill(USERNAME)
    admin.page.get_by_label("First name").fill("Nia")
    admin.page.get_by_label("Last name").fill("Newcomer")
    admin.page.get_by_label("E-mail address").fill(EMAIL)
    admin.page.get_by_label("Agency").select_option(label="Test Police")
    admin.page.get_by_label("Performance analyst").check()
    expect(admin.page.get_by_label("E-mail them an invitation")).to_be_checked()
    admin.page.get_by_role("button", name="Add person").click()
    expect(admin.page.locator(".govuk-notification-banner")).to_contain_text("added and invited")
    row = admin.page.locator(f'tr[data-username="{USERNAME}"]')
    expect(row).to_contain_text("Test Police")
    expect(row).to_contain_text("Performance analyst")
    expect(row).to_contain_text("Invited")
    admin.screenshot("people-desktop")

    # the invitee follows the link, sets a password, then sets up two-step sign-in
    invitee = visit("phone")
    invitee.goto(last_link(app, "invitation"))
    expect(invitee.page.get_by_role("heading", name="Set your password")).to_be_visible()
    invitee.page.get_by_label("New password", exact=True).fill(FIRST_PASSWORD)
    invitee.page.get_by_label("Confirm the new password").fill(FIRST_PASSWORD)
    invitee.page.get_by_role("button", name="Set password").click()
    expect(invitee.page.get_by_text("Your password is set")).to_be_visible()
    password_step(invitee, FIRST_PASSWORD)
    expect(invitee.page).to_have_url(re.compile(r"/sign-in/two-step/set-up/$"))
    expect(invitee.page.locator("[data-qr] svg")).to_be_visible()
    invitee.screenshot("two-step-set-up-phone")
    key = invitee.page.locator("#secret").get_attribute("data-secret") or ""
    invitee.page.get_by_label("Code from the app").fill(code_for(key))
    invitee.page.get_by_role("button", name="Continue").click()
    expect(invitee.page.get_by_text("Two-step sign-in is set up")).to_be_visible()
    codes = invitee.page.locator("[data-recovery-codes] code").all_inner_texts()
    assert len(codes) == 10
    invitee.page.get_by_role("button", name="Continue").click()
    expect(invitee.page).to_have_url(re.compile(r"/dashboard/$"))
    assert invitee.errors == []

    # signing in again: the password, then a code from the app
    again = visit("desktop")
    password_step(again, FIRST_PASSWORD)
    expect(again.page).to_have_url(re.compile(r"/sign-in/two-step/$"))
    again.page.get_by_label("Enter the code from your authenticator app").fill(code_for(key, 1))
    again.page.get_by_role("button", name="Continue").click()
    expect(again.page).to_have_url(re.compile(r"/dashboard/$"))

    # a forgotten password, reset by e-mail (then a recovery code for the second step)
    forgot = visit("desktop")
    forgot.goto("/sign-in/")
    forgot.page.get_by_role("link", name="Forgotten your password?").click()
    forgot.page.get_by_label("E-mail address").fill(EMAIL)
    forgot.page.get_by_role("button", name="Send the link").click()
    expect(forgot.page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    forgot.goto(last_link(app, "password-reset"))
    forgot.page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    forgot.page.get_by_label("Confirm the new password").fill(NEW_PASSWORD)
    forgot.page.get_by_role("button", name="Set password").click()
    expect(forgot.page.get_by_text("Your password is set")).to_be_visible()
    password_step(forgot, NEW_PASSWORD)
    forgot.page.get_by_label("Enter the code from your authenticator app").fill(codes[0])
    forgot.page.get_by_role("button", name="Continue").click()
    expect(forgot.page).to_have_url(re.compile(r"/dashboard/$"))

    # deactivated: signed out, and can no longer sign in
    admin.goto("/people/")
    admin.page.locator(f'tr[data-username="{USERNAME}"]').get_by_role("link", name="Change").click()
    admin.page.get_by_role("button", name="Deactivate").click()
    admin.page.get_by_role("button", name="Deactivate").click()
    expect(admin.page.locator(".govuk-notification-banner")).to_contain_text("deactivated")
    expect(admin.page.locator(f'tr[data-username="{USERNAME}"]')).to_contain_text("Deactivated")
    forgot.goto("/dashboard/")
    expect(forgot.page).to_have_url(re.compile(r"/sign-in/"))
    password_step(forgot, NEW_PASSWORD)
    expect(forgot.page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a correct username and password"
    )
    assert admin.errors == []
