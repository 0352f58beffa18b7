"""The 903 continuity rules through a web upload: last year's files sent with this year's
(each named for its year) are staged beside them; without them the page names the rules
that could not run, with the advice for an upload (no command-line option)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.test_cli_last_year import MISSING_576, _returns
from tests.web.conftest import make_user, text_of


@pytest.fixture
def analyst(db: None) -> Client:
    client = Client()
    client.force_login(make_user("analyst"))
    return client


def _sent(folder: Path, year: int) -> list[SimpleUploadedFile]:
    return [
        SimpleUploadedFile(f"{p.stem}_{year}.csv", p.read_bytes(), "text/csv")
        for p in sorted(folder.iterdir())
    ]


def test_last_years_files_sent_with_this_years_are_staged_beside_them(
    analyst: Client, tmp_path: Path
) -> None:
    this, before = _returns(tmp_path, MISSING_576)
    response = analyst.post("/uploads/", {"files": _sent(this, 2024) + _sent(before, 2023)})
    assert response.status_code == 302
    page = text_of(analyst.get(response["Location"]).content)
    assert "Last year's return staged beside it (2022-23, checked with it)." in page
    assert "903 576: needs" not in page.split("staged beside it")[1]


def test_without_last_year_the_page_names_the_rules_not_run(
    analyst: Client, tmp_path: Path
) -> None:
    this, _ = _returns(tmp_path, MISSING_576)
    response = analyst.post("/uploads/", {"files": _sent(this, 2024)})
    page = text_of(analyst.get(response["Location"]).content)
    assert "903 576: needs last year's Missing file (give last year's return alongside)" in page
    assert "--last-year" not in page
