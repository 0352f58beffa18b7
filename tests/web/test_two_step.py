"""Two-step sign-in for local accounts: required for administrators and analysts (set up at
first sign-in), optional for board members and contributors; recovery codes work once."""

from __future__ import annotations

import re
import time
from typing import Any

from django.test import Client
from django_otp.oath import totp

from tests.web.conftest import make_user, text_of

PASSWORD = "correct-horse-battery-staple"  # test-only


def code_for(key: bytes, steps_ahead: int = 0) -> str:
    """The authenticator app's code now (or a step later: django-otp takes each step once)."""
    return f"{totp(key, t0=int(-30 * steps_ahead)):06d}"


def password(client: Client, username: str, **extra: str) -> Any:
    return client.post("/sign-in/", {"username": username, "password": PASSWORD, **extra})


def set_up_app(client: Client) -> tuple[bytes, list[str]]:
    """On the set-up page: read the key as a person would type it, answer with its code."""
    from base64 import b32decode

    page = client.get("/sign-in/two-step/set-up/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "<script" not in html.split("<main")[1]  # the QR code, inline
    found = re.search(r'data-secret="([A-Z2-7]+)"', html)
    assert found is not None
    key = b32decode(found.group(1) + "=" * (-len(found.group(1)) % 8))
    done = client.post("/sign-in/two-step/set-up/", {"code": code_for(key)})
    assert done.status_code == 200, text_of(done.content)
    codes = re.findall(r"<li><code>(\w+)</code></li>", done.content.decode())
    return key, codes


def test_an_analyst_sets_up_an_app_at_first_sign_in(db: None) -> None:
    from safeplan.web.audit.models import Entry

    make_user("analyst", "ana", PASSWORD)
    client = Client()
    response = password(client, "ana", next="/data-quality/")
    assert response["Location"] == "/sign-in/two-step/set-up/"
    assert client.get("/dashboard/").status_code == 302  # not signed in yet
    client.get("/sign-in/two-step/set-up/")
    wrong = client.post("/sign-in/two-step/set-up/", {"code": "000000"})
    assert wrong.status_code == 400 and "The code is not right" in text_of(wrong.content)
    key, codes = set_up_app(client)
    assert len(codes) == 10
    assert client.get("/dashboard/").status_code == 200  # signed in
    actions = list(Entry.objects.values_list("action", flat=True).order_by("seq"))
    assert actions[-2:] == ["two-step-set-up", "sign-in"]
    # next time: the code, then where they were going
    later = Client()
    assert password(later, "ana", next="/data-quality/")["Location"] == "/sign-in/two-step/"
    assert later.get("/sign-in/two-step/").status_code == 200
    refused = later.post("/sign-in/two-step/", {"code": "123456"})
    assert refused.status_code == 400 and "The code is not right" in text_of(refused.content)
    assert later.get("/dashboard/").status_code == 302
    from django_otp.plugins.otp_totp.models import TOTPDevice

    # django-otp waits longer after each failure before it checks a code: skip that wait
    TOTPDevice.objects.filter(user__username="ana").update(throttling_failure_count=0)
    ok = later.post("/sign-in/two-step/", {"code": code_for(key, 1)})
    assert ok.status_code == 302 and ok["Location"] == "/data-quality/"
    assert later.get("/data-quality/").status_code == 200


def test_a_recovery_code_works_once(db: None) -> None:
    make_user("admin", "adm", PASSWORD)
    client = Client()
    password(client, "adm")
    _, codes = set_up_app(client)
    again = Client()
    password(again, "adm")
    assert again.post("/sign-in/two-step/", {"code": codes[0]})["Location"] == "/dashboard/"
    thief = Client()
    password(thief, "adm")
    assert thief.post("/sign-in/two-step/", {"code": codes[0]}).status_code == 400


def test_a_board_member_may_set_it_up_and_is_then_asked(db: None) -> None:
    board = make_user("board", "bea", PASSWORD)
    client = Client()
    assert password(client, "bea")["Location"] == "/dashboard/"  # optional: not set up
    assert "two-step sign-in" in text_of(client.get("/dashboard/").content)
    set_up_app(client)
    again = Client()
    assert password(again, "bea")["Location"] == "/sign-in/two-step/"
    already = client.get("/sign-in/two-step/set-up/")  # no silent replacement of the app
    assert "already has two-step sign-in" in text_of(already.content)
    from safeplan.web.accounts import twostep

    twostep.reset("the-admin", board)  # a lost phone: an administrator resets it
    assert password(Client(), "bea")["Location"] == "/dashboard/"


def test_the_second_step_needs_a_password_first(db: None) -> None:
    for path in ("/sign-in/two-step/", "/sign-in/two-step/set-up/"):
        page = Client().get(path)
        assert page.status_code == 200 and "Sign in again" in text_of(page.content)
        sent = Client().post(path, {"code": "123456"})
        assert "Sign in again" in text_of(sent.content)


def test_the_pending_sign_in_expires(db: None, monkeypatch: Any) -> None:
    make_user("analyst", "ana", PASSWORD)
    client = Client()
    password(client, "ana")
    later = time.time() + 6 * 60
    monkeypatch.setattr("safeplan.web.accounts.twostep.time.time", lambda: later)
    assert "Sign in again" in text_of(client.get("/sign-in/two-step/set-up/").content)


def test_single_sign_on_skips_the_second_step(db: None) -> None:
    """The identity provider applies its own multi-factor rules: oidc.py signs in directly,
    never through twostep.begin (tests/web/test_oidc.py signs in an analyst so)."""
    import inspect

    from safeplan.web.accounts import oidc

    assert "twostep" not in inspect.getsource(oidc)


def test_an_administrator_resets_a_lost_phone_from_the_command_line(
    db: None, monkeypatch: Any
) -> None:
    from typer.testing import CliRunner

    from safeplan.cli import app
    from safeplan.web.audit.models import Entry

    monkeypatch.setattr("safeplan.cli._web", lambda: None)  # Django is set up already
    make_user("analyst", "ana", PASSWORD)
    client = Client()
    password(client, "ana")
    set_up_app(client)
    assert password(Client(), "ana")["Location"] == "/sign-in/two-step/"
    result = CliRunner().invoke(app, ["users", "change", "ana", "--reset-two-step"])
    assert result.exit_code == 0 and "sets up two-step sign-in again" in result.output
    assert password(Client(), "ana")["Location"] == "/sign-in/two-step/set-up/"
    assert Entry.objects.filter(action="two-step-reset", target="ana").exists()
