"""Signing in and out: audited, rate-limited, CSRF-protected, passwords kept with Argon2."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.test import Client

from tests.web.conftest import make_user, text_of

PASSWORD = "correct-horse-battery-staple"  # test-only, never used outside these tests


def entries(action: str) -> list[tuple[str, str, str | None]]:
    from safeplan.web.audit.models import Entry

    return [(e.actor, e.target, e.ip) for e in Entry.objects.filter(action=action).order_by("seq")]


def sign_in(client: Client, username: str, password: str, **extra: str) -> tuple[int, bytes]:
    response = client.post("/sign-in/", {"username": username, "password": password, **extra})
    return response.status_code, response.content


def test_the_sign_in_page_is_a_govuk_form_with_a_csrf_token(db: None) -> None:
    page = Client().get("/sign-in/")
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]+"', html)
    assert 'autocomplete="current-password"' in html and 'id="username"' in html
    assert "Sign in" in text_of(page.content)
    assert page["Cache-Control"].startswith("max-age=0") or "no-cache" in page["Cache-Control"]


def test_signing_in_works_and_is_audited(db: None) -> None:
    """A board member without two-step sign-in is signed in by the password alone
    (administrators and analysts: tests/web/test_two_step.py)."""
    user = make_user("board", "ana", PASSWORD)
    client = Client(REMOTE_ADDR="192.0.2.10")
    response = client.post("/sign-in/", {"username": "ana", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200
    assert entries("sign-in") == [("ana", "ana", "192.0.2.10")]
    assert int(client.session["_auth_user_id"]) == user.pk


def test_sign_in_returns_to_the_page_asked_for_but_only_on_this_site(db: None) -> None:
    make_user("board", "adm", PASSWORD)
    client = Client()
    response = client.post(
        "/sign-in/", {"username": "adm", "password": PASSWORD, "next": "/survey/results/"}
    )
    assert response["Location"] == "/survey/results/"
    other = Client().post(
        "/sign-in/", {"username": "adm", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert other["Location"] == "/dashboard/"


def test_a_failed_sign_in_is_audited_and_shows_the_error_summary(db: None) -> None:
    make_user("board", "bob", PASSWORD)
    client = Client(REMOTE_ADDR="198.51.100.7")
    status, html = sign_in(client, "bob", "wrong password")
    assert status == 400
    words = text_of(html)
    assert "There is a problem" in words and "Enter a correct username and password" in words
    assert b'class="govuk-error-summary' in html and b'href="#username"' in html
    assert b"<title>Error: Sign in" in html
    assert entries("sign-in-failed") == [("", "bob", "198.51.100.7")]
    assert "_auth_user_id" not in client.session


def test_missing_fields_get_their_own_messages(db: None) -> None:
    status, html = sign_in(Client(), "", "")
    words = text_of(html)
    assert status == 400
    assert "Enter your username" in words and "Enter your password" in words
    assert b'href="#password"' in html


def test_five_failures_lock_the_account_at_that_address(db: None) -> None:
    from django.utils import timezone

    make_user("analyst", "ana", PASSWORD)
    attacker = Client(REMOTE_ADDR="203.0.113.5")
    for _ in range(5):
        assert sign_in(attacker, "ana", "guess")[0] == 400
    status, html = sign_in(attacker, "ana", PASSWORD)  # even the right password is refused
    assert status == 400 and "too many times" in text_of(html)
    assert "_auth_user_id" not in attacker.session
    assert entries("sign-in-refused") == [("", "ana", "203.0.113.5")]
    # The same user at their own desk is not locked out by the attacker.
    office = Client(REMOTE_ADDR="192.0.2.20")
    assert sign_in(office, "ana", PASSWORD)[0] == 302
    # After 15 minutes the lock lifts.
    later = timezone.now() + timedelta(minutes=16)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("safeplan.web.accounts.ratelimit.timezone.now", lambda: later)
        assert sign_in(attacker, "ana", PASSWORD)[0] == 302


def test_a_success_clears_earlier_failures(db: None) -> None:
    make_user("board", "ana", PASSWORD)  # signed in by the password (analysts: after the code)
    client = Client(REMOTE_ADDR="192.0.2.30")
    for _ in range(4):
        sign_in(client, "ana", "typo")
    assert sign_in(client, "ana", PASSWORD)[0] == 302
    client.logout()
    for _ in range(4):
        sign_in(client, "ana", "typo")
    assert sign_in(client, "ana", PASSWORD)[0] == 302


def test_one_address_trying_many_accounts_is_locked(db: None) -> None:
    from safeplan.web.accounts import ratelimit
    from safeplan.web.audit import record

    for n in range(ratelimit.PER_ADDRESS):
        record(None, "sign-in-failed", f"user{n}", ip="203.0.113.9")
    assert ratelimit.locked("someone-else", "203.0.113.9")
    assert not ratelimit.locked("someone-else", "203.0.113.10")


def test_csrf_is_enforced_on_sign_in(db: None) -> None:
    make_user("analyst", "ana", PASSWORD)
    client = Client(enforce_csrf_checks=True)
    refused = client.post("/sign-in/", {"username": "ana", "password": PASSWORD})
    assert refused.status_code == 403
    assert "problem with the form" in text_of(refused.content)
    assert entries("sign-in") == []
    page = client.get("/sign-in/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    response = client.post(
        "/sign-in/",
        {"username": "ana", "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
    )
    assert response.status_code == 302


def test_passwords_are_stored_with_argon2(db: None) -> None:
    user = make_user("board", "bob", PASSWORD)
    assert user.password.startswith("argon2$argon2id$")
    assert PASSWORD not in user.password


def test_signing_out_needs_a_post_and_is_audited(db: None) -> None:
    user = make_user("contributor", "cat")
    client = Client(REMOTE_ADDR="192.0.2.40")
    client.force_login(user)
    confirm = client.get("/sign-out/")
    assert confirm.status_code == 200 and b"csrfmiddlewaretoken" in confirm.content
    assert "_auth_user_id" in client.session  # a GET (a link, an image) signs nobody out
    response = client.post("/sign-out/")
    assert response.status_code == 302 and response["Location"] == "/signed-out/"
    assert "_auth_user_id" not in client.session
    assert entries("sign-out") == [("cat", "cat", "192.0.2.40")]
    assert client.get("/dashboard/").status_code == 302


def test_the_navigation_shows_only_what_the_role_may_open(db: None) -> None:
    public = text_of(Client().get("/").content)
    assert "Sign in" in public and "Dashboard" not in public
    board = Client()
    board.force_login(make_user("board"))
    words = text_of(board.get("/").content)
    assert "Dashboard" in words and "Sign out" in words
    assert "Data quality" not in words and "Audit trail" not in words
    admin = Client()
    admin.force_login(make_user("admin"))
    words = text_of(admin.get("/dashboard/").content)
    assert "Data quality" in words and "Audit trail" in words


def test_a_user_without_a_role_cannot_sign_in(db: None) -> None:
    make_user("", "nobody", PASSWORD)
    status, _ = sign_in(Client(), "nobody", PASSWORD)
    assert status == 400
    assert entries("sign-in-failed") == [("", "nobody", "127.0.0.1")]


def test_demo_accounts_get_new_random_passwords(db: None) -> None:
    from django.contrib.auth import authenticate
    from django.core.management import call_command

    from safeplan.web.accounts.models import Agency, Role, User

    out = StringIO()
    call_command("demo_accounts", stdout=out)
    printed = out.getvalue()
    assert {a.kind for a in Agency.objects.all()} >= {
        "council",
        "health",
        "police",
        "schools",
        "voluntary",
    }
    for kind in ("council", "health", "police"):  # every role at each statutory partner
        roles = {u.role for u in User.objects.filter(agency__kind=kind)}
        assert roles == set(Role), kind
    first = re.search(r"council-analyst\s+(\S+)", printed)
    assert first is not None
    assert authenticate(username="council-analyst", password=first.group(1)) is not None
    # the second step with a printed recovery code
    codes = re.search(r"council-analyst.*\n.*each once: (\S+)", printed)
    assert codes is not None
    client = Client()
    client.post("/sign-in/", {"username": "council-analyst", "password": first.group(1)})
    signed_in = client.post("/sign-in/two-step/", {"code": codes.group(1)})
    assert signed_in["Location"] == "/dashboard/"
    again = StringIO()
    call_command("demo_accounts", stdout=again)
    second = re.search(r"council-analyst\s+(\S+)", again.getvalue())
    assert second is not None and second.group(1) != first.group(1)


def test_the_dashboard_and_data_quality_pages_show_the_stores_loads(
    db: None, fixture_store: object
) -> None:
    from safeplan.plans import library

    analyst = Client()
    analyst.force_login(make_user("analyst", "ana"))
    dashboard = text_of(analyst.get("/dashboard/").content)
    for entry in library.entries():
        assert entry.plan.title in dashboard
    assert "Latest data loads" in dashboard and "cin_census_2024.xml" in dashboard
    quality = analyst.get("/data-quality/")
    assert quality.status_code == 200
    words = text_of(quality.content)
    assert "cin_census_2024.xml" in words and "Quarantined" in words


def test_the_dashboard_says_when_nothing_is_loaded(db: None) -> None:
    board = Client()
    board.force_login(make_user("board"))
    assert "No data has been loaded yet" in text_of(board.get("/dashboard/").content)
