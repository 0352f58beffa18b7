"""Replacing through the browser is a decision: an upload that would replace an earlier load
shows what changes and loads nothing until confirmed; one that takes away most of the records
also needs its box ticked; cancelling loads nothing; an administrator can undo any load.
Each step audited; the store checked after each."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from safeplan.config import settings
from tests.test_cli_replace import HEADER
from tests.web.conftest import make_user
from tests.web.test_uploads import store_state


def _file(count: int, start: int = 1) -> SimpleUploadedFile:
    rows = [
        f"E{n},C{n},2010-05-0{1 + n % 9},N,missing,2024-06-{1 + n % 28:02d}T20:00:00,"
        f"2024-06-{1 + n % 28:02d}T23:00:00,police,,,"
        for n in range(start, start + count)
    ]
    body = ("\n".join([HEADER, *rows]) + "\n").encode()
    return SimpleUploadedFile("missing_episodes_2025.csv", body, "text/csv")


@pytest.fixture
def clients(db: None) -> dict[str, Client]:
    out = {}
    for role in ("analyst", "admin"):
        out[role] = Client()
        out[role].force_login(make_user(role))
    return out


def _send(client: Client, sent: SimpleUploadedFile) -> tuple[str, str]:
    response = client.post("/uploads/", {"files": [sent]})
    assert response.status_code == 302
    location = response["Location"]
    return location, client.get(location).content.decode()


def _episodes() -> int:
    return store_state().get("sp_missing_episodes", 0)


def _audited(action: str) -> int:
    from safeplan.web.audit.models import Entry

    return Entry.objects.filter(action=action).count()


def test_a_replacement_waits_for_confirmation(clients: dict[str, Client]) -> None:
    analyst = clients["analyst"]
    _send(analyst, _file(10))
    assert _episodes() == 10
    before = store_state()
    location, page = _send(analyst, _file(12))
    assert "Confirm the replacement" in page
    assert "Replaces load 1" in page and "10 records become 12" in page
    moved = "Figures that can change: Children who go missing more than once, Return interviews"
    assert moved in page
    assert store_state() == before  # nothing loaded yet
    pk = int(re.findall(r"/uploads/(\d+)/", location)[0])
    response = analyst.post(f"/uploads/{pk}/confirm/", {"action": "confirm"})
    assert response.status_code == 302
    page = analyst.get(response["Location"]).content.decode()
    assert 'data-status="loaded"' in page and "Replaces load 1" in page
    assert _episodes() == 12
    assert _audited("upload-confirmed") == 1
    assert not list((settings().home / "uploads" / "pending").iterdir())  # files not kept


def test_a_header_only_file_needs_its_box_ticked(clients: dict[str, Client]) -> None:
    analyst = clients["analyst"]
    _send(analyst, _file(87))
    location, page = _send(analyst, _file(0))
    assert "fewer than half the records" in page and "87 records become 0" in page
    pk = int(re.findall(r"/uploads/(\d+)/", location)[0])
    refused = analyst.post(f"/uploads/{pk}/confirm/", {"action": "confirm"})
    assert refused.status_code == 400 and b"Tick the box" in refused.content
    assert _episodes() == 87
    done = analyst.post(f"/uploads/{pk}/confirm/", {"action": "confirm", "allow_fewer": "yes"})
    assert done.status_code == 302
    assert _episodes() == 0


def test_cancelling_loads_nothing(clients: dict[str, Client]) -> None:
    analyst = clients["analyst"]
    _send(analyst, _file(5))
    before = store_state()
    location, _ = _send(analyst, _file(6))
    pk = int(re.findall(r"/uploads/(\d+)/", location)[0])
    response = analyst.post(f"/uploads/{pk}/confirm/", {"action": "cancel"})
    page = analyst.get(response["Location"]).content.decode()
    assert "the replacement was cancelled" in page
    assert store_state() == before
    assert _audited("upload-cancelled") == 1


def test_an_administrator_can_undo_a_load(clients: dict[str, Client]) -> None:
    analyst, admin = clients["analyst"], clients["admin"]
    _send(analyst, _file(10))
    before = store_state()
    location, _ = _send(analyst, _file(7, start=40))
    pk = int(re.findall(r"/uploads/(\d+)/", location)[0])
    analyst.post(f"/uploads/{pk}/confirm/", {"action": "confirm"})
    assert _episodes() == 7
    assert b"Undo load 2" in admin.get(f"/uploads/{pk}/").content
    assert b"Undo load 2" not in analyst.get(f"/uploads/{pk}/").content
    assert analyst.post("/uploads/loads/2/undo/").status_code == 403
    assert admin.get("/uploads/loads/2/undo/").status_code == 200
    done = admin.post("/uploads/loads/2/undo/")
    assert done.status_code == 200 and b"Load 2 undone" in done.content
    assert b"Load 1, which it had replaced, is back in force" in done.content
    after = store_state()
    assert after.pop("sp_undone") == 1
    after.pop("sp_replaced_sp_missing_episodes")
    assert after == {k: v for k, v in before.items() if k != "sp_undone"}
    assert _audited("undo-load") == 1
    again = admin.post("/uploads/loads/1/undo/")  # load 1 is in force again: may be undone
    assert again.status_code == 200
    assert admin.post("/uploads/loads/9/undo/").status_code == 404
