"""Uploads on the web: the same checks and atomic, once-only loads as the command line; a
refused file changes nothing; every upload is audited; only analysts and admins upload."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from safeplan.config import settings
from safeplan.ingest.pseudonym import pseudonymise
from safeplan.web.uploads.service import safe_name
from tests import s903_files as sf
from tests.web.conftest import CIN_FIXTURE, make_user, text_of

XXE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE Message [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    b"<Message>&x;</Message>\n"
)
BAD_CSV = b"this,is,not,the,template\n1,2,3,4,5\n"
SET_CASES = sf.cases()


@pytest.fixture
def analyst(db: None) -> Client:
    client = Client()
    client.force_login(make_user("analyst"))
    return client


def cin() -> SimpleUploadedFile:
    return SimpleUploadedFile("cin_census_2024.xml", CIN_FIXTURE.read_bytes(), "text/xml")


def store_state() -> dict[str, int]:
    """Every table of the store and its row count: what a refused upload must not change."""
    path = settings().store_url
    if not Path(path).is_file():
        return {}
    with duckdb.connect(path, read_only=True) as con:
        names = [r[0] for r in con.execute("SHOW TABLES").fetchall()]
        return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}  # type: ignore[index]


def outcomes(client: Client, response: object) -> list[tuple[str, str]]:
    """(file, status) per row of the results page the upload redirected to."""
    import re

    location = response["Location"]  # type: ignore[index]
    page = client.get(location).content.decode()
    return re.findall(r'data-status="(\w+)" data-file="([^"]+)"', page)


def test_good_and_broken_files_each_get_their_outcome(analyst: Client) -> None:
    from safeplan.web.audit.models import Entry

    response = analyst.post(
        "/uploads/",
        {
            "files": [
                cin(),
                SimpleUploadedFile("hostile_2024.xml", XXE, "text/xml"),
                SimpleUploadedFile("missing_episodes_2024.csv", BAD_CSV, "text/csv"),
            ]
        },
    )
    assert response.status_code == 302
    assert outcomes(analyst, response) == [
        ("loaded", "cin_census_2024.xml"),
        ("refused", "hostile_2024.xml"),
        ("refused", "missing_episodes_2024.csv"),
    ]
    page = text_of(analyst.get(response["Location"]).content)
    assert "1 loaded, 0 already loaded before, 2 refused" in page
    assert "DOCTYPE" in page or "entit" in page.lower()  # says why the hostile file was refused
    state = store_state()
    assert state["sp_loads"] == 1 and state["ssd_person"] > 0
    audited = Entry.objects.filter(action="upload").order_by("seq")
    assert [e.target for e in audited] == [
        "cin_census_2024.xml",
        "hostile_2024.xml",
        "missing_episodes_2024.csv",
    ]
    assert '"status":"refused"' in audited[1].detail


def test_a_refused_upload_leaves_the_store_as_it_was(analyst: Client) -> None:
    analyst.post("/uploads/", {"files": [cin()]})
    before = store_state()
    response = analyst.post(
        "/uploads/", {"files": [SimpleUploadedFile("hostile_2024.xml", XXE, "text/xml")]}
    )
    assert outcomes(analyst, response) == [("refused", "hostile_2024.xml")]
    assert store_state() == before


def test_the_same_file_twice_changes_nothing(analyst: Client) -> None:
    first = analyst.post("/uploads/", {"files": [cin()]})
    assert outcomes(analyst, first) == [("loaded", "cin_census_2024.xml")]
    before = store_state()
    again = analyst.post("/uploads/", {"files": [cin()]})
    assert outcomes(analyst, again) == [("unchanged", "cin_census_2024.xml")]
    assert store_state() == before


def test_the_findings_download_holds_every_finding_and_no_live_formula(analyst: Client) -> None:
    analyst.post("/uploads/", {"files": [cin()]})
    with duckdb.connect(settings().store_url, read_only=True) as con:
        (expected,) = con.execute("SELECT count(*) FROM sp_findings WHERE load_id = 1").fetchone()  # type: ignore[misc]
    response = analyst.get("/uploads/findings/1.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["file", "location", "field", "rule"]
    assert len(rows) - 1 == expected
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows[1:] for cell in row)
    assert analyst.get("/uploads/findings/99.csv").status_code == 404


def test_an_upload_over_the_limit_is_refused_before_it_is_read(
    analyst: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFEPLAN_MAX_FILE_MB", "0.001")  # about 1 KB; the fixture is 3 KB
    settings.cache_clear()
    response = analyst.post("/uploads/", {"files": [cin()]})
    assert response.status_code == 400
    assert "The files must be 0.001 MB or smaller in all" in text_of(response.content)
    assert store_state() == {}


def test_the_form_says_what_is_missing(analyst: Client) -> None:
    empty = analyst.post("/uploads/", {})
    assert empty.status_code == 400 and "Select at least one file" in text_of(empty.content)
    year = analyst.post("/uploads/", {"files": [cin()], "year": "24"})
    assert year.status_code == 400 and "4 digits" in text_of(year.content)
    assert store_state() == {}


@pytest.fixture
def others(db: None) -> Iterator[dict[str, Client]]:
    clients = {}
    for role in ("board", "contributor"):
        client = Client()
        client.force_login(make_user(role))
        clients[role] = client
    yield clients


def test_board_members_and_contributors_cannot_upload(others: dict[str, Client]) -> None:
    for client in others.values():
        response = client.post("/uploads/", {"files": [cin()]})
        assert response.status_code == 403
        assert b"Upload" not in client.get("/dashboard/").content.split(b"<main")[0]
    assert store_state() == {}


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/episodes_2024.csv", "episodes_2024.csv"),
        ("C:\\Users\\me\\cin census 2024.xml", "cin_census_2024.xml"),
        ("<script>.xml", "script_.xml"),
        ("...", "upload"),
    ],
)
def test_file_names_are_reduced_to_safe_characters(sent: str, kept: str) -> None:
    assert safe_name(sent) == kept


# --- a 903 return uploaded as a set ----------------------------------------------------------


# each set uploaded once (a set holds several cases): what the store found, and what the
# staged rows are, by the pseudonyms of the upload's key
_uploaded: dict[str, tuple[sf.Found, sf.Found]] = {}


def upload_set(client: Client, files: dict[str, str], year: int) -> Any:
    sent = [SimpleUploadedFile(name, text.encode(), "text/csv") for name, text in files.items()]
    return client.post("/uploads/", {"files": sent, "year": str(year)})


@pytest.mark.parametrize("case", SET_CASES, ids=[c.id for c in SET_CASES])
def test_each_cross_file_903_rule_fires_through_an_upload_of_the_set(
    analyst: Client, case: sf.Case
) -> None:
    """The set's files sent in one upload are checked together: the rule flags the same
    children (by pseudonym, as the store keeps them) and field as it does staged."""
    batch = sf.batch_of(case)
    if batch.id not in _uploaded:
        files, staged = sf.written(batch)
        key = settings().key()
        mine = {
            label: {(pseudonymise(child, key), f) for child, f in rows}
            for label, rows in staged.items()
        }
        response = upload_set(analyst, files, batch.year)
        assert response.status_code == 302
        assert {status for status, _ in outcomes(analyst, response)} == {"loaded"}
        page = text_of(analyst.get(response["Location"]).content)
        assert "Checked together with" in page
        found: sf.Found = {}
        with duckdb.connect(settings().store_url, read_only=True) as con:
            for rule, child, field in con.execute(
                "SELECT rule, child, field FROM sp_findings"
            ).fetchall():
                found.setdefault(rule, set()).add((str(child), str(field).upper()))
        _uploaded[batch.id] = (found, mine)
    sf.assert_fires(case, *_uploaded[batch.id], batch.id)


def test_an_upload_without_the_header_says_which_rules_could_not_run(analyst: Client) -> None:
    files, _ = sf.written(sf.batch_of(sf.case("903 INT04")))
    response = upload_set(analyst, {n: t for n, t in files.items() if n != "header.csv"}, 2027)
    page = text_of(analyst.get(response["Location"]).content)
    assert "could not run" in page and "903 INT04: needs the Header file" in page
