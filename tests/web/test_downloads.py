"""Downloads from the dashboard: the board report in each format and version, and any
measure's table with each cell's suppression state; every download audited."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.test import Client

from tests.web.conftest import make_user

PLAN = "durham-lscb-2017-2020"


@pytest.fixture
def board(db: None, store: Path) -> Client:
    client = Client()
    client.force_login(make_user("board"))
    return client


def test_the_board_report_downloads_in_each_format_and_is_audited(board: Client) -> None:
    from safeplan.web.audit.models import Entry

    pdf = board.get(f"/dashboard/plans/{PLAN}/report.pdf?period=2025-Q1")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert 'filename="durham-lscb-2017-2020-2025-Q1-partner.pdf"' in pdf["Content-Disposition"]
    public = board.get(f"/dashboard/plans/{PLAN}/report.html?period=2025-Q1&version=public")
    assert b"Public version: small numbers withheld" in public.content
    assert "script-src" not in public["Content-Security-Policy"]
    assert "sandbox" in public["Content-Security-Policy"]
    book = board.get(f"/dashboard/plans/{PLAN}/report.xlsx?period=2025-Q1")
    assert book.content.startswith(b"PK")
    assert board.get(f"/dashboard/plans/{PLAN}/report.docx").status_code == 404
    exports = Entry.objects.filter(action="export").order_by("seq")
    assert [json.loads(e.detail)["format"] for e in exports] == ["pdf", "html", "xlsx"]
    assert exports[0].target == f"report/{PLAN}/2025-Q1"


def test_a_measure_table_exports_with_its_suppression_state(board: Client) -> None:
    page = f"/dashboard/plans/{PLAN}/measures/referrals_cse_risk/"
    partner = board.get(page + "export.csv?period=2025-Q1")
    rows = list(csv.DictReader(io.StringIO(partner.content.decode())))
    assert rows and {r["breakdown"] for r in rows} >= {"total", "gender", "age_band"}
    assert all(r["suppressed"] == "False" for r in rows)
    public = board.get(page + "export.json?period=2025-Q1&version=public").json()
    assert len(public) == len(rows)
    withheld = [r for r in public if r["suppressed"]]
    assert withheld and all(r["value"] == "c" for r in withheld)
    small = [
        r for r in public if isinstance(r["numerator"], (int, float)) and 0 < r["numerator"] <= 5
    ]
    assert small == []
    excel = board.get(page + "export.xlsx?period=2025-Q1")
    assert excel.status_code == 200 and excel.content.startswith(b"PK")
