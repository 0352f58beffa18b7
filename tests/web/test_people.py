"""The People pages and `safeplan users`: add, change, invite, deactivate, every change
audited; invitations and password resets by e-mail, with single-use, expiring links."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from tests.web.conftest import make_user, text_of

PASSWORD = "a-long-test-only-passphrase"  # test-only


@pytest.fixture(autouse=True)
def empty_outbox() -> None:
    """Django's test outbox (the locmem backend), emptied for each test."""
    mail.outbox = []


def audited(action: str) -> list[tuple[str, str, str]]:
    from safeplan.web.audit.models import Entry

    return [(e.actor, e.target, e.detail) for e in Entry.objects.filter(action=action)]


def admin_client() -> tuple[Client, Any]:
    admin = make_user("admin", "the-admin")
    client = Client()
    client.force_login(admin)
    return client, admin


def agency(name: str = "Test Police", kind: str = "police") -> Any:
    from safeplan.web.accounts.models import Agency

    return Agency.objects.get_or_create(name=name, defaults={"kind": kind})[0]


def person_form(**changes: str) -> dict[str, str]:
    form = {
        "username": "pat",
        "first_name": "Pat",
        "last_name": "Smith",
        "email": "pat@police.example",
        "agency": str(agency().pk),
        "role": "analyst",
        "invite": "yes",
    }
    return {**form, **changes}


def link_in(message: Any) -> str:
    found = re.search(r"http://testserver(/\S+/)", message.body)
    assert found is not None, message.body
    return found.group(1)


def test_the_people_list_shows_agency_role_email_and_status(db: None) -> None:
    client, _ = admin_client()
    user = make_user("board", "bea", PASSWORD)
    user.email, user.first_name, user.last_name = "bea@icb.example", "Bea", "Jones"
    user.save()
    make_user("contributor", "gone").__class__.objects.filter(username="gone").update(
        is_active=False
    )
    page = client.get("/people/")
    assert page.status_code == 200
    words = text_of(page.content)
    assert "Bea Jones" in words and "bea@icb.example" in words and "Board member" in words
    assert "Test County Council" in words
    assert "Active" in words and "Invited" in words and "Deactivated" in words
    assert "People" in text_of(client.get("/dashboard/").content)  # in the navigation


def test_adding_a_person_invites_them_and_is_audited(db: None) -> None:
    from safeplan.web.accounts.models import User

    client, _ = admin_client()
    response = client.post("/people/add/", person_form())
    assert response.status_code == 302 and response["Location"] == "/people/"
    pat = User.objects.get(username="pat")
    assert pat.agency is not None and pat.agency.name == "Test Police"
    assert (pat.role, pat.email) == ("analyst", "pat@police.example")
    assert not pat.has_usable_password()
    assert "added and invited" in text_of(client.get("/people/").content)
    assert [m.to for m in mail.outbox] == [["pat@police.example"]]
    assert "/invitation/" in link_in(mail.outbox[0]) and "pat" in mail.outbox[0].body
    assert [(a, t) for a, t, _ in audited("person-added")] == [("the-admin", "pat")]
    assert [(a, t) for a, t, _ in audited("person-invited")] == [("the-admin", "pat")]


def test_the_add_form_shows_each_problem_the_govuk_way(db: None) -> None:
    client, _ = admin_client()
    make_user("board", "pat")
    response = client.post(
        "/people/add/", person_form(email="not-an-address", role="", first_name="")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html and 'href="#username"' in html
    words = text_of(response.content)
    assert "Someone already has that username" in words
    assert "Enter their first name" in words and "Select their role" in words
    assert "Enter an e-mail address in the correct format" in words
    assert mail.outbox == []


def test_changing_a_person_records_what_changed(db: None) -> None:
    client, _ = admin_client()
    pat = make_user("contributor", "pat")
    form = person_form(email="pat@new.example", role="board")
    del form["username"], form["invite"]
    assert client.get(f"/people/{pat.pk}/").status_code == 200
    response = client.post(f"/people/{pat.pk}/", form)
    assert response.status_code == 302
    pat.refresh_from_db()
    assert pat.agency is not None and pat.agency.name == "Test Police"
    assert (pat.role, pat.email) == ("board", "pat@new.example")
    (entry,) = audited("person-changed")
    assert entry[:2] == ("the-admin", "pat")
    assert '"role":["contributor","board"]' in entry[2]
    assert '"agency":["Test County Council","Test Police"]' in entry[2]


def test_deactivating_a_person_stops_them_signing_in_and_keeps_them(db: None) -> None:
    from safeplan.web.accounts.models import User

    client, admin = admin_client()
    bea = make_user("board", "bea", PASSWORD)
    theirs = Client()
    theirs.force_login(bea)
    assert client.get(f"/people/{bea.pk}/deactivate/").status_code == 200  # asks first
    assert User.objects.get(pk=bea.pk).is_active
    assert client.post(f"/people/{bea.pk}/deactivate/").status_code == 302
    assert not User.objects.get(pk=bea.pk).is_active
    assert theirs.get("/dashboard/").status_code == 302  # their session ends
    refused = Client().post("/sign-in/", {"username": "bea", "password": PASSWORD})
    assert refused.status_code == 400
    assert [(a, t) for a, t, _ in audited("person-deactivated")] == [("the-admin", "bea")]
    assert "Deactivated" in text_of(client.get("/people/").content)
    own = client.post(f"/people/{admin.pk}/deactivate/")
    assert "You cannot deactivate yourself" in text_of(own.content)
    assert User.objects.get(pk=admin.pk).is_active
    client.post(f"/people/{bea.pk}/deactivate/")  # again: reactivates
    assert User.objects.get(pk=bea.pk).is_active


def test_an_invitation_sets_a_password_once(db: None) -> None:
    client, _ = admin_client()
    client.post("/people/add/", person_form(role="board"))
    path = link_in(mail.outbox[0])
    invitee = Client()
    page = invitee.get(path)
    assert page.status_code == 200 and "Set your password" in text_of(page.content)
    short = invitee.post(path, {"new_password1": "short", "new_password2": "short"})
    assert short.status_code == 400 and "too short" in text_of(short.content)
    done = invitee.post(path, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/password-set/"
    assert invitee.post("/sign-in/", {"username": "pat", "password": PASSWORD})["Location"] == (
        "/dashboard/"
    )
    again = Client().get(path)  # used: no second go
    assert "This link has expired or been used" in text_of(again.content)
    assert [t for _, t, _ in audited("password-set")] == ["pat"]


def test_an_invitation_expires(db: None) -> None:
    from django.test import override_settings

    client, _ = admin_client()
    client.post("/people/add/", person_form())
    path = link_in(mail.outbox[0])
    assert "Set your password" in text_of(Client().get(path).content)
    with override_settings(SAFEPLAN_LINK_TIMEOUTS={"invitation": -1, "reset": 3600}):
        assert "has expired" in text_of(Client().get(path).content)


def test_a_password_reset_by_email(db: None) -> None:
    user = make_user("board", "bea", "an-old-test-passphrase")
    user.email = "bea@icb.example"
    user.save()
    make_user("contributor", "invited")  # no password yet: uses their invitation instead
    client = Client()
    assert "Forgotten your password?" in text_of(client.get("/sign-in/").content)
    assert client.get("/password-reset/").status_code == 200
    unknown = client.post("/password-reset/", {"email": "nobody@example.org"})
    assert unknown["Location"] == "/password-reset/sent/" and mail.outbox == []
    sent = client.post("/password-reset/", {"email": "BEA@icb.example"})
    assert sent["Location"] == "/password-reset/sent/"
    assert "Check your e-mail" in text_of(client.get("/password-reset/sent/").content)
    (message,) = mail.outbox
    assert message.to == ["bea@icb.example"] and "/password-reset/" in link_in(message)
    path = link_in(message)
    assert "/invitation/" + path.split("/password-reset/")[1] != path
    # a reset link is not an invitation link: each kind has its own token
    assert "has expired" in text_of(
        client.get(path.replace("/password-reset/", "/invitation/")).content
    )
    client.post(path, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert client.post("/sign-in/", {"username": "bea", "password": PASSWORD}).status_code == 302
    assert "has expired or been used" in text_of(Client().get(path).content)


@pytest.fixture
def cli_env(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """`safeplan users` in this process: Django is set up already (tests/web/conftest.py)."""
    monkeypatch.setattr("safeplan.cli._web", lambda: None)


def users(*args: str) -> tuple[int, str]:
    from typer.testing import CliRunner

    from safeplan.cli import app

    result = CliRunner().invoke(app, ["users", *args])
    return result.exit_code, result.output


def test_the_users_commands(cli_env: None) -> None:
    from safeplan.web.accounts.models import User

    agency()
    code, out = users(
        "add", "pat", "--email", "pat@police.example", "--agency", "test police",
        "--role", "contributor", "--first-name", "Pat", "--last-name", "Smith", "--invite",
    )  # fmt: skip
    assert code == 0, out
    assert "added pat" in out and "invitation sent to pat@police.example" in out
    assert link_in_text(str(mail.outbox[0].body)).startswith("http://127.0.0.1:8000/invitation/")
    code, out = users("list")
    assert code == 0 and re.search(r"pat\s+Pat Smith\s+Test Police\s+Contributor\s+", out)
    assert "Invited" in out
    code, out = users("add", "pam", "--email", "PAT@police.example", "--agency", "Test Police",
                      "--role", "board")  # fmt: skip
    assert code == 1 and "Someone already has that e-mail address" in out
    code, out = users("change", "pat", "--role", "board")
    assert code == 0 and User.objects.get(username="pat").role == "board"
    code, out = users("deactivate", "pat")
    assert code == 0 and not User.objects.get(username="pat").is_active
    code, out = users("invite", "pat")
    assert code == 1 and "deactivated" in out
    code, out = users("add", "someone", "--email", "x@example.org", "--agency", "Nowhere",
                      "--role", "board")  # fmt: skip
    assert code == 1 and "no agency is called 'Nowhere'" in out
    actors = {a for a, _, _ in audited("person-added") + audited("person-deactivated")}
    assert len(actors) == 1 and next(iter(actors)).startswith("cli:")


def link_in_text(body: str) -> str:
    found = re.search(r"(http://\S+/)", body)
    assert found is not None
    return found.group(1)


def test_sending_a_new_link_asks_first_and_needs_an_address(db: None) -> None:
    client, _ = admin_client()
    bea = make_user("board", "bea", PASSWORD)
    page = client.get(f"/people/{bea.pk}/invite/")
    assert "They have no e-mail address" in text_of(page.content)
    assert client.post(f"/people/{bea.pk}/invite/").status_code == 200 and mail.outbox == []
    bea.email = "bea@icb.example"
    bea.save()
    page = client.get(f"/people/{bea.pk}/invite/")
    assert "An e-mail goes to bea@icb.example" in text_of(page.content) and mail.outbox == []
    assert client.post(f"/people/{bea.pk}/invite/")["Location"] == "/people/"
    (message,) = mail.outbox
    assert message.to == ["bea@icb.example"] and "/invitation/" in link_in(message)
    assert "An invitation was sent to bea@icb.example" in text_of(client.get("/people/").content)
